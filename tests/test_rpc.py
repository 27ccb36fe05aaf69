"""The JSON-RPC 2.0 endpoint: methods, errors, batches, limits and subscriptions.

The node runs in this process on a loop in a background thread, with the servers on free
loopback ports; the tests talk to it over real HTTP and WebSocket connections. Expected values
come from what the tests built (the blocks they mined, the DAG shapes they made), not from the
node's answers.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from jsonschema import Draft202012Validator, ValidationError

from reference.header import header_hash
from reference.header_json import header_from_json
from reference.mining.address import Address, AddressPrefix, AddressVersion, encode_address
from reference.node.network import DEVNET_NETWORK
from reference.node.node import Node
from reference.node.server import NodeServer
from reference.processes.pow.state import PowState

ADDRESS = encode_address(Address(AddressPrefix.DEVNET, AddressVersion.PUBKEY, bytes(32)))
OTHER_ADDRESS = encode_address(
    Address(AddressPrefix.DEVNET, AddressVersion.PUBKEY, bytes(31) + b"\1")
)
MAINNET_ADDRESS = encode_address(Address(AddressPrefix.MAINNET, AddressVersion.PUBKEY, bytes(32)))
GENESIS = DEVNET_NETWORK.genesis_hash.hex()


@contextmanager
def running_node(rate_limit_ms: int = 20) -> Iterator[NodeServer]:
    """A devnet node with its servers on free ports, served from a background thread."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = NodeServer(Node(DEVNET_NETWORK), getwork_rate_limit_ms=rate_limit_ms)
    asyncio.run_coroutine_threadsafe(server.start(), loop).result(30)
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.close()


@pytest.fixture()
def server() -> Iterator[NodeServer]:
    with running_node() as running:
        yield running


def url(server: NodeServer) -> str:
    return f"http://127.0.0.1:{server.rpc_port}/json_rpc"


def post(server: NodeServer, body: Any, *, raw: bytes | None = None) -> tuple[int, Any]:
    async def send() -> tuple[int, Any]:
        async with aiohttp.ClientSession() as http:
            kwargs: dict[str, Any] = {"data": raw} if raw is not None else {"json": body}
            async with http.post(url(server), **kwargs) as response:
                text = await response.text()
                return response.status, (await response.json()) if text else None

    return asyncio.run(send())


def call(server: NodeServer, method: str, **params: Any) -> Any:
    status, reply = post(server, {"jsonrpc": "2.0", "id": 7, "method": method, "params": params})
    assert status == 200 and reply["id"] == 7 and "result" in reply, reply
    return reply["result"]


def error(server: NodeServer, method: str, **params: Any) -> dict[str, Any]:
    status, reply = post(server, {"jsonrpc": "2.0", "id": 8, "method": method, "params": params})
    assert status == 200 and reply["id"] == 8 and "error" in reply, reply
    result: dict[str, Any] = reply["error"]
    return result


def solve(raw_header: dict[str, Any], *, passing: bool = True) -> int:
    """A nonce whose proof of work passes (or, with ``passing=False``, fails) the target."""
    state = PowState(header_from_json(raw_header))
    return next(n for n in range(10_000) if state.meets_target(n) == passing)


def mine(server: NodeServer, address: str = ADDRESS, extra_data: str = "") -> dict[str, Any]:
    """Ask for a template, solve it, submit it; the submitted block."""
    params: dict[str, Any] = {"address": address}
    if extra_data:
        params["extra_data"] = extra_data
    template = call(server, "get_block_template", **params)
    block: dict[str, Any] = template["block"]
    block["header"]["nonce"] = solve(block["header"])
    result = call(server, "submit_block", block=block)
    assert result["hash"] == header_hash(header_from_json(block["header"])).hex()
    return block


def test_a_fresh_node_reports_only_genesis(server: NodeServer) -> None:
    info = call(server, "get_info")
    assert info["blue_score"] == 0 and info["top_block_hash"] == GENESIS
    assert info["network"] == "devnet" and info["max_block_parents"] == 32
    assert call(server, "get_blue_score") == 0
    dag = call(server, "get_dag_info")
    assert dag["tips"] == [GENESIS] and dag["sink"] == GENESIS
    assert dag["virtual_parents"] == [GENESIS] and dag["pruning_point"] == GENESIS
    assert (dag["block_count"], dag["header_count"]) == (1, 1)
    assert call(server, "get_blocks_at_blue_score", blue_score=0) == [GENESIS]
    genesis = call(server, "get_block", hash=GENESIS)
    assert genesis["selected_parent"] is None and genesis["blue_score"] == 0


