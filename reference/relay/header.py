"""The relay header: the block header fields relay carries, their bytes and their hash.

The full serialisation (all integers little-endian)::

    version      u16
    parents      u8 count (1..255), then count x 32-byte hashes
    blue_score   u64
    blue_work    VarUint (TOS encoding, reference.varuint)
    timestamp    u64   milliseconds since the Unix epoch
    nonce        u64   proof-of-work nonce
    bits         u32   compact difficulty
    merkle_root  32 bytes

The header hash is ``BLAKE2b-256(serialisation, person=b"dagspec-header")`` (TOS hashes with
BLAKE3, which the standard library lacks; the choice of hash changes no rule here).

The *compact* form replaces each parent hash by its first :data:`PARENT_REFERENCE_SIZE` bytes
and prepends the header hash: the receiver almost always holds every parent, resolves each
prefix among the blocks it knows and checks the result by recomputing the hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from reference.errors import Code, DagspecError, RelayError
from reference.hash import HASH_SIZE, Hash
from reference.relay.wire import Reader
from reference.varuint import decode_varuint, encode_varuint

MAX_PARENTS: Final = 255
"""Most parents a relay header can carry (the u8 count)."""
PARENT_REFERENCE_SIZE: Final = 6
"""Bytes of a parent hash kept in the compact header."""


@dataclass(frozen=True, slots=True)
class RelayHeader:
    """A block header as relay carries it."""

    version: int
    """Header version, 0 <= version < 2^16."""
    parents: tuple[Hash, ...]
    """1 to MAX_PARENTS parent hashes, in header order."""
    blue_score: int
    """Claimed blue score, 0 <= blue_score < 2^64."""
    blue_work: int
    """Claimed blue work, 0 <= blue_work < 2^256."""
    timestamp: int
    """Milliseconds since the Unix epoch, 0 <= timestamp < 2^64."""
    nonce: int
    """Proof-of-work nonce, 0 <= nonce < 2^64."""
    bits: int
    """Compact difficulty, 0 <= bits < 2^32."""
    merkle_root: Hash
    """Hash merkle root of the block body (reference.merkle, over the transaction hashes)."""


_FIELD_BITS: Final = (
    ("version", 16),
    ("blue_score", 64),
    ("timestamp", 64),
    ("nonce", 64),
    ("bits", 32),
)


def _check_ranges(header: RelayHeader) -> None:
    for name, bits in _FIELD_BITS:
        value = getattr(header, name)
        if not isinstance(value, int) or not 0 <= value < 1 << bits:
            raise RelayError(Code.MALFORMED_MESSAGE, f"{name} is not a {bits}-bit unsigned integer")
    if not 0 <= header.blue_work < 1 << 256:
        raise RelayError(Code.MALFORMED_MESSAGE, "blue_work is not a 256-bit unsigned integer")
    if not 1 <= len(header.parents) <= MAX_PARENTS:
        raise RelayError(Code.MALFORMED_MESSAGE, f"a header has 1 to {MAX_PARENTS} parents")


def _fields_tail(header: RelayHeader) -> bytes:
    return (
        header.blue_score.to_bytes(8, "little")
        + encode_varuint(header.blue_work)
        + header.timestamp.to_bytes(8, "little")
        + header.nonce.to_bytes(8, "little")
        + header.bits.to_bytes(4, "little")
        + header.merkle_root
    )


def encode_header(header: RelayHeader) -> bytes:
    """The full serialisation of a header (fields out of range raise ``MALFORMED_MESSAGE``)."""
    _check_ranges(header)
    return (
        header.version.to_bytes(2, "little")
        + bytes([len(header.parents)])
        + b"".join(header.parents)
        + _fields_tail(header)
    )


def header_hash(header: RelayHeader) -> Hash:
    """The header's hash."""
    digest = hashlib.blake2b(encode_header(header), digest_size=32, person=b"dagspec-header")
    return Hash(digest.digest())


def _read_tail(reader: Reader) -> tuple[int, int, int, int, int, Hash]:
    blue_score = reader.uint(8)
    peek = reader.take(min(reader.remaining, 33))
    try:
        blue_work, used = decode_varuint(peek)
    except DagspecError as error:
        raise RelayError(Code.MALFORMED_MESSAGE, f"blue_work: {error.message}") from error
    reader.rewind(len(peek) - used)
    return (
        blue_score,
        blue_work,
        reader.uint(8),
        reader.uint(8),
        reader.uint(4),
        Hash(reader.take(HASH_SIZE)),
    )


def read_header(reader: Reader) -> RelayHeader:
    """Read one full header from ``reader``."""
    version = reader.uint(2)
    count = reader.uint(1)
    if count == 0:
        raise RelayError(Code.MALFORMED_MESSAGE, "a header has at least one parent")
    parents = tuple(Hash(reader.take(HASH_SIZE)) for _ in range(count))
    return RelayHeader(version, parents, *_read_tail(reader))


def encode_compact_header(header: RelayHeader) -> bytes:
    """The compact form: header hash, then the header with parent prefixes."""
    _check_ranges(header)
    return (
        header_hash(header)
        + header.version.to_bytes(2, "little")
        + bytes([len(header.parents)])
        + b"".join(parent[:PARENT_REFERENCE_SIZE] for parent in header.parents)
        + _fields_tail(header)
    )


ParentResolver = Callable[[bytes], tuple[Hash, ...]]
"""Given a parent prefix, every known block hash that starts with it."""


def read_compact_header(reader: Reader, resolve: ParentResolver) -> RelayHeader:
    """Read a compact header and resolve its parents.

    Raises ``UNKNOWN_PARENT_REFERENCE`` when a prefix matches no known block or more than one
    or when the resolved header does not hash to the announced hash (a prefix matched the wrong
    block); the receiver then asks for the full block.
    """
    announced = Hash(reader.take(HASH_SIZE))
    version = reader.uint(2)
    count = reader.uint(1)
    if count == 0:
        raise RelayError(Code.MALFORMED_MESSAGE, "a header has at least one parent")
    prefixes = [reader.take(PARENT_REFERENCE_SIZE) for _ in range(count)]
    tail = _read_tail(reader)
    parents = []
    for prefix in prefixes:
        matches = resolve(prefix)
        if len(matches) != 1:
            raise RelayError(
                Code.UNKNOWN_PARENT_REFERENCE,
                f"parent prefix {prefix.hex()} matches {len(matches)} known blocks",
            )
        parents.append(matches[0])
    header = RelayHeader(version, tuple(parents), *tail)
    if header_hash(header) != announced:
        raise RelayError(
            Code.UNKNOWN_PARENT_REFERENCE, "resolved parents do not reproduce the header hash"
        )
    return header
