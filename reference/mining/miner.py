"""``dagspec mine``: a CPU miner over GetWork.

The miner keeps one GetWork connection (``reference.mining.getwork``) and ``N`` worker
processes. For each job every worker searches its own slice of the nonce space: worker ``i``
of ``N`` starts at ``i * floor(2^64 / N)`` and walks upward in chunks of :data:`CHUNK` nonces,
so no two workers ever try the same nonce of a job. A worker builds the job's matrix once
(:func:`search` keeps the matrices of recent pre-PoW hashes) and computes the proof of work
from the job's ``miner_work`` alone (:func:`~reference.mining.getwork.pow_input`). The first
nonce found is sent as ``{"miner_work": HEX}``; the miner then waits for the next job (one
block per job: the node sends a new one as soon as its virtual moves). A job arriving in the
middle of a search replaces it at the next chunk.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import sys
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import Final, TextIO

import aiohttp

from reference.hash import Hash
from reference.mining.getwork import MinerWork, decode_miner_work, encode_miner_work, pow_input
from reference.processes.pow.hashers import pow_hash
from reference.processes.pow.matrix import Matrix, generate_matrix, heavy_hash
from reference.processes.pow.state import pow_target

CHUNK: Final = 256
"""Nonces a worker tries before looking for a newer job."""

NONCE_SPACE: Final = 1 << 64
"""Nonces are unsigned 64-bit integers."""

_MATRICES: OrderedDict[Hash, Matrix] = OrderedDict()
"""A worker process's matrices of recent pre-PoW hashes."""

_MATRICES_KEPT: Final = 4


def first_nonce(worker: int, workers: int) -> int:
    """Where worker ``worker`` (0-based) of ``workers`` starts: ``worker * (2^64 // workers)``."""
    return worker * (NONCE_SPACE // workers)


def _matrix(seed: Hash) -> Matrix:
    matrix = _MATRICES.get(seed)
    if matrix is None:
        matrix = generate_matrix(seed)
        _MATRICES[seed] = matrix
        while len(_MATRICES) > _MATRICES_KEPT:
            _MATRICES.popitem(last=False)
    return matrix


def work_pow_value(work: MinerWork) -> int:
    """The proof-of-work value of ``work``: the matrix of its pre-PoW hash times the PoW hash of
    :func:`~reference.mining.getwork.pow_input`, read little-endian."""
    digest = pow_hash(pow_input(work))
    return int.from_bytes(heavy_hash(_matrix(work.pre_pow_hash), digest), "little")


def search(miner_work: bytes, bits: int, start: int, tries: int) -> int | None:
    """The first nonce in ``start, start + 1, ...`` (``tries`` of them, wrapping at 2^64) whose
    proof of work meets the target of ``bits``, or ``None``. Runs in a worker process."""
    work = decode_miner_work(miner_work)
    target = pow_target(bits)
    for step in range(tries):
        nonce = (start + step) % NONCE_SPACE
        if work_pow_value(replace(work, nonce=nonce)) <= target:
            return nonce
    return None


@dataclass(frozen=True, slots=True)
class _Job:
    work: MinerWork
    bits: int
    number: int


class CpuMiner:
    """A GetWork client mining with ``workers`` processes."""

    def __init__(self, url: str, workers: int, *, out: TextIO = sys.stdout) -> None:
        self.url = url
        """The GetWork URL, ``ws://HOST:PORT/getwork/ADDRESS/WORKER``."""
        self.workers = workers
        """Worker processes."""
        self.accepted = 0
        """Blocks the node accepted."""
        self.rejected = 0
        """Blocks the node rejected."""
        self._out = out
        self._job: _Job | None = None
        self._job_changed = asyncio.Event()
        self._jobs = 0

    async def run(self, max_blocks: int | None = None) -> int:
        """Mine until ``max_blocks`` are accepted (forever when ``None``); the exit status."""
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(self.workers, mp_context=context) as pool:
            async with aiohttp.ClientSession() as http:
                try:
                    socket = await http.ws_connect(self.url, max_msg_size=1 << 20)
                except aiohttp.WSServerHandshakeError as error:
                    print(
                        f"dagspec mine: the node refused: {error.status} {error.message}",
                        file=self._out,
                    )
                    return 2
                except aiohttp.ClientError as error:
                    print(f"dagspec mine: cannot connect: {error}", file=self._out)
                    return 2
                async with socket:
                    searcher = asyncio.create_task(self._search(pool, socket))
                    try:
                        return await self._read(socket, max_blocks)
                    finally:
                        searcher.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await searcher

    async def _read(self, socket: aiohttp.ClientWebSocketResponse, max_blocks: int | None) -> int:
        async for message in socket:
            if message.type is not aiohttp.WSMsgType.TEXT:
                break
            value = message.json()
            if value == "block_accepted":
                self.accepted += 1
                print(f"block accepted ({self.accepted})", file=self._out, flush=True)
                if max_blocks is not None and self.accepted >= max_blocks:
                    return 0
            elif isinstance(value, dict) and "block_rejected" in value:
                self.rejected += 1
                print(f"block rejected: {value['block_rejected']}", file=self._out, flush=True)
            elif isinstance(value, dict) and "new_job" in value:
                job = value["new_job"]
                self._jobs += 1
                self._job = _Job(
                    decode_miner_work(bytes.fromhex(job["miner_work"])), job["bits"], self._jobs
                )
                self._job_changed.set()
        print("dagspec mine: the node closed the connection", file=self._out, flush=True)
        return 1

    async def _search(
        self, pool: ProcessPoolExecutor, socket: aiohttp.ClientWebSocketResponse
    ) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._job_changed.wait()
            self._job_changed.clear()
            job = self._job
            if job is None:
                continue
            cursors = [first_nonce(i, self.workers) for i in range(self.workers)]
            encoded = encode_miner_work(job.work)
            found: int | None = None
            while found is None and self._job is job:
                results = await asyncio.gather(
                    *(
                        loop.run_in_executor(pool, search, encoded, job.bits, cursor, CHUNK)
                        for cursor in cursors
                    )
                )
                found = next((nonce for nonce in results if nonce is not None), None)
                cursors = [(cursor + CHUNK) % NONCE_SPACE for cursor in cursors]
            if found is not None and self._job is job:
                solved = encode_miner_work(replace(job.work, nonce=found))
                await socket.send_json({"miner_work": solved.hex()})


def configure(parser: argparse.ArgumentParser) -> None:
    """The command's options."""
    parser.add_argument("--getwork", required=True, help="ws://HOST:PORT/getwork/ADDRESS/WORKER")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument(
        "--blocks", type=int, default=None, help="stop after this many accepted blocks"
    )


def run(args: argparse.Namespace) -> int:
    """Mine; 0 once ``--blocks`` were accepted, 1 if the node went away, 2 if refused."""
    if args.workers < 1:
        print("dagspec mine: --workers must be at least 1", file=sys.stderr)
        return 2
    miner = CpuMiner(args.getwork, args.workers)
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(miner.run(args.blocks))
    return 0
