"""Conformance-suite throughput: ``python -m benchmarks.conformance [--quick]``.

Runs the shipped vectors against the reference adapter exactly as ``make conformance`` does
(a ``dagspec adapter`` process, requests pipelined per case over its pipes) and reports wall
time, cases/s, requests/s and the slowest suites. The baseline, measured in the same run, is
the same requests answered in-process by the adapter's dispatcher (no process, no pipes, no
JSON framing): the ratio is the cost of the protocol itself.

Goal: the whole suite in under 60 s of wall time on 2 cores.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import Any

from conformance.dispatch import Dispatcher
from conformance.engine import check_reply
from conformance.protocol import JsonObject
from conformance.report import SilentProgress
from conformance.runner import run_vectors
from conformance.vectors import SHIPPED_VECTORS, VectorSet, load_vectors

GOAL_SECONDS = 60.0


def _in_process(vectors: VectorSet) -> dict[str, float]:
    """Seconds per suite answering every step in-process; raises on a wrong answer."""
    seconds: dict[str, float] = {}
    dispatcher = Dispatcher()
    for path, document in vectors.documents:
        loaded: Any = document
        suite = str(loaded["suite"])
        started = time.perf_counter()
        for case in loaded["cases"]:
            for step in case["steps"]:
                if loaded["kind"] == "raw":
                    line = step["send"] * step.get("repeat", 1)
                    reply: JsonObject = dispatcher.handle_line(line.encode())
                else:
                    reply = dispatcher.handle(0, step["method"], step["params"])
                problem = check_reply(step["expect"], reply)
                if problem is not None:
                    raise RuntimeError(f"{path}: {problem}")
        seconds[suite] = seconds.get(suite, 0.0) + time.perf_counter() - started
    return seconds


def main(argv: Sequence[str]) -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.conformance")
    parser.add_argument("--quick", action="store_true", help="first case of each file only")
    args = parser.parse_args(argv)
    vectors = load_vectors(SHIPPED_VECTORS)
    if args.quick:
        vectors = vectors.first_cases(1)
    baseline = _in_process(vectors)
    started = time.perf_counter()
    tallies, _ = run_vectors(
        vectors,
        [sys.executable, "-m", "conformance.cli", "adapter"],
        timeout=60,
        progress=SilentProgress(),
    )
    wall = time.perf_counter() - started
    cases = sum(t.passed + t.failed for t in tallies)
    requests = sum(t.requests for t in tallies)
    failed = sum(t.failed for t in tallies)
    header = f"{'suite':<14} {'cases':>6} {'requests':>9} {'adapter s':>10} {'in-process s':>13}"
    print(f"{header} {'ratio':>7}")
    for tally in sorted(tallies, key=lambda t: t.seconds, reverse=True):
        inner = baseline.get(tally.name, 0.0)
        ratio = tally.seconds / inner if inner > 0 else float("nan")
        print(
            f"{tally.name:<14} {tally.cases:>6} {tally.requests:>9} {tally.seconds:>10.2f} "
            f"{inner:>13.2f} {ratio:>6.1f}x"
        )
    inner_total = sum(baseline.values())
    print(
        f"{'total':<14} {cases:>6} {requests:>9} {wall:>10.2f} {inner_total:>13.2f} "
        f"{wall / inner_total:>6.1f}x"
    )
    verdict = "met" if wall < GOAL_SECONDS and failed == 0 else "MISSED"
    print(
        f"\n{cases / wall:.0f} cases/s, {requests / wall:.0f} requests/s over the adapter's pipes; "
        f"goal: whole suite < {GOAL_SECONDS:.0f} s wall: {wall:.1f} s, {verdict}"
        + (f" ({failed} cases FAILED)" if failed else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
