"""Kaspa's wRPC with JSON encoding, on its own port, so Kaspa's own clients use the node.

The envelope is the one Kaspa's client speaks (``anchors`` node.md §W): a request is a text
frame ``{"id": N, "method": "getSinkBlueScore", "params": {...}}``, its reply
``{"id": N, "params": {...}}`` or ``{"id": N, "error": {"code": C, "message": S, "data": D}}``,
and a notification a frame without ``id``:
``{"method": "sinkBlueScoreChangedNotification", "params": {"SinkBlueScoreChanged": {...}}}``.
Field names are rusty-kaspa's ``rpc/core`` model, camel-cased, exactly; a missing field fails
Kaspa's client, so every result carries all of its type's fields. Unknown request fields are
ignored, as Kaspa's serde types ignore them.

The node is *synced* exactly when no IBD runs (:func:`is_synced`): ``isSynced`` of
``getInfo``, ``getServerInfo`` and ``getBlockTemplate`` says so, and ``submitBlock`` refuses
every block while an IBD runs, as Kaspa's service does, with the reason ``isInIBD``. A block
more than a difficulty window of DAA score below the virtual is refused unless the client sets
``allowNonDaaBlocks`` (:func:`is_far_behind`). Where the node has nothing to report the values
are stated here: no UTXO index (``hasUtxoIndex`` false) and no accepted transaction ids
(transactions are carried, never executed, so none is *accepted*: ``acceptedTransactionIds``
is empty).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Final

from aiohttp import WSMsgType, web

from reference.errors import BlockRejected, DagspecError, UnknownBlock
from reference.hash import Hash
from reference.header_json import header_to_json
from reference.node.node import BlockView, Node, difficulty_of_bits
from reference.presets import Preset
from reference.rpc.bridge import NodeBridge, NodeEvent
from reference.rpc.codec import (
    Params,
    block_from_json,
    block_to_json,
    dump_json,
    hashes,
    parse_json,
)
from reference.rpc.errors import RpcCode, RpcError, invalid_params
from reference.rpc.json_rpc import MAX_REQUEST_BYTES, PeerSource, error_object
from reference.rpc.outbox import Outbox
from reference.transaction.encoding import transaction_hash, transaction_id
from reference.transaction.json_form import transaction_to_json

_log = logging.getLogger(__name__)

RPC_API_VERSION: Final = 1
"""``getServerInfo.rpcApiVersion``: the version of Kaspa's RPC API these methods follow."""

RPC_API_REVISION: Final = 0
"""``getServerInfo.rpcApiRevision``."""

MAX_HEADERS: Final = 1000
"""Most headers one ``getHeaders`` returns."""

MAX_CHAIN_BLOCKS: Final = 10_000
"""Most chain blocks one ``getVirtualChainFromBlock`` walks."""

SCOPES: Final = {
    "SinkBlueScoreChanged": NodeEvent.SINK_BLUE_SCORE_CHANGED,
    "NewBlockTemplate": NodeEvent.NEW_BLOCK_TEMPLATE,
    "BlockAdded": NodeEvent.BLOCK_ADDED,
}
"""Subscription scopes served, and the node event behind each."""

NOTIFICATION_METHODS: Final = {
    "SinkBlueScoreChanged": "sinkBlueScoreChangedNotification",
    "NewBlockTemplate": "newBlockTemplateNotification",
    "BlockAdded": "blockAddedNotification",
}
"""The frame ``method`` of each scope's notifications (Kaspa's ``RpcApiOps``, camel-cased)."""

Json = object
Method = Callable[[Params], Awaitable[Json]]


class RejectReason(StrEnum):
    """Why ``submitBlock`` refused a block: Kaspa's ``SubmitBlockRejectReason`` as its JSON
    names it (the variant, camel-cased). Kaspa's third reason, ``routeIsFull``, never
    occurs here."""

    BLOCK_INVALID = "blockInvalid"
    """The block is malformed, breaks a rule, or lies too far behind (:func:`is_far_behind`)."""
    IS_IN_IBD = "isInIBD"
    """The node is not synced (:func:`is_synced`); the block was not looked at."""


