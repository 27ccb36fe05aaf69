"""Compact block relay between nodes on loopback: modes 1 and 2 with their recovery paths.

Nodes run on one asyncio loop over real sockets (``tests/sync_helpers``). A block of a few
hundred transactions is mined on one node and relayed to peers that hold most of them in their
mempools; each peer must end with the identical block, and the bytes on its connection are
compared with those of a peer fetching whole blocks in the same run. Hostile peers send compact
messages that break the exchange and must be banned without changing the node.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import random
from collections.abc import Callable, Sequence

import pytest

from conformance.transactions import random_transaction
from reference.errors import PeerError
from reference.hash import Hash
from reference.header import BlockHeader, header_hash
from reference.header_wire import header_to_wire
from reference.merkle import hash_merkle_root
from reference.node.node import Node
from reference.p2p import messages as m
from reference.p2p.handshake import LocalIdentity, handshake
from reference.p2p.peer import Handler, Peer
from reference.relay import compact, reconcile
from reference.relay.messages import BlockTransactions as RelayTransactions
from reference.relay.messages import encode_block_transactions
from reference.relay.shortid import short_id_key
from reference.sync.backend import NodeBackend
from reference.sync.relay import RelayPeerState, relay_body_of, relay_header_of
from reference.sync.service import ServiceConfig, SyncService
from reference.transaction.encoding import encode_transaction, transaction_id
from reference.transaction.model import Transaction
from tests.sync_helpers import (
    FAST_LIMITS,
    SKIP_POW_NETWORK,
    Block,
    NodeUnderTest,
    coinbase_for,
    stop_all,
    wait_until,
)

BLOCK_TRANSACTIONS = 300
"""Non-coinbase transactions per relayed block."""


async def start(preferred_mode: int, relay_modes: int = 0b11) -> NodeUnderTest:
    """A node on loopback asking its peers in ``preferred_mode`` and serving ``relay_modes``."""
    node = Node(SKIP_POW_NETWORK)
    service = SyncService(
        NodeBackend(node),
        ServiceConfig(
            network=SKIP_POW_NETWORK.name,
            limits=FAST_LIMITS,
            relay_modes=relay_modes,
            preferred_mode=preferred_mode,
            exempt_hosts=frozenset({"127.0.0.1"}),
            progress=lambda line: None,
        ),
    )
    await service.start()
    return NodeUnderTest(node, service)


def transactions(seed: int, count: int) -> list[Transaction]:
    rng = random.Random(seed)
    return [random_transaction(rng) for _ in range(count)]


def block_over(node: Node, others: Sequence[Transaction], tag: int) -> Block:
    """A valid block on ``node``'s virtual parents holding ``others`` in the canonical order
    of relay (coinbase, then ascending transaction id)."""
    consensus = node.consensus
    draft = consensus.build_header(consensus.virtual_state().parents)
    body = (coinbase_for(draft.blue_score, tag), *sorted(others, key=transaction_id))
    return dataclasses.replace(draft, hash_merkle_root=hash_merkle_root(body)), body


def held_by(nodes: Sequence[NodeUnderTest], block: Hash) -> Callable[[], bool]:
    """A predicate: every node of ``nodes`` holds ``block``."""
    return lambda: all(node.node.has_block(block) for node in nodes)


def no_peers(node: NodeUnderTest) -> bool:
    return not node.service.peers()


def state_of(receiver: NodeUnderTest) -> RelayPeerState:
    """The receiver's relay state of its one peer."""
    (peer,) = receiver.service.peers()
    return receiver.service._peers[peer].relay


def wire_bytes(receiver: NodeUnderTest) -> int:
    """Frame bytes both ways on the receiver's one connection."""
    (peer,) = receiver.service.peers()
    return peer.bytes_sent + peer.bytes_received


