"""Interval bounds of symbolic integers: what values an expression can take on a path.

A :class:`~proofs.symbolic.SymbolicInt` carries ``(low, high)`` bounds (``None``: unbounded
on that side) computed from its operands' bounds by the functions here. They are sound
over-approximations: every value the expression takes on the path lies within them
(``tests/test_proofs_symbolic.py`` checks each function against Python on concrete points).
A comparison they decide needs no solver query, and a value they pin is a plain ``int``.
"""

from __future__ import annotations

from typing import Final

Bounds = tuple[int | None, int | None]
"""The lowest and highest value an expression can take on a path; ``None``: no bound."""

UNBOUNDED: Final[Bounds] = (None, None)
"""No bound on either side."""

NEGATED: Final = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
"""The relation that holds when the key does not."""


def plus(a: Bounds, b: Bounds) -> Bounds:
    low = None if a[0] is None or b[0] is None else a[0] + b[0]
    high = None if a[1] is None or b[1] is None else a[1] + b[1]
    return low, high


def negated(a: Bounds) -> Bounds:
    return (None if a[1] is None else -a[1]), (None if a[0] is None else -a[0])


def times(a: Bounds, b: Bounds) -> Bounds:
    for known, other in ((a, b), (b, a)):
        if known[0] is not None and known[0] == known[1]:
            return scaled(other, known[0])
    if a[0] is None or a[1] is None or b[0] is None or b[1] is None:
        return UNBOUNDED
    products = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]]
    return min(products), max(products)


def scaled(a: Bounds, factor: int) -> Bounds:
    if factor == 0:
        return 0, 0
    low = None if a[0] is None else a[0] * factor
    high = None if a[1] is None else a[1] * factor
    return (low, high) if factor > 0 else (high, low)


def floor_quotient(a: Bounds, divisor: Bounds) -> Bounds:
    """Bounds of ``a // d`` for ``d`` in ``divisor``, every ``d >= 1``."""
    smallest = max(1, divisor[0] or 1)
    largest = divisor[1]

    def corners(x: int) -> list[int]:
        # x // d is monotone in d on d >= 1; an unbounded d tends to 0 (x >= 0) or -1.
        ends = [x // smallest]
        ends.append((x // largest) if largest is not None else (0 if x >= 0 else -1))
        return ends

    low = None if a[0] is None else min(corners(a[0]))
    high = None if a[1] is None else max(corners(a[1]))
    return low, high


def remainder(a: Bounds, divisor: Bounds) -> Bounds:
    """Bounds of ``a % d`` for ``d`` in ``divisor``, every ``d >= 1``."""
    smallest, largest = divisor
    if smallest is not None and smallest == largest and a[0] is not None and a[1] is not None:
        period = smallest
        if a[0] // period == a[1] // period:  # one period: the remainder is monotone
            return a[0] % period, a[1] % period
    high = None if largest is None else largest - 1
    if a[0] is not None and a[0] >= 0 and a[1] is not None:
        high = a[1] if high is None else min(high, a[1])
    return 0, high


def intersection(a: Bounds, b: Bounds) -> Bounds:
    low = a[0] if b[0] is None else b[0] if a[0] is None else max(a[0], b[0])
    high = a[1] if b[1] is None else b[1] if a[1] is None else min(a[1], b[1])
    return low, high


def decided(relation: str, low: int | None, high: int | None) -> bool | None:
    """The truth of ``d <relation> 0`` for every ``d`` in ``[low, high]``, if the bounds fix
    it; ``None`` otherwise."""
    below = high is not None and high < 0
    above = low is not None and low > 0
    zero = low == 0 and high == 0
    non_negative = low is not None and low >= 0
    non_positive = high is not None and high <= 0
    answers = {
        "<": True if below else False if non_negative else None,
        "<=": True if non_positive else False if above else None,
        ">": True if above else False if non_positive else None,
        ">=": True if non_negative else False if below else None,
        "==": True if zero else False if below or above else None,
        "!=": False if zero else True if below or above else None,
    }
    return answers[relation]


def narrowed(bounds: Bounds, relation: str, constant: int) -> Bounds:
    """``bounds`` of ``x`` intersected with what ``x <relation> constant`` allows."""
    low, high = bounds
    c = constant
    if relation == "<":
        high = c - 1 if high is None else min(high, c - 1)
    elif relation == "<=":
        high = c if high is None else min(high, c)
    elif relation == ">":
        low = c + 1 if low is None else max(low, c + 1)
    elif relation == ">=":
        low = c if low is None else max(low, c)
    elif relation == "==":
        low, high = c, c
    else:  # "!=": only an endpoint can move
        low = low + 1 if low == c else low
        high = high - 1 if high == c else high
    return low, high
