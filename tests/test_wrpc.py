"""Kaspa's wRPC JSON, answered to Kaspa's own client (the ``kaspa`` SDK from PyPI).

The client deserialises every reply with rusty-kaspa's types, so a missing or misnamed field
fails the call: each call below passing is a check of the field names (a reject reason the
client does not know, too). Values are compared with the blocks the test itself built.

Sync: a node whose peer service runs an IBD is not synced. The IBD is real — the node's own
peer service (``reference.node.peers``) syncing from a loopback syncer — and is held open by
the syncer, which keeps its first answer back until the test releases it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
import kaspa

from reference.header import header_hash
from reference.header_json import header_from_json
from reference.node.network import DEVNET_NETWORK, Network, devnet_network
from reference.node.node import Node
from reference.node.peers import start_peers
from reference.node.server import NodeServer
from reference.p2p.messages import RequestTrustedData
from reference.p2p.peer import Peer
from reference.presets import PRESETS
from reference.processes.pow.state import PowState
from reference.rpc.wrpc_json import difficulty_window_blocks, is_far_behind
from reference.sync.backend import NodeBackend
from reference.sync.service import ServiceConfig, SyncService
from tests.sync_helpers import build_block
from tests.test_rpc import ADDRESS, GENESIS, running_node, solve
from tests.test_rpc import call as rpc_call

KASPA: Any = kaspa
"""Kaspa's SDK, untyped (its stubs declare coroutines as plain calls)."""


async def _client(server: NodeServer) -> Any:
    client = KASPA.RpcClient(
        url=f"ws://127.0.0.1:{server.wrpc_json_port}", encoding="json", network_id="devnet"
    )
    await client.connect(timeout_duration=10_000)
    await client.get_server_info()  # the first call waits for the connection to be up
    return client


async def _mine(client: Any, extra: bytes = b"") -> dict[str, Any]:
    template = await client.get_block_template({"payAddress": ADDRESS, "extraData": list(extra)})
    block: dict[str, Any] = template["block"]
    block["header"]["nonce"] = solve(block["header"])
    report = await client.submit_block({"block": block, "allowNonDaaBlocks": False})
    assert report["report"] == {"type": "success"}, report
    return block


def _hash(block: dict[str, Any]) -> str:
    return header_hash(header_from_json(block["header"])).hex()


def test_kaspa_client_reads_blocks_headers_and_the_virtual_chain() -> None:
    async def session(server: NodeServer) -> None:
        client = await _client(server)
        try:
            events: list[Any] = []
            client.add_event_listener("block-added", events.append)
            client.add_event_listener("new-block-template", events.append)
            await client.subscribe_block_added()
            await client.subscribe_new_block_template()
            # Each template builds on the whole virtual: a chain genesis <- first <- a <- b.
            side = await _mine(client, b"first")
            chain = [await _mine(client, b"a"), await _mine(client, b"b")]
            info = await client.get_block_dag_info()
            assert info["sink"] == _hash(chain[-1])
            assert info["virtualParentHashes"] == [_hash(chain[-1])]
            got = (await client.get_block({"hash": _hash(chain[1]), "includeTransactions": True}))[
                "block"
            ]
            verbose = got["verboseData"]
            assert verbose["hash"] == _hash(chain[1])
            assert verbose["selectedParentHash"] == _hash(chain[0])
            assert verbose["blueScore"] == chain[1]["header"]["blueScore"]
            assert verbose["mergeSetBluesHashes"] == [_hash(chain[0])]
            assert verbose["isChainBlock"] is True and verbose["childrenHashes"] == []
            assert len(got["transactions"]) == len(chain[1]["transactions"]) == 1
            headers = await client.get_headers(
                {"startHash": _hash(chain[1]), "limit": 10, "isAscending": False}
            )
            assert [h["hash"] for h in headers["headers"]] == [
                _hash(chain[1]),
                _hash(chain[0]),
                _hash(side),
                GENESIS,
            ]
            up = await client.get_headers({"startHash": GENESIS, "limit": 2, "isAscending": True})
            assert [h["hash"] for h in up["headers"]] == [GENESIS, _hash(side)]
            change = await client.get_virtual_chain_from_block(
                {
                    "startHash": GENESIS,
                    "includeAcceptedTransactionIds": True,
                    "minConfirmationCount": None,
                }
            )
            assert change["removedChainBlockHashes"] == []
            assert change["addedChainBlockHashes"] == [_hash(side), *map(_hash, chain)]
            assert change["acceptedTransactionIds"] == []
            await asyncio.sleep(0.3)
            added = [e for e in events if e["type"] == "BlockAdded"]
            assert [e["data"]["block"]["header"]["hash"] for e in added] == [
                _hash(side),
                *map(_hash, chain),
            ]
            assert sum(e["type"] == "NewBlockTemplate" for e in events) == 3
        finally:
            await client.disconnect()

    with running_node() as server:
        asyncio.run(session(server))


