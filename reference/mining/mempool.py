"""The mempool a block template draws from: transactions waiting for a block.

Transactions are carried, never executed (``spec/transactions``), so the mempool decides no
spending question: it holds any well-formed non-coinbase transaction of at most
:data:`~reference.relay.body.MAX_TRANSACTION_SIZE` bytes, keyed by transaction id, and drops
a transaction once a block holding it is accepted. What a template needs of each transaction —
its id (the body order), its hash (the merkle leaf) and its size (the block limit) — is
computed once, when the transaction arrives, so building a template never re-encodes one.

:class:`NodeMempool` is the node's. Relay keeps its own store,
:class:`~reference.relay.mempool.Mempool` (encoded transactions by id, read to rebuild compact
blocks); this one holds decoded transactions with those derived values, and lends relay a
read-only :class:`RelayView` of itself (:meth:`NodeMempool.relay_view`): the encodings, ids and
hashes relay reads were computed on arrival, so rebuilding a relayed block from the node's
mempool decodes and encodes none of its transactions again.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from types import MappingProxyType

from reference.errors import MempoolRejected
from reference.hash import Hash
from reference.relay.body import MAX_TRANSACTION_SIZE
from reference.transaction.encoding import encode_transaction, transaction_hash, transaction_id
from reference.transaction.model import Transaction


@dataclass(frozen=True, slots=True)
class MempoolEntry:
    """A transaction with what a template reads of it."""

    transaction: Transaction
    """The transaction."""
    id: Hash
    """Its transaction id: the body orders transactions by it."""
    hash: Hash
    """Its transaction hash: its leaf in the hash merkle tree."""
    size: int
    """Bytes of its encoding: what it takes of the block size limit."""
    encoding: bytes
    """Its encoding, as relay carries it."""


def mempool_entry(transaction: Transaction) -> MempoolEntry:
    """The entry of ``transaction``: its id, hash, encoded size and encoding."""
    encoding = encode_transaction(transaction)
    return MempoolEntry(
        transaction,
        transaction_id(transaction),
        transaction_hash(transaction),
        len(encoding),
        encoding,
    )


class RelayView:
    """A snapshot of a :class:`NodeMempool` as relay reads it (a
    :class:`~reference.relay.mempool.MempoolView`): encodings by id, and the entry of an
    encoding. Later changes to the pool do not show in it, so one reconstruction sees one
    pool throughout."""

    __slots__ = ("_by_encoding", "_entries")

    def __init__(self, entries: Iterable[MempoolEntry]) -> None:
        self._entries = tuple(entries)
        self._by_encoding = MappingProxyType({entry.encoding: entry for entry in self._entries})

    def items(self) -> Iterable[tuple[Hash, bytes]]:
        """``(id, encoding)`` of every transaction."""
        return [(entry.id, entry.encoding) for entry in self._entries]

    def ids_of(self, transaction: bytes) -> tuple[Hash, Hash] | None:
        """``(id, hash)`` of exactly these bytes if held, else ``None``."""
        entry = self._by_encoding.get(transaction)
        return None if entry is None else (entry.id, entry.hash)

    def decoded(self, transaction: bytes) -> Transaction | None:
        """The transaction these bytes encode if held, else ``None`` (no decoding)."""
        entry = self._by_encoding.get(transaction)
        return None if entry is None else entry.transaction

    def __len__(self) -> int:
        return len(self._entries)


class NodeMempool:
    """The node's mempool: transactions by id; :meth:`entries` lists them in ascending id
    order."""

    __slots__ = ("_by_id", "_ids", "_relay", "_sorted", "_version")

    def __init__(self, transactions: Iterable[Transaction] = ()) -> None:
        self._by_id: dict[Hash, MempoolEntry] = {}
        # The ids in ascending order, kept sorted as transactions come and go.
        self._ids: list[Hash] = []
        self._sorted: tuple[MempoolEntry, ...] | None = ()
        self._relay: RelayView | None = None
        self._version = 0
        for transaction in transactions:
            self.add(transaction)

    @property
    def version(self) -> int:
        """A number that changes whenever the set of transactions changes."""
        return self._version

    def add(self, transaction: Transaction) -> Hash:
        """Hold ``transaction`` and return its id; holding it already changes nothing.

        Raises :class:`~reference.errors.MempoolRejected` for a coinbase (only a block's miner
        writes one) or a transaction larger than ``MAX_TRANSACTION_SIZE``.
        """
        if not isinstance(transaction, Transaction):
            raise MempoolRejected(transaction, "not a Transaction")
        if transaction.is_coinbase():
            raise MempoolRejected(transaction, "a coinbase is never relayed or pooled")
        entry = mempool_entry(transaction)
        if entry.size > MAX_TRANSACTION_SIZE:
            raise MempoolRejected(
                transaction, f"{entry.size} bytes exceed the {MAX_TRANSACTION_SIZE}-byte limit"
            )
        if entry.id not in self._by_id:
            self._by_id[entry.id] = entry
            insort(self._ids, entry.id)
            self._changed()
        return entry.id

    def remove(self, ids: Iterable[Hash]) -> int:
        """Drop the transactions with these ids (those held); how many were dropped."""
        dropped = 0
        for key in ids:
            if self._by_id.pop(key, None) is not None:
                del self._ids[bisect_left(self._ids, key)]
                dropped += 1
        if dropped:
            self._changed()
        return dropped

    def _changed(self) -> None:
        self._sorted = None
        self._relay = None
        self._version += 1

    def relay_view(self) -> RelayView:
        """The pool as it is now, as relay reads it (kept until the pool changes)."""
        if self._relay is None:
            self._relay = RelayView(self._by_id.values())
        return self._relay

    def get(self, key: Hash) -> MempoolEntry | None:
        """The entry of the transaction with id ``key``, or ``None``."""
        return self._by_id.get(key)

    def entries(self) -> tuple[MempoolEntry, ...]:
        """Every entry, in ascending transaction-id order."""
        if self._sorted is None:
            self._sorted = tuple(map(self._by_id.__getitem__, self._ids))
        return self._sorted

    def __contains__(self, key: object) -> bool:
        return key in self._by_id

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Hash]:
        return iter(self._by_id)
