"""Interval arithmetic: Kaspa's split facts (anchors section 4) and split invariants."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reference.processes.reachability.interval import Interval, IntervalError


@pytest.mark.parametrize(
    ("interval", "sizes", "expected"),
    [
        ((1, 100), [25, 15, 10], [(1, 75), (76, 90), (91, 100)]),
        ((1, 100), [10, 15, 25], [(1, 10), (11, 25), (26, 100)]),
        ((1, 10000), [10, 10, 20], [(1, 20), (21, 40), (41, 10000)]),
        ((1, 100000), [31000, 31000, 30001], [(1, 35000), (35001, 69999), (70000, 100000)]),
    ],
)
def test_kaspa_split_exponential(
    interval: tuple[int, int], sizes: list[int], expected: list[tuple[int, int]]
) -> None:
    parts = Interval(*interval).split_exponential(sizes)
    assert [(p.start, p.end) for p in parts] == expected


def _assert_partition(whole: Interval, parts: list[Interval]) -> None:
    assert parts[0].start == whole.start and parts[-1].end == whole.end
    for left, right in itertools.pairwise(parts):
        assert left.end + 1 == right.start


@given(st.integers(0, 10**6), st.integers(1, 10**6))
def test_split_half_partitions(start: int, size: int) -> None:
    whole = Interval(start, start + size - 1)
    left, right = whole.split_half()
    _assert_partition(whole, [left, right])
    assert left.size() - right.size() in (0, 1)


@given(
    st.integers(0, 10**6),
    st.lists(st.integers(1, 200), min_size=1, max_size=12),
    st.integers(0, 10**5),
)
def test_split_exponential_partitions_and_respects_sizes(
    start: int, sizes: list[int], spare: int
) -> None:
    whole = Interval(start, start + sum(sizes) + spare - 1)
    parts = whole.split_exponential(sizes)
    _assert_partition(whole, parts)
    assert all(p.size() >= s for p, s in zip(parts, sizes, strict=True))


def test_bad_splits_rejected() -> None:
    with pytest.raises(IntervalError):
        Interval(1, 10).split_exact([5, 4])
    with pytest.raises(IntervalError):
        Interval(1, 10).split_exponential([11])
    with pytest.raises(IntervalError):
        Interval(5, 3)
