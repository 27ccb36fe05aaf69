"""The header's wire form: byte-exact, canonical, and bounded when decoding.

Kaspa's 907 json_test headers pin the layout (the wire form minus its format byte is what
Kaspa hashes); a hand-written encoding pins one small header byte by byte; Hypothesis checks
both round trips and fuzzes the decoder with garbage and with mutated valid encodings, which
must give a header that re-encodes to the same bytes or a ``MalformedHeader``, nothing else.
"""

from __future__ import annotations

import hashlib
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reference.errors import Code, MalformedHeader
from reference.hash import Hash
from reference.header import BlockHeader
from reference.header_json import header_from_json
from reference.header_wire import (
    WIRE_FORMAT,
    header_from_wire,
    header_to_wire,
    read_header_wire,
)
from tests.test_header import headers, kaspa_headers


def _decodes_canonically_or_rejects(data: bytes) -> None:
    try:
        header = header_from_wire(data)
    except MalformedHeader as error:
        assert error.code is Code.MALFORMED_HEADER
    else:
        assert header_to_wire(header) == data


def test_kaspa_headers_round_trip_and_hash_their_wire_bytes() -> None:
    for _, obj in kaspa_headers():
        header = header_from_json(obj)
        wire = header_to_wire(header)
        assert wire[0] == WIRE_FORMAT
        assert header_from_wire(wire) == header
        digest = hashlib.blake2b(wire[1:], digest_size=32, key=b"BlockHash").hexdigest()
        assert digest == obj["hash"]


def _u64(value: int) -> str:
    return value.to_bytes(8, "little").hex()


SMALL = BlockHeader(
    version=0x0102,
    parents_by_level=((Hash(b"\x11" * 32), Hash(b"\x22" * 32)), ()),
    hash_merkle_root=Hash(b"\x33" * 32),
    accepted_id_merkle_root=Hash(b"\x44" * 32),
    utxo_commitment=Hash(b"\x55" * 32),
    timestamp=0x0A0B,
    bits=0x1E7FFFFF,
    nonce=7,
    daa_score=8,
    blue_work=0x0100,
    blue_score=9,
    pruning_point=Hash(b"\x66" * 32),
)
SMALL_HEX = (
    "01"  # format
    "0201"  # version 0x0102, little-endian
    + _u64(2)  # two levels
    + _u64(2)
    + "11" * 32
    + "22" * 32
    + _u64(0)  # the second level is empty
    + "33" * 32
    + "44" * 32
    + "55" * 32
    + "0b0a000000000000"  # timestamp
    + "ffff7f1e"  # bits
    + _u64(7)
    + _u64(8)  # daa score
    + _u64(9)  # blue score
    + _u64(2)
    + "0100"  # blue work 0x0100: two big-endian bytes
    + "66" * 32
)


def test_a_small_header_byte_by_byte() -> None:
    assert header_to_wire(SMALL).hex() == SMALL_HEX
    assert header_from_wire(bytes.fromhex(SMALL_HEX)) == SMALL


def test_every_truncation_is_rejected() -> None:
    wire = bytes.fromhex(SMALL_HEX)
    for end in range(len(wire)):
        with pytest.raises(MalformedHeader):
            header_from_wire(wire[:end])


def _small_with(offset_hex: int, replacement: str) -> bytes:
    """SMALL's encoding with hex characters from ``offset_hex`` on replaced."""
    text = SMALL_HEX[:offset_hex] + replacement + SMALL_HEX[offset_hex + len(replacement) :]
    return bytes.fromhex(text)


BLUE_WORK_AT = len(SMALL_HEX) - 64 - 4 - 16  # hex offset of the blue work length
REJECTED = [
    ("format 0", _small_with(0, "00"), "format"),
    ("format 2", _small_with(0, "02"), "format"),
    ("level count 2^64 - 1", _small_with(6, "ff" * 8), "parents_by_level"),
    ("parent count 2^63", _small_with(22, "00" * 7 + "80"), "parents_by_level[0]"),
    ("blue work 25 bytes", _small_with(BLUE_WORK_AT, _u64(25)), "blue_work"),
    ("blue work leading zero", _small_with(BLUE_WORK_AT, _u64(2) + "0001"), "blue_work"),
    ("a trailing byte", bytes.fromhex(SMALL_HEX + "00"), "wire"),
]


@pytest.mark.parametrize(("case", "data", "field"), REJECTED, ids=[c[0] for c in REJECTED])
def test_malformed_wire_names_the_field(case: str, data: bytes, field: str) -> None:
    started = time.perf_counter()
    with pytest.raises(MalformedHeader) as caught:
        header_from_wire(data)
    # A count read off the wire is checked before anything is allocated for it.
    assert time.perf_counter() - started < 1.0, case
    assert caught.value.field == field, case


def test_only_bytes_are_decoded() -> None:
    for value in (bytearray(bytes.fromhex(SMALL_HEX)), SMALL_HEX, None):
        with pytest.raises(MalformedHeader):
            header_from_wire(value)  # type: ignore[arg-type]


def test_headers_embedded_in_a_message() -> None:
    first, second = header_to_wire(SMALL), header_to_wire(header_from_json(kaspa_headers()[5][1]))
    message = b"\x99" + first + second
    header, offset = read_header_wire(message, 1)
    assert header == SMALL and offset == 1 + len(first)
    header, offset = read_header_wire(message, offset)
    assert header_to_wire(header) == second and offset == len(message)
    with pytest.raises(MalformedHeader):
        read_header_wire(message, len(message) + 1)


@given(headers)
def test_round_trip(header: BlockHeader) -> None:
    wire = header_to_wire(header)
    assert header_from_wire(wire) == header
    assert header_to_wire(header_from_wire(wire)) == wire


@given(st.binary(max_size=600))
def test_garbage_decodes_canonically_or_is_rejected(data: bytes) -> None:
    _decodes_canonically_or_rejects(data)
    _decodes_canonically_or_rejects(bytes([WIRE_FORMAT]) + data)


@given(headers, st.data())
def test_mutated_encodings_decode_canonically_or_are_rejected(
    header: BlockHeader, data: st.DataObject
) -> None:
    wire = bytearray(header_to_wire(header))
    for _ in range(data.draw(st.integers(1, 3))):
        position = data.draw(st.integers(0, len(wire)))
        action = data.draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        if action == "flip" and position < len(wire):
            wire[position] ^= data.draw(st.integers(1, 255))
        elif action == "insert":
            wire[position:position] = data.draw(st.binary(min_size=1, max_size=40))
        elif action == "delete":
            del wire[position : position + data.draw(st.integers(1, 40))]
        else:
            del wire[position:]
    _decodes_canonically_or_rejects(bytes(wire))
