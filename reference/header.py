"""The full block header: Kaspa's fields, and its hash.

A header in *header mode* (adapter protocol 2, the node) is a :class:`BlockHeader`: every field
of Kaspa's header, in Kaspa's units. Its identity is :func:`header_hash`, computed from the
fields, never given. The abstract DAG-mode header of protocol 1 (:class:`reference.block.Header`,
whose hash is given) stays for the GHOSTDAG, reachability and validation vectors.

A :class:`BlockHeader` cannot hold a value outside its field's range: construction checks every
field and raises :class:`~reference.errors.MalformedHeader` naming it, so hashing and encoding a
header never fail.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Final

from reference.errors import MalformedHeader
from reference.hash import ZERO_HASH, Hash

BLOCK_HASH_KEY: Final = b"BlockHash"
"""The BLAKE2b key of the header hash (a key, not a personalisation)."""

BLUE_WORK_BITS: Final = 192
"""Blue work is an unsigned 192-bit integer (Kaspa's ``Uint192``)."""

UINT_FIELDS: Final = (
    ("version", 16),
    ("timestamp", 64),
    ("bits", 32),
    ("nonce", 64),
    ("daa_score", 64),
    ("blue_work", BLUE_WORK_BITS),
    ("blue_score", 64),
)
"""Every integer field of a header and its width in bits (each is unsigned)."""

HASH_FIELDS: Final = (
    "hash_merkle_root",
    "accepted_id_merkle_root",
    "utxo_commitment",
    "pruning_point",
)
"""Every single-hash field of a header."""


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

    def __post_init__(self) -> None:
        check_header_fields(self)

    @property
    def parents(self) -> tuple[Hash, ...]:
        """The direct parents: level 0 of ``parents_by_level`` (empty for genesis)."""
        return self.parents_by_level[0] if self.parents_by_level else ()


def check_uint(field: str, value: object, bits: int) -> int:
    """``value`` as an unsigned ``bits``-bit integer, or :class:`MalformedHeader` naming ``field``.

    A ``bool`` is not an integer here (Python counts ``True`` as 1; JSON does not).
    """
    if not isinstance(value, int) or isinstance(value, bool):
        raise MalformedHeader(field, value, f"an integer is expected, not {type(value).__name__}")
    if not 0 <= value < 1 << bits:
        raise MalformedHeader(field, value, f"{value} is not an unsigned {bits}-bit integer")
    return value


def check_header_fields(header: BlockHeader) -> None:
    """Every field of ``header`` in its range: raises :class:`MalformedHeader` naming the first
    that is not (parent lists must be tuples, so that a header is hashable and immutable)."""
    for field, bits in UINT_FIELDS:
        check_uint(field, getattr(header, field), bits)
    for field in HASH_FIELDS:
        if not isinstance(getattr(header, field), Hash):
            raise MalformedHeader(field, getattr(header, field), "a Hash is expected")
    levels = header.parents_by_level
    if not isinstance(levels, tuple):
        raise MalformedHeader("parents_by_level", levels, "a tuple of levels is expected")
    for index, level in enumerate(levels):
        if not isinstance(level, tuple) or not all(isinstance(p, Hash) for p in level):
            raise MalformedHeader(
                f"parents_by_level[{index}]", level, "a tuple of Hash values is expected"
            )


def _u64(value: int) -> bytes:
    return value.to_bytes(8, "little")


def blue_work_bytes(blue_work: int) -> bytes:
    """Blue work as hashed: its big-endian bytes without leading zero bytes (none for 0)."""
    return blue_work.to_bytes((blue_work.bit_length() + 7) // 8, "big")


def header_preimage(header: BlockHeader) -> bytes:
    """The bytes :func:`header_hash` hashes: the fields in order, integers little-endian.

    Every list (the levels, each level's parents) is preceded by its length as u64; blue work
    is :func:`blue_work_bytes` preceded by their count as u64. The encoding is prefix-free and
    decodable, which is why it is also the body of the wire form (``reference.header_wire``).
    """
    parts = [header.version.to_bytes(2, "little"), _u64(len(header.parents_by_level))]
    for level in header.parents_by_level:
        parts.append(_u64(len(level)))
        parts.extend(level)
    blue_work = blue_work_bytes(header.blue_work)
    parts += [
        header.hash_merkle_root,
        header.accepted_id_merkle_root,
        header.utxo_commitment,
        _u64(header.timestamp),
        header.bits.to_bytes(4, "little"),
        _u64(header.nonce),
        _u64(header.daa_score),
        _u64(header.blue_score),
        _u64(len(blue_work)),
        blue_work,
        header.pruning_point,
    ]
    return b"".join(parts)


def header_hash(header: BlockHeader) -> Hash:
    """Kaspa's block hash: BLAKE2b-256 keyed with ``BlockHash`` over :func:`header_preimage`."""
    digest = hashlib.blake2b(header_preimage(header), digest_size=32, key=BLOCK_HASH_KEY)
    return Hash(digest.digest())


def genesis_header(
    *, version: int, timestamp: int, bits: int, hash_merkle_root: Hash = ZERO_HASH
) -> BlockHeader:
    """A genesis header: no parents, every score and the blue work zero, the zero hash for the
    commitments nothing makes and for the pruning point, nonce 0."""
    return BlockHeader(
        version=version,
        parents_by_level=(),
        hash_merkle_root=hash_merkle_root,
        accepted_id_merkle_root=ZERO_HASH,
        utxo_commitment=ZERO_HASH,
        timestamp=timestamp,
        bits=bits,
        nonce=0,
        daa_score=0,
        blue_work=0,
        blue_score=0,
        pruning_point=ZERO_HASH,
    )