def submit_report(reason: RejectReason | None) -> dict[str, Json]:
    """``submitBlock``'s report: ``{"type": "success"}``, or ``{"type": "reject", "reason":
    R}`` (Kaspa's ``SubmitBlockReport``: tag ``type``, content ``reason``)."""
    if reason is None:
        return {"type": "success"}
    return {"type": "reject", "reason": str(reason)}


def is_synced(peers: PeerSource | None) -> bool:
    """Whether the node is synced: no IBD runs. A node without a peer service (``None``) is
    synced: it has no one to be behind."""
    return peers is None or not peers.status().syncing


def difficulty_window_blocks(preset: Preset) -> int:
    """How many DAA blocks the difficulty window spans, ``difficulty_window_size`` sampled
    blocks one in ``difficulty_sample_rate`` (Kaspa's
    ``difficulty_window_duration_in_block_units``)."""
    return preset.difficulty_window_size * preset.difficulty_sample_rate


def is_far_behind(block_daa_score: int, virtual_daa_score: int, window: int) -> bool:
    """Whether a submitted block is out of date: its DAA score more than ``window`` DAA
    blocks below the virtual's (:func:`difficulty_window_blocks`). Kaspa's heuristic for a
    miner working on a stale template, not a validity rule: a client that sets
    ``allowNonDaaBlocks`` skips it."""
    return virtual_daa_score > window and block_daa_score < virtual_daa_score - window


def rpc_block(view: BlockView, *, include_transactions: bool) -> dict[str, Json]:
    """Kaspa's ``RpcBlock``: the header with its hash, the transactions when asked for (with
    their verbose data), and the block's verbose data."""
    data = view.ghostdag
    transactions = view.transactions or ()
    block: dict[str, Json] = {
        "header": header_to_json(view.header, with_hash=True),
        "transactions": [],
        "verboseData": {
            "hash": view.hash.hex(),
            "difficulty": difficulty_of_bits(view.header.bits),
            "selectedParentHash": (data.selected_parent or view.hash).hex(),
            "transactionIds": [transaction_id(tx).hex() for tx in transactions],
            "isHeaderOnly": view.transactions is None,
            "blueScore": data.blue_score,
            "childrenHashes": hashes(view.children),
            "mergeSetBluesHashes": hashes(data.mergeset_blues),
            "mergeSetRedsHashes": hashes(data.mergeset_reds),
            "isChainBlock": view.is_chain_block,
        },
    }
    if include_transactions:
        listed: list[Json] = []
        for tx in transactions:
            entry = transaction_to_json(tx)
            entry["verboseData"] = {
                "transactionId": transaction_id(tx).hex(),
                "hash": transaction_hash(tx).hex(),
                "computeMass": 0,
                "blockHash": view.hash.hex(),
                "blockTime": view.header.timestamp,
            }
            listed.append(entry)
        block["transactions"] = listed
    return block


