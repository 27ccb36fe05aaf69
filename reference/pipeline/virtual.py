"""The virtual block: the block a miner would build now, over the current tips.

The *tips* are the blocks without children. The *sink* is the virtual's selected parent.
Without depth bounds it is the tip of largest ``sort_key``, which is also the block of largest
``sort_key`` in the whole DAG, because blue work grows strictly from parent to child. Under
finality (``spec/depth``) it is found by the *sink search*: tips outside the future of the
virtual's finality point are ignored, and a candidate without the finality point on its
selected chain is replaced by its parents in the finality point's future (Kaspa's
``sink_search_algorithm``); the first candidate, in descending ``sort_key``, with the finality
point on its chain is the sink. The virtual's parents are then chosen deterministically (Kaspa
shuffles part of this choice; the spec does not):

1. the sink first — it is the virtual's selected parent;
2. then the other candidates in descending ``sort_key`` (without depth bounds: the other tips;
   under them: what the sink search left, without blocks whose blue work is below that of the
   sink's merge-depth root); each is taken when the virtual still has fewer than
   ``max_block_parents`` parents and the virtual's mergeset, with that candidate merged, stays
   within ``mergeset_size_limit`` (the selected parent counted); a candidate that would exceed
   the limit is skipped and the next one tried;
3. under depth bounds, while the virtual's mergeset holds a *bad red* (a red block breaking
   the bounded merge depth rule from the virtual's point of view), every parent with a bad red
   in its past is dropped and the GHOSTDAG data recomputed.

``VirtualState.parents`` lists them in that order, which is descending ``sort_key``. The
virtual's GHOSTDAG data is computed from those parents exactly like a block's.

The *selected chain* is the sink and its selected-parent ancestors down to genesis. When a new
block becomes the sink, the chain changes: ``removed`` lists the old chain blocks that left it,
from the old sink downwards, and ``added`` the new chain blocks, from just above the fork point
(the highest block on both chains, which stays) upwards to the new sink.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reference import ordering
from reference.hash import ZERO_HASH, Hash
from reference.processes.block_depth import ORIGIN, DepthContext, finality_point, merge_depth_root
from reference.processes.ghostdag.data import GhostdagData
from reference.processes.ghostdag.mergeset import grow_mergeset
from reference.processes.ghostdag.protocol import GhostdagContext, ghostdag
from reference.processes.merge_depth import bad_reds


@dataclass(frozen=True, slots=True)
class ChainChange:
    """How the selected chain moved when the last block was accepted."""

    removed: tuple[Hash, ...]
    """Blocks that left the selected chain, from the old sink downwards (fork point excluded)."""
    added: tuple[Hash, ...]
    """Blocks that joined the selected chain, from just above the fork point up to the new
    sink. Both are empty when the sink did not change."""


NO_CHAIN_CHANGE = ChainChange(removed=(), added=())
"""The chain change of an insertion that left the sink where it was."""


@dataclass(frozen=True, slots=True)
class VirtualState:
    """The virtual block over the current tips, and the last change of the selected chain."""

    parents: tuple[Hash, ...]
    """The virtual's parents in descending ``sort_key`` order: the sink first."""
    selected_parent: Hash
    """The virtual's selected parent: the sink."""
    mergeset_blues: tuple[Hash, ...]
    """Blue mergeset of the virtual: the sink first, then ascending ``sort_key``."""
    mergeset_reds: tuple[Hash, ...]
    """Red mergeset of the virtual, ascending ``sort_key``."""
    blue_score: int
    """Blue score the virtual block would have."""
    blue_work: int
    """Blue work the virtual block would have."""
    chain_change: ChainChange
    """The selected-chain change caused by the last accepted block (none before the first)."""
    merge_depth_root: Hash | None = None
    """The virtual's merge-depth root; ``None`` when computed without depth bounds."""
    finality_point: Hash | None = None
    """The virtual's finality point (the pruning point when that is not on its chain below
    it): the next sink search starts from it. ``None`` when computed without depth bounds."""

    @property
    def sink(self) -> Hash:
        """The virtual's selected parent: the tip of largest ``sort_key`` without depth
        bounds, the result of the sink search under them."""
        return self.selected_parent


@dataclass(frozen=True, slots=True)
class VirtualDepth:
    """What the virtual needs to respect finality and the bounded merge depth."""

    context: DepthContext
    """The block-at-depth context (its stores hold every known block)."""
    pruning_point: Hash
    """The node's current pruning point (genesis until pruning exists)."""
    finality_point: Hash
    """The finality point of the previous virtual (``VirtualState.finality_point``; genesis
    before the first block)."""


@dataclass(frozen=True, slots=True)
class SinkSearch:
    """What the sink search found."""

    sink: Hash
    """The highest-ranked candidate with the finality point on its selected chain."""
    candidates: tuple[Hash, ...]
    """The blocks left in the search's queue, descending ``sort_key``: an antichain, all in
    the finality point's future and none in the sink's past or future."""


def find_sink(context: GhostdagContext, tips: Iterable[Hash], finality: Hash) -> SinkSearch:
    """The sink search from ``tips`` under the finality point ``finality``.

    The queue starts with the tips in ``future(finality)``. The candidate of largest
    ``sort_key`` is taken out; if ``finality`` is on its selected chain it is the sink.
    Otherwise it violates finality, and each of its parents in ``future(finality)`` that is not
    in the past of a block still queued joins the queue (so the queue stays an antichain).
    """
    get = context.ghostdag_store.get
    is_dag_ancestor_of = context.reachability.is_dag_ancestor_of
    is_chain_ancestor_of = context.reachability.is_chain_ancestor_of
    # Ascending sort_key: the candidate of largest key is at the end.
    queue = sorted(ordering.sort_key(get(tip)) for tip in tips if is_dag_ancestor_of(finality, tip))
    while queue:
        candidate = queue.pop()[1]
        if is_chain_ancestor_of(finality, candidate):
            return SinkSearch(candidate, tuple(key[1] for key in reversed(queue)))
        for parent in context.relations.parents(candidate):
            if not is_dag_ancestor_of(finality, parent):
                continue
            if any(is_dag_ancestor_of(parent, queued[1]) for queued in queue):
                continue
            insort(queue, ordering.sort_key(get(parent)))
    # The finality point is in the past of some tip and on its own chain: a caller's bug.
    raise RuntimeError(f"no block in the future of the finality point {finality}")