@pytest.mark.parametrize("mode", [1, 2], ids=["compact", "reconcile"])
def test_compact_modes_relay_identical_blocks_in_far_fewer_bytes(mode: int) -> None:
    """A miner relays to a compact peer and to a whole-block peer (which serves no compact
    mode at all: a mixed network). First every block transaction is in both mempools, then
    the compact peer lacks 4 % of them and asks for exactly those."""

    async def scenario() -> None:
        miner = await start(preferred_mode=1)
        receiver = await start(preferred_mode=mode)
        whole = await start(preferred_mode=0, relay_modes=0)
        nodes = [miner, receiver, whole]
        try:
            await receiver.connect(miner)
            await whole.connect(miner)
            await wait_until(lambda: len(miner.service.peers()) == 2, 5, "both peers")
            pool = transactions(mode, 2 * BLOCK_TRANSACTIONS + 150)
            first, second = pool[:BLOCK_TRANSACTIONS], pool[BLOCK_TRANSACTIONS:-150]
            lacking = set(second[::25])  # 12 of 300
            for tx in pool:
                miner.node.submit_transaction(tx)
                whole.node.submit_transaction(tx)
                if tx not in lacking:
                    receiver.node.submit_transaction(tx)
            assert state_of(receiver).mode == mode and state_of(whole).mode == 0
            for round_, others in enumerate((first, second)):
                before = wire_bytes(receiver), wire_bytes(whole)
                header, body = block_over(miner.node, others, tag=round_)
                block = miner.node.submit_block(header, body)
                await wait_until(held_by([receiver, whole], block), 10, "the block on both")
                compact_bytes = wire_bytes(receiver) - before[0]
                full_bytes = wire_bytes(whole) - before[1]
                for peer_node in (receiver, whole):
                    assert peer_node.node.consensus.body(block) == body
                    assert peer_node.sink == miner.sink
                # The whole block carried every transaction. A compact mode carries at most 8
                # bytes per transaction held (6-byte short IDs; mode 2 far less), those lacked,
                # the header twice (in the envelope and compact in the relay message) and the
                # fixed parts of a few messages.
                carried = sum(len(encode_transaction(tx)) for tx in body)
                assert full_bytes > carried
                lacked = sum(len(encode_transaction(tx)) for tx in others if tx in lacking)
                bound = 8 * len(others) + lacked + 2 * len(header_to_wire(header)) + 1024
                assert compact_bytes < bound, (compact_bytes, bound)
                assert compact_bytes < full_bytes / 5, (compact_bytes, full_bytes)
            relay = state_of(receiver)
            assert relay.fallbacks == 0
            stages = {"compact"} if mode == 1 else {"reconcile", "reconcile-larger"}
            assert set(relay.delivered) <= stages and sum(relay.delivered.values()) == 2
            assert state_of(whole).delivered == {"full": 2}
            # Relayed transactions left every mempool with the blocks that hold them.
            assert len(receiver.node.mempool) == len(whole.node.mempool) == 150
        finally:
            await stop_all(nodes)

    asyncio.run(scenario())


def other_signing(tx: Transaction) -> Transaction:
    """The same transaction (same id) with another signature script: another hash."""
    first = tx.inputs[0]
    resigned = dataclasses.replace(first, signature_script=bytes(len(first.signature_script)))
    return dataclasses.replace(tx, inputs=(resigned, *tx.inputs[1:]))


@pytest.mark.parametrize("mode", [1, 2], ids=["compact", "reconcile"])
def test_a_wrong_merkle_root_after_reconstruction_falls_back_to_the_whole_block(
    mode: int,
) -> None:
    """The receiver holds another signing of one block transaction: it matches by id, the
    rebuilt body's merkle root is not the header's, and the node takes the whole block."""

    async def scenario() -> None:
        miner = await start(preferred_mode=1)
        receiver = await start(preferred_mode=mode)
        try:
            await receiver.connect(miner)
            await wait_until(lambda: len(miner.service.peers()) == 1, 5, "the peer")
            others = transactions(10 + mode, 120)
            resigned = other_signing(others[7])
            assert transaction_id(resigned) == transaction_id(others[7]) and resigned != others[7]
            for tx in others:
                miner.node.submit_transaction(tx)
                receiver.node.submit_transaction(resigned if tx is others[7] else tx)
            header, body = block_over(miner.node, others, tag=1)
            block = miner.node.submit_block(header, body)
            await wait_until(lambda: receiver.node.has_block(block), 10, "the block")
            assert receiver.node.consensus.body(block) == body
            relay = state_of(receiver)
            assert relay.fallbacks == 1 and relay.delivered == {"full": 1}
        finally:
            await stop_all([miner, receiver])

    asyncio.run(scenario())


