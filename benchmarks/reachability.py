"""Reachability throughput: ``python -m benchmarks.reachability [--quick]``.

Inserts Kaspa's two reachability stress DAGs and random wide layered DAGs of 2^12 … 2^16
blocks into :class:`ReachabilityService` (Kaspa's reindex depth and slack), then asks random
``is_dag_ancestor_of`` / ``is_chain_ancestor_of`` pairs. Rates are CPU time of this process
(``time.process_time``) on one core. Peak memory per block is measured by ``tracemalloc`` in a
separate, untimed insertion. The baseline, brute-force stored past sets
(``conformance.oracle.PastSetReachability``), is measured in the same run on a prefix of each
DAG: its memory is quadratic, so it is capped (the table says at how many blocks).

Goals: insertion cost per block flat as the DAG grows (2^16 within 1.3x of 2^12), >= 200,000
queries/s, >= 20,000 insertions/s, memory linear in blocks.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from benchmarks._common import STRESS_DIRECTORY, stress_dags
from conformance.oracle import PastSetReachability
from conformance.strategies import Shape, random_layered_dag
from reference.hash import Hash
from reference.presets import KASPA_1BPS
from reference.processes.reachability.api import Reachability
from reference.processes.reachability.service import ReachabilityService

WIDE_SHAPE = Shape(layers=0, max_width=10, max_delay=3, max_parents=10, max_difficulty=1)
"""Random wide DAGs: up to 10 blocks per layer, views up to 3 layers late."""

LOCAL_WINDOW = 1024
"""Insertions between the two blocks of a local query pair, at most."""

QUERY_GOAL = 200_000
INSERT_GOAL = 20_000
FLATNESS_GOAL = 1.3


@dataclass(frozen=True, slots=True)
class Workload:
    """A DAG prepared for insertion: what the consensus would hand to reachability."""

    name: str
    """What the DAG is."""
    genesis: Hash
    """Its first block."""
    steps: tuple[tuple[Hash, Hash, tuple[Hash, ...], Hash | None], ...]
    """``(block, selected_parent, mergeset, new selected tip or None)`` in insertion order."""
    pairs: tuple[tuple[Hash, Hash], ...]
    """Random ``(ancestor, descendant)`` query pairs from the whole DAG."""
    local_pairs: tuple[tuple[Hash, Hash], ...]
    """Pairs at most ``LOCAL_WINDOW`` insertions apart, the older block asked as ancestor, in
    insertion order of the later one: GHOSTDAG asks about blocks near the tips."""


@dataclass(frozen=True, slots=True)
class Measurement:
    """One implementation on one workload."""

    blocks: int
    """Blocks inserted (genesis included)."""
    insert_seconds: float
    """CPU seconds for every ``add_block`` and ``hint_selected_tip``."""
    dag_query_seconds: float
    """CPU seconds for the ``is_dag_ancestor_of`` pairs."""
    chain_query_seconds: float
    """CPU seconds for the ``is_chain_ancestor_of`` pairs."""
    local_query_seconds: float
    """CPU seconds for ``is_dag_ancestor_of`` on the local pairs."""
    queries: int
    """Random pairs asked (each of the two queries)."""
    local_queries: int
    """Local pairs asked."""

    def inserts_per_second(self) -> float:
        """Blocks per CPU second (genesis not counted)."""
        return (self.blocks - 1) / self.insert_seconds

    def dag_queries_per_second(self) -> float:
        """DAG queries per CPU second."""
        return self.queries / self.dag_query_seconds

    def chain_queries_per_second(self) -> float:
        """Chain queries per CPU second."""
        return self.queries / self.chain_query_seconds

    def local_queries_per_second(self) -> float:
        """DAG queries per CPU second on local pairs."""
        return self.local_queries / self.local_query_seconds


def prepare(
    name: str, parents_in_order: Sequence[tuple[Hash, Sequence[Hash]]], pairs: int
) -> Workload:
    """Derive selected parents, mergesets and tip hints, untimed.

    Without GHOSTDAG at hand (this measures reachability alone) the selected parent is the
    parent of greatest tree height, ties to the larger hash, as Kaspa's reachability tests
    choose it; the mergeset is everything reached from the other parents that is not in the
    selected parent's past (found with a service built on the fly).
    """
    genesis = parents_in_order[0][0]
    service = ReachabilityService(
        genesis, reindex_depth=KASPA_1BPS.reindex_depth, reindex_slack=KASPA_1BPS.reindex_slack
    )
    height = {genesis: 0}
    parents_of = dict(parents_in_order)
    tip = genesis
    steps: list[tuple[Hash, Hash, tuple[Hash, ...], Hash | None]] = []
    for block, parents in parents_in_order[1:]:
        selected = max(parents, key=lambda parent: (height[parent], parent))
        mergeset = _mergeset(service, parents_of, selected, parents)
        service.add_block(block, selected, mergeset)
        height[block] = height[selected] + 1
        new_tip = None
        if (height[block], block) > (height[tip], tip):
            tip = new_tip = block
            service.hint_selected_tip(tip)
        steps.append((block, selected, mergeset, new_tip))
    rng = random.Random(name)
    hashes = [block for block, _ in parents_in_order]
    query_pairs = tuple((rng.choice(hashes), rng.choice(hashes)) for _ in range(pairs))
    # Asked in insertion order of the later block, as GHOSTDAG asks while blocks arrive.
    local_indices = sorted(rng.randrange(len(hashes)) for _ in range(pairs))
    local_pairs = tuple(
        (hashes[max(0, later - rng.randrange(LOCAL_WINDOW))], hashes[later])
        for later in local_indices
    )
    return Workload(name, genesis, tuple(steps), query_pairs, local_pairs)


def _mergeset(
    service: ReachabilityService,
    parents_of: dict[Hash, Sequence[Hash]],
    selected: Hash,
    parents: Sequence[Hash],
) -> tuple[Hash, ...]:
    found: set[Hash] = set()
    stack = [parent for parent in parents if parent != selected]
    while stack:
        block = stack.pop()
        if block in found or service.is_dag_ancestor_of(block, selected):
            continue
        found.add(block)
        stack.extend(parents_of[block])
    return tuple(found)


def measure(
    workload: Workload, make: Callable[[Hash], Reachability], limit: int, repeats: int
) -> Measurement:
    """Insert the first ``limit`` blocks (genesis included) and ask the pairs among them.

    Each timing is the least of ``repeats`` runs: the machine is shared, and the least CPU
    time is the one least disturbed by other processes.
    """
    steps = workload.steps[: limit - 1]
    kept = {workload.genesis, *(step[0] for step in steps)}
    pairs = [pair for pair in workload.pairs if pair[0] in kept and pair[1] in kept]
    local_pairs = [pair for pair in workload.local_pairs if pair[1] in kept]
    timings = []
    for _ in range(repeats):
        service = make(workload.genesis)
        add, hint = service.add_block, service.hint_selected_tip
        began = time.process_time()
        for block, selected, mergeset, new_tip in steps:
            add(block, selected, mergeset)
            if new_tip is not None:
                hint(new_tip)
        inserted = time.process_time()
        dag_query = service.is_dag_ancestor_of
        for ancestor, descendant in pairs:
            dag_query(ancestor, descendant)
        dag_queried = time.process_time()
        chain_query = service.is_chain_ancestor_of
        for ancestor, descendant in pairs:
            chain_query(ancestor, descendant)
        chain_queried = time.process_time()
        for ancestor, descendant in local_pairs:
            dag_query(ancestor, descendant)
        local_queried = time.process_time()
        timings.append(
            (
                inserted - began,
                dag_queried - inserted,
                chain_queried - dag_queried,
                local_queried - chain_queried,
            )
        )
        del service
    return Measurement(
        len(steps) + 1,
        min(t[0] for t in timings),
        min(t[1] for t in timings),
        min(t[2] for t in timings),
        min(t[3] for t in timings),
        len(pairs),
        len(local_pairs),
    )


def peak_bytes_per_block(workload: Workload) -> float:
    """Peak traced allocation of a fresh insertion, per block (untimed: tracing is slow)."""
    gc.collect()
    tracemalloc.start()
    service = _reference(workload.genesis)
    for block, selected, mergeset, new_tip in workload.steps:
        service.add_block(block, selected, mergeset)
        if new_tip is not None:
            service.hint_selected_tip(new_tip)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / (len(workload.steps) + 1)


def _reference(genesis: Hash) -> ReachabilityService:
    return ReachabilityService(
        genesis, reindex_depth=KASPA_1BPS.reindex_depth, reindex_slack=KASPA_1BPS.reindex_slack
    )


def _stress_workloads(pairs: int) -> list[Workload]:
    return [
        prepare(path.name.split("-")[0] + " (Kaspa)", order, pairs) for path, order in stress_dags()
    ]


def _wide_workload(exponent: int, pairs: int) -> Workload:
    dag = random_layered_dag(exponent, 1 << exponent, WIDE_SHAPE)
    order = [(block.hash, block.parents) for block in dag.blocks]
    return prepare(f"wide 2^{exponent}", order, pairs)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the table; exit status 0 when it ran (goals are reported, not enforced)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reachability", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args(argv)
    exponents = [9, 10] if args.quick else [12, 13, 14, 15, 16]
    pairs = 20_000 if args.quick else 200_000
    baseline_cap = 1 << 9 if args.quick else 1 << 11
    repeats = 1 if args.quick else 3
    workloads = [] if args.quick else _stress_workloads(pairs)
    if not workloads and not args.quick:
        print(f"note: no Kaspa stress DAGs found in {STRESS_DIRECTORY}")
    workloads += [_wide_workload(exponent, pairs) for exponent in exponents]

    print(
        f"reachability: CPU-time rates on one core, least of {repeats} run(s); baseline = "
        f"PastSetReachability on the first {baseline_cap} blocks of each DAG (its memory is "
        f"quadratic)"
    )
    header = (
        f"{'workload':<18} {'blocks':>6} {'insert/s':>9} {'us/blk':>6} {'dag q/s':>9} "
        f"{'chain q/s':>9} {'local q/s':>9} {'B/blk':>5} | {'base n':>6} {'ins x':>5} "
        f"{'qry x':>5}"
    )
    print(header)
    print("-" * len(header))
    results: dict[str, tuple[Measurement, float]] = {}
    for workload in workloads:
        ours = measure(workload, _reference, len(workload.steps) + 1, repeats)
        cap = min(baseline_cap, ours.blocks)
        ours_capped = measure(workload, _reference, cap, repeats)
        baseline = measure(workload, PastSetReachability, cap, repeats)
        peak = peak_bytes_per_block(workload)
        results[workload.name] = (ours, peak)
        print(
            f"{workload.name:<18} {ours.blocks:>6} {ours.inserts_per_second():>9,.0f} "
            f"{1e6 * ours.insert_seconds / (ours.blocks - 1):>6.1f} "
            f"{ours.dag_queries_per_second():>9,.0f} {ours.chain_queries_per_second():>9,.0f} "
            f"{ours.local_queries_per_second():>9,.0f} {peak:>5,.0f} | {cap:>6} "
            f"{ours_capped.inserts_per_second() / baseline.inserts_per_second():>5.1f} "
            f"{ours_capped.dag_queries_per_second() / baseline.dag_queries_per_second():>5.2f}",
            flush=True,
        )
    print()
    print(
        "dag/chain q/s: random pairs over the whole DAG; local q/s: is_dag_ancestor_of on "
        f"pairs at most {LOCAL_WINDOW} insertions apart, in insertion order (what GHOSTDAG "
        "asks).\n"
        "B/blk: peak traced memory per block. ins x / qry x: reference rate / baseline rate "
        "on the baseline's prefix (> 1: the reference is faster)."
    )
    if args.quick:
        print("quick mode: a smoke run; its sizes are too small for the goals to mean much")
    _report_goals(exponents, results)
    return 0


def _report_goals(exponents: Sequence[int], results: dict[str, tuple[Measurement, float]]) -> None:
    small, large = f"wide 2^{exponents[0]}", f"wide 2^{exponents[-1]}"
    (small_run, small_peak), (large_run, large_peak) = results[small], results[large]
    growth = (large_run.insert_seconds / (large_run.blocks - 1)) / (
        small_run.insert_seconds / (small_run.blocks - 1)
    )
    memory_growth = large_peak / small_peak
    runs = [run for run, _ in results.values()]
    slowest_insert = min(run.inserts_per_second() for run in runs)
    slowest_random = min(
        min(run.dag_queries_per_second(), run.chain_queries_per_second()) for run in runs
    )
    slowest_local = min(run.local_queries_per_second() for run in runs)
    lines = [
        (
            f"insertion cost per block, {large} / {small}: {growth:.2f}x",
            growth <= FLATNESS_GOAL,
            f"<= {FLATNESS_GOAL}x",
        ),
        (
            f"slowest insertion rate: {slowest_insert:,.0f}/s",
            slowest_insert >= INSERT_GOAL,
            f">= {INSERT_GOAL:,}/s",
        ),
        (
            f"slowest query rate, random pairs: {slowest_random:,.0f}/s",
            slowest_random >= QUERY_GOAL,
            f">= {QUERY_GOAL:,}/s",
        ),
        (
            f"slowest query rate, local pairs: {slowest_local:,.0f}/s",
            slowest_local >= QUERY_GOAL,
            f">= {QUERY_GOAL:,}/s",
        ),
        (
            f"peak memory per block, {large} / {small}: {memory_growth:.2f}x",
            memory_growth <= FLATNESS_GOAL,
            "about 1x (linear)",
        ),
    ]
    print("goals:")
    for text, met, goal in lines:
        print(f"  {'met   ' if met else 'MISSED'} {text} (goal {goal})")


if __name__ == "__main__":
    sys.exit(main())