def test_rejected_blocks_are_reported_as_kaspa_reports_them() -> None:
    async def session(server: NodeServer) -> list[Any]:
        client = await _client(server)
        try:
            template = await client.get_block_template({"payAddress": ADDRESS, "extraData": []})
            block = template["block"]
            block["header"]["nonce"] = solve(block["header"], passing=False)
            invalid = await client.submit_block({"block": block, "allowNonDaaBlocks": False})
            block["header"]["nonce"] = solve(block["header"])
            accepted = await client.submit_block({"block": block, "allowNonDaaBlocks": False})
            again = await client.submit_block({"block": block, "allowNonDaaBlocks": False})
            errors = []
            try:
                await client.get_block({"hash": "ab" * 32, "includeTransactions": False})
            except Exception as error:
                errors.append(str(error))
            return [invalid, accepted, again, errors]
        finally:
            await client.disconnect()

    with running_node() as server:
        invalid, accepted, again, errors = asyncio.run(session(server))
    reject = {"type": "reject", "reason": "blockInvalid"}
    assert invalid["report"] == reject and again["report"] == reject
    assert accepted["report"] == {"type": "success"}
    assert len(errors) == 1 and "UNKNOWN_BLOCK" in errors[0]


def test_hostile_frames_get_errors_and_the_server_keeps_serving() -> None:
    frames = [
        "{",
        "[]",
        json.dumps({"method": "getInfo", "params": {}}),
        json.dumps({"id": -1, "method": "getInfo"}),
        json.dumps({"id": 1, "method": 5}),
        json.dumps({"id": 2, "method": "getBlock", "params": {"hash": 1}}),
        json.dumps({"id": 3, "method": "getBlockTemplate", "params": {"payAddress": "kaspa:q"}}),
        json.dumps({"id": 4, "method": "subscribe", "params": {"UtxosChanged": {}}}),
        json.dumps({"id": 5, "method": "getHeaders", "params": {"startHash": "00" * 32}}),
        json.dumps({"id": 6, "method": "submitBlock", "params": {"block": {"header": 1}}}),
        json.dumps({"id": 7, "method": "getSinkBlueScore", "params": {}}),
    ]

    async def session(server: NodeServer) -> list[Any]:
        url = f"ws://127.0.0.1:{server.wrpc_json_port}"
        async with aiohttp.ClientSession() as http, http.ws_connect(url) as socket:
            replies = []
            for frame in frames:
                await socket.send_str(frame)
                replies.append(await socket.receive_json(timeout=10))
            return replies

    with running_node() as server:
        replies = asyncio.run(session(server))
    codes = [reply.get("error", {}).get("data", {}).get("code") for reply in replies]
    assert codes == [
        "MALFORMED_JSON",
        "MALFORMED_REQUEST",
        "MALFORMED_REQUEST",
        "MALFORMED_REQUEST",
        "MALFORMED_REQUEST",
        "MALFORMED_HASH",
        "MALFORMED_ADDRESS",
        "INVALID_PARAMS",
        "INVALID_PARAMS",
        None,
        None,
    ]
    assert replies[9] == {
        "id": 6,
        "params": {"report": {"type": "reject", "reason": "blockInvalid"}},
    }
    assert replies[10] == {"id": 7, "params": {"blueScore": 0}}


# -- sync: isSynced and isInIBD ----------------------------------------------------------------


