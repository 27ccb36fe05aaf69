"""The fields of a message: fixed-width integers, hashes, lists and byte strings.

Integers are little-endian and unsigned. A *count* (of list items, of bytes) is a u32. Every
read is bounded by the bytes left in the payload, never by a number read from the wire: a
count is checked against ``limit`` (the field's own maximum, fixed by the schema) and against
the bytes that remain, given the smallest encoding of one item, before anything is read or
allocated for it. A hostile count therefore costs nothing, and anything that is not exactly
one message of the schema raises :class:`~reference.errors.PeerError` with
``MALFORMED_MESSAGE`` (truncated, trailing or non-canonical bytes) or ``MESSAGE_TOO_LARGE``
(a count above its field's limit).
"""

from __future__ import annotations

from typing import Final

from reference.errors import Code, PeerError
from reference.hash import HASH_SIZE, Hash

COUNT_SIZE: Final = 4
"""Bytes of a count (u32)."""


def malformed(message: str) -> PeerError:
    """The error for bytes that are not one message of the schema."""
    return PeerError(Code.MALFORMED_MESSAGE, message)


class Writer:
    """Appends fields to a payload."""

    __slots__ = ("_parts",)

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def uint(self, value: int, size: int) -> Writer:
        """An unsigned integer of ``size`` bytes (out-of-range values are a caller's bug)."""
        self._parts.append(value.to_bytes(size, "little"))
        return self

    def hash(self, value: Hash) -> Writer:
        """A 32-byte hash."""
        self._parts.append(bytes(value))
        return self

    def raw(self, data: bytes) -> Writer:
        """Bytes whose length the schema fixes or that carry their own length."""
        self._parts.append(data)
        return self

    def count(self, value: int) -> Writer:
        """A u32 count."""
        return self.uint(value, COUNT_SIZE)

    def blob(self, data: bytes) -> Writer:
        """A u32 length, then the bytes."""
        self.count(len(data))
        self._parts.append(data)
        return self

    def text(self, value: str) -> Writer:
        """UTF-8 text as a blob."""
        return self.blob(value.encode("utf-8"))

    def hashes(self, values: tuple[Hash, ...] | list[Hash]) -> Writer:
        """A u32 count, then the hashes."""
        self.count(len(values))
        self._parts.extend(bytes(value) for value in values)
        return self

    def getvalue(self) -> bytes:
        """The payload written so far."""
        return b"".join(self._parts)


class Reader:
    """A cursor over one payload; every read is bounds-checked."""

    __slots__ = ("_data", "_offset")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._offset = 0

    @property
    def remaining(self) -> int:
        """Bytes not read yet."""
        return len(self._data) - self._offset

    @property
    def offset(self) -> int:
        """Bytes read so far."""
        return self._offset

    def take(self, size: int, field: str) -> bytes:
        """The next ``size`` bytes."""
        if size > self.remaining:
            raise malformed(f"{field}: needs {size} bytes, {self.remaining} left")
        chunk = self._data[self._offset : self._offset + size]
        self._offset += size
        return chunk

    def skip_to(self, offset: int) -> None:
        """Move past bytes another decoder has consumed (``offset`` from the start)."""
        if not self._offset <= offset <= len(self._data):
            raise malformed(f"offset {offset} outside the payload")
        self._offset = offset

    def data(self) -> bytes:
        """The whole payload (for decoders that take a buffer and an offset)."""
        return self._data

    def uint(self, size: int, field: str) -> int:
        """An unsigned integer of ``size`` bytes."""
        return int.from_bytes(self.take(size, field), "little")

    def hash(self, field: str) -> Hash:
        """A 32-byte hash."""
        return Hash(self.take(HASH_SIZE, field))

    def count(self, field: str, limit: int, item_min_size: int) -> int:
        """A u32 count of at most ``limit`` items, each at least ``item_min_size`` bytes long."""
        value = self.uint(COUNT_SIZE, field)
        if value > limit:
            raise PeerError(Code.MESSAGE_TOO_LARGE, f"{field}: {value} items, at most {limit}")
        if value * item_min_size > self.remaining:
            raise malformed(f"{field}: {value} items cannot fit in the {self.remaining} bytes left")
        return value

    def blob(self, field: str, limit: int) -> bytes:
        """A u32 length of at most ``limit``, then that many bytes."""
        return self.take(self.count(field, limit, 1), field)

    def text(self, field: str, limit: int) -> str:
        """UTF-8 text of at most ``limit`` bytes."""
        raw = self.blob(field, limit)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise malformed(f"{field}: not UTF-8") from None

    def flag(self, field: str) -> bool:
        """A byte that is 0 or 1."""
        value = self.uint(1, field)
        if value > 1:
            raise malformed(f"{field}: a flag is 0 or 1, not {value}")
        return value == 1

    def hashes(self, field: str, limit: int) -> tuple[Hash, ...]:
        """A u32 count of at most ``limit``, then that many hashes."""
        count = self.count(field, limit, HASH_SIZE)
        raw = self.take(count * HASH_SIZE, field)
        return tuple(Hash(raw[i : i + HASH_SIZE]) for i in range(0, len(raw), HASH_SIZE))

    def finish(self, message: str) -> None:
        """Refuse trailing bytes."""
        if self.remaining:
            raise malformed(f"{message}: {self.remaining} trailing bytes")
