"""The syncee's side of headers-first sync (Kaspa's IBD), against one syncer.

1. **Negotiate** (:func:`negotiate`): ask for the syncer's chain locator, zoom in until the
   highest shared selected-chain block is found (:mod:`reference.sync.locator`). At most
   ``2 x`` the first locator's length zoom rounds and :data:`MAX_RESTARTS` fresh starts (an
   empty answer: the syncer's chain moved); each answer within the zoom timeout.
2. **Headers** (:func:`sync_headers`): ``REQUEST_HEADERS(shared, syncer sink)``; the syncer
   sends chunks of at most :func:`~reference.sync.antipast.chunk_size` headers and waits for
   ``REQUEST_NEXT_HEADERS`` after each. The syncee asks for the next chunk *before* validating
   the one it holds, so the syncer prepares chunk ``i + 1`` while chunk ``i`` is validated; at
   most two chunks are in memory. Every header is validated alone (status header-only) by
   the node; an empty or oversized chunk, a header the node refuses, or a stream that does not
   end with the syncer's sink held is a protocol violation.
3. **Bodies** (:func:`sync_bodies`, nodes that keep bodies): the missing bodies in the order
   the headers came, in batches of :data:`~reference.p2p.messages.MAX_BODIES_PER_REQUEST`
   (99); the next batch is asked for while the current one is validated. Each BLOCK_BODY
   must be the one asked for, in order.
4. **Resolve**: the consensus resolves its virtual as each block is accepted, so when the
   last body is in, the node's sink is the syncer's (or better).

Every wait has a timeout. Any :class:`~reference.errors.PeerError` ends the IBD and counts
against the syncer; what was accepted before stays accepted (it passed every rule), and the
next IBD continues from there.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from reference.consensus import Consensus
from reference.errors import BlockRejected, Code, PeerError
from reference.hash import Hash
from reference.header import header_hash
from reference.p2p.messages import (
    MAX_BODIES_PER_REQUEST,
    NO_HASH,
    BlockBody,
    BlockNotFound,
    ChainLocator,
    DoneHeaders,
    DoneTrustedBlocks,
    Headers,
    PruningPoints,
    RequestBodies,
    RequestChainLocator,
    RequestHeaders,
    RequestNextHeaders,
    RequestNextTrustedBlocks,
    RequestTrustedData,
    TrustedBlocks,
    decode_transactions,
)
from reference.p2p.peer import Peer, Subscription
from reference.processes.trusted import TrustedBlock, TrustedData
from reference.stores.statuses import BlockStatus
from reference.sync.antipast import chunk_size, highest_chain_block_with_body, mergesets_above
from reference.sync.backend import ConsensusBackend, SyncBackend
from reference.sync.locator import read_locator

MAX_TRUSTED_BLOCKS: Final = 1_000_000
"""Most trusted blocks a syncee accepts from one syncer (a ``tos`` syncer sends a few thousand,
plus one per past pruning point)."""
MAX_RESTARTS: Final = 32
"""Most fresh starts of one negotiation (Kaspa's bound)."""
ZOOM_SECONDS: Final = 10.0
"""Time each zoom answer may take (Kaspa's)."""


@dataclass(slots=True)
class IbdProgress:
    """What an IBD has done so far (for the progress line and RPC)."""

    peer: str = ""
    """The syncer, ``host:port``."""
    phase: str = "idle"
    """``trusted data`` and ``adopting`` (sync from a pruned peer), ``negotiating``,
    ``headers``, ``bodies``, ``done`` or ``failed``."""
    shared: Hash | None = None
    """The highest shared selected-chain block."""
    target: Hash | None = None
    """The syncer's sink."""
    target_blue_score: int = 0
    """The target's blue score (from its header, once received)."""
    headers: int = 0
    """Headers accepted (or held) in this IBD."""
    bodies: int = 0
    """Bodies accepted in this IBD."""
    bodies_wanted: int = 0
    """Bodies this IBD downloads."""
    not_found: int = 0
    """Bodies the syncer no longer held (it pruned them meanwhile)."""
    started: float = field(default_factory=time.monotonic)
    """Monotonic start time."""
    error: str | None = None
    """Why it failed."""

    def line(self) -> str:
        """One human-readable progress line."""
        seconds = time.monotonic() - self.started
        rate = self.headers / seconds if seconds > 0 else 0.0
        text = f"IBD from {self.peer}: {self.phase}, {self.headers} headers ({rate:,.0f}/s)"
        if self.bodies_wanted:
            text += f", {self.bodies}/{self.bodies_wanted} bodies"
        if self.target_blue_score:
            text += f", target blue score {self.target_blue_score}"
        return text + f", {seconds:.1f} s"


async def negotiate(
    peer: Peer, backend: SyncBackend, target: Hash | None = None
) -> tuple[Hash, Hash]:
    """``(highest shared chain block, target)``: ``target`` is the syncer's sink by default,
    or a block the syncer relayed (its own selected chain is then searched)."""
    consensus = backend.consensus

    def invalid(block: Hash) -> bool:
        return consensus.status(block) is BlockStatus.INVALID

    for _ in range(MAX_RESTARTS):
        high = NO_HASH if target is None else target
        first = await peer.request(RequestChainLocator(NO_HASH, high), ChainLocator)
        if not first.hashes:
            raise PeerError(Code.PROTOCOL_VIOLATION, "an empty locator of the whole chain")
        sink = first.hashes[0]
        reading = read_locator(first.hashes, backend.has_header, invalid)
        rounds = 0
        while not reading.adjacent and reading.lowest_unknown is not None:
            rounds += 1
            if rounds > 2 * len(first.hashes):
                raise PeerError(Code.PROTOCOL_VIOLATION, "the locator zoom does not converge")
            zoom = (reading.highest_known, reading.lowest_unknown)
            answer = await peer.request(RequestChainLocator(*zoom), ChainLocator, ZOOM_SECONDS)
            if not answer.hashes:
                break  # the syncer's chain moved: start over
            reading = read_locator(answer.hashes, backend.has_header, invalid, zoom=zoom)
        else:
            return reading.highest_known, sink
    raise PeerError(Code.PROTOCOL_VIOLATION, f"negotiation restarted {MAX_RESTARTS} times")


async def sync_headers(
    peer: Peer,
    backend: SyncBackend,
    shared: Hash,
    target: Hash,
    *,
    progress: IbdProgress,
    received: list[Hash],
) -> None:
    """Stream and validate the headers above ``shared`` up to ``target``; the hashes of the
    new headers are appended to ``received`` in arrival (topological) order."""
    limit = chunk_size(backend.consensus.preset)
    # At most the chunk being validated and the next one are unread; a syncer that sends
    # more has ignored the flow control.
    stream = peer.subscribe(Headers, DoneHeaders, limit=2)
    try:
        await peer.send(RequestHeaders(shared, target))
        await _stream_headers(
            peer,
            backend,
            stream,
            target=target,
            limit=limit,
            progress=progress,
            received=received,
        )
    finally:
        stream.close()
    if not backend.has_header(target):
        raise PeerError(Code.PROTOCOL_VIOLATION, "the header stream ended without its target")


async def _stream_headers(
    peer: Peer,
    backend: SyncBackend,
    stream: Subscription,
    *,
    target: Hash,
    limit: int,
    progress: IbdProgress,
    received: list[Hash],
) -> None:
    streamed: set[Hash] = set()
    while True:
        message = await stream.get()
        if isinstance(message, DoneHeaders):
            return
        if not isinstance(message, Headers):  # the subscription holds only the two kinds
            raise PeerError(Code.UNEXPECTED_MESSAGE, message.NAME)
        if not message.headers or len(message.headers) > limit:
            raise PeerError(
                Code.PROTOCOL_VIOLATION, f"a chunk of {len(message.headers)} headers (max {limit})"
            )
        await peer.send(RequestNextHeaders())
        for index, header in enumerate(message.headers):
            # Accepting a header hashes it; only a refused one is hashed here. A header held
            # already is refused as DUPLICATE_BLOCK, changing nothing, and skipped.
            try:
                block = backend.add_header(header)
            except BlockRejected as rejection:
                block = header_hash(header)
                if block in streamed:
                    raise PeerError(Code.PROTOCOL_VIOLATION, f"header {block} sent twice") from None
                streamed.add(block)
                if rejection.code is Code.DUPLICATE_BLOCK:
                    continue
                raise PeerError(
                    Code.PROTOCOL_VIOLATION, f"header {block} rejected: {rejection}"
                ) from None
            streamed.add(block)
            received.append(block)
            progress.headers += 1
            if block == target:
                progress.target_blue_score = header.blue_score
            if index % 128 == 127:
                await asyncio.sleep(0)  # let the other peers be served meanwhile


async def sync_bodies(
    peer: Peer, backend: SyncBackend, wanted: list[Hash], progress: IbdProgress
) -> None:
    """Download and validate the bodies of ``wanted`` (parents first), 99 per request."""
    batches = [
        tuple(wanted[i : i + MAX_BODIES_PER_REQUEST])
        for i in range(0, len(wanted), MAX_BODIES_PER_REQUEST)
    ]
    progress.bodies_wanted = len(wanted)
    if not batches:
        return
    bodies = peer.subscribe(BlockBody, BlockNotFound, limit=2 * MAX_BODIES_PER_REQUEST)
    try:
        await peer.send(RequestBodies(batches[0]))
        for number, batch in enumerate(batches):
            if number + 1 < len(batches):
                await peer.send(RequestBodies(batches[number + 1]))
            for block in batch:
                body = await bodies.get()
                if isinstance(body, BlockNotFound) and body.block == block:
                    # The syncer's pruning point moved above it and the body went: the block
                    # stays header-only (below the pruning point its body is not kept).
                    progress.not_found += 1
                    continue
                if not isinstance(body, BlockBody) or body.block != block:
                    raise PeerError(Code.PROTOCOL_VIOLATION, f"not the body of {block}")
                try:
                    backend.add_body(block, decode_transactions(body.transactions))
                except BlockRejected as rejection:
                    raise PeerError(
                        Code.PROTOCOL_VIOLATION, f"body of {block} rejected: {rejection}"
                    ) from None
                progress.bodies += 1
            await asyncio.sleep(0)
    finally:
        bodies.close()


async def receive_trusted_data(peer: Peer, limit: int) -> TrustedData | None:
    """Ask ``peer`` for its pruning points and trusted data; ``None`` when its pruning point
    is genesis (it has pruned nothing: sync from genesis). At most ``limit`` blocks."""
    stream = peer.subscribe(PruningPoints, TrustedBlocks, DoneTrustedBlocks, limit=2)
    try:
        await peer.send(RequestTrustedData())
        points = await stream.get()
        if not isinstance(points, PruningPoints):
            raise PeerError(Code.UNEXPECTED_MESSAGE, f"{points.NAME} before pruning_points")
        blocks: list[TrustedBlock] = []
        while True:
            message = await stream.get()
            if isinstance(message, DoneTrustedBlocks):
                break
            if not isinstance(message, TrustedBlocks):
                raise PeerError(Code.UNEXPECTED_MESSAGE, f"{message.NAME} among trusted blocks")
            blocks.extend(message.blocks)
            if len(blocks) > limit:
                raise PeerError(Code.PROTOCOL_VIOLATION, f"more than {limit} trusted blocks")
            await peer.send(RequestNextTrustedBlocks())
    finally:
        stream.close()
    if len(points.past) == 1:
        if blocks or points.anticone != points.past:
            raise PeerError(Code.PROTOCOL_VIOLATION, "trusted blocks below a genesis pruning point")
        return None
    return TrustedData(points.past, points.anticone, tuple(blocks))


async def sync_from_pruning_point(
    peer: Peer,
    backend: SyncBackend,
    data: TrustedData,
    progress: IbdProgress,
    target: Hash | None,
) -> Hash:
    """Start the node at the pruning point of ``data``; the target synced to.

    The trusted data and the headers above its pruning point go into a *staging* consensus
    first. Only when every header is valid over the trusted data, and the claimed pruning
    point is on the selected chain of the staging sink at least the pruning depth below it
    (``is_valid_pruning_point``), does the node adopt them: it imports the trusted data and
    validates the same headers again. A syncer whose data fails leaves the node holding only
    genesis, as before.
    """
    consensus = backend.consensus
    genesis = consensus.header(consensus.genesis).full
    if genesis is None:  # a DAG-mode consensus has no peers
        raise PeerError(Code.PROTOCOL_VIOLATION, "sync needs a header-mode node")
    staging = Consensus.from_genesis_header(consensus.preset, genesis, clock=consensus.clock)
    received: list[Hash] = []
    try:
        staging.import_trusted(data)
        stage = ConsensusBackend(staging)
        shared, target = await negotiate(peer, stage, target)
        progress.shared, progress.target = shared, target
        progress.phase = "headers"
        await sync_headers(peer, stage, shared, target, progress=progress, received=received)
        valid = staging.is_valid_pruning_point(data.pruning_point)
    except PeerError:
        raise
    except Exception as error:
        # Trusted data can pass every check and still be inconsistent (a window reaching a
        # block that was not sent, a mergeset reachability refuses): whatever the staging
        # consensus raises is the syncer's fault, and the node is untouched.
        raise PeerError(Code.PROTOCOL_VIOLATION, f"trusted data: {error!r}") from None
    if not valid:
        raise PeerError(
            Code.PROTOCOL_VIOLATION,
            f"pruning point {data.pruning_point} is not on the synced sink's chain "
            f"{consensus.preset.pruning_depth} blue score below it",
        )
    progress.phase = "adopting"
    backend.import_trusted(data)
    for index, block in enumerate(received):
        header = staging.header(block).full
        if header is None:  # every staged header is complete
            raise RuntimeError(f"staged block {block} has no complete header")
        backend.add_header(header)
        if index % 128 == 127:
            await asyncio.sleep(0)
    return target


async def run_ibd(
    peer: Peer,
    backend: SyncBackend,
    progress: IbdProgress,
    report: Callable[[IbdProgress], None] | None = None,
    target: Hash | None = None,
) -> None:
    """Sync from ``peer`` up to ``target`` (default its sink): negotiate, headers, bodies.
    A node holding only genesis first asks for trusted data, and starts at the peer's pruning
    point when it has pruned. Raises :class:`PeerError` on failure."""
    progress.peer = f"{peer.address[0]}:{peer.address[1]}"
    consensus = backend.consensus
    data = None
    if consensus.sink() == consensus.genesis:
        progress.phase = "trusted data"
        data = await receive_trusted_data(peer, MAX_TRUSTED_BLOCKS)
    if data is not None:
        target = await sync_from_pruning_point(peer, backend, data, progress, target)
    else:
        progress.phase = "negotiating"
        shared, target = await negotiate(peer, backend, target)
        progress.shared, progress.target = shared, target
        received: list[Hash] = []
        if not backend.has_header(target):
            progress.phase = "headers"
            if report is not None:
                report(progress)
            await sync_headers(peer, backend, shared, target, progress=progress, received=received)
    if backend.wants_bodies:
        progress.phase = "bodies"
        if report is not None:
            report(progress)
        await sync_bodies(peer, backend, missing_bodies(backend, target), progress)
    progress.phase = "done"
    if report is not None:
        report(progress)


def missing_bodies(backend: SyncBackend, target: Hash) -> list[Hash]:
    """Accepted blocks without a body that the node keeps in full, parents first: its pruning
    point and that point's anticone, then those in ``past(target)`` above the highest chain
    block of ``target`` that has its body (Kaspa's ``missing_block_bodies``) and in the future
    of the pruning point (below it, bodies are not kept)."""
    consensus = backend.consensus
    if not consensus.has_block(target):
        return []
    anticone = consensus.retention().anticone
    wanted = [block for block in anticone if not backend.has_body(block)]
    listed = set(anticone)
    low = highest_chain_block_with_body(consensus, target, backend.has_body)
    point = consensus.pruning_point()
    for mergeset in mergesets_above(consensus, low, target):
        for block in mergeset:
            if block in listed or backend.has_body(block):
                continue
            if consensus.is_dag_ancestor_of(point, block):
                wanted.append(block)
    return wanted
