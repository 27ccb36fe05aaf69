"""A node's peers: it listens, connects, serves what peers ask, relays blocks and syncs.

:class:`SyncService` is the handler of every :class:`~reference.p2p.peer.Peer` of one node:

- **serving** — chain locators, header chunks with flow control (one flow per syncing peer, so
  several peers sync at once), bodies, relayed blocks in the mode asked for, addresses;
- **relay** — a block accepted with its body is announced by hash (INV_BLOCK) to every peer
  that does not know it; an announced block the node lacks is fetched in the mode agreed with
  that peer (:mod:`reference.sync.relay`); a block with missing parents waits in the bounded
  orphan pool while its parents are fetched, up to the orphan resolution range; beyond it,
  or when its claimed blue score is that far above the node's sink, the node syncs from that
  peer instead. A block that fails validation is never announced (only accepted blocks are),
  and its sender is banned;
- **IBD** — one at a time (:mod:`reference.sync.ibd`), with a progress line every second.

After the handshake each side announces its sink, which is how a node that is behind — just
started, or back from a partition — notices and catches up by the same paths.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from reference.errors import BlockRejected, Code, PeerError
from reference.hash import Hash
from reference.header import BlockHeader, header_hash
from reference.ordering import sort_key
from reference.p2p.addresses import AddressBook, BanList, net_address
from reference.p2p.handshake import LocalIdentity, handshake, relay_mode_for
from reference.p2p.messages import (
    MAX_TRUSTED_BLOCKS_PER_MESSAGE,
    NO_HASH,
    Addresses,
    BlockBody,
    BlockNotFound,
    ChainLocator,
    DoneHeaders,
    DoneTrustedBlocks,
    Headers,
    InvBlock,
    PruningPoints,
    RequestAddresses,
    RequestBlockTransactions,
    RequestBodies,
    RequestChainLocator,
    RequestHeaders,
    RequestIblt,
    RequestNextHeaders,
    RequestNextTrustedBlocks,
    RequestRelayBlock,
    RequestTransactionsByShortId,
    RequestTrustedData,
    TrustedBlocks,
    encode_transactions,
)
from reference.p2p.peer import Handler, Peer, PeerLimits
from reference.sync.antipast import chunk_size, header_chunks
from reference.sync.backend import SyncBackend
from reference.sync.chain import SelectedChain
from reference.sync.ibd import IbdProgress, run_ibd
from reference.sync.locator import chain_locator
from reference.sync.orphans import Orphan, OrphanPool, max_orphans, orphan_resolution_range
from reference.sync.relay import (
    RelayPeerState,
    fetch_relay_block,
    serve_relay_follow_up,
    serve_relay_request,
)
from reference.transaction.model import Transaction

_log = logging.getLogger(__name__)

MAX_IN_FLIGHT: Final = 64
"""Most relayed blocks the node fetches at once (over all peers)."""
MAX_TIPS_ANNOUNCED: Final = 64
"""Most tips announced to a new peer, or to every peer after an IBD."""
MAX_DEFERRED: Final = 1_024
"""Most announcements remembered while an IBD runs, fetched when it ends."""
KNOWN_INVENTORY: Final = 4_096
"""Hashes remembered per peer as known to it (not announced to it again)."""
USER_AGENT: Final = "/dagspec:0.1.0/"
"""What this implementation calls itself in VERSION."""


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    """How a node's peer service runs."""

    network: str
    """The network's name, sent and checked in the handshake."""
    host: str = "127.0.0.1"
    """The address to listen on."""
    port: int = 0
    """The port to listen on (0: any free port; ``None`` ports are not used)."""
    listen: bool = True
    """Whether to accept peers at all."""
    limits: PeerLimits = field(default_factory=PeerLimits)
    """Every connection's bounds."""
    relay_modes: int = 0b11
    """Compact relay modes served and understood."""
    preferred_mode: int = 1
    """The mode this node asks for relayed blocks in (0 full, 1 compact, 2 reconcile)."""
    exempt_hosts: frozenset[str] = frozenset()
    """Hosts never refused after a ban (their misbehaving connections are still closed)."""
    max_peers: int = 64
    """Most connections at once."""
    progress: Callable[[str], None] | None = None
    """Where the IBD progress line goes every second (default: the log)."""


