"""``dagspec node`` and ``dagspec mine`` as real processes on loopback ports.

One node process serves the whole module: Kaspa's own client (the ``kaspa`` SDK from PyPI)
reads its DAG and mines 50 blocks through ``getBlockTemplate`` + ``submitBlock``, receiving
one ``SinkBlueScoreChanged`` per new sink with the sink's score; then ``dagspec mine`` with
three workers mines 200 more over GetWork, and every block is read back over JSON-RPC; every
endpoint is fed hostile input and still answers afterwards. What the test expects is derived
here, from the headers it reads, never from the node's own bookkeeping.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import kaspa
import pytest

from reference.header_json import header_from_json
from reference.mining.address import Address, AddressPrefix, AddressVersion, encode_address
from reference.processes.pow.state import PowState

KASPA: Any = kaspa
"""Kaspa's SDK, untyped: its stubs declare its coroutines as plain calls and ``extraData`` as
a string, where the client wants a list of bytes."""

ROOT = Path(__file__).resolve().parent.parent
DEVNET_ADDRESS = encode_address(Address(AddressPrefix.DEVNET, AddressVersion.PUBKEY, bytes(32)))
MAINNET_ADDRESS = encode_address(Address(AddressPrefix.MAINNET, AddressVersion.PUBKEY, bytes(32)))


@dataclasses.dataclass
class NodeProcess:
    process: subprocess.Popen[str]
    rpc: str
    """``127.0.0.1:PORT`` of JSON-RPC and GetWork."""
    wrpc: str
    """``ws://127.0.0.1:PORT`` of wRPC JSON."""


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "conformance.cli", *args]


