"""TOS-style JSON-RPC 2.0 at ``/json_rpc``, over HTTP POST and over a WebSocket (``spec/rpc``).

A request is ``{"jsonrpc": "2.0", "method": M, "params": {...}, "id": I}``; ``params`` is an
object (or absent) and ``id`` a string, an integer or ``null`` — a request without ``id`` is a
notification and gets no reply. A batch is a non-empty array of at most :data:`MAX_BATCH`
requests, answered by an array of the replies (none when every element was a notification).
A reply is ``{"jsonrpc": "2.0", "id": I, "result": R}`` or ``{"jsonrpc": "2.0", "id": I,
"error": {"code": N, "message": S, "data": {"code": C}}}``: ``N`` the JSON-RPC number, ``C``
the canonical code (:func:`error_object`).

Over the WebSocket, ``subscribe``/``unsubscribe`` with ``{"notify": E}`` follow an event
(:data:`EVENTS`); each notification is sent as TOS sends it, a reply to the ``subscribe``
request: ``{"jsonrpc": "2.0", "id": <the subscribe id>, "result": {"event": E, ...}}``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Final, Protocol

from aiohttp import WSMsgType, web

from reference.bits import target_from_bits
from reference.errors import (
    BlockRejected,
    DagspecError,
    HeaderHashMismatch,
    InvalidAddress,
    InvalidParameter,
    MalformedEncoding,
    MalformedHash,
    MalformedHeader,
    MalformedTransaction,
    UnknownBlock,
)
from reference.hash import Hash
from reference.mining.getwork import MinerWork, apply_miner_work, decode_miner_work, job_of
from reference.node.node import BlockView, Node
from reference.rpc.bridge import NodeBridge, NodeEvent
from reference.rpc.codec import (
    Params,
    block_from_json,
    block_to_json,
    dump_json,
    hashes,
    parse_json,
)
from reference.rpc.errors import JsonRpcNumber, RpcCode, RpcError, invalid_params
from reference.rpc.outbox import Outbox
from reference.sync.service import PeerInfo, SyncStatus
from reference.work import work_from_target

_log = logging.getLogger(__name__)

PATH: Final = "/json_rpc"
"""The endpoint of both transports."""

MAX_REQUEST_BYTES: Final = 4 * 1024 * 1024
"""Largest HTTP body or WebSocket frame: room for a block of the largest body (1.25 MiB of
transactions, twice that in hexadecimal) with its JSON keys."""

MAX_BATCH: Final = 100
"""Most requests in one batch."""

MAX_EXTRA_DATA: Final = 150
"""Most bytes of ``extra_data`` a template request may ask for (the coinbase payload limit
leaves at most this much after the blue score, subsidy and script)."""

EVENTS: Final = ("new_block", "new_block_template", "blue_score_changed")
"""The events a WebSocket client may subscribe to."""

_PARAMS_ERRORS: Final = (
    MalformedHeader,
    HeaderHashMismatch,
    MalformedHash,
    MalformedTransaction,
    MalformedEncoding,
    InvalidAddress,
    InvalidParameter,
)
"""Node verdicts about the shape of what was sent: invalid parameters, not rejections."""

_HEX: Final = frozenset("0123456789abcdef")

Json = object
"""A JSON value as :mod:`json` reads and writes it."""


def error_object(error: Exception) -> dict[str, Json]:
    """The ``error`` member of a reply to a request that raised ``error``.

    ========================================  =========  ==================================
    raised                                    ``code``   ``data.code``
    ========================================  =========  ==================================
    :class:`~reference.rpc.errors.RpcError`   -32700 …   its :class:`RpcCode`
    malformed header, transaction, hash,      -32602     ``MALFORMED_HEADER``, … ,
    address, parameter                                   ``WRONG_NETWORK``, ``BAD_PARAMETER``
    :class:`~reference.errors.BlockRejected`  200        the broken rule
    :class:`~reference.errors.UnknownBlock`   201        ``UNKNOWN_BLOCK``
    any other ``DagspecError``                202        its code
    anything else (a bug)                     -32603     ``INTERNAL_ERROR``
    ========================================  =========  ==================================
    """
    number: int
    code: str
    message: str
    if isinstance(error, RpcError):
        number, code, message = error.number, error.code, error.message
    elif isinstance(error, _PARAMS_ERRORS):
        number, code, message = JsonRpcNumber.INVALID_PARAMS, error.code, error.message
    elif isinstance(error, BlockRejected):
        number, code, message = JsonRpcNumber.BLOCK_REJECTED, error.code, error.message
    elif isinstance(error, UnknownBlock):
        number, code, message = JsonRpcNumber.UNKNOWN_BLOCK, error.code, error.message
    elif isinstance(error, DagspecError):
        number, code, message = JsonRpcNumber.NODE_ERROR, error.code, error.message
    else:
        _log.error("internal error answering a request", exc_info=error)
        number, code, message = JsonRpcNumber.INTERNAL_ERROR, RpcCode.INTERNAL_ERROR, "internal"
    return {"code": int(number), "message": message, "data": {"code": str(code)}}


def _reply(
    request_id: Json, *, result: Json = None, error: Exception | None = None
) -> dict[str, Json]:
    if error is not None:
        return {"jsonrpc": "2.0", "id": request_id, "error": error_object(error)}
    return {"jsonrpc": "2.0", "id": request_id, "result": result}


@dataclass(frozen=True, slots=True)
class Request:
    """One well-formed request."""

    method: str
    """The method's name."""
    params: Json
    """Its parameters (an object, or ``None`` when absent)."""
    id: Json
    """Its id: a string, an integer or ``None``."""
    is_notification: bool
    """True when the request had no ``id``: no reply is sent."""