def pick_virtual_parents(
    context: GhostdagContext,
    sink: Hash,
    candidates: Sequence[Hash],
    max_block_parents: int,
    mergeset_size_limit: int,
) -> tuple[Hash, ...]:
    """The virtual's parents: ``sink``, then ``candidates`` (descending ``sort_key``) greedily."""
    parents = [sink]
    merged: set[Hash] = set()
    for candidate in candidates:
        if len(parents) == max_block_parents:
            break
        added = grow_mergeset(sink, (candidate,), merged, context.relations, context.reachability)
        # The selected parent counts towards the limit, as it does for a block.
        if 1 + len(merged) + len(added) > mergeset_size_limit:
            continue
        parents.append(candidate)
        merged |= added
    return tuple(parents)


def drop_bad_merging_parents(
    context: GhostdagContext, depth: VirtualDepth, parents: Sequence[Hash]
) -> tuple[tuple[Hash, ...], GhostdagData, Hash]:
    """Parents that merge no bad red, with the virtual's GHOSTDAG data and merge-depth root.

    While the virtual over ``parents`` has bad reds, every parent with a bad red in its past is
    dropped. A bad red is outside the sink's past, so the sink always stays; the parents shrink
    on each round, so the loop ends. Kaspa does one round; a second is needed only when
    recolouring the smaller mergeset leaves another bad red, which Kaspa would then merge.
    """
    is_dag_ancestor_of = context.reachability.is_dag_ancestor_of
    kept = tuple(parents)
    while True:
        # The virtual has no hash of its own; the all-zero placeholder never names a block.
        data = ghostdag(context, ZERO_HASH, kept)
        root = merge_depth_root(depth.context, data, depth.pruning_point)
        bad = bad_reds(data, root, context.reachability)
        if not bad:
            return kept, data, root
        kept = tuple(
            parent for parent in kept if not any(is_dag_ancestor_of(red, parent) for red in bad)
        )


def virtual_finality_point(depth: VirtualDepth, data: GhostdagData) -> Hash:
    """The finality point of a virtual with GHOSTDAG data ``data``.

    The block at depth ``finality_depth``, or the pruning point when that block is not above
    the pruning point on its chain (right after a pruning-point sync).
    """
    point = finality_point(depth.context, data, depth.pruning_point)
    if point == ORIGIN or not depth.context.reachability.is_chain_ancestor_of(
        depth.pruning_point, point
    ):
        return depth.pruning_point
    return point


def chain_change(context: GhostdagContext, old_sink: Hash, new_sink: Hash) -> ChainChange:
    """The selected-chain change from ``old_sink``'s chain to ``new_sink``'s chain."""
    if old_sink == new_sink:
        return NO_CHAIN_CHANGE
    get = context.ghostdag_store.get
    is_chain_ancestor_of = context.reachability.is_chain_ancestor_of
    added: list[Hash] = []
    fork: Hash | None = new_sink
    while fork is not None and not is_chain_ancestor_of(fork, old_sink):
        added.append(fork)
        fork = get(fork).selected_parent
    removed: list[Hash] = []
    current: Hash | None = old_sink
    while current is not None and current != fork:
        removed.append(current)
        current = get(current).selected_parent
    return ChainChange(removed=tuple(removed), added=tuple(reversed(added)))


def virtual_state(
    context: GhostdagContext,
    tips: Iterable[Hash],
    max_block_parents: int,
    mergeset_size_limit: int,
    last_chain_change: ChainChange,
    *,
    depth: VirtualDepth | None = None,
) -> VirtualState:
    """The virtual block over ``tips``; ``depth`` None: without finality or merge depth."""
    get = context.ghostdag_store.get
    if depth is None:
        ranked = sorted(tips, key=lambda tip: ordering.sort_key(get(tip)), reverse=True)
        sink, candidates = ranked[0], ranked[1:]
    else:
        search = find_sink(context, tips, depth.finality_point)
        sink = search.sink
        # Blocks below the sink's merge-depth root in blue work would only be merged red.
        root = depth.context.depth_store.merge_depth_root(sink)
        floor = 0 if root == ORIGIN else get(root).blue_work
        candidates = [block for block in search.candidates if get(block).blue_work >= floor]
    parents = pick_virtual_parents(
        context, sink, candidates, max_block_parents, mergeset_size_limit
    )
    root_of_virtual: Hash | None = None
    finality_of_virtual: Hash | None = None
    if depth is None:
        data = ghostdag(context, ZERO_HASH, parents)
    else:
        parents, data, root_of_virtual = drop_bad_merging_parents(context, depth, parents)
        finality_of_virtual = virtual_finality_point(depth, data)
    return VirtualState(
        parents=parents,
        selected_parent=sink,
        mergeset_blues=data.mergeset_blues,
        mergeset_reds=data.mergeset_reds,
        blue_score=data.blue_score,
        blue_work=data.blue_work,
        chain_change=last_chain_change,
        merge_depth_root=root_of_virtual,
        finality_point=finality_of_virtual,
    )
