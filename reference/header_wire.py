"""A header's binary wire form: one format byte, then the bytes its hash covers.

The encoding is :data:`WIRE_FORMAT` (one byte) followed by
:func:`~reference.header.header_preimage`, so ``header_hash(h)`` is the keyed BLAKE2b of the
wire form minus its first byte, and every field has exactly one encoding:

===========================  =====================================================
version                      u16
number of levels ``L``       u64
``L`` times                  u64 number of parents ``n``, then ``n`` x 32-byte hash
hash_merkle_root             32 bytes
accepted_id_merkle_root      32 bytes
utxo_commitment              32 bytes
timestamp                    u64
bits                         u32
nonce                        u64
daa_score                    u64
blue_score                   u64
blue work length ``b``       u64, ``0 <= b <= 24``
blue work                    ``b`` bytes big-endian, the first one not zero
pruning_point                32 bytes
===========================  =====================================================

All integers are little-endian. Decoding is bounded by the input: every count read off the
wire is checked against the bytes that remain before anything is read or allocated for it,
and anything that is not exactly one canonical header (an unknown format byte, a truncated
field, a count larger than the bytes left, blue work with a leading zero byte or over 24
bytes, trailing bytes) raises :class:`~reference.errors.MalformedHeader` naming the field.
"""

from __future__ import annotations

import struct
from typing import Any, Final

from reference.errors import MalformedHeader
from reference.hash import HASH_SIZE, Hash
from reference.header import BLUE_WORK_BITS, BlockHeader, header_preimage

WIRE_FORMAT: Final = 1
"""The format byte of this encoding; a decoder rejects every other value."""

MAX_BLUE_WORK_BYTES: Final = BLUE_WORK_BITS // 8
"""Longest blue work field (24 bytes)."""

_COUNT_SIZE: Final = 8

_FIXED_FIELDS: Final = (
    ("hash_merkle_root", HASH_SIZE),
    ("accepted_id_merkle_root", HASH_SIZE),
    ("utxo_commitment", HASH_SIZE),
    ("timestamp", 8),
    ("bits", 4),
    ("nonce", 8),
    ("daa_score", 8),
    ("blue_score", 8),
    ("blue_work", _COUNT_SIZE),
)
"""The fixed-size fields between the parents and the blue work bytes, in wire order (the last
is the blue work's length)."""

_FIXED_LAYOUT: Final = struct.Struct("<32s32s32sQIQQQQ")
""":data:`_FIXED_FIELDS` as one ``struct`` layout, read in one call."""


def header_to_wire(header: BlockHeader) -> bytes:
    """The wire form of a header: the format byte, then its hash preimage."""
    return bytes([WIRE_FORMAT]) + header_preimage(header)


class _Reader:
    """A cursor over the input that never reads past its end."""

    __slots__ = ("data", "offset")

    def __init__(self, data: bytes, offset: int) -> None:
        self.data = data
        self.offset = offset

    def remaining(self) -> int:
        return len(self.data) - self.offset

    def take(self, field: str, size: int) -> bytes:
        if size > self.remaining():
            raise MalformedHeader(
                field, size, f"needs {size} bytes, only {self.remaining()} are left"
            )
        chunk = self.data[self.offset : self.offset + size]
        self.offset += size
        return chunk

    def uint(self, field: str, size: int) -> int:
        return int.from_bytes(self.take(field, size), "little")

    def hash(self, field: str) -> Hash:
        return Hash(self.take(field, HASH_SIZE))

    def hashes(self, field: str, count: int) -> tuple[Hash, ...]:
        """``count`` consecutive hashes."""
        raw = self.take(field, count * HASH_SIZE)
        starts = range(0, len(raw), HASH_SIZE)
        return tuple(Hash(raw[start : start + HASH_SIZE]) for start in starts)

    def count(self, field: str, item_size: int) -> int:
        """A u64 count of items of ``item_size`` bytes each, checked against the bytes left."""
        return self.check_count(field, self.uint(field, _COUNT_SIZE), item_size)

    def check_count(self, field: str, count: int, item_size: int) -> int:
        """``count`` items of ``item_size`` bytes each fit in the bytes left."""
        if count * item_size > self.remaining():
            raise MalformedHeader(
                field, count, f"{count} items cannot fit in the {self.remaining()} bytes left"
            )
        return count

    def fixed_fields(self) -> tuple[Any, ...]:
        """The values of :data:`_FIXED_FIELDS`: hashes as bytes, integers little-endian."""
        if _FIXED_LAYOUT.size > self.remaining():
            for field, size in _FIXED_FIELDS:
                self.take(field, size)  # raises at the first field that is cut off
        values = _FIXED_LAYOUT.unpack_from(self.data, self.offset)
        self.offset += _FIXED_LAYOUT.size
        return values


def _blue_work(reader: _Reader, size: int) -> int:
    reader.check_count("blue_work", size, 1)
    if size > MAX_BLUE_WORK_BYTES:
        raise MalformedHeader("blue_work", size, f"at most {MAX_BLUE_WORK_BYTES} bytes")
    raw = reader.take("blue_work", size)
    if raw[:1] == b"\0":
        raise MalformedHeader("blue_work", raw.hex(), "non-canonical: a leading zero byte")
    return int.from_bytes(raw, "big")


def read_header_wire(data: bytes, offset: int = 0) -> tuple[BlockHeader, int]:
    """Read one header's wire form starting at ``offset``; the header and the offset after it.

    For headers embedded in a longer message; :func:`header_from_wire` reads a whole buffer.
    """
    if not isinstance(data, bytes):
        raise MalformedHeader("wire", type(data).__name__, "bytes are expected")
    if not isinstance(offset, int) or not 0 <= offset <= len(data):
        raise MalformedHeader("wire", offset, "the offset lies outside the input")
    reader = _Reader(data, offset)
    form = reader.uint("format", 1)
    if form != WIRE_FORMAT:
        raise MalformedHeader("format", form, f"unknown format byte, {WIRE_FORMAT} expected")
    version = reader.uint("version", 2)
    levels = []
    # Each level costs at least its own 8-byte count, each parent 32 bytes: a count that
    # cannot fit in the bytes left is rejected before the loop runs.
    for index in range(reader.count("parents_by_level", _COUNT_SIZE)):
        field = f"parents_by_level[{index}]"
        levels.append(reader.hashes(field, reader.count(field, HASH_SIZE)))
    # The fixed-size fields are read at once; one cut off is named as when read one by one.
    merkle, accepted, utxo, timestamp, bits, nonce, daa_score, blue_score, blue_work_size = (
        reader.fixed_fields()
    )
    header = BlockHeader(
        version=version,
        parents_by_level=tuple(levels),
        hash_merkle_root=Hash(merkle),
        accepted_id_merkle_root=Hash(accepted),
        utxo_commitment=Hash(utxo),
        timestamp=timestamp,
        bits=bits,
        nonce=nonce,
        daa_score=daa_score,
        blue_score=blue_score,
        blue_work=_blue_work(reader, blue_work_size),
        pruning_point=reader.hash("pruning_point"),
    )
    return header, reader.offset


def header_from_wire(data: bytes) -> BlockHeader:
    """The header whose wire form is exactly ``data`` (trailing bytes are rejected)."""
    header, end = read_header_wire(data)
    if end != len(data):
        raise MalformedHeader("wire", len(data) - end, f"{len(data) - end} trailing bytes")
    return header
