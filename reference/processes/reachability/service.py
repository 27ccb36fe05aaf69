"""The reachability service: chain and DAG ancestry in a few comparisons.

``is_chain_ancestor_of(a, d)`` is interval containment in the selected-parent tree.
``is_dag_ancestor_of(a, d)`` adds the *future covering set* of ``a``: every block that merged
``a`` outside its own selected chain, ordered by interval start. Any block in the future of
``a`` either has ``a`` on its selected chain or has one of those blocks on it, so one bisection
in that list answers the query.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from operator import attrgetter
from typing import Final

from reference.errors import (
    BlockRejected,
    Code,
    InconsistentMergeset,
    InvalidParameter,
    UnknownBlock,
)
from reference.hash import Hash
from reference.processes.reachability.interval import ROOT_END, ROOT_START, Interval
from reference.processes.reachability.store import ReachabilityData, ReachabilityStore
from reference.processes.reachability.tree import add_tree_block, advance_reindex_root

_START: Final = attrgetter("start")


class ReachabilityService:
    """Interval-tree reachability (implements ``Reachability``), as Kaspa specifies it."""

    __slots__ = ("_holders", "_nodes", "_reindex_depth", "_reindex_slack", "store")

    def __init__(
        self,
        genesis: Hash,
        *,
        reindex_depth: int,
        reindex_slack: int,
        capacity: Interval | None = None,
        store: ReachabilityStore | None = None,
    ) -> None:
        """A service holding only ``genesis``, or continuing ``store``.

        ``capacity`` is the root's interval, ``[1, 2^64 - 2]`` unless given: tests pass a
        small one to make every reindexing path run on small DAGs. ``store`` is an existing
        store rooted at ``genesis`` (a durable engine's, reopened from disk); its root already
        has its interval, so ``capacity`` is not given with it.
        """
        if isinstance(reindex_depth, bool) or not isinstance(reindex_depth, int):
            raise InvalidParameter("reindex_depth", reindex_depth, "must be an integer")
        if isinstance(reindex_slack, bool) or not isinstance(reindex_slack, int):
            raise InvalidParameter("reindex_slack", reindex_slack, "must be an integer")
        if reindex_depth < 1:
            raise InvalidParameter("reindex_depth", reindex_depth, "must be >= 1")
        if reindex_slack < 0:
            raise InvalidParameter("reindex_slack", reindex_slack, "must be >= 0")
        if store is not None:
            if capacity is not None:
                raise InvalidParameter("capacity", capacity, "a given store has its capacity")
            if store.genesis.hash != genesis:
                raise InvalidParameter("store", store.genesis.hash, f"not rooted at {genesis}")
        else:
            root = capacity if capacity is not None else Interval(ROOT_START, ROOT_END)
            if root.size() < 1:
                raise InvalidParameter("capacity", root, "genesis needs a non-empty interval")
            store = ReachabilityStore(genesis, root)
        self.store: Final = store
        """The per-block data (read by the invariant checker)."""
        self._nodes = self.store.nodes
        self._reindex_depth = reindex_depth
        self._reindex_slack = reindex_slack
        self._holders: dict[ReachabilityData, list[ReachabilityData]] | None = None

    def has_block(self, block: Hash) -> bool:
        """True when ``block`` has been added (genesis included)."""
        return block in self._nodes

    def add_block(self, block: Hash, selected_parent: Hash, mergeset: Sequence[Hash]) -> None:
        """Add ``block`` below ``selected_parent``, merging ``mergeset`` (any order).

        Rejected, with the service unchanged: a block already added (``DUPLICATE_BLOCK``), an
        unknown selected parent or merged block (``UNKNOWN_BLOCK``), a merged block named twice
        or already in the selected parent's past (``INCONSISTENT_MERGESET``).
        """
        nodes = self._nodes
        if block in nodes:
            raise BlockRejected(Code.DUPLICATE_BLOCK, block, f"{block} was already added")
        parent = nodes.get(selected_parent)
        if parent is None:
            raise UnknownBlock(selected_parent)
        merged = []
        for hash_ in mergeset:
            node = nodes.get(hash_)
            if node is None:
                raise UnknownBlock(hash_)
            if _is_dag_ancestor(node, parent):
                raise InconsistentMergeset(
                    block, hash_, f"{hash_} is in the past of the selected parent"
                )
            merged.append(node)
        if len(merged) > 1 and len({id(node) for node in merged}) != len(merged):
            raise InconsistentMergeset(block, mergeset, "the mergeset names a block twice")
        new_node = add_tree_block(self.store, block, parent, self._reindex_slack)
        for node in merged:
            _cover(node, new_node)
        if self._holders is not None and merged:
            self._holders[new_node] = merged

    def can_delete(self, block: Hash) -> bool:
        """False for the root (genesis) and the reindex root, which reachability needs."""
        node = self._node(block)
        return node.parent is not None and node is not self.store.reindex_root

    def delete_block(self, block: Hash) -> None:
        """Forget ``block`` (pruning), keeping every answer about the blocks that stay.

        Kaspa's ``delete_block``: the block's tree children take its place among its tree
        parent's children (its parent becomes theirs), and its place in every future covering
        set that holds it — its children's intervals lie inside its own, so both kinds of list
        stay ordered and disjoint. Its interval goes to its children (the first takes its
        start, the last its end), or without children to the sibling on its left. Heights are
        left as they were: only their differences along a chain are ever read. Genesis, the
        root, and the reindex root are never deleted (``BAD_PARAMETER``).

        A covering set may hold the block because it merged the block's owner, or because it
        took the block's place when a tree ancestor of it was deleted before; so the holders
        of each block are indexed (built at the first deletion, kept up by later insertions).
        """
        if not self.can_delete(block):
            raise InvalidParameter("block", block, "the root and the reindex root stay")
        node = self._nodes[block]
        parent = node.parent
        if parent is None:  # checked by can_delete: a bug
            raise RuntimeError("the root has no parent to give its place to")
        holders = self._holders_index()
        position = next(i for i, child in enumerate(parent.children) if child is node)
        children = node.children
        parent.children[position : position + 1] = children
        for child in children:
            child.parent = parent
        for holder in holders.pop(node, ()):
            covering = holder.future_covering_set
            if covering is None:
                continue
            index = next((i for i, cover in enumerate(covering) if cover is node), None)
            if index is None:
                continue
            covering[index : index + 1] = children
            holder.future_covering_set = covering or None
            for child in children:
                holders.setdefault(child, []).append(holder)
        for cover in node.future_covering_set or ():
            held_by = holders.get(cover)
            if held_by is not None:
                held_by[:] = [holder for holder in held_by if holder is not node]
        if len(children) == 1:
            children[0].set_interval(node.interval())
        elif children:
            first, last = children[0], children[-1]
            first.set_interval(Interval(node.start, first.end))
            last.set_interval(Interval(last.start, node.end))
        elif position > 0:
            sibling = parent.children[position - 1]
            sibling.set_interval(Interval(sibling.start, node.end))
        del self._nodes[block]

    def _holders_index(self) -> dict[ReachabilityData, list[ReachabilityData]]:
        """``covered block -> blocks whose future covering set holds it``."""
        if self._holders is None:
            holders: dict[ReachabilityData, list[ReachabilityData]] = {}
            for node in self._nodes.values():
                for cover in node.future_covering_set or ():
                    holders.setdefault(cover, []).append(node)
            self._holders = holders
        return self._holders

    def hint_selected_tip(self, block: Hash) -> None:
        """The virtual's selected parent is now ``block``: let the reindex root follow it."""
        advance_reindex_root(
            self.store, self._node(block), self._reindex_depth, self._reindex_slack
        )

    def is_chain_ancestor_of(self, ancestor: Hash, descendant: Hash) -> bool:
        """``ancestor`` is on the selected-parent chain of ``descendant`` (reflexive)."""
        try:
            above = self._nodes[ancestor]
            below = self._nodes[descendant]
        except KeyError as error:
            raise UnknownBlock(error.args[0]) from None
        return above.start <= below.start and below.end <= above.end

    def is_dag_ancestor_of(self, ancestor: Hash, descendant: Hash) -> bool:
        """``ancestor`` is in the past of ``descendant`` (reflexive)."""
        try:
            above = self._nodes[ancestor]
            below = self._nodes[descendant]
        except KeyError as error:
            raise UnknownBlock(error.args[0]) from None
        return _is_dag_ancestor(above, below)

    def _node(self, block: Hash) -> ReachabilityData:
        node = self._nodes.get(block)
        if node is None:
            raise UnknownBlock(block)
        return node


def _is_dag_ancestor(ancestor: ReachabilityData, descendant: ReachabilityData) -> bool:
    """Chain containment, else the one covering block that could hold ``descendant``."""
    start, end = descendant.start, descendant.end
    if ancestor.start <= start and end <= ancestor.end:
        return True
    covering = ancestor.future_covering_set
    if not covering:
        return False
    # Covering intervals are disjoint and ordered: only the last one starting at or before
    # `descendant` can contain it.
    index = bisect_right(covering, start, key=_START)
    if index == 0:
        return False
    candidate = covering[index - 1]
    return candidate.start <= start and end <= candidate.end


def _cover(merged: ReachabilityData, new_node: ReachabilityData) -> None:
    """Record that ``new_node`` merged ``merged`` outside its selected chain.

    No covering block of ``merged`` is a chain ancestor of ``new_node`` (``merged`` is not in
    its selected parent's past) and ``new_node`` is a leaf, so the covering set stays disjoint.
    """
    covering = merged.future_covering_set
    if covering is None:
        merged.future_covering_set = [new_node]
        return
    covering.insert(bisect_right(covering, new_node.start, key=_START), new_node)
