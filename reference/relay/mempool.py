"""The mempool: the transactions a node holds but no block has confirmed yet.

A store, not an algorithm: relay reads it to rebuild blocks, and nothing here decides which
transactions are valid.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from reference.hash import Hash
from reference.relay.body import txid


class Mempool:
    """Transactions keyed by txid."""

    __slots__ = ("_by_txid",)

    def __init__(self, transactions: Iterable[bytes] = ()) -> None:
        self._by_txid: dict[Hash, bytes] = {}
        for transaction in transactions:
            self.add(transaction)

    def add(self, transaction: bytes) -> Hash:
        """Hold ``transaction``; returns its txid (adding it twice changes nothing)."""
        key = txid(transaction)
        self._by_txid[key] = transaction
        return key

    def remove(self, key: Hash) -> None:
        """Drop the transaction with txid ``key`` if held."""
        self._by_txid.pop(key, None)

    def get(self, key: Hash) -> bytes | None:
        """The transaction with txid ``key``, or ``None``."""
        return self._by_txid.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._by_txid

    def __len__(self) -> int:
        return len(self._by_txid)

    def __iter__(self) -> Iterator[Hash]:
        return iter(self._by_txid)

    def items(self) -> Iterable[tuple[Hash, bytes]]:
        """``(txid, transaction)`` pairs."""
        return self._by_txid.items()
