"""The block body as relay sees it: transactions, their IDs, their order, their merkle root.

A transaction is an opaque byte string of 1 to :data:`MAX_TRANSACTION_SIZE` bytes. Its txid is
``BLAKE2b-256(tx, person=b"dagspec-txid")``. A body lists the coinbase first, then every other
transaction in ascending txid order (bytes compared from byte 0), with no txid twice. Because
the order is canonical, a receiver that knows *which* transactions a block holds knows their
order too, and set reconciliation never has to send it.

The merkle root is a binary tree over the txids in body order: a level's nodes are paired left
to right, a pair hashes to ``BLAKE2b-256(left || right, person=b"dagspec-merkle")`` and an odd
last node moves up unchanged. The root of one transaction is its txid. Distinct
personalisations keep leaves and inner nodes from ever being confused, so no body has the same
root as another (Bitcoin's duplicate-last-node ambiguity does not arise).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Final

from reference.errors import Code, RelayError
from reference.hash import Hash

MAX_TRANSACTION_SIZE: Final = 100_000
"""Largest transaction in bytes."""
MAX_BLOCK_TRANSACTIONS: Final = 100_000
"""Most transactions a block body may hold (coinbase included)."""


def txid(transaction: bytes) -> Hash:
    """The ID of a transaction."""
    return Hash(hashlib.blake2b(transaction, digest_size=32, person=b"dagspec-txid").digest())


def canonical_order(coinbase: bytes, others: Iterable[bytes]) -> tuple[bytes, ...]:
    """The body of ``coinbase`` and ``others``: coinbase first, then ascending txid."""
    return (coinbase, *sorted(others, key=txid))


def merkle_root(txids: Sequence[Hash]) -> Hash:
    """The merkle root of txids in body order (the zero hash for none)."""
    level = [bytes(item) for item in txids]
    if not level:
        return Hash(bytes(32))
    while len(level) > 1:
        paired = [
            hashlib.blake2b(
                level[i] + level[i + 1], digest_size=32, person=b"dagspec-merkle"
            ).digest()
            for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return Hash(level[0])


@dataclass(frozen=True, slots=True)
class BlockBody:
    """A validated block body."""

    transactions: tuple[bytes, ...]
    """Coinbase first, then ascending txid; 1 to MAX_BLOCK_TRANSACTIONS entries."""
    txids: tuple[Hash, ...]
    """``txid`` of each transaction, same order."""

    @property
    def merkle_root(self) -> Hash:
        """Merkle root of :attr:`txids`."""
        return merkle_root(self.txids)


def make_body(transactions: Sequence[bytes]) -> BlockBody:
    """Validate a body: sizes, count, canonical order, no duplicate txid."""
    if not 1 <= len(transactions) <= MAX_BLOCK_TRANSACTIONS:
        raise RelayError(
            Code.MALFORMED_MESSAGE,
            f"a body holds 1 to {MAX_BLOCK_TRANSACTIONS} transactions, got {len(transactions)}",
        )
    for transaction in transactions:
        if not isinstance(transaction, bytes) or not 1 <= len(transaction) <= MAX_TRANSACTION_SIZE:
            raise RelayError(
                Code.MALFORMED_MESSAGE, f"a transaction is 1 to {MAX_TRANSACTION_SIZE} bytes"
            )
    ids = tuple(txid(transaction) for transaction in transactions)
    for previous, current in pairwise(ids[1:]):
        if not previous < current:
            raise RelayError(
                Code.MALFORMED_MESSAGE,
                "transactions after the coinbase must be in strictly ascending txid order",
            )
    if ids[0] in frozenset(ids[1:]):
        raise RelayError(Code.MALFORMED_MESSAGE, "the coinbase appears twice")
    return BlockBody(tuple(transactions), ids)
