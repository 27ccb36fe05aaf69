"""Helpers of the peer and sync tests: a test network, DAG-shaped blocks, nodes on loopback.

Nodes run on one asyncio loop and talk over real loopback TCP sockets; each has its own
:class:`~reference.node.node.Node` and :class:`~reference.sync.service.SyncService`.
``wait_until`` polls a predicate instead of sleeping a fixed time.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from conformance.arrivals import Arrivals
from reference.coinbase import build_coinbase
from reference.consensus import Consensus
from reference.hash import Hash
from reference.header import BlockHeader
from reference.merkle import hash_merkle_root
from reference.node.network import DEVNET_NETWORK, Network
from reference.node.node import Node
from reference.p2p.peer import PeerLimits
from reference.sync.backend import NodeBackend
from reference.sync.service import ServiceConfig, SyncService
from reference.transaction.model import ScriptPublicKey, Transaction

SKIP_POW_NETWORK = dataclasses.replace(
    DEVNET_NETWORK,
    name="devnet-skip-pow",
    preset=DEVNET_NETWORK.preset.with_overrides({"skip_proof_of_work": True}),
)
"""``devnet`` with the proof of work skipped: blocks cost no mining in tests."""

FAST_LIMITS = PeerLimits(
    handshake_seconds=2.0,
    request_seconds=5.0,
    idle_seconds=5.0,
    write_seconds=5.0,
    frame_seconds=1.0,
)
"""Short timeouts, so that a test of a misbehaving peer ends quickly."""

Block = tuple[BlockHeader, tuple[Transaction, ...]]


def coinbase_for(blue_score: int, tag: int) -> Transaction:
    """A coinbase paying nothing; ``tag`` makes blocks over the same parents differ."""
    return build_coinbase(blue_score, ScriptPublicKey(0, b""), 0, tag.to_bytes(8, "little"))


def build_block(
    consensus: Consensus, parents: Sequence[Hash], timestamp: int | None = None, tag: int = 0
) -> Block:
    """A valid block over ``parents`` with a coinbase-only body."""
    draft = consensus.build_header(parents, timestamp=timestamp)
    body = (coinbase_for(draft.blue_score, tag),)
    header = dataclasses.replace(draft, hash_merkle_root=hash_merkle_root(body))
    return header, body


def generate_dag(network: Network, count: int, seed: int, max_delay_ms: int = 2000) -> list[Block]:
    """``count`` blocks of a 1-block/s DAG with network delays up to ``max_delay_ms`` (each
    block sees the DAG as it was a random delay earlier and takes that view's tips)."""
    node = Node(network, clock=lambda: 4_102_444_800_000)
    consensus = node.consensus
    arrivals = Arrivals(
        seed, network.genesis.timestamp, max_delay_ms, network.preset.max_block_parents
    )
    hashes = [consensus.genesis]
    blocks: list[Block] = []
    for index in range(count):
        now, tips = arrivals.next()
        parents = [hashes[i] for i in tips]
        timestamp = max(now, consensus.past_median_time_of_parents(parents) + 1)
        header, body = build_block(consensus, parents, timestamp, tag=index)
        hashes.append(node.submit_block(header, body))
        arrivals.created(tips)
        blocks.append((header, body))
    return blocks


@dataclass
class NodeUnderTest:
    """One node and its peer service."""

    node: Node
    service: SyncService

    @property
    def sink(self) -> Hash:
        return self.node.consensus.sink()

    @property
    def port(self) -> int:
        return self.service.port

    async def connect(self, other: NodeUnderTest) -> None:
        await self.service.connect("127.0.0.1", other.port)

    def mine(self, tag: int) -> Hash:
        """Mine one block on the node's virtual parents."""
        consensus = self.node.consensus
        header, body = build_block(consensus, consensus.virtual_state().parents, tag=tag)
        return self.node.submit_block(header, body)


async def start_node(
    network: Network = SKIP_POW_NETWORK,
    blocks: Sequence[Block] = (),
    *,
    limits: PeerLimits = FAST_LIMITS,
    preferred_mode: int = 1,
    progress: Callable[[str], None] | None = None,
) -> NodeUnderTest:
    """A node holding ``blocks``, listening on a free loopback port."""
    node = Node(network)
    for header, body in blocks:
        node.submit_block(header, body)
    service = SyncService(
        NodeBackend(node),
        ServiceConfig(
            network=network.name,
            limits=limits,
            preferred_mode=preferred_mode,
            exempt_hosts=frozenset({"127.0.0.1"}),
            progress=progress or (lambda line: None),
        ),
    )
    await service.start()
    return NodeUnderTest(node, service)


async def wait_until(predicate: Callable[[], bool], timeout: float, what: str = "") -> None:
    """Poll ``predicate`` until true; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}")
        await asyncio.sleep(0.02)


async def stop_all(nodes: Sequence[NodeUnderTest]) -> None:
    """Stop every node's service."""
    for test_node in nodes:
        await test_node.service.stop()
    await asyncio.sleep(0)
