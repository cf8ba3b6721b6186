"""``@frozen`` and ``@mutable`` (values.py) make what ``@dataclass(frozen=True)`` and ``@dataclass``
make: each class below has a twin made by ``dataclass``, and their values must compare, hash, print,
refuse (or take) assignment, copy and pickle alike."""

from __future__ import annotations

import dataclasses
import importlib
import math
import pickle
import pkgutil
import sys
from dataclasses import FrozenInstanceError, dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st

import schema_apply
from schema_apply.values import frozen, mutable


def twins(body, ours=frozen, theirs=dataclass(frozen=True)):
    """The class ``body()`` describes, made by ``ours`` and by ``theirs``, both named ``V`` (so that
    their reprs compare)."""
    return [decorate(type("V", (), {"__qualname__": "V", "__module__": __name__, **body()}))
            for decorate in (ours, theirs)]


def every_kind() -> dict:
    return {"__annotations__": {"a": "object", "b": "object", "c": "object", "d": "object", "e": "object"},
            "b": field(default=None, compare=False),  # neither compared nor hashed
            "c": field(default=0, hash=False),  # compared, not hashed
            "d": field(default=1, repr=False),
            "e": field(default=(), hash=True, compare=False)}  # hashed, not compared (dataclass allows it)


SHAPES = {
    "fields of every kind": every_kind,
    "one compared field": lambda: {"__annotations__": {"x": "object", "y": "object"},
                                   "y": field(default=0, compare=False)},
    "one field": lambda: {"__annotations__": {"x": "object"}},
    "no field": dict,
}
# Python 3.13's dataclass compares field by field (``a.x == b.x and …``), 3.11's and 3.12's the
# fields' tuples, which take one object as equal to itself: NaN apart, the same. The values keep the
# tuples on every Python (test_a_value_holding_nan_equals_itself_as_a_tuple_does); the twins are
# compared without NaN where dataclass differs.
FLOATS = [0.0, -0.0, math.nan, 1.5] if sys.version_info < (3, 13) else [0.0, -0.0, 1.5]
VALUES = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(FLOATS),
                   st.text(max_size=2), st.tuples(st.integers(0, 2)))


def _args(cls, values):
    return values[:len(dataclasses.fields(cls))]


@pytest.mark.parametrize("shape", SHAPES)
@given(left=st.lists(VALUES, min_size=5, max_size=5), right=st.lists(VALUES, min_size=5, max_size=5))
def test_values_compare_hash_and_print_as_dataclass_makes_them(shape, left, right):
    ours, theirs = twins(SHAPES[shape])
    shared = list(left)  # the same objects on both sides (nan is equal to itself in a tuple)
    for a_args, b_args in ((left, right), (left, shared), (left, [*right[:1], *left[1:]])):
        a, b = ours(*_args(ours, a_args)), ours(*_args(ours, b_args))
        ta, tb = theirs(*_args(theirs, a_args)), theirs(*_args(theirs, b_args))
        assert (a == b, a != b) == (ta == tb, ta != tb)
        assert repr(a) == repr(ta) and hash(a) == hash(ta)
    a, ta = ours(*_args(ours, left)), theirs(*_args(theirs, left))
    assert a.__eq__(ta) is NotImplemented and a != ta  # another class is never equal


@pytest.mark.parametrize("shape", SHAPES)
@given(left=st.lists(VALUES, min_size=5, max_size=5), right=st.lists(VALUES, min_size=5, max_size=5))
def test_mutable_values_compare_and_print_as_dataclass_makes_them_and_are_unhashable(shape, left, right):
    ours, theirs = twins(SHAPES[shape], mutable, dataclass)
    for a_args, b_args in ((left, right), (left, list(left)), (left, [*right[:1], *left[1:]])):
        a, b = ours(*_args(ours, a_args)), ours(*_args(ours, b_args))
        ta, tb = theirs(*_args(theirs, a_args)), theirs(*_args(theirs, b_args))
        assert (a == b, a != b) == (ta == tb, ta != tb)
        assert repr(a) == repr(ta)
    assert ours.__hash__ is None is theirs.__hash__
    with pytest.raises(TypeError):
        hash(ours(*_args(ours, left)))


def test_a_mutable_value_takes_assignment():
    ours, _ = twins(every_kind, mutable, dataclass)
    value = ours(1)
    value.a = 2
    assert value == ours(2) and value != ours(1)


def test_a_value_refuses_assignment_and_deletion():
    ours, _ = twins(every_kind)
    value = ours(1)
    with pytest.raises(FrozenInstanceError):
        value.a = 2
    with pytest.raises(FrozenInstanceError):
        del value.a
    with pytest.raises(FrozenInstanceError):
        value.other = 2
    assert value.a == 1


def test_dataclass_functions_and_pickling_work_on_values():
    value = Pair("x", (1, 2))
    assert dataclasses.is_dataclass(value) and [f.name for f in dataclasses.fields(value)] == ["name", "items"]
    assert dataclasses.replace(value, name="y") == Pair("y", (1, 2))
    assert dataclasses.asdict(value) == {"name": "x", "items": (1, 2)}
    back = pickle.loads(pickle.dumps(value))
    assert back == value and repr(back) == repr(value) and type(back) is Pair
    assert Pair.__match_args__ == ("name", "items")


@frozen
class Pair:  # (module level: pickled by name)
    name: str
    items: tuple = ()


