"""Differential index lists (BIP152): how a message names positions in a block.

A list of strictly ascending absolute indexes ``i_0 < i_1 < ...`` travels as a CompactSize
count followed by CompactSize *differences*: ``i_0`` itself, then ``i_j - i_(j-1) - 1``. So
``[0, 6, 8, 19]`` is ``04 00 05 01 0a``. A reader rejects, with ``INDEX_OVERFLOW``, any list
whose running sum reaches the stated bound (the number of positions that exist), before it
can overflow anything.
"""

from __future__ import annotations

from collections.abc import Sequence

from reference.errors import Code, RelayError
from reference.relay.wire import Reader, encode_compact_size


def encode_indexes(indexes: Sequence[int]) -> bytes:
    """The differential encoding of strictly ascending, non-negative ``indexes``."""
    parts = [encode_compact_size(len(indexes))]
    previous = -1
    for index in indexes:
        if index <= previous:
            raise RelayError(Code.MALFORMED_MESSAGE, "indexes must be strictly ascending")
        parts.append(encode_compact_size(index - previous - 1))
        previous = index
    return b"".join(parts)


def read_differences(reader: Reader, bound: int) -> list[int]:
    """Read a differential list; every absolute index must be below ``bound``."""
    count = reader.count(1, bound)
    absolute: list[int] = []
    previous = -1
    for _ in range(count):
        index = previous + 1 + reader.compact_size()
        if index >= bound:
            raise RelayError(Code.INDEX_OVERFLOW, f"index {index} is not below {bound}")
        absolute.append(index)
        previous = index
    return absolute


def decode_indexes(data: bytes, bound: int) -> list[int]:
    """Decode a whole message that is one differential list."""
    reader = Reader(data)
    result = read_differences(reader, bound)
    reader.finish()
    return result
