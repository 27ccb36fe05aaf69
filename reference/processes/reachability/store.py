"""The data the reachability algorithms work on: one record per block, and the reindex root.

This module holds data only. The interval-tree algorithms (insertion, reindexing, moving the
reindex root) live in :mod:`reference.processes.reachability.tree`, the queries in
:mod:`reference.processes.reachability.service`.

Records point at each other directly (parent, children, future covering set) rather than
through hashes: a query then follows references instead of hashing 32-byte keys, which is
what keeps a query at a few attribute reads and one bisection.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reference.hash import Hash
from reference.processes.reachability.interval import Interval


@dataclass(slots=True, eq=False)
class ReachabilityData:
    """What the reachability service keeps about one block (mutable: reindexing moves it).

    Records compare by identity, so they can key the per-operation caches of the tree
    algorithms.
    """

    hash: Hash
    """The block."""
    start: int
    """First integer of the block's interval in the selected-parent tree."""
    end: int
    """Last integer of the block's interval (``start - 1`` only while a reindex is pending)."""
    parent: ReachabilityData | None
    """Its selected parent: the parent in the tree (``None`` for the root, genesis)."""
    height: int
    """Depth in the tree: genesis 0, otherwise the selected parent's height + 1."""
    children: list[ReachabilityData] = field(default_factory=list)
    """Tree children (blocks whose selected parent this is), ordered by interval start."""
    future_covering_set: list[ReachabilityData] | None = None
    """Blocks that merged this one outside their selected chain, ordered by interval start.

    Every block in the future of this one that is not a chain descendant of it is a chain
    descendant of exactly one of these. ``None`` while empty (most blocks: saves memory).
    """

    def interval(self) -> Interval:
        """The block's interval as a value."""
        return Interval(self.start, self.end)

    def set_interval(self, interval: Interval) -> None:
        """Move the block to ``interval`` (its subtree is not moved)."""
        self.start = interval.start
        self.end = interval.end


class ReachabilityStore:
    """Every block's :class:`ReachabilityData` plus the current reindex root."""

    __slots__ = ("genesis", "nodes", "reindex_root")

    def __init__(self, genesis: Hash, capacity: Interval) -> None:
        root = self.new_record(genesis, capacity.start, capacity.end, None, 0)
        self.nodes: dict[Hash, ReachabilityData] = {genesis: root}
        """Every block added so far, genesis included."""
        self.genesis: ReachabilityData = root
        """The root of the selected-parent tree."""
        self.reindex_root: ReachabilityData = root
        """Reindexing never re-lays blocks above this chain block (see ``tree``)."""

    def insert(
        self, block: Hash, parent: ReachabilityData, start: int, end: int
    ) -> ReachabilityData:
        """Record ``block`` as the last tree child of ``parent`` at ``[start, end]``."""
        node = self.new_record(block, start, end, parent, parent.height + 1)
        parent.children.append(node)
        self.nodes[block] = node
        return node

    def new_record(
        self, block: Hash, start: int, end: int, parent: ReachabilityData | None, height: int
    ) -> ReachabilityData:
        """A record for ``block`` (a durable engine makes records that note their changes)."""
        return ReachabilityData(block, start, end, parent, height)

    def remove_last_inserted(self, node: ReachabilityData) -> None:
        """Undo :meth:`insert` of ``node`` (it must still be its parent's last child, a leaf)."""
        if node.parent is None or node.parent.children[-1] is not node or node.children:
            raise ValueError(f"{node.hash} is not the last inserted leaf")
        node.parent.children.pop()
        del self.nodes[node.hash]
