"""GetWork: the ``miner_work`` bytes, the nonce split, and the WebSocket's messages.

The bytes are checked against the proof of work computed from whole headers by the consensus
code (``PowState``) and against the pre-PoW hash's definition; the server is driven over real
WebSocket connections to a node in this process.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import time
from typing import Any

import aiohttp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference.errors import Code, DagspecError
from reference.hash import Hash
from reference.header import BlockHeader, header_hash
from reference.mining.getwork import (
    MINER_WORK_SIZE,
    MinerWork,
    apply_miner_work,
    decode_miner_work,
    encode_miner_work,
    miner_work_of,
    pow_input,
)
from reference.mining.miner import NONCE_SPACE, first_nonce, search, work_pow_value
from reference.node.network import DEVNET_GENESIS
from reference.node.server import NodeServer
from reference.processes.pow.state import PowState, pow_target
from tests.test_rpc import ADDRESS, MAINNET_ADDRESS, call, mine, running_node

headers = st.builds(
    lambda parent, timestamp, nonce, bits, score: dataclasses.replace(
        DEVNET_GENESIS,
        parents_by_level=((Hash(parent),),),
        timestamp=timestamp,
        nonce=nonce,
        bits=bits,
        blue_score=score,
    ),
    st.binary(min_size=32, max_size=32),
    st.integers(0, 2**64 - 1),
    st.integers(0, 2**64 - 1),
    st.sampled_from([0x207FFFFF, 0x1E7FFFFF, 0x1D00FFFF]),
    st.integers(0, 2**64 - 1),
)


@given(headers)
def test_miner_work_layout_and_round_trip(header: BlockHeader) -> None:
    work = miner_work_of(header)
    data = encode_miner_work(work)
    assert len(data) == MINER_WORK_SIZE
    # The pre-PoW hash by its definition: the header hash with timestamp and nonce zeroed.
    zeroed = dataclasses.replace(header, timestamp=0, nonce=0)
    assert data[:32] == header_hash(zeroed)
    assert data[32:40] == header.timestamp.to_bytes(8, "little")
    assert data[40:48] == header.nonce.to_bytes(8, "little")
    assert decode_miner_work(data) == work
    assert pow_input(work) == data[:40] + bytes(32) + data[40:]
    assert apply_miner_work(zeroed, work) == header


@settings(max_examples=15)  # two matrices per example, ~30 ms each
@given(headers, st.integers(0, 2**64 - 1))
def test_the_proof_of_work_of_miner_work_is_the_headers(header: BlockHeader, nonce: int) -> None:
    solved = dataclasses.replace(header, nonce=nonce)
    assert work_pow_value(miner_work_of(solved)) == PowState(header).pow_value(nonce)


def test_malformed_and_foreign_miner_work_is_refused() -> None:
    for size in (0, 47, 49, 96):
        with pytest.raises(DagspecError) as caught:
            decode_miner_work(bytes(size))
        assert caught.value.code is Code.MALFORMED_ENCODING
    other = miner_work_of(dataclasses.replace(DEVNET_GENESIS, daa_score=1))
    with pytest.raises(DagspecError) as refused:
        apply_miner_work(DEVNET_GENESIS, other)
    assert refused.value.code is Code.BAD_PARAMETER
    with pytest.raises(DagspecError):
        MinerWork(other.pre_pow_hash, -1, 0)


@pytest.mark.parametrize("workers", [1, 2, 3, 7, 64])
def test_worker_nonce_ranges_are_disjoint_slices(workers: int) -> None:
    starts = [first_nonce(i, workers) for i in range(workers)]
    size = NONCE_SPACE // workers
    assert starts[0] == 0 and all(b - a == size for a, b in itertools.pairwise(starts))
    assert starts[-1] + size <= NONCE_SPACE


def test_search_finds_the_first_passing_nonce() -> None:
    header = dataclasses.replace(DEVNET_GENESIS, parents_by_level=((Hash(bytes(32)),),))
    state = PowState(header)
    expected = next(n for n in range(100, 10_000) if state.meets_target(n))
    work = encode_miner_work(miner_work_of(header))
    assert search(work, header.bits, 100, 10_000) == expected
    assert search(work, header.bits, 100, expected - 100) is None
    assert pow_target(header.bits) == state.target


async def _receive(socket: aiohttp.ClientWebSocketResponse) -> Any:
    return await socket.receive_json(timeout=10)


def _getwork(server: NodeServer, worker: str = "w") -> str:
    return f"ws://127.0.0.1:{server.rpc_port}/getwork/{ADDRESS}/{worker}"


def _solve(job: dict[str, Any], *, passing: bool = True) -> str:
    work = decode_miner_work(bytes.fromhex(job["miner_work"]))
    target = pow_target(job["bits"])
    nonce = next(
        n
        for n in range(10_000)
        if (work_pow_value(dataclasses.replace(work, nonce=n)) <= target) == passing
    )
    return encode_miner_work(dataclasses.replace(work, nonce=nonce)).hex()


def test_jobs_acceptance_rejection_and_stale_jobs() -> None:
    async def session(server: NodeServer) -> list[Any]:
        seen: list[Any] = []
        async with aiohttp.ClientSession() as http, http.ws_connect(_getwork(server)) as socket:
            job = (await _receive(socket))["new_job"]
            seen.append(job)
            await socket.send_json({"miner_work": _solve(job, passing=False)})
            seen += [await _receive(socket), await _receive(socket)]
            await socket.send_json({"miner_work": _solve(job)})
            seen += [await _receive(socket), await _receive(socket)]  # accepted, next job
            stale = encode_miner_work(MinerWork(Hash(bytes(32)), 0, 0)).hex()
            await socket.send_json({"block_template": stale})
            seen += [await _receive(socket), await _receive(socket)]
            for garbage in ("not json", '{"miner_work": 5}', '{"a": 1, "b": 2}', "[]"):
                await socket.send_str(garbage)
                seen += [await _receive(socket), await _receive(socket)]
        return seen

    with running_node() as server:
        seen = asyncio.run(session(server))
        assert call(server, "get_blue_score") == 1
    first = seen[0]
    assert first["height"] == first["blue_score"] == 1 and first["topoheight"] == 0
    assert int(first["target"], 16) == pow_target(first["bits"])
    assert int(first["difficulty"]) >= 1
    assert seen[1]["block_rejected"].startswith("INVALID_POW") and "new_job" in seen[2]
    assert seen[3] == "block_accepted"
    assert seen[4]["new_job"]["blue_score"] == 2  # the next job builds on the new block
    assert seen[5]["block_rejected"].startswith("STALE_JOB") and "new_job" in seen[6]
    codes = [seen[i]["block_rejected"].split(":")[0] for i in range(7, 15, 2)]
    assert codes == [
        "MALFORMED_JSON",
        "MALFORMED_REQUEST",
        "MALFORMED_REQUEST",
        "MALFORMED_REQUEST",
    ]
    assert all("new_job" in seen[i] for i in range(8, 16, 2))


def test_connections_get_distinct_jobs_and_bad_paths_get_400() -> None:
    async def session(server: NodeServer) -> tuple[list[str], list[int]]:
        async with aiohttp.ClientSession() as http:
            sockets = [await http.ws_connect(_getwork(server, f"w{i}")) for i in range(4)]
            works = [(await _receive(s))["new_job"]["miner_work"] for s in sockets]
            for socket in sockets:
                await socket.close()
            statuses = []
            base = f"ws://127.0.0.1:{server.rpc_port}"
            for path in (
                f"/getwork/{MAINNET_ADDRESS}/w",
                "/getwork/kaspadev:qqqq/w",
                f"/getwork/{ADDRESS}/{'w' * 33}",
                f"/getwork/{ADDRESS}",
                "/getwork",
                f"/getwork/{ADDRESS}/w/extra",
            ):
                try:
                    await http.ws_connect(base + path)
                    statuses.append(101)
                except aiohttp.WSServerHandshakeError as error:
                    statuses.append(error.status)
            return works, statuses

    with running_node() as server:
        works, statuses = asyncio.run(session(server))
    # Same virtual, same address: only each connection's coinbase extra data differs, and
    # with it the pre-PoW hash, so no two connections search the same work.
    assert len({work[:64] for work in works}) == 4
    assert statuses == [400] * 6


def test_broadcasts_are_rate_limited_and_the_last_change_is_sent() -> None:
    async def session(server: NodeServer) -> list[dict[str, Any]]:
        async with aiohttp.ClientSession() as http, http.ws_connect(_getwork(server)) as socket:
            jobs = [(await _receive(socket))["new_job"]]
            loop = asyncio.get_running_loop()
            for _ in range(5):  # five blocks well inside one rate-limit period
                await loop.run_in_executor(None, mine, server)
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline:
                try:
                    jobs.append((await socket.receive_json(timeout=0.5))["new_job"])
                except TimeoutError:
                    if jobs[-1]["blue_score"] == 6:
                        break
            return jobs

    with running_node(rate_limit_ms=1500) as server:
        started = time.monotonic()
        jobs = asyncio.run(session(server))
        elapsed = time.monotonic() - started
        broadcasts = server.getwork.broadcasts if server.getwork else -1
    assert jobs[-1]["blue_score"] == 6
    # One broadcast at the first change, one trailing broadcast with the last (when the
    # mining took longer than a period, one more may fall between).
    assert 2 <= broadcasts <= 2 + int(elapsed / 1.5)
    assert len(jobs) == 1 + broadcasts
