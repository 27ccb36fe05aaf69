"""Symbolic integers mean what Python's integers mean, and the explorer follows every path.

The proofs of ``dagspec prove`` run the reference's own functions on
:class:`proofs.symbolic.SymbolicInt`; a wrong operator there would make them prove the wrong
thing. Here every operation is checked against Python itself on concrete values (pinned by a
hypothesis, so the term is evaluated by Z3, not by Python), together with the bounds it
reports, and the explorer is checked on small functions whose paths are known by hand.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import pytest
import z3
from hypothesis import example, given, settings
from hypothesis import strategies as st

from proofs.bounds import Bounds
from proofs.obligation import Verdict
from proofs.symbolic import Ending, Explorer, Raised, Returned, SymbolicInt, term_of

# Small, huge, negative: the reference works on 256-bit values and the interval code on
# negative ones too.
integers = st.one_of(
    st.integers(-300, 300),
    st.integers(-(2**300), 2**300),
    st.sampled_from([0, 1, -1, 2**256 - 1, 2**256, 0x7FFFFF, 0x800000, 0xFFFFFF]),
)
slack = st.one_of(st.none(), st.integers(0, 2**40))


def _box(value: int, below: int | None, above: int | None) -> Bounds:
    """Bounds around ``value`` (``None``: unbounded on that side)."""
    return (None if below is None else value - below), (None if above is None else value + above)


def _evaluate(
    operation: Callable[[Any, Any], Any], a: int, b: int, box_a: Bounds, box_b: Bounds
) -> Ending:
    """Run ``operation(x, y)`` on symbolic ``x == a`` and ``y == b`` (bounded by the boxes);
    return how it ended and the model's value of the result."""
    explorer = Explorer()
    x = explorer.integer("x", *box_a)
    y = explorer.integer("y", *box_b)
    explorer.assume(x.term == a, y.term == b)
    seen: list[Ending] = []

    def claim(ending: Ending) -> bool:
        seen.append(ending)
        return True

    outcome = explorer.prove(lambda: operation(x, y), claim)
    assert outcome.verdict is Verdict.PROVED, outcome
    assert outcome.paths == 1  # x and y are pinned: one path
    (ending,) = seen
    return ending


def _value_of(result: Any, a: int, b: int) -> Any:
    if isinstance(result, bool):
        return result
    if isinstance(result, SymbolicInt):
        low, high = result.bounds
        solver = z3.Solver()
        solver.add(z3.Int("x") == a, z3.Int("y") == b)
        solver.check()
        value = solver.model().eval(result.term, model_completion=True).as_long()
        # The bounds hold the value (they are sound on the path).
        assert low is None or low <= value, (result, low, value)
        assert high is None or value <= high, (result, high, value)
        return value
    return result


BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "//": operator.floordiv,
    "%": operator.mod,
    "divmod": divmod,
    "== (bool)": lambda x, y: bool(x == y),
    "!= (bool)": lambda x, y: bool(x != y),
    "< (bool)": lambda x, y: bool(x < y),
    "<= (bool)": lambda x, y: bool(x <= y),
    "> (bool)": lambda x, y: bool(x > y),
    ">= (bool)": lambda x, y: bool(x >= y),
    "min": min,
    "max": max,
    "& constant": lambda x, y: x & _CONSTANT,
    "| constant": lambda x, y: x | _CONSTANT,
    "^ constant": lambda x, y: x ^ _CONSTANT,
    "constant & ": lambda x, y: _CONSTANT & x,
    "& negative constant": lambda x, y: x & ~_CONSTANT,
    "& symbolic": lambda x, y: x & (y % 4096),
    "| symbolic": lambda x, y: x | (y % 4096),
    "<< symbolic": lambda x, y: x << (y % 300),
    ">> symbolic": lambda x, y: x >> (y % 300),
    "constant << symbolic": lambda x, y: 3 << (y % 300),
    "~": lambda x, y: ~x,
    "neg": lambda x, y: -x,
    "abs": lambda x, y: abs(x),
    "bool": lambda x, y: bool(x),
    "bit_length": lambda x, y: x.bit_length(),
    "sum": lambda x, y: sum([x, y, 5]),
    "mixed": lambda x, y: (x * 3 - y) // 7 % 11 + (x >> 3),
}

_CONSTANT = 0xF0F00FF000FFF


def _python(operation: Callable[[Any, Any], Any], a: int, b: int) -> Any:
    try:
        return operation(a, b)
    except (ZeroDivisionError, ValueError) as error:
        return error


