"""Blocks per second into the durable store: ``python -m benchmarks.store [--quick]``.

Generates 1-block-per-second ``tos`` DAGs as :mod:`benchmarks.headers` does (proof of work
skipped, blocks arriving as a Poisson process, each seeing the DAG as it was up to 2 s earlier),
each block with a body of its coinbase alone (no other transactions), over a genesis that
commits to a coinbase of its own. Each DAG then goes, in the same run, through two paths:

- **headers**: :meth:`~reference.consensus.Consensus.add_full_header` of every header into an
  in-memory consensus and into a consensus over a fresh SQLite store (``synchronous=NORMAL``,
  the default): every header rule, then one transaction per block.
- **node**: :meth:`~reference.node.node.Node.submit_block` of every block (header and
  coinbase) into an in-memory node and into a node over a fresh data directory
  (:func:`~reference.node.data_dir.open_data_dir`, as ``dagspec node --data-dir`` opens it):
  every header and body rule, the commit, the node's index, listeners and pruning step. This
  is what ``submit_block`` costs a node for a block without transactions, minus the RPC.

Rates are wall-clock (the store waits on the file system) with the process's CPU time beside
them; the machine's other load shows as their difference, and the load average is printed
before and after. ``store/mem`` is the store's wall time per block over the in-memory one's.

Also measured: the store's size per block (after a checkpoint folds the log into the file),
reading the store back (reopening; for the node, reopening its data directory and indexing
every block, as a restarted node does), and ``synchronous=FULL`` (an ``fsync`` per block) on
the first blocks of the smallest DAG, for both paths.

Goals, for both paths and judged on wall time: >= 500 blocks/s into the store; its cost per
block at the largest size within 1.3x of the smallest.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from pathlib import Path

from benchmarks.headers import GENESIS_TIME, MAX_DELAY_MS, bench_preset
from conformance.arrivals import Arrivals
from reference.coinbase import build_coinbase
from reference.consensus import Consensus
from reference.hash import Hash
from reference.header import BlockHeader, genesis_header
from reference.merkle import hash_merkle_root
from reference.mining.address import AddressPrefix
from reference.node.data_dir import open_data_dir, store_path
from reference.node.network import Network
from reference.node.node import Node
from reference.presets import Preset
from reference.stores.sqlite.engine import Synchronous, open_consensus
from reference.transaction.model import ScriptPublicKey, Transaction

RATE_GOAL = 500
FLATNESS_GOAL = 1.3
FULL_SYNC_BLOCKS = 256
NOWHERE = ScriptPublicKey(0, b"")
"""The script the generated coinbases name (they pay nothing)."""

Block = tuple[BlockHeader, tuple[Transaction, ...]]
Rates = tuple[float, float]
"""Wall and CPU seconds."""


def bench_network() -> Network:
    """``tos`` with the proof of work skipped, under a genesis (the headers benchmark's time
    and bits) whose merkle root commits to its own coinbase, so a node can hold its body."""
    preset = bench_preset()
    coinbase = build_coinbase(0, NOWHERE, 0, b"benchmarks.store genesis")
    genesis = genesis_header(
        version=preset.block_version,
        timestamp=GENESIS_TIME,
        bits=0x1E7FFFFF,
        hash_merkle_root=hash_merkle_root([coinbase]),
    )
    return Network(
        name=preset.name,
        network_id="devnet",
        address_prefix=AddressPrefix.DEVNET,
        preset=preset,
        genesis=genesis,
        genesis_transactions=(coinbase,),
    )


def generate(preset: Preset, genesis: BlockHeader, count: int, seed: int) -> list[Block]:
    """``count`` blocks of a 1-block/s DAG over ``genesis`` with coinbase-only bodies (genesis
    excluded), in creation order."""
    consensus = Consensus.from_genesis_header(preset, genesis)
    arrivals = Arrivals(seed, genesis.timestamp, MAX_DELAY_MS, preset.max_block_parents)
    hashes: list[Hash] = [consensus.genesis]
    blocks: list[Block] = []
    for index in range(count):
        now, tips = arrivals.next()
        parents = [hashes[i] for i in tips]
        timestamp = max(now, consensus.past_median_time_of_parents(parents) + 1)
        draft = consensus.build_header(parents, timestamp=timestamp)
        body = (build_coinbase(draft.blue_score, NOWHERE, 0, index.to_bytes(8, "little")),)
        header = dataclasses.replace(draft, hash_merkle_root=hash_merkle_root(body))
        hashes.append(consensus.add_full_block(header, body, now_ms=timestamp))
        arrivals.created(tips)
        blocks.append((header, body))
    return blocks


def _timed(run: Callable[[], None]) -> Rates:
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def feed(consensus: Consensus, headers: Sequence[BlockHeader]) -> Rates:
    """Wall and CPU seconds to add ``headers``."""

    def run() -> None:
        for header in headers:
            consensus.add_full_header(header, now_ms=header.timestamp)

    return _timed(run)


def feed_memory(network: Network, headers: Sequence[BlockHeader]) -> Rates:
    """Wall and CPU seconds into a fresh in-memory consensus."""
    return feed(Consensus.from_genesis_header(network.preset, network.genesis), headers)


def feed_store(
    network: Network,
    path: Path,
    headers: Sequence[BlockHeader],
    synchronous: Synchronous = "NORMAL",
) -> Rates:
    """Wall and CPU seconds into a fresh store at ``path``."""
    consensus = open_consensus(path, network.preset, network.genesis, synchronous=synchronous)
    try:
        return feed(consensus, headers)
    finally:
        consensus.close()


def submit(node: Node, blocks: Sequence[Block]) -> Rates:
    """Wall and CPU seconds to submit ``blocks`` to ``node``."""

    def run() -> None:
        for header, body in blocks:
            node.submit_block(header, body)

    return _timed(run)


def submit_memory(network: Network, blocks: Sequence[Block]) -> Rates:
    """Wall and CPU seconds into a fresh in-memory node."""
    return submit(Node(network), blocks)


def submit_store(
    network: Network, data_dir: Path, blocks: Sequence[Block], synchronous: Synchronous = "NORMAL"
) -> Rates:
    """Wall and CPU seconds into a node over a fresh data directory ``data_dir``: opened as the
    node opens it, or, for another ``synchronous``, with that setting."""
    if synchronous == "NORMAL":
        consensus = open_data_dir(data_dir, network)
    else:
        data_dir.mkdir(parents=True, exist_ok=True)
        consensus = open_consensus(
            store_path(data_dir), network.preset, network.genesis, synchronous=synchronous
        )
    try:
        return submit(Node(network, consensus=consensus), blocks)
    finally:
        consensus.close()


def store_size(path: Path) -> int:
    """Bytes of the store once its log is checkpointed into the file."""
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return os.path.getsize(path)


def reopen_seconds(network: Network, path: Path) -> float:
    """Wall seconds to open the store and read it back."""
    started = time.perf_counter()
    consensus = open_consensus(path, network.preset, network.genesis)
    seconds = time.perf_counter() - started
    consensus.close()
    return seconds


def restart_seconds(network: Network, data_dir: Path) -> float:
    """Wall seconds to open a data directory and start a node on it (which indexes every
    block it holds)."""
    started = time.perf_counter()
    consensus = open_data_dir(data_dir, network)
    try:
        Node(network, consensus=consensus)
        return time.perf_counter() - started
    finally:
        consensus.close()


def _table_header(reopen: str) -> str:
    return (
        f"{'blocks':>7} {'memory/s':>9} {'store/s':>8} {'store/mem':>9} {'memory cpu/s':>12} "
        f"{'store cpu/s':>11} {'ms/block':>8} {'bytes/block':>11} {reopen:>9}"
    )


def _row(count: int, memory: Rates, store: Rates, size: int, reopen: float) -> str:
    rate = count / store[0]
    goal = "" if rate >= RATE_GOAL else f"  (goal {RATE_GOAL}/s missed)"
    return (
        f"{count:>7,} {count / memory[0]:>9,.0f} {rate:>8,.0f} {store[0] / memory[0]:>8.2f}x "
        f"{count / memory[1]:>12,.0f} {count / store[1]:>11,.0f} "
        f"{store[0] / count * 1e3:>8.2f} {size / count:>11,.0f} {reopen:>9.2f}{goal}"
    )


def _flatness(what: str, per_block: dict[int, float]) -> str:
    first, last = min(per_block), max(per_block)
    flat = per_block[last] / per_block[first]
    verdict = "met" if flat <= FLATNESS_GOAL else "MISSED"
    return (
        f"{what} store cost per block 2^{last} / 2^{first}: {flat:.2f}x "
        f"(goal <= {FLATNESS_GOAL}x: {verdict})"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Print the tables."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.store", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2^9 and 2^10 blocks only")
    parser.add_argument(
        "--exponents", type=int, nargs="+", metavar="E", help="DAGs of 2^E blocks (overrides)"
    )
    args = parser.parse_args(argv)
    exponents = args.exponents or ([9, 10] if args.quick else [11, 12, 13, 14])
    network = bench_network()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    started = time.perf_counter()
    dags = {
        exponent: generate(network.preset, network.genesis, 1 << exponent, seed=exponent)
        for exponent in exponents
    }
    print(
        f"generated {len(dags)} DAGs ({sum(map(len, dags.values())):,} blocks) in "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )
    smallest = dags[exponents[0]][:FULL_SYNC_BLOCKS]
    with tempfile.TemporaryDirectory(prefix="dagspec-store-") as name:
        directory = Path(name)
        print("headers: Consensus.add_full_header")
        print(_table_header("reopen s"), flush=True)
        per_block: dict[int, float] = {}
        for exponent, blocks in dags.items():
            headers = [header for header, _ in blocks]
            memory = feed_memory(network, headers)
            path = directory / f"headers-{exponent}.db"
            store = feed_store(network, path, headers)
            per_block[exponent] = store[0] / len(blocks)
            size, reopen = store_size(path), reopen_seconds(network, path)
            print(_row(len(blocks), memory, store, size, reopen), flush=True)
        print(_flatness("headers", per_block))
        print("node: Node.submit_block, coinbase-only blocks, data directory")
        print(_table_header("restart s"), flush=True)
        per_block = {}
        for exponent, blocks in dags.items():
            memory = submit_memory(network, blocks)
            data_dir = directory / f"node-{exponent}"
            store = submit_store(network, data_dir, blocks)
            per_block[exponent] = store[0] / len(blocks)
            size, reopen = store_size(store_path(data_dir)), restart_seconds(network, data_dir)
            print(_row(len(blocks), memory, store, size, reopen), flush=True)
        print(_flatness("node", per_block))
        prefix = [header for header, _ in smallest]
        normal, _ = feed_store(network, directory / "normal.db", prefix)
        full, _ = feed_store(network, directory / "full.db", prefix, "FULL")
        node_normal, _ = submit_store(network, directory / "node-normal", smallest)
        node_full, _ = submit_store(network, directory / "node-full", smallest, "FULL")
        count = len(smallest)
        print(
            f"first {count} blocks: synchronous=NORMAL {count / normal:,.0f}/s, "
            f"FULL (fsync per block) {count / full:,.0f}/s"
        )
        print(
            f"first {count} blocks, node: synchronous=NORMAL {count / node_normal:,.0f}/s, "
            f"FULL (fsync per block) {count / node_full:,.0f}/s"
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
