"""The interval tree over the selected-parent tree: insertion, reindexing, the reindex root.

Every block owns an interval; a block's interval strictly contains the intervals of its tree
children (its own last integer is never given to a child) and siblings' intervals are
consecutive, ordered as the children were added. Chain ancestry is then interval containment.

A new block takes the left half of what its selected parent has left after its last child.
When nothing is left, the tree is *reindexed*: climb from the new block to the first ancestor
whose interval is at least its subtree size and re-lay that subtree with
:meth:`Interval.split_exponential`, which gives each child its subtree size plus a share of
the spare room proportional to ``2^subtree_size``.

Re-laying the subtree of an old block would touch almost the whole DAG, so the layout follows
a *reindex root*, a chain block ``reindex_depth`` below the selected tip: when the root moves
down, the intervals along the way are *concentrated* on the new root (its siblings are packed
tightly, ``reindex_slack`` left free on either side). A climb that would pass above the root is
served instead by *reclaiming* free room along the chain from the root up to the block that
needs it (the "earlier than the reindex root" path).

Every operation here keeps the pre-order of the tree, so lists ordered by interval start
(children, future covering sets) stay ordered through any reindex.
"""

from __future__ import annotations

from bisect import bisect_right
from operator import attrgetter
from typing import Final

from reference.hash import Hash
from reference.processes.reachability.interval import (
    Interval,
    IntervalError,
    exponential_shares,
    grow_by_shares,
    left_half_end,
)
from reference.processes.reachability.store import ReachabilityData, ReachabilityStore

_START: Final = attrgetter("start")


class CapacityExhausted(IntervalError):
    """The tree has no room left for a block (impossible below ~2^52 blocks with the
    ``[1, 2^64 - 2]`` root interval; reachable with the tiny capacities tests use).

    Raised before anything changes: the store is left exactly as it was.
    """


def add_tree_block(
    store: ReachabilityStore, block: Hash, parent: ReachabilityData, reindex_slack: int
) -> ReachabilityData:
    """Insert ``block`` as the last tree child of ``parent``, reindexing if out of room.

    The block takes the left half of the room after the parent's last child, cut by
    :func:`left_half_end` as ``Interval.split_half`` cuts it (on plain integers: every
    insertion runs this).
    """
    start = parent.children[-1].end + 1 if parent.children else parent.start
    end = parent.end - 1  # the parent's own last integer is never given to a child
    if start <= end:
        return store.insert(block, parent, start, left_half_end(start, end))
    # The empty interval sits exactly at the end of the parent's child capacity; reclaiming
    # room "after" the reindex root's chain relies on that position.
    node = store.insert(block, parent, start, end)
    try:
        _Reindex(store, reindex_slack).make_room(node)
    except CapacityExhausted:
        store.remove_last_inserted(node)
        raise
    return node


def advance_reindex_root(
    store: ReachabilityStore, hint: ReachabilityData, reindex_depth: int, reindex_slack: int
) -> None:
    """Move the reindex root toward ``reindex_depth`` chain blocks below the tip ``hint``.

    The root only follows ``hint`` onto another chain once ``hint`` is ``reindex_slack``
    heights above it, so alternating reorgs cannot make every block move the root.
    """
    current = store.reindex_root
    ancestor, target = _next_reindex_root(store, hint, reindex_depth, reindex_slack)
    if target is current:
        return
    reindex = _Reindex(store, reindex_slack)
    while ancestor is not target:
        child = _child_toward(ancestor, target)
        reindex.concentrate(ancestor, child)
        ancestor = child
    store.reindex_root = target


def is_chain_ancestor(ancestor: ReachabilityData, descendant: ReachabilityData) -> bool:
    """``ancestor``'s interval contains ``descendant``'s (reflexive)."""
    return ancestor.start <= descendant.start and descendant.end <= ancestor.end


def _next_reindex_root(
    store: ReachabilityStore, hint: ReachabilityData, reindex_depth: int, reindex_slack: int
) -> tuple[ReachabilityData, ReachabilityData]:
    """``(ancestor, target)``: the new root ``target`` and where concentration starts."""
    current = store.reindex_root
    ancestor = target = current
    if not is_chain_ancestor(current, hint):
        if hint.height < current.height + reindex_slack:
            return current, current
        ancestor = target = _common_tree_ancestor(hint, current)
    while target is not hint:
        child = _child_toward(target, hint)
        if hint.height - child.height < reindex_depth:
            break
        target = child
    return ancestor, target