@dataclass(frozen=True, slots=True)
class PeerInfo:
    """One connected peer, as ``get_peers`` reports it."""

    address: str
    """``host:port`` of the connection."""
    inbound: bool
    """True when the peer connected to this node."""
    user_agent: str
    """The peer's user agent."""
    listen_port: int
    """The port it accepts peers on (0: none)."""
    relay_mode: int
    """The mode this node asks it for blocks in."""
    ban_score: int
    """Its ban score."""
    bytes_sent: int
    """Frame bytes sent to it."""
    bytes_received: int
    """Frame bytes received from it."""
    connected_seconds: float
    """Time since the handshake."""


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """Whether the node is syncing, and how far."""

    syncing: bool
    """True while an IBD runs."""
    progress: str
    """The last progress line (empty before the first IBD)."""
    phase: str
    """The IBD's phase (``idle`` before the first)."""
    headers: int
    """Headers the current or last IBD brought."""
    bodies: int
    """Bodies the current or last IBD brought."""
    orphans: int
    """Blocks waiting in the orphan pool."""
    peers: int
    """Connected peers."""


@dataclass(slots=True)
class _PeerState:
    relay: RelayPeerState
    known: OrderedDict[Hash, None] = field(default_factory=OrderedDict)
    since: float = field(default_factory=time.monotonic)

    def learn(self, block: Hash) -> None:
        self.known[block] = None
        self.known.move_to_end(block)
        while len(self.known) > KNOWN_INVENTORY:
            self.known.popitem(last=False)


