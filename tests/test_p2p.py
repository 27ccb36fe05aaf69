"""The wire protocol: messages, frames, limits, the handshake, ping, addresses and bans.

Byte layouts are checked against encodings written out in the test from ``spec/p2p.md``,
not against the encoder; decoding limits are checked with hostile counts and truncations;
the handshake and the ban score run on real loopback sockets.
"""

from __future__ import annotations

import asyncio
import dataclasses
import struct
from types import MappingProxyType

import pytest

from reference.errors import Code, PeerError, UnknownBlock
from reference.hash import Hash
from reference.header import header_hash
from reference.header_wire import header_to_wire
from reference.p2p import messages as m
from reference.p2p.addresses import AddressBook, BanList, host_port, net_address
from reference.p2p.framing import MAX_FRAME_SIZE, decode_frame, encode_frame
from reference.p2p.handshake import (
    MODE_COMPACT,
    MODE_FULL,
    MODE_RECONCILE,
    LocalIdentity,
    handshake,
    relay_mode_for,
    version_message,
)
from reference.p2p.peer import Handler, Peer
from reference.processes.block_depth import ORIGIN
from reference.processes.ghostdag.data import GhostdagData
from reference.processes.trusted import TrustedBlock
from reference.stores.depth import BlockDepth
from tests.sync_helpers import FAST_LIMITS, SKIP_POW_NETWORK, start_node, stop_all, wait_until

H1 = Hash(bytes(range(32)))
H2 = Hash(bytes(range(32, 64)))
GENESIS = SKIP_POW_NETWORK.genesis


def samples() -> list[m.Message]:
    """One instance of every message type."""
    return [
        m.Version(1, "devnet", H1, "/dagspec:0.1.0/", 1_700_000_000_000, 7, 16111, 3, 1),
        m.Verack(),
        m.Reject("INCOMPATIBLE_PEER", "network 'x'"),
        m.Ping(2**64 - 1),
        m.Pong(0),
        m.RequestAddresses(),
        m.Addresses((net_address("127.0.0.1", 16111), net_address("::1", 1))),
        m.InvBlock(H1),
        m.RequestRelayBlock(H1, 2, 5000),
        m.Block(GENESIS, (b"\x01\x02", b"\x03")),
        m.BlockNotFound(H2),
        m.CompactBlock(H1, GENESIS, b"\x03abc"),
        m.RequestBlockTransactions(H1, None, b"\x04"),
        m.BlockTransactions(H2, None, b"\x05"),
        m.ReconcileBlock(H1, GENESIS, b"\x06"),
        m.RequestIblt(H1, None, b"\x07"),
        m.IbltMessage(H1, None, b"\x08"),
        m.RequestTransactionsByShortId(H1, None, b"\x09"),
        m.RequestChainLocator(m.NO_HASH, H2),
        m.ChainLocator((H1, H2)),
        m.RequestHeaders(H1, H2),
        m.Headers((GENESIS, GENESIS)),
        m.RequestNextHeaders(),
        m.DoneHeaders(),
        m.RequestBodies((H1, H2)),
        m.BlockBody(H1, (b"\x05",)),
        m.RequestTrustedData(),
        m.PruningPoints((H1, H2), (H2,)),
        m.TrustedBlocks((trusted_block(), trusted_block(nonce=9))),
        m.RequestNextTrustedBlocks(),
        m.DoneTrustedBlocks(),
    ]


def trusted_block(nonce: int = 0) -> TrustedBlock:
    """A trusted block over H1 and H2 (its data need not be consistent: only bytes here)."""
    header = dataclasses.replace(
        GENESIS, parents_by_level=((H1, H2),), nonce=nonce, blue_score=7, blue_work=0x1234
    )
    ghostdag = GhostdagData(
        hash=header_hash(header),
        selected_parent=H1,
        mergeset_blues=(H1, H2),
        mergeset_reds=(),
        blues_anticone_sizes=MappingProxyType({H2: 1, H1: 0}),
        blue_score=7,
        blue_work=0x1234,
    )
    return TrustedBlock(header, ghostdag, BlockDepth(H1, ORIGIN), H2, frozenset({H2}))


