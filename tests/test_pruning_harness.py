"""A node wired with pruning samples, expected pruning points, the pruning-violation rule and
the node's pruning point, and the brute-force oracle the pruning tests compare it with.

:class:`PruningNode` extends the block-depth test node (GHOSTDAG, the depth data, the bounded
merge depth rule, the virtual resolved after every block) the way a node wires pruning: the
pruning-violation rule before GHOSTDAG, the block's pruning data stored at commit, and the
pruning point advanced from the sink after the virtual is resolved. The oracle uses none of
``reference.processes.pruning``: pruning samples are read off whole selected chains and the
expected pruning point is computed from its definition in node.md §4.5, clamps as index caps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise

from conformance.oracle import selected_chain
from reference.block import Header
from reference.errors import BlockRejected, Code
from reference.hash import Hash
from reference.presets import Preset
from reference.processes.ghostdag.data import GhostdagData
from reference.processes.pruning import (
    PruningContext,
    block_pruning,
    check_pruning_violation,
    genesis_pruning,
    next_pruning_points,
)
from reference.stores.pruning import PastPruningPointsStore, PruningSampleStore
from tests.test_block_depth_harness import DepthNode, Oracle


class PruningNode(DepthNode):
    """A :class:`DepthNode` that also keeps pruning data and moves its pruning point."""

    def __init__(self, preset: Preset, genesis: Hash, genesis_target: int) -> None:
        super().__init__(preset, genesis, genesis_target, check_merge_depth=False)
        self.samples = PruningSampleStore()
        self.past_pruning_points = PastPruningPointsStore()
        self.past_pruning_points.extend((genesis,))
        self.samples.insert(genesis, genesis_pruning(genesis))
        self.pruning_context = PruningContext(
            genesis=genesis,
            finality_depth=preset.finality_depth,
            pruning_depth=preset.pruning_depth,
            ghostdag=self.ghostdag.get,
            pruning=self.samples.get,
            reachability=self.reachability,
        )

    def add_block(self, header: Header) -> GhostdagData:
        """The pruning-violation rule, then the depth node's rules and commit, then the
        block's pruning data and the pruning point moved from the new sink."""
        for parent in header.parents:
            if not self.ghostdag.has(parent):
                raise BlockRejected(Code.UNKNOWN_PARENT, header.hash, f"unknown {parent}")
        check_pruning_violation(header.hash, header.parents, self.pruning_point, self.reachability)
        data = super().add_block(header)
        self.samples.insert(data.hash, block_pruning(self.pruning_context, data))
        moved = next_pruning_points(self.pruning_context, self.pruning_point, self.virtual.sink)
        if moved:
            self.past_pruning_points.extend(moved)
            self.pruning_point = moved[-1]
        return data


def chain_node(preset: Preset, length: int) -> tuple[PruningNode, list[Hash]]:
    """A node holding a chain of ``length`` blocks over genesis; genesis and the chain."""
    names = [Hash(n.to_bytes(4, "big") + bytes(28)) for n in range(length + 1)]
    node = PruningNode(preset, names[0], 1 << 250)
    for parent, block in pairwise(names):
        node.add_block(Header(block, (parent,), 1 << 250))
    return node, names


class PruningDefinition:
    """node.md §4.5 by definition over given GHOSTDAG data (no reference pruning code)."""

    def __init__(
        self, data: dict[Hash, GhostdagData], finality_depth: int | None, pruning_depth: int
    ) -> None:
        self.data = data
        self.f = finality_depth
        self.p = pruning_depth
        self._pruning_point: dict[Hash, Hash] = {}

    def chain(self, block: Hash | None) -> list[Hash]:
        """``block`` and its selected ancestors, downwards to genesis."""
        return [] if block is None else selected_chain(self.data, block)

    def starts_epoch(self, block: Hash) -> bool:
        """The first chain block of its F-epoch: blue score // F above its parent's."""
        parent = self.data[block].selected_parent
        if parent is None or self.f is None:
            return False
        return self.data[block].blue_score // self.f > self.data[parent].blue_score // self.f

    def samples_below(self, block: Hash) -> list[Hash]:
        """The samples on the chain strictly below ``block``, highest first, then genesis."""
        chain = self.chain(block)
        return [c for c in chain[1:-1] if self.starts_epoch(c)] + [chain[-1]]

    def unclamped(self, block: Hash) -> Hash:
        """The highest sample at least P below the block, genesis if none (no clamp)."""
        score = self.data[block].blue_score
        for sample in self.samples_below(block):
            if self.data[sample].blue_score + self.p <= score:
                return sample
        return self.chain(block)[-1]

    def pruning_point(self, block: Hash) -> Hash:
        """The expected pruning point: the unclamped position in the list of samples below,
        capped at ``ceil(P/F)`` entries for a sample and at the selected parent's."""
        # Bottom-up along the chain, so each selected parent's answer is known first.
        for current in reversed(self.chain(block)):
            if current in self._pruning_point:
                continue
            parent = self.data[current].selected_parent
            if parent is None:
                self._pruning_point[current] = current
                continue
            below = self.samples_below(current)
            position = below.index(self.unclamped(current))
            if self.starts_epoch(current) and self.f is not None:
                position = min(position, -(-self.p // self.f) - 1)
            position = min(position, below.index(self._pruning_point[parent]))
            self._pruning_point[current] = below[position]
        return self._pruning_point[block]


class PruningOracle(Oracle, PruningDefinition):
    """node.md §4.5 by definition over brute-force GHOSTDAG data."""

    def __init__(
        self,
        parents: Mapping[Hash, Sequence[Hash]],
        work: Mapping[Hash, int],
        k: int,
        finality_depth: int,
        pruning_depth: int,
    ):
        Oracle.__init__(self, parents, work, k)
        PruningDefinition.__init__(self, self.data, finality_depth, pruning_depth)
