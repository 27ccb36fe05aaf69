"""The full block header: Kaspa's fields, and its hash.

A header in *header mode* (adapter protocol 2, the node) is a :class:`BlockHeader`: every field
of Kaspa's header, in Kaspa's units. Its identity is :func:`header_hash`, computed from the
fields, never given. The abstract DAG-mode header of protocol 1 (:class:`reference.block.Header`,
whose hash is given) stays for the GHOSTDAG, reachability and validation vectors.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Final

from reference.hash import Hash

BLOCK_HASH_KEY: Final = b"BlockHash"
"""The BLAKE2b key of the header hash (a key, not a personalisation)."""


@dataclass(frozen=True, slots=True)
class BlockHeader:
    """Every field of a block header, as Kaspa defines them."""

    version: int
    """Header version, an unsigned 16-bit integer."""
    parents_by_level: tuple[tuple[Hash, ...], ...]
    """Parents per block level: level 0 holds the block's direct parents in header order; level
    ``l > 0`` the parents in the level-``l`` DAG (carried and hashed; see ``max_parent_levels``).
    """
    hash_merkle_root: Hash
    """Merkle root of the block's transaction hashes (coinbase first)."""
    accepted_id_merkle_root: Hash
    """Merkle root of the transaction ids the block's selected parent chain accepted."""
    utxo_commitment: Hash
    """Commitment to the UTXO set after the block (carried and hashed; never executed here)."""
    timestamp: int
    """Milliseconds since the Unix epoch, an unsigned 64-bit integer."""
    bits: int
    """The block's target in compact form (``reference.bits``), an unsigned 32-bit integer."""
    nonce: int
    """Proof-of-work nonce, an unsigned 64-bit integer."""
    daa_score: int
    """Number of DAA blocks in the block's past (``spec/difficulty``), unsigned 64-bit."""
    blue_work: int
    """The block's blue work, ``0 <= blue_work < 2^192``."""
    blue_score: int
    """The block's blue score, an unsigned 64-bit integer."""
    pruning_point: Hash
    """The pruning point as seen from this block."""

    @property
    def parents(self) -> tuple[Hash, ...]:
        """The direct parents: level 0 of ``parents_by_level`` (empty for genesis)."""
        return self.parents_by_level[0] if self.parents_by_level else ()


def _u64(value: int) -> bytes:
    return value.to_bytes(8, "little")


def header_hash(header: BlockHeader) -> Hash:
    """Kaspa's block hash: keyed BLAKE2b-256 over the fields in order, integers little-endian.

    Blue work is written as its big-endian bytes without leading zeros, preceded by their count;
    every list (the levels, each level's parents) is preceded by its length as u64.
    """
    hasher = hashlib.blake2b(digest_size=32, key=BLOCK_HASH_KEY)
    hasher.update(header.version.to_bytes(2, "little"))
    hasher.update(_u64(len(header.parents_by_level)))
    for level in header.parents_by_level:
        hasher.update(_u64(len(level)))
        for parent in level:
            hasher.update(parent)
    hasher.update(header.hash_merkle_root)
    hasher.update(header.accepted_id_merkle_root)
    hasher.update(header.utxo_commitment)
    hasher.update(_u64(header.timestamp))
    hasher.update(header.bits.to_bytes(4, "little"))
    hasher.update(_u64(header.nonce))
    hasher.update(_u64(header.daa_score))
    hasher.update(_u64(header.blue_score))
    blue_work = header.blue_work.to_bytes((header.blue_work.bit_length() + 7) // 8, "big")
    hasher.update(_u64(len(blue_work)))
    hasher.update(blue_work)
    hasher.update(header.pruning_point)
    return Hash(hasher.digest())
