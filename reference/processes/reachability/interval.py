"""Inclusive integer intervals: the arithmetic under the reachability tree.

An :class:`Interval` ``[start, end]`` holds ``end - start + 1`` integers; ``end = start - 1``
is the empty interval at ``start``. A block's interval strictly contains the intervals of its
selected-parent-tree children, so chain ancestry is interval containment.

These helpers are pure; their contracts (PEP 316 ``pre:``/``post:`` lines) are checked by
CrossHair and the split rules are proved with Z3 in ``proofs/``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

ROOT_START: Final = 1
"""Start of the interval given to the reachability root (as Kaspa: ``[1, 2^64 - 2]``)."""

ROOT_END: Final = (1 << 64) - 2
"""End of the interval given to the reachability root."""


class IntervalError(ValueError):
    """A split or resize that the interval cannot satisfy (a reference bug, not a verdict)."""


@dataclass(frozen=True, slots=True)
class Interval:
    """The integers ``start..end`` inclusive; empty when ``end == start - 1``."""

    start: int
    """First integer in the interval."""
    end: int
    """Last integer in the interval (``start - 1`` when empty)."""

    def __post_init__(self) -> None:
        if self.end < self.start - 1:
            raise IntervalError(f"[{self.start}, {self.end}] has negative size")

    @staticmethod
    def empty_at(start: int) -> Interval:
        """The empty interval positioned at ``start``."""
        return Interval(start, start - 1)

    def size(self) -> int:
        """Number of integers in the interval.

        post: __return__ >= 0
        """
        return self.end - self.start + 1

    def is_empty(self) -> bool:
        """True when the interval holds no integer."""
        return self.end < self.start

    def contains(self, other: Interval) -> bool:
        """``other`` lies within ``self`` (reflexive; an interval contains itself)."""
        return self.start <= other.start and other.end <= self.end

    def strictly_contains(self, other: Interval) -> bool:
        """``other`` lies within ``self`` and differs from it."""
        return self.contains(other) and self != other

    def split_half(self) -> tuple[Interval, Interval]:
        """Left and right halves; the left gets the extra integer of an odd size.

        post: __return__[0].size() + __return__[1].size() == self.size()
        post: __return__[0].start == self.start and __return__[1].end == self.end
        post: __return__[0].end + 1 == __return__[1].start
        """
        middle = left_half_end(self.start, self.end)
        return Interval(self.start, middle), Interval(middle + 1, self.end)

    def split_exact(self, sizes: Sequence[int]) -> list[Interval]:
        """Consecutive intervals of exactly ``sizes``, which must sum to ``self.size()``.

        raises: IntervalError
        post: [part.size() for part in __return__] == list(sizes)
        """
        if any(s < 0 for s in sizes) or sum(sizes) != self.size():
            raise IntervalError(f"sizes {list(sizes)} do not partition {self}")
        parts: list[Interval] = []
        start = self.start
        for size in sizes:
            parts.append(Interval(start, start + size - 1))
            start += size
        return parts

    def split_exponential(self, sizes: Sequence[int]) -> list[Interval]:
        """Consecutive intervals at least ``sizes``, spare capacity shared by ``2^size``.

        Each part gets its size plus a bias: part ``i`` takes
        ``round(spare * 2^sizes[i] / sum_j 2^sizes[j])`` of the spare capacity (capped by
        what is left), and the last part takes the rest. Bigger subtrees thus get nearly all
        the room to grow. The fractions are computed in IEEE-754 binary64 exactly as Kaspa
        does, with ``round`` half away from zero, so the layout matches Kaspa's bit for bit;
        the layout never changes a reachability answer, only where reindexing happens.
        """
        total = sum(sizes)
        if not sizes or total <= 0 or any(s < 0 for s in sizes) or total > self.size():
            raise IntervalError(f"sizes {list(sizes)} cannot be placed in {self}")
        spare = self.size() - total
        if spare == 0:
            return self.split_exact(sizes)
        return self.split_exact(grow_by_shares(sizes, spare, exponential_shares(sizes, spare)))

    def __str__(self) -> str:
        return f"[{self.start}, {self.end}]"


def left_half_end(start: int, end: int) -> int:
    """The last integer of the left half of ``[start, end]``: the left half holds
    ``(size + 1) // 2`` integers, so it gets the extra integer of an odd size."""
    return start + (end - start + 2) // 2 - 1


def exponential_shares(sizes: Sequence[int], spare: int) -> list[int]:
    """The share of ``spare`` each part but the last asks for,
    ``round_half_away(spare * exponential_fractions(sizes)[i])``, in binary64 as Kaspa
    computes it (every share is >= 0: the fractions are)."""
    fractions = exponential_fractions(sizes)
    return [round_half_away(float(spare) * fraction) for fraction in fractions[:-1]]


def grow_by_shares(sizes: Sequence[int], spare: int, shares: Sequence[int]) -> list[int]:
    """``sizes`` grown by ``spare``: each part but the last by its share, capped by what is
    still left, and the last part by the rest, so that the growths add up to ``spare``."""
    remaining = spare
    grown: list[int] = []
    for size, share in zip(sizes[:-1], shares, strict=True):
        bias = min(remaining, share)
        grown.append(size + bias)
        remaining -= bias
    grown.append(sizes[-1] + remaining)
    return grown


def exponential_fractions(sizes: Sequence[int]) -> list[float]:
    """``2^-(max - s) / sum`` for each size ``s``, in binary64 (Kaspa's rounding)."""
    largest = max(sizes)
    weights = [2.0 ** -(largest - s) for s in sizes]
    total = 0.0
    for weight in weights:  # left to right, uncompensated, as Kaspa sums
        total += weight
    return [weight / total for weight in weights]


def round_half_away(value: float) -> int:
    """Round a non-negative float to the nearest integer, halves away from zero.

    pre: 0 <= value < 2.0**64
    post: abs(__return__ - value) <= 0.5
    """
    floor = math.floor(value)
    return floor + 1 if value - floor >= 0.5 else floor