def parse_request(value: Json) -> Request:
    """The request a JSON value denotes, or ``MALFORMED_REQUEST`` (``id`` read when it can
    be, so the error reply carries it)."""
    if not isinstance(value, dict):
        raise RpcError(RpcCode.MALFORMED_REQUEST, "a request is a JSON object")
    if value.get("jsonrpc") != "2.0":
        raise RpcError(RpcCode.MALFORMED_REQUEST, 'a request has "jsonrpc": "2.0"')
    method = value.get("method")
    if not isinstance(method, str):
        raise RpcError(RpcCode.MALFORMED_REQUEST, "a request names its method as a string")
    request_id = value.get("id")
    if request_id is not None and (
        isinstance(request_id, bool) or not isinstance(request_id, str | int)
    ):
        raise RpcError(RpcCode.MALFORMED_REQUEST, "an id is a string, an integer or null")
    for key in value:
        if key not in ("jsonrpc", "method", "params", "id"):
            raise RpcError(RpcCode.MALFORMED_REQUEST, f"unknown member {str(key)[:64]!r}")
    params = value.get("params")
    if params is not None and not isinstance(params, dict):
        raise invalid_params("params must be a JSON object (named parameters)")
    return Request(method, params, request_id, "id" not in value)


def _readable_id(value: Json) -> Json:
    """The id to answer a malformed request with: its own when usable, else ``null``."""
    if isinstance(value, dict):
        request_id = value.get("id")
        if isinstance(request_id, str | int) and not isinstance(request_id, bool):
            return request_id
    return None


def difficulty_text(bits: int) -> str:
    """A block's difficulty as TOS writes it, a decimal string: the expected number of hashes,
    which is the work of its target (``reference.work``)."""
    return str(work_from_target(target_from_bits(bits)))


def block_result(view: BlockView, *, include_transactions: bool) -> dict[str, Json]:
    """``get_block``'s result (and a ``new_block`` notification's fields)."""
    data = view.ghostdag
    result: dict[str, Json] = {
        "hash": view.hash.hex(),
        "header": block_to_json(view.header, (), with_hash=True)["header"],
        "blue_score": data.blue_score,
        "blue_work": format(data.blue_work, "x"),
        "selected_parent": None if data.selected_parent is None else data.selected_parent.hex(),
        "mergeset_blues": hashes(data.mergeset_blues),
        "mergeset_reds": hashes(data.mergeset_reds),
        "children": hashes(view.children),
        "is_chain_block": view.is_chain_block,
        "status": str(view.status),
    }
    if include_transactions:
        result["transactions"] = block_to_json(view.header, view.transactions, with_hash=False)[
            "transactions"
        ]
    return result


