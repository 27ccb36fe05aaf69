"""The Bloom filter of mode 2: which mempool transactions might be in the block.

Built over the 64-bit keyed hashes ``h`` of the block's transactions (reference.relay.shortid).
With ``h1 = h mod 2^32`` and ``h2 = (h >> 32) | 1``, the ``hash_count`` bit positions of a
transaction are ``(h1 + i * h2) mod bit_count`` for ``i = 0 .. hash_count-1`` (double hashing).
Bit ``p`` is bit ``p mod 8`` (least significant first) of byte ``p // 8``. A filter of zero bits
lets every transaction pass (the receiver's mempool is too small to be worth filtering).

Wire form::

    bit_count CompactSize | hash_count u8 | ceil(bit_count / 8) bytes

with bits past ``bit_count`` in the last byte zero, ``hash_count`` zero exactly when
``bit_count`` is, and at most :data:`MAX_HASH_COUNT` hashes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from reference.errors import Code, RelayError
from reference.relay.wire import Reader, encode_compact_size

MAX_HASH_COUNT: Final = 32
"""Most bit positions per transaction."""
MAX_BLOOM_BITS: Final = 8 * 2_000_000
"""Largest filter in bits."""
_LN2_SQUARED: Final = math.log(2) ** 2


@dataclass(frozen=True, slots=True)
class BloomFilter:
    """A Bloom filter over 64-bit keyed hashes."""

    bit_count: int
    """Bits in the filter, 0 <= bit_count <= MAX_BLOOM_BITS; 0 passes everything."""
    hash_count: int
    """Positions per item, 1..MAX_HASH_COUNT (0 exactly when bit_count is 0)."""
    bits: bytes
    """``ceil(bit_count / 8)`` bytes; position ``p`` is bit ``p mod 8`` of byte ``p // 8``."""

    def might_contain(self, value: int) -> bool:
        """Whether an item with keyed hash ``value`` passes the filter."""
        if self.bit_count == 0:
            return True
        h1 = value & 0xFFFFFFFF
        h2 = (value >> 32) | 1
        bits, size = self.bits, self.bit_count
        for i in range(self.hash_count):
            position = (h1 + i * h2) % size
            if not (bits[position >> 3] >> (position & 7)) & 1:
                return False
        return True

    def passing(self, values: Sequence[int]) -> list[int]:
        """Indexes of the ``values`` that pass: :meth:`might_contain` of each, in one loop
        (a receiver tests its whole mempool)."""
        if self.bit_count == 0:
            return list(range(len(values)))
        bits, size, rounds = self.bits, self.bit_count, range(self.hash_count)
        found = []
        for index, value in enumerate(values):
            h1 = value & 0xFFFFFFFF
            h2 = (value >> 32) | 1
            for i in rounds:
                position = (h1 + i * h2) % size
                if not (bits[position >> 3] >> (position & 7)) & 1:
                    break
            else:
                found.append(index)
        return found

    def false_positive_rate(self, items: int) -> float:
        """The textbook rate ``(1 - e^(-k n / m))^k`` after ``items`` insertions."""
        if self.bit_count == 0:
            return 1.0
        exponent = -self.hash_count * items / self.bit_count
        return float((1.0 - math.exp(exponent)) ** self.hash_count)


def bloom_shape(items: int, false_positive_rate: float) -> tuple[int, int]:
    """``(bit_count, hash_count)`` for ``items`` at a target rate: ``m = -n ln f / ln^2 2``,
    ``k = round(m / n ln 2)`` clamped to 1..MAX_HASH_COUNT; rate 1 or no items gives (0, 0)."""
    if items == 0 or false_positive_rate >= 1.0:
        return 0, 0
    bit_count = max(8, math.ceil(-items * math.log(false_positive_rate) / _LN2_SQUARED))
    hash_count = min(MAX_HASH_COUNT, max(1, round(bit_count / items * math.log(2))))
    return min(bit_count, MAX_BLOOM_BITS), hash_count


def build_bloom(bit_count: int, hash_count: int, values: Iterable[int]) -> BloomFilter:
    """A filter of the given shape holding every keyed hash in ``values``."""
    if bit_count == 0:
        return BloomFilter(0, 0, b"")
    raw = bytearray((bit_count + 7) // 8)
    rounds = range(hash_count)
    for value in values:
        h1 = value & 0xFFFFFFFF
        h2 = (value >> 32) | 1
        for i in rounds:
            position = (h1 + i * h2) % bit_count
            raw[position >> 3] |= 1 << (position & 7)
    return BloomFilter(bit_count, hash_count, bytes(raw))


def encode_bloom(bloom: BloomFilter) -> bytes:
    """Wire form of a filter."""
    return encode_compact_size(bloom.bit_count) + bytes([bloom.hash_count]) + bloom.bits


def read_bloom(reader: Reader) -> BloomFilter:
    """Read a filter, rejecting every non-canonical form."""
    bit_count = reader.compact_size()
    if bit_count > MAX_BLOOM_BITS:
        raise RelayError(Code.MESSAGE_TOO_LARGE, f"Bloom filter of {bit_count} bits")
    hash_count = reader.uint(1)
    if (hash_count == 0) != (bit_count == 0) or hash_count > MAX_HASH_COUNT:
        raise RelayError(Code.MALFORMED_MESSAGE, f"bad hash count {hash_count}")
    bits = reader.take((bit_count + 7) // 8)
    if bit_count % 8 and bits[-1] >> (bit_count % 8):
        raise RelayError(Code.MALFORMED_MESSAGE, "Bloom filter padding bits are set")
    return BloomFilter(bit_count, hash_count, bits)
