"""The proof-of-work value of a header, and the rule that it meets the header's target.

``pow_value(header)`` is, step by step:

1. the *pre-PoW hash*: the header hash with ``timestamp`` and ``nonce`` set to 0;
2. the *PoW hash*: ``pow_hash(pre_pow_hash || timestamp as u64 || 32 zero bytes || nonce as
   u64)``, integers little-endian (80 bytes);
3. the matrix of the pre-PoW hash, and ``heavy_hash(matrix, PoW hash)``;
4. those 32 bytes read as a little-endian unsigned 256-bit integer.

The header passes when ``pow_value <= target(bits)``.
"""

from __future__ import annotations

import dataclasses
from typing import Final

from reference.errors import BlockRejected, Code
from reference.hash import Hash
from reference.header import BlockHeader, header_hash
from reference.presets import Preset
from reference.processes.pow.hashers import pow_hash
from reference.processes.pow.matrix import Matrix, generate_matrix, heavy_hash

_PADDING: Final = bytes(32)
_UINT256: Final = (1 << 256) - 1


def pre_pow_hash(header: BlockHeader) -> Hash:
    """The header hash of ``header`` with ``timestamp`` and ``nonce`` replaced by 0."""
    return header_hash(dataclasses.replace(header, timestamp=0, nonce=0))


def pow_target(bits: int) -> int:
    """The target the proof of work is compared with: Kaspa's reading of compact ``bits``.

    As :func:`reference.bits.decode_bits` (a negative mantissa gives 0), except that a value of
    2^256 or more is not an error here: like Kaspa, only its low 256 bits are kept. Such bits
    never equal a block's expected bits, a rule checked later in context.
    """
    exponent, mantissa = bits >> 24, bits & 0xFFFFFF
    if exponent <= 3:
        mantissa >>= 8 * (3 - exponent)
        value = mantissa
    else:
        value = mantissa << (8 * (exponent - 3))
    return 0 if mantissa > 0x7FFFFF else value & _UINT256


class PowState:
    """Everything of a header's proof of work that does not depend on the nonce.

    Building it costs the matrix (milliseconds); each :meth:`pow_value` after that costs two
    cSHAKE256 calls and one matrix-vector product, so a miner builds one per header and tries
    many nonces.
    """

    __slots__ = ("matrix", "pre_pow_hash", "target", "timestamp")

    pre_pow_hash: Hash
    """The header's pre-PoW hash."""
    timestamp: int
    """The header's timestamp (part of the PoW hash input, not of the pre-PoW hash)."""
    target: int
    """``pow_target(header.bits)``."""
    matrix: Matrix
    """The matrix generated from the pre-PoW hash."""

    def __init__(self, header: BlockHeader) -> None:
        self.pre_pow_hash = pre_pow_hash(header)
        self.timestamp = header.timestamp
        self.target = pow_target(header.bits)
        self.matrix = generate_matrix(self.pre_pow_hash)

    def pow_value(self, nonce: int) -> int:
        """The proof-of-work value of the header with ``nonce``."""
        digest = pow_hash(
            self.pre_pow_hash
            + self.timestamp.to_bytes(8, "little")
            + _PADDING
            + nonce.to_bytes(8, "little")
        )
        return int.from_bytes(heavy_hash(self.matrix, digest), "little")

    def meets_target(self, nonce: int) -> bool:
        """Whether the header with ``nonce`` has ``pow_value <= target``."""
        return self.pow_value(nonce) <= self.target


def pow_value(header: BlockHeader) -> int:
    """The proof-of-work value of a header (with its own nonce)."""
    return PowState(header).pow_value(header.nonce)


def check_proof_of_work(header: BlockHeader, preset: Preset) -> None:
    """Reject a header whose proof-of-work value exceeds its target (``INVALID_POW``).

    Not checked when ``preset.skip_proof_of_work`` (nothing is computed then), nor for genesis
    (a header without parents), which Kaspa never checks.
    """
    if preset.skip_proof_of_work or not header.parents_by_level:
        return
    state = PowState(header)
    value = state.pow_value(header.nonce)
    if value > state.target:
        raise BlockRejected(
            Code.INVALID_POW,
            header_hash(header),
            f"proof-of-work value {value:#x} exceeds the target {state.target:#x}",
        )
