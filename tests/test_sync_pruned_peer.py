"""A new node syncs over loopback from a peer that has pruned (``spec/sync``).

The network has small finality and pruning depths, so the syncer's pruning point moves every
few blocks and it deletes what is below. A node holding only genesis connects: it receives the
syncer's trusted data, validates every header above the pruning point in a staging consensus,
adopts both, then downloads the bodies. It ends with the syncer's pruning points, sink and
virtual, every block the syncer holds in the future of its pruning point (with its body), and
keeps following by relay, pruning as it goes. A third node then syncs from it: a node that
started from trusted data serves trusted data in turn. A syncer whose trusted data fails a
check is disconnected, and the new node still holds only genesis.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from reference.consensus import Consensus
from reference.node.data_dir import open_data_dir, store_path
from reference.node.node import Node
from reference.pipeline.virtual import NO_CHAIN_CHANGE
from reference.processes.trusted import TrustedData
from reference.stores.sqlite.check import check_store
from reference.stores.statuses import BlockStatus
from reference.sync.backend import NodeBackend
from reference.sync.service import ServiceConfig, SyncService
from tests.sync_helpers import (
    FAST_LIMITS,
    NodeUnderTest,
    generate_dag,
    start_node,
    stop_all,
    wait_until,
)
from tests.test_node_pruning import CLOCK, NETWORK
from tests.test_trusted_sync import headers_above

BLOCKS = 150


def _synced_like(syncee: Node, syncer: Node) -> None:
    """The syncee holds what the syncer holds above its pruning point and agrees about the
    DAG's state."""
    mine, theirs = syncee.consensus, syncer.consensus
    assert mine.past_pruning_points() == theirs.past_pruning_points()
    plain = dataclasses.replace
    assert plain(mine.virtual_state(), chain_change=NO_CHAIN_CHANGE) == plain(
        theirs.virtual_state(), chain_change=NO_CHAIN_CHANGE
    )
    point = theirs.pruning_point()
    for block in theirs.held_blocks():
        if theirs.is_dag_ancestor_of(point, block) or block in theirs.retention().anticone:
            assert mine.ghostdag_data(block) == theirs.ghostdag_data(block)
            assert mine.status(block) is BlockStatus.BODY_VALID, block
            assert mine.body(block) == theirs.body(block)
    assert set(mine.held_blocks()) <= set(theirs.held_blocks()) | {mine.genesis}


async def _synced(syncee: NodeUnderTest, syncer: NodeUnderTest, what: str) -> None:
    def caught_up() -> bool:
        consensus = syncee.node.consensus
        return (
            consensus.sink() == syncer.sink
            and not syncee.service.syncing
            and consensus.status(consensus.sink()) is BlockStatus.BODY_VALID
        )

    await wait_until(caught_up, 60, what)


def test_a_new_node_syncs_from_a_pruned_peer_and_serves_others_in_turn() -> None:
    blocks = generate_dag(NETWORK, BLOCKS, seed=5)

    async def scenario() -> None:
        syncer = await start_node(NETWORK, blocks)
        held = syncer.node.consensus.held_blocks()
        assert len(held) < BLOCKS / 2, "the syncer did not prune"
        assert syncer.node.consensus.pruning_point() != syncer.node.consensus.genesis
        syncee = await start_node(NETWORK)
        third: NodeUnderTest | None = None
        try:
            await syncee.connect(syncer)
            await _synced(syncee, syncer, "the syncee at the syncer's sink")
            progress = syncee.service.progress
            assert progress.phase == "done", progress.error
            assert progress.headers > 0 and progress.bodies > 0
            _synced_like(syncee.node, syncer.node)
            for tag in range(40):
                syncer.mine(10_000 + tag)
            await _synced(syncee, syncer, "the syncee following by relay")
            _synced_like(syncee.node, syncer.node)
            assert (
                len(syncee.node.consensus.past_pruning_points())
                > len(syncer.node.consensus.past_pruning_points()) - 1
            )
            third = await start_node(NETWORK)
            await third.connect(syncee)
            await _synced(third, syncee, "a third node synced from the syncee")
            _synced_like(third.node, syncee.node)
        finally:
            await stop_all([n for n in (syncer, syncee, third) if n is not None])

    asyncio.run(scenario())


