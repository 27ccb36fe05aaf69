"""Byte-level reading and writing shared by every relay message.

Integers are little-endian. Counts, lengths and differential indexes are *CompactSize*
(Bitcoin's variable-length integer): ``v < 0xfd`` is one byte; otherwise a marker byte
``fd`` / ``fe`` / ``ff`` followed by ``v`` as a 2-, 4- or 8-byte integer. Only the shortest
form is accepted, so every value has one encoding.

A :class:`Reader` never reads past its buffer and refuses a count before allocating
anything for it when the remaining bytes could not hold that many items: a hostile count
costs nothing.
"""

from __future__ import annotations

from typing import Final

from reference.errors import Code, RelayError

MAX_MESSAGE_SIZE: Final = 4_000_000
"""Largest relay message in bytes; a larger one is refused before it is parsed."""


def encode_compact_size(value: int) -> bytes:
    """The shortest CompactSize encoding of ``0 <= value < 2^64``."""
    if value < 0 or value >= 1 << 64:
        raise RelayError(Code.MALFORMED_MESSAGE, f"CompactSize out of range: {value}")
    if value < 0xFD:
        return bytes([value])
    if value <= 0xFFFF:
        return b"\xfd" + value.to_bytes(2, "little")
    if value <= 0xFFFFFFFF:
        return b"\xfe" + value.to_bytes(4, "little")
    return b"\xff" + value.to_bytes(8, "little")


def check_message_size(message: bytes) -> None:
    """Refuse a message longer than :data:`MAX_MESSAGE_SIZE` before reading it."""
    if not isinstance(message, bytes):
        raise RelayError(Code.MALFORMED_MESSAGE, "a relay message is bytes")
    if len(message) > MAX_MESSAGE_SIZE:
        raise RelayError(Code.MESSAGE_TOO_LARGE, f"{len(message)} bytes exceeds {MAX_MESSAGE_SIZE}")


class Reader:
    """A cursor over one message; every read is bounds-checked."""

    __slots__ = ("_data", "_offset")

    def __init__(self, data: bytes) -> None:
        check_message_size(data)
        self._data = data
        self._offset = 0

    @property
    def remaining(self) -> int:
        return len(self._data) - self._offset

    def take(self, size: int) -> bytes:
        if size < 0 or size > self.remaining:
            raise RelayError(
                Code.MALFORMED_MESSAGE,
                f"truncated: need {size} bytes at offset {self._offset}, have {self.remaining}",
            )
        chunk = self._data[self._offset : self._offset + size]
        self._offset += size
        return chunk

    def rewind(self, size: int) -> None:
        self._offset -= size

    def uint(self, size: int) -> int:
        return int.from_bytes(self.take(size), "little")

    def compact_size(self) -> int:
        marker = self.uint(1)
        if marker < 0xFD:
            return marker
        width, smallest = {0xFD: (2, 0xFD), 0xFE: (4, 1 << 16), 0xFF: (8, 1 << 32)}[marker]
        value = self.uint(width)
        if value < smallest:
            raise RelayError(Code.MALFORMED_MESSAGE, f"non-canonical CompactSize {value}")
        return value

    def count(self, item_min_size: int, limit: int) -> int:
        """A CompactSize count of items of at least ``item_min_size`` bytes, at most ``limit``."""
        value = self.compact_size()
        if value > limit:
            raise RelayError(Code.MESSAGE_TOO_LARGE, f"count {value} exceeds limit {limit}")
        if value * item_min_size > self.remaining:
            raise RelayError(
                Code.MALFORMED_MESSAGE,
                f"count {value} cannot fit in the {self.remaining} bytes left",
            )
        return value

    def blob(self, limit: int) -> bytes:
        """A CompactSize length then that many bytes (at most ``limit``)."""
        return self.take(self.count(1, limit))

    def finish(self) -> None:
        if self.remaining:
            raise RelayError(Code.MALFORMED_MESSAGE, f"{self.remaining} trailing bytes")


def encode_blob(data: bytes) -> bytes:
    """A CompactSize length followed by the bytes."""
    return encode_compact_size(len(data)) + data
