"""Kaspa's wRPC JSON, answered to Kaspa's own client (the ``kaspa`` SDK from PyPI).

The client deserialises every reply with rusty-kaspa's types, so a missing or misnamed field
fails the call: each call below passing is a check of the field names. Values are compared
with the blocks the test itself built.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import kaspa

from reference.header import header_hash
from reference.header_json import header_from_json
from reference.node.server import NodeServer
from tests.test_rpc import ADDRESS, GENESIS, running_node, solve

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
