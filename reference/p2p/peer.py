"""One connection to a peer, on an asyncio loop.

A :class:`Peer` reads frames one at a time and hands each message either to a flow waiting
for it (:meth:`Peer.wait_for`, always with a timeout) or to its handler's
``on_<name>(peer, message)`` callback. The read loop awaits each callback before it reads the
next frame, so a peer that sends faster than the node works is slowed down by TCP itself: the
node never queues a peer's messages, and what it holds per peer is bounded by one frame
(:data:`~reference.p2p.framing.MAX_FRAME_SIZE`) plus its flows (at most
:attr:`PeerLimits.max_flows`, each bounded by its own protocol).

Every breach of the protocol is a :class:`~reference.errors.PeerError`. It adds points to the
peer's *ban score* (:data:`BAN_POINTS`); at :attr:`PeerLimits.ban_threshold` the peer is
banned: the node sends a REJECT naming the code, closes the connection and refuses the host
for a while. What a peer sends is validated before it is used, and a rejected message changes
nothing in the node, so misbehaviour costs the node only the work of refusing it.

The same class serves the node and the test peers, which differ only in their handler.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from reference.errors import Code, DagspecError, PeerError
from reference.p2p.framing import FRAME_BASE_SECONDS, encode_frame, read_frame
from reference.p2p.messages import Message, Ping, Pong, Reject, Verack, Version

M = TypeVar("M", bound=Message)

BAN_POINTS: Final[dict[Code, int]] = {
    Code.MALFORMED_MESSAGE: 100,
    Code.MESSAGE_TOO_LARGE: 100,
    Code.INCOMPATIBLE_PEER: 0,
    Code.PROTOCOL_VIOLATION: 100,
    Code.UNEXPECTED_MESSAGE: 50,
    Code.PEER_TIMEOUT: 100,
}
"""Ban-score points per error code; a block or header that breaks a consensus rule counts as
``PROTOCOL_VIOLATION`` (the sender should have validated it). An incompatible peer is
disconnected without points: it is not misbehaving, only useless."""

_HANDSHAKE_MESSAGES: Final = (Version, Verack, Reject, Ping, Pong)


@dataclass(frozen=True, slots=True)
class PeerLimits:
    """The time and size bounds of one connection."""

    handshake_seconds: float = 4.0
    """Time to receive the peer's VERSION, and then its VERACK (Kaspa: 4 s each)."""
    request_seconds: float = 30.0
    """Time any request waits for its answer before the peer is dropped."""
    idle_seconds: float = 30.0
    """After this long without a message the node pings; no PONG within
    :attr:`request_seconds` drops the peer."""
    frame_seconds: float = FRAME_BASE_SECONDS
    """Time a started frame may take beyond what its size explains at the minimal rate
    (:func:`~reference.p2p.framing.frame_deadline`)."""
    write_seconds: float = 30.0
    """Time a send may wait for the peer to read what was sent before."""
    ban_threshold: int = 100
    """Ban score at which the peer is banned."""
    max_flows: int = 8
    """Most request flows (serving a header stream, fetching a block, ...) a peer may have
    running at once; one more is refused as ``PROTOCOL_VIOLATION``."""


class Handler:
    """Receives the messages of a peer that no flow is waiting for.

    A subclass defines ``async def on_<name>(self, peer, message)`` for the messages it
    accepts; a message without a callback is ``UNEXPECTED_MESSAGE``.
    """

    def on_close(self, peer: Peer) -> None:
        """The connection closed (for any reason)."""


