"""Short transaction IDs: 6 bytes that name a transaction within one block announcement.

The SipHash key comes from the block and a per-announcement nonce::

    digest     = BLAKE2b-256(header_hash || nonce as u64 little-endian, person=b"dagspec-shortid")
    k0, k1     = digest[0:8], digest[8:16] as little-endian u64
    short_id   = SipHash-2-4(k0, k1, txid) mod 2^48, sent as 6 bytes little-endian

Keying by the block means an attacker cannot precompute colliding transactions for a future
block; the nonce lets a sender whose block happens to hold two transactions with one short ID
pick another key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from reference.errors import Code, RelayError
from reference.hash import Hash
from reference.relay.siphash import siphash24_many

SHORT_ID_SIZE: Final = 6
"""Bytes of a short ID on the wire."""
SHORT_ID_MASK: Final = (1 << (8 * SHORT_ID_SIZE)) - 1
"""A short ID is the keyed hash masked to its low 48 bits."""


@dataclass(frozen=True, slots=True)
class ShortIdKey:
    """The SipHash key of one announcement."""

    k0: int
    """First key word, 0 <= k0 < 2^64."""
    k1: int
    """Second key word, 0 <= k1 < 2^64."""


def short_id_key(block_hash: Hash, nonce: int) -> ShortIdKey:
    """The key of the announcement of ``block_hash`` with ``nonce`` (0 <= nonce < 2^64)."""
    if not 0 <= nonce < 1 << 64:
        raise RelayError(Code.MALFORMED_MESSAGE, f"a short-ID nonce is a u64, got {nonce}")
    digest = hashlib.blake2b(
        block_hash + nonce.to_bytes(8, "little"), digest_size=32, person=b"dagspec-shortid"
    ).digest()
    return ShortIdKey(int.from_bytes(digest[0:8], "little"), int.from_bytes(digest[8:16], "little"))


def keyed_hash(key: ShortIdKey, transaction_id: Hash) -> int:
    """The full 64-bit SipHash-2-4 of a txid under ``key`` (Bloom positions use all of it)."""
    return siphash24_many(key.k0, key.k1, (transaction_id,))[0]


def short_id(key: ShortIdKey, transaction_id: Hash) -> int:
    """The 48-bit short ID of a transaction: :func:`keyed_hash` mod 2^48."""
    return keyed_hash(key, transaction_id) & SHORT_ID_MASK


def keyed_hashes(key: ShortIdKey, transaction_ids: Iterable[Hash]) -> list[int]:
    """:func:`keyed_hash` of each txid, in order."""
    return siphash24_many(key.k0, key.k1, transaction_ids)
