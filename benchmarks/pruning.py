"""Store size with and without pruning: ``python -m benchmarks.pruning [--quick]``.

One 1-block-per-second ``tos``-like DAG (network delays up to 2 s, coinbase-only bodies, proof
of work skipped) with a small pruning depth goes, block by block, into two durable stores in
the same run: one whose consensus prunes a batch of 256 blocks after every block, as the node
does, and one that never prunes (the baseline). The size of each store file (its log folded
in) is printed against the blocks mined, with the pruning point's blue score, then the time
pruning took per pruning-point move. Last, a new node syncs from the pruned store as from a
pruned peer (``spec/sync``, in process: the trusted data and the headers above the pruning point,
each header validated), against a new node that validates every header from genesis.

Goal: the pruned store stops growing after the pruning depth — at the end within 1.2x of its
size at two pruning depths.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.headers import bench_genesis
from benchmarks.store import Block, generate, store_size
from reference import ordering
from reference.consensus import Consensus
from reference.header import BlockHeader
from reference.header_wire import header_to_wire
from reference.p2p.messages import MAX_TRUSTED_BLOCKS_PER_MESSAGE, PruningPoints, TrustedBlocks
from reference.presets import TOS, Preset
from reference.stores.sqlite.engine import open_consensus

GOAL = 1.2


def pruning_preset(pruning_depth: int) -> Preset:
    """``tos`` with a small pruning depth (finality a quarter of it), small windows, no PoW."""
    finality = max(pruning_depth // 4, 8)
    return TOS.with_overrides(
        {
            "skip_proof_of_work": True,
            "pruning_depth": pruning_depth,
            "finality_depth": finality,
            "merge_depth": max(finality // 2, 4),
            "difficulty_window_size": 100,
            "min_difficulty_window_size": 20,
            "difficulty_sample_rate": 2,
        }
    )


def run(preset: Preset, blocks: Sequence[Block], folder: Path, samples: int) -> int:
    """Feed both stores, print the table; 0 when the goal is met."""
    genesis = bench_genesis(preset)
    pruned_path, full_path = folder / "pruned.db", folder / "full.db"
    pruned = open_consensus(pruned_path, preset, genesis, clock=lambda: 1 << 62)
    full = open_consensus(full_path, preset, genesis, clock=lambda: 1 << 62)
    every = max(1, len(blocks) // samples)
    pruning_seconds = 0.0
    slowest = 0.0
    moves = 0
    rows: list[tuple[int, int, int, int]] = []
    try:
        for index, (header, body) in enumerate(blocks, start=1):
            now = header.timestamp
            pruned.add_full_block(header, body, now_ms=now)
            full.add_full_block(header, body, now_ms=now)
            before = len(pruned.past_pruning_points())
            started = time.perf_counter()
            pruned.prune(256)
            spent = time.perf_counter() - started
            pruning_seconds += spent
            slowest = max(slowest, spent)
            moves += len(pruned.past_pruning_points()) - before
            if index % every == 0 or index == len(blocks):
                point = pruned.ghostdag_data(pruned.pruning_point()).blue_score
                rows.append((index, point, store_size(pruned_path), store_size(full_path)))
        moves = len(pruned.past_pruning_points()) - 1
    finally:
        pruned.close()
        full.close()
    print(f"pruning depth {preset.pruning_depth:,}, finality depth {preset.finality_depth:,}")
    print(f"{'blocks':>8} {'pp score':>9} {'pruned MB':>10} {'full MB':>9} {'pruned/full':>12}")
    for index, point, pruned_size, full_size in rows:
        print(
            f"{index:>8,} {point:>9,} {pruned_size / 1e6:>10.2f} {full_size / 1e6:>9.2f} "
            f"{pruned_size / full_size:>12.2f}"
        )
    two_depths = next(
        (size for index, _, size, _ in rows if index >= 2 * preset.pruning_depth), None
    )
    print(
        f"pruning: {pruning_seconds:.1f} s in all, {moves} pruning-point moves, "
        f"{pruning_seconds / max(moves, 1) * 1000:.0f} ms per move, slowest batch "
        f"{slowest * 1000:.0f} ms"
    )
    trusted_sync(preset, genesis, pruned_path, blocks)
    if two_depths is None:
        print("fewer blocks than two pruning depths: no verdict")
        return 0
    ratio = rows[-1][2] / two_depths
    verdict = "met" if ratio <= GOAL else "MISSED"
    print(
        f"pruned store at the end / at two pruning depths: {ratio:.2f} (goal <= {GOAL}: {verdict})"
    )
    return 0


def trusted_sync(
    preset: Preset, genesis: BlockHeader, pruned_path: Path, blocks: Sequence[Block]
) -> None:
    """Print what a new node syncing from the pruned store receives and spends, against one
    that validates every header from genesis (the baseline)."""
    source = open_consensus(pruned_path, preset, genesis, clock=lambda: 1 << 62)
    try:
        data = source.trusted_data()
        point = source.pruning_point()
        above = [
            block
            for block in source.held_blocks()
            if block != point and source.is_dag_ancestor_of(point, block)
        ]
        above.sort(key=lambda block: ordering.sort_key(source.ghostdag_data(block)))
        headers = [source.header(block).full for block in above]
    finally:
        source.close()
    chunks = [
        data.blocks[i : i + MAX_TRUSTED_BLOCKS_PER_MESSAGE]
        for i in range(0, len(data.blocks), MAX_TRUSTED_BLOCKS_PER_MESSAGE)
    ]
    trusted_bytes = len(PruningPoints(data.past_pruning_points, data.anticone).serialize())
    trusted_bytes += sum(len(TrustedBlocks(chunk).serialize()) for chunk in chunks)
    header_bytes = sum(len(header_to_wire(header)) for header in headers if header is not None)
    started = time.perf_counter()
    syncee = Consensus.from_genesis_header(preset, genesis, clock=lambda: 1 << 62)
    syncee.import_trusted(data)
    for header in headers:
        if header is not None:
            syncee.add_full_header(header, now_ms=header.timestamp)
    trusted_seconds = time.perf_counter() - started
    started = time.perf_counter()
    baseline = Consensus.from_genesis_header(preset, genesis, clock=lambda: 1 << 62)
    for header, _ in blocks:
        baseline.add_full_header(header, now_ms=header.timestamp)
    baseline_seconds = time.perf_counter() - started
    if baseline.sink() != syncee.sink():
        raise RuntimeError("the two new nodes disagree about the sink")  # a reference bug
    every_bytes = sum(len(header_to_wire(header)) for header, _ in blocks)
    print(f"{'a new node syncs':<34} {'trusted':>8} {'headers':>8} {'MB':>7} {'s':>7} {'x':>6}")
    print(
        f"{'from genesis (baseline)':<34} {0:>8,} {len(blocks):>8,} {every_bytes / 1e6:>7.2f} "
        f"{baseline_seconds:>7.1f} {1:>6.2f}"
    )
    print(
        f"{'from the pruned node':<34} {len(data.blocks):>8,} {len(headers):>8,} "
        f"{(trusted_bytes + header_bytes) / 1e6:>7.2f} {trusted_seconds:>7.1f} "
        f"{trusted_seconds / baseline_seconds:>6.2f}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pruning", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="5,000 blocks, pruning depth 500")
    parser.add_argument("--blocks", type=int, default=50_000)
    parser.add_argument("--pruning-depth", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    count, depth = (5_000, 500) if args.quick else (args.blocks, args.pruning_depth)
    preset = pruning_preset(depth)
    started = time.perf_counter()
    blocks = generate(preset, bench_genesis(preset), count, args.seed)
    print(f"generated {count:,} blocks in {time.perf_counter() - started:.1f} s")
    with tempfile.TemporaryDirectory() as folder:
        return run(preset, blocks, Path(folder), samples=20)


if __name__ == "__main__":
    raise SystemExit(main())