class _Client:
    """One WebSocket client and the scopes it follows."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox
        self.scopes: set[str] = set()


class WrpcJsonServer:
    """Kaspa's wRPC JSON endpoint of one node."""

    def __init__(
        self,
        bridge: NodeBridge,
        *,
        server_version: str,
        peers: Callable[[], PeerSource | None] = lambda: None,
    ) -> None:
        """Serve ``bridge``'s node; ``peers`` gives the node's peer service when it runs one
        (read at every request, so a service started or stopped later is followed)."""
        self._bridge = bridge
        self._node: Node = bridge.node
        self._version = server_version
        self._peers = peers
        self._clients: set[_Client] = set()
        self._methods: dict[str, Method] = {
            "getServerInfo": self.get_server_info,
            "getInfo": self.get_info,
            "getBlockDagInfo": self.get_block_dag_info,
            "getSinkBlueScore": self.get_sink_blue_score,
            "getSink": self.get_sink,
            "getBlockCount": self.get_block_count,
            "getCurrentNetwork": self.get_current_network,
            "getBlockTemplate": self.get_block_template,
            "submitBlock": self.submit_block,
            "getBlock": self.get_block,
            "getHeaders": self.get_headers,
            "getVirtualChainFromBlock": self.get_virtual_chain_from_block,
            "ping": self.ping,
        }
        self._unsubscribe = bridge.subscribe(self._on_node_event)

    def add_routes(self, app: web.Application) -> None:
        """Serve the WebSocket at ``/`` (Kaspa's clients connect to the bare port)."""
        app.router.add_get("/", self.websocket)

    def close(self) -> None:
        """Stop following the node."""
        self._unsubscribe()

    async def websocket(self, request: web.Request) -> web.WebSocketResponse:
        """Serve one client until it goes away."""
        socket = web.WebSocketResponse(max_msg_size=MAX_REQUEST_BYTES)
        await socket.prepare(request)
        client = _Client(Outbox(socket))
        self._clients.add(client)
        try:
            async for message in socket:
                if message.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                    break
                client.outbox.put(await self.handle_text(message.data, client))
        finally:
            self._clients.discard(client)
            await client.outbox.close()
        return socket

    async def handle_text(self, data: bytes | str, client: _Client) -> str:
        """The reply frame to one request frame."""
        request_id: Json = None
        try:
            value = parse_json(data)
            if not isinstance(value, dict):
                raise RpcError(RpcCode.MALFORMED_REQUEST, "a request is a JSON object")
            raw_id = value.get("id")
            if isinstance(raw_id, int) and not isinstance(raw_id, bool) and raw_id >= 0:
                request_id = raw_id
            else:
                raise RpcError(RpcCode.MALFORMED_REQUEST, "a request has an unsigned integer id")
            method = value.get("method")
            if not isinstance(method, str):
                raise RpcError(RpcCode.MALFORMED_REQUEST, "a request names its method")
            params = Params(value.get("params"), strict=False)
            if method in ("subscribe", "unsubscribe"):
                result = self._subscription(method, params, client)
            else:
                handler = self._methods.get(method)
                if handler is None:
                    raise RpcError(RpcCode.UNKNOWN_METHOD, f"no method {method[:64]!r}")
                result = await handler(params)
        except Exception as error:
            return dump_json({"id": request_id, "error": error_object(error)})
        return dump_json({"id": request_id, "params": result})

    # -- notifications -----------------------------------------------------------------------

    def _subscription(self, method: str, params: Params, client: _Client) -> Json:
        scopes = [scope for scope in SCOPES if params.has(scope)]
        if len(scopes) != 1:
            raise invalid_params(f"one scope of {', '.join(SCOPES)} is expected")
        if method == "subscribe":
            client.scopes.add(scopes[0])
        else:
            client.scopes.discard(scopes[0])
        return {}

    def _on_node_event(self, event: NodeEvent, payload: object) -> None:
        scope = next(name for name, value in SCOPES.items() if value is event)
        followers = [client for client in self._clients if scope in client.scopes]
        if not followers:
            return
        method = NOTIFICATION_METHODS[scope]
        if event is NodeEvent.BLOCK_ADDED and isinstance(payload, Hash):
            block = payload
            cached: list[str] = []

            async def produce() -> str | None:
                if not cached:
                    view = await self._bridge.call(self._node.get_block, block)
                    body = {"block": rpc_block(view, include_transactions=True)}
                    cached.append(dump_json({"method": method, "params": {scope: body}}))
                return cached[0]

            for client in followers:
                client.outbox.put(produce)
            return
        content: dict[str, Json] = {}
        if event is NodeEvent.SINK_BLUE_SCORE_CHANGED:
            content["sinkBlueScore"] = payload
        frame = dump_json({"method": method, "params": {scope: content}})
        for client in followers:
            client.outbox.put(frame)

    # -- methods -----------------------------------------------------------------------------

    async def ping(self, params: Params) -> Json:
        """``{}``."""
        return {}

    async def get_server_info(self, params: Params) -> Json:
        """Kaspa's ``GetServerInfoResponse``."""
        info = await self._bridge.call(self._node.dag_info)
        return {
            "rpcApiVersion": RPC_API_VERSION,
            "rpcApiRevision": RPC_API_REVISION,
            "serverVersion": self._version,
            "networkId": info.network,
            "hasUtxoIndex": False,
            "isSynced": is_synced(self._peers()),
            "virtualDaaScore": info.virtual_daa_score,
        }

    async def get_info(self, params: Params) -> Json:
        """Kaspa's ``GetInfoResponse``."""
        node = self._node
        mempool_size = await self._bridge.call(lambda: len(node.mempool))
        return {
            "p2pId": node.network.genesis_hash.hex()[:32],
            "mempoolSize": mempool_size,
            "serverVersion": self._version,
            "isUtxoIndexed": False,
            "isSynced": is_synced(self._peers()),
            "hasNotifyCommand": True,
            "hasMessageId": True,
        }

    async def get_block_dag_info(self, params: Params) -> Json:
        """Kaspa's ``GetBlockDagInfoResponse``."""
        info = await self._bridge.call(self._node.dag_info)
        return {
            "network": info.network,
            "blockCount": info.block_count,
            "headerCount": info.header_count,
            "tipHashes": hashes(info.tips),
            "difficulty": info.difficulty,
            "pastMedianTime": info.past_median_time,
            "virtualParentHashes": hashes(info.virtual_parents),
            "pruningPointHash": info.pruning_point.hex(),
            "virtualDaaScore": info.virtual_daa_score,
            "sink": info.sink.hex(),
        }

    async def get_sink_blue_score(self, params: Params) -> Json:
        """``{"blueScore": N}``: the sink's blue score."""
        return {"blueScore": await self._bridge.call(self._node.sink_blue_score)}

    async def get_sink(self, params: Params) -> Json:
        """``{"sink": H}``."""
        info = await self._bridge.call(self._node.dag_info)
        return {"sink": info.sink.hex()}

    async def get_block_count(self, params: Params) -> Json:
        """``{"blockCount": N, "headerCount": N}``."""
        info = await self._bridge.call(self._node.dag_info)
        return {"blockCount": info.block_count, "headerCount": info.header_count}

    async def get_current_network(self, params: Params) -> Json:
        """``{"network": ID}``."""
        return {"network": self._node.network.network_id}

    async def get_block_template(self, params: Params) -> Json:
        """``{"block": RpcRawBlock, "isSynced": B}`` paying ``payAddress``; ``extraData``
        (a string; its UTF-8 bytes) ends the coinbase payload. A template is built during an
        IBD too, with ``isSynced`` false, as Kaspa's."""
        address = params.string("payAddress", max_length=128)
        extra = params.optional("extraData")
        extra_data = b""
        if isinstance(extra, str):
            extra_data = extra.encode()
        elif isinstance(extra, list) and all(
            isinstance(b, int) and not isinstance(b, bool) and 0 <= b < 256 for b in extra
        ):
            extra_data = bytes(extra)
        elif extra is not None:
            raise invalid_params("'extraData' must be a string or a list of bytes")
        template = await self._bridge.call(self._node.block_template, address, extra_data)
        return {
            "block": block_to_json(template.header, template.transactions, with_hash=False),
            "isSynced": is_synced(self._peers()),
        }

    async def submit_block(self, params: Params) -> Json:
        """``{"report": R}`` (:func:`submit_report`), decided in Kaspa's order: while an IBD
        runs, ``isInIBD`` for any block; a malformed block, ``blockInvalid``; without
        ``allowNonDaaBlocks`` (absent reads as false; Kaspa's alias ``allowNonDAABlocks`` is
        read too), a block far behind the virtual (:func:`is_far_behind`), ``blockInvalid``;
        then the node's verdict, ``success`` or ``blockInvalid``."""
        allow_name = "allowNonDAABlocks" if params.has("allowNonDAABlocks") else "allowNonDaaBlocks"
        allow_non_daa = params.boolean(allow_name, default=False)
        raw_block = params.raw("block")
        if not is_synced(self._peers()):
            return {"report": submit_report(RejectReason.IS_IN_IBD)}
        try:
            header, transactions = block_from_json(raw_block, allow_verbose=True)
        except DagspecError as error:
            _log.info("submitBlock: malformed block: %s", error)
            return {"report": submit_report(RejectReason.BLOCK_INVALID)}
        if not allow_non_daa:
            info = await self._bridge.call(self._node.dag_info)
            window = difficulty_window_blocks(self._node.network.preset)
            if is_far_behind(header.daa_score, info.virtual_daa_score, window):
                _log.info(
                    "submitBlock: DAA score %d is more than %d below the virtual's %d",
                    header.daa_score,
                    window,
                    info.virtual_daa_score,
                )
                return {"report": submit_report(RejectReason.BLOCK_INVALID)}
        try:
            await self._bridge.call(self._node.submit_block, header, transactions)
        except DagspecError as error:
            if not isinstance(error, BlockRejected):
                _log.info("submitBlock: refused: %s", error)
            return {"report": submit_report(RejectReason.BLOCK_INVALID)}
        return {"report": submit_report(None)}

    async def get_block(self, params: Params) -> Json:
        """``{"block": RpcBlock}``."""
        block = params.hash("hash")
        include = params.boolean("includeTransactions", default=False)
        view = await self._bridge.call(self._node.get_block, block)
        return {"block": rpc_block(view, include_transactions=include)}

    async def get_headers(self, params: Params) -> Json:
        """Headers along the selected chain from ``startHash``: toward genesis when not
        ``isAscending`` (the block, its selected parent, ...), toward the sink when it is (the
        block must then be a chain block); at most ``limit`` (and :data:`MAX_HEADERS`)."""
        start = params.hash("startHash")
        limit = min(params.uint("limit"), MAX_HEADERS)
        ascending = params.boolean("isAscending")
        node = self._node

        def walk() -> list[Json]:
            if ascending:
                chain = _chain_down_from_sink(node, start)
                if chain is None:
                    raise invalid_params("startHash is not on the selected chain")
                blocks = list(reversed(chain))[:limit]
            else:
                blocks = []
                current: Hash | None = start
                while current is not None and len(blocks) < limit:
                    blocks.append(current)
                    current = node.get_block(current).ghostdag.selected_parent
            return [header_to_json(node.get_block(b).header, with_hash=True) for b in blocks]

        return {"headers": await self._bridge.call(walk)}

    async def get_virtual_chain_from_block(self, params: Params) -> Json:
        """The selected-chain change from ``startHash`` to the sink: the chain blocks to remove
        (from ``startHash`` down to, not including, the first block on the sink's chain) and
        those to add (from there up to the sink), each list as Kaspa orders it. With
        ``minConfirmationCount`` only added blocks at least that many blue scores below the
        sink are listed. No transaction is executed, so no id is accepted."""
        start = params.hash("startHash")
        params.boolean("includeAcceptedTransactionIds", default=False)
        confirmations = params.uint("minConfirmationCount", default=0)
        node = self._node

        def walk() -> dict[str, Json]:
            removed: list[Hash] = []
            current = node.get_block(start)
            while not current.is_chain_block:
                removed.append(current.hash)
                parent = current.ghostdag.selected_parent
                if parent is None or len(removed) > MAX_CHAIN_BLOCKS:
                    raise invalid_params("startHash is too far from the selected chain")
                current = node.get_block(parent)
            added = _chain_down_from_sink(node, current.hash)
            if added is None:
                raise RpcError(RpcCode.INTERNAL_ERROR, "the chain moved during the walk")
            sink_score = node.sink_blue_score()
            listed = [
                block
                for block in reversed(added[:-1])
                if sink_score - node.get_block(block).ghostdag.blue_score >= confirmations
            ]
            return {
                "removedChainBlockHashes": hashes(removed),
                "addedChainBlockHashes": hashes(listed),
                "acceptedTransactionIds": [],
            }

        return await self._bridge.call(walk)


def _chain_down_from_sink(node: Node, block: Hash) -> list[Hash] | None:
    """The selected chain from the sink down to ``block`` (both included), or ``None`` when
    ``block`` is not a chain block (or lies more than :data:`MAX_CHAIN_BLOCKS` below)."""
    view = node.get_block(block)
    if not view.is_chain_block:
        return None
    chain: list[Hash] = []
    current: Hash | None = node.dag_info().sink
    while current is not None and len(chain) <= MAX_CHAIN_BLOCKS:
        chain.append(current)
        if current == block:
            return chain
        current = node.get_block(current).ghostdag.selected_parent
    if current is None:
        raise UnknownBlock(block)
    return None