def test_a_template_mined_and_submitted_becomes_the_sink(server: NodeServer) -> None:
    template = call(server, "get_block_template", address=ADDRESS)
    header = template["block"]["header"]
    assert "hash" not in header and header["parentsByLevel"] == [[GENESIS]]
    assert template["blue_score"] == header["blueScore"] == 1
    assert template["parents"] == 1 and len(template["miner_work"]) == 96
    block = mine(server)
    block_hash = header_hash(header_from_json(block["header"])).hex()
    assert call(server, "get_blue_score") == 1
    result = call(server, "get_block", hash=block_hash)
    assert result["selected_parent"] == GENESIS
    assert result["mergeset_blues"] == [GENESIS] and result["mergeset_reds"] == []
    assert result["header"]["nonce"] == block["header"]["nonce"]
    assert result["transactions"] == block["transactions"]
    assert call(server, "get_blocks_at_blue_score", blue_score=1) == [block_hash]
    assert call(server, "get_block", hash=GENESIS)["children"] == [block_hash]


def test_submit_block_with_miner_work_puts_the_nonce_in(server: NodeServer) -> None:
    template = call(server, "get_block_template", address=ADDRESS)
    nonce = solve(template["block"]["header"])
    work = bytes.fromhex(template["miner_work"])
    solved = work[:40] + nonce.to_bytes(8, "little")
    result = call(server, "submit_block", block=template["block"], miner_work=solved.hex())
    stored = call(server, "get_block", hash=result["hash"])
    assert stored["header"]["nonce"] == nonce
    other = call(server, "get_block_template", address=ADDRESS)
    mismatch = error(server, "submit_block", block=other["block"], miner_work=solved.hex())
    assert mismatch["code"] == -32602 and mismatch["data"]["code"] == "BAD_PARAMETER"


def test_two_blocks_over_genesis_are_merged_by_the_next_template(server: NodeServer) -> None:
    # Two templates for different extra data share genesis as their only parent.
    first = call(server, "get_block_template", address=ADDRESS, extra_data="01")["block"]
    second = call(server, "get_block_template", address=OTHER_ADDRESS, extra_data="02")["block"]
    hashes = []
    for block in (first, second):
        block["header"]["nonce"] = solve(block["header"])
        hashes.append(call(server, "submit_block", block=block)["hash"])
    assert sorted(call(server, "get_dag_info")["tips"]) == sorted(hashes)
    merged = mine(server)
    assert sorted(merged["header"]["parentsByLevel"][0]) == sorted(hashes)
    result = call(server, "get_block", hash=header_hash(header_from_json(merged["header"])).hex())
    # Blue past: genesis and both parents (K = 10 colours both blue); the selected parent is
    # the parent of larger (blue work, hash), and both have equal blue work.
    assert result["blue_score"] == 3
    assert result["selected_parent"] == max(hashes)
    assert result["mergeset_blues"] == [max(hashes), min(hashes)]
    assert call(server, "get_blocks_at_blue_score", blue_score=1) == sorted(hashes)


def test_rejections_carry_the_canonical_code(server: NodeServer) -> None:
    template = call(server, "get_block_template", address=ADDRESS)
    block = template["block"]
    block["header"]["nonce"] = solve(block["header"], passing=False)
    rejected = error(server, "submit_block", block=block)
    assert rejected["code"] == 200 and rejected["data"]["code"] == "INVALID_POW"
    block["header"]["nonce"] = solve(block["header"])
    block["transactions"] = []
    empty = error(server, "submit_block", block=block)
    assert empty["code"] == 200 and empty["data"]["code"] == "NO_TRANSACTIONS"
    assert call(server, "get_dag_info")["header_count"] == 1
    unknown = error(server, "get_block", hash="ab" * 32)
    assert unknown["code"] == 201 and unknown["data"]["code"] == "UNKNOWN_BLOCK"


@pytest.mark.parametrize(
    ("method", "params", "code"),
    [
        ("get_block", {"hash": "zz"}, "MALFORMED_HASH"),
        ("get_block", {"hash": 5}, "MALFORMED_HASH"),
        ("get_block", {}, "INVALID_PARAMS"),
        ("get_block", {"hash": GENESIS, "extra": 1}, "INVALID_PARAMS"),
        ("get_blocks_at_blue_score", {"blue_score": -1}, "INVALID_PARAMS"),
        ("get_blocks_at_blue_score", {"blue_score": True}, "INVALID_PARAMS"),
        ("get_block_template", {"address": MAINNET_ADDRESS}, "WRONG_NETWORK"),
        ("get_block_template", {"address": "kaspadev:qqqq"}, "MALFORMED_ADDRESS"),
        ("get_block_template", {"address": ADDRESS, "extra_data": "XYZ"}, "INVALID_PARAMS"),
        ("get_block_template", {"address": ADDRESS, "extra_data": "00" * 151}, "INVALID_PARAMS"),
        ("submit_block", {"block": {"header": {}, "transactions": []}}, "MALFORMED_HEADER"),
        ("submit_block", {"block": []}, "MALFORMED_HEADER"),
        ("get_info", {"x": 1}, "INVALID_PARAMS"),
    ],
)
def test_malformed_params_are_invalid_params(
    server: NodeServer, method: str, params: dict[str, Any], code: str
) -> None:
    reply = error(server, method, **params)
    assert reply["code"] == -32602 and reply["data"]["code"] == code, reply


