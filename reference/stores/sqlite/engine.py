"""The SQLite engine: the in-memory stores, every write also staged, one transaction per block.

Each store of this engine is the in-memory store of :mod:`reference.stores` with one addition:
a write also stages the rows it changes (:class:`_Staged`). :meth:`SqliteStores.commit` writes
everything staged since the last commit, and every reachability record a reindex moved, in one
SQLite transaction; the consensus calls it once per accepted block, after the tips and the
virtual state are written too. SQLite's write-ahead log makes that transaction atomic: after a
crash the file holds every committed block and nothing of the block being written.

Reads never touch the disk (bodies excepted): when a store is opened, every table but the
bodies is read back into the in-memory stores, so a reopened consensus answers from exactly
the structures it had built before, and the cost of a block is the in-memory cost plus one
transaction, whatever the size of the DAG.

This module does I/O; consensus modules never import it. A caller opens a store with
:meth:`SqliteStores.open` (or a whole consensus with :func:`open_consensus`) and injects it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sqlite3
from collections.abc import Sequence
from itertools import groupby
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Final, Literal

from reference.block import Header
from reference.consensus import Clock, Consensus, wall_clock_ms
from reference.errors import BlockRejected, Code, DagspecError, InvalidParameter, StoreError
from reference.hash import Hash
from reference.header import BlockHeader, header_hash
from reference.pipeline.virtual import VirtualState
from reference.presets import Preset
from reference.processes.ghostdag.data import GhostdagData
from reference.processes.pruning import Retention
from reference.processes.reachability.interval import ROOT_END, ROOT_START, Interval
from reference.processes.reachability.service import ReachabilityService
from reference.processes.reachability.store import ReachabilityData, ReachabilityStore
from reference.processes.window import DEFAULT_CACHE_CAPACITY
from reference.stores.bodies import BodyStore
from reference.stores.daa import DaaStore
from reference.stores.depth import BlockDepth, DepthStore
from reference.stores.ghostdag import GhostdagStore
from reference.stores.headers import HeaderStore
from reference.stores.pruning import (
    BlockPruning,
    PastPruningPointsStore,
    PruningSampleStore,
    RetentionStore,
)
from reference.stores.relations import RelationsStore
from reference.stores.sqlite.rows import (
    ghostdag_from_row,
    ghostdag_row,
    header_from_row,
    header_row,
    pack_hashes,
    pack_u64,
    unpack_hash,
    unpack_hashes,
    unpack_int,
    unpack_u64,
    virtual_from_row,
    virtual_row,
)
from reference.stores.sqlite.schema import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    create_schema,
    metadata_rows,
)
from reference.stores.statuses import BlockStatus, StatusStore
from reference.stores.tips import TipsStore
from reference.stores.virtual_state import VirtualStateStore
from reference.transaction.encoding import decode_transaction, encode_transaction
from reference.transaction.model import Transaction

Synchronous = Literal["NORMAL", "FULL"]
"""SQLite's ``synchronous`` setting: ``NORMAL`` survives the process being killed, ``FULL``
also a power failure (``spec/store``)."""

CHECKPOINT_PAGES: Final = 10_000
"""The log is folded into the file once it holds this many pages (about 40 MB, some 400
blocks): a checkpoint syncs the file, so the fewer the checkpoints, the fewer the waits."""

_INSERT_HEADER: Final = "INSERT INTO headers VALUES (?, ?, ?, ?, ?, ?, ?)"
_INSERT_PARENT: Final = "INSERT INTO parents VALUES (?, ?, ?)"
_INSERT_GHOSTDAG: Final = "INSERT INTO ghostdag VALUES (?, ?, ?, ?, ?, ?, ?)"
_SET_STATUS: Final = "INSERT OR REPLACE INTO statuses VALUES (?, ?)"
_INSERT_DEPTH: Final = "INSERT INTO depth VALUES (?, ?, ?)"
_INSERT_NON_DAA: Final = "INSERT INTO non_daa_mergeset VALUES (?, ?)"
_INSERT_COVERING: Final = "INSERT INTO future_covering_sets VALUES (?, ?)"
_DELETE_TIP: Final = "DELETE FROM tips WHERE hash = ?"
_INSERT_TIP: Final = "INSERT INTO tips VALUES (?)"
_SET_VIRTUAL: Final = (
    "INSERT OR REPLACE INTO virtual_state VALUES (0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_BODY: Final = "INSERT INTO bodies VALUES (?, ?)"
_INSERT_TRANSACTION: Final = "INSERT INTO body_transactions VALUES (?, ?, ?)"
_INSERT_PRUNING: Final = "INSERT INTO pruning_samples VALUES (?, ?, ?)"
_INSERT_PAST_PRUNING_POINT: Final = "INSERT INTO past_pruning_points VALUES (?, ?)"
_CLEAR_RETENTION: Final = "DELETE FROM retention WHERE kind IN (?, ?, ?)"
_INSERT_RETENTION: Final = "INSERT OR REPLACE INTO retention VALUES (?, ?, ?)"
_DELETE: Final = {
    table: f"DELETE FROM {table} WHERE {column} = ?"
    for table, column in (
        ("headers", "hash"),
        ("parents", "block"),
        ("ghostdag", "hash"),
        ("statuses", "hash"),
        ("depth", "hash"),
        ("non_daa_mergeset", "hash"),
        ("bodies", "hash"),
        ("body_transactions", "block"),
        ("pruning_samples", "hash"),
        ("reachability", "hash"),
    )
}
"""Forgetting one block's row(s) of a table (pruning)."""
_DELETE_COVERING: Final = "DELETE FROM future_covering_sets WHERE block = ? OR covering = ?"
_SET_TREE_PARENT: Final = "UPDATE reachability SET tree_parent = ? WHERE hash = ?"
_SET_REINDEX_ROOT: Final = "INSERT OR REPLACE INTO reindex_root VALUES (0, ?)"
_UPSERT_REACHABILITY: Final = (
    "INSERT INTO reachability VALUES (?, ?, ?, ?, ?) ON CONFLICT (hash) DO UPDATE SET "
    "interval_start = excluded.interval_start, interval_end = excluded.interval_end"
)
_INTERVAL_FIELDS: Final = ("start", "end")
_START: Final = attrgetter("start")
_UNAVAILABLE_ERRORS: Final = frozenset((3, 5, 6, 8, 10, 13, 14))
"""SQLite's PERM, BUSY, LOCKED, READONLY, IOERR, FULL and CANTOPEN: the file is fine, but
cannot be used now."""