class Peer:
    """One TCP connection speaking the wire protocol."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        handler: Handler,
        *,
        inbound: bool,
        limits: PeerLimits | None = None,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self.handler = handler
        """Where unsolicited messages go."""
        self.inbound = inbound
        """True when the peer connected to this node."""
        self.limits = limits if limits is not None else PeerLimits()
        """This connection's bounds."""
        name = writer.get_extra_info("peername")
        self.address: tuple[str, int] = (str(name[0]), int(name[1])) if name else ("?", 0)
        """The peer's host and port as seen by the socket."""
        self.version: Version | None = None
        """The peer's VERSION, once the handshake received it."""
        self.ready = False
        """True once both sides acknowledged each other's VERSION."""
        self.ban_score = 0
        """Points collected for misbehaviour."""
        self.banned = False
        """True when the peer was disconnected for reaching the ban threshold."""
        self.close_reason: str | None = None
        """Why the connection closed, once it has."""
        self.bytes_sent = 0
        """Frame bytes written to the peer."""
        self.bytes_received = 0
        """Frame bytes read from the peer."""
        self.last_message_at = time.monotonic()
        """Monotonic time of the last message received."""
        self._waiters: list[
            tuple[tuple[type[Message], ...], Callable[[Any], bool], asyncio.Future[Any]]
        ] = []
        self._subscriptions: list[Subscription] = []
        self._flows: set[asyncio.Task[None]] = set()
        self._write_lock = asyncio.Lock()
        self._closed = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"Peer({self.address[0]}:{self.address[1]}, inbound={self.inbound})"

    @property
    def closed(self) -> bool:
        """True once the connection is closed."""
        return self._closed.is_set()

    # --- sending and waiting ------------------------------------------------------------

    async def send(self, message: Message) -> None:
        """Frame ``message`` and write it; a peer that does not read is dropped."""
        if self.closed:
            raise PeerError(Code.PEER_TIMEOUT, "the connection is closed")
        frame = encode_frame(message)
        async with self._write_lock:
            self._writer.write(frame)
            self.bytes_sent += len(frame)
            try:
                async with asyncio.timeout(self.limits.write_seconds):
                    await self._writer.drain()
            except TimeoutError:
                raise PeerError(Code.PEER_TIMEOUT, "the peer does not read") from None
            except ConnectionError as error:
                raise PeerError(Code.PEER_TIMEOUT, f"the connection failed: {error}") from None

    async def wait_for(
        self,
        kind: type[M],
        timeout: float | None = None,
        predicate: Callable[[M], bool] | None = None,
    ) -> M:
        """The next message of ``kind`` (matching ``predicate``) the peer sends.

        Raises ``PEER_TIMEOUT`` when none arrives within ``timeout`` seconds (default: the
        request timeout) or the connection closes first.
        """
        future = self.expect(kind, predicate)
        return await self.collect(future, kind, timeout)

    def expect(
        self, kind: type[M], predicate: Callable[[M], bool] | None = None
    ) -> asyncio.Future[M]:
        """Register interest in the next message of ``kind`` before asking for it (so that a
        fast answer is not missed); await it with :meth:`collect`."""
        return self._expect((kind,), predicate)

    def expect_any(
        self, *kinds: type[Message], predicate: Callable[[Any], bool] | None = None
    ) -> asyncio.Future[Message]:
        """Like :meth:`expect` for the next message of any of ``kinds``."""
        return self._expect(kinds, predicate)

    def _expect(
        self, kinds: tuple[type[Message], ...], predicate: Callable[[Any], bool] | None
    ) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if self.closed:
            future.set_exception(PeerError(Code.PEER_TIMEOUT, "the connection is closed"))
        self._waiters.append((kinds, predicate or (lambda _: True), future))
        return future

    def subscribe(self, *kinds: type[Message], limit: int) -> Subscription:
        """Buffer every message of ``kinds`` until :meth:`Subscription.close`, at most
        ``limit`` unread (one more is ``UNEXPECTED_MESSAGE``): for answers that come many to
        a request, or one after another in a stream."""
        subscription = Subscription(self, kinds, limit)
        self._subscriptions.append(subscription)
        return subscription

    async def collect(
        self, future: asyncio.Future[M], kind: type[Message], timeout: float | None = None
    ) -> M:
        """Await a message registered with :meth:`expect`."""
        seconds = self.limits.request_seconds if timeout is None else timeout
        try:
            async with asyncio.timeout(seconds):
                return await future
        except TimeoutError:
            raise PeerError(Code.PEER_TIMEOUT, f"no {kind.NAME} within {seconds} s") from None
        finally:
            self._waiters = [w for w in self._waiters if w[2] is not future]

    async def request(
        self,
        message: Message,
        kind: type[M],
        timeout: float | None = None,
        predicate: Callable[[M], bool] | None = None,
    ) -> M:
        """Send ``message`` and wait for its answer of ``kind``."""
        future = self.expect(kind, predicate)
        try:
            await self.send(message)
        except BaseException:
            self._waiters = [w for w in self._waiters if w[2] is not future]
            raise
        return await self.collect(future, kind, timeout)

    def _deliver(self, message: Message) -> bool:
        for kinds, predicate, future in self._waiters:
            if type(message) in kinds and not future.done() and predicate(message):
                future.set_result(message)
                return True
        for subscription in self._subscriptions:
            if type(message) in subscription.kinds:
                subscription.put(message)
                return True
        return False

    # --- flows and misbehaviour ---------------------------------------------------------

    def spawn(
        self, flow: Coroutine[Any, Any, None], name: str = "flow", *, own: bool = False
    ) -> asyncio.Task[None] | None:
        """Run a flow for this peer; its :class:`PeerError` counts against the peer. The
        flow's task, or ``None`` when it is refused.

        Flows serving the peer's requests are bounded: at most :attr:`PeerLimits.max_flows`
        run at once, and one more is a protocol violation. The node's ``own`` flows (fetching
        from the peer) are bounded by their caller. A flow may be cancelled before it starts
        (the connection closed): a caller that must clean up after it does so in a done
        callback of the task, not in the flow's own ``finally``.
        """
        if not own and sum(not t.get_name().startswith("own ") for t in self._flows) >= (
            self.limits.max_flows
        ):
            flow.close()
            self.misbehaving(
                PeerError(Code.PROTOCOL_VIOLATION, f"more than {self.limits.max_flows} requests")
            )
            return None
        task = asyncio.get_running_loop().create_task(
            self._guard(flow), name=f"own {name}" if own else name
        )
        self._flows.add(task)
        task.add_done_callback(self._flows.discard)
        return task

    async def _guard(self, flow: Coroutine[Any, Any, None]) -> None:
        try:
            await flow
        except PeerError as error:
            self.misbehaving(error)
        except (ConnectionError, asyncio.IncompleteReadError) as error:
            self.disconnect(f"connection lost: {error}")

    def misbehaving(self, error: PeerError) -> None:
        """Add ``error``'s points to the ban score; ban and disconnect at the threshold.

        A timeout or a closed connection on a connection already closing only closes it.
        """
        if self.closed:
            return
        self.ban_score += BAN_POINTS.get(error.code, 100)
        if self.ban_score >= self.limits.ban_threshold:
            self.banned = True
            asyncio.get_running_loop().create_task(self._reject_and_close(error))

    async def _reject_and_close(self, error: PeerError) -> None:
        await self.reject(error, "banned: ")

    async def reject(self, error: PeerError, prefix: str = "") -> None:
        """Tell the peer why (a REJECT, best effort within a second), then disconnect."""
        with contextlib.suppress(PeerError, ConnectionError, OSError, TimeoutError):
            async with asyncio.timeout(1.0):
                await self.send(Reject(str(error.code), error.message[:200]))
        self.disconnect(f"{prefix}{error}")

    def disconnect(self, reason: str) -> None:
        """Close the connection (idempotent); waiting flows fail with ``PEER_TIMEOUT``."""
        if self.closed:
            return
        self.close_reason = reason
        self._closed.set()
        for _, _, future in self._waiters:
            if not future.done():
                future.set_exception(PeerError(Code.PEER_TIMEOUT, f"disconnected: {reason}"))
        self._waiters.clear()
        for subscription in self._subscriptions:
            subscription.wake()
        for task in list(self._flows):
            task.cancel()
        if self._runner is not None and self._runner is not asyncio.current_task():
            self._runner.cancel()
        with contextlib.suppress(Exception):
            self._writer.close()
        self.handler.on_close(self)

    async def wait_closed(self) -> None:
        """Wait until the connection is closed."""
        await self._closed.wait()

    # --- the read loop ------------------------------------------------------------------

    def start(self) -> None:
        """Start reading (and keeping the connection alive) on the running loop."""
        loop = asyncio.get_running_loop()
        self._runner = loop.create_task(self._run(), name=f"peer {self.address}")
        self.spawn(self._keep_alive(), "keep-alive", own=True)

    async def _run(self) -> None:
        try:
            while not self.banned:
                message, size = await read_frame(self._reader, self.limits.frame_seconds)
                self.bytes_received += size
                self.last_message_at = time.monotonic()
                try:
                    await self._dispatch(message)
                except PeerError as error:
                    # A well-framed message the node refuses: points, and the connection
                    # stays open below the ban threshold (the stream is still in step).
                    self.misbehaving(error)
                except DagspecError as error:
                    # A request the node cannot serve (about blocks it has pruned, say): not
                    # the peer's fault, but the exchange it started cannot go on.
                    self.disconnect(f"cannot serve {message.NAME}: {error}")
                    return
        except PeerError as error:
            # A frame that cannot be read: the stream is out of step, so the peer goes.
            self.misbehaving(error)
            if not self.banned:
                self.disconnect(str(error))
        except (asyncio.IncompleteReadError, ConnectionError, OSError) as error:
            self.disconnect(f"connection closed: {type(error).__name__}")

    async def _dispatch(self, message: Message) -> None:
        if isinstance(message, Reject):
            self.disconnect(f"rejected by peer: {message.code} {message.reason}")
            return
        if not self.ready and not isinstance(message, _HANDSHAKE_MESSAGES):
            raise PeerError(Code.PROTOCOL_VIOLATION, f"{message.NAME} before the handshake")
        if self._deliver(message):
            return
        if isinstance(message, Ping):
            await self.send(Pong(message.nonce))
            return
        callback = getattr(self.handler, f"on_{message.NAME}", None)
        if callback is None:
            raise PeerError(Code.UNEXPECTED_MESSAGE, f"{message.NAME} was not asked for")
        await callback(self, message)

    async def _keep_alive(self) -> None:
        idle = self.limits.idle_seconds
        while not self.closed:
            await asyncio.sleep(max(0.05, self.last_message_at + idle - time.monotonic()))
            if time.monotonic() - self.last_message_at >= idle:
                ping = Ping(random.getrandbits(64))
                await self.request(ping, Pong, predicate=ping.answered_by)