def _without_pruning_point(data: TrustedData) -> TrustedData:
    """Fails a check of the data alone (``BAD_TRUSTED_DATA``)."""
    kept = tuple(block for block in data.blocks if block.hash != data.pruning_point)
    return dataclasses.replace(data, blocks=kept)


def _without_lower_history(data: TrustedData) -> TrustedData:
    """Passes every check of the data alone, but the windows of the headers above reach blocks
    that were not sent: the staging consensus fails while validating them."""
    required = {*data.past_pruning_points, *data.anticone}
    half = len(data.blocks) // 2
    kept = tuple(
        block for index, block in enumerate(data.blocks) if index >= half or block.hash in required
    )
    return dataclasses.replace(data, blocks=kept)


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [(_without_pruning_point, "BAD_TRUSTED_DATA"), (_without_lower_history, "trusted data")],
)
def test_a_syncer_whose_trusted_data_fails_leaves_the_new_node_at_genesis(
    tamper: Callable[[TrustedData], TrustedData], reason: str
) -> None:
    blocks = generate_dag(NETWORK, 90, seed=6)

    async def scenario() -> None:
        syncer = await start_node(NETWORK, blocks)
        consensus = syncer.node.consensus
        honest = consensus.trusted_data
        consensus.trusted_data = lambda: tamper(honest())  # type: ignore[method-assign]
        syncee = await start_node(NETWORK)
        try:
            await syncee.connect(syncer)
            await wait_until(
                lambda: syncee.service.progress.phase == "failed", 30, "the failed sync"
            )
            error = syncee.service.progress.error or ""
            assert error.startswith("PROTOCOL_VIOLATION") and reason in error, error
            mine: Consensus = syncee.node.consensus
            assert mine.held_blocks() == [mine.genesis]
            assert mine.past_pruning_points() == (mine.genesis,)
            await wait_until(lambda: not syncee.service.peers(), 10, "the syncer disconnected")
        finally:
            await stop_all([syncer, syncee])

    asyncio.run(scenario())


def test_a_node_stopped_while_adopting_trusted_data_finishes_by_an_ordinary_ibd(
    tmp_path: Path,
) -> None:
    """The trusted data and some headers above it in the durable store, as a node killed while
    adopting leaves it; reopened, the node's next IBD is an ordinary one (its sink is no longer
    genesis) and ends with the syncer's state, bodies of the pruning point's anticone included."""
    blocks = generate_dag(NETWORK, 120, seed=8)

    async def scenario() -> None:
        syncer = await start_node(NETWORK, blocks)
        source = syncer.node.consensus
        consensus = open_data_dir(tmp_path, NETWORK, clock=lambda: CLOCK)
        try:
            node = Node(NETWORK, consensus=consensus)
            node.import_trusted(source.trusted_data())
            for header in headers_above(source)[:5]:
                node.submit_header(header)
        finally:
            consensus.close()
        consensus = open_data_dir(tmp_path, NETWORK, clock=lambda: CLOCK)
        node = Node(NETWORK, consensus=consensus)
        service = SyncService(
            NodeBackend(node), ServiceConfig(network=NETWORK.name, limits=FAST_LIMITS)
        )
        await service.start()
        restarted = NodeUnderTest(node, service)
        try:
            await restarted.connect(syncer)
            await _synced(restarted, syncer, "the restarted node at the syncer's sink")
            assert service.progress.phase == "done", service.progress.error
            _synced_like(restarted.node, syncer.node)
        finally:
            await stop_all([syncer, restarted])
            consensus.close()
        assert check_store(store_path(tmp_path)) == []

    asyncio.run(scenario())
