"""A node wired with block depth, the bounded merge depth rule and the virtual's depth bounds,
and the brute-force oracles the block-depth, merge-depth and virtual tests compare it with.

:class:`DepthNode` is composed from the reference's stores and functions as a node wires them
(the DAG-mode rules generated blocks can break, GHOSTDAG, the depth data, the bounded merge
depth rule, commit, then the virtual resolved after every accepted block); it does not use
``reference.pipeline.validation``, so these tests do not depend on the rest of the rule order.
The oracles below it use none of that: past sets by depth-first search, selected chains by
following selected-parent links, GHOSTDAG by the brute-force oracle of ``conformance.oracle``;
they are written from ``spec/depth.md`` and node.md §3.1, §4.1, §4.2 only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from conformance.oracle import ghostdag_oracle, selected_chain, transitive_past
from conformance.strategies import DagBlock, GeneratedDag
from reference.block import Header
from reference.errors import BlockRejected, Code
from reference.hash import HASH_SIZE, Hash
from reference.pipeline.virtual import (
    VirtualDepth,
    VirtualState,
    chain_change,
    virtual_state,
)
from reference.presets import Preset, get_preset
from reference.processes.block_depth import DepthContext, block_depth
from reference.processes.ghostdag.data import GhostdagData, genesis_ghostdag_data
from reference.processes.ghostdag.protocol import GhostdagContext, ghostdag
from reference.processes.merge_depth import check_bounded_merge_depth
from reference.processes.reachability.service import ReachabilityService
from reference.stores.depth import BlockDepth, DepthStore
from reference.stores.ghostdag import GhostdagStore
from reference.stores.headers import HeaderStore
from reference.stores.relations import RelationsStore
from reference.work import target_from_difficulty, work_from_target
from tests.ghostdag_helpers import header_of

PSEUDO_VIRTUAL = Hash(b"\xee" * HASH_SIZE)
"""The name the oracles give the virtual block."""


class DepthNode:
    """Headers accepted with every depth rule, and the virtual resolved after each one."""

    def __init__(
        self,
        preset: Preset,
        genesis: Hash,
        genesis_target: int,
        *,
        check_merge_depth: bool = True,
        relations: RelationsStore | None = None,
    ) -> None:
        self.preset = preset
        self.genesis = genesis
        self.check_merge_depth = check_merge_depth
        self.pruning_point = genesis
        """The node's pruning point; a test may move it to an accepted block."""
        self.reachability = ReachabilityService(
            genesis, reindex_depth=preset.reindex_depth, reindex_slack=preset.reindex_slack
        )
        self.headers = HeaderStore()
        self.relations = relations if relations is not None else RelationsStore()
        self.ghostdag = GhostdagStore()
        self.depths = DepthStore()
        self.headers.insert(Header(genesis, (), genesis_target), work_from_target(genesis_target))
        self.relations.insert(genesis, ())
        self.ghostdag.insert(genesis_ghostdag_data(genesis))
        self.context = GhostdagContext(
            k=preset.k,
            ghostdag_store=self.ghostdag,
            relations=self.relations,
            headers=self.headers,
            reachability=self.reachability,
        )
        self.depth_context = DepthContext(
            genesis=genesis,
            merge_depth=preset.merge_depth,
            finality_depth=preset.finality_depth,
            depth_store=self.depths,
            ghostdag_store=self.ghostdag,
            relations=self.relations,
            reachability=self.reachability,
        )
        self.depths.insert(
            genesis, block_depth(self.depth_context, genesis_ghostdag_data(genesis), genesis)
        )
        self.tips: set[Hash] = {genesis}
        self.virtual = self._resolve_virtual(genesis)

    def _resolve_virtual(self, previous_finality_point: Hash) -> VirtualState:
        depth = VirtualDepth(self.depth_context, self.pruning_point, previous_finality_point)
        return virtual_state(
            self.context,
            self.tips,
            self.preset.max_block_parents,
            self.preset.mergeset_size_limit,
            chain_change(self.context, self.genesis, self.genesis),
            depth=depth,
        )

    def add_block(self, header: Header) -> GhostdagData:
        """Check the DAG-mode rules a generated block can break, compute GHOSTDAG and the depth
        data, check the bounded merge depth, commit, resolve the virtual."""
        if len(header.parents) > self.preset.max_block_parents:
            raise BlockRejected(Code.TOO_MANY_PARENTS, header.hash, "too many parents")
        for parent in header.parents:
            if not self.ghostdag.has(parent):
                raise BlockRejected(Code.UNKNOWN_PARENT, header.hash, f"unknown {parent}")
        data = ghostdag(self.context, header.hash, header.parents)
        if data.mergeset_size > self.preset.mergeset_size_limit:
            raise BlockRejected(Code.MERGESET_TOO_BIG, header.hash, "mergeset too big")
        depth = block_depth(self.depth_context, data, self.pruning_point)
        if self.check_merge_depth:
            check_bounded_merge_depth(data, depth.merge_depth_root, self.reachability)
        selected_parent = data.selected_parent
        assert selected_parent is not None
        self.reachability.add_block(
            data.hash, selected_parent, data.mergeset_without_selected_parent()
        )
        self.headers.insert(header, work_from_target(header.target))
        self.relations.insert(data.hash, header.parents)
        self.ghostdag.insert(data)
        self.depths.insert(data.hash, depth)
        self.tips.difference_update(header.parents)
        self.tips.add(data.hash)
        old_sink = self.virtual.sink
        assert self.virtual.finality_point is not None
        virtual = self._resolve_virtual(self.virtual.finality_point)
        change = chain_change(self.context, old_sink, virtual.sink)
        if virtual.sink != old_sink:
            self.reachability.hint_selected_tip(virtual.sink)
        self.virtual = dataclasses.replace(virtual, chain_change=change)
        return data

    def depth(self, block: Hash) -> BlockDepth:
        """The stored depth data of ``block``."""
        return self.depths.get(block)