@pytest.mark.parametrize(
    ("raw", "number", "code"),
    [
        (b"{", -32700, "MALFORMED_JSON"),
        (b"\xff\xfe", -32700, "MALFORMED_JSON"),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "get_info", "x": NaN}', -32700, "MALFORMED_JSON"),
        (b"[" * 50_000 + b"]" * 50_000, -32700, "MALFORMED_JSON"),
        (b"1" * 10_000, -32700, "MALFORMED_JSON"),
        (b"5", -32600, "MALFORMED_REQUEST"),
        (b"[]", -32600, "MALFORMED_REQUEST"),
        (b'{"id": 1, "method": "get_info"}', -32600, "MALFORMED_REQUEST"),
        (b'{"jsonrpc": "2.0", "id": true, "method": "get_info"}', -32600, "MALFORMED_REQUEST"),
        (b'{"jsonrpc": "2.0", "id": 1, "method": 3}', -32600, "MALFORMED_REQUEST"),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "get_info", "params": [1]}', -32602, None),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "nope"}', -32601, "UNKNOWN_METHOD"),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "subscribe", "params": {}}', -32601, None),
    ],
)
def test_malformed_requests_get_the_json_rpc_error(
    server: NodeServer, raw: bytes, number: int, code: str | None
) -> None:
    status, reply = post(server, None, raw=raw)
    assert status == 200 and reply["error"]["code"] == number, reply
    if code is not None:
        assert reply["error"]["data"]["code"] == code
    assert call(server, "get_blue_score") == 0  # still serving


def test_malformed_json_over_the_websocket_gets_the_parse_error_and_serving_goes_on(
    server: NodeServer,
) -> None:
    frames: list[str | bytes] = [
        "{",
        '{"jsonrpc": "2.0", "id": 1, "method": "get_blue_score"',
        "NaN",
        "[1, 2",
        b"\xff\xfe not UTF-8",
        '{"jsonrpc": "2.0", "id": 2, "method": "get_blue_score"}',
    ]

    async def session() -> tuple[list[Any], bool]:
        ws_url = url(server).replace("http", "ws")
        async with aiohttp.ClientSession() as http, http.ws_connect(ws_url) as socket:
            replies = []
            for frame in frames:
                if isinstance(frame, bytes):
                    await socket.send_bytes(frame)
                else:
                    await socket.send_str(frame)
                replies.append(await socket.receive_json(timeout=10))
            return replies, socket.closed

    replies, closed = asyncio.run(session())
    *parse_errors, answer = replies
    for reply in parse_errors:
        assert reply["jsonrpc"] == "2.0" and reply["id"] is None, reply
        assert reply["error"]["code"] == -32700, reply
        assert reply["error"]["data"]["code"] == "MALFORMED_JSON", reply
    assert answer == {"jsonrpc": "2.0", "id": 2, "result": 0}
    assert closed is False


def test_batches(server: NodeServer) -> None:
    batch = [
        {"jsonrpc": "2.0", "id": 1, "method": "get_blue_score"},
        {"jsonrpc": "2.0", "method": "get_blue_score"},  # a notification: no reply
        {"jsonrpc": "2.0", "id": "b", "method": "nope"},
        17,
    ]
    status, replies = post(server, batch)
    assert status == 200 and [r["id"] for r in replies] == [1, "b", None]
    assert replies[0]["result"] == 0
    assert replies[1]["error"]["code"] == -32601 and replies[2]["error"]["code"] == -32600
    status, nothing = post(server, [{"jsonrpc": "2.0", "method": "get_info"}])
    assert status == 204 and nothing is None
    status, large = post(
        server, [{"jsonrpc": "2.0", "id": i, "method": "get_info"} for i in range(101)]
    )
    assert large["error"]["data"]["code"] == "MESSAGE_TOO_LARGE"


