"""The block at depth: a block's merge-depth root and finality point.

For a block ``B`` and a depth ``d``, the *block at depth d* is, roughly, the highest block of
``B``'s selected chain whose blue score is below ``B.blue_score - d``. With
``d = merge_depth`` it is ``B``'s *merge-depth root* (the bounded merge depth rule,
:mod:`reference.processes.merge_depth`); with ``d = finality_depth`` its *finality point*
(the virtual's sink search, :mod:`reference.pipeline.virtual`). Exactly as Kaspa
(rusty-kaspa ``processes/block_depth.rs``), it is computed incrementally:

1. ``B``'s selected parent is :data:`ORIGIN` → :data:`ORIGIN`;
2. ``d`` is ``None`` (no bound) or ``B.blue_score < d`` → genesis;
3. ``B.blue_score < pp.blue_score + d``, or the pruning point ``pp`` is not on the selected
   chain of ``B``'s selected parent → :data:`ORIGIN`;
4. otherwise start from the value stored for ``B``'s selected parent (``pp`` when that value
   is :data:`ORIGIN`) and walk **forward** along the selected chain towards ``B``'s selected
   parent, moving onto the next chain block only while its blue score is below
   ``B.blue_score - d``. The block reached is the answer: the highest chain block with blue
   score below ``B.blue_score - d``, but never below the start block — when the start block
   already has blue score ``>= B.blue_score - d`` (exactly when ``B.blue_score == pp.blue_score
   + d``) the start block itself is the answer.

``pp`` is the node's pruning point when ``B`` is processed, not a header field
(``spec/pruning``); while it is genesis, steps 1 and 3 never apply. Each block's two values are
stored (:class:`~reference.stores.depth.DepthStore`), so the walk of step 4 covers only the
chain blocks the answer moves up by since the selected parent's: its cost per block does not
grow with the DAG.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from reference.hash import HASH_SIZE, Hash
from reference.processes.ghostdag.data import GhostdagData
from reference.processes.reachability.api import Reachability
from reference.stores.depth import BlockDepth, DepthStore
from reference.stores.ghostdag import GhostdagStore
from reference.stores.relations import RelationsStore

ORIGIN: Final = Hash(b"\xfe" * HASH_SIZE)
"""Kaspa's *virtual genesis*: a pseudo-block below the pruning point, in the past of every
block a pruned node keeps. No block of a DAG grown from genesis has it as selected parent;
the block at depth is :data:`ORIGIN` when the bound reaches below the pruning point."""


@dataclass(frozen=True, slots=True)
class DepthContext:
    """Everything the block-at-depth computation reads."""

    genesis: Hash
    """The genesis block: the block at depth of every block shallower than the depth."""
    merge_depth: int | None
    """The merge depth (>= 1); ``None``: no bound, every merge-depth root is genesis."""
    finality_depth: int | None
    """The finality depth (>= 1); ``None``: no bound, every finality point is genesis."""
    depth_store: DepthStore
    """The stored merge-depth root and finality point of every known block."""
    ghostdag_store: GhostdagStore
    """GHOSTDAG data (blue scores, selected parents) of every known block."""
    relations: RelationsStore
    """Children of every known block, for walking the selected chain forward."""
    reachability: Reachability
    """Chain-ancestry queries over the known blocks."""


def chain_child_towards(context: DepthContext, block: Hash, descendant: Hash) -> Hash:
    """The child of ``block`` on the selected chain of ``descendant`` (``block`` must be a
    proper chain ancestor of ``descendant``).

    Any child of ``block`` that is a chain ancestor of ``descendant`` is that child: a chain
    block whose selected parent is not ``block`` would have ``block`` strictly in the past of
    its selected parent, and parents are an antichain.
    """
    is_chain_ancestor_of = context.reachability.is_chain_ancestor_of
    for child in context.relations.children(block):
        if is_chain_ancestor_of(child, descendant):
            return child
    # The caller walks only between a chain ancestor and its descendant: a reference bug.
    raise RuntimeError(f"{block} is not a proper chain ancestor of {descendant}")


def block_at_depth(
    context: DepthContext,
    data: GhostdagData,
    depth: int | None,
    stored: Callable[[Hash], Hash],
    pruning_point: Hash,
) -> Hash:
    """The block at ``depth`` below the block of ``data`` (which need not be stored yet).

    ``stored`` reads the value of the same kind stored for a known block (the selected
    parent's is the walk's start).
    """
    selected_parent = data.selected_parent
    if selected_parent == ORIGIN:
        return ORIGIN
    if selected_parent is None or depth is None or data.blue_score < depth:
        return context.genesis
    get = context.ghostdag_store.get
    if data.blue_score < get(pruning_point).blue_score + depth:
        return ORIGIN
    if not context.reachability.is_chain_ancestor_of(pruning_point, selected_parent):
        return ORIGIN
    current = stored(selected_parent)
    if current == ORIGIN:
        # Checked above: the pruning point is on the chain and at least ``depth`` below.
        current = pruning_point
    required = data.blue_score - depth
    while current != selected_parent:
        following = chain_child_towards(context, current, selected_parent)
        if get(following).blue_score >= required:
            break
        current = following
    return current


def merge_depth_root(context: DepthContext, data: GhostdagData, pruning_point: Hash) -> Hash:
    """The block at depth ``merge_depth``: the root of the bounded merge depth rule."""
    return block_at_depth(
        context, data, context.merge_depth, context.depth_store.merge_depth_root, pruning_point
    )


def finality_point(context: DepthContext, data: GhostdagData, pruning_point: Hash) -> Hash:
    """The block at depth ``finality_depth``."""
    return block_at_depth(
        context, data, context.finality_depth, context.depth_store.finality_point, pruning_point
    )


def block_depth(context: DepthContext, data: GhostdagData, pruning_point: Hash) -> BlockDepth:
    """Both blocks at depth of a new block: what is stored for it when it is accepted."""
    return BlockDepth(
        merge_depth_root=merge_depth_root(context, data, pruning_point),
        finality_point=finality_point(context, data, pruning_point),
    )
