"""Blocks per second into the durable store: ``python -m benchmarks.store [--quick]``.

Feeds the 1-block-per-second ``tos`` DAGs of :mod:`benchmarks.headers` (proof of work skipped,
no transactions) into an in-memory consensus and into a consensus over a fresh SQLite store
(``synchronous=NORMAL``, the default), in the same run: every header rule, then one
transaction per block. This is what ``submit_block`` costs a node for a block without
transactions, minus the RPC. Rates are wall-clock (the store waits on the file system) with the
process's CPU time beside them; the machine's other load shows as their difference, and the
load average is printed before and after.

Also measured: the store's size per block (after a checkpoint folds the log into the file),
reading the store back (reopening), and ``synchronous=FULL`` (an ``fsync`` per block) on the
first blocks of the smallest DAG.

Goals: >= 500 blocks/s into the store; its cost per block at the largest size within 1.3x of
the smallest.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import tempfile
import time
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

from benchmarks.headers import bench_genesis, bench_preset, generate
from reference.consensus import Consensus
from reference.header import BlockHeader
from reference.stores.sqlite.engine import Synchronous, open_consensus

RATE_GOAL = 500
FLATNESS_GOAL = 1.3
FULL_SYNC_BLOCKS = 256


def feed(consensus: Consensus, headers: Sequence[BlockHeader]) -> tuple[float, float]:
    """Wall and CPU seconds to add ``headers``."""
    wall, cpu = time.perf_counter(), time.process_time()
    for header in headers:
        consensus.add_full_header(header, now_ms=header.timestamp)
    return time.perf_counter() - wall, time.process_time() - cpu


def feed_memory(headers: Sequence[BlockHeader]) -> tuple[float, float]:
    """Wall and CPU seconds into a fresh in-memory consensus."""
    preset = bench_preset()
    return feed(Consensus.from_genesis_header(preset, bench_genesis(preset)), headers)


def feed_store(
    path: Path, headers: Sequence[BlockHeader], synchronous: Synchronous = "NORMAL"
) -> tuple[float, float]:
    """Wall and CPU seconds into a fresh store at ``path``."""
    preset = bench_preset()
    consensus = open_consensus(path, preset, bench_genesis(preset), synchronous=synchronous)
    try:
        return feed(consensus, headers)
    finally:
        consensus.close()


def store_size(path: Path) -> int:
    """Bytes of the store once its log is checkpointed into the file."""
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return os.path.getsize(path)


def reopen_seconds(path: Path) -> float:
    """Wall seconds to open the store and read it back."""
    preset = bench_preset()
    started = time.perf_counter()
    consensus = open_consensus(path, preset, bench_genesis(preset))
    seconds = time.perf_counter() - started
    consensus.close()
    return seconds


def main(argv: Sequence[str] | None = None) -> int:
    """Print the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.store", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2^9 and 2^10 blocks only")
    args = parser.parse_args(argv)
    exponents = [9, 10] if args.quick else [11, 12, 13, 14]
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(
        f"{'blocks':>7} {'memory/s':>9} {'store/s':>8} {'memory cpu/s':>12} {'store cpu/s':>11} "
        f"{'ms/block':>8} {'bytes/block':>11} {'reopen s':>8}"
    )
    per_block: dict[int, float] = {}
    smallest: list[BlockHeader] = []
    with tempfile.TemporaryDirectory(prefix="dagspec-store-") as directory:
        for exponent in exponents:
            count = 1 << exponent
            headers = generate(count, seed=exponent)
            memory_wall, memory_cpu = feed_memory(headers)
            path = Path(directory) / f"store-{exponent}.db"
            wall, cpu = feed_store(path, headers)
            per_block[exponent] = wall / count
            rate = count / wall
            goal = "" if rate >= RATE_GOAL else f"  (goal {RATE_GOAL}/s missed)"
            print(
                f"{count:>7,} {count / memory_wall:>9,.0f} {rate:>8,.0f} "
                f"{count / memory_cpu:>12,.0f} {count / cpu:>11,.0f} "
                f"{wall / count * 1e3:>8.2f} {store_size(path) / count:>11,.0f} "
                f"{reopen_seconds(path):>8.2f}{goal}"
            )
            if not smallest:
                smallest = headers
        first, last = exponents[0], exponents[-1]
        flat = per_block[last] / per_block[first]
        verdict = "met" if flat <= FLATNESS_GOAL else "MISSED"
        print(
            f"store cost per block 2^{last} / 2^{first}: {flat:.2f}x "
            f"(goal <= {FLATNESS_GOAL}x: {verdict})"
        )
        prefix = smallest[:FULL_SYNC_BLOCKS]
        normal, _ = feed_store(Path(directory) / "normal.db", prefix)
        full, _ = feed_store(Path(directory) / "full.db", prefix, "FULL")
        print(
            f"first {len(prefix)} blocks: synchronous=NORMAL {len(prefix) / normal:,.0f}/s, "
            f"FULL (fsync per block) {len(prefix) / full:,.0f}/s"
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
