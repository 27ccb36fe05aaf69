"""IBD of one day of ``tos`` headers between two nodes on loopback: ``python -m benchmarks.ibd``.

Generates a 1-block/s ``tos`` DAG of ``--count`` headers (default 86,400, one day) with the
generator of :mod:`benchmarks.headers` (Poisson arrivals, network delays up to 2 s), loads it
into a headers-only syncer node, then a fresh headers-only syncee connects over loopback TCP
and runs the whole IBD (negotiation, header chunks with flow control, every header rule,
proof of work skipped). Both nodes share one process and one event loop, so the time counts
the syncer's serving too. Reports headers/s, seconds and the bytes each side sent.

The loaded syncer is frozen out of the cyclic garbage collector (``gc.freeze``) before the
IBD starts: in one process the syncee's collections would otherwise traverse the syncer's
whole DAG again and again, which two real nodes, each in its own process, never do.

Goal: the headers of one day in <= 30 s.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import time
from collections.abc import Sequence

from benchmarks.headers import bench_genesis, bench_preset, generate
from reference.consensus import Consensus
from reference.sync.backend import ConsensusBackend
from reference.sync.service import ServiceConfig, SyncService

GOAL_SECONDS = 30.0


async def _ibd(count: int, seed: int) -> None:
    preset = bench_preset()
    started = time.perf_counter()
    headers = generate(count, seed)
    generated = time.perf_counter() - started
    syncer_consensus = Consensus.from_genesis_header(preset, bench_genesis(preset))
    for header in headers:
        syncer_consensus.add_full_header(header, now_ms=header.timestamp)
    syncee_consensus = Consensus.from_genesis_header(preset, bench_genesis(preset))
    config = ServiceConfig(network="tos-bench", progress=lambda line: None)
    syncer = SyncService(ConsensusBackend(syncer_consensus), config)
    syncee = SyncService(ConsensusBackend(syncee_consensus), config)
    await syncer.start()
    await syncee.start()
    gc.freeze()  # the syncer's DAG is not the syncee's heap (see the module docstring)
    began = time.perf_counter()
    peer = await syncee.connect("127.0.0.1", syncer.port)
    while syncee_consensus.sink() != syncer_consensus.sink():
        await asyncio.sleep(0.05)
    await syncee.wait_ibd()
    seconds = time.perf_counter() - began
    received = syncee.progress.headers
    print(f"generated {count:,} headers in {generated:.1f} s")
    print(
        f"{'headers':>8} {'seconds':>8} {'headers/s':>10} {'syncer sent':>12} {'syncee sent':>12}"
    )
    print(
        f"{received:>12,} {seconds:>12.1f} {received / seconds:>12,.0f} "
        f"{peer.bytes_received:>12,} {peer.bytes_sent:>12,}"
    )
    scaled = seconds * 86_400 / max(1, count)
    verdict = "met" if scaled <= GOAL_SECONDS else "MISSED"
    print(f"one day (86,400 headers) at this rate: {scaled:.1f} s", end=" ")
    print(f"(goal <= {GOAL_SECONDS:.0f} s: {verdict})")
    await syncee.stop()
    await syncer.stop()
    gc.unfreeze()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ibd", description=__doc__)
    parser.add_argument("--count", type=int, default=86_400, help="headers in the DAG")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="2,048 headers, for a smoke run")
    args = parser.parse_args(argv)
    asyncio.run(_ibd(2_048 if args.quick else args.count, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
