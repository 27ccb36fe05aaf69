"""The node's servers: JSON-RPC and GetWork on one port, Kaspa's wRPC JSON on another.

:class:`NodeServer` owns the bridge to the node and one aiohttp application per port.
Other services of the node process (peers, later) are started and stopped beside these by the
command (``reference.node.cli``); a port given as 0 is chosen by the system and reported by
:attr:`NodeServer.rpc_port` and :attr:`NodeServer.wrpc_json_port` once started.
"""

from __future__ import annotations

import asyncio
from typing import Final

from aiohttp import web

from reference.mining.getwork import DEFAULT_RATE_LIMIT_MS, GetWorkServer
from reference.node.node import Node
from reference.rpc.bridge import NodeBridge
from reference.rpc.json_rpc import MAX_REQUEST_BYTES, JsonRpcServer
from reference.rpc.wrpc_json import WrpcJsonServer

SERVER_VERSION: Final = "dagspec/0.1.0"
"""What the node calls itself in ``get_info``, ``getServerInfo`` and ``getInfo``."""


class NodeServer:
    """The RPC, GetWork and wRPC JSON servers of one node."""

    def __init__(
        self,
        node: Node,
        *,
        host: str = "127.0.0.1",
        rpc_port: int = 0,
        wrpc_json_port: int | None = 0,
        getwork_rate_limit_ms: int = DEFAULT_RATE_LIMIT_MS,
    ) -> None:
        """Servers for ``node`` on ``host``; ``wrpc_json_port`` ``None`` serves no wRPC."""
        self.node = node
        """The node served."""
        self.host = host
        """The address listened on."""
        self._ports = (rpc_port, wrpc_json_port)
        self._rate_limit = getwork_rate_limit_ms
        self._runners: list[web.AppRunner] = []
        self._bound: list[int] = []
        self.bridge: NodeBridge | None = None
        """The bridge, once started."""
        self.getwork: GetWorkServer | None = None
        """The GetWork server, once started."""
        self.json_rpc: JsonRpcServer | None = None
        """The JSON-RPC server, once started (its ``peers`` is where a peer service is
        plugged in; the wRPC JSON server follows it)."""
        self._closers: list[JsonRpcServer | GetWorkServer | WrpcJsonServer] = []

    async def start(self) -> None:
        """Bind the ports and start serving."""
        bridge = NodeBridge(self.node, asyncio.get_running_loop())
        self.bridge = bridge
        rpc_app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        json_rpc = JsonRpcServer(bridge, server_version=SERVER_VERSION)
        json_rpc.add_routes(rpc_app)
        self.json_rpc = json_rpc
        getwork = GetWorkServer(bridge, rate_limit_ms=self._rate_limit)
        getwork.add_routes(rpc_app)
        self.getwork = getwork
        self._closers += [json_rpc, getwork]
        await self._serve(rpc_app, self._ports[0])
        if self._ports[1] is not None:
            wrpc_app = web.Application(client_max_size=MAX_REQUEST_BYTES)
            # The peer service is plugged into JSON-RPC (reference.node.peers); wRPC reads
            # the same one, whenever it is asked whether the node is synced.
            wrpc = WrpcJsonServer(
                bridge, server_version=SERVER_VERSION, peers=lambda: json_rpc.peers
            )
            wrpc.add_routes(wrpc_app)
            self._closers.append(wrpc)
            await self._serve(wrpc_app, self._ports[1])

    async def _serve(self, app: web.Application, port: int) -> None:
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, port)
        await site.start()
        self._runners.append(runner)
        server = site._server  # the bound socket tells the port the system chose
        sockets = getattr(server, "sockets", None) or ()
        self._bound.append(sockets[0].getsockname()[1] if sockets else port)

    @property
    def rpc_port(self) -> int:
        """The JSON-RPC and GetWork port (after :meth:`start`)."""
        return self._bound[0]

    @property
    def wrpc_json_port(self) -> int | None:
        """The wRPC JSON port (after :meth:`start`), ``None`` when not served."""
        return self._bound[1] if len(self._bound) > 1 else None

    async def stop(self) -> None:
        """Close every connection and the ports."""
        for closer in self._closers:
            closer.close()
        for runner in self._runners:
            await runner.cleanup()
        if self.bridge is not None:
            self.bridge.close()
