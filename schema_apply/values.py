"""``@frozen`` and ``@mutable``: the package's dataclasses, as ``@dataclass(frozen=True)`` and
``@dataclass`` make them, for less at every start.

``dataclass`` writes the source of six methods for a frozen class (three for another) and compiles
each with ``exec`` when the class is made: loading the commands made 85 frozen classes and 15
others, 555 compilations, some 230 M of its 1,190 M instructions. Most of those methods are never
called in a run, and many classes never made. These decorators have ``dataclass`` compile nothing
(it still collects the fields, sets their defaults on the class and writes ``__match_args__``;
loading the commands takes 853 M instructions, against 1,061 M with ``__init__``, ``__setattr__``
and ``__delattr__`` compiled for every class) and give the class methods that do what
``dataclass`` generates (as Python 3.11 and 3.12 generate it):

- ``__init__``: the very function ``dataclass`` writes (the same text: defaults, default factories,
  ``__post_init__``; a frozen class's sets its fields with ``object.__setattr__``), compiled the
  first time the class is called or its ``__init__`` asked for (a plan of 1,000 tables in one
  process makes the values of 49 classes of 104). Fields ``dataclass`` would leave out of
  ``__init__`` (``init=False``, keyword-only, ``InitVar``) are refused when the class is made: none
  of the package's classes has one.
- ``__setattr__`` and ``__delattr__`` (frozen classes): one function for every class, raising
  ``FrozenInstanceError`` as the generated ones do for the class's own values.
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
- A class without a docstring gets ``Name(field, ...)`` (``dataclass`` would ask ``inspect`` for
  the signature of ``__init__``, compiling it).

A method the class defines itself is kept, as ``dataclass`` keeps it. The class is a dataclass
all the same: ``fields``, ``replace``, ``asdict``, pickling and ``field(compare=False)`` work as
they do; only its ``__dataclass_params__`` say ``init=False, eq=False, repr=False, frozen=False``
(the methods are not ``dataclass``'s). The names are those of attrs (``attrs.frozen``,
``attrs.mutable``).
"""

from __future__ import annotations

# (private names of dataclasses: the kind of an InitVar pseudo-field, and the default of a parameter
# whose field has a default factory, as dataclass's own __init__ has it)
from dataclasses import _FIELD_INITVAR, _HAS_DEFAULT_FACTORY
from dataclasses import MISSING, FrozenInstanceError, dataclass, fields
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
    own = cls.__dict__
    own_hash = own.get("__hash__", MISSING)
    explicit_hash = not (own_hash is MISSING or (own_hash is None and "__eq__" in own))
    if frozen and ("__setattr__" in own or "__delattr__" in own):
        raise TypeError(f"Cannot overwrite attribute __setattr__ or __delattr__ in class {cls.__name__}")
    if not own.get("__doc__"):
        annotations = own.get("__annotations__", {})
        cls.__doc__ = f"{cls.__name__}({', '.join(annotations)})"
    cls = dataclass(cls, init=False, eq=False, repr=False)
    every = fields(cls)
    if "__init__" not in own:
        _check_init_fields(cls, every)
        cls.__init__ = _OnFirstUse(cls, "__init__", lambda: _compiled_init(cls, every, frozen))
    if frozen:
        cls.__setattr__, cls.__delattr__ = _frozen_setattr, _frozen_delattr
    if "__eq__" not in cls.__dict__:
        compared = [f.name for f in every if f.compare]
        cls.__eq__ = _OnFirstUse(cls, "__eq__", lambda: _compiled_eq(cls, compared))
    if not explicit_hash:
        if frozen:
            _method(cls, _hash(field_values([f.name for f in every if (f.compare if f.hash is None else f.hash)])))
        else:
            cls.__hash__ = None
    if "__repr__" not in cls.__dict__:
        _method(cls, _repr(tuple(f.name for f in every if f.repr)))
    return cls


def _check_init_fields(cls: type, every: tuple) -> None:
    """Refuse what the ``__init__`` written here does not write (see the module's docstring), and
    a field without a default after one with (as ``dataclass`` does)."""
    if any(f._field_type is _FIELD_INITVAR for f in cls.__dataclass_fields__.values()):
        raise TypeError(f"{cls.__name__}: an InitVar field needs @dataclass, not schema_apply.values")
    seen_default = False
    for f in every:
        if not f.init or f.kw_only:
            raise TypeError(f"{cls.__name__}.{f.name}: a field left out of __init__ or keyword-only needs "
                            "@dataclass, not schema_apply.values")
        if f.default is not MISSING or f.default_factory is not MISSING:
            seen_default = True
        elif seen_default:
            raise TypeError(f"non-default argument {f.name!r} follows default argument")


class _OnFirstUse:
    """A class's method ``name`` until first asked for (``__init__`` by calling the class, ``__eq__``
    by ``==``, either by name): then ``compile()``d, set on the class in its place, and returned."""

    def __init__(self, owner: type, name: str, compile: Callable[[], Callable]):
        self.owner, self.name, self.compile = owner, name, compile

    def __get__(self, value, cls=None):
        method = self.owner.__dict__[self.name]
        if method is self:
            method = self.compile()
            setattr(self.owner, self.name, method)
        return method if value is None else method.__get__(value, cls)


def _compiled_init(cls: type, every: tuple, frozen: bool):
    """The ``__init__`` ``dataclass`` writes for ``cls`` (Python 3.11's text, without annotations)."""
    me = "__dataclass_self__" if "self" in (f.name for f in every) else "self"
    namespace: dict = {"_HAS_DEFAULT_FACTORY": _HAS_DEFAULT_FACTORY, "__dataclass_builtins_object__": object}
    params, lines = [me], []
    for f in every:
        value = f.name
        if f.default_factory is not MISSING:
            namespace[f"_dflt_{f.name}"] = f.default_factory
            params.append(f"{f.name}=_HAS_DEFAULT_FACTORY")
            value = f"_dflt_{f.name}() if {f.name} is _HAS_DEFAULT_FACTORY else {f.name}"
        elif f.default is not MISSING:
            namespace[f"_dflt_{f.name}"] = f.default
            params.append(f"{f.name}=_dflt_{f.name}")
        else:
            params.append(f.name)
        lines.append(f"__dataclass_builtins_object__.__setattr__({me},{f.name!r},{value})" if frozen
                     else f"{me}.{f.name}={value}")
    if hasattr(cls, "__post_init__"):
        lines.append(f"{me}.__post_init__()")
    body = "".join(f"  {line}\n" for line in lines) or "  pass\n"
    exec(f"def __init__({','.join(params)}):\n{body}", namespace)
    init = namespace["__init__"]
    init.__module__, init.__qualname__ = cls.__module__, f"{cls.__qualname__}.__init__"
    return init


def _frozen_setattr(self, name, value):
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self, name):
    raise FrozenInstanceError(f"cannot delete field {name!r}")


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