class _Staged:
    """The rows written since the last commit, in the order they were written."""

    __slots__ = ("rows",)

    def __init__(self) -> None:
        self.rows: list[tuple[str, tuple[object, ...]]] = []

    def add(self, statement: str, row: tuple[object, ...]) -> None:
        self.rows.append((statement, row))


class _HeaderStore(HeaderStore):
    __slots__ = ("_staged", "next_ordinal")

    def __init__(self, staged: _Staged) -> None:
        super().__init__()
        self._staged = staged
        self.next_ordinal = 0
        """The ordinal of the next accepted block (pruning leaves gaps below it)."""

    def insert(self, header: Header, work: int) -> None:
        super().insert(header, work)
        self._staged.add(_INSERT_HEADER, header_row(header, work, self.next_ordinal))
        self.next_ordinal += 1

    def delete(self, block: Hash) -> None:
        super().delete(block)
        self._staged.add(_DELETE["headers"], (block,))


class _RelationsStore(RelationsStore):
    __slots__ = ("_staged",)

    def __init__(self, staged: _Staged) -> None:
        super().__init__()
        self._staged = staged

    def insert(self, block: Hash, parents: Sequence[Hash]) -> None:
        super().insert(block, parents)
        self._stage(block, parents)

    def restore(self, block: Hash, parents: Sequence[Hash]) -> None:
        super().restore(block, parents)
        self._stage(block, parents)

    def _stage(self, block: Hash, parents: Sequence[Hash]) -> None:
        for position, parent in enumerate(parents):
            self._staged.add(_INSERT_PARENT, (block, position, parent))

    def delete(self, block: Hash) -> None:
        super().delete(block)
        self._staged.add(_DELETE["parents"], (block,))


class _GhostdagStore(GhostdagStore):
    __slots__ = ("_staged",)

    def __init__(self, staged: _Staged) -> None:
        super().__init__()
        self._staged = staged

    def insert(self, data: GhostdagData) -> None:
        super().insert(data)
        self._staged.add(_INSERT_GHOSTDAG, ghostdag_row(data))

    def delete(self, block: Hash) -> None:
        super().delete(block)
        self._staged.add(_DELETE["ghostdag"], (block,))


class _StatusStore(StatusStore):
    __slots__ = ("_staged",)

    def __init__(self, staged: _Staged) -> None:
        super().__init__()
        self._staged = staged

    def set(self, block: Hash, status: BlockStatus) -> None:
        super().set(block, status)
        self._staged.add(_SET_STATUS, (block, status.value))

    def delete(self, block: Hash) -> None:
        super().delete(block)
        self._staged.add(_DELETE["statuses"], (block,))


class _DepthStore(DepthStore):
    __slots__ = ("_staged",)

    def __init__(self, staged: _Staged) -> None:
        super().__init__()
        self._staged = staged

    def insert(self, block: Hash, depth: BlockDepth) -> None:
        super().insert(block, depth)
        self._staged.add(_INSERT_DEPTH, (block, depth.merge_depth_root, depth.finality_point))

    def delete(self, block: Hash) -> None:
        super().delete(block)
        self._staged.add(_DELETE["depth"], (block,))