class HostileRelay(Handler):
    """Announces a block and answers its relay with one kind of bad message."""

    def __init__(self, attack: str, block: Block, decoy: BlockHeader) -> None:
        self.attack = attack
        self.header, self.body = block
        self.decoy = decoy
        self.block = header_hash(self.header)
        self.relay_header = relay_header_of(self.header)
        self.relay_body = relay_body_of(self.body)

    async def on_request_addresses(self, peer: Peer, message: m.RequestAddresses) -> None:
        await peer.send(m.Addresses(()))

    async def on_inv_block(self, peer: Peer, message: m.InvBlock) -> None:
        pass

    async def on_request_relay_block(self, peer: Peer, message: m.RequestRelayBlock) -> None:
        header, relay_header, body = self.header, self.relay_header, self.relay_body
        if message.mode == 0:
            await peer.send(m.Block(header, m.encode_transactions(self.body)))
            return
        if self.attack == "oversized":
            peer._writer.write((m.CompactBlock.MAX_SIZE + 1).to_bytes(4, "little") + b"\x14")
            return
        if message.mode == 1:
            built = compact.make_compact_block(relay_header, body, 0)
            if self.attack == "index past the block":
                built = dataclasses.replace(
                    built, prefilled=((len(body.transactions), body.transactions[0]),)
                )
            if self.attack == "swapped short ids":
                # Both transactions are held, so both positions fill, in the wrong order.
                first, second, *rest = built.short_ids
                built = dataclasses.replace(built, short_ids=(second, first, *rest))
            data = compact.encode_compact_block(built)
            envelope = self.decoy if self.attack == "header of another block" else header
            await peer.send(m.CompactBlock(self.block, envelope, data))
            return
        if self.attack == "relay message of another block":
            relay_header = dataclasses.replace(relay_header, timestamp=relay_header.timestamp + 1)
        data = reconcile.encode_reconcile_block(
            reconcile.make_reconcile_block(relay_header, body, 0, message.mempool_size)
        )
        if self.attack == "truncated":
            data = data[:-5]
        await peer.send(m.ReconcileBlock(self.block, header, data))

    async def on_request_iblt(self, peer: Peer, message: m.RequestIblt) -> None:
        _, cells = reconcile.decode_get_iblt(message.data)
        table = reconcile.serve_iblt(self.relay_header, self.relay_body, 0, cells)
        await peer.send(m.IbltMessage(self.block, None, table))

    async def on_request_transactions_by_short_id(
        self, peer: Peer, message: m.RequestTransactionsByShortId
    ) -> None:
        block_hash, ids = reconcile.decode_get_by_short_id(message.data)
        key = short_id_key(block_hash, 0)
        sent = reconcile.serve_by_short_id(key, block_hash, self.relay_body, ids)
        # The attack: the first transaction is not the one asked for.
        wrong = (self.relay_body.transactions[0], *sent.transactions[1:])
        data = encode_block_transactions(RelayTransactions(block_hash, wrong))
        await peer.send(m.BlockTransactions(self.block, None, data))


ATTACKS = [
    ("header of another block", 1, "PROTOCOL_VIOLATION"),
    ("index past the block", 1, "PROTOCOL_VIOLATION"),
    ("oversized", 1, "MESSAGE_TOO_LARGE"),
    ("truncated", 2, "MALFORMED_MESSAGE"),
    ("relay message of another block", 2, "PROTOCOL_VIOLATION"),
    ("transaction not asked for", 2, "MALFORMED_MESSAGE"),
]


def test_hostile_compact_messages_are_banned_and_change_nothing() -> None:
    async def scenario() -> None:
        nodes = {mode: await start(preferred_mode=mode) for mode in (1, 2)}
        helper = Node(SKIP_POW_NETWORK)
        others = transactions(99, 80)
        block = block_over(helper, others, tag=5)
        decoy, _ = block_over(helper, others[:3], tag=6)
        for node in nodes.values():
            for tx in others[2:]:  # two transactions lacking: mode 2 asks for them by short ID
                node.node.submit_transaction(tx)
        identity = LocalIdentity(SKIP_POW_NETWORK.name, helper.consensus.genesis, "/h/", 7, 0)
        try:
            for attack, mode, code in ATTACKS:
                target = nodes[mode]
                before = (target.node.consensus.tips(), target.sink, len(target.node.mempool))
                reader, writer = await asyncio.open_connection("127.0.0.1", target.port)
                peer = Peer(reader, writer, HostileRelay(attack, block, decoy), inbound=False)
                peer.start()
                await handshake(peer, identity, 0)
                await peer.send(m.InvBlock(header_hash(block[0])))
                await wait_until(functools.partial(getattr, peer, "closed"), 10, f"{attack}: ban")
                assert peer.close_reason is not None and code in peer.close_reason, (
                    attack,
                    peer.close_reason,
                )
                after = (target.node.consensus.tips(), target.sink, len(target.node.mempool))
                assert after == before, attack
                assert not target.node.has_block(header_hash(block[0]))
                await wait_until(functools.partial(no_peers, target), 5, "the peer forgotten")
        finally:
            await stop_all(list(nodes.values()))

    asyncio.run(scenario())


