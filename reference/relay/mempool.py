"""The mempool: the transactions a node holds but no block has confirmed yet.

A store, not an algorithm: relay reads it to rebuild blocks, and nothing here decides which
transactions are valid. Each transaction is decoded once, when it is added; its txid and hash
are kept beside its bytes, so a receiver rebuilding a block from the mempool never decodes
those transactions again (:meth:`Mempool.ids_of`).

Reconstruction reads a mempool only through :class:`MempoolView`, so a node whose own pool
keeps decoded transactions (``reference.mining.mempool``) lends relay a view of it instead of
copying it into this store.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

from reference.hash import Hash
from reference.relay.body import relayed_ids


class MempoolView(Protocol):
    """What reconstruction reads of a receiver's mempool."""

    def items(self) -> Iterable[tuple[Hash, bytes]]:
        """``(txid, transaction)`` pairs, the transaction as its encoding."""
        ...

    def ids_of(self, transaction: bytes) -> tuple[Hash, Hash] | None:
        """``(txid, hash)`` of exactly these bytes if held, else ``None``."""
        ...

    def __len__(self) -> int:
        """Transactions held (announced in a block request)."""
        ...


class Mempool:
    """Transactions keyed by txid, with their ids kept beside them."""

    __slots__ = ("_by_txid", "_ids")

    def __init__(self, transactions: Iterable[bytes] = ()) -> None:
        self._by_txid: dict[Hash, bytes] = {}
        # The bytes of every held transaction to its (txid, hash).
        self._ids: dict[bytes, tuple[Hash, Hash]] = {}
        for transaction in transactions:
            self.add(transaction)

    def add(self, transaction: bytes) -> Hash:
        """Hold ``transaction``; returns its txid (adding it twice changes nothing).

        Another signing of a held txid replaces the one held.
        """
        ids = relayed_ids(transaction)
        key = ids[0]
        previous = self._by_txid.get(key)
        if previous is not None:
            del self._ids[previous]
        self._by_txid[key] = transaction
        self._ids[transaction] = ids
        return key

    def remove(self, key: Hash) -> None:
        """Drop the transaction with txid ``key`` if held."""
        transaction = self._by_txid.pop(key, None)
        if transaction is not None:
            del self._ids[transaction]

    def get(self, key: Hash) -> bytes | None:
        """The transaction with txid ``key``, or ``None``."""
        return self._by_txid.get(key)

    def ids_of(self, transaction: bytes) -> tuple[Hash, Hash] | None:
        """``(txid, hash)`` of exactly these bytes if held, else ``None``."""
        return self._ids.get(transaction)

    def __contains__(self, key: object) -> bool:
        return key in self._by_txid

    def __len__(self) -> int:
        return len(self._by_txid)

    def __iter__(self) -> Iterator[Hash]:
        return iter(self._by_txid)

    def items(self) -> Iterable[tuple[Hash, bytes]]:
        """``(txid, transaction)`` pairs."""
        return self._by_txid.items()