class _DaaStore(DaaStore):
    __slots__ = ("_staged",)

    def __init__(self, staged: _Staged) -> None:
        super().__init__()
        self._staged = staged

    def insert(self, block: Hash, non_daa_mergeset: frozenset[Hash]) -> None:
        super().insert(block, non_daa_mergeset)
        self._staged.add(_INSERT_NON_DAA, (block, pack_hashes(sorted(non_daa_mergeset))))

    def delete(self, block: Hash) -> None:
        super().delete(block)
        self._staged.add(_DELETE["non_daa_mergeset"], (block,))


class _PruningSampleStore(PruningSampleStore):
    __slots__ = ("_staged",)

    def __init__(self, staged: _Staged) -> None:
        super().__init__()
        self._staged = staged

    def insert(self, block: Hash, data: BlockPruning) -> None:
        super().insert(block, data)
        self._staged.add(_INSERT_PRUNING, (block, data.pruning_sample, data.pruning_point))

    def delete(self, block: Hash) -> None:
        super().delete(block)
        self._staged.add(_DELETE["pruning_samples"], (block,))


class _PastPruningPointsStore(PastPruningPointsStore):
    __slots__ = ("_staged",)

    def __init__(self, staged: _Staged) -> None:
        super().__init__()
        self._staged = staged

    def extend(self, points: tuple[Hash, ...]) -> None:
        first = len(self)
        super().extend(points)
        for position, point in enumerate(points, start=first):
            self._staged.add(_INSERT_PAST_PRUNING_POINT, (position, point))


class _RetentionStore(RetentionStore):
    __slots__ = ("_staged",)

    def __init__(self, staged: _Staged) -> None:
        super().__init__()
        self._staged = staged

    def set(self, retention: Retention) -> None:
        super().set(retention)
        self._staged.add(_CLEAR_RETENTION, ("anticone", "history", "header"))
        rows = [(block, "anticone", i) for i, block in enumerate(retention.anticone)]
        rows += [(block, "header", i) for i, block in enumerate(retention.headers)]
        rows += [(block, "history", 0) for block in sorted(retention.history)]
        for row in rows:
            self._staged.add(_INSERT_RETENTION, row)


class _TipsStore(TipsStore):
    __slots__ = ("_staged",)

    def __init__(self, staged: _Staged) -> None:
        super().__init__()
        self._staged = staged

    def add(self, block: Hash, parents: Sequence[Hash]) -> None:
        for parent in parents:
            if parent in self:
                self._staged.add(_DELETE_TIP, (parent,))
        super().add(block, parents)
        self._staged.add(_INSERT_TIP, (block,))

    def remove(self, block: Hash) -> None:
        if block in self:
            self._staged.add(_DELETE_TIP, (block,))
        super().remove(block)


class _VirtualStateStore(VirtualStateStore):
    __slots__ = ("_staged",)

    def __init__(self, staged: _Staged) -> None:
        super().__init__()
        self._staged = staged

    def set(self, state: VirtualState) -> None:
        super().set(state)
        self._staged.add(_SET_VIRTUAL, virtual_row(state))


class _BodyStore(BodyStore):
    """Bodies are the one store not kept in memory: a body is read from the file when asked
    for; bodies written since the last commit are kept until it."""

    __slots__ = ("_connection", "_pending", "_staged")

    def __init__(self, staged: _Staged, connection: sqlite3.Connection) -> None:
        super().__init__()
        self._staged = staged
        self._connection = connection
        self._pending: dict[Hash, tuple[Transaction, ...]] = {}

    def insert(self, block: Hash, transactions: Sequence[Transaction]) -> None:
        if self.has(block):
            raise BlockRejected(Code.DUPLICATE_BLOCK, block, "body already stored")
        body = tuple(transactions)
        self._pending[block] = body
        self._staged.add(_INSERT_BODY, (block, len(body)))
        for position, transaction in enumerate(body):
            encoded = encode_transaction(transaction)
            self._staged.add(_INSERT_TRANSACTION, (block, position, encoded))

    def get(self, block: Hash) -> tuple[Transaction, ...] | None:
        pending = self._pending.get(block)
        if pending is not None:
            return pending
        count = self._connection.execute(
            "SELECT transaction_count FROM bodies WHERE hash = ?", (block,)
        ).fetchone()
        if count is None:
            return None
        rows = self._connection.execute(
            "SELECT position, encoded FROM body_transactions WHERE block = ? ORDER BY position",
            (block,),
        ).fetchall()
        if [row[0] for row in rows] != list(range(count[0])):
            raise StoreError(Code.STORE_CORRUPT, "store", f"body of {block}: transactions missing")
        try:
            return tuple(decode_transaction(row[1]) for row in rows)
        except DagspecError as error:
            raise StoreError(Code.STORE_CORRUPT, "store", f"body of {block}: {error}") from None

    def delete(self, block: Hash) -> None:
        self._pending.pop(block, None)
        self._staged.add(_DELETE["bodies"], (block,))
        self._staged.add(_DELETE["body_transactions"], (block,))

    def has(self, block: Hash) -> bool:
        if block in self._pending:
            return True
        found = self._connection.execute("SELECT 1 FROM bodies WHERE hash = ?", (block,))
        return found.fetchone() is not None

    def committed(self) -> None:
        self._pending.clear()

    def __len__(self) -> int:
        (count,) = self._connection.execute("SELECT count(*) FROM bodies").fetchone()
        return int(count) + len(self._pending)


