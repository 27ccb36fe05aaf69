"""Headers-first sync and relay: locators and antipast chunks against brute force, then
networks of nodes on loopback — several syncees at once, five nodes with two miners, a
partition healed, and hostile syncers banned while the honest sync completes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import random

import pytest

from reference.consensus import Consensus
from reference.errors import PeerError
from reference.hash import Hash
from reference.header import BlockHeader, header_hash
from reference.node.network import DEVNET_NETWORK
from reference.node.node import Node
from reference.p2p import messages as m
from reference.p2p.framing import encode_frame
from reference.p2p.handshake import LocalIdentity, handshake
from reference.p2p.peer import Handler, Peer
from reference.processes.pow.state import PowState
from reference.sync.antipast import chain_above, chunk_size, header_chunks
from reference.sync.chain import SelectedChain
from reference.sync.locator import MAX_LOCATOR_LENGTH, chain_locator, read_locator
from tests.sync_helpers import (
    SKIP_POW_NETWORK,
    Block,
    NodeUnderTest,
    build_block,
    generate_dag,
    start_node,
    stop_all,
    wait_until,
)


@pytest.fixture(scope="module")
def dag() -> list[Block]:
    """A 600-block 1-block/s DAG with delays up to 3 s (about 2 parents per block)."""
    return generate_dag(SKIP_POW_NETWORK, 600, seed=7, max_delay_ms=3000)


def load(blocks: list[Block]) -> Node:
    node = Node(SKIP_POW_NETWORK)
    for header, body in blocks:
        node.submit_block(header, body)
    return node


def past(consensus: Consensus, block: Hash) -> set[Hash]:
    """past(block) by walking parents (brute force)."""
    seen: set[Hash] = set()
    stack = list(consensus.header(block).parents)
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(consensus.header(current).parents)
    return seen


def chain_of(consensus: Consensus, block: Hash) -> list[Hash]:
    """The selected chain from genesis to ``block`` by selected parents."""
    chain = [block]
    while (parent := consensus.ghostdag_data(chain[-1]).selected_parent) is not None:
        chain.append(parent)
    return chain[::-1]


def test_locator_positions_double_below_the_top(dag: list[Block]) -> None:
    consensus = load(dag).consensus
    chain = chain_of(consensus, consensus.sink())
    index = SelectedChain(consensus)
    locator = chain_locator(index, None, None)
    top = len(chain) - 1
    expected, position, step = [], top, 1
    while position > 0:
        expected.append(chain[position])
        position -= step
        step *= 2
    assert list(locator) == [*expected, chain[0]]
    assert len(locator) <= MAX_LOCATOR_LENGTH
    low, high = chain[100], chain[140]
    zoomed = chain_locator(index, low, high)
    assert zoomed[0] == high and zoomed[-1] == low
    assert [chain.index(h) for h in zoomed] == [140, 139, 137, 133, 125, 109, 100]
    # A block off the sink's chain gets the locator of its own selected chain.
    side = next(b for b in consensus.tips() if b != consensus.sink())
    side_chain = chain_of(consensus, side)
    side_locator = chain_locator(index, None, side)
    assert side_locator[0] == side and side_locator[-1] == consensus.genesis
    assert [side_chain.index(h) for h in side_locator[:4]] == [
        len(side_chain) - 1 - offset for offset in (0, 1, 3, 7)
    ]
    assert chain_locator(index, high, low) == ()


def test_zooming_finds_the_highest_shared_chain_block(dag: list[Block]) -> None:
    syncer = load(dag).consensus
    chain = chain_of(syncer, syncer.sink())
    index = SelectedChain(syncer)
    rng = random.Random(3)
    for known_count in [0, 1, 5, 77, 300, 599, *rng.sample(range(600), 10)]:
        known = {syncer.genesis} | {_hash(header) for header, _ in dag[:known_count]}
        expected = max((b for b in chain if b in known), key=chain.index)
        locator = chain_locator(index, None, None)
        reading = read_locator(locator, known.__contains__, lambda _: False)
        rounds = 0
        while not reading.adjacent and reading.lowest_unknown is not None:
            zoom = (reading.highest_known, reading.lowest_unknown)
            answer = chain_locator(index, *zoom)
            reading = read_locator(answer, known.__contains__, lambda _: False, zoom=zoom)
            rounds += 1
        assert reading.highest_known == expected
        assert rounds <= 2 * len(locator)


def _hash(header: BlockHeader) -> Hash:
    return header_hash(header)


def test_read_locator_refuses_dishonest_answers() -> None:
    a, b, c = (Hash(bytes([i]) * 32) for i in (1, 2, 3))
    with pytest.raises(PeerError):
        read_locator((), lambda _: True, lambda _: False)
    with pytest.raises(PeerError):
        read_locator((a, b), lambda _: False, lambda _: False)
    with pytest.raises(PeerError):
        read_locator((a, b), lambda h: h == b, lambda h: h == a)
    with pytest.raises(PeerError):
        read_locator((a, b), lambda h: h == b, lambda _: False, zoom=(c, a))
    with pytest.raises(PeerError):
        read_locator((a,) * 65, lambda _: True, lambda _: False)


def test_antipast_chunks_send_exactly_the_missing_blocks_parents_first(dag: list[Block]) -> None:
    consensus = load(dag).consensus
    chain = chain_of(consensus, consensus.sink())
    for low_position in (0, 1, len(chain) // 2, len(chain) - 2, len(chain) - 1):
        low, high = chain[low_position], chain[-1]
        for size in (chunk_size(consensus.preset), 20):
            chunks = list(header_chunks(consensus, low, high, size))
            sent = [block for chunk in chunks for block in chunk]
            expected = (past(consensus, high) | {high}) - (past(consensus, low) | {low})
            assert len(sent) == len(set(sent)) == len(expected)
            assert set(sent) == expected
            held = past(consensus, low) | {low}
            for block in sent:
                assert set(consensus.header(block).parents) <= held, "a parent comes later"
                held.add(block)
            chain_blocks = set(chain_above(consensus, low, high))
            for chunk in chunks:
                assert 0 < len(chunk) <= size
                assert chunk[-1] in chain_blocks, "a chunk ends inside a mergeset"
    with pytest.raises(PeerError):
        chain_above(consensus, chain[5], chain[3])


async def _sync_from(syncer: NodeUnderTest, syncees: list[NodeUnderTest]) -> None:
    for syncee in syncees:
        await syncee.connect(syncer)
    await wait_until(
        lambda: all(s.sink == syncer.sink for s in syncees), 60, "every syncee at the sink"
    )


def test_one_syncer_serves_several_syncees_at_once(dag: list[Block]) -> None:
    async def scenario() -> None:
        syncer = await start_node(blocks=dag)
        syncees = [await start_node() for _ in range(3)]
        await _sync_from(syncer, syncees)
        await wait_until(
            lambda: all(s.node.dag_info().block_count == len(dag) + 1 for s in syncees),
            30,
            "every body",
        )
        for syncee in syncees:
            info = syncee.node.dag_info()
            assert info.block_count == info.header_count == len(dag) + 1
            assert syncee.service.progress.phase == "done"
            assert syncee.service.progress.bodies > 0
        # A node that falls behind catches up the same way: the syncer mines 30 more.
        for tag in range(30):
            syncer.mine(10_000 + tag)
        await wait_until(lambda: all(s.sink == syncer.sink for s in syncees), 30, "caught up")
        await stop_all([syncer, *syncees])

    asyncio.run(scenario())


def _mined_everywhere(nodes: list[NodeUnderTest], mined: list[Hash]) -> bool:
    return all(n.node.consensus.body(block) is not None for n in nodes for block in mined)


def test_five_nodes_with_two_miners_converge_on_one_sink() -> None:
    async def scenario() -> None:
        nodes = [await start_node() for _ in range(5)]
        for left, right in [(0, 1), (1, 2), (2, 3), (3, 4)]:
            await nodes[left].connect(nodes[right])
        rng = random.Random(5)
        mined: list[Hash] = []
        for round_number in range(25):
            for miner in (nodes[0], nodes[3]):
                mined.append(miner.mine(round_number * 2 + (miner is nodes[3])))
            await asyncio.sleep(rng.uniform(0.0, 0.05))
        await wait_until(
            lambda: len({n.sink for n in nodes}) == 1 and _mined_everywhere(nodes, mined),
            30,
            "one sink holding every mined block",
        )
        await stop_all(nodes)

    asyncio.run(scenario())


def test_a_partition_heals_and_no_accepted_block_is_lost() -> None:
    async def scenario() -> None:
        nodes = [await start_node() for _ in range(4)]
        await nodes[0].connect(nodes[1])
        await nodes[2].connect(nodes[3])
        await nodes[1].connect(nodes[2])
        for tag in range(5):
            nodes[0].mine(tag)
        await wait_until(lambda: len({n.sink for n in nodes}) == 1, 20, "first agreement")
        # Partition: drop the link between the halves (node 1 dialled node 2).
        link = [p for p in nodes[1].service.peers() if p.address[1] == nodes[2].port]
        assert len(link) == 1
        link[0].disconnect("partition")
        await wait_until(lambda: len(nodes[2].service.peers()) == 1, 5, "link dropped")
        mined: list[Hash] = []
        for tag in range(40):
            mined.append(nodes[0].mine(100 + tag))
            if tag % 2 == 0:
                mined.append(nodes[3].mine(200 + tag))
            await asyncio.sleep(0.01)
        await wait_until(
            lambda: nodes[0].sink == nodes[1].sink and nodes[2].sink == nodes[3].sink,
            20,
            "each half agrees",
        )
        assert nodes[1].sink != nodes[2].sink
        await nodes[1].connect(nodes[2])  # heal
        await wait_until(
            lambda: len({n.sink for n in nodes}) == 1 and _mined_everywhere(nodes, mined),
            30,
            "every node at one sink with every block of both halves",
        )
        await stop_all(nodes)

    asyncio.run(scenario())


class Hostile(Handler):
    """A syncer that answers the locator honestly-looking, then misbehaves with headers."""

    def __init__(self, attack: str, blocks: list[Block], genesis: Hash) -> None:
        self.attack = attack
        self.blocks = blocks
        self.genesis = genesis

    async def on_request_next_headers(self, peer: Peer, message: m.RequestNextHeaders) -> None:
        pass  # flow control is what this peer ignores

    async def on_request_chain_locator(self, peer: Peer, message: m.RequestChainLocator) -> None:
        top = _hash(self.blocks[-1][0])
        if message.low == m.NO_HASH:
            await peer.send(m.ChainLocator((top, self.genesis)))
        else:
            await peer.send(m.ChainLocator((message.high, message.low)))

    async def on_request_headers(self, peer: Peer, message: m.RequestHeaders) -> None:
        peer.spawn(self.stream(peer), "hostile stream", own=True)

    async def stream(self, peer: Peer) -> None:
        headers = tuple(h for h, _ in self.blocks)
        if self.attack == "invalid header":
            # Its only header claims a wrong blue score (caught by the header rules, or by
            # the full validation its body triggers); the stream then ends properly.
            next_asked = peer.expect(m.RequestNextHeaders)
            await peer.send(m.Headers(headers[:1]))
            await peer.collect(next_asked, m.RequestNextHeaders)
            await peer.send(m.DoneHeaders())
        elif self.attack == "wrong pow":
            await peer.send(m.Headers(headers[:1]))
        elif self.attack == "garbage":
            peer._writer.write(b"\x10\x00\x00\x00\x23" + b"\xff" * 16)
        elif self.attack == "endless stream":
            for _ in range(1000):  # chunks without waiting for REQUEST_NEXT_HEADERS
                await peer.send(m.Headers(headers[:2]))
        elif self.attack == "repeated chunk":
            for _ in range(1000):
                next_asked = peer.expect(m.RequestNextHeaders)
                await peer.send(m.Headers(headers[:2]))
                await peer.collect(next_asked, m.RequestNextHeaders)
        elif self.attack == "slowloris":
            frame = encode_frame(m.Headers(headers[:2]))
            for byte in frame[:20]:
                peer._writer.write(bytes([byte]))
                await asyncio.sleep(0.3)

    async def on_request_addresses(self, peer: Peer, message: m.RequestAddresses) -> None:
        await peer.send(m.Addresses(()))

    async def on_request_relay_block(self, peer: Peer, message: m.RequestRelayBlock) -> None:
        header, body = self.blocks[-1]
        await peer.send(m.Block(header, m.encode_transactions(body)))

    async def on_inv_block(self, peer: Peer, message: m.InvBlock) -> None:
        pass

    async def on_request_bodies(self, peer: Peer, message: m.RequestBodies) -> None:
        bodies = {_hash(header): body for header, body in self.blocks}
        for block in message.blocks:
            await peer.send(m.BlockBody(block, m.encode_transactions(bodies[block])))


async def start_hostile(
    attack: str, blocks: list[Block], network_name: str, genesis: Hash
) -> tuple[asyncio.Server, list[Peer]]:
    peers: list[Peer] = []
    identity = LocalIdentity(network_name, genesis, "/hostile/", 12345, 0)

    async def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = Peer(reader, writer, Hostile(attack, blocks, genesis), inbound=True)
        peers.append(peer)
        peer.start()
        await handshake(peer, identity, 0)
        await peer.send(m.InvBlock(_hash(blocks[-1][0])))

    server = await asyncio.start_server(accepted, "127.0.0.1", 0)
    return server, peers


def _pow_blocks(count: int) -> list[Block]:
    """Blocks of the proof-of-work devnet, mined; and a last one whose nonce fails."""
    node = Node(DEVNET_NETWORK)
    blocks: list[Block] = []
    for tag in range(count):
        header, body = build_block(node.consensus, [node.consensus.sink()], tag=tag)
        state = PowState(header)
        nonce = next(n for n in range(64) if state.pow_value(n) <= state.target)
        header = dataclasses.replace(header, nonce=nonce)
        node.submit_block(header, body)
        blocks.append((header, body))
    return blocks


@pytest.mark.parametrize(
    "attack",
    ["invalid header", "wrong pow", "garbage", "endless stream", "repeated chunk", "slowloris"],
)
def test_hostile_syncer_is_banned_while_the_honest_sync_completes(
    attack: str, dag: list[Block]
) -> None:
    async def scenario() -> None:
        network = DEVNET_NETWORK if attack == "wrong pow" else SKIP_POW_NETWORK
        honest_blocks = _pow_blocks(3) if attack == "wrong pow" else dag[:200]
        hostile_blocks = honest_blocks
        if attack == "invalid header":
            header, body = honest_blocks[0]
            hostile_blocks = [(dataclasses.replace(header, blue_score=7), body)]
        if attack == "wrong pow":
            header, body = honest_blocks[0]
            state = PowState(header)
            bad = next(n for n in range(64) if state.pow_value(n) > state.target)
            hostile_blocks = [(dataclasses.replace(header, nonce=bad), body)]
        honest = await start_node(network, honest_blocks)
        syncee = await start_node(network)
        genesis = syncee.node.consensus.genesis
        server, hostile_peers = await start_hostile(attack, hostile_blocks, network.name, genesis)
        port = int(server.sockets[0].getsockname()[1])
        await syncee.service.connect("127.0.0.1", port)
        await wait_until(lambda: bool(hostile_peers) and hostile_peers[0].closed, 15, "ban")
        # Headers that pass every header rule may stay (Kaspa keeps them too); nothing else
        # the hostile peer sent is held, and no block became complete.
        info = syncee.node.dag_info()
        assert info.block_count == 1, "the hostile peer completed a block"
        valid = {genesis} | {_hash(header) for header, _ in honest_blocks}
        held = set(syncee.node.consensus.tips())
        assert held <= valid, "the hostile peer got an invalid header accepted"
        assert info.header_count <= 3, "more headers held than the hostile peer's first chunk"
        await syncee.connect(honest)
        await wait_until(lambda: syncee.sink == honest.sink, 30, "honest sync")
        assert "127.0.0.1" in syncee.service.bans.banned_hosts()
        server.close()
        await stop_all([honest, syncee])

    asyncio.run(scenario())
