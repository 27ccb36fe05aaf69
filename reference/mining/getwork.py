"""GetWork: jobs pushed to miners over a WebSocket, and the ``miner_work`` bytes they solve.

**The work bytes** (``spec/getwork``). Kaspa's proof of work reads a header through two values
only: the *pre-PoW hash* (the header hash with ``timestamp`` and ``nonce`` zeroed, which also
seeds the matrix) and the PoW hash input ``pre_pow_hash ‖ timestamp ‖ 32 zero bytes ‖ nonce``
(``reference.processes.pow.state``). So a job's ``miner_work`` is those 48 bytes that vary::

    pre_pow_hash[32] ‖ timestamp u64 LE ‖ nonce u64 LE

and a miner needs nothing else but the target. It puts its nonce in bytes 40..48 (it may also
raise the timestamp in bytes 32..40: the pre-PoW hash, and so the matrix, stay the same) and
hashes :func:`pow_input`. The node finds the job by the pre-PoW hash and copies timestamp and
nonce into the job's header (:func:`apply_miner_work`). TOS's 252-byte layout exists because its
block hash is BLAKE3 over those bytes; here the block hash covers the whole header, and every
field but timestamp and nonce is already committed by the pre-PoW hash. TOS's per-miner
``extra_nonce`` and miner key become the coinbase's extra data and pay script, committed
through the hash merkle root: two connections never share a pre-PoW hash.

**The WebSocket** ``/getwork/{address}/{worker}`` speaks TOS's messages (``anchors`` node.md
§3.5): a ``{"new_job": {...}}`` on connect and after every new template (at most one
broadcast per ``rate_limit_ms``, the last change always sent), ``"block_accepted"``, and
``{"block_rejected": "CODE: reason"}`` always followed by a fresh job. A miner answers
``{"miner_work": HEX}`` (``block_template`` is accepted as an alias, as TOS does).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Final

from aiohttp import WSMsgType, web

from reference.bits import target_from_bits
from reference.errors import DagspecError, InvalidParameter, MalformedEncoding
from reference.hash import HASH_SIZE, Hash
from reference.header import BlockHeader
from reference.mining.address import decode_address
from reference.mining.template import Template
from reference.processes.pow.state import pow_target, pre_pow_hash
from reference.rpc.bridge import NodeBridge, NodeEvent
from reference.rpc.codec import dump_json, parse_json
from reference.rpc.errors import RpcCode, RpcError
from reference.rpc.outbox import Outbox
from reference.work import work_from_target

_log = logging.getLogger(__name__)

MINER_WORK_SIZE: Final = 48
"""Bytes of ``miner_work``: pre-PoW hash, timestamp, nonce."""

TIMESTAMP_OFFSET: Final = HASH_SIZE
"""Where the timestamp starts (u64 little-endian)."""

NONCE_OFFSET: Final = HASH_SIZE + 8
"""Where the nonce starts (u64 little-endian)."""

POW_PADDING: Final = bytes(32)
"""The zero bytes between timestamp and nonce in the PoW hash input."""

MAX_WORKER_NAME: Final = 32
"""Longest worker name, in characters (TOS's limit)."""

MAX_MESSAGE_BYTES: Final = 1024
"""Largest frame a miner may send; a larger one closes the connection (code 1009)."""

DEFAULT_RATE_LIMIT_MS: Final = 100
"""Default least time between two job broadcasts."""

JOBS_PER_MINER: Final = 16
"""Jobs a connection may still answer: older ones are stale (a block over an older virtual is
still a valid DAG block, so recent jobs stay good)."""


@dataclass(frozen=True, slots=True)
class MinerWork:
    """The part of a header a miner changes, with what pins the rest."""

    pre_pow_hash: Hash
    """The header's hash with timestamp and nonce zeroed: the job's identity."""
    timestamp: int
    """Milliseconds since the Unix epoch, unsigned 64-bit."""
    nonce: int
    """The nonce, unsigned 64-bit."""

    def __post_init__(self) -> None:
        for name in ("timestamp", "nonce"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 1 << 64:
                raise InvalidParameter(name, value, "an unsigned 64-bit integer is expected")


def encode_miner_work(work: MinerWork) -> bytes:
    """``pre_pow_hash ‖ timestamp u64 LE ‖ nonce u64 LE`` (48 bytes)."""
    return (
        work.pre_pow_hash + work.timestamp.to_bytes(8, "little") + work.nonce.to_bytes(8, "little")
    )


def decode_miner_work(data: bytes) -> MinerWork:
    """The inverse of :func:`encode_miner_work`; ``MALFORMED_ENCODING`` unless 48 bytes."""
    if len(data) != MINER_WORK_SIZE:
        raise MalformedEncoding(data, f"miner_work is {MINER_WORK_SIZE} bytes, got {len(data)}")
    return MinerWork(
        Hash(data[:TIMESTAMP_OFFSET]),
        int.from_bytes(data[TIMESTAMP_OFFSET:NONCE_OFFSET], "little"),
        int.from_bytes(data[NONCE_OFFSET:], "little"),
    )


def miner_work_of(header: BlockHeader) -> MinerWork:
    """The miner work of ``header`` as it stands (its own timestamp and nonce)."""
    return MinerWork(pre_pow_hash(header), header.timestamp, header.nonce)


def pow_input(work: MinerWork) -> bytes:
    """The 80 bytes the PoW hash reads: ``pre_pow_hash ‖ timestamp ‖ 32 zero bytes ‖ nonce``."""
    encoded = encode_miner_work(work)
    return encoded[:NONCE_OFFSET] + POW_PADDING + encoded[NONCE_OFFSET:]


def apply_miner_work(header: BlockHeader, work: MinerWork) -> BlockHeader:
    """``header`` with the timestamp and nonce of ``work``; ``BAD_PARAMETER`` when ``work``
    was made for another header (its pre-PoW hash differs)."""
    if pre_pow_hash(header) != work.pre_pow_hash:
        raise InvalidParameter("miner_work", work.pre_pow_hash, "made for another header")
    return dataclasses.replace(header, timestamp=work.timestamp, nonce=work.nonce)


@dataclass(frozen=True, slots=True)
class Job:
    """What a miner is sent for one template."""

    header: BlockHeader
    """The template's header (nonce 0)."""
    work: MinerWork
    """Its miner work."""
    miner_work: bytes
    """:func:`encode_miner_work` of ``work``."""
    target: int
    """The proof-of-work target of its bits (``pow_value <= target`` passes)."""

    @property
    def target_hex(self) -> str:
        """The target as 64 big-endian hexadecimal digits."""
        return format(self.target, "064x")


def job_of(header: BlockHeader) -> Job:
    """The job of a template header."""
    work = miner_work_of(header)
    return Job(header, work, encode_miner_work(work), pow_target(header.bits))


def new_job_message(job: Job) -> dict[str, object]:
    """``{"new_job": {...}}``: TOS's fields (``height`` is the blue score, ``topoheight`` the
    DAA score, ``difficulty`` the expected hashes as a decimal string) and the exact ``bits``
    and ``target``."""
    header = job.header
    return {
        "new_job": {
            "miner_work": job.miner_work.hex(),
            "height": header.blue_score,
            "topoheight": header.daa_score,
            "difficulty": str(work_from_target(target_from_bits(header.bits))),
            "blue_score": header.blue_score,
            "daa_score": header.daa_score,
            "bits": header.bits,
            "target": job.target_hex,
        }
    }


class _Miner:
    """One GetWork connection."""

    def __init__(self, address: str, worker: str, outbox: Outbox) -> None:
        self.address = address
        self.worker = worker
        # TOS gives each miner a random extra nonce; here the coinbase's extra data plays that
        # part, so no two connections are ever sent the same pre-PoW hash.
        self.extra_data = worker.encode() + b"/" + os.urandom(8)
        self.outbox = outbox
        self.jobs: OrderedDict[Hash, Template] = OrderedDict()

    def remember(self, template: Template, job: Job) -> None:
        self.jobs[job.work.pre_pow_hash] = template
        self.jobs.move_to_end(job.work.pre_pow_hash)
        while len(self.jobs) > JOBS_PER_MINER:
            self.jobs.popitem(last=False)


class GetWorkServer:
    """The GetWork WebSocket of one node."""

    def __init__(self, bridge: NodeBridge, *, rate_limit_ms: int = DEFAULT_RATE_LIMIT_MS) -> None:
        self._bridge = bridge
        self._node = bridge.node
        self._rate_limit = rate_limit_ms / 1000
        self._miners: set[_Miner] = set()
        self._last_broadcast = 0.0
        self._scheduled = False
        self._dirty = False
        self.broadcasts = 0
        """Job broadcasts made so far (for tests and benchmarks)."""
        self._unsubscribe = bridge.subscribe(self._on_node_event)

    def add_routes(self, app: web.Application) -> None:
        """Serve ``/getwork/{address}/{worker}`` (and a 400 for any other ``/getwork`` path)."""
        app.router.add_get("/getwork/{address}/{worker}", self.handle)
        app.router.add_get("/getwork{rest:.*}", self._bad_path)

    def close(self) -> None:
        """Stop following the node."""
        self._unsubscribe()

    @staticmethod
    async def _bad_path(request: web.Request) -> web.Response:
        raise web.HTTPBadRequest(text="Missing address and/or worker name")

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """Check address and worker, send a job, then serve the miner's answers."""
        address = request.match_info["address"]
        worker = request.match_info["worker"]
        if not 1 <= len(worker) <= MAX_WORKER_NAME or not worker.isprintable():
            raise web.HTTPBadRequest(text=f"a worker name is 1 to {MAX_WORKER_NAME} characters")
        try:
            decode_address(address, self._node.network.address_prefix)
        except DagspecError as error:
            raise web.HTTPBadRequest(text=f"{error.code}: {error.message}") from None
        socket = web.WebSocketResponse(max_msg_size=MAX_MESSAGE_BYTES)
        await socket.prepare(request)
        miner = _Miner(address, worker, Outbox(socket))
        try:
            await self._send_job(miner)  # TOS: a job first, then the miner is registered
            self._miners.add(miner)
            async for message in socket:
                if message.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                    break
                await self._answer(miner, message.data)
        finally:
            self._miners.discard(miner)
            await miner.outbox.close()
        return socket

    async def _answer(self, miner: _Miner, data: bytes | str) -> None:
        try:
            template, work = self._read_submission(miner, data)
            header = dataclasses.replace(
                template.header, timestamp=work.timestamp, nonce=work.nonce
            )
            await self._bridge.call(self._node.submit_block, header, template.transactions)
        except (DagspecError, RpcError) as error:
            miner.outbox.put(dump_json({"block_rejected": f"{error.code}: {error.message}"}))
            await self._send_job(miner)
            return
        miner.outbox.put(dump_json("block_accepted"))

    @staticmethod
    def _read_submission(miner: _Miner, data: bytes | str) -> tuple[Template, MinerWork]:
        value = parse_json(data)
        if not isinstance(value, dict) or len(value) != 1:
            raise RpcError(RpcCode.MALFORMED_REQUEST, 'expected {"miner_work": HEX}')
        key, text = next(iter(value.items()))
        if key not in ("miner_work", "block_template"):
            raise RpcError(RpcCode.MALFORMED_REQUEST, f"unknown message {str(key)[:32]!r}")
        if not isinstance(text, str) or len(text) != 2 * MINER_WORK_SIZE:
            raise RpcError(
                RpcCode.MALFORMED_REQUEST, f"miner_work is {2 * MINER_WORK_SIZE} hex digits"
            )
        try:
            work = decode_miner_work(bytes.fromhex(text))
        except ValueError:
            raise RpcError(RpcCode.MALFORMED_REQUEST, "miner_work is not hexadecimal") from None
        template = miner.jobs.get(work.pre_pow_hash)
        if template is None:
            raise RpcError(RpcCode.STALE_JOB, "Job was not found in cache")
        return template, work

    async def _send_job(self, miner: _Miner) -> None:
        try:
            template, job = await self._bridge.call(self._build, miner.address, miner.extra_data)
        except DagspecError as error:  # the address was checked; a node that cannot build
            _log.error("no template for %s: %s", miner.worker, error)
            return
        miner.remember(template, job)
        miner.outbox.put(dump_json(new_job_message(job)))

    def _build(self, address: str, extra_data: bytes) -> tuple[Template, Job]:
        # On the node's thread: the template and its pre-PoW hash both cost hashing.
        template = self._node.block_template(address, extra_data)
        return template, job_of(template.header)

    # -- broadcasts --------------------------------------------------------------------------

    def _on_node_event(self, event: NodeEvent, payload: object) -> None:
        if event is NodeEvent.NEW_BLOCK_TEMPLATE:
            self._dirty = True
            self._schedule()

    def _schedule(self) -> None:
        if self._scheduled or not self._miners:
            return
        self._scheduled = True
        delay = max(0.0, self._last_broadcast + self._rate_limit - time.monotonic())
        loop = asyncio.get_running_loop()
        loop.call_later(delay, lambda: loop.create_task(self._broadcast()))

    async def _broadcast(self) -> None:
        self._dirty = False
        self._last_broadcast = time.monotonic()
        miners = list(self._miners)
        try:
            built = await self._bridge.call(
                lambda: [self._build(m.address, m.extra_data) for m in miners]
            )
        except DagspecError as error:
            _log.error("no templates to broadcast: %s", error)
            built = []
        finally:
            self._scheduled = False
        self.broadcasts += 1
        for miner, (template, job) in zip(miners, built, strict=False):
            miner.remember(template, job)
            miner.outbox.put(dump_json(new_job_message(job)))
        if self._dirty:
            self._schedule()
