"""Header validation throughput with every header rule: ``python -m benchmarks.headers [--quick]``.

Generates 1-block-per-second DAGs of complete ``tos`` headers — blocks arrive as a Poisson
process (mean 1 s), each sees the DAG as it was a random network delay (0-2 s) earlier and
takes that view's tips as parents — then feeds each DAG's headers into a fresh header-mode
:class:`~reference.consensus.Consensus` with :meth:`~reference.consensus.Consensus.add_full_header`:
hash, version, future timestamp, parents, parent levels, bits, GHOSTDAG, DAA window and score,
required bits, blue score and work, past median time, mergeset size, merge depth, commit.

Proof of work is skipped (``skip_proof_of_work``): kHeavyHash in pure Python costs tens of
milliseconds per header (its matrix is built per header), which would measure only that; its
cost is reported on its own line. Rates are CPU time of this process (``time.process_time``).

The baseline is the same pipeline with no window cache (``window_cache=0``): every DAA and
past-median-time window is rebuilt by walking the selected chain, as without Kaspa's per-block
window cache. It runs on the first ``--baseline`` headers of the smallest DAG, measured in the
same run, against the cached pipeline on the same headers.

Goals: >= 3,000 headers/s; cost per header at 2^16 within 1.3x of 2^12.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections.abc import Sequence

from conformance.arrivals import Arrivals
from reference.consensus import Consensus
from reference.hash import Hash
from reference.header import BlockHeader
from reference.header import genesis_header as make_genesis
from reference.presets import TOS, Preset
from reference.processes.pow.state import PowState

RATE_GOAL = 3_000
FLATNESS_GOAL = 1.3
GENESIS_TIME = 1_700_000_000_000
MAX_DELAY_MS = 2_000
"""Longest network delay of the generated DAGs: at 1 block/s about 1.4 parents per block."""


def bench_preset() -> Preset:
    """``tos`` with the proof of work skipped."""
    return TOS.with_overrides({"skip_proof_of_work": True})


def bench_genesis(preset: Preset) -> BlockHeader:
    """The generated DAGs' genesis (Kaspa's test-network easiest bits)."""
    return make_genesis(version=preset.block_version, timestamp=GENESIS_TIME, bits=0x1E7FFFFF)


def generate(count: int, seed: int) -> list[BlockHeader]:
    """``count`` headers of a 1-block/s DAG (genesis excluded), in creation order."""
    preset = bench_preset()
    consensus = Consensus.from_genesis_header(preset, bench_genesis(preset))
    arrivals = Arrivals(seed, GENESIS_TIME, MAX_DELAY_MS, preset.max_block_parents)
    hashes: list[Hash] = [consensus.genesis]
    headers: list[BlockHeader] = []
    for _ in range(count):
        now, tips = arrivals.next()
        parent_hashes = [hashes[i] for i in tips]
        timestamp = max(now, consensus.past_median_time_of_parents(parent_hashes) + 1)
        header = consensus.build_header(parent_hashes, timestamp=timestamp)
        hashes.append(consensus.add_full_header(header, now_ms=timestamp))
        arrivals.created(tips)
        headers.append(header)
    return headers


def feed(headers: Sequence[BlockHeader], window_cache: int | None = None) -> float:
    """CPU seconds to validate and add ``headers`` to a fresh DAG."""
    preset = bench_preset()
    genesis = bench_genesis(preset)
    if window_cache is None:
        consensus = Consensus.from_genesis_header(preset, genesis)
    else:
        consensus = Consensus.from_genesis_header(preset, genesis, window_cache=window_cache)
    start = time.process_time()
    for header in headers:
        consensus.add_full_header(header, now_ms=header.timestamp)
    return time.process_time() - start


def pow_cost(samples: int) -> float:
    """CPU seconds per proof-of-work check (matrix built per header, as validation does)."""
    header = bench_genesis(bench_preset())
    start = time.process_time()
    for nonce in range(samples):
        candidate = dataclasses.replace(header, nonce=nonce, timestamp=GENESIS_TIME + nonce)
        state = PowState(candidate)
        state.pow_value(candidate.nonce)
    return (time.process_time() - start) / samples


def main(argv: Sequence[str] | None = None) -> int:
    """Print the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.headers", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2^10 and 2^11 headers only")
    parser.add_argument("--baseline", type=int, default=1024, help="headers in the baseline")
    args = parser.parse_args(argv)
    exponents = [10, 11] if args.quick else [12, 13, 14, 15, 16]
    baseline_count = min(args.baseline, 256 if args.quick else args.baseline)
    print(
        f"{'headers':>8} {'generate s':>11} {'validate s':>11} {'headers/s':>10} {'us/header':>10}"
    )
    per_header: dict[int, float] = {}
    smallest: list[BlockHeader] = []
    for exponent in exponents:
        count = 1 << exponent
        started = time.process_time()
        headers = generate(count, seed=exponent)
        generated = time.process_time() - started
        seconds = feed(headers)
        per_header[exponent] = seconds / count
        rate = count / seconds
        goal = "" if rate >= RATE_GOAL else f"  (goal {RATE_GOAL:,}/s missed)"
        print(
            f"{count:>8,} {generated:>11.1f} {seconds:>11.2f} {rate:>10,.0f} "
            f"{per_header[exponent] * 1e6:>10.0f}{goal}"
        )
        if not smallest:
            smallest = headers
    first, last = exponents[0], exponents[-1]
    flat = per_header[last] / per_header[first]
    verdict = "met" if flat <= FLATNESS_GOAL else "MISSED"
    print(
        f"cost per header 2^{last} / 2^{first}: {flat:.2f}x (goal <= {FLATNESS_GOAL}x: {verdict})"
    )
    prefix = smallest[:baseline_count]
    cached = feed(prefix)
    scratch = feed(prefix, window_cache=0)
    print(
        f"first {len(prefix):,} headers: windows cached {cached:.2f} s, rebuilt from scratch "
        f"{scratch:.2f} s: cache {scratch / cached:.1f}x faster"
    )
    print(f"proof of work (not in the rates above): {pow_cost(8) * 1e3:.1f} ms per header")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