def node_for(
    dag: GeneratedDag,
    preset: Preset,
    *,
    check_merge_depth: bool = True,
    relations: RelationsStore | None = None,
) -> DepthNode:
    """A node holding only ``dag``'s genesis (with an empty ``relations`` store if given)."""
    genesis = dag.genesis
    target = target_from_difficulty(genesis.difficulty)
    return DepthNode(
        preset, genesis.hash, target, check_merge_depth=check_merge_depth, relations=relations
    )


def offer_all(node: DepthNode, blocks: Sequence[DagBlock]) -> dict[Hash, Code]:
    """Offer every non-genesis block in order; the codes of the rejected ones."""
    rejected: dict[Hash, Code] = {}
    for block in blocks:
        if not block.parents:
            continue
        try:
            node.add_block(header_of(block))
        except BlockRejected as error:
            rejected[block.hash] = error.code
    return rejected


# --- Oracles: definitions over whole past sets and selected-parent links -------------------


class Oracle:
    """Brute-force GHOSTDAG, pasts and chains of one DAG (``block -> parents``)."""

    def __init__(self, parents: Mapping[Hash, Sequence[Hash]], work: Mapping[Hash, int], k: int):
        self.parents = dict(parents)
        self.data = ghostdag_oracle(parents, work, k)
        self.past = transitive_past(parents)

    def chain(self, block: Hash | None) -> list[Hash]:
        """``block`` and its selected ancestors, downwards to genesis."""
        return [] if block is None else selected_chain(self.data, block)

    def at_depth(self, selected_parent: Hash, blue_score: int, depth: int | None) -> Hash:
        """node.md §4.1 with the pruning point at genesis, in closed form: the highest block
        of the selected parent's chain with blue score below ``blue_score - depth``; genesis
        when there is none (the walk then never leaves its start block, genesis) or when
        there is no bound."""
        chain = self.chain(selected_parent)
        if depth is not None:
            for block in chain:  # downwards: the first hit is the highest
                if self.data[block].blue_score < blue_score - depth:
                    return block
        return chain[-1]

    def block_depth(
        self, block: Hash, merge_depth: int | None, finality_depth: int | None
    ) -> tuple[Hash, Hash]:
        """(merge-depth root, finality point) of a block of the DAG, pruning point genesis."""
        data = self.data[block]
        if data.selected_parent is None:
            return (block, block)
        return (
            self.at_depth(data.selected_parent, data.blue_score, merge_depth),
            self.at_depth(data.selected_parent, data.blue_score, finality_depth),
        )

    def bad_reds(self, data: GhostdagData, root: Hash) -> list[Hash]:
        """node.md §4.2: reds with the root outside their past and in no kosherizing blue's."""
        kosher = [blue for blue in data.mergeset_blues if root in self.chain(blue)]
        return [
            red
            for red in data.mergeset_reds
            if root not in self.past[red] and not any(red in self.past[blue] for blue in kosher)
        ]


def test_a_rejected_block_changes_nothing() -> None:
    preset = get_preset("minimal", {"k": 0, "merge_depth": 2})
    names = [Hash(bytes([n]) + bytes(HASH_SIZE - 1)) for n in range(8)]
    g, a1, a2, a3, a4, b1 = names[:6]
    node = DepthNode(preset, g, target_from_difficulty(1))
    for block, parents in ((a1, (g,)), (a2, (a1,)), (a3, (a2,)), (a4, (a3,)), (b1, (g,))):
        node.add_block(Header(block, parents, target_from_difficulty(1)))
    before = (
        dict(node.depths._depths),
        len(node.ghostdag),
        set(node.tips),
        node.virtual,
    )
    # K = 0: b1 is red in a block over (a4, b1); the merge-depth root a2 is not in its past
    # and no blue has a2 on its chain while having b1 in its past.
    bad = Header(names[6], (a4, b1), target_from_difficulty(1))
    try:
        node.add_block(bad)
    except BlockRejected as error:
        assert error.code is Code.VIOLATING_MERGE_DEPTH
    else:
        raise AssertionError("a bad merge was accepted")
    after = (dict(node.depths._depths), len(node.ghostdag), set(node.tips), node.virtual)
    assert after == before