def _common_tree_ancestor(block: ReachabilityData, other: ReachabilityData) -> ReachabilityData:
    current = block
    while not is_chain_ancestor(current, other):
        current = _parent(current)
    return current


def _parent(node: ReachabilityData) -> ReachabilityData:
    if node.parent is None:
        raise IntervalError(f"{node.hash} has no tree parent")
    return node.parent


def _child_toward(ancestor: ReachabilityData, descendant: ReachabilityData) -> ReachabilityData:
    """The tree child of ``ancestor`` that is a chain ancestor of ``descendant``."""
    children = ancestor.children
    index = bisect_right(children, descendant.start, key=_START) - 1
    if index < 0 or not is_chain_ancestor(children[index], descendant):
        raise IntervalError(f"{ancestor.hash} is not a strict chain ancestor of {descendant.hash}")
    return children[index]


def _remaining_after(node: ReachabilityData) -> Interval:
    """Free child capacity after the last child (the node's own last integer excluded)."""
    start = node.children[-1].end + 1 if node.children else node.start
    return Interval(start, node.end - 1)


def _remaining_before(node: ReachabilityData) -> Interval:
    """Free child capacity before the first child."""
    end = node.children[0].start - 1 if node.children else node.end - 1
    return Interval(node.start, end)


def _size(node: ReachabilityData) -> int:
    return node.end - node.start + 1


def _split_exponential_into(
    children: list[ReachabilityData], start: int, end: int, sizes: list[int]
) -> None:
    """Lay ``children`` out as ``Interval(start, end).split_exponential(sizes)`` does.

    The same functions (:func:`exponential_shares`, :func:`grow_by_shares`) on plain
    integers, then the consecutive layout of ``Interval.split_exact``: re-laying is the hot
    loop of reindexing.
    """
    spare = end - start + 1 - sum(sizes)
    if spare < 0:
        raise IntervalError(f"sizes {sizes} cannot be placed in [{start}, {end}]")
    if spare:
        sizes = grow_by_shares(sizes, spare, exponential_shares(sizes, spare))
    for child, size in zip(children, sizes, strict=True):
        child.start = start
        start += size
        child.end = start - 1


def _shift_subtree(node: ReachabilityData, offset: int) -> None:
    stack = [node]
    while stack:
        current = stack.pop()
        current.start += offset
        current.end += offset
        stack.extend(current.children)


