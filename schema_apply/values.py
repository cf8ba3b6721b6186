"""``@frozen`` and ``@mutable``: the package's dataclasses, as ``@dataclass(frozen=True)`` and
``@dataclass`` make them, for less at every start.

``dataclass`` writes the source of six methods for a frozen class (three for another) and compiles
each with ``exec`` when the class is made: loading the commands made 85 frozen classes and 15
others, 555 compilations, some 230 M of its 1,190 M instructions. Most of those methods are never
called in a run. These decorators have ``dataclass`` write only what must be (``__init__``, and for
a frozen class the ``__setattr__`` and ``__delattr__`` that raise ``FrozenInstanceError``), and
give the class an ``__eq__``, ``__hash__`` and ``__repr__`` that do what ``dataclass`` generates
(as Python 3.11 and 3.12 generate it):

- ``__eq__``: equal when of the same class and the tuples of the compared fields are equal. It is
  the hot one (the diff of two equal 1,000-table schemas compares some 30,000 values), and one
  function for every class, reading the fields through the type's attribute lookup, made that
  diff take 2.3 times the instructions of the generated methods, whose reads are specialised for
  their class. So it is the generated method, the same text, compiled the first time the class's
  values are compared (a plan compares those of a dozen classes).
- ``__hash__`` (frozen classes): the hash of the tuple of the fields with ``hash=True``, or compared
  when ``hash`` is not given; ``None`` for the others (their values are unhashable). ``__repr__``:
  ``Name(field=value!r, ...)`` over the fields with ``repr=True``, ``...`` for a value met again
  inside itself. Both are seldom called (neither in a plan of equal schemas): functions made for
  the class when it is made (no compilation), reading the fields with ``operator.attrgetter``.

A method the class defines itself is kept, as ``dataclass`` keeps it. The class is a dataclass
all the same: ``fields``, ``replace``, ``asdict``, pickling and ``field(compare=False)`` work as
they do; only its ``__dataclass_params__`` say ``eq=False, repr=False`` (the methods are not
``dataclass``'s). The names are those of attrs (``attrs.frozen``, ``attrs.mutable``).
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from operator import attrgetter
from reprlib import recursive_repr
from typing import Callable, TypeVar

T = TypeVar("T", bound=type)


def frozen(cls: T) -> T:
    """Class decorator: ``@dataclass(frozen=True)``, its ``__eq__``, ``__hash__`` and ``__repr__``
    not compiled when the class is made (see the module's docstring)."""
    return _dataclass(cls, frozen=True)


def mutable(cls: T) -> T:
    """Class decorator: ``@dataclass``, its ``__eq__`` and ``__repr__`` not compiled when the class
    is made (see the module's docstring). Its values are unhashable, as ``dataclass`` makes them."""
    return _dataclass(cls, frozen=False)


def _dataclass(cls: T, *, frozen: bool) -> T:
    own_hash = cls.__dict__.get("__hash__", MISSING)
    explicit_hash = not (own_hash is MISSING or (own_hash is None and "__eq__" in cls.__dict__))
    cls = dataclass(cls, frozen=frozen, eq=False, repr=False)
    every = fields(cls)
    if "__eq__" not in cls.__dict__:
        cls.__eq__ = _EqOnFirstUse(cls, [f.name for f in every if f.compare])
    if not explicit_hash:
        if frozen:
            _method(cls, _hash(field_values([f.name for f in every if (f.compare if f.hash is None else f.hash)])))
        else:
            cls.__hash__ = None
    if "__repr__" not in cls.__dict__:
        _method(cls, _repr(tuple(f.name for f in every if f.repr)))
    return cls


class _EqOnFirstUse:
    """A class's ``__eq__`` until first asked for (by ``==`` or by name): then compiled, set on the
    class in its place, and returned."""

    def __init__(self, owner: type, names: list[str]):
        self.owner, self.names = owner, names

    def __get__(self, value, cls=None):
        eq = self.owner.__dict__["__eq__"]
        if eq is self:
            eq = _compiled_eq(self.owner, self.names)
            self.owner.__eq__ = eq
        return eq if value is None else eq.__get__(value, cls)


def _compiled_eq(cls: type, names: list[str]):
    """The ``__eq__`` ``dataclass`` writes for ``cls``, comparing the fields ``names``."""
    own, other = (f"({''.join(f'{side}.{name},' for name in names)})" for side in ("self", "other"))
    namespace: dict = {}
    exec("def __eq__(self, other):\n"
         "    if other.__class__ is self.__class__:\n"
         f"        return {own} == {other}\n"
         "    return NotImplemented\n", namespace)
    eq = namespace["__eq__"]
    eq.__module__, eq.__qualname__ = cls.__module__, f"{cls.__qualname__}.__eq__"
    return eq


def field_values(names: list[str]) -> Callable[[object], tuple]:
    """The values of the fields ``names`` of a value, as a tuple (as the generated methods build
    it), read as attributes (``operator.attrgetter``; one name or none give a tuple too)."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda value: (one(value),)
    return lambda value: ()


def _method(cls: type, function) -> None:
    function.__qualname__ = f"{cls.__qualname__}.{function.__name__}"
    setattr(cls, function.__name__, function)


def _hash(hashed: Callable[[object], tuple]):
    def __hash__(self):
        return hash(hashed(self))
    return __hash__


def _repr(names: tuple[str, ...]):
    @recursive_repr()
    def __repr__(self):
        return f"{self.__class__.__qualname__}({', '.join(f'{name}={getattr(self, name)!r}' for name in names)})"
    return __repr__