Method = Callable[[Params], Awaitable[Json]]


class PeerSource(Protocol):
    """The node's peer service as ``get_peers`` and ``get_sync_status`` read it
    (:class:`~reference.sync.service.SyncService`); called on the server's event loop."""

    def peer_info(self) -> Sequence[PeerInfo]:
        """The connected peers."""
        ...

    def status(self) -> SyncStatus:
        """Whether the node is syncing, and how far."""
        ...


IDLE: Final = SyncStatus(
    syncing=False, progress="", phase="idle", headers=0, bodies=0, orphans=0, peers=0
)
"""The sync status of a node without peers."""


class Session:
    """A WebSocket client: its outbox and the events it follows (event -> subscribe id)."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox
        """Where its messages go."""
        self.subscriptions: dict[str, Json] = {}
        """Followed events and the id of the ``subscribe`` request of each."""


class JsonRpcServer:
    """The JSON-RPC 2.0 endpoint of one node."""

    def __init__(self, bridge: NodeBridge, *, server_version: str) -> None:
        self._bridge = bridge
        self._node: Node = bridge.node
        self._version = server_version
        self._sessions: set[Session] = set()
        self._methods: dict[str, Method] = {
            "get_info": self.get_info,
            "get_blue_score": self.get_blue_score,
            "get_block_template": self.get_block_template,
            "submit_block": self.submit_block,
            "get_block": self.get_block,
            "get_blocks_at_blue_score": self.get_blocks_at_blue_score,
            "get_dag_info": self.get_dag_info,
            "get_peers": self.get_peers,
            "get_sync_status": self.get_sync_status,
        }
        self.peers: PeerSource | None = None
        """The node's peer service, once started (``None``: the node has no peers)."""
        self._unsubscribe = bridge.subscribe(self._on_node_event)

    def add_routes(self, app: web.Application) -> None:
        """Serve ``POST /json_rpc`` and the WebSocket ``GET /json_rpc`` on ``app``."""
        app.router.add_post(PATH, self.http_post)
        app.router.add_get(PATH, self.websocket)

    def close(self) -> None:
        """Stop following the node."""
        self._unsubscribe()

    # -- transports --------------------------------------------------------------------------

    async def http_post(self, request: web.Request) -> web.Response:
        """One request or batch in the body; its reply in the response body."""
        if request.content_length is not None and request.content_length > MAX_REQUEST_BYTES:
            return self._too_large()
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return self._too_large()
        reply = await self.handle_text(body, None)
        if reply is None:
            return web.Response(status=204)
        return web.Response(text=reply, content_type="application/json")

    @staticmethod
    def _too_large() -> web.Response:
        error = RpcError(RpcCode.MESSAGE_TOO_LARGE, f"the body exceeds {MAX_REQUEST_BYTES} bytes")
        return web.Response(
            status=413, text=dump_json(_reply(None, error=error)), content_type="application/json"
        )

    async def websocket(self, request: web.Request) -> web.WebSocketResponse:
        """Requests and replies as text frames; subscriptions push notifications."""
        socket = web.WebSocketResponse(max_msg_size=MAX_REQUEST_BYTES)
        await socket.prepare(request)
        session = Session(Outbox(socket))
        self._sessions.add(session)
        try:
            async for message in socket:
                if message.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                    break
                reply = await self.handle_text(message.data, session)
                if reply is not None:
                    session.outbox.put(reply)
        finally:
            self._sessions.discard(session)
            await session.outbox.close()
        return socket

    # -- requests ----------------------------------------------------------------------------

    async def handle_text(self, data: bytes | str, session: Session | None) -> str | None:
        """The reply text to one HTTP body or WebSocket frame (``None``: nothing to send)."""
        try:
            value = parse_json(data)
        except RpcError as error:
            return dump_json(_reply(None, error=error))
        if isinstance(value, list):
            if not value:
                empty = RpcError(RpcCode.MALFORMED_REQUEST, "an empty batch")
                return dump_json(_reply(None, error=empty))
            if len(value) > MAX_BATCH:
                large = RpcError(RpcCode.MESSAGE_TOO_LARGE, f"a batch holds at most {MAX_BATCH}")
                return dump_json(_reply(None, error=large))
            replies = [await self.handle_value(item, session) for item in value]
            kept = [reply for reply in replies if reply is not None]
            return dump_json(kept) if kept else None
        reply = await self.handle_value(value, session)
        return None if reply is None else dump_json(reply)

    async def handle_value(self, value: Json, session: Session | None) -> dict[str, Json] | None:
        """The reply to one parsed request (``None`` for a notification)."""
        try:
            request = parse_request(value)
        except RpcError as error:
            return _reply(_readable_id(value), error=error)
        try:
            result = await self._dispatch(request, session)
        except Exception as error:
            if request.is_notification:
                return None
            return _reply(request.id, error=error)
        return None if request.is_notification else _reply(request.id, result=result)

    async def _dispatch(self, request: Request, session: Session | None) -> Json:
        if request.method in ("subscribe", "unsubscribe"):
            if session is None:
                raise RpcError(
                    RpcCode.UNKNOWN_METHOD, f"{request.method} needs the WebSocket endpoint"
                )
            return self._subscription(request, session)
        method = self._methods.get(request.method)
        if method is None:
            raise RpcError(RpcCode.UNKNOWN_METHOD, f"no method {request.method[:64]!r}")
        return await method(Params(request.params, strict=True))

    # -- subscriptions -----------------------------------------------------------------------

    def _subscription(self, request: Request, session: Session) -> Json:
        params = Params(request.params, strict=True)
        event = params.string("notify", max_length=64)
        params.done()
        if event not in EVENTS:
            raise invalid_params(f"no event {event!r}; events are {', '.join(EVENTS)}")
        if request.method == "subscribe":
            if event in session.subscriptions:
                raise RpcError(RpcCode.ALREADY_SUBSCRIBED, f"already subscribed to {event}")
            session.subscriptions[event] = request.id
        else:
            if event not in session.subscriptions:
                raise RpcError(RpcCode.NOT_SUBSCRIBED, f"not subscribed to {event}")
            del session.subscriptions[event]
        return True

    def _on_node_event(self, event: NodeEvent, payload: object) -> None:
        name = {
            NodeEvent.BLOCK_ADDED: "new_block",
            NodeEvent.NEW_BLOCK_TEMPLATE: "new_block_template",
            NodeEvent.SINK_BLUE_SCORE_CHANGED: "blue_score_changed",
        }[event]
        followers = [s for s in self._sessions if name in s.subscriptions]
        if not followers:
            return
        if event is NodeEvent.BLOCK_ADDED and isinstance(payload, Hash):
            block = payload
            cached: list[dict[str, Json]] = []

            async def produce(request_id: Json) -> str | None:
                if not cached:
                    view = await self._bridge.call(self._node.get_block, block)
                    cached.append(block_result(view, include_transactions=False))
                return dump_json(_reply(request_id, result={"event": "new_block", **cached[0]}))

            for session in followers:
                session.outbox.put(functools.partial(produce, session.subscriptions[name]))
            return
        result: dict[str, Json] = {"event": name}
        if event is NodeEvent.SINK_BLUE_SCORE_CHANGED:
            result["blue_score"] = payload
        for session in followers:
            session.outbox.put(dump_json(_reply(session.subscriptions[name], result=result)))

    # -- methods -----------------------------------------------------------------------------

    async def get_info(self, params: Params) -> Json:
        """The node at a glance, with the sink's blue score (TOS's ``get_info``)."""
        params.done()
        node = self._node
        info = await self._bridge.call(node.dag_info)
        mempool_size = await self._bridge.call(lambda: len(node.mempool))
        preset = node.network.preset
        return {
            "blue_score": info.sink_blue_score,
            "top_block_hash": info.sink.hex(),
            "virtual_daa_score": info.virtual_daa_score,
            "pruning_point": info.pruning_point.hex(),
            "block_count": info.block_count,
            "header_count": info.header_count,
            "tips_count": len(info.tips),
            "bits": info.bits,
            "difficulty": difficulty_text(info.bits),
            "block_time_target": preset.target_time_per_block_ms,
            "max_block_parents": preset.max_block_parents,
            "block_version": preset.block_version,
            "mempool_size": mempool_size,
            "network": node.network.network_id,
            "version": self._version,
        }

    async def get_blue_score(self, params: Params) -> Json:
        """The sink's blue score."""
        params.done()
        return await self._bridge.call(self._node.sink_blue_score)

    async def get_block_template(self, params: Params) -> Json:
        """A block to mine over the virtual, paying ``address``; ``extra_data`` (hex) ends the
        coinbase payload."""
        address = params.string("address", max_length=128)
        extra = params.optional("extra_data")
        params.done()
        extra_data = b""
        if extra is not None:
            extra_data = _hex_param("extra_data", extra, MAX_EXTRA_DATA)
        template = await self._bridge.call(self._node.block_template, address, extra_data)
        job = job_of(template.header)
        header = template.header
        return {
            "block": block_to_json(header, template.transactions, with_hash=False),
            "miner_work": job.miner_work.hex(),
            "blue_score": header.blue_score,
            "daa_score": header.daa_score,
            "bits": header.bits,
            "target": job.target_hex,
            "difficulty": difficulty_text(header.bits),
            "parents": len(header.parents),
        }

    async def submit_block(self, params: Params) -> Json:
        """Add a mined block. ``block`` is the template's block with its nonce (and maybe its
        timestamp) set; or the unchanged template with ``miner_work`` (hex), whose timestamp
        and nonce are put into the header (``spec/getwork``)."""
        header, transactions = block_from_json(params.raw("block"))
        work_hex = params.optional("miner_work")
        params.done()
        if work_hex is not None:
            work: MinerWork = decode_miner_work(_hex_param("miner_work", work_hex, 1024))
            header = apply_miner_work(header, work)
        block = await self._bridge.call(self._node.submit_block, header, transactions)
        return {"hash": block.hex(), "blue_score": header.blue_score}

    async def get_block(self, params: Params) -> Json:
        """A block by hash, with its GHOSTDAG data."""
        block = params.hash("hash")
        include = params.boolean("include_transactions", default=True)
        params.done()
        view = await self._bridge.call(self._node.get_block, block)
        return block_result(view, include_transactions=include)

    async def get_blocks_at_blue_score(self, params: Params) -> Json:
        """The hashes of the blocks of one blue score, ascending ``sort_key``."""
        score = params.uint("blue_score")
        params.done()
        return hashes(await self._bridge.call(self._node.blocks_at_blue_score, score))

    async def get_dag_info(self, params: Params) -> Json:
        """Tips, sink, virtual parents, pruning point, counts."""
        params.done()
        info = await self._bridge.call(self._node.dag_info)
        return {
            "network": info.network,
            "tips": hashes(info.tips),
            "sink": info.sink.hex(),
            "sink_blue_score": info.sink_blue_score,
            "virtual_parents": hashes(info.virtual_parents),
            "pruning_point": info.pruning_point.hex(),
            "block_count": info.block_count,
            "header_count": info.header_count,
            "virtual_daa_score": info.virtual_daa_score,
            "bits": info.bits,
            "difficulty": difficulty_text(info.bits),
            "past_median_time": info.past_median_time,
        }

    async def get_peers(self, params: Params) -> Json:
        """The connected peers (none when the node runs without peers)."""
        params.done()
        if self.peers is None:
            return []
        return [asdict(peer) for peer in self.peers.peer_info()]

    async def get_sync_status(self, params: Params) -> Json:
        """Whether an IBD runs, its phase, counts and last progress line; ``p2p`` tells
        whether the node has a peer service at all."""
        params.done()
        status = IDLE if self.peers is None else self.peers.status()
        return {**asdict(status), "p2p": self.peers is not None}


def _hex_param(name: str, value: object, max_bytes: int) -> bytes:
    if (
        not isinstance(value, str)
        or len(value) % 2
        or len(value) > 2 * max_bytes
        or not _HEX.issuperset(value)
    ):
        raise invalid_params(f"{name!r} must be lowercase hexadecimal of at most {max_bytes} bytes")
    return bytes.fromhex(value)