@contextmanager
def serving(network: Network = DEVNET_NETWORK) -> Iterator[tuple[NodeServer, Any]]:
    """A node of ``network`` with its servers on free ports, and the loop serving them."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = NodeServer(Node(network))
    asyncio.run_coroutine_threadsafe(server.start(), loop).result(30)
    try:
        yield server, loop
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.close()


def _poll(predicate: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _ibd_over(status: dict[str, Any]) -> bool:
    return status["syncing"] is False and status["phase"] == "done"


class HeldSyncer(SyncService):
    """An honest syncer that answers a syncee's first IBD request (trusted data, asked by a
    node holding only genesis) only once :attr:`release` is set."""

    def __init__(self, node: Node) -> None:
        super().__init__(
            NodeBackend(node),
            ServiceConfig(
                network=node.network.name,
                exempt_hosts=frozenset({"127.0.0.1"}),
                progress=lambda line: None,
            ),
        )
        self.release = asyncio.Event()
        """Set (on the loop) to let the IBD go on."""

    async def on_request_trusted_data(self, peer: Peer, message: RequestTrustedData) -> None:
        async def held() -> None:
            await self.release.wait()
            await SyncService.on_request_trusted_data(self, peer, message)

        peer.spawn(held(), "held trusted data")


def _mined_chain(count: int) -> Node:
    """A devnet node holding a chain of ``count`` blocks over genesis, proof of work solved."""
    node = Node(DEVNET_NETWORK)
    for tag in range(count):
        header, body = build_block(node.consensus, [node.consensus.sink()], tag=tag)
        state = PowState(header)
        nonce = next(n for n in range(10_000) if state.meets_target(n))
        node.submit_block(dataclasses.replace(header, nonce=nonce), body)
    return node


async def _sync_flags(client: Any) -> list[bool]:
    """``isSynced`` as ``getInfo``, ``getServerInfo`` and ``getBlockTemplate`` report it."""
    info = await client.get_info()
    server_info = await client.get_server_info()
    template = await client.get_block_template({"payAddress": ADDRESS, "extraData": []})
    return [info["isSynced"], server_info["isSynced"], template["isSynced"]]


def test_while_an_ibd_runs_the_node_is_not_synced_and_refuses_every_block() -> None:
    chain = 12  # above the orphan resolution range (5 at 1 block/s): the node syncs by IBD
    syncer_node = _mined_chain(chain)
    with serving() as (server, loop):

        async def start() -> tuple[HeldSyncer, Callable[[], Any]]:
            syncer = HeldSyncer(syncer_node)
            await syncer.start()
            stop = await start_peers(
                server, host="127.0.0.1", port=None, connect=[("127.0.0.1", syncer.port)]
            )
            return syncer, stop

        syncer, stop_peers = asyncio.run_coroutine_threadsafe(start(), loop).result(30)
        try:

            async def during() -> dict[str, Any]:
                client = await _client(server)
                try:
                    template = await client.get_block_template(
                        {"payAddress": ADDRESS, "extraData": list(b"held")}
                    )
                    block = template["block"]
                    block["header"]["nonce"] = solve(block["header"])
                    refused = [
                        await client.submit_block({"block": block, "allowNonDaaBlocks": allow})
                        for allow in (False, True)
                    ]
                    url = f"ws://127.0.0.1:{server.wrpc_json_port}"
                    async with aiohttp.ClientSession() as http, http.ws_connect(url) as socket:
                        # Kaspa checks sync before it looks at the block: a malformed one too.
                        await socket.send_str(
                            json.dumps(
                                {
                                    "id": 1,
                                    "method": "submitBlock",
                                    "params": {"block": {"header": 1}, "allowNonDaaBlocks": False},
                                }
                            )
                        )
                        malformed = await socket.receive_json(timeout=10)
                    return {
                        "flags": await _sync_flags(client),
                        "block": block,
                        "refused": refused,
                        "malformed": malformed,
                        "count": (await client.get_block_count())["blockCount"],
                    }
                finally:
                    await client.disconnect()

            _poll(lambda: rpc_call(server, "get_sync_status")["syncing"], 30, "the IBD")
            held = asyncio.run(during())
            assert rpc_call(server, "get_sync_status")["phase"] == "trusted data"
            loop.call_soon_threadsafe(syncer.release.set)
            _poll(lambda: _ibd_over(rpc_call(server, "get_sync_status")), 60, "the IBD to end")
            synced_count = rpc_call(server, "get_dag_info")["block_count"]

            async def after(block: dict[str, Any]) -> dict[str, Any]:
                client = await _client(server)
                try:
                    return {
                        "flags": await _sync_flags(client),
                        "report": await client.submit_block(
                            {"block": block, "allowNonDaaBlocks": False}
                        ),
                        "count": (await client.get_block_count())["blockCount"],
                    }
                finally:
                    await client.disconnect()

            synced = asyncio.run(after(held["block"]))
        finally:
            asyncio.run_coroutine_threadsafe(stop_peers(), loop).result(30)
            asyncio.run_coroutine_threadsafe(syncer.stop(), loop).result(30)
    in_ibd = {"type": "reject", "reason": "isInIBD"}
    assert held["flags"] == [False, False, False]
    assert [r["report"] for r in held["refused"]] == [in_ibd, in_ibd]
    assert held["malformed"] == {"id": 1, "params": {"report": in_ibd}}
    assert held["count"] == 1, "a block submitted during the IBD was kept"
    assert synced_count == chain + 1, "the IBD brought the syncer's chain, and nothing else"
    # Synced again once the IBD is over; the block refused during it is now accepted.
    assert synced["flags"] == [True, True, True]
    assert synced["report"]["report"] == {"type": "success"}
    assert synced["count"] == chain + 2


def test_a_node_without_a_peer_service_is_synced() -> None:
    async def session(server: NodeServer) -> list[bool]:
        client = await _client(server)
        try:
            return await _sync_flags(client)
        finally:
            await client.disconnect()

    with running_node() as server:
        assert asyncio.run(session(server)) == [True, True, True]
        assert rpc_call(server, "get_sync_status")["p2p"] is False


# -- allowNonDaaBlocks -----------------------------------------------------------------------


def test_the_difficulty_window_in_blocks_is_kaspas() -> None:
    # Kaspa's difficulty_window_duration_in_block_units: 2,641 blocks before Crescendo (1
    # block/s, full window), 661 samples one in 40 since (10 blocks/s).
    assert difficulty_window_blocks(PRESETS["kaspa-1bps"]) == 2_641
    assert difficulty_window_blocks(PRESETS["kaspa-10bps"]) == 26_440


def test_far_behind_means_more_than_a_window_below_the_virtual() -> None:
    # Restated: the virtual is more than `window` DAA blocks ahead of the block.
    for window in range(6):
        for virtual in range(20):
            for block in range(20):
                expected = virtual - block > window
                assert is_far_behind(block, virtual, window) == expected, (block, virtual)


SMALL_WINDOW = devnet_network(
    DEVNET_NETWORK.preset.with_overrides(
        {
            "difficulty_window_size": 8,
            "min_difficulty_window_size": 4,
            "difficulty_sample_rate": 2,
            "skip_proof_of_work": True,
        }
    )
)
"""Kaspa's devnet with a difficulty window of 8 samples one in 2 (16 DAA blocks), proof of
work skipped: the difficulty rises as fast as the test mines."""


def test_allow_non_daa_blocks_decides_for_a_block_far_behind_the_virtual() -> None:
    window = 8 * 2  # SMALL_WINDOW's samples times its sample rate

    async def session(server: NodeServer) -> dict[str, Any]:
        client = await _client(server)

        async def submit(block: dict[str, Any], allow: bool) -> Any:
            reply = await client.submit_block({"block": block, "allowNonDaaBlocks": allow})
            return reply["report"]

        async def held(block: dict[str, Any]) -> bool:
            try:
                await client.get_block({"hash": _hash(block), "includeTransactions": False})
            except Exception:
                return False
            return True

        try:
            spares: list[dict[str, Any]] = []
            for round_ in range(window + 6):
                # Two templates over the same parents: one mined, one kept for later.
                for keep in (False, True):
                    template = await client.get_block_template(
                        {"payAddress": ADDRESS, "extraData": list(f"{round_}{keep}".encode())}
                    )
                    if keep:
                        spares.append(template["block"])
                    else:
                        assert await submit(template["block"], False) == {"type": "success"}
            virtual = (await client.get_server_info())["virtualDaaScore"]
            by_score = {block["header"]["daaScore"]: block for block in spares}
            behind, boundary = by_score[virtual - window - 1], by_score[virtual - window]
            return {
                "virtual": virtual,
                "behind refused": await submit(behind, False),
                "behind held": await held(behind),
                "boundary": await submit(boundary, False),
                "behind allowed": await submit(behind, True),
                "behind held after": await held(behind),
            }
        finally:
            await client.disconnect()

    with serving(SMALL_WINDOW) as (server, _):
        assert difficulty_window_blocks(server.node.network.preset) == window
        result = asyncio.run(session(server))
    assert result["virtual"] > window
    assert result["behind refused"] == {"type": "reject", "reason": "blockInvalid"}
    assert result["behind held"] is False, "a refused block was kept"
    assert result["boundary"] == {"type": "success"}
    assert result["behind allowed"] == {"type": "success"}
    assert result["behind held after"] is True
