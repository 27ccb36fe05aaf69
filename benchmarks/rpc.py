"""The node's RPC under load: JSON-RPC requests per second with p99, and GetWork job fan-out.

Run with ``python -m benchmarks.rpc [--quick]`` (or ``python -m benchmarks rpc``). A devnet
node serves from a background thread on loopback ports, exactly as ``dagspec node`` serves; the
clients run in this process.

- **JSON-RPC**: ``CLIENTS`` concurrent HTTP clients send ``get_blue_score`` and ``get_block``
  requests; requests per second and the p50/p99 latency. The same-run baseline is a bare
  aiohttp endpoint answering a constant JSON-RPC reply: what the transport alone costs here.
- **GetWork fan-out**: 100 GetWork connections; a block is accepted and each connection's
  time to its next job is measured from the node's new-template event (p50/p99 over every
  connection of every round). Each connection's job is its own template (own coinbase and
  pre-PoW hash). The baseline is a bare aiohttp server pushing one constant frame to 100
  WebSockets on a trigger.
"""

from __future__ import annotations

import argparse
import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import aiohttp
from aiohttp import web

from reference.header_json import header_from_json
from reference.mining.address import Address, AddressPrefix, AddressVersion, encode_address
from reference.node.network import DEVNET_NETWORK
from reference.node.node import Node
from reference.node.server import NodeServer
from reference.processes.pow.state import PowState
from reference.rpc.codec import block_to_json

ADDRESS = encode_address(Address(AddressPrefix.DEVNET, AddressVersion.PUBKEY, bytes(32)))
CLIENTS = 8
CONNECTIONS = 100


def _latency(values: Sequence[float], unit: float = 1e3, digits: int = 2) -> str:
    p50, p99 = unit * _percentile(values, 0.5), unit * _percentile(values, 0.99)
    return f"p50 {p50:.{digits}f} ms, p99 {p99:.{digits}f} ms"


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@contextmanager
def _loop_thread() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield loop
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.close()


async def _hammer(url: str, bodies: list[Any]) -> tuple[float, list[float]]:
    """Send every body with CLIENTS concurrent clients; wall seconds and per-request latency."""
    latencies: list[float] = []
    queue = list(reversed(bodies))

    async def client(http: aiohttp.ClientSession) -> None:
        while queue:
            body = queue.pop()
            start = time.perf_counter()
            async with http.post(url, json=body) as response:
                reply = await response.json()
            latencies.append(time.perf_counter() - start)
            if "result" not in reply:
                raise RuntimeError(f"request failed: {reply}")

    connector = aiohttp.TCPConnector(limit=CLIENTS)
    async with aiohttp.ClientSession(connector=connector) as http:
        began = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(CLIENTS)))
        return time.perf_counter() - began, latencies