def test_every_message_type_has_a_sample_a_unique_tag_and_a_unique_name() -> None:
    kinds = [type(message) for message in samples()]
    assert kinds == list(m.MESSAGE_TYPES)
    assert len({kind.TAG for kind in kinds}) == len(kinds)
    assert len({kind.NAME for kind in kinds}) == len(kinds)
    assert all(kind.TAG < 256 for kind in kinds)


@pytest.mark.parametrize("message", samples(), ids=lambda message: message.NAME)
def test_every_message_round_trips_through_its_frame(message: m.Message) -> None:
    frame = encode_frame(message)
    payload = message.serialize()
    assert frame[:4] == struct.pack("<I", len(payload))
    assert frame[4] == message.TAG
    decoded, used = decode_frame(frame + b"\xff")
    assert used == len(frame)
    assert decoded == message
    assert len(payload) <= message.MAX_SIZE <= MAX_FRAME_SIZE


def test_byte_layouts_written_from_the_spec() -> None:
    version = m.Version(1, "devnet", H1, "/x/", 5, 6, 7, 3, 2)
    expected = (
        struct.pack("<I", 1)
        + struct.pack("<I", 6)
        + b"devnet"
        + H1
        + struct.pack("<I", 3)
        + b"/x/"
        + struct.pack("<QQHBB", 5, 6, 7, 3, 2)
    )
    assert version.serialize() == expected
    assert m.ChainLocator((H1, H2)).serialize() == struct.pack("<I", 2) + H1 + H2
    assert m.RequestRelayBlock(H2, 1, 300).serialize() == H2 + b"\x01" + struct.pack("<I", 300)
    body = m.BlockBody(H1, (b"ab", b"c")).serialize()
    assert body == H1 + struct.pack("<I", 2) + struct.pack("<I", 2) + b"ab" + b"\x00" * 0 + (
        struct.pack("<I", 1) + b"c"
    )
    headers = m.Headers((GENESIS,)).serialize()
    assert headers == struct.pack("<I", 1) + header_to_wire(GENESIS)
    points = m.PruningPoints((H1, H2), (H2,)).serialize()
    assert points == struct.pack("<I", 2) + H1 + H2 + struct.pack("<I", 1) + H2
    block = trusted_block()
    assert m.TrustedBlocks((block,)).serialize() == (
        struct.pack("<I", 1)
        + header_to_wire(block.header)
        + H1  # selected parent
        + struct.pack("<I", 2)
        + H1
        + H2  # mergeset blues
        + struct.pack("<I", 0)  # mergeset reds
        + struct.pack("<I", 2)
        + H1
        + struct.pack("<H", 0)
        + H2
        + struct.pack("<H", 1)
        + H1
        + ORIGIN  # merge-depth root, finality point
        + H2  # pruning sample
        + struct.pack("<I", 1)
        + H2  # non-DAA mergeset
    )
    assert encode_frame(m.Verack()) == b"\x00\x00\x00\x00\x02"