def test_a_body_that_fails_its_merkle_root_costs_a_fallback_not_a_ban() -> None:
    """A compact block whose reconstruction fails its merkle root is what an unnoticed short-ID
    collision looks like: the node falls back to the whole block, which it accepts."""

    async def scenario() -> None:
        node = await start(preferred_mode=1)
        helper = Node(SKIP_POW_NETWORK)
        others = transactions(5, 40)
        block = block_over(helper, others, tag=9)
        for tx in others:
            node.node.submit_transaction(tx)
        identity = LocalIdentity(SKIP_POW_NETWORK.name, helper.consensus.genesis, "/h/", 8, 0)
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", node.port)
            hostile = HostileRelay("swapped short ids", block, block[0])
            peer = Peer(reader, writer, hostile, inbound=False)
            peer.start()
            await handshake(peer, identity, 0)
            await peer.send(m.InvBlock(header_hash(block[0])))
            block_hash = header_hash(block[0])
            await wait_until(lambda: node.node.has_block(block_hash), 10, "the block")
            assert not peer.closed
            relay = state_of(node)
            assert relay.fallbacks == 1 and relay.delivered == {"full": 1}
            assert node.node.consensus.body(block_hash) == block[1]
            peer.disconnect("done")
        finally:
            await stop_all([node])

    asyncio.run(scenario())


def test_relay_envelopes_are_checked() -> None:
    header = SKIP_POW_NETWORK.genesis
    good = m.CompactBlock(Hash(bytes(32)), header, b"\x03").serialize()
    assert m.CompactBlock.deserialize(good).data == b"\x03"
    for payload in (
        m.RequestIblt(Hash(bytes(32)), header, b"\x07").serialize(),  # a header it never has
        bytes(32) + b"\x00" + b"\x03",  # a compact block without its header
        m.CompactBlock(Hash(bytes(32)), header, b"\x06").serialize(),  # another relay tag
    ):
        kind = m.RequestIblt if payload[32] == 1 else m.CompactBlock
        with pytest.raises(PeerError) as caught:
            kind.deserialize(payload)
        assert caught.value.code == "MALFORMED_MESSAGE"
    too_many = m.RequestRelayBlock(Hash(bytes(32)), 2, 10_000_001).serialize()
    with pytest.raises(PeerError) as caught:
        m.RequestRelayBlock.deserialize(too_many)
    assert caught.value.code == "MESSAGE_TOO_LARGE"


@pytest.mark.filterwarnings("ignore:coroutine 'SyncService._fetch' was never awaited")
def test_a_fetch_cancelled_before_it_starts_does_not_block_the_block_for_good() -> None:
    """A relayed block's fetch whose connection closes before the fetch ran: the block is not
    left "being fetched", so the next announcement of it (after a reconnect) is fetched."""

    async def scenario() -> None:
        sender = await start(1)
        receiver = await start(1)
        try:
            block = sender.mine(1)
            await receiver.connect(sender)
            service = receiver.service
            await wait_until(lambda: bool(service.peers()), 5, "the connection")
            (peer,) = service.peers()
            await wait_until(lambda: receiver.node.consensus.has_block(block), 10, "the relay")
            orphan_parent = sender.mine(2)
            service._request(peer, orphan_parent, 0)  # the fetch is spawned, not yet run
            assert orphan_parent in service._fetching
            peer.disconnect("closed before the fetch ran")
            await wait_until(lambda: orphan_parent not in service._fetching, 5, "the cleanup")
        finally:
            await stop_all([sender, receiver])

    asyncio.run(scenario())
