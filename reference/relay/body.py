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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Final

from reference.errors import Code, MalformedTransaction, RelayError
from reference.hash import Hash
from reference.merkle import merkle_root
from reference.transaction.encoding import decode_transaction, transaction_hash, transaction_id
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


def make_body(transactions: Sequence[bytes]) -> BlockBody:
    """Validate a body: sizes, count, each one a transaction, canonical order, no txid twice."""
    if not 1 <= len(transactions) <= MAX_BLOCK_TRANSACTIONS:
        raise RelayError(
            Code.MALFORMED_MESSAGE,
            f"a body holds 1 to {MAX_BLOCK_TRANSACTIONS} transactions, got {len(transactions)}",
        )
    decoded = []
    for transaction in transactions:
        if not isinstance(transaction, bytes) or not 1 <= len(transaction) <= MAX_TRANSACTION_SIZE:
            raise RelayError(
                Code.MALFORMED_MESSAGE, f"a transaction is 1 to {MAX_TRANSACTION_SIZE} bytes"
            )
        decoded.append(decode_relayed(transaction))
    ids = tuple(transaction_id(tx) for tx in decoded)
    for previous, current in pairwise(ids[1:]):
        if not previous < current:
            raise RelayError(
                Code.MALFORMED_MESSAGE,
                "transactions after the coinbase must be in strictly ascending txid order",
            )
    if ids[0] in frozenset(ids[1:]):
        raise RelayError(Code.MALFORMED_MESSAGE, "the coinbase appears twice")
    hashes = tuple(transaction_hash(tx) for tx in decoded)
    return BlockBody(tuple(transactions), ids, hashes)