class _Record(ReachabilityData):
    """A reachability record that notes itself in ``journal`` when its interval changes."""

    __slots__ = ("journal",)

    journal: set[ReachabilityData]

    def __setattr__(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)
        if name in _INTERVAL_FIELDS:
            self.journal.add(self)


class _ReachabilityStore(ReachabilityStore):
    """Reachability records that note their interval changes (a reindex moves many)."""

    __slots__ = ("dirty",)

    def __init__(self, genesis: Hash, capacity: Interval, dirty: set[ReachabilityData]) -> None:
        self.dirty = dirty
        super().__init__(genesis, capacity)

    def new_record(
        self, block: Hash, start: int, end: int, parent: ReachabilityData | None, height: int
    ) -> ReachabilityData:
        record = _Record.__new__(_Record)
        object.__setattr__(record, "journal", self.dirty)
        ReachabilityData.__init__(record, block, start, end, parent, height)
        return record

    def remove_last_inserted(self, node: ReachabilityData) -> None:
        super().remove_last_inserted(node)
        self.dirty.discard(node)


class _ReachabilityService(ReachabilityService):
    """Stages a future-covering-set row for each block a new block merges."""

    __slots__ = ("_staged",)

    def __init__(self, genesis: Hash, preset: Preset, store: ReachabilityStore, staged: _Staged):
        super().__init__(
            genesis,
            reindex_depth=preset.reindex_depth,
            reindex_slack=preset.reindex_slack,
            store=store,
        )
        self._staged = staged

    def add_block(self, block: Hash, selected_parent: Hash, mergeset: Sequence[Hash]) -> None:
        super().add_block(block, selected_parent, mergeset)
        for merged in mergeset:
            self._staged.add(_INSERT_COVERING, (merged, block))

    def delete_block(self, block: Hash) -> None:
        node = self.store.nodes.get(block)
        holders = [] if node is None else list(self._holders_index().get(node, ()))
        children = [] if node is None else list(node.children)
        super().delete_block(block)
        if node is None:
            return
        records = self.store
        if isinstance(records, _ReachabilityStore):
            records.dirty.discard(node)
        self._staged.add(_DELETE["reachability"], (block,))
        self._staged.add(_DELETE_COVERING, (block, block))
        parent = node.parent
        for child in children:
            self._staged.add(
                _SET_TREE_PARENT, (None if parent is None else parent.hash, child.hash)
            )
        for holder in holders:
            if holder.hash in records.nodes:
                for child in children:
                    self._staged.add(_INSERT_COVERING, (holder.hash, child.hash))