async def open_connection(
    host: str, port: int, handler: Handler, limits: PeerLimits | None = None
) -> Peer:
    """Connect to ``host:port`` and start the peer (the handshake is the caller's)."""
    reader, writer = await asyncio.open_connection(host, port)
    peer = Peer(reader, writer, handler, inbound=False, limits=limits)
    peer.start()
    return peer


class Subscription:
    """Messages of some kinds from one peer, buffered in arrival order (bounded)."""

    def __init__(self, peer: Peer, kinds: tuple[type[Message], ...], limit: int) -> None:
        self.peer = peer
        """The peer they come from."""
        self.kinds = kinds
        """The message types."""
        self.limit = limit
        """Most unread messages."""
        self._queue: deque[Message] = deque()
        self._ready = asyncio.Event()

    def put(self, message: Message) -> None:
        """Called by the peer's read loop."""
        if len(self._queue) >= self.limit:
            raise PeerError(Code.UNEXPECTED_MESSAGE, f"more {message.NAME} than asked for")
        self._queue.append(message)
        self._ready.set()

    def wake(self) -> None:
        """Wake a reader (the connection closed)."""
        self._ready.set()

    async def get(self, timeout: float | None = None) -> Message:
        """The next message; ``PEER_TIMEOUT`` after ``timeout`` (default the request timeout)."""
        seconds = self.peer.limits.request_seconds if timeout is None else timeout
        try:
            async with asyncio.timeout(seconds):
                while not self._queue:
                    if self.peer.closed:
                        raise PeerError(Code.PEER_TIMEOUT, "the connection is closed")
                    self._ready.clear()
                    await self._ready.wait()
        except TimeoutError:
            names = ", ".join(kind.NAME for kind in self.kinds)
            raise PeerError(Code.PEER_TIMEOUT, f"no {names} within {seconds} s") from None
        return self._queue.popleft()

    def close(self) -> None:
        """Stop buffering: later messages of these kinds are unsolicited again."""
        with contextlib.suppress(ValueError):
            self.peer._subscriptions.remove(self)
