"""``dagspec node``: a node of a named network, serving JSON-RPC, GetWork and wRPC JSON.

The process prints one line per endpoint once every port is bound (a port given as 0 is
chosen by the system and printed), then serves until SIGINT or SIGTERM::

    dagspec node: network devnet, genesis <hash>
    json-rpc: http://127.0.0.1:8080/json_rpc
    getwork: ws://127.0.0.1:8080/getwork/{address}/{worker}
    wrpc-json: ws://127.0.0.1:18610

With ``--p2p-port`` a ``p2p: HOST:PORT`` line comes first, and ``sync: …`` progress lines
follow while an IBD runs. Peers come as more services of the same process: :func:`services`
is where a service is started beside the servers (given the servers and the parsed
arguments) and stopped after them. With ``--data-dir`` the node runs over the durable store
of that directory (``reference.node.data_dir``).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Final

from reference.errors import StoreError
from reference.mining.getwork import DEFAULT_RATE_LIMIT_MS
from reference.node.data_dir import open_data_dir
from reference.node.dev_networks import NODE_NETWORKS
from reference.node.node import Node
from reference.node.peers import parse_address, start_peers
from reference.node.server import NodeServer

DEFAULT_RPC_PORT: Final = 8080
"""JSON-RPC and GetWork: TOS's daemon RPC port."""

DEFAULT_WRPC_JSON_PORT: Final = 18610
"""wRPC JSON: Kaspa's devnet wRPC JSON port."""

Stop = Callable[[], Awaitable[None]]
"""Stops one started service."""


def configure(parser: argparse.ArgumentParser) -> None:
    """The command's options."""
    parser.add_argument(
        "--preset",
        default="devnet",
        choices=sorted(NODE_NETWORKS),
        help="the network to run (its preset, genesis and address prefix)",
    )
    parser.add_argument(
        "--data-dir", default=None, help="directory of the durable store (default: in memory)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--rpc-port", type=int, default=DEFAULT_RPC_PORT, help="JSON-RPC and GetWork (0: any)"
    )
    parser.add_argument(
        "--wrpc-json-port",
        type=int,
        default=DEFAULT_WRPC_JSON_PORT,
        help="Kaspa's wRPC JSON (0: any)",
    )
    parser.add_argument(
        "--p2p-port", type=int, default=None, help="accept peers on this port (0: any)"
    )
    parser.add_argument(
        "--connect",
        action="append",
        default=[],
        metavar="HOST:PORT",
        help="keep a connection to this peer (repeatable)",
    )
    parser.add_argument(
        "--getwork-rate-limit-ms",
        type=int,
        default=DEFAULT_RATE_LIMIT_MS,
        help="least time between two GetWork job broadcasts",
    )


def make_node(args: argparse.Namespace) -> Node:
    """The node the arguments describe: over the store of ``--data-dir`` (its blocks
    restored), or in memory. A data directory of another network, or one another process
    has open, ends the command with the store's reason."""
    network = NODE_NETWORKS[args.preset]
    if args.data_dir is None:
        return Node(network)
    try:
        consensus = open_data_dir(args.data_dir, network)
    except StoreError as error:
        raise SystemExit(f"dagspec node: --data-dir {error.message}") from None
    try:
        return Node(network, consensus=consensus)
    except BaseException:
        consensus.close()
        raise


async def services(server: NodeServer, args: argparse.Namespace) -> list[Stop]:
    """Start the process's services beside the servers; their stop calls. Peers run when
    ``--p2p-port`` or ``--connect`` is given (``reference.node.peers``)."""
    if args.p2p_port is None and not args.connect:
        return []
    try:
        connect = [parse_address(address) for address in args.connect]
    except ValueError as error:
        raise SystemExit(f"dagspec node: --connect {error}") from None
    stop = await start_peers(server, host=args.host, port=args.p2p_port, connect=connect)
    return [stop]


async def serve(args: argparse.Namespace, ready: Callable[[NodeServer], None]) -> None:
    """Run the node until SIGINT or SIGTERM; ``ready`` is called once every port is bound."""
    node = make_node(args)
    try:
        await _serve_node(node, args, ready)
    finally:
        node.consensus.close()


async def _serve_node(
    node: Node, args: argparse.Namespace, ready: Callable[[NodeServer], None]
) -> None:
    server = NodeServer(
        node,
        host=args.host,
        rpc_port=args.rpc_port,
        wrpc_json_port=args.wrpc_json_port,
        getwork_rate_limit_ms=args.getwork_rate_limit_ms,
    )
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    await server.start()
    stops = await services(server, args)
    try:
        ready(server)
        await stopping.wait()
    finally:
        for stop in reversed(stops):
            await stop()
        await server.stop()


def _announce(server: NodeServer) -> None:
    network = server.node.network
    host = server.host
    print(f"dagspec node: network {network.name}, genesis {network.genesis_hash.hex()}")
    print(f"json-rpc: http://{host}:{server.rpc_port}/json_rpc")
    print(f"getwork: ws://{host}:{server.rpc_port}/getwork/{{address}}/{{worker}}")
    if server.wrpc_json_port is not None:
        print(f"wrpc-json: ws://{host}:{server.wrpc_json_port}")
    sys.stdout.flush()


def run(args: argparse.Namespace) -> int:
    """Serve until stopped; 0 after a clean stop."""
    asyncio.run(serve(args, _announce))
    return 0