class SyncService(Handler):
    """The peers of one node."""

    def __init__(self, backend: SyncBackend, config: ServiceConfig) -> None:
        self.backend = backend
        """The node."""
        self.config = config
        """The service's settings."""
        consensus = backend.consensus
        self.identity = LocalIdentity(
            network=config.network,
            genesis=consensus.genesis,
            user_agent=USER_AGENT,
            nonce=random.getrandbits(64),
            listen_port=0,
            relay_modes=config.relay_modes,
            preferred_mode=config.preferred_mode,
        )
        """What the node says about itself."""
        self.addresses = AddressBook()
        """Addresses learned from peers."""
        self.bans = BanList(config.exempt_hosts)
        """Banned hosts."""
        self.orphans = OrphanPool(max_orphans(consensus.preset))
        """Relayed blocks waiting for their parents."""
        self.progress = IbdProgress()
        """The current or last IBD."""
        self._chain = SelectedChain(consensus)
        self._peers: dict[Peer, _PeerState] = {}
        self._fetching: set[Hash] = set()
        # Announcements that arrive between a peer's end of the handshake and ours (its INV can
        # overtake our registering it), replayed once the peer is registered.
        self._early: dict[Peer, list[Hash]] = {}
        self._deferred: OrderedDict[Hash, Peer] = OrderedDict()
        self._server: asyncio.Server | None = None
        self._ibd: asyncio.Task[None] | None = None
        self._ibd_peer: Peer | None = None
        self._source: Peer | None = None
        self._last_line = ""
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._unsubscribe = backend.on_block_added(self._block_added)

    # --- life cycle ---------------------------------------------------------------------

    async def start(self) -> None:
        """Start listening (if configured)."""
        self._loop = asyncio.get_running_loop()
        if self.config.listen:
            self._server = await asyncio.start_server(
                self._accepted, self.config.host, self.config.port
            )
            port = int(self._server.sockets[0].getsockname()[1])
            self.identity = _with_port(self.identity, port)

    @property
    def port(self) -> int:
        """The port peers connect to (0 when not listening)."""
        return self.identity.listen_port

    async def stop(self) -> None:
        """Close every connection and stop listening."""
        self._unsubscribe()
        if self._server is not None:
            self._server.close()
        if self._ibd is not None:
            self._ibd.cancel()
        for peer in list(self._peers):
            peer.disconnect("node stopping")
        for task in list(self._tasks):
            task.cancel()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await self._server.wait_closed()

    async def connect(self, host: str, port: int) -> Peer:
        """Connect to ``host:port`` and run the handshake; the ready peer."""
        self._loop = asyncio.get_running_loop()
        reader, writer = await asyncio.open_connection(host, port)
        peer = Peer(reader, writer, self, inbound=False, limits=self.config.limits)
        peer.start()
        await self._welcome(peer)
        return peer

    async def _accepted(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = Peer(reader, writer, self, inbound=True, limits=self.config.limits)
        if self.bans.is_banned(peer.address[0]) or len(self._peers) >= self.config.max_peers:
            writer.close()
            return
        peer.start()
        with contextlib.suppress(PeerError):
            await self._welcome(peer)

    async def _welcome(self, peer: Peer) -> None:
        try:
            theirs = await handshake(peer, self.identity, int(time.time() * 1000))
        except PeerError as error:
            peer.misbehaving(error)
            peer.disconnect(f"handshake failed: {error}")
            raise
        state = _PeerState(
            RelayPeerState(relay_mode_for(self.identity, theirs), serves=self.config.relay_modes)
        )
        self._peers[peer] = state
        for block in self._early.pop(peer, []):
            state.learn(block)
            self._request(peer, block, 0)
        if theirs.listen_port:
            with contextlib.suppress(PeerError):
                self.addresses.add(net_address(peer.address[0], theirs.listen_port))
        await peer.send(RequestAddresses())
        for tip in self._tips_to_announce():
            self._peers[peer].learn(tip)
            await peer.send(InvBlock(tip))

    def _tips_to_announce(self) -> list[Hash]:
        """The sink, then the other tips held with their bodies (a peer fetches those outside
        the sink's past by relay), at most :data:`MAX_TIPS_ANNOUNCED`."""
        consensus = self.backend.consensus
        sink = consensus.sink()
        tips = sorted(consensus.tips() - {sink}, key=lambda t: sort_key(consensus.ghostdag_data(t)))
        return [
            tip
            for tip in [sink, *reversed(tips)][:MAX_TIPS_ANNOUNCED]
            if tip != consensus.genesis and self.backend.has_body(tip)
        ]

    def on_close(self, peer: Peer) -> None:
        """Forget the peer; remember a ban."""
        self._peers.pop(peer, None)
        self._early.pop(peer, None)
        if peer.banned:
            self.bans.ban(peer.address[0])
            _log.info("banned %s: %s", peer.address, peer.close_reason)

    # --- reports ------------------------------------------------------------------------

    def peers(self) -> list[Peer]:
        """The connected, handshaken peers."""
        return [peer for peer in self._peers if not peer.closed]

    def peer_info(self) -> list[PeerInfo]:
        """Every connected peer, for ``get_peers``."""
        now = time.monotonic()
        return [
            PeerInfo(
                address=f"{peer.address[0]}:{peer.address[1]}",
                inbound=peer.inbound,
                user_agent=peer.version.user_agent if peer.version else "",
                listen_port=peer.version.listen_port if peer.version else 0,
                relay_mode=state.relay.mode,
                ban_score=peer.ban_score,
                bytes_sent=peer.bytes_sent,
                bytes_received=peer.bytes_received,
                connected_seconds=now - state.since,
            )
            for peer, state in self._peers.items()
            if not peer.closed
        ]

    def status(self) -> SyncStatus:
        """Sync status, for RPC."""
        syncing = self._ibd is not None and not self._ibd.done()
        return SyncStatus(
            syncing=syncing,
            progress=self._last_line,
            phase=self.progress.phase,
            headers=self.progress.headers,
            bodies=self.progress.bodies,
            orphans=len(self.orphans),
            peers=len(self.peers()),
        )

    @property
    def syncing(self) -> bool:
        """True while an IBD runs."""
        return self._ibd is not None and not self._ibd.done()

    # --- announcing ---------------------------------------------------------------------

    def _block_added(self, block: Hash) -> None:
        loop = self._loop
        if loop is None or self.syncing:
            return  # blocks of an IBD are not announced one by one
        source = self._source
        if loop.is_running() and _on_loop(loop):
            self._announce(block, source)
        else:
            loop.call_soon_threadsafe(self._announce, block, source)

    def _announce(self, block: Hash, source: Peer | None) -> None:
        for peer, state in list(self._peers.items()):
            if peer is source or peer.closed or block in state.known:
                continue
            state.learn(block)
            self._run(self._send_quietly(peer, InvBlock(block)))

    async def _send_quietly(self, peer: Peer, message: InvBlock) -> None:
        with contextlib.suppress(PeerError, ConnectionError):
            await peer.send(message)

    def _run(self, coroutine: object) -> None:
        if not asyncio.iscoroutine(coroutine):
            raise TypeError("a coroutine is expected")
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- serving ------------------------------------------------------------------------

    async def on_request_addresses(self, peer: Peer, message: RequestAddresses) -> None:
        """Share known addresses."""
        await peer.send(Addresses(self.addresses.sample()))

    async def on_addresses(self, peer: Peer, message: Addresses) -> None:
        """Learn addresses (the book is bounded)."""
        for address in message.addresses:
            self.addresses.add(address)

    async def on_request_chain_locator(self, peer: Peer, message: RequestChainLocator) -> None:
        """Answer with a locator of the selected chain."""
        low = None if message.low == NO_HASH else message.low
        high = None if message.high == NO_HASH else message.high
        await peer.send(ChainLocator(chain_locator(self._chain, low, high)))

    async def on_request_headers(self, peer: Peer, message: RequestHeaders) -> None:
        """Start streaming headers (a flow of this peer)."""
        peer.spawn(self._serve_headers(peer, message.low, message.high), "serve headers")

    async def _serve_headers(self, peer: Peer, low: Hash, high: Hash) -> None:
        consensus = self.backend.consensus
        size = chunk_size(consensus.preset)
        for chunk in header_chunks(consensus, low, high, size):
            headers = tuple(self.backend.header_of(block) for block in chunk)
            next_asked = peer.expect(RequestNextHeaders)
            await peer.send(Headers(headers))
            await peer.collect(next_asked, RequestNextHeaders)
        await peer.send(DoneHeaders())

    async def on_request_trusted_data(self, peer: Peer, message: RequestTrustedData) -> None:
        """Start sending the pruning points and trusted data (a flow of this peer)."""
        peer.spawn(self._serve_trusted_data(peer), "serve trusted data")

    async def _serve_trusted_data(self, peer: Peer) -> None:
        data = self.backend.consensus.trusted_data()
        await peer.send(PruningPoints(data.past_pruning_points, data.anticone))
        size = MAX_TRUSTED_BLOCKS_PER_MESSAGE
        for start in range(0, len(data.blocks), size):
            next_asked = peer.expect(RequestNextTrustedBlocks)
            await peer.send(TrustedBlocks(data.blocks[start : start + size]))
            await peer.collect(next_asked, RequestNextTrustedBlocks)
        await peer.send(DoneTrustedBlocks())

    async def on_request_bodies(self, peer: Peer, message: RequestBodies) -> None:
        """One BLOCK_BODY per block asked for, in order."""
        for block in message.blocks:
            body = self.backend.body_of(block)
            if body is None:
                await peer.send(BlockNotFound(block))
                continue
            await peer.send(BlockBody(block, encode_transactions(body)))

    async def on_request_relay_block(self, peer: Peer, message: RequestRelayBlock) -> None:
        """Serve a block (answered at once: the read loop waits, so a peer asking for many
        blocks is served one request at a time)."""
        state = self._peers.get(peer)
        if state is None:
            return
        await serve_relay_request(peer, self.backend, state.relay, message)

    async def on_request_block_transactions(
        self, peer: Peer, message: RequestBlockTransactions
    ) -> None:
        """Mode 1: body positions of a compact block sent to the peer."""
        await self._serve_follow_up(peer, message)

    async def on_request_iblt(self, peer: Peer, message: RequestIblt) -> None:
        """Mode 2: the one larger IBLT of a reconcile block sent to the peer."""
        await self._serve_follow_up(peer, message)

    async def on_request_transactions_by_short_id(
        self, peer: Peer, message: RequestTransactionsByShortId
    ) -> None:
        """Mode 2: transactions by short ID of a reconcile block sent to the peer."""
        await self._serve_follow_up(peer, message)

    async def _serve_follow_up(
        self,
        peer: Peer,
        message: RequestBlockTransactions | RequestIblt | RequestTransactionsByShortId,
    ) -> None:
        state = self._peers.get(peer)
        if state is None:
            return
        await serve_relay_follow_up(peer, self.backend, state.relay, message)

    async def on_block_not_found(self, peer: Peer, message: BlockNotFound) -> None:
        """A peer lacks something asked for; the asking flow times out or moves on."""

    # --- relay --------------------------------------------------------------------------

    async def on_inv_block(self, peer: Peer, message: InvBlock) -> None:
        """Fetch an announced block the node lacks."""
        state = self._peers.get(peer)
        if state is None:
            early = self._early.setdefault(peer, [])
            if len(early) < MAX_TIPS_ANNOUNCED:
                early.append(message.block)
            return
        state.learn(message.block)
        self._request(peer, message.block, 0)

    def _request(self, peer: Peer, block: Hash, depth: int) -> None:
        if self.syncing and block not in self._deferred:
            self._deferred[block] = peer
            while len(self._deferred) > MAX_DEFERRED:
                self._deferred.popitem(last=False)
            return
        if self.backend.has_header(block):
            if self.backend.wants_bodies and not self.backend.has_body(block):
                # Its header came by headers-first sync (before a restart, say): the bodies
                # below it are fetched the way IBD fetches them.
                self.start_ibd(peer, block)
            return
        if (
            self.syncing
            or block in self._fetching
            or block in self.orphans
            or len(self._fetching) >= MAX_IN_FLIGHT
        ):
            return
        self._fetching.add(block)
        task = peer.spawn(self._fetch(peer, block, depth), "fetch relay block", own=True)
        if task is None:
            self._fetching.discard(block)
        else:
            # Not in the flow's ``finally``: a flow cancelled before it started (its peer
            # closed) never runs one, and the block would stay "being fetched" for good,
            # every later announcement of it ignored.
            task.add_done_callback(lambda _: self._fetching.discard(block))

    async def _fetch(self, peer: Peer, block: Hash, depth: int) -> None:
        state = self._peers.get(peer)
        if state is None:
            return
        fetched = await fetch_relay_block(peer, self.backend, state.relay, block)
        if fetched is None:
            return
        header, transactions = fetched
        await self._accept_relayed(peer, block, header, transactions, depth)

    async def _accept_relayed(
        self,
        peer: Peer,
        block: Hash,
        header: BlockHeader,
        transactions: tuple[Transaction, ...],
        depth: int,
    ) -> None:
        consensus = self.backend.consensus
        missing = [parent for parent in header.parents if not consensus.has_block(parent)]
        if missing:
            sink_score = consensus.ghostdag_data(consensus.sink()).blue_score
            reach = orphan_resolution_range(consensus.preset)
            self.orphans.add(block, Orphan(header, transactions, depth))
            if depth >= reach or header.blue_score > sink_score + reach:
                self.start_ibd(peer, block)
                return
            for parent in missing:
                self._request(peer, parent, depth + 1)
            return
        self._add_relayed(peer, header, transactions)
        await self._adopt_orphans(peer)

    def _add_relayed(
        self, peer: Peer, header: BlockHeader, transactions: tuple[Transaction, ...]
    ) -> None:
        self._source = peer
        try:
            self.backend.add_block(header, transactions)
        except BlockRejected as rejection:
            if rejection.code in (Code.DUPLICATE_BLOCK, Code.TIME_TOO_FAR_IN_FUTURE):
                return  # known already, or early by the node's clock: not the sender's fault
            raise PeerError(
                Code.PROTOCOL_VIOLATION, f"relayed block {header_hash(header)}: {rejection}"
            ) from None
        finally:
            self._source = None

    async def _adopt_orphans(self, peer: Peer) -> None:
        while True:
            ready = self.orphans.ready(self.backend.consensus.has_block)
            if not ready:
                return
            for _, orphan in ready:
                self._add_relayed(peer, orphan.header, orphan.transactions)
            await asyncio.sleep(0)

    # --- IBD ----------------------------------------------------------------------------

    def start_ibd(self, peer: Peer, target: Hash | None = None) -> None:
        """Sync from ``peer`` up to ``target`` (default its sink) unless an IBD runs already."""
        if self.syncing or peer.closed:
            return
        self._ibd_peer = peer
        self._ibd = asyncio.get_running_loop().create_task(self._run_ibd(peer, target))

    async def _run_ibd(self, peer: Peer, target: Hash | None) -> None:
        self.progress = IbdProgress()
        reporter = asyncio.get_running_loop().create_task(self._report())
        try:
            await run_ibd(peer, self.backend, self.progress, target=target)
        except PeerError as error:
            self.progress.phase = "failed"
            self.progress.error = str(error)
            peer.misbehaving(error)
        finally:
            reporter.cancel()
            self._emit()
            self._ibd_peer = None
        with contextlib.suppress(PeerError):
            await self._adopt_orphans(peer)
        deferred, self._deferred = self._deferred, OrderedDict()
        for block, source in deferred.items():
            if not source.closed:
                self._request(source, block, 0)
        for tip in self._tips_to_announce():
            self._announce(tip, None)

    async def _report(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            self._emit()

    def _emit(self) -> None:
        self._last_line = self.progress.line()
        if self.config.progress is not None:
            self.config.progress(self._last_line)
        else:
            _log.info("%s", self._last_line)

    async def wait_ibd(self) -> None:
        """Wait for the running IBD (if any) to end."""
        if self._ibd is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._ibd


def _with_port(identity: LocalIdentity, port: int) -> LocalIdentity:
    return LocalIdentity(
        network=identity.network,
        genesis=identity.genesis,
        user_agent=identity.user_agent,
        nonce=identity.nonce,
        listen_port=port,
        relay_modes=identity.relay_modes,
        preferred_mode=identity.preferred_mode,
    )


def _on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
