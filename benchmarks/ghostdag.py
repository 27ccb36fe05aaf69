"""GHOSTDAG pipeline throughput: ``python -m benchmarks.ghostdag [--quick]``.

Feeds headers through the whole acceptance pipeline — header validation in canonical order,
BFS mergeset, colouring, interval reachability, commit, tips, sink and chain change — with
:meth:`Consensus.add_block`, on Kaspa's two reachability stress DAGs (4,091 blocks, K = 18) and
on generated layered network-delay DAGs of 2^12 … 2^16 blocks with variable difficulty, for
K = 18 (``kaspa-1bps``) and K = 124 (``kaspa-10bps``). Rates are CPU time of this process
(``time.process_time``) on one core; wall time is shown too, because the machine may be shared.
The "+virtual" column also computes the virtual state after every block.

The baseline is the same pipeline over brute-force stored past sets
(``conformance.oracle.PastSetReachability``), measured in the same run on the same DAG. Its
memory and per-block time grow with the DAG, so it is capped (the table says at how many
blocks, 2^13 by default); its per-block cost grows linearly with the DAG while the
reference's stays flat, so the ratio at the cap is a lower bound of the ratio at larger sizes.

Goals: >= 5,000 blocks/s at K = 18; per-block cost flat from 2^12 to 2^16 blocks (within
1.3x); >= 10x the naive baseline. A missed goal is reported, not hidden.
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks._common import STRESS_DIRECTORY, stress_dags
from conformance.oracle import PastSetReachability
from conformance.strategies import GeneratedDag, Shape, random_layered_dag
from reference.block import Header
from reference.consensus import Consensus
from reference.hash import Hash
from reference.presets import KASPA_1BPS, KASPA_10BPS, Preset
from reference.work import target_from_difficulty

SHAPES = {
    KASPA_1BPS.k: Shape(layers=0, max_width=4, max_delay=2, max_parents=10, max_difficulty=4),
    KASPA_10BPS.k: Shape(layers=0, max_width=12, max_delay=3, max_parents=16, max_difficulty=4),
}
"""Generated DAG shapes per K: wider layers and longer delays for the 10 blocks/s preset."""

RATE_GOAL = 5_000
FLATNESS_GOAL = 1.3
NAIVE_GOAL = 10.0


@dataclass(frozen=True, slots=True)
class Workload:
    """A DAG prepared as headers, ready for insertion."""

    name: str
    """What the DAG is."""
    preset: Preset
    """The consensus parameters it runs under."""
    genesis: Hash
    """Its first block."""
    genesis_target: int
    """Genesis's target."""
    headers: tuple[Header, ...]
    """Every other block, in a topological order."""


@dataclass(frozen=True, slots=True)
class Measurement:
    """One timed insertion of a workload."""

    blocks: int
    """Headers inserted."""
    cpu: float
    """CPU seconds."""
    wall: float
    """Wall-clock seconds."""

    @property
    def rate(self) -> float:
        """Blocks per CPU second."""
        return self.blocks / self.cpu if self.cpu > 0 else float("inf")

    @property
    def per_block_us(self) -> float:
        """CPU microseconds per block."""
        return 1e6 * self.cpu / self.blocks


def _stress_workload(path: Path, order: Sequence[tuple[Hash, tuple[Hash, ...]]]) -> Workload:
    target = target_from_difficulty(1)
    headers = tuple(Header(block, parents, target) for block, parents in order[1:])
    label = path.name.split("-dag")[0]
    return Workload(f"kaspa {label} K=18", KASPA_1BPS, order[0][0], target, headers)


def _generated_workload(size: int, preset: Preset, seed: int = 1) -> Workload:
    dag: GeneratedDag = random_layered_dag(seed, size, SHAPES[preset.k])
    headers = tuple(
        Header(b.hash, b.parents, target_from_difficulty(b.difficulty)) for b in dag.blocks[1:]
    )
    genesis = dag.genesis
    name = f"generated 2^{size.bit_length() - 1} K={preset.k}"
    return Workload(name, preset, genesis.hash, target_from_difficulty(genesis.difficulty), headers)