@pytest.mark.parametrize("name", list(BINARY))
@settings(max_examples=25, deadline=None)
@given(a=integers, b=integers, below=slack, above=slack, below_b=slack, above_b=slack)
@example(a=5, b=0, below=None, above=None, below_b=None, above_b=None)
@example(a=-7, b=2, below=0, above=0, below_b=3, above_b=3)
@example(a=-7, b=-2, below=None, above=None, below_b=None, above_b=None)
@example(a=2**256 - 1, b=1, below=0, above=None, below_b=0, above_b=0)
def test_every_operation_is_pythons(  # noqa: PLR0917 - Hypothesis passes them by name
    name: str,
    a: int,
    b: int,
    below: int | None,
    above: int | None,
    below_b: int | None,
    above_b: int | None,
) -> None:
    operation = BINARY[name]
    expected = _python(operation, a, b)
    ending = _evaluate(operation, a, b, _box(a, below, above), _box(b, below_b, above_b))
    if isinstance(expected, Exception):
        assert isinstance(ending, Raised)
        assert type(ending.error) is type(expected)
        return
    assert isinstance(ending, Returned), ending
    result = ending.value
    if isinstance(expected, tuple):
        assert tuple(_value_of(r, a, b) for r in result) == expected
    else:
        assert _value_of(result, a, b) == expected


def _paths(
    run: Callable[[SymbolicInt], Any],
    low: int | None = None,
    high: int | None = None,
    claim: Callable[[SymbolicInt, Ending], Any] = lambda x, ending: True,
) -> tuple[Verdict, int, str]:
    explorer = Explorer()
    x = explorer.integer("x", low, high)
    outcome = explorer.prove(lambda: run(x), lambda ending: claim(x, ending))
    return outcome.verdict, outcome.paths, outcome.detail


def _three_ways(x: Any) -> int:
    if x < 0:
        return -1
    if x == 0:
        return 0
    return 1


def test_every_side_of_every_branch_is_followed() -> None:
    assert _paths(_three_ways) == (Verdict.PROVED, 3, "")
    # Sides the hypotheses rule out are not followed.
    assert _paths(_three_ways, 0, 10)[:2] == (Verdict.PROVED, 2)
    assert _paths(_three_ways, 1, 10)[:2] == (Verdict.PROVED, 1)


def test_a_claim_false_on_one_path_is_refuted_with_an_input_of_that_path() -> None:
    def claim(x: SymbolicInt, ending: Ending) -> Any:
        assert isinstance(ending, Returned)
        return term_of(ending.value) == z3.If(x.term < 0, -1, 1)  # wrong at x == 0

    verdict, _, detail = _paths(_three_ways, claim=claim)
    assert verdict is Verdict.COUNTEREXAMPLE
    assert detail.startswith("x = 0;"), detail


def test_a_raise_ends_a_path() -> None:
    def checked(x: Any) -> Any:
        if x > 100:
            raise ValueError("too big")
        return x

    def claim(x: SymbolicInt, ending: Ending) -> Any:
        if isinstance(ending, Raised):
            return x.term > 100
        return term_of(ending.value) <= 100

    assert _paths(checked, claim=claim)[:2] == (Verdict.PROVED, 2)


def test_shift_counts_and_byte_lengths_split_the_path() -> None:
    # One path per shift count; one per byte length (0 to 3 bytes), exact within each
    # (checked against Python by test_every_operation_is_pythons).
    assert _paths(lambda x: 1 << x, 0, 5)[:2] == (Verdict.PROVED, 6)
    assert _paths(lambda x: x.bit_length(), 0, 2**24 - 1)[:2] == (Verdict.PROVED, 4)


@pytest.mark.parametrize(
    "escape",
    [
        float,
        lambda x: 2.0**x,  # float's own operator reads the hidden value: OverflowError
        lambda x: x * 1.5,
        lambda x: [1, 2, 3][x],
        lambda x: {x: 1},
        lambda x: x.to_bytes(32, "big"),
        lambda x: x**2,
        lambda x: x / 2,
    ],
)
def test_anything_not_modelled_fails_closed(escape: Callable[[Any], Any]) -> None:
    verdict, _, _ = _paths(escape, 0, 10)
    assert verdict is Verdict.ERROR


def test_an_unsupported_operation_caught_by_the_code_still_fails() -> None:
    def swallowing(x: Any) -> Any:
        try:
            return float(x)
        except BaseException:  # exactly what the explorer must see through
            return 0

    assert _paths(swallowing, 0, 10)[0] is Verdict.ERROR


def test_vacuous_hypotheses_are_an_error() -> None:
    verdict, _, detail = _paths(lambda x: x, 5, 4)
    assert verdict is Verdict.ERROR
    assert "unsatisfiable" in detail


def test_a_function_that_branches_differently_on_replay_is_an_error() -> None:
    calls = [0]

    def fickle(x: Any) -> Any:
        calls[0] += 1
        if calls[0] > 1 and x > 3:  # a condition the first run did not ask
            return 1
        return 1 if x < 5 else 2

    assert _paths(fickle, 0, 10)[0] is Verdict.ERROR