@pytest.fixture(scope="module")
def node() -> Iterator[NodeProcess]:
    process = subprocess.Popen(
        _command(
            "node",
            "--preset",
            "devnet",
            "--rpc-port",
            "0",
            "--wrpc-json-port",
            "0",
            "--getwork-rate-limit-ms",
            "20",
        ),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        lines: dict[str, str] = {}
        deadline = time.monotonic() + 60
        assert process.stdout is not None
        while "wrpc-json" not in lines and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            key, _, value = line.partition(": ")
            lines[key] = value.strip()
        assert "wrpc-json" in lines, f"the node did not start: {lines}"
        rpc = re.fullmatch(r"http://(127\.0\.0\.1:\d+)/json_rpc", lines["json-rpc"])
        assert rpc is not None
        yield NodeProcess(process, rpc.group(1), lines["wrpc-json"])
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _call(node: NodeProcess, method: str, **params: Any) -> Any:
    async def post() -> Any:
        request = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
        url = f"http://{node.rpc}/json_rpc"
        async with aiohttp.ClientSession() as http, http.post(url, json=request) as response:
            return await response.json()

    reply = asyncio.run(post())
    assert "result" in reply, reply
    return reply["result"]


def _solve(raw_header: dict[str, Any]) -> int:
    """A nonce meeting the header's target, searched here with the reference's PoW."""
    state = PowState(header_from_json(raw_header))
    return next(n for n in range(10_000) if state.meets_target(n))


def test_kaspa_client_mines_50_blocks_and_follows_the_sink(node: NodeProcess) -> None:
    async def session() -> tuple[list[int], list[int], dict[str, Any], dict[str, Any]]:
        client = KASPA.RpcClient(url=node.wrpc, encoding="json", network_id="devnet")
        await client.connect(timeout_duration=10_000)
        try:
            before = await client.get_block_dag_info()
            scores: list[int] = []
            client.add_event_listener(
                "sink-blue-score-changed",
                lambda event: scores.append(event["data"]["sinkBlueScore"]),
            )
            await client.subscribe_sink_blue_score_changed()
            expected: list[int] = []
            sink_score = (await client.get_sink_blue_score())["blueScore"]
            for _ in range(50):
                template = await client.get_block_template(
                    {"payAddress": DEVNET_ADDRESS, "extraData": list(b"kaspa-client")}
                )
                block = template["block"]
                assert template["isSynced"] is True
                block["header"]["nonce"] = _solve(block["header"])
                report = await client.submit_block({"block": block, "allowNonDaaBlocks": False})
                assert report["report"] == {"type": "success"}, report
                # A template builds on the whole virtual, so its block becomes the new sink,
                # whose blue score is the one its header states.
                score = block["header"]["blueScore"]
                assert score > sink_score
                expected.append(score)
                sink_score = score
            deadline = time.monotonic() + 10
            while len(scores) < len(expected) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            after = await client.get_block_dag_info()
            return scores, expected, before, after
        finally:
            await client.disconnect()

    scores, expected, before, after = asyncio.run(session())
    assert before["network"] == "devnet"
    assert before["blockCount"] == 1 and before["tipHashes"] == [before["sink"]]
    assert scores == expected
    assert after["blockCount"] == 51 and after["headerCount"] == 51
    assert after["virtualDaaScore"] == 50


def test_dagspec_mine_with_three_workers_mines_200_blocks(node: NodeProcess) -> None:
    start = _call(node, "get_dag_info")
    url = f"ws://{node.rpc}/getwork/{DEVNET_ADDRESS}/rig-1"
    mined = subprocess.run(
        _command("mine", "--getwork", url, "--workers", "3", "--blocks", "200"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert mined.returncode == 0, mined.stdout + mined.stderr
    assert mined.stdout.count("block accepted") == 200
    end = _call(node, "get_dag_info")
    assert end["header_count"] == start["header_count"] + 200
    assert end["block_count"] == start["block_count"] + 200
    # Every block, found by walking parents from the tips, is in the store with its body,
    # and its blue score and selected parent agree with the headers read here.
    seen: dict[str, dict[str, Any]] = {}
    stack = list(end["tips"])
    while stack:
        block = stack.pop()
        if block in seen:
            continue
        result = _call(node, "get_block", hash=block, include_transactions=True)
        seen[block] = result
        assert result["hash"] == block
        assert result["header"]["blueScore"] == result["blue_score"]
        parents = (
            result["header"]["parentsByLevel"][0] if result["header"]["parentsByLevel"] else []
        )
        if parents:
            assert result["selected_parent"] in parents
            assert result["transactions"], "a mined block has its coinbase"
        stack.extend(parents)
    assert len(seen) == end["header_count"]
    by_score: dict[int, set[str]] = {}
    for block, result in seen.items():
        by_score.setdefault(result["blue_score"], set()).add(block)
    for score, blocks in by_score.items():
        assert set(_call(node, "get_blocks_at_blue_score", blue_score=score)) == blocks


def _hostile_http(node: NodeProcess) -> list[tuple[int, Any]]:
    bodies: list[bytes] = [
        b"{not json",
        b"[]",
        b'{"jsonrpc": "2.0", "id": 1, "method": "no_such_method"}',
        b'{"jsonrpc": "2.0", "id": 1, "method": "get_block", "params": {"hash": 7}}',
        b'{"jsonrpc": "2.0", "id": 1, "method": "get_block_template", "params": {"address": "'
        + MAINNET_ADDRESS.encode()
        + b'"}}',
        b'{"jsonrpc": "2.0", "id": 1, "method": "submit_block", "params": {"block": {}}}',
        b"[" * 100_000,
    ]

    async def send() -> list[tuple[int, Any]]:
        out = []
        async with aiohttp.ClientSession() as http:
            for body in bodies:
                async with http.post(f"http://{node.rpc}/json_rpc", data=body) as response:
                    out.append((response.status, json.loads(await response.text())))
        return out

    return asyncio.run(send())


def _oversized_post(node: NodeProcess) -> tuple[int, Any]:
    """A body announced at 5 MiB: the node answers 413 before reading it."""

    async def send() -> tuple[int, Any]:
        host, port = node.rpc.split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(
            b"POST /json_rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 5242880\r\n\r\n" + b"[" * 1024
        )
        await writer.drain()
        status = int((await reader.readline()).split()[1])
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        body = json.loads(await reader.readexactly(length))
        writer.close()
        return status, body

    return asyncio.run(send())


async def oversized_frame(address: str, path: str, length: int = 5 * 1024 * 1024) -> int:
    """Open a WebSocket by hand, announce a text frame of ``length`` bytes, send a few of them,
    and return the close code the server answers with (before the frame could be read)."""
    host, port = address.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    key = base64.b64encode(os.urandom(16))
    writer.write(
        b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: " + key + b"\r\n"
        b"Sec-WebSocket-Version: 13\r\n\r\n"
    )
    assert b" 101 " in await reader.readline()
    while await reader.readline() not in (b"\r\n", b""):
        pass
    mask = os.urandom(4)
    writer.write(bytes([0x81, 0x80 | 127]) + length.to_bytes(8, "big") + mask + b"x" * 64)
    await writer.drain()
    while True:  # frames sent before the close (GetWork's first job) are skipped
        opcode, size = await asyncio.wait_for(reader.readexactly(2), timeout=10)
        size &= 0x7F
        if size >= 126:
            size = int.from_bytes(await reader.readexactly(2 if size == 126 else 8), "big")
        payload = await reader.readexactly(size)
        if opcode & 0x0F == 0x8:
            writer.close()
            return int.from_bytes(payload[:2], "big")


def test_every_endpoint_answers_hostile_input_and_keeps_serving(node: NodeProcess) -> None:
    replies = _hostile_http(node)
    codes = [reply["error"]["code"] for _, reply in replies]
    assert codes == [-32700, -32600, -32601, -32602, -32602, -32602, -32700]
    assert replies[4][1]["error"]["data"]["code"] == "WRONG_NETWORK"
    status, reply = _oversized_post(node)
    assert status == 413 and reply["error"]["data"]["code"] == "MESSAGE_TOO_LARGE"

    async def websockets() -> tuple[Any, ...]:
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(node.wrpc) as wrpc:
                await wrpc.send_str("garbage")
                wrpc_garbage = await wrpc.receive_json(timeout=10)
                await wrpc.send_str(json.dumps({"id": 5, "method": "nope", "params": {}}))
                wrpc_unknown = await wrpc.receive_json(timeout=10)
            wrpc_huge = [
                await oversized_frame(node.wrpc.removeprefix("ws://"), "/"),
                await oversized_frame(node.rpc, "/json_rpc"),
                await oversized_frame(node.rpc, f"/getwork/{DEVNET_ADDRESS}/big", 4096),
            ]
            async with http.ws_connect(f"ws://{node.rpc}/getwork/{DEVNET_ADDRESS}/w") as getwork:
                first = await getwork.receive_json(timeout=10)
                await getwork.send_str('{"miner_work": "00"}')
                rejected = await getwork.receive_json(timeout=10)
                fresh = await getwork.receive_json(timeout=10)
            refused = []
            for path in (
                f"/getwork/{MAINNET_ADDRESS}/w",
                "/getwork/only-one-part",
                f"/getwork/{DEVNET_ADDRESS}/{'w' * 33}",
            ):
                try:
                    await http.ws_connect(f"ws://{node.rpc}{path}")
                except aiohttp.WSServerHandshakeError as error:
                    refused.append(error.status)
            return wrpc_garbage, wrpc_unknown, wrpc_huge, first, rejected, fresh, refused

    garbage, unknown, huge, first, rejected, fresh, refused = asyncio.run(websockets())
    assert garbage["error"]["data"]["code"] == "MALFORMED_JSON"
    assert unknown["id"] == 5 and unknown["error"]["data"]["code"] == "UNKNOWN_METHOD"
    assert huge == [1009, 1009, 1009]
    assert "new_job" in first and "new_job" in fresh
    assert rejected["block_rejected"].startswith("MALFORMED_REQUEST")
    assert refused == [400, 400, 400]
    # Still serving, and nothing hostile changed the DAG.
    info = _call(node, "get_info")
    assert info["network"] == "devnet"
    assert node.process.poll() is None


def test_the_node_stops_cleanly_on_sigterm(node: NodeProcess) -> None:
    os.killpg(node.process.pid, signal.SIGTERM)
    assert node.process.wait(timeout=15) == 0
