"""The 32-byte hash: parsing, formatting, ordering."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reference.errors import Code, MalformedHash
from reference.hash import HASH_SIZE, Hash


@given(st.binary(min_size=HASH_SIZE, max_size=HASH_SIZE))
def test_hex_round_trip(raw: bytes) -> None:
    h = Hash(raw)
    assert Hash.from_hex(h.hex()) == h
    assert str(h) == raw.hex()


@given(
    st.binary(min_size=HASH_SIZE, max_size=HASH_SIZE),
    st.binary(min_size=HASH_SIZE, max_size=HASH_SIZE),
)
def test_order_is_lexicographic_from_byte_zero(a: bytes, b: bytes) -> None:
    # Oracle: compare byte by byte from index 0.
    first_difference = next((i for i in range(HASH_SIZE) if a[i] != b[i]), None)
    expected = False if first_difference is None else a[first_difference] < b[first_difference]
    assert (Hash(a) < Hash(b)) is expected


def test_kaspa_label_order() -> None:
    # Kaspa's vectors rely on "10" < "2": bytewise, not numeric.
    assert Hash.from_label("10") < Hash.from_label("2")
    assert Hash.from_label("A").label() == "A"
    assert Hash.from_label("A") == Hash(b"A" + bytes(31))


@pytest.mark.parametrize(
    "text",
    ["", "00", "0" * 63, "0" * 65, "g" * 64, "A" * 64, " " + "0" * 63, "0x" + "0" * 62],
)
def test_bad_hex_rejected(text: str) -> None:
    with pytest.raises(MalformedHash) as caught:
        Hash.from_hex(text)
    assert caught.value.code is Code.MALFORMED_HASH


@pytest.mark.parametrize("raw", [b"", b"\0" * 31, b"\0" * 33])
def test_bad_length_rejected(raw: bytes) -> None:
    with pytest.raises(MalformedHash):
        Hash(raw)


@pytest.mark.parametrize("value", [None, 5, "ab" * 32, bytearray(32)])
def test_wrong_type_rejected(value: object) -> None:
    with pytest.raises(MalformedHash):
        Hash(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [None, 5, b"ab" * 32])
def test_wrong_type_hex_rejected(value: object) -> None:
    with pytest.raises(MalformedHash):
        Hash.from_hex(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("label", ["", "x" * 33, "é"])
def test_bad_label_rejected(label: str) -> None:
    with pytest.raises(MalformedHash):
        Hash.from_label(label)
