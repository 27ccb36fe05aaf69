"""Shared helpers of the GHOSTDAG, validation and virtual-state tests."""

from __future__ import annotations

from collections.abc import Iterable

from conformance.oracle import PastSetReachability
from conformance.strategies import DagBlock, GeneratedDag
from reference.block import Header
from reference.consensus import Consensus
from reference.hash import Hash
from reference.presets import Preset, get_preset
from reference.work import target_from_difficulty, work_from_difficulty

ROOMY_MERGESET = 10_000
"""A mergeset limit no generated test DAG reaches."""


def roomy_preset(k: int, *, max_block_parents: int = 64) -> Preset:
    """The minimal preset with K = ``k`` and bounds that no generated DAG reaches."""
    return get_preset(
        "minimal",
        {
            "k": k,
            "max_block_parents": max_block_parents,
            "mergeset_size_limit": max(ROOMY_MERGESET, k + 1),
        },
    )


def header_of(block: DagBlock) -> Header:
    """The header of a generated block (no claims)."""
    return Header(block.hash, block.parents, target_from_difficulty(block.difficulty))


def new_consensus(dag: GeneratedDag, preset: Preset, *, naive: bool = False) -> Consensus:
    """A consensus holding only the DAG's genesis (past-set reachability when ``naive``)."""
    genesis = dag.genesis
    reachability = PastSetReachability(genesis.hash) if naive else None
    target = target_from_difficulty(genesis.difficulty)
    return Consensus(preset, genesis.hash, target, reachability=reachability)


def insert_all(consensus: Consensus, blocks: Iterable[DagBlock]) -> None:
    """Add every non-genesis block, in the given order."""
    for block in blocks:
        if block.parents:
            consensus.add_block(header_of(block))


def build(dag: GeneratedDag, preset: Preset, *, naive: bool = False) -> Consensus:
    """A consensus holding the whole DAG, inserted in the DAG's order."""
    consensus = new_consensus(dag, preset, naive=naive)
    insert_all(consensus, dag.blocks)
    return consensus


def work_of(dag: GeneratedDag) -> dict[Hash, int]:
    """Each block's own work."""
    return {block.hash: work_from_difficulty(block.difficulty) for block in dag.blocks}
