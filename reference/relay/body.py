"""The block body as relay sees it: transactions, their ids, their order, their merkle root.

A transaction travels as its encoding (``reference.transaction.encoding``, Kaspa's
transaction-hash preimage) of 1 to :data:`MAX_TRANSACTION_SIZE` bytes; bytes that do not
decode to a transaction are a ``MALFORMED_MESSAGE``. Its *txid* is Kaspa's transaction id, so
two signings of one transaction share a txid. A body lists the coinbase first, then every other
transaction in ascending txid order (bytes compared from byte 0), with no txid twice. Because
the order is canonical, a receiver that knows *which* transactions a block holds knows their
order too, and set reconciliation never has to send it.

The merkle root is the header's hash merkle root (``reference.merkle``): Kaspa's tree over the
transaction *hashes* in body order. A body relay rebuilds is accepted only if that root is the
header's, so a receiver that matched a transaction by txid but holds another signing of it
(same txid, other hash) falls back rather than accept the wrong bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Final, Protocol

from reference.errors import Code, MalformedTransaction, RelayError
from reference.hash import Hash
from reference.merkle import merkle_root
from reference.transaction.encoding import (
    TRANSACTION_HASH_KEY,
    decode_transaction,
    transaction_id,
)
from reference.transaction.model import Transaction

MAX_TRANSACTION_SIZE: Final = 100_000
"""Largest transaction in bytes."""
MAX_BLOCK_TRANSACTIONS: Final = 100_000
"""Most transactions a block body may hold (coinbase included)."""


def decode_relayed(transaction: bytes) -> Transaction:
    """The transaction a relayed byte string encodes; anything else is ``MALFORMED_MESSAGE``."""
    try:
        return decode_transaction(transaction)
    except MalformedTransaction as error:
        raise RelayError(Code.MALFORMED_MESSAGE, f"not a transaction: {error.message}") from error


def txid(transaction: bytes) -> Hash:
    """The Kaspa transaction id of an encoded transaction."""
    return transaction_id(decode_relayed(transaction))


def relayed_ids(transaction: bytes) -> tuple[Hash, Hash]:
    """``(txid, hash)`` of an encoded transaction, decoding it once.

    The hash is the keyed BLAKE2b of the bytes themselves: ``decode_transaction`` accepts only
    the exact encoding of the transaction it returns, so hashing the relayed bytes equals
    hashing the re-encoded transaction, without re-encoding it.
    """
    decoded = decode_relayed(transaction)
    digest = hashlib.blake2b(transaction, digest_size=32, key=TRANSACTION_HASH_KEY).digest()
    return transaction_id(decoded), Hash(digest)


class KnownTransactions(Protocol):
    """Transactions whose ids a receiver already holds (its mempool), so that rebuilding a
    body decodes only the transactions that came over the wire."""

    def ids_of(self, transaction: bytes) -> tuple[Hash, Hash] | None:
        """``(txid, hash)`` of exactly these bytes if held, else ``None``."""
        ...


def _all_ids(
    transactions: Iterable[bytes], known: KnownTransactions | None
) -> list[tuple[Hash, Hash]]:
    """``(txid, hash)`` of each transaction: from ``known`` if held, else decoded."""
    lookup = known.ids_of if known is not None else None
    pairs = []
    for transaction in transactions:
        if not isinstance(transaction, bytes) or not 1 <= len(transaction) <= MAX_TRANSACTION_SIZE:
            raise RelayError(
                Code.MALFORMED_MESSAGE, f"a transaction is 1 to {MAX_TRANSACTION_SIZE} bytes"
            )
        pair = None if lookup is None else lookup(transaction)
        pairs.append(relayed_ids(transaction) if pair is None else pair)
    return pairs


def canonical_order(coinbase: bytes, others: Iterable[bytes]) -> tuple[bytes, ...]:
    """The body of ``coinbase`` and ``others``: coinbase first, then ascending txid."""
    return (coinbase, *sorted(others, key=txid))


@dataclass(frozen=True, slots=True)
class BlockBody:
    """A validated block body."""

    transactions: tuple[bytes, ...]
    """Encoded transactions: coinbase first, then ascending txid; 1 to MAX_BLOCK_TRANSACTIONS."""
    txids: tuple[Hash, ...]
    """``txid`` of each transaction, same order."""
    hashes: tuple[Hash, ...]
    """Kaspa's transaction hash of each transaction, same order (the merkle leaves)."""

    @property
    def merkle_root(self) -> Hash:
        """The hash merkle root of the body."""
        return merkle_root(self.hashes)


def make_body(transactions: Sequence[bytes], known: KnownTransactions | None = None) -> BlockBody:
    """Validate a body: sizes, count, each one a transaction, canonical order, no txid twice.

    Transactions ``known`` holds (byte for byte) reuse its ids instead of being decoded again;
    the result is the same either way.
    """
    if not 1 <= len(transactions) <= MAX_BLOCK_TRANSACTIONS:
        raise RelayError(
            Code.MALFORMED_MESSAGE,
            f"a body holds 1 to {MAX_BLOCK_TRANSACTIONS} transactions, got {len(transactions)}",
        )
    pairs = _all_ids(transactions, known)
    return _checked_body(tuple(transactions), [pair[0] for pair in pairs], pairs)


def canonical_body(
    coinbase: bytes, others: Iterable[bytes], known: KnownTransactions | None = None
) -> BlockBody:
    """``make_body(canonical_order(coinbase, others))``, each transaction decoded at most once
    (none that ``known`` holds)."""
    listed = [coinbase, *others]
    if not 1 <= len(listed) <= MAX_BLOCK_TRANSACTIONS:
        raise RelayError(
            Code.MALFORMED_MESSAGE,
            f"a body holds 1 to {MAX_BLOCK_TRANSACTIONS} transactions, got {len(listed)}",
        )
    pairs = _all_ids(listed, known)
    # Positions after the coinbase in ascending txid (a stable sort, like canonical_order).
    order = sorted(range(1, len(listed)), key=lambda i: pairs[i][0])
    order.insert(0, 0)
    return _checked_body(
        tuple(listed[i] for i in order), [pairs[i][0] for i in order], [pairs[i] for i in order]
    )


def _checked_body(
    transactions: tuple[bytes, ...], ids: list[Hash], pairs: Sequence[tuple[Hash, Hash]]
) -> BlockBody:
    for previous, current in pairwise(ids[1:]):
        if not previous < current:
            raise RelayError(
                Code.MALFORMED_MESSAGE,
                "transactions after the coinbase must be in strictly ascending txid order",
            )
    if ids[0] in frozenset(ids[1:]):
        raise RelayError(Code.MALFORMED_MESSAGE, "the coinbase appears twice")
    return BlockBody(transactions, tuple(ids), tuple(pair[1] for pair in pairs))