@pytest.mark.parametrize("message", samples(), ids=lambda message: message.NAME)
def test_truncated_and_extended_payloads_are_refused(message: m.Message) -> None:
    payload = message.serialize()
    for cut in {0, 1, len(payload) // 2, len(payload) - 1}:
        if not 0 <= cut < len(payload):
            continue
        if isinstance(message, m.RelayPayload) and cut >= 33:
            continue  # relay bytes are opaque here: the relay codec bounds them
        with pytest.raises(PeerError) as caught:
            type(message).deserialize(payload[:cut])
        assert caught.value.code in (Code.MALFORMED_MESSAGE, Code.MESSAGE_TOO_LARGE)
    if not isinstance(message, m.RelayPayload):
        with pytest.raises(PeerError) as caught:
            type(message).deserialize(payload + b"\x00")
        assert caught.value.code is Code.MALFORMED_MESSAGE


def test_a_hostile_count_is_refused_before_anything_is_read() -> None:
    # A locator claiming 2^32 - 1 hashes in 4 bytes: over the field's limit.
    with pytest.raises(PeerError) as caught:
        m.ChainLocator.deserialize(b"\xff\xff\xff\xff")
    assert caught.value.code is Code.MESSAGE_TOO_LARGE
    # Within the limit but more than the bytes left can hold.
    with pytest.raises(PeerError) as caught:
        m.ChainLocator.deserialize(struct.pack("<I", 3) + H1)
    assert caught.value.code is Code.MALFORMED_MESSAGE
    with pytest.raises(PeerError) as caught:
        m.Headers.deserialize(struct.pack("<I", 10_000))
    assert caught.value.code is Code.MALFORMED_MESSAGE
    with pytest.raises(PeerError) as caught:
        m.RequestBodies.deserialize(struct.pack("<I", 100) + H1 * 100)
    assert caught.value.code is Code.MESSAGE_TOO_LARGE


def test_frames_with_unknown_tags_or_oversized_lengths_are_refused_from_the_head() -> None:
    with pytest.raises(PeerError) as caught:
        decode_frame(b"\x00\x00\x00\x00\xee")
    assert caught.value.code is Code.MALFORMED_MESSAGE
    # A PING announcing 9 bytes: refused from the 5-byte head, no payload needed.
    with pytest.raises(PeerError) as caught:
        decode_frame(struct.pack("<I", 9) + bytes([m.Ping.TAG]))
    assert caught.value.code is Code.MESSAGE_TOO_LARGE
    with pytest.raises(PeerError) as caught:
        decode_frame(struct.pack("<I", MAX_FRAME_SIZE + 1) + bytes([m.Headers.TAG]))
    assert caught.value.code is Code.MESSAGE_TOO_LARGE


def test_invalid_fields_are_refused() -> None:
    good = m.Version(1, "devnet", H1, "/x/", 5, 6, 7, 3, 2).serialize()
    with pytest.raises(PeerError):
        m.Version.deserialize(good[:-2] + b"\x04\x00")  # unknown relay mode bit
    bad_utf8 = struct.pack("<I", 1) + struct.pack("<I", 1) + b"\xff" + good[9:]
    with pytest.raises(PeerError):
        m.Version.deserialize(bad_utf8)
    with pytest.raises(PeerError):
        m.RequestRelayBlock.deserialize(H1 + b"\x03" + b"\0\0\0\0")
    with pytest.raises(PeerError):
        m.RequestBodies.deserialize(struct.pack("<I", 0))
    with pytest.raises(PeerError):
        m.BlockBody.deserialize(H1 + struct.pack("<I", 1) + struct.pack("<I", 0))
    with pytest.raises(PeerError):
        m.Block.deserialize(b"\x02" + header_to_wire(GENESIS)[1:] + struct.pack("<I", 0))
    with pytest.raises(PeerError):
        m.decode_transactions((b"\x00",))


def test_relay_mode_agreement() -> None:
    ours = LocalIdentity("n", H1, "/x/", 1, 0, relay_modes=0b11, preferred_mode=MODE_RECONCILE)
    theirs = version_message(dataclasses.replace(ours, relay_modes=0b01, nonce=2), 0)
    assert relay_mode_for(ours, theirs) == MODE_COMPACT
    theirs = version_message(dataclasses.replace(ours, relay_modes=0b00, nonce=2), 0)
    assert relay_mode_for(ours, theirs) == MODE_FULL
    theirs = version_message(dataclasses.replace(ours, nonce=2), 0)
    assert relay_mode_for(ours, theirs) == MODE_RECONCILE
    full = dataclasses.replace(ours, preferred_mode=MODE_FULL)
    assert relay_mode_for(full, theirs) == MODE_FULL


def test_address_book_and_ban_list_are_bounded_and_expire() -> None:
    book = AddressBook()
    for port in range(1, 5000):
        book.add(net_address("10.0.0.1", port))
    book.add(net_address("10.0.0.2", 0))
    assert len(book) == 4096
    assert host_port(book.sample()[0]) == ("10.0.0.1", 4999)
    assert len(book.sample()) == m.MAX_ADDRESSES
    assert host_port(net_address("::1", 5)) == ("::1", 5)
    bans = BanList(frozenset({"127.0.0.1"}))
    bans.ban("10.1.1.1")
    bans.ban("127.0.0.1")
    bans.ban("10.2.2.2", seconds=-1)
    assert bans.is_banned("10.1.1.1")
    assert not bans.is_banned("127.0.0.1")
    assert not bans.is_banned("10.2.2.2")


class Recorder(Handler):
    """A test peer's handler: records every unsolicited message."""

    def __init__(self) -> None:
        self.seen: list[m.Message] = []

    def __getattr__(self, name: str) -> object:
        if not name.startswith("on_"):
            raise AttributeError(name)

        async def record(peer: Peer, message: m.Message) -> None:
            self.seen.append(message)

        return record


async def raw_connect(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", port)


async def read_reject(reader: asyncio.StreamReader) -> m.Message | None:
    """Read frames until a REJECT or the end of the connection."""
    data = b""
    while True:
        chunk = await asyncio.wait_for(reader.read(65536), 5)
        if not chunk:
            return None
        data += chunk
        while len(data) >= 5:
            try:
                message, used = decode_frame(data)
            except PeerError:
                break
            data = data[used:]
            if isinstance(message, m.Reject):
                return message


def test_handshake_mismatches_disconnect_with_a_reason() -> None:
    async def scenario() -> None:
        node = await start_node()
        genesis = node.node.consensus.genesis
        cases = {
            "network": m.Version(m.PROTOCOL_VERSION, "other", genesis, "/t/", 0, 1, 0, 3, 1),
            "genesis": m.Version(
                m.PROTOCOL_VERSION, SKIP_POW_NETWORK.name, H1, "/t/", 0, 1, 0, 3, 1
            ),
            "protocol version": m.Version(9, SKIP_POW_NETWORK.name, genesis, "/t/", 0, 1, 0, 3, 1),
            "itself": m.Version(
                m.PROTOCOL_VERSION,
                SKIP_POW_NETWORK.name,
                genesis,
                "/t/",
                0,
                node.service.identity.nonce,
                0,
                3,
                1,
            ),
        }
        for what, version in cases.items():
            reader, writer = await raw_connect(node.port)
            writer.write(encode_frame(version))
            reject = await read_reject(reader)
            assert isinstance(reject, m.Reject), what
            assert reject.code == "INCOMPATIBLE_PEER"
            assert what.split()[0] in reject.reason or what == "itself", reject.reason
            writer.close()
        assert node.service.peers() == []
        await stop_all([node])

    asyncio.run(scenario())


def test_handshake_ping_and_addresses_between_two_nodes() -> None:
    async def scenario() -> None:
        a = await start_node()
        b = await start_node()
        await b.connect(a)
        await wait_until(lambda: len(a.service.peers()) == 1, 5)
        peer = b.service.peers()[0]
        assert peer.version is not None and peer.version.listen_port == a.port
        pong = await peer.request(m.Ping(42), m.Pong, predicate=lambda p: p.nonce == 42)
        assert pong.nonce == 42
        b_address = net_address("127.0.0.1", b.port)
        await wait_until(lambda: b_address in a.service.addresses.sample(), 5, "b's address")
        assert net_address("127.0.0.1", a.port) in b.service.addresses.sample()
        info = b.service.peer_info()[0]
        assert info.address.endswith(f":{a.port}") and not info.inbound
        assert info.bytes_sent > 0 and info.bytes_received > 0
        await stop_all([a, b])

    asyncio.run(scenario())


@pytest.mark.parametrize(
    "attack",
    ["garbage", "oversized", "before handshake", "slowloris", "silent"],
)
def test_misbehaving_connections_are_closed_and_banned(attack: str) -> None:
    async def scenario() -> None:
        node = await start_node(limits=dataclasses.replace(FAST_LIMITS, handshake_seconds=1.0))
        genesis = node.node.consensus.genesis
        reader, writer = await raw_connect(node.port)
        hello = m.Version(m.PROTOCOL_VERSION, SKIP_POW_NETWORK.name, genesis, "/t/", 0, 99, 0, 3, 1)
        if attack == "garbage":
            writer.write(encode_frame(hello) + b"\x05\x00\x00\x00\xee" + b"junk!")
        elif attack == "oversized":
            writer.write(struct.pack("<I", 1 << 30) + bytes([m.Ping.TAG]))
        elif attack == "before handshake":
            writer.write(encode_frame(m.InvBlock(H1)))
        elif attack == "slowloris":
            frame = encode_frame(hello)
            writer.write(frame[:3])  # then nothing: the frame never completes
        else:
            pass  # connects and never says a word: the handshake times out
        await writer.drain()
        ended = await asyncio.wait_for(reader.read(1 << 20), 15)
        while ended:
            ended = await asyncio.wait_for(reader.read(1 << 20), 15)
        assert node.service.peers() == []
        if attack != "silent":
            assert "127.0.0.1" in node.service.bans.banned_hosts()
        writer.close()
        await stop_all([node])

    asyncio.run(scenario())


class CannotServe(Handler):
    """A handler for which every address request names something the node does not hold."""

    async def on_request_addresses(self, peer: Peer, message: m.RequestAddresses) -> None:
        raise UnknownBlock(H1)


def test_a_request_the_node_cannot_serve_ends_the_connection_without_a_ban() -> None:
    """A handler failing with a specification error (a block pruned, say) closes that one
    connection with the reason; the peer is not blamed and the node goes on serving."""

    async def scenario() -> None:
        node = await start_node()
        genesis = node.node.consensus.genesis
        identity = LocalIdentity(SKIP_POW_NETWORK.name, genesis, "/t/", 0, 7)
        served: list[Peer] = []

        async def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            peer = Peer(reader, writer, CannotServe(), inbound=True)
            served.append(peer)
            peer.start()
            await handshake(peer, identity, 0)

        server = await asyncio.start_server(accepted, "127.0.0.1", 0)
        port = int(server.sockets[0].getsockname()[1])
        await node.service.connect("127.0.0.1", port)
        await wait_until(lambda: bool(served) and served[0].closed, 10, "closed")
        assert served[0].close_reason is not None
        assert served[0].close_reason.startswith("cannot serve request_addresses")
        assert not served[0].banned and served[0].ban_score == 0
        server.close()
        await stop_all([node])

    asyncio.run(scenario())


def test_trusted_blocks_refuse_non_canonical_and_empty_payloads() -> None:
    block = trusted_block()
    good = m.TrustedBlocks((block,)).serialize()
    ascending = H1 + struct.pack("<H", 0) + H2 + struct.pack("<H", 1)
    descending = H2 + struct.pack("<H", 1) + H1 + struct.pack("<H", 0)
    assert ascending in good
    with pytest.raises(PeerError) as unsorted:
        m.TrustedBlocks.deserialize(good.replace(ascending, descending))
    assert unsorted.value.code is Code.MALFORMED_MESSAGE
    twice = dataclasses.replace(block, non_daa_mergeset=frozenset({H1, H2}))
    payload = m.TrustedBlocks((twice,)).serialize()
    assert payload.endswith(struct.pack("<I", 2) + H1 + H2)  # the non-DAA mergeset, last
    m.TrustedBlocks.deserialize(payload)
    with pytest.raises(PeerError) as unordered:
        m.TrustedBlocks.deserialize(payload[:-64] + H2 + H1)
    assert "non_daa_mergeset" in str(unordered.value)
    with pytest.raises(PeerError) as empty:
        m.TrustedBlocks.deserialize(struct.pack("<I", 0))
    assert empty.value.code is Code.MALFORMED_MESSAGE
    with pytest.raises(PeerError) as too_many:
        m.TrustedBlocks.deserialize(struct.pack("<I", m.MAX_TRUSTED_BLOCKS_PER_MESSAGE + 1))
    assert too_many.value.code is Code.MESSAGE_TOO_LARGE
