"""Work, difficulty, compact bits and VarUint against every fact in the anchors (section 5)."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from reference.bits import MAX_BITS, decode_bits, encode_bits, target_from_bits, work_from_bits
from reference.errors import Code, InvalidDifficulty, MalformedEncoding
from reference.varuint import decode_varuint, encode_varuint
from reference.work import (
    MAX_UINT256,
    target_from_difficulty,
    work_from_difficulty,
    work_from_target,
)

TWO_256 = 1 << 256
uint256 = st.integers(min_value=0, max_value=MAX_UINT256)
difficulties = st.integers(min_value=1, max_value=MAX_UINT256)


# --- facts (anchors section 5) ------------------------------------------------------------


@pytest.mark.parametrize(("difficulty", "work"), [(1, 1), (2, 2), (200, 199), (1000, 999)])
def test_tos_work_values(difficulty: int, work: int) -> None:
    assert work_from_difficulty(difficulty) == work


def test_difficulty_one_has_no_overflow_hole() -> None:
    assert target_from_difficulty(1) == MAX_UINT256
    assert work_from_target(MAX_UINT256) == 1


@pytest.mark.parametrize(
    ("bits", "work"),
    [(0x1D02CA33, 1_539_502_703), (0x1E7FFFFF, 131_072), (0x207FFFFF, 2), (0x1E21BC1C, 497_326)],
)
def test_kaspa_bits_work(bits: int, work: int) -> None:
    assert work_from_bits(bits) == work


@pytest.mark.parametrize(
    ("bits", "value"),
    [
        (0x01123456, 0x12),
        (0x02008000, 0x80),
        (0x02123456, 0x1234),
        (0x03123456, 0x123456),
        (0x04123456, 0x12345600),
        (0x05009234, 0x92340000),
        (0x00123456, 0),
        (0x01003456, 0),
        (0x02000056, 0),
        (0x03000000, 0),
        (0x04000000, 0),
    ],
)
def test_kaspa_bits_decode(bits: int, value: int) -> None:
    assert decode_bits(bits) == value


@pytest.mark.parametrize(
    ("value", "bits"), [(0, 0), (128, 0x02008000), (9_223_372_036_854_775_807, 142_606_335)]
)
def test_kaspa_bits_encode(value: int, bits: int) -> None:
    assert encode_bits(value) == bits


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (0, "00"),
        (1, "20" + "00" * 31 + "01"),
        (255, "20" + "00" * 31 + "ff"),
        (256, "1f" + "00" * 30 + "01"),
        (1 << 248, "0101"),
    ],
)
def test_tos_varuint(value: int, encoded: str) -> None:
    assert encode_varuint(value).hex() == encoded
    assert decode_varuint(bytes.fromhex(encoded)) == (value, len(encoded) // 2)


# --- identities over the whole 256-bit range ---------------------------------------------


@given(uint256)
@example(0)
@example(MAX_UINT256)
@example(MAX_UINT256 - 1)
def test_work_identity(target: int) -> None:
    work = work_from_target(target)
    assert work == TWO_256 // (target + 1)
    assert 1 <= work <= TWO_256


@given(difficulties)
@example(1)
@example(MAX_UINT256)
def test_target_bounds(difficulty: int) -> None:
    target = target_from_difficulty(difficulty)
    # target is the largest t with t * difficulty <= 2^256 - 1
    assert target * difficulty <= MAX_UINT256 < (target + 1) * difficulty
    work = work_from_difficulty(difficulty)
    # The floor in the target can only lower the work: 1 <= work <= difficulty, and below
    # 2^128 the loss is at most one (work(200) = 199 in the anchors).
    assert 1 <= work <= difficulty
    if difficulty < 1 << 128:
        assert work >= difficulty - 1


@given(difficulties, difficulties)
def test_work_monotone_in_difficulty(a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert work_from_difficulty(low) <= work_from_difficulty(high)


@given(st.integers(min_value=0, max_value=MAX_BITS))
def test_bits_decode_then_encode_is_stable(bits: int) -> None:
    try:
        value = decode_bits(bits)
    except InvalidDifficulty:
        return
    # Re-encoding a decoded value and decoding again gives the same value (canonical form).
    assert decode_bits(encode_bits(value)) == value


@given(uint256)
def test_bits_encode_truncates_to_24_bit_mantissa(value: int) -> None:
    decoded = decode_bits(encode_bits(value))
    assert decoded <= value
    if value.bit_length() <= 23:
        assert decoded == value
    else:
        # Only bits below the top 23 significant bits may be lost.
        assert value - decoded < 1 << (value.bit_length() - 16)


@given(uint256)
def test_varuint_round_trip(value: int) -> None:
    data = encode_varuint(value)
    assert decode_varuint(data + b"\xff\xff") == (value, len(data))


# --- rejections ----------------------------------------------------------------------------


@pytest.mark.parametrize("difficulty", [0, -1, TWO_256, TWO_256 + 5, True, 1.0, "1", None])
def test_bad_difficulty_rejected(difficulty: object) -> None:
    with pytest.raises(InvalidDifficulty) as caught:
        target_from_difficulty(difficulty)  # type: ignore[arg-type]
    assert caught.value.code is Code.INVALID_DIFFICULTY


@pytest.mark.parametrize("target", [-1, TWO_256, None])
def test_bad_target_rejected(target: object) -> None:
    with pytest.raises(InvalidDifficulty):
        work_from_target(target)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bits", [-1, MAX_BITS + 1, 0, 0x04923456, 0x01003456, 0xFF7FFFFF, 0x227FFFFF, False]
)
def test_bad_bits_rejected(bits: int) -> None:
    with pytest.raises(InvalidDifficulty):
        target_from_bits(bits)


@pytest.mark.parametrize(
    "data",
    ["", "21", "20", "02ff", "0100", "02ff00", "20" + "00" * 31],
)
def test_bad_varuint_rejected(data: str) -> None:
    with pytest.raises(MalformedEncoding) as caught:
        decode_varuint(bytes.fromhex(data))
    assert caught.value.code is Code.MALFORMED_ENCODING


@pytest.mark.parametrize("value", [-1, TWO_256, True])
def test_bad_varuint_value_rejected(value: int) -> None:
    with pytest.raises(MalformedEncoding):
        encode_varuint(value)