def test_websocket_subscriptions_push_notifications(server: NodeServer) -> None:
    async def session() -> tuple[list[Any], list[Any]]:
        ws_url = url(server).replace("http", "ws")
        async with aiohttp.ClientSession() as http, http.ws_connect(ws_url) as socket:
            replies = []
            for i, event in enumerate(["new_block", "blue_score_changed", "new_block_template"]):
                request = {
                    "jsonrpc": "2.0",
                    "id": 100 + i,
                    "method": "subscribe",
                    "params": {"notify": event},
                }
                await socket.send_json(request)
                replies.append(await socket.receive_json(timeout=10))
            await socket.send_json(
                {
                    "jsonrpc": "2.0",
                    "id": 9,
                    "method": "subscribe",
                    "params": {"notify": "new_block"},
                }
            )
            replies.append(await socket.receive_json(timeout=10))
            await socket.send_json(
                {
                    "jsonrpc": "2.0",
                    "id": 10,
                    "method": "unsubscribe",
                    "params": {"notify": "block_ordered"},
                }
            )
            replies.append(await socket.receive_json(timeout=10))
            await asyncio.get_running_loop().run_in_executor(None, mine, server)
            notes = [await socket.receive_json(timeout=10) for _ in range(3)]
            await socket.send_json(
                {
                    "jsonrpc": "2.0",
                    "id": 11,
                    "method": "unsubscribe",
                    "params": {"notify": "new_block_template"},
                }
            )
            await socket.send_json(
                {
                    "jsonrpc": "2.0",
                    "id": 12,
                    "method": "unsubscribe",
                    "params": {"notify": "new_block_template"},
                }
            )
            replies += [await socket.receive_json(timeout=10) for _ in range(2)]
            return replies, notes

    replies, notes = asyncio.run(session())
    assert [r.get("result") for r in replies[:3]] == [True, True, True]
    assert replies[3]["error"]["code"] == -2
    assert replies[4]["error"]["code"] == -32602
    assert replies[5]["result"] is True and replies[6]["error"]["code"] == -1
    by_event = {note["result"]["event"]: note for note in notes}
    assert by_event["new_block"]["id"] == 100
    assert by_event["new_block"]["result"]["blue_score"] == 1
    assert by_event["new_block"]["result"]["selected_parent"] == GENESIS
    assert by_event["blue_score_changed"]["id"] == 101
    assert by_event["blue_score_changed"]["result"]["blue_score"] == 1
    assert by_event["new_block_template"]["id"] == 102
    # The node's (Kaspa's) order: the block, the template it made stale, the sink's score.
    assert [note["result"]["event"] for note in notes] == [
        "new_block",
        "new_block_template",
        "blue_score_changed",
    ]


SCHEMA = json.loads(
    (Path(__file__).resolve().parent.parent / "conformance/schemas/rpc.schema.json").read_text()
)


def _check(definition: str, instance: Any) -> None:
    """Validate ``instance`` against ``$defs/<definition>`` of the published schema."""
    schema = {"$defs": SCHEMA["$defs"], "$ref": f"#/$defs/{definition}"}
    Draft202012Validator(schema).validate(instance)


def test_requests_replies_and_notifications_match_the_published_schema(server: NodeServer) -> None:
    Draft202012Validator.check_schema(SCHEMA)
    block = mine(server)
    block_hash = header_hash(header_from_json(block["header"])).hex()
    calls: list[tuple[str, dict[str, Any]]] = [
        ("get_info", {}),
        ("get_blue_score", {}),
        ("get_dag_info", {}),
        ("get_block_template", {"address": ADDRESS, "extra_data": "beef"}),
        ("get_block", {"hash": block_hash}),
        ("get_block", {"hash": GENESIS, "include_transactions": False}),
        ("get_blocks_at_blue_score", {"blue_score": 1}),
    ]
    for method, params in calls:
        _check("request", {"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
        _check(f"results/{method}", call(server, method, **params))
    _check(
        "request", {"jsonrpc": "2.0", "id": 2, "method": "submit_block", "params": {"block": block}}
    )
    template = call(server, "get_block_template", address=ADDRESS)["block"]
    template["header"]["nonce"] = solve(template["header"])
    _check("results/submit_block", call(server, "submit_block", block=template))
    _check("error_reply", post(server, None, raw=b"{")[1])
    _check(
        "error_reply",
        post(
            server,
            {"jsonrpc": "2.0", "id": "x", "method": "get_block", "params": {"hash": "ab" * 32}},
        )[1],
    )
    bad = {"jsonrpc": "2.0", "id": 1, "method": "get_block", "params": {"hash": 1}}
    with pytest.raises(ValidationError):
        _check("request", bad)

    async def notifications() -> list[Any]:
        ws_url = url(server).replace("http", "ws")
        async with aiohttp.ClientSession() as http, http.ws_connect(ws_url) as socket:
            for i, event in enumerate(["new_block", "blue_score_changed", "new_block_template"]):
                await socket.send_json(
                    {"jsonrpc": "2.0", "id": i, "method": "subscribe", "params": {"notify": event}}
                )
                _check("results/subscribe", (await socket.receive_json(timeout=10))["result"])
            await asyncio.get_running_loop().run_in_executor(None, mine, server)
            return [await socket.receive_json(timeout=10) for _ in range(3)]

    for note in asyncio.run(notifications()):
        _check("notification", note)
