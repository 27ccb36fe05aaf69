"""Two nodes on loopback: one syncs a 10,000-block DAG (with bodies) from the other from
scratch, and ends with every block, every body and the syncer's sink."""

from __future__ import annotations

import asyncio

from reference.header import header_hash
from reference.node.node import Node
from reference.sync.backend import NodeBackend
from reference.sync.service import ServiceConfig, SyncService
from tests.sync_helpers import FAST_LIMITS, SKIP_POW_NETWORK, generate_dag, start_node, wait_until

BLOCKS = 10_000


def test_a_new_node_syncs_a_10000_block_dag_from_scratch() -> None:
    blocks = generate_dag(SKIP_POW_NETWORK, BLOCKS, seed=11)

    async def scenario() -> None:
        lines: list[str] = []
        syncer_node = Node(SKIP_POW_NETWORK)
        for header, body in blocks:
            syncer_node.submit_block(header, body)
        syncer = SyncService(
            NodeBackend(syncer_node),
            ServiceConfig(network=SKIP_POW_NETWORK.name, limits=FAST_LIMITS),
        )
        await syncer.start()
        syncee = await start_node(progress=lines.append)
        await syncee.service.connect("127.0.0.1", syncer.port)
        await wait_until(
            lambda: syncee.node.dag_info().block_count == BLOCKS + 1, 240, "every block"
        )
        await syncee.service.wait_ibd()
        assert syncee.sink == syncer_node.consensus.sink()
        assert all(syncee.node.consensus.body(header_hash(h)) == b for h, b in blocks[::97])
        assert syncee.service.progress.phase == "done"
        assert syncee.service.progress.headers > BLOCKS - 20  # side tips come by relay
        assert any("headers" in line for line in lines), "no progress line"
        await syncee.service.stop()
        await syncer.stop()

    asyncio.run(scenario())
