"""A node prunes as it goes: a batch after every accepted block, durable and restartable.

The node runs a development network with small finality and pruning depths and windows, so
that its pruning point moves every few blocks. After each block, what the node reports (block
and header counts, blocks by blue score) must match what it holds, and the pruning point,
its anticone and the future of the pruning point are never deleted. The node is restarted from
its data directory midway and at the end: the store is consistent and it answers as before.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from reference.consensus import Consensus
from reference.hash import Hash
from reference.node.data_dir import open_data_dir, store_path
from reference.node.network import DEVNET_NETWORK
from reference.node.node import Node
from reference.stores.sqlite.check import check_store
from reference.stores.statuses import BlockStatus
from tests.sync_helpers import build_block

NETWORK = dataclasses.replace(
    DEVNET_NETWORK,
    name="devnet-small-pruning",
    preset=DEVNET_NETWORK.preset.with_overrides(
        {
            "skip_proof_of_work": True,
            "finality_depth": 12,
            "merge_depth": 10,
            "pruning_depth": 30,
            "difficulty_window_size": 10,
            "min_difficulty_window_size": 4,
            "difficulty_sample_rate": 2,
            "past_median_time_window_size": 5,
            "past_median_time_sample_rate": 2,
        }
    ),
)
CLOCK = 4_102_444_800_000


def _reported_matches_held(node: Node) -> None:
    consensus = node.consensus
    held = consensus.held_blocks()
    info = node.dag_info()
    assert info.header_count == len(held)
    assert info.block_count == sum(consensus.body(block) is not None for block in held)
    by_score: dict[int, set[Hash]] = {}
    for block in held:
        by_score.setdefault(consensus.ghostdag_data(block).blue_score, set()).add(block)
    for score, blocks in by_score.items():
        assert set(node.blocks_at_blue_score(score)) == blocks
    point = consensus.pruning_point()
    assert all(consensus.is_dag_ancestor_of(point, tip) for tip in consensus.tips())
    for block in consensus.retention().anticone:
        assert consensus.status(block) is BlockStatus.BODY_VALID


def _mine(node: Node, count: int, accepted: list[Hash]) -> None:
    consensus = node.consensus
    for tag in range(count):
        tips = sorted(consensus.tips())
        header, body = build_block(consensus, tips[:2], tag=len(accepted) + tag)
        accepted.append(node.submit_block(header, body))
        _reported_matches_held(node)


def test_a_node_prunes_after_every_block_and_restarts_pruned(tmp_path: Path) -> None:
    accepted: list[Hash] = [NETWORK.genesis_hash]
    consensus: Consensus = open_data_dir(tmp_path, NETWORK, clock=lambda: CLOCK)
    try:
        node = Node(NETWORK, consensus=consensus)
        _mine(node, 90, accepted)
        before = node.dag_info()
    finally:
        consensus.close()
    assert check_store(store_path(tmp_path)) == []
    consensus = open_data_dir(tmp_path, NETWORK, clock=lambda: CLOCK)
    try:
        node = Node(NETWORK, consensus=consensus)
        assert node.dag_info() == before
        _mine(node, 60, accepted)
        held = set(consensus.held_blocks())
        assert len(held) < len(accepted) - 60, "the node did not prune"
        assert len(consensus.past_pruning_points()) >= 5
        gone = [block for block in accepted if block not in held]
        assert all(not node.has_block(block) for block in gone)
    finally:
        consensus.close()
    assert check_store(store_path(tmp_path)) == []