class SqliteStores:
    """The SQLite engine of :class:`~reference.stores.bundle.StoreBundle`: one store file.

    Open it with :meth:`open`; the stores are then those of the file, and every write is
    staged until :meth:`commit`. While it is open, the file is locked against other
    processes opening it as a store (readers, such as the ``sqlite3`` shell, are welcome).
    """

    __slots__ = (
        "_connection",
        "_failed",
        "_genesis",
        "_lock",
        "_persisted_root",
        "_preset",
        "_records",
        "_staged",
        "bodies",
        "daa",
        "depth",
        "ghostdag",
        "headers",
        "past_pruning_points",
        "path",
        "pruning",
        "reachability",
        "relations",
        "retention",
        "statuses",
        "tips",
        "virtual",
    )

    def __init__(
        self,
        path: Path,
        connection: sqlite3.Connection,
        *,
        lock: int,
        preset: Preset,
        genesis: Hash,
        reachability_store: _ReachabilityStore,
    ) -> None:
        """Empty stores over an open, checked file (use :meth:`open`)."""
        staged = _Staged()
        self.path = path
        """The store file."""
        self._connection = connection
        self._lock = lock
        self._preset = preset
        self._genesis = genesis
        self._staged = staged
        self._failed: str | None = None
        self._persisted_root: Hash | None = None
        self._records = reachability_store
        self.headers = _HeaderStore(staged)
        """Headers (table ``headers``)."""
        self.relations = _RelationsStore(staged)
        """Parents and children (table ``parents``)."""
        self.ghostdag = _GhostdagStore(staged)
        """GHOSTDAG data (table ``ghostdag``)."""
        self.statuses = _StatusStore(staged)
        """Statuses (table ``statuses``)."""
        self.depth = _DepthStore(staged)
        """Merge-depth roots and finality points (table ``depth``)."""
        self.daa = _DaaStore(staged)
        """Non-DAA mergeset blocks (table ``non_daa_mergeset``)."""
        self.bodies = _BodyStore(staged, connection)
        """Block bodies (tables ``bodies`` and ``body_transactions``), read when asked for."""
        self.pruning = _PruningSampleStore(staged)
        """Pruning samples and points (table ``pruning_samples``)."""
        self.past_pruning_points = _PastPruningPointsStore(staged)
        """The node's pruning points (table ``past_pruning_points``)."""
        self.retention = _RetentionStore(staged)
        """What is kept below the pruning point (table ``retention``)."""
        self.tips = _TipsStore(staged)
        """The tips (table ``tips``)."""
        self.virtual = _VirtualStateStore(staged)
        """The virtual state (table ``virtual_state``)."""
        self.reachability = _ReachabilityService(genesis, preset, reachability_store, staged)
        """Reachability (tables ``reachability``, ``future_covering_sets``,
        ``reindex_root``)."""

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        preset: Preset,
        genesis: Hash,
        *,
        synchronous: Synchronous = "NORMAL",
        reachability_capacity: Interval | None = None,
    ) -> SqliteStores:
        """Open the store file at ``path`` for the DAG of ``preset`` from ``genesis``, creating
        it if it does not exist, and read it back into memory.

        Raises :class:`~reference.errors.StoreError`: ``STORE_UNAVAILABLE`` when the file
        cannot be opened or another process has it open as a store; ``STORE_CORRUPT`` when it
        is not a dagspec store or a row does not decode; ``STORE_MISMATCH`` when it is of
        another schema version or was made with other parameters or another genesis.
        ``reachability_capacity`` is genesis's interval in a new store (tests pass a small
        one); a store keeps its own.
        """
        if synchronous not in ("NORMAL", "FULL"):
            raise InvalidParameter("synchronous", synchronous, "NORMAL or FULL")
        file = Path(path)
        lock = _lock(file)
        connection: sqlite3.Connection | None = None
        try:
            connection = _connect(file, synchronous)
            reachability_store = _prepare(file, connection, preset, genesis, reachability_capacity)
            stores = cls(
                file,
                connection,
                lock=lock,
                preset=preset,
                genesis=genesis,
                reachability_store=reachability_store,
            )
            stores._load()
        except BaseException:
            if connection is not None:
                connection.close()
            os.close(lock)
            raise
        return stores

    def is_new(self) -> bool:
        """True while no block is stored: the consensus then writes genesis."""
        return len(self.headers) == 0

    def check_identity(self, preset: Preset, genesis: Hash) -> None:
        """``STORE_MISMATCH`` unless the store was opened for ``preset`` and ``genesis``."""
        if preset != self._preset or genesis != self._genesis:
            raise StoreError(
                Code.STORE_MISMATCH,
                self.path,
                f"opened for {self._preset.name} from {self._genesis}, used for {preset.name} "
                f"from {genesis}",
            )

    def commit(self) -> None:
        """Write every staged row, and every reachability record whose interval changed, in
        one transaction. A failed write leaves the file as it was before it and the bundle
        unusable (``STORE_UNAVAILABLE``): what is in memory is then ahead of the file, so the
        store must be reopened."""
        if self._failed is not None:
            raise StoreError(Code.STORE_UNAVAILABLE, self.path, self._failed)
        staged = self._staged.rows
        dirty = self._records.dirty
        root = self._records.reindex_root.hash
        if not staged and not dirty and root == self._persisted_root:
            return
        moved = [
            (
                node.hash,
                None if node.parent is None else node.parent.hash,
                node.height,
                pack_u64(node.start),
                pack_u64(node.end),
            )
            for node in dirty
        ]
        connection = self._connection
        try:
            connection.execute("BEGIN IMMEDIATE")
            for statement, rows in groupby(staged, key=itemgetter(0)):
                connection.executemany(statement, [row for _, row in rows])
            connection.executemany(_UPSERT_REACHABILITY, moved)
            if root != self._persisted_root:
                connection.execute(_SET_REINDEX_ROOT, (root,))
            connection.execute("COMMIT")
        except (sqlite3.Error, OverflowError) as error:
            self._failed = f"a write failed ({error}); reopen the store"
            if connection.in_transaction:
                # If even the rollback fails, the transaction is still not committed.
                with contextlib.suppress(sqlite3.Error):
                    connection.execute("ROLLBACK")
            raise StoreError(Code.STORE_UNAVAILABLE, self.path, self._failed) from error
        staged.clear()
        dirty.clear()
        self._persisted_root = root
        self.bodies.committed()

    def close(self) -> None:
        """Close the file and release its lock; writes staged since the last commit are
        dropped (they were never acknowledged)."""
        if self._lock < 0:
            return
        self._connection.close()
        os.close(self._lock)
        self._lock = -1

    def _load(self) -> None:
        """Read every table but the bodies back into the in-memory stores."""
        try:
            blocks = self._load_blocks()
        except StoreError as error:
            raise StoreError(error.code, self.path, error.message) from None
        except DagspecError as error:
            raise StoreError(Code.STORE_CORRUPT, self.path, str(error)) from None
        except sqlite3.Error as error:
            raise _database_error(self.path, error) from None
        if blocks:
            # Loaded records are what the file holds: nothing to write back.
            self._records.dirty.clear()
            self._persisted_root = self._records.reindex_root.hash

    def _load_blocks(self) -> list[Hash]:
        """Every table into memory; the stored blocks in the order they were accepted."""
        execute = self._connection.execute
        (points,) = execute("SELECT count(*) FROM past_pruning_points").fetchone()
        pruned = points > 1  # blocks may name deleted ones; ordinals may have gaps
        parents: dict[Hash, list[Hash]] = {}
        for block, position, parent in execute(
            "SELECT block, position, parent FROM parents ORDER BY block, position"
        ):
            listed = parents.setdefault(unpack_hash(block, "parents.block"), [])
            if position != len(listed):
                raise _corrupt(f"parents of {block.hex()}: positions are not 0, 1, ...")
            listed.append(unpack_hash(parent, "parents.parent"))
        blocks: list[Hash] = []
        for row in execute(
            "SELECT hash, ordinal, wire, target, work, claimed_blue_score, claimed_blue_work "
            "FROM headers ORDER BY ordinal"
        ):
            if row[1] != len(blocks) and not (pruned and row[1] > self.headers.next_ordinal - 1):
                raise _corrupt(f"headers: ordinal {row[1]} where {len(blocks)} is next")
            header, work = header_from_row(row, parents)
            HeaderStore.insert(self.headers, header, work)
            if pruned:
                RelationsStore.restore(self.relations, header.hash, header.parents)
            else:
                RelationsStore.insert(self.relations, header.hash, header.parents)
            blocks.append(header.hash)
            self.headers.next_ordinal = row[1] + 1
        if not parents.keys() <= set(blocks):
            raise _corrupt("parents: rows of a block without a header")
        if not blocks:
            return blocks
        if blocks[0] != self._genesis or self.relations.parents(self._genesis):
            raise _corrupt("the first block is not genesis, or genesis has parents")
        for row in execute(
            "SELECT hash, selected_parent, blue_score, blue_work, mergeset_blues, "
            "mergeset_reds, blues_anticone_sizes FROM ghostdag"
        ):
            GhostdagStore.insert(self.ghostdag, ghostdag_from_row(row))
        for block, status in execute("SELECT hash, status FROM statuses"):
            try:
                value = BlockStatus(status)
            except ValueError:
                raise _corrupt(f"statuses: unknown status {status!r}") from None
            StatusStore.set(self.statuses, unpack_hash(block, "statuses.hash"), value)
        for block, root, finality in execute(
            "SELECT hash, merge_depth_root, finality_point FROM depth"
        ):
            DepthStore.insert(
                self.depth,
                unpack_hash(block, "depth.hash"),
                BlockDepth(
                    merge_depth_root=unpack_hash(root, "depth.merge_depth_root"),
                    finality_point=unpack_hash(finality, "depth.finality_point"),
                ),
            )
        for block, merged in execute("SELECT hash, blocks FROM non_daa_mergeset"):
            DaaStore.insert(
                self.daa,
                unpack_hash(block, "non_daa_mergeset.hash"),
                frozenset(unpack_hashes(merged, "non_daa_mergeset.blocks")),
            )
        for block, sample, point in execute(
            "SELECT hash, pruning_sample, pruning_point FROM pruning_samples"
        ):
            PruningSampleStore.insert(
                self.pruning,
                unpack_hash(block, "pruning_samples.hash"),
                BlockPruning(
                    pruning_sample=unpack_hash(sample, "pruning_samples.pruning_sample"),
                    pruning_point=unpack_hash(point, "pruning_samples.pruning_point"),
                ),
            )
        points = execute("SELECT position, hash FROM past_pruning_points ORDER BY position")
        for expected, (position, point) in enumerate(points):
            if position != expected:
                raise _corrupt(f"past_pruning_points: position {position} where {expected} is next")
            PastPruningPointsStore.extend(
                self.past_pruning_points, (unpack_hash(point, "past_pruning_points.hash"),)
            )
        kinds: dict[str, list[tuple[int, Hash]]] = {"anticone": [], "history": [], "header": []}
        for block, kind, position in execute("SELECT hash, kind, position FROM retention"):
            kinds[kind].append((position, unpack_hash(block, "retention.hash")))
        if kinds["anticone"]:
            RetentionStore.set(
                self.retention,
                Retention(
                    anticone=tuple(block for _, block in sorted(kinds["anticone"])),
                    history=frozenset(block for _, block in kinds["history"]),
                    headers=tuple(block for _, block in sorted(kinds["header"])),
                ),
            )
        self._load_reachability()
        for (tip,) in execute("SELECT hash FROM tips"):
            TipsStore.add(self.tips, unpack_hash(tip, "tips.hash"), ())
        state = execute(
            "SELECT parents, selected_parent, mergeset_blues, mergeset_reds, blue_score, "
            "blue_work, merge_depth_root, finality_point, chain_removed, chain_added "
            "FROM virtual_state"
        ).fetchone()
        if state is None:
            raise _corrupt("virtual_state: no row")
        VirtualStateStore.set(self.virtual, virtual_from_row(state))
        self._check_complete(blocks)
        return blocks

    def _load_reachability(self) -> None:
        store = self._records
        nodes = store.nodes
        genesis = store.genesis
        rows = self._connection.execute("SELECT * FROM reachability ORDER BY height").fetchall()
        if not rows or rows[0][0] != genesis.hash or rows[0][1] is not None:
            raise _corrupt("reachability: genesis is not the one root")
        genesis.start = unpack_u64(rows[0][3], "reachability.interval_start")
        genesis.end = unpack_u64(rows[0][4], "reachability.interval_end")
        for block, parent, height, start, end in rows[1:]:
            tree_parent = nodes.get(unpack_hash(parent, "reachability.tree_parent"))
            if tree_parent is None or height <= tree_parent.height:
                raise _corrupt(f"reachability: {block.hex()} has no tree parent below it")
            node = store.new_record(
                unpack_hash(block, "reachability.hash"),
                unpack_u64(start, "reachability.interval_start"),
                unpack_u64(end, "reachability.interval_end"),
                tree_parent,
                unpack_int(height, "reachability.height"),
            )
            tree_parent.children.append(node)
            nodes[node.hash] = node
        for block, covering in self._connection.execute("SELECT * FROM future_covering_sets"):
            merged = nodes.get(unpack_hash(block, "future_covering_sets.block"))
            cover = nodes.get(unpack_hash(covering, "future_covering_sets.covering"))
            if merged is None or cover is None:
                raise _corrupt("future_covering_sets: a row names an unknown block")
            if merged.future_covering_set is None:
                merged.future_covering_set = []
            merged.future_covering_set.append(cover)
        for node in nodes.values():
            if len(node.children) > 1:
                node.children.sort(key=_START)
            if node.future_covering_set is not None:
                node.future_covering_set.sort(key=_START)
        root = self._connection.execute("SELECT hash FROM reindex_root").fetchone()
        if root is None or unpack_hash(root[0], "reindex_root.hash") not in nodes:
            raise _corrupt("reindex_root: missing or unknown")
        store.reindex_root = nodes[Hash(root[0])]

    def _check_complete(self, blocks: list[Hash]) -> None:
        """Every block has every row; every tip and virtual parent is a block."""
        nodes = self._records.nodes
        for name, size in (
            ("ghostdag", len(self.ghostdag)),
            ("depth", len(self.depth)),
            ("pruning_samples", len(self.pruning)),
            ("reachability", len(nodes)),
        ):
            if size != len(blocks):
                raise _corrupt(f"{name}: {size} rows for {len(blocks)} headers")
        for block in blocks:
            if not (
                self.ghostdag.has(block)
                and self.depth.has(block)
                and self.pruning.has(block)
                and block in nodes
            ):
                raise _corrupt(f"block {block} is stored in part")
            if self.statuses.get(block) in (None, BlockStatus.INVALID):
                raise _corrupt(f"block {block} has no accepted status")
            full = self.headers.header(block).full is not None
            if full and block != self._genesis and not self.daa.has(block):
                raise _corrupt(f"block {block} has no DAA data")
        points = self.past_pruning_points.all()
        if not points or points[0] != self._genesis or not all(map(self.ghostdag.has, points)):
            raise _corrupt("past_pruning_points: not genesis first, or naming an unknown block")
        if not self.tips or any(not self.ghostdag.has(tip) for tip in self.tips):
            raise _corrupt("tips: none, or naming an unknown block")
        if any(not self.ghostdag.has(parent) for parent in self.virtual.get().parents):
            raise _corrupt("virtual_state: a parent is not a block")


