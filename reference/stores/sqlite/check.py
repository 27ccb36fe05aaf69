"""A consistency check of a store file, reading it as an auditor would.

:func:`check_store` opens a store read-only and lists every way it breaks the schema's
promises (``spec/store``): every block is stored whole (a row in every per-block table, none
without its block), every hash a row names is a stored block, the DAG's edges, the
reachability tree, the future covering sets, the tips and the virtual state agree with each
other, and every body decodes. An empty list means the file is consistent. The check reads the
tables directly, not through the engine, so it also finds what loading would not.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from itertools import pairwise
from pathlib import Path

from reference.errors import DagspecError
from reference.hash import Hash
from reference.header_wire import header_from_wire
from reference.processes.block_depth import ORIGIN
from reference.processes.ghostdag.data import GhostdagData
from reference.stores.sqlite.rows import (
    ghostdag_from_row,
    unpack_hash,
    unpack_hashes,
    unpack_int,
    unpack_u64,
    virtual_from_row,
)
from reference.stores.sqlite.schema import APPLICATION_ID, SCHEMA_VERSION, create_schema
from reference.stores.statuses import BlockStatus
from reference.transaction.encoding import decode_transaction


def check_store(path: str | os.PathLike[str]) -> list[str]:
    """Every inconsistency of the store file at ``path``; empty when there is none."""
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as error:
        return [f"cannot open: {error}"]
    try:
        return _Check(connection).run()
    except (sqlite3.Error, DagspecError) as error:
        return [f"unreadable: {error}"]
    finally:
        connection.close()


class _Check:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        self.problems: list[str] = []
        self.blocks: set[Hash] = set()
        self.children: dict[Hash, set[Hash]] = {}
        self.header_mode: set[Hash] = set()
        self.genesis: Hash | None = None
        self.metadata_genesis: object = None
        self.pruned = False
        """True once the pruning point has moved: blocks may then name deleted blocks."""

    def genesis_hash(self) -> Hash:
        if self.genesis is None:
            raise RuntimeError("genesis is known once the headers are read")
        return self.genesis

    def rows(self, query: str) -> list[tuple[object, ...]]:
        return self.connection.execute(query).fetchall()

    def fail(self, problem: str) -> None:
        self.problems.append(problem)

    def require_blocks(self, hashes: Iterable[Hash], where: str) -> None:
        for block in hashes:
            if block not in self.blocks:
                self.fail(f"{where} names {block}, which is not a stored block")

    def require_unless_pruned(self, hashes: Iterable[Hash], where: str) -> None:
        """Like :meth:`require_blocks`, except in a store that has pruned, where a block
        kept may name one deleted below the pruning point."""
        if not self.pruned:
            self.require_blocks(hashes, where)

    def run(self) -> list[str]:
        if not self.identity():
            return self.problems
        (points,) = self.connection.execute("SELECT count(*) FROM past_pruning_points").fetchone()
        self.pruned = points > 1
        ghostdag = self.headers_and_parents()
        if ghostdag is not None:
            self.per_block_tables()
            self.reachability(ghostdag)
            self.tips_and_virtual()
            self.bodies()
        return self.problems

    def identity(self) -> bool:
        """The file's header, SQLite's own integrity check and the schema."""
        execute = self.connection.execute
        if execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            self.fail("not a dagspec store (application_id)")
            return False
        if execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            self.fail("another schema version (user_version)")
            return False
        verdict = execute("PRAGMA integrity_check").fetchall()
        if verdict != [("ok",)]:
            self.fail(f"SQLite integrity check: {verdict[:5]}")
        expected = sqlite3.connect(":memory:")
        create_schema(expected)
        query = "SELECT type, name, sql FROM sqlite_schema ORDER BY name"
        if self.rows(query) != expected.execute(query).fetchall():
            self.fail("the tables are not those of the schema")
            return False
        metadata = {str(key): value for key, value in self.rows("SELECT * FROM metadata")}
        if metadata.keys() != {"schema_version", "preset", "genesis"}:
            self.fail(f"metadata: keys {sorted(metadata)}")
        if metadata.get("schema_version") != str(SCHEMA_VERSION):
            self.fail(f"metadata: schema version {metadata.get('schema_version')!r}")
        self.metadata_genesis = metadata.get("genesis")
        return True

    def headers_and_parents(self) -> dict[Hash, GhostdagData] | None:
        """Headers, their ordinals and parents, and the GHOSTDAG rows beside them."""
        ordinal: dict[Hash, int] = {}
        wires: dict[Hash, object] = {}
        for block_bytes, number, wire in self.rows("SELECT hash, ordinal, wire FROM headers"):
            block = unpack_hash(block_bytes, "headers.hash")
            ordinal[block] = unpack_int(number, "headers.ordinal")
            wires[block] = wire
        self.blocks = set(ordinal)
        if sorted(ordinal.values()) != list(range(len(ordinal))) and not self.pruned:
            self.fail("headers: the ordinals are not 0, 1, 2, ...")
        if not ordinal:
            return None
        genesis = min(ordinal, key=ordinal.__getitem__)
        if genesis.hex() != self.metadata_genesis:
            self.fail(f"the first block {genesis} is not the genesis of the metadata")
        parents: dict[Hash, list[tuple[int, Hash]]] = {}
        for child, position, parent in self.rows("SELECT block, position, parent FROM parents"):
            listed = parents.setdefault(unpack_hash(child, "parents.block"), [])
            number = unpack_int(position, "parents.position")
            listed.append((number, unpack_hash(parent, "parents.parent")))
        self.require_blocks(parents, "parents.block")
        for block in self.blocks:
            listed = sorted(parents.get(block, []))
            if [position for position, _ in listed] != list(range(len(listed))):
                self.fail(f"parents of {block}: positions are not 0, 1, ...")
            hashes = tuple(parent for _, parent in listed)
            if (block == genesis) != (not hashes):
                self.fail(f"{block}: only genesis has no parents")
            self.require_unless_pruned(hashes, f"parents of {block}")
            if any(ordinal.get(parent, -1) >= ordinal[block] for parent in hashes):
                self.fail(f"{block}: a parent was stored after it")
            wire = wires[block]
            if isinstance(wire, bytes) and header_from_wire(wire).parents != hashes:
                self.fail(f"{block}: the parents rows are not the header's parents")
        self.children = {block: set() for block in self.blocks}
        for block, listed in parents.items():
            for _, parent in listed:
                self.children.setdefault(parent, set()).add(block)
        self.header_mode = {block for block, wire in wires.items() if wire is not None}
        self.genesis = genesis
        ghostdag: dict[Hash, GhostdagData] = {}
        for row in self.rows("SELECT * FROM ghostdag"):
            data = ghostdag_from_row(row)
            ghostdag[data.hash] = data
            self.require_blocks([data.hash], "ghostdag")
            if (data.selected_parent is None) != (data.hash == genesis):
                self.fail(f"ghostdag of {data.hash}: only genesis has no selected parent")
            named = (*data.mergeset_blues, *data.mergeset_reds, *data.blues_anticone_sizes)
            self.require_unless_pruned(named, f"ghostdag of {data.hash}")
        self.same_blocks(ghostdag, "ghostdag")
        return ghostdag

    def same_blocks(
        self, keys: Iterable[Hash], table: str, blocks: set[Hash] | None = None
    ) -> None:
        """``table`` has a row for each of ``blocks`` (every block) and for nothing else."""
        wanted = self.blocks if blocks is None else blocks
        found = set(keys)
        for block in sorted(wanted - found):
            self.fail(f"{table}: no row for block {block} (stored in part)")
        for block in sorted(found - wanted):
            self.fail(f"{table}: a row for {block}, which is not a stored block")

    def per_block_tables(self) -> None:
        """Statuses, depth, pruning data and the non-DAA mergesets."""
        accepted: list[Hash] = []
        for block_bytes, status in self.rows("SELECT hash, status FROM statuses"):
            block = unpack_hash(block_bytes, "statuses.hash")
            if status not in {s.value for s in BlockStatus}:
                self.fail(f"statuses of {block}: unknown status {status!r}")
            elif (status == BlockStatus.INVALID) == (block in self.blocks):
                stored = "a stored block" if block in self.blocks else "a block not stored"
                self.fail(f"statuses of {block}: {status} for {stored}")
            if block in self.blocks:
                accepted.append(block)
        self.same_blocks(accepted, "statuses")
        depth = []
        for block_bytes, root, finality in self.rows("SELECT * FROM depth"):
            block = unpack_hash(block_bytes, "depth.hash")
            named = [unpack_hash(root, "depth.root"), unpack_hash(finality, "depth.finality")]
            # ORIGIN: below the pruning point, where the walk has no stored block to stop at.
            self.require_unless_pruned(
                [value for value in named if value != ORIGIN], f"depth of {block}"
            )
            depth.append(block)
        self.same_blocks(depth, "depth")
        pruning = []
        for block_bytes, sample, point in self.rows("SELECT * FROM pruning_samples"):
            block = unpack_hash(block_bytes, "pruning_samples.hash")
            named = [
                unpack_hash(sample, "pruning_samples.pruning_sample"),
                unpack_hash(point, "pruning_samples.pruning_point"),
            ]
            self.require_unless_pruned(named, f"pruning_samples of {block}")
            pruning.append(block)
        self.same_blocks(pruning, "pruning_samples")
        positions = []
        for position, point in self.rows("SELECT * FROM past_pruning_points ORDER BY position"):
            positions.append(position)
            hash_ = unpack_hash(point, "past_pruning_points.hash")
            self.require_blocks([hash_], f"past pruning point {position}")
            if position == 0 and hash_ != self.genesis_hash():
                self.fail("past_pruning_points: index 0 is not genesis")
        if positions != list(range(len(positions))) or not positions:
            self.fail("past_pruning_points: the positions are not 0, 1, 2, ...")
        for block_bytes, kind in self.rows("SELECT hash, kind FROM retention"):
            block = unpack_hash(block_bytes, "retention.hash")
            self.require_blocks([block], f"retention ({kind})")
        non_daa = []
        for block_bytes, merged in self.rows("SELECT hash, blocks FROM non_daa_mergeset"):
            block = unpack_hash(block_bytes, "non_daa_mergeset.hash")
            hashes = unpack_hashes(merged, "non_daa_mergeset.blocks")
            self.require_unless_pruned(hashes, f"non_daa_mergeset of {block}")
            if list(hashes) != sorted(set(hashes)):
                self.fail(f"non_daa_mergeset of {block}: not sorted and distinct")
            non_daa.append(block)
        self.same_blocks(non_daa, "non_daa_mergeset", self.header_mode - {self.genesis_hash()})

    def reachability(self, ghostdag: dict[Hash, GhostdagData]) -> None:
        """The tree is the selected-parent tree, intervals nest, covering sets are the
        mergesets seen from the other side."""
        nodes: dict[Hash, tuple[Hash | None, int, int, int]] = {}
        for block, parent, height, start, end in self.rows("SELECT * FROM reachability"):
            key = unpack_hash(block, "reachability.hash")
            tree_parent = None if parent is None else unpack_hash(parent, "tree_parent")
            nodes[key] = (
                tree_parent,
                unpack_int(height, "reachability.height"),
                unpack_u64(start, "reachability.interval_start"),
                unpack_u64(end, "reachability.interval_end"),
            )
        self.same_blocks(nodes, "reachability")
        siblings: dict[Hash, list[tuple[int, int]]] = {}
        for block, (parent, height, start, end) in nodes.items():
            data = ghostdag.get(block)
            # Pruning gives a block whose selected parent it deleted that parent's tree parent.
            reparented = self.pruned and data is not None and data.selected_parent not in nodes
            if data is not None and parent != data.selected_parent and not reparented:
                self.fail(f"reachability of {block}: tree parent is not the selected parent")
            if parent is None:
                if height != 0:
                    self.fail(f"reachability of {block}: the root's height is not 0")
                continue
            above = nodes.get(parent)
            if above is None:
                continue
            if height != above[1] + 1 and not (reparented and height > above[1]):
                self.fail(f"reachability of {block}: height is not its tree parent's + 1")
            if not (above[2] <= start <= end < above[3]):
                self.fail(f"reachability of {block}: interval outside its tree parent's")
            siblings.setdefault(parent, []).append((start, end))
        for parent, intervals in siblings.items():
            intervals.sort()
            for (_, end), (start, _) in pairwise(intervals):
                if start <= end:
                    self.fail(f"reachability: children of {parent} overlap")
        covering = set()
        for merged, cover in self.rows("SELECT block, covering FROM future_covering_sets"):
            covering.add((unpack_hash(merged, "fcs.block"), unpack_hash(cover, "fcs.covering")))
        expected = {
            (merged, data.hash)
            for data in ghostdag.values()
            for merged in data.mergeset_without_selected_parent()
        }
        if self.pruned:
            # A deleted cover's place went to its tree children: rows only among blocks held,
            # and every merge between two blocks held still covered.
            for merged, cover in covering:
                self.require_blocks([merged, cover], "future_covering_sets")
            expected = {(m, c) for m, c in expected if m in self.blocks}
            for merged, cover in sorted(expected - covering):
                self.fail(f"future_covering_sets: missing row ({merged}, {cover})")
        else:
            for merged, cover in sorted(covering ^ expected):
                side = "extra" if (merged, cover) in covering else "missing"
                self.fail(f"future_covering_sets: {side} row ({merged}, {cover})")
        root = self.rows("SELECT hash FROM reindex_root")
        if len(root) != 1:
            self.fail("reindex_root: not exactly one row")
        else:
            self.require_blocks([unpack_hash(root[0][0], "reindex_root.hash")], "reindex_root")

    def tips_and_virtual(self) -> None:
        tips = {unpack_hash(row[0], "tips.hash") for row in self.rows("SELECT hash FROM tips")}
        childless = {block for block, children in self.children.items() if not children}
        # A block kept below the pruning point may have lost every child to pruning.
        if tips != childless and not (self.pruned and tips <= childless):
            self.fail("tips: not the blocks without children")
        state = self.rows("SELECT * FROM virtual_state")
        if len(state) != 1:
            self.fail("virtual_state: not exactly one row")
            return
        virtual = virtual_from_row(state[0][1:])
        if not virtual.parents or virtual.parents[0] != virtual.selected_parent:
            self.fail("virtual_state: the selected parent is not the first parent")
        named = (
            *virtual.parents,
            *virtual.mergeset_blues,
            *virtual.mergeset_reds,
            *virtual.chain_change.removed,
            *virtual.chain_change.added,
            *(h for h in (virtual.merge_depth_root, virtual.finality_point) if h is not None),
        )
        if self.pruned:
            # Near the pruning point, the blocks at depth are ORIGIN (``spec/depth``).
            named = tuple(block for block in named if block != ORIGIN)
        self.require_blocks(named, "virtual_state")

    def bodies(self) -> None:
        counts = {
            unpack_hash(block, "bodies.hash"): unpack_int(count, "bodies.count")
            for block, count in self.rows("SELECT hash, transaction_count FROM bodies")
        }
        self.require_blocks(counts, "bodies")
        positions: dict[Hash, list[int]] = {}
        for block, position, encoded in self.rows("SELECT * FROM body_transactions"):
            key = unpack_hash(block, "body_transactions.block")
            positions.setdefault(key, []).append(unpack_int(position, "body_transactions.position"))
            if not isinstance(encoded, bytes):
                self.fail(f"body of {key}: a transaction is not a BLOB")
                continue
            try:
                decode_transaction(encoded)
            except DagspecError as error:
                self.fail(f"body of {key}: transaction {position} does not decode ({error})")
        for block in counts.keys() | positions.keys():
            if sorted(positions.get(block, [])) != list(range(counts.get(block, -1))):
                self.fail(f"body of {block}: transactions do not match its count")
