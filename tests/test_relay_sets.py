"""Mode 2's set structures: the Bloom filter and the IBLT, against set oracles."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference.errors import Code, RelayError
from reference.relay.bloom import bloom_shape, build_bloom, encode_bloom, read_bloom
from reference.relay.iblt import (
    HASH_COUNT,
    Iblt,
    build_iblt,
    cells_for,
    encode_iblt,
    peel,
    read_iblt,
    subtract,
)
from reference.relay.reconcile import reconcile_shape
from reference.relay.wire import Reader

_U64 = st.integers(0, 2**64 - 1)
_KEY = st.integers(0, 2**48 - 1)


@settings(max_examples=40)
@given(st.lists(_U64, max_size=60), st.integers(0, 600), st.integers(1, 8))
def test_bloom_has_no_false_negatives_and_round_trips(
    values: list[int], bit_count: int, hash_count: int
) -> None:
    bloom = build_bloom(bit_count, hash_count if bit_count else 0, values)
    assert all(bloom.might_contain(value) for value in values)
    reader = Reader(encode_bloom(bloom))
    assert read_bloom(reader) == bloom
    reader.finish()


def test_bloom_false_positive_rate_is_near_design() -> None:
    rng = random.Random(3)
    members = [rng.getrandbits(64) for _ in range(2_000)]
    bit_count, hash_count = bloom_shape(len(members), 0.01)
    bloom = build_bloom(bit_count, hash_count, members)
    outsiders = [rng.getrandbits(64) for _ in range(20_000)]
    rate = sum(map(bloom.might_contain, outsiders)) / len(outsiders)
    assert 0.005 < rate < 0.02
    assert abs(bloom.false_positive_rate(len(members)) - 0.01) < 0.003


def test_bloom_padding_bits_rejected() -> None:
    data = bytes([5, 1, 0b1110_0000])
    with pytest.raises(RelayError) as caught:
        read_bloom(Reader(data))
    assert caught.value.code == Code.MALFORMED_MESSAGE


@settings(max_examples=40)
@given(st.sets(_KEY, max_size=80), st.sets(_KEY, max_size=15), st.sets(_KEY, max_size=15))
def test_iblt_recovers_the_symmetric_difference(
    common: set[int], only_left: set[int], only_right: set[int]
) -> None:
    only_left -= common | only_right
    only_right -= common
    # Generous sizing: at this size a peeling failure is far rarer than 1 in 10^4.
    cells = cells_for(4 * (len(only_left) + len(only_right)))
    difference = subtract(
        build_iblt(cells, common | only_left), build_iblt(cells, common | only_right)
    )
    assert peel(difference) == (frozenset(only_left), frozenset(only_right))


@settings(max_examples=30)
@given(st.sets(_KEY, max_size=30))
def test_iblt_wire_round_trip(keys: set[int]) -> None:
    table = build_iblt(cells_for(len(keys)), keys)
    reader = Reader(encode_iblt(table))
    assert read_iblt(reader) == table
    reader.finish()


def test_overloaded_iblt_fails_with_typed_error() -> None:
    rng = random.Random(5)
    table = build_iblt(16, [rng.getrandbits(48) for _ in range(200)])
    with pytest.raises(RelayError) as caught:
        peel(table)
    assert caught.value.code == Code.IBLT_DECODE_FAILED


@settings(max_examples=60)
@given(st.data())
def test_hostile_iblt_never_crashes(data: st.DataObject) -> None:
    width = data.draw(st.integers(1, 8))
    cells = HASH_COUNT * width
    table = Iblt(
        tuple(data.draw(st.lists(st.integers(0, 255), min_size=cells, max_size=cells))),
        tuple(data.draw(st.lists(_KEY, min_size=cells, max_size=cells))),
        tuple(data.draw(st.lists(st.integers(0, 0xFFFF), min_size=cells, max_size=cells))),
    )
    try:
        left, right = peel(table)
    except RelayError as error:
        assert error.code == Code.IBLT_DECODE_FAILED
    else:
        assert not left & right
        assert len(left) + len(right) <= cells


def test_reconcile_shape_shrinks_with_a_smaller_mempool_excess() -> None:
    small = reconcile_shape(5_000, 5_500)
    large = reconcile_shape(5_000, 25_000)
    assert small[0] < large[0]
    assert all(part % HASH_COUNT == 0 for part in (small[2], large[2]))
    # No excess at all: no filter, only an IBLT.
    assert reconcile_shape(100, 80)[:2] == (0, 0)