def open_consensus(
    path: str | os.PathLike[str],
    preset: Preset,
    genesis: BlockHeader,
    *,
    clock: Clock = wall_clock_ms,
    window_cache: int = DEFAULT_CACHE_CAPACITY,
    synchronous: Synchronous = "NORMAL",
) -> Consensus:
    """A header-mode consensus over the store file at ``path`` (created if missing): a new
    store starts at ``genesis``; an existing one continues exactly where it was committed.

    Raises :class:`~reference.errors.StoreError` as :meth:`SqliteStores.open` does.
    """
    stores = SqliteStores.open(path, preset, header_hash(genesis), synchronous=synchronous)
    try:
        return Consensus.from_genesis_header(
            preset, genesis, clock=clock, window_cache=window_cache, stores=stores
        )
    except BaseException:
        stores.close()
        raise


def _corrupt(message: str) -> StoreError:
    return StoreError(Code.STORE_CORRUPT, "store", message)


def _database_error(path: Path, error: sqlite3.Error) -> StoreError:
    """``STORE_UNAVAILABLE`` for a file that cannot be used now (busy, read-only, full...),
    else ``STORE_CORRUPT``."""
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in _UNAVAILABLE_ERRORS:
        return StoreError(Code.STORE_UNAVAILABLE, path, str(error))
    return StoreError(Code.STORE_CORRUPT, path, f"not a readable dagspec store ({error})")