@frozen
class Base:
    table: str


@frozen
class Derived(Base):
    column: str = ""


def test_a_subclass_compares_its_own_fields_and_never_equals_its_base():
    assert Derived("t", "c") == Derived("t", "c") and Derived("t", "c") != Derived("t", "d")
    assert Base("t") != Derived("t") and Derived("t") != Base("t")
    assert repr(Derived("t", "c")) == "Derived(table='t', column='c')"
    assert hash(Derived("t", "c")) == hash(("t", "c")) and hash(Base("t")) == hash(("t",))


def test_methods_the_class_defines_are_kept():
    @frozen
    class Own:
        x: int

        def __eq__(self, other):
            return True

        def __repr__(self):
            return "own"

        def __hash__(self):
            return 7
    assert Own(1) == 2 and repr(Own(1)) == "own" and hash(Own(1)) == 7

    @frozen
    class OwnEq:  # __eq__ without __hash__: dataclass still makes the hash of the fields
        x: int

        def __eq__(self, other):
            return True
    assert hash(OwnEq(3)) == hash((3,))


def test_a_value_met_again_inside_itself_prints_as_dots():
    ours, theirs = twins(lambda: {"__annotations__": {"items": "list"}})
    a, ta = ours([]), theirs([])
    a.items.append(a)
    ta.items.append(ta)
    assert repr(a) == repr(ta) == "V(items=[...])"


def test_eq_is_compiled_when_first_used_and_is_then_the_class_own_function():
    @frozen
    class Lazy:
        x: int
        y: int = field(default=0, compare=False)
    assert not callable(vars(Lazy)["__eq__"])  # not yet compiled
    assert Lazy(1, 2) == Lazy(1, 3) and Lazy(1) != Lazy(2)
    eq = vars(Lazy)["__eq__"]
    assert callable(eq) and eq.__qualname__.endswith("Lazy.__eq__") and Lazy.__eq__ is eq
    assert Lazy(1) == Lazy(1) and vars(Lazy)["__eq__"] is eq  # compiled once


def test_every_dataclass_of_the_package_is_made_by_frozen_or_mutable():
    """``@dataclass`` compiles two or three methods more per class at every start."""
    made, made_by_dataclass = [], []
    for info in pkgutil.walk_packages(schema_apply.__path__, "schema_apply."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == info.name and dataclasses.is_dataclass(value):
                made.append(value)
                if value.__dataclass_params__.eq:
                    made_by_dataclass.append(f"{info.name}.{value.__qualname__}")
    assert len(made) > 100  # (the check sees them)
    assert not made_by_dataclass, "use @frozen or @mutable (schema_apply.values): " + ", ".join(made_by_dataclass)


def test_init_is_compiled_when_first_used_and_makes_what_dataclass_makes():
    def body():
        return {"__annotations__": {"a": "object", "b": "list", "c": "object"},
                "b": field(default_factory=list), "c": field(default=3, compare=False)}
    for ours, theirs in (twins(body), twins(body, mutable, dataclass)):
        assert not callable(vars(ours)["__init__"])  # not yet compiled
        assert ours(1) == ours(1, []) and repr(ours(1)) == repr(theirs(1))
        assert ours(1).b is not ours(1).b  # a new list each time, as the factory makes it
        assert repr(ours(1, [2], 4)) == repr(theirs(1, [2], 4)) and repr(ours(a=1, c=5)) == repr(theirs(a=1, c=5))
        init = vars(ours)["__init__"]
        assert callable(init) and init.__qualname__.endswith("V.__init__") and ours.__init__ is init
        with pytest.raises(TypeError):
            ours()  # a missing argument, as the generated __init__ says
        with pytest.raises(TypeError):
            ours(1, [], 3, 4)


def test_post_init_runs_and_a_field_named_self_is_a_parameter():
    seen = []

    @frozen
    class Checked:
        self: int
        other: int = 0

        def __post_init__(self):
            seen.append((self.self, self.other))
    assert Checked(1, other=2).self == 1 and seen == [(1, 2)]


@pytest.mark.parametrize("body", [
    lambda: {"__annotations__": {"a": "int", "b": "int"}, "a": 0},  # a field without a default after one with
    lambda: {"__annotations__": {"a": "int"}, "a": field(init=False, default=0)},
    lambda: {"__annotations__": {"a": "int"}, "a": field(kw_only=True)},
    lambda: {"__annotations__": {"a": "dataclasses.InitVar[int]"}},
])
def test_what_the_decorators_do_not_write_is_refused_when_the_class_is_made(body):
    with pytest.raises(TypeError):
        frozen(type("V", (), {"__module__": __name__, **body()}))


def test_a_class_without_a_docstring_is_not_compiled_for_one():
    @frozen
    class Plain:
        x: int
        y: int = 0
    assert Plain.__doc__ == "Plain(x, y)" and not callable(vars(Plain)["__init__"])


def test_a_value_holding_nan_equals_itself_as_a_tuple_does():
    """As Python 3.11's and 3.12's dataclasses compare (the fields' tuples), on every Python."""
    ours, _ = twins(lambda: {"__annotations__": {"x": "float"}})
    nan = math.nan
    assert ours(nan) == ours(nan) and not ours(nan) != ours(nan)  # the same object
    assert ours(float("nan")) != ours(float("nan"))  # two NaNs