async def _baseline_app(loop_runner: list[web.AppRunner]) -> int:
    async def reply(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"jsonrpc": "2.0", "id": 1, "result": 0})

    sockets: list[web.WebSocketResponse] = []

    async def websocket(request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        sockets.append(socket)
        await socket.send_str('{"new_job": {}}')
        async for _ in socket:
            pass
        return socket

    async def trigger(request: web.Request) -> web.Response:
        await asyncio.gather(*(s.send_str('{"new_job": {"x": 1}}') for s in sockets))
        return web.json_response({"jsonrpc": "2.0", "id": 1, "result": 0})

    app = web.Application()
    app.router.add_post("/json_rpc", reply)
    app.router.add_get("/ws", websocket)
    app.router.add_post("/trigger", trigger)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    loop_runner.append(runner)
    bound = getattr(site._server, "sockets", None) or ()
    return int(bound[0].getsockname()[1]) if bound else 0


def _solved_block(node: Node, extra: bytes) -> dict[str, Any]:
    template = node.block_template(ADDRESS, extra)
    state = PowState(template.header)
    nonce = next(n for n in range(10_000) if state.meets_target(n))
    block = block_to_json(template.header, template.transactions, with_hash=False)
    header: dict[str, Any] = block["header"]  # type: ignore[assignment]
    header["nonce"] = nonce
    header_from_json(header)
    return block


async def _fan_out(
    connect: str,
    rounds: int,
    trigger: Callable[[int], Awaitable[float]],
) -> list[float]:
    """Open CONNECTIONS sockets, then per round call ``trigger`` (which returns the time the
    change happened) and collect each socket's delay to its next frame."""
    delays: list[float] = []
    async with aiohttp.ClientSession() as http:
        sockets = [await http.ws_connect(connect) for _ in range(CONNECTIONS)]
        for socket in sockets:
            await socket.receive(timeout=30)  # the job on connect
        for round_number in range(rounds):
            arrivals: list[float] = []

            async def wait(
                socket: aiohttp.ClientWebSocketResponse, arrivals: list[float] = arrivals
            ) -> None:
                await socket.receive(timeout=30)
                arrivals.append(time.perf_counter())

            waiting = [asyncio.create_task(wait(s)) for s in sockets]
            changed = await trigger(round_number)
            await asyncio.gather(*waiting)
            delays += [arrival - changed for arrival in arrivals]
            await asyncio.sleep(0.25)  # past the broadcast rate limit
        for socket in sockets:
            await socket.close()
    return delays


def main(argv: Sequence[str] | None = None) -> int:
    """Print the table; 0 when every measurement ran."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.rpc", description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    requests = 300 if args.quick else 3000
    rounds = 2 if args.quick else 10
    node = Node(DEVNET_NETWORK)
    changed_at: list[float] = []
    node.on_new_block_template(lambda: changed_at.append(time.perf_counter()))
    rows: list[tuple[str, str, str]] = []
    with _loop_thread() as loop:
        server = NodeServer(node)
        asyncio.run_coroutine_threadsafe(server.start(), loop).result(30)
        runners: list[web.AppRunner] = []
        base_port = asyncio.run_coroutine_threadsafe(_baseline_app(runners), loop).result(30)
        rpc = f"http://127.0.0.1:{server.rpc_port}/json_rpc"
        base = f"http://127.0.0.1:{base_port}/json_rpc"
        genesis = DEVNET_NETWORK.genesis_hash.hex()
        plans = {
            "get_blue_score": {"jsonrpc": "2.0", "id": 1, "method": "get_blue_score"},
            "get_block": {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "get_block",
                "params": {"hash": genesis},
            },
        }
        base_wall, base_lat = asyncio.run(_hammer(base, [plans["get_blue_score"]] * requests))
        base_rate = requests / base_wall
        rows.append(
            (
                "baseline: bare aiohttp reply",
                f"{base_rate:,.0f} req/s",
                _latency(base_lat),
            )
        )
        for name, body in plans.items():
            wall, latencies = asyncio.run(_hammer(rpc, [body] * requests))
            rate = requests / wall
            rows.append(
                (
                    f"JSON-RPC {name} ({CLIENTS} clients)",
                    f"{rate:,.0f} req/s ({rate / base_rate:.2f}x baseline)",
                    _latency(latencies),
                )
            )

        async def node_trigger(round_number: int) -> float:
            block = await asyncio.get_running_loop().run_in_executor(
                None, _solved_block, node, round_number.to_bytes(4, "little")
            )
            count = len(changed_at)
            async with aiohttp.ClientSession() as http:
                body = {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "submit_block",
                    "params": {"block": block},
                }
                async with http.post(rpc, json=body) as response:
                    reply = await response.json()
            if "result" not in reply:
                raise RuntimeError(f"submit failed: {reply}")
            return changed_at[count]

        async def base_trigger(round_number: int) -> float:
            at = time.perf_counter()
            trigger_url = f"http://127.0.0.1:{base_port}/trigger"
            async with aiohttp.ClientSession() as http, http.post(trigger_url, json={}) as response:
                await response.read()
            return at

        base_delays = asyncio.run(_fan_out(f"ws://127.0.0.1:{base_port}/ws", rounds, base_trigger))
        rows.append(
            (
                f"baseline: bare push to {CONNECTIONS} sockets",
                f"{len(base_delays)} frames",
                _latency(base_delays, digits=1),
            )
        )
        delays = asyncio.run(
            _fan_out(
                f"ws://127.0.0.1:{server.rpc_port}/getwork/{ADDRESS}/bench", rounds, node_trigger
            )
        )
        rows.append(
            (
                f"GetWork job fan-out to {CONNECTIONS} connections",
                f"{len(delays)} jobs",
                _latency(delays, digits=1),
            )
        )
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(30)
        for runner in runners:
            asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(30)
    width = max(len(r[0]) for r in rows)
    for label, amount, latency in rows:
        print(f"{label:<{width}}  {amount:<32}  {latency}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