class _Reindex:
    """One reindex operation; caches subtree sizes (the tree's shape does not change)."""

    def __init__(self, store: ReachabilityStore, slack: int) -> None:
        self.store = store
        self.slack = slack
        self.sizes: dict[ReachabilityData, int] = {}

    def subtree_size(self, node: ReachabilityData) -> int:
        """Blocks in ``node``'s subtree, itself included (iterative: trees are deep)."""
        sizes = self.sizes
        cached = sizes.get(node)
        if cached is not None:
            return cached
        order: list[ReachabilityData] = []
        stack = [node]
        while stack:
            current = stack.pop()
            children = current.children
            if not children:
                sizes[current] = 1
            elif current not in sizes:
                order.append(current)
                stack.extend(children)
        size_of = sizes.__getitem__
        for current in reversed(order):  # every child comes after its parent in `order`
            sizes[current] = 1 + sum(map(size_of, current.children))
        return sizes[node]

    def propagate(self, node: ReachabilityData) -> None:
        """Re-lay ``node``'s whole subtree inside its interval, by ``split_exponential``."""
        self.subtree_size(node)
        sizes = self.sizes
        queue = [node]
        for current in queue:  # grows while iterated: breadth first
            children = current.children
            if not children:
                continue
            if len(children) == 1:  # the common case on a chain: all room to the one child
                only = children[0]
                only.start, only.end = current.start, current.end - 1
            else:
                _split_exponential_into(
                    children, current.start, current.end - 1, [sizes[c] for c in children]
                )
            queue.extend(children)

    def make_room(self, new_node: ReachabilityData) -> None:
        """Give the empty-interval ``new_node`` room, changing nothing if that is impossible."""
        root = self.store.reindex_root
        current = new_node
        while _size(current) < self.subtree_size(current):
            parent = current.parent
            if parent is None or current is root:
                raise CapacityExhausted(f"no room for {new_node.hash} below {current.hash}")
            if parent is not root and is_chain_ancestor(parent, root):
                self._reclaim_earlier_than_root(current, parent, self.subtree_size(current))
                return
            current = parent
        self.propagate(current)

    def _reclaim_earlier_than_root(
        self, allocation: ReachabilityData, common: ReachabilityData, required: int
    ) -> None:
        """Grow ``allocation`` (a child of ``common``, above the root) by ``required``.

        The room comes from free capacity of the chain from ``common`` down to the root, on
        the side of that chain where ``allocation`` lies; if the chain's free room is not
        enough, the root itself gives up ``required`` plus ``slack`` per chain block (so the
        next such request is served by the chain), and its subtree is re-laid.
        """
        root = self.store.reindex_root
        chosen = _child_toward(common, root)
        before = allocation.start < chosen.start
        free_room = _remaining_before if before else _remaining_after
        collected = 0
        path_length = 0
        kept_free = 0
        current = chosen
        while True:
            if current is root:
                offset = required + self.slack * path_length - collected
                if _size(root) - offset < self.subtree_size(root):
                    raise CapacityExhausted(f"reindex root {root.hash} cannot give {offset}")
                self._give_away(current, offset, before)
                self.propagate(root)
                self._move_siblings(allocation, current, offset, before)
                kept_free = self.slack
                break
            free = free_room(current).size()
            collected += free
            if collected >= required:
                offset = free - (collected - required)
                self._give_away(current, offset, before)
                self._move_siblings(allocation, current, offset, before)
                break
            current = _child_toward(current, root)
            path_length += 1
        # Back up the chain: each block gives away what its moved children freed, keeping
        # `kept_free` for itself.
        current = _parent(current)
        while current is not common:
            offset = free_room(current).size() - kept_free
            self._give_away(current, offset, before)
            self._move_siblings(allocation, current, offset, before)
            current = _parent(current)

    @staticmethod
    def _give_away(node: ReachabilityData, offset: int, before: bool) -> None:
        if before:
            node.start += offset
        else:
            node.end -= offset

    def _move_siblings(
        self, allocation: ReachabilityData, node: ReachabilityData, offset: int, before: bool
    ) -> None:
        """Shift the siblings between ``node`` and ``allocation`` by ``offset`` toward ``node``;
        ``allocation`` (when reached) grows by ``offset`` and is re-laid."""
        siblings = _parent(node).children
        index = siblings.index(node)
        between = reversed(siblings[:index]) if before else iter(siblings[index + 1 :])
        for sibling in between:
            if sibling is allocation:
                if before:
                    sibling.end += offset
                else:
                    sibling.start -= offset
                self.propagate(sibling)
                return
            _shift_subtree(sibling, offset if before else -offset)

    def concentrate(self, parent: ReachabilityData, child: ReachabilityData) -> None:
        """Pack ``child``'s siblings tightly against it and give ``child`` the rest of
        ``parent``, leaving up to ``slack`` free at each edge of ``parent``.

        The free room at an edge is capped by what ``child``'s current interval leaves
        there, so the new allocation always contains ``child``'s interval and ``child``'s
        subtree never moves. (Kaspa reserves the full slack and re-lays ``child``'s whole
        subtree when it no longer fits, which a chain block, usually its parent's first
        child, often does not.)
        """
        siblings = parent.children
        index = siblings.index(child)
        before, after = siblings[:index], siblings[index + 1 :]
        before_sizes = [self.subtree_size(c) for c in before]
        after_sizes = [self.subtree_size(c) for c in after]
        before_sum, after_sum = sum(before_sizes), sum(after_sizes)
        # A valid layout gives every sibling at least its subtree size: both rooms are >= 0.
        left = min(self.slack, child.start - parent.start - before_sum)
        right = min(self.slack, parent.end - 1 - after_sum - child.end)
        packed_before = Interval(parent.start + left, parent.start + left + before_sum - 1)
        packed_after = Interval(parent.end - right - after_sum, parent.end - right - 1)
        for group, sizes, packed in (
            (before, before_sizes, packed_before),
            (after, after_sizes, packed_after),
        ):
            for sibling, part in zip(group, packed.split_exact(sizes), strict=True):
                sibling.set_interval(part)
                self.propagate(sibling)
        child.set_interval(Interval(packed_before.end + 1, packed_after.start - 1))