def _run(workload: Workload, *, naive: bool = False, with_virtual: bool = False) -> Measurement:
    reachability = PastSetReachability(workload.genesis) if naive else None
    consensus = Consensus(
        workload.preset, workload.genesis, workload.genesis_target, reachability=reachability
    )
    add_block = consensus.add_block
    gc.collect()
    gc.disable()
    try:
        cpu, wall = time.process_time(), time.perf_counter()
        if with_virtual:
            virtual_state = consensus.virtual_state
            for header in workload.headers:
                add_block(header)
                virtual_state()
        else:
            for header in workload.headers:
                add_block(header)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        gc.enable()
    return Measurement(len(workload.headers), cpu, wall)


def _row(name: str, blocks: int, main: Measurement, extra: str = "") -> None:
    print(
        f"{name:<34} {blocks:>7} {main.rate:>10,.0f} {main.per_block_us:>9.1f} "
        f"{main.blocks / main.wall:>10,.0f} {extra}",
        flush=True,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print the tables and the goals; 0 unless something failed to run."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ghostdag", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (a few seconds)")
    parser.add_argument(
        "--naive-exponent",
        type=int,
        default=None,
        help="cap the naive baseline at 2^N blocks (default 13: about 2 GB; 14 needs about 7 GB)",
    )
    args = parser.parse_args(argv)
    quick: bool = args.quick
    exponents = (8, 9) if quick else (12, 13, 14, 15, 16)
    naive_exponent: int = args.naive_exponent or (8 if quick else 13)
    naive_cap = 1 << naive_exponent
    stress_limit = 300 if quick else None

    print(f"{'workload':<34} {'blocks':>7} {'blocks/s':>10} {'us/block':>9} {'wall b/s':>10} notes")
    print("-" * 100)
    rates: dict[str, float] = {}
    stress = stress_dags()
    if not stress:
        print(f"(Kaspa stress DAGs not found in {STRESS_DIRECTORY})")
    for path, order in stress:
        workload = _stress_workload(path, order[:stress_limit])
        measured = _run(workload)
        with_virtual = _run(workload, with_virtual=True)
        _row(
            workload.name,
            len(workload.headers) + 1,
            measured,
            f"+virtual {with_virtual.rate:,.0f}/s",
        )
        rates[workload.name] = measured.rate

    per_block: dict[tuple[int, int], float] = {}
    naive_ratio: dict[int, tuple[int, float]] = {}
    for preset in (KASPA_1BPS, KASPA_10BPS):
        for exponent in exponents:
            workload = _generated_workload(1 << exponent, preset)
            measured = _run(workload)
            per_block[(preset.k, exponent)] = measured.per_block_us
            notes = ""
            if exponent == exponents[0]:
                with_virtual = _run(workload, with_virtual=True)
                notes = f"+virtual {with_virtual.rate:,.0f}/s"
            _row(workload.name, 1 << exponent, measured, notes)
        capped = _generated_workload(naive_cap, preset)
        fast, slow = _run(capped), _run(capped, naive=True)
        naive_ratio[preset.k] = (naive_cap, slow.cpu / fast.cpu if fast.cpu > 0 else float("inf"))
        _row(
            f"naive past sets K={preset.k}",
            naive_cap,
            slow,
            f"reference {fast.rate:,.0f}/s on the same {naive_cap} blocks: "
            f"{naive_ratio[preset.k][1]:.1f}x",
        )

    print()
    if quick:
        print("goals: not judged in --quick mode (sizes too small to say anything)")
        return 0
    print("goals")
    low, high = exponents[0], exponents[-1]
    k18_rates = [1e6 / per_block[(KASPA_1BPS.k, e)] for e in exponents]
    rate_ok = min(k18_rates) >= RATE_GOAL
    print(
        f"  >= {RATE_GOAL:,} blocks/s at K=18 (generated, slowest size): "
        f"{min(k18_rates):,.0f}/s  {'MET' if rate_ok else 'NOT MET'}"
    )
    for k in (KASPA_1BPS.k, KASPA_10BPS.k):
        growth = per_block[(k, high)] / per_block[(k, low)]
        verdict = "MET" if growth <= FLATNESS_GOAL else "NOT MET"
        print(
            f"  per-block cost 2^{high} / 2^{low} at K={k}: {growth:.2f}x "
            f"(goal <= {FLATNESS_GOAL}x)  {verdict}"
        )
    for k, (cap, ratio) in naive_ratio.items():
        verdict = "MET" if ratio >= NAIVE_GOAL else "NOT MET"
        print(
            f"  vs naive past sets at K={k}, {cap} blocks (naive capped there): {ratio:.1f}x "
            f"(goal >= {NAIVE_GOAL:.0f}x at 2^14)  {verdict}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
