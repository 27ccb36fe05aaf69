"""The peer service of a node process: ``dagspec node --p2p-port N --connect HOST:PORT``.

:func:`start_peers` runs a :class:`~reference.sync.service.SyncService` for the node (through
:class:`~reference.sync.backend.NodeBackend`, so every block a peer sends enters by
``submit_block``): it listens on ``--p2p-port`` when given, keeps a connection to every
``--connect`` address (dialled again every :data:`RECONNECT_SECONDS` while down), and plugs
itself into JSON-RPC (``get_peers``, ``get_sync_status``). On a loopback host, the loopback
address is exempt from bans (every peer shares it). While an IBD runs, its progress line
is printed every second, prefixed with ``sync:``.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Final

from reference.errors import PeerError
from reference.node.server import NodeServer
from reference.p2p.peer import Peer
from reference.sync.backend import NodeBackend
from reference.sync.service import ServiceConfig, SyncService

RECONNECT_SECONDS: Final = 2.0
"""Wait between two attempts to reach a ``--connect`` address."""

_log = logging.getLogger(__name__)


def parse_address(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[v6]:PORT`` too) as a host and a port; ``ValueError`` otherwise."""
    host, separator, port = text.rpartition(":")
    if not separator or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{text!r} is not HOST:PORT")
    return host.strip("[]"), int(port)


def _loopback_exemption(host: str) -> frozenset[str]:
    """A node listening on loopback only has local peers: a ban of the loopback address would
    refuse every peer for good (a misbehaving connection is still closed)."""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    return frozenset({"127.0.0.1", "::1"}) if loopback else frozenset()


def print_progress(line: str) -> None:
    """Print one IBD progress line."""
    print(f"sync: {line}", flush=True)
    sys.stdout.flush()


async def start_peers(
    server: NodeServer,
    *,
    host: str,
    port: int | None,
    connect: Sequence[tuple[str, int]],
) -> Callable[[], Awaitable[None]]:
    """Start the node's peer service; its stop call. ``port`` ``None`` accepts no peers."""
    node = server.node
    service = SyncService(
        NodeBackend(node),
        ServiceConfig(
            network=node.network.name,
            host=host,
            port=port or 0,
            listen=port is not None,
            progress=print_progress,
            exempt_hosts=_loopback_exemption(host),
        ),
    )
    await service.start()
    if server.json_rpc is not None:
        server.json_rpc.peers = service
    if port is not None:
        print(f"p2p: {host}:{service.port}", flush=True)
    dialers = [
        asyncio.get_running_loop().create_task(_keep_connected(service, *address))
        for address in connect
    ]

    async def stop() -> None:
        for dialer in dialers:
            dialer.cancel()
        for dialer in dialers:
            with contextlib.suppress(asyncio.CancelledError):
                await dialer
        if server.json_rpc is not None:
            server.json_rpc.peers = None
        await service.stop()

    return stop


async def _keep_connected(service: SyncService, host: str, port: int) -> None:
    """Connect to ``host:port``, and again whenever the connection is lost."""
    while True:
        peer: Peer | None = None
        try:
            peer = await service.connect(host, port)
        except (OSError, PeerError) as error:
            _log.info("cannot reach %s:%d: %s", host, port, error)
        if peer is not None:
            while not peer.closed:
                await asyncio.sleep(RECONNECT_SECONDS / 4)
        await asyncio.sleep(RECONNECT_SECONDS)
