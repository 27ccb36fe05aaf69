"""Pruning points by blue score: pruning samples, the expected header pruning point, the node's
pruning point, and the two header rules built on them (``spec/pruning``).

As Kaspa since Crescendo (rusty-kaspa ``processes/pruning.rs``), blue scores are cut into
*finality epochs* of ``finality_depth`` (F): the *finality score* of a blue score ``bs`` is
``bs // F``. The first block of each epoch on a selected chain — a block whose finality score
exceeds its selected parent's — is a *pruning sample*. Every block stores the highest sample
below it on its selected chain (its *pruning sample from its point of view*), so the samples
of a chain are a linked list that is walked a few links at a time.

A block's *expected header pruning point* is, by definition, the highest sample on its chain
at least ``pruning_depth`` (P) below it in blue score (genesis if none), found by walking the
sample links from the block's own sample, subject to two clamps: a sample block walks at most
``ceil(P / F)`` links, and no block walks past its selected parent's pruning point (so the
pruning point never moves back along a chain).

Every function here reads the stores through the accessors of :class:`PruningContext` and
writes nothing: the caller stores what they return.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reference import ordering
from reference.errors import BlockRejected, Code
from reference.hash import Hash
from reference.header import BlockHeader
from reference.processes.ghostdag.data import GhostdagData
from reference.processes.reachability.api import Reachability
from reference.stores.pruning import BlockPruning


@dataclass(frozen=True, slots=True)
class PruningContext:
    """Everything the pruning computations read."""

    genesis: Hash
    """The genesis block: every chain's lowest pruning sample and first pruning point."""
    finality_depth: int | None
    """F, the length of a finality epoch in blue score; ``None``: no epochs, so no pruning
    samples, and every pruning point is genesis."""
    pruning_depth: int
    """P, the least blue-score distance from a block down to its pruning point."""
    ghostdag: Callable[[Hash], GhostdagData]
    """The GHOSTDAG data (blue score, selected parent) of an accepted block."""
    pruning: Callable[[Hash], BlockPruning]
    """The stored pruning sample and pruning point of an accepted block."""
    reachability: Reachability
    """Ancestry queries over the accepted blocks."""

    @property
    def sample_steps(self) -> int:
        """``ceil(P / F)``: the most sample links a pruning sample walks (its clamp)."""
        if self.finality_depth is None:
            return 1
        return -(-self.pruning_depth // self.finality_depth)


def finality_score(blue_score: int, finality_depth: int) -> int:
    """The finality epoch of a blue score: ``blue_score // finality_depth``."""
    return blue_score // finality_depth


def is_pruning_sample(context: PruningContext, data: GhostdagData) -> bool:
    """True when the block of ``data`` starts a new finality epoch on its selected chain: its
    finality score exceeds its selected parent's. Genesis is not a sample (it is every
    chain's bottom instead)."""
    selected_parent = data.selected_parent
    if selected_parent is None or context.finality_depth is None:
        return False
    depth = context.finality_depth
    parent_score = context.ghostdag(selected_parent).blue_score
    return finality_score(data.blue_score, depth) > finality_score(parent_score, depth)


def pruning_sample_from_pov(context: PruningContext, data: GhostdagData) -> Hash:
    """The highest pruning sample on the selected chain of the block's selected parent (the
    selected parent included); genesis when there is none, and for genesis itself."""
    selected_parent = data.selected_parent
    if selected_parent is None or selected_parent == context.genesis:
        return context.genesis
    if is_pruning_sample(context, context.ghostdag(selected_parent)):
        return selected_parent
    return context.pruning(selected_parent).pruning_sample


def expected_header_pruning_point(context: PruningContext, data: GhostdagData) -> Hash:
    """The pruning point the header of the block of ``data`` must carry (it need not be
    stored yet; its selected chain must be).

    Walk the sample links down from the block's own pruning sample, stopping at the first
    sample that is genesis, or at least ``P`` below the block in blue score, or — the two
    clamps — the ``ceil(P / F)``-th when the block is itself a sample, or its selected
    parent's pruning point.
    """
    selected_parent = data.selected_parent
    if selected_parent is None:
        return context.genesis
    is_sample = is_pruning_sample(context, data)
    parent_pruning_point = context.pruning(selected_parent).pruning_point
    current = pruning_sample_from_pov(context, data)
    steps = 1
    while True:
        if current == context.genesis:
            return current
        if context.ghostdag(current).blue_score + context.pruning_depth <= data.blue_score:
            return current
        if is_sample and steps == context.sample_steps:
            return current
        if current == parent_pruning_point:
            return current
        current = context.pruning(current).pruning_sample
        steps += 1


def block_pruning(context: PruningContext, data: GhostdagData) -> BlockPruning:
    """Both pruning values of a new block: what is stored for it when it is accepted."""
    return BlockPruning(
        pruning_sample=pruning_sample_from_pov(context, data),
        pruning_point=expected_header_pruning_point(context, data),
    )


def genesis_pruning(genesis: Hash) -> BlockPruning:
    """What is stored for genesis: genesis is its own sample and pruning point (its header's
    ``pruning_point`` field is the zero hash, which no rule reads)."""
    return BlockPruning(pruning_sample=genesis, pruning_point=genesis)


def next_pruning_points(
    context: PruningContext, pruning_point: Hash, sink: Hash
) -> tuple[Hash, ...]:
    """The pruning points the node moves through when its sink is ``sink``, oldest first (the
    last is the new pruning point); empty when the pruning point stays.

    The pruning point moves only when it is at least ``P`` below the sink and the sink's
    pruning point is above it; then every sample linked between the two becomes a past
    pruning point in turn, so the past pruning points stay a chain of sample links.
    """
    sink_data = context.ghostdag(sink)
    current_score = context.ghostdag(pruning_point).blue_score
    if current_score + context.pruning_depth > sink_data.blue_score:
        return ()
    target = context.pruning(sink).pruning_point
    if context.ghostdag(target).blue_score <= current_score:
        return ()
    points: list[Hash] = []
    current = target
    while current != pruning_point:
        points.append(current)
        if current == context.genesis:
            # The old pruning point is not on the sink's chain of samples: finality forbids
            # such a sink, so this is a reference bug, never a verdict about a block.
            raise RuntimeError(f"pruning point {pruning_point} is not below the sink {sink}")
        current = context.pruning(current).pruning_sample
    points.reverse()
    return tuple(points)


def is_valid_pruning_point(context: PruningContext, candidate: Hash, tip: Hash) -> bool:
    """True when ``candidate`` may be the pruning point of a node whose sink is ``tip``: it is
    genesis, or on ``tip``'s selected chain at least ``P`` below it in blue score."""
    if candidate == context.genesis:
        return True
    if not context.reachability.is_chain_ancestor_of(candidate, tip):
        return False
    tip_score = context.ghostdag(tip).blue_score
    return tip_score >= context.ghostdag(candidate).blue_score + context.pruning_depth


def check_header_pruning_point(header: BlockHeader, block: Hash, expected: Hash) -> None:
    """BAD_PRUNING_POINT: a complete header's ``pruning_point`` is its expected one."""
    if header.pruning_point != expected:
        raise BlockRejected(
            Code.BAD_PRUNING_POINT,
            block,
            f"claims pruning point {header.pruning_point}, expected {expected}",
        )


def check_pruning_violation(
    block: Hash, parents: Sequence[Hash], pruning_point: Hash, reachability: Reachability
) -> None:
    """PRUNING_VIOLATION: some parent is the node's pruning point or in its future.

    A block with every parent below or beside the pruning point would build on data a pruned
    node no longer holds.
    """
    for parent in parents:
        if reachability.is_dag_ancestor_of(pruning_point, parent):
            return
    raise BlockRejected(
        Code.PRUNING_VIOLATION,
        block,
        f"no parent is in the future of the pruning point {pruning_point}",
    )


@dataclass(frozen=True, slots=True)
class RetentionContext:
    """What deciding which blocks a pruned node keeps reads."""

    genesis: Hash
    """The genesis block."""
    k: int
    """GHOSTDAG K: the depth of the selected chain kept below each kept block."""
    ghostdag: Callable[[Hash], GhostdagData]
    """The GHOSTDAG data of a stored block."""
    parents: Callable[[Hash], Sequence[Hash]]
    """The parents of a stored block."""
    windows: Callable[[GhostdagData], Sequence[Hash]]
    """The blocks of a block's DAA window and past-median-time window."""
    reachability: Reachability
    """Ancestry queries over the stored blocks."""


@dataclass(frozen=True, slots=True)
class Retention:
    """What a node keeps of the blocks outside the future of its pruning point ``pp``."""

    anticone: tuple[Hash, ...]
    """``pp`` first, then every block the virtual has merged that is neither in the past nor in
    the future of ``pp``: kept in full, bodies included."""
    history: frozenset[Hash]
    """Blocks outside the future of ``pp`` and outside :attr:`anticone` whose header, parents,
    GHOSTDAG and depth data are kept (not their bodies): every block with at least the least
    blue work among the windows and GHOSTDAG chains of the :attr:`anticone` blocks, reached
    from them through parents, and the mergesets of their selected chains down to the first
    chain block below that blue work (what rebuilding a window from the stores reads, when
    no cache holds it: after a restart, say)."""
    headers: tuple[Hash, ...]
    """The past pruning points (genesis first): their headers, GHOSTDAG and pruning data are
    kept whatever else goes (the expected pruning point of a block near the pruning point
    walks down their sample links)."""

    def keeps(self, block: Hash) -> bool:
        """True when ``block`` keeps at least its header."""
        return block in self.history or block in self.anticone or block in self.headers


def pruning_point_anticone(
    context: RetentionContext, pruning_point: Hash, virtual_parents: Sequence[Hash]
) -> list[Hash]:
    """The blocks in the past of the virtual (its parents included) that are neither in the
    past nor in the future of ``pruning_point``, in ascending ``sort_key`` order."""
    is_ancestor = context.reachability.is_dag_ancestor_of
    found: set[Hash] = set()
    seen = set(virtual_parents)
    queue = list(virtual_parents)
    held = context.reachability.has_block
    while queue:
        block = queue.pop()
        if is_ancestor(block, pruning_point):
            continue  # ``pruning_point`` itself, or its past
        if not is_ancestor(pruning_point, block):
            found.add(block)
        for parent in context.parents(block):
            if parent not in seen and held(parent):  # a parent pruned before is no more
                seen.add(parent)
                queue.append(parent)
    return sorted(found, key=lambda block: ordering.sort_key(context.ghostdag(block)))


def retention(
    context: RetentionContext,
    pruning_point: Hash,
    virtual_parents: Sequence[Hash],
    past_pruning_points: Sequence[Hash],
) -> Retention:
    """Which blocks outside the future of ``pruning_point`` a node keeps (Kaspa's pruning
    processor: the pruning point and its anticone in full, the sub-DAG their DAA windows and
    GHOSTDAG chains span without bodies, the headers of past pruning points)."""
    anticone = [pruning_point, *pruning_point_anticone(context, pruning_point, virtual_parents)]
    spanned: set[Hash] = set()
    for block in anticone:
        data = context.ghostdag(block)
        spanned.update(context.windows(data))
        spanned.update(_chain_k_depth(context, block))
    least = min(
        (context.ghostdag(block).blue_work for block in spanned if block != context.genesis),
        default=0,
    )
    kept = set(anticone)
    history: set[Hash] = set()
    queue = list(anticone)
    while queue:
        block = queue.pop()
        for parent in context.parents(block):
            if parent in kept or parent in history or not context.reachability.has_block(parent):
                continue
            if parent != context.genesis and context.ghostdag(parent).blue_work < least:
                continue
            history.add(parent)
            queue.append(parent)
    for block in anticone:
        # What rebuilding a window reads when no cache holds it: the chain walked down while
        # it may still add to the window, each chain block's mergeset and selected parent.
        data = context.ghostdag(block)
        while True:
            history.update(data.mergeset_blues, data.mergeset_reds)
            if data.selected_parent is None:
                break
            data = context.ghostdag(data.selected_parent)
            if data.blue_work < least:
                break
    history.difference_update(kept)
    return Retention(
        anticone=tuple(anticone), history=frozenset(history), headers=tuple(past_pruning_points)
    )


def _chain_k_depth(context: RetentionContext, block: Hash) -> list[Hash]:
    """``block`` and the ``k`` selected-chain blocks below it (fewer at genesis)."""
    chain = [block]
    current = context.ghostdag(block).selected_parent
    while current is not None and len(chain) <= context.k:
        chain.append(current)
        current = context.ghostdag(current).selected_parent
    return chain