def _lock(file: Path) -> int:
    """An exclusive lock on ``<file>-lock``: one process at a time uses a store."""
    lock_path = file.with_name(file.name + "-lock")
    try:
        descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        message = f"cannot open {lock_path}: {error}"
        raise StoreError(Code.STORE_UNAVAILABLE, file, message) from None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(descriptor)
        raise StoreError(
            Code.STORE_UNAVAILABLE, file, "another process has this store open"
        ) from None
    return descriptor


def _connect(file: Path, synchronous: Synchronous) -> sqlite3.Connection:
    try:
        connection = sqlite3.connect(file, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as error:
        raise StoreError(Code.STORE_UNAVAILABLE, file, f"cannot open: {error}") from None
    try:
        connection.execute(f"PRAGMA synchronous = {synchronous}")
        connection.execute(f"PRAGMA wal_autocheckpoint = {CHECKPOINT_PAGES}")
    except sqlite3.Error as error:
        connection.close()
        raise _database_error(file, error) from None
    return connection


def _prepare(
    file: Path,
    connection: sqlite3.Connection,
    preset: Preset,
    genesis: Hash,
    capacity: Interval | None,
) -> _ReachabilityStore:
    """Check (or create) the file's identity, schema and metadata; set the journal mode.
    The reachability store it returns holds genesis only (loading fills it)."""
    try:
        application = connection.execute("PRAGMA application_id").fetchone()[0]
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        tables = connection.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0]
        if application == 0 and tables == 0:
            _create(connection, preset, genesis)
        elif application != APPLICATION_ID:
            raise StoreError(Code.STORE_CORRUPT, file, "not a dagspec store")
        elif version != SCHEMA_VERSION:
            raise StoreError(
                Code.STORE_MISMATCH,
                file,
                f"schema version {version}; this node reads version {SCHEMA_VERSION}",
            )
        if connection.execute("PRAGMA journal_mode = WAL").fetchone()[0] != "wal":
            raise StoreError(Code.STORE_UNAVAILABLE, file, "cannot use a write-ahead log")
        stored = dict(connection.execute("SELECT key, value FROM metadata").fetchall())
        genesis_row = connection.execute(
            "SELECT interval_start, interval_end FROM reachability WHERE hash = ?", (genesis,)
        ).fetchone()
    except sqlite3.DatabaseError as error:
        raise _database_error(file, error) from None
    expected = metadata_rows(preset, genesis)
    if stored.get("schema_version") != expected["schema_version"]:
        raise StoreError(Code.STORE_CORRUPT, file, "metadata: no schema version")
    if stored.get("genesis") != expected["genesis"]:
        raise StoreError(
            Code.STORE_MISMATCH, file, f"made from genesis {stored.get('genesis')}, not {genesis}"
        )
    if stored.get("preset") != expected["preset"]:
        raise StoreError(Code.STORE_MISMATCH, file, _parameter_difference(stored, expected))
    if genesis_row is not None:
        try:
            capacity = Interval(
                unpack_u64(genesis_row[0], "reachability.interval_start"),
                unpack_u64(genesis_row[1], "reachability.interval_end"),
            )
        except StoreError as error:
            raise StoreError(error.code, file, error.message) from None
    return _ReachabilityStore(genesis, capacity or Interval(ROOT_START, ROOT_END), set())


def _create(connection: sqlite3.Connection, preset: Preset, genesis: Hash) -> None:
    """A new store: the tables and the metadata, in one transaction (no block yet)."""
    connection.execute("BEGIN IMMEDIATE")
    create_schema(connection)
    connection.executemany(
        "INSERT INTO metadata VALUES (?, ?)", metadata_rows(preset, genesis).items()
    )
    connection.execute("COMMIT")


def _parameter_difference(stored: dict[str, str], expected: dict[str, str]) -> str:
    """Which parameters differ between the stored preset and the one asked for."""
    try:
        old = json.loads(stored.get("preset", "{}"))
    except ValueError:
        return "metadata: the stored preset is not JSON"
    new = json.loads(expected["preset"])
    if not isinstance(old, dict):
        return "metadata: the stored preset is not a JSON object"
    names = sorted(name for name in old.keys() | new.keys() if old.get(name) != new.get(name))
    shown = ", ".join(f"{name} {old.get(name)!r} stored, {new.get(name)!r} asked" for name in names)
    return f"made with other parameters ({shown})"
