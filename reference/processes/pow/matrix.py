"""The 64 x 64 matrix of 4-bit entries at the heart of kHeavyHash.

The matrix depends only on the pre-PoW hash: xoshiro256++ seeded with it draws matrices until
one has full rank, and :func:`heavy_hash` multiplies it by the 64 nibbles of the PoW hash.
A miner trying many nonces therefore builds it once per header (``PowState``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import mul
from typing import Final

from reference.hash import Hash
from reference.processes.pow.hashers import kheavy_hash
from reference.processes.pow.xoshiro import XoshiroState, xoshiro_next, xoshiro_seed

MATRIX_SIZE: Final = 64
"""Rows and columns of the matrix."""

RANK_EPSILON: Final = 1e-9
"""An entry of magnitude at most this counts as zero in the rank test (Kaspa's value)."""

_HIGH_NIBBLE: Final = bytes(b >> 4 for b in range(256))
_LOW_NIBBLE: Final = bytes(b & 0xF for b in range(256))
# A lane's top byte t holds p >> 8 for p < 2^14, so p >> 10 == t >> 2: placed as the high or
# the low nibble of a product byte.
_TOP_AS_HIGH: Final = bytes(((t >> 2) << 4) & 0xFF for t in range(256))
_TOP_AS_LOW: Final = bytes((t >> 2) & 0xF for t in range(256))


@dataclass(frozen=True, slots=True)
class Matrix:
    """A 64 x 64 matrix of 4-bit entries."""

    rows: tuple[tuple[int, ...], ...]
    """64 rows of 64 entries, each in 0..15."""
    columns: tuple[int, ...] = field(init=False, repr=False, compare=False)
    """Derived from ``rows`` for :func:`heavy_hash`: column ``j`` as one integer holding entry
    ``(r, j)`` in bits ``16r .. 16r + 15``."""

    def __post_init__(self) -> None:
        # Matrices come from generate_matrix or from tests, never from the wire: a wrong shape
        # is a caller's bug.
        if len(self.rows) != MATRIX_SIZE or any(
            len(row) != MATRIX_SIZE or not all(0 <= x <= 0xF for x in row) for row in self.rows
        ):
            raise ValueError("a PoW matrix is 64 x 64 entries in 0..15")
        lanes = bytearray(2 * MATRIX_SIZE)  # 16-bit little-endian lanes, one per row
        packed = []
        for column in zip(*self.rows, strict=True):
            lanes[0::2] = bytes(column)
            packed.append(int.from_bytes(lanes, "little"))
        object.__setattr__(self, "columns", tuple(packed))


def random_matrix(state: XoshiroState) -> tuple[tuple[tuple[int, ...], ...], XoshiroState]:
    """One draw of 64 x 64 entries, row by row, and the generator state after it.

    Each row takes four 64-bit outputs; each output gives 16 entries, its lowest four bits
    first (``(value >> 4 * shift) & 0xF`` for ``shift`` = 0 .. 15).
    """
    rows = []
    for _ in range(MATRIX_SIZE):
        raw = bytearray()
        for _ in range(MATRIX_SIZE // 16):
            value, state = xoshiro_next(state)
            raw += value.to_bytes(8, "little")
        # Entry 2k is the low nibble of little-endian byte k, entry 2k + 1 its high nibble.
        row = bytearray(MATRIX_SIZE)
        row[0::2] = raw.translate(_LOW_NIBBLE)
        row[1::2] = raw.translate(_HIGH_NIBBLE)
        rows.append(tuple(row))
    return tuple(rows), state


def matrix_rank(rows: Sequence[Sequence[int]]) -> int:
    """Kaspa's rank: Gauss-Jordan elimination in IEEE-754 doubles, ``|x| <= 1e-9`` read as 0.

    Column by column, the first row not yet a pivot whose entry in the column exceeds
    :data:`RANK_EPSILON` in magnitude becomes the pivot: its entries right of the column are
    divided by its entry in the column; then every other row whose entry in the column exceeds
    the epsilon has, right of the column, the pivot row times that entry subtracted. The rank
    is the number of pivots. Floating point is part of the rule: the result is Kaspa's, operation
    for operation.
    """
    # After column i, only entries right of it in rows not yet pivots are ever read again, so
    # each step keeps just those; the arithmetic on them is Kaspa's, in the same order. Rows
    # are stored reversed so that dropping the column just used is a pop from the end.
    active = [[float(x) for x in reversed(row)] for row in rows]
    width = len(active[0]) if active else 0
    rank = 0
    for _ in range(width):
        found = next((k for k, row in enumerate(active) if abs(row[-1]) > RANK_EPSILON), None)
        if found is None:  # no pivot in this column
            for row in active:
                row.pop()
            continue
        pivot = active.pop(found)
        lead = pivot.pop()
        tail = [x / lead for x in pivot]
        for index, row in enumerate(active):
            factor = row.pop()
            if abs(factor) > RANK_EPSILON:
                active[index] = [x - y * factor for x, y in zip(row, tail, strict=True)]
        rank += 1
    return rank


def generate_matrix(seed: Hash) -> Matrix:
    """The matrix of a pre-PoW hash: the first draw of xoshiro256++ seeded with it that has
    full rank (draws continue from the same generator)."""
    state = xoshiro_seed(seed)
    while True:
        rows, state = random_matrix(state)
        if matrix_rank(rows) == MATRIX_SIZE:
            return Matrix(rows)


def heavy_hash(matrix: Matrix, digest: bytes) -> Hash:
    """kHeavyHash of a 32-byte digest.

    Let ``v`` be the 64 nibbles of ``digest``, the high nibble of each byte first, and
    ``p_r = sum_j M[r][j] * v[j]`` (at most 64 * 15 * 15 < 2^14). Byte ``i`` of the product is
    ``(p_{2i} >> 10) << 4 | (p_{2i+1} >> 10)``, XORed with ``digest[i]``; the result is
    :func:`~reference.processes.pow.hashers.kheavy_hash` of the 32 product bytes.
    """
    vector = bytearray(MATRIX_SIZE)
    vector[0::2] = digest.translate(_HIGH_NIBBLE)
    vector[1::2] = digest.translate(_LOW_NIBBLE)
    # sum_j v[j] * column_j puts p_r in the 16-bit lane r: every p_r < 2^16, so no lane carries
    # into the next, and all 64 sums come out of one pass over the columns.
    lanes = sum(map(mul, vector, matrix.columns)).to_bytes(2 * MATRIX_SIZE, "little")
    high = int.from_bytes(lanes[1::4].translate(_TOP_AS_HIGH), "big")  # rows 0, 2, ..., 62
    low = int.from_bytes(lanes[3::4].translate(_TOP_AS_LOW), "big")  # rows 1, 3, ..., 63
    product = (high | low) ^ int.from_bytes(digest, "big")
    return kheavy_hash(product.to_bytes(32, "big"))
