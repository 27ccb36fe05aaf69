"""The virtual block: the block a miner would build now, over the current tips.

The *tips* are the blocks without children. The *sink* is the tip of largest ``sort_key``; it
is also the block of largest ``sort_key`` in the whole DAG, because blue work grows strictly
from parent to child. The virtual block's parents are chosen deterministically (Kaspa shuffles
part of this choice; the spec does not):

1. the sink first — it is the virtual's selected parent;
2. then the other tips in descending ``sort_key``; each is taken when the virtual still has
   fewer than ``max_block_parents`` parents and the virtual's mergeset, with that tip merged,
   stays within ``mergeset_size_limit`` (the selected parent counted); a tip that would exceed
   the limit is skipped and the next one tried.

``VirtualState.parents`` lists them in that order, which is descending ``sort_key``. The
virtual's GHOSTDAG data is computed from those parents exactly like a block's.

The *selected chain* is the sink and its selected-parent ancestors down to genesis. When a new
block becomes the sink, the chain changes: ``removed`` lists the old chain blocks that left it,
from the old sink downwards, and ``added`` the new chain blocks, from just above the fork point
(the highest block on both chains, which stays) upwards to the new sink.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from reference import ordering
from reference.hash import ZERO_HASH, Hash
from reference.processes.ghostdag.mergeset import grow_mergeset
from reference.processes.ghostdag.protocol import GhostdagContext, ghostdag


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

    @property
    def sink(self) -> Hash:
        """The tip of largest ``sort_key`` (the virtual's selected parent)."""
        return self.selected_parent


def pick_virtual_parents(
    context: GhostdagContext,
    tips: Iterable[Hash],
    max_block_parents: int,
    mergeset_size_limit: int,
) -> tuple[Hash, ...]:
    """The virtual's parents: the sink, then other tips greedily in descending ``sort_key``."""
    get = context.ghostdag_store.get
    ranked = sorted(tips, key=lambda tip: ordering.sort_key(get(tip)), reverse=True)
    sink = ranked[0]
    parents = [sink]
    merged: set[Hash] = set()
    for tip in ranked[1:]:
        if len(parents) == max_block_parents:
            break
        added = grow_mergeset(sink, (tip,), merged, context.relations, context.reachability)
        # The selected parent counts towards the limit, as it does for a block.
        if 1 + len(merged) + len(added) > mergeset_size_limit:
            continue
        parents.append(tip)
        merged |= added
    return tuple(parents)


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
) -> VirtualState:
    """The virtual block over ``tips`` (GHOSTDAG over :func:`pick_virtual_parents`)."""
    parents = pick_virtual_parents(context, tips, max_block_parents, mergeset_size_limit)
    # The virtual has no hash of its own; the all-zero placeholder never names a block.
    data = ghostdag(context, ZERO_HASH, parents)
    selected_parent = data.selected_parent if data.selected_parent is not None else parents[0]
    return VirtualState(
        parents=parents,
        selected_parent=selected_parent,
        mergeset_blues=data.mergeset_blues,
        mergeset_reds=data.mergeset_reds,
        blue_score=data.blue_score,
        blue_work=data.blue_work,
        chain_change=last_chain_change,
    )
