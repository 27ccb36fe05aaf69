"""``dagspec prove``: check every Z3 proof and CrossHair contract, print a table.

Exit status 0 only when every obligation is proved (or, for CrossHair, explored within its
per-condition budget without a counterexample); any counterexample, unknown or checker error
exits 1. Z3 and CrossHair are imported only when the command runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Final, TextIO

if TYPE_CHECKING:
    from proofs.obligation import Obligation, Outcome

TOOLS: Final = ("z3", "crosshair")


def configure(parser: argparse.ArgumentParser) -> None:
    """Options of ``dagspec prove``."""
    parser.add_argument(
        "--tool", choices=TOOLS, action="append", help="check only this tool's obligations"
    )
    parser.add_argument(
        "--only", metavar="TEXT", help="check only obligations whose name contains TEXT"
    )
    parser.add_argument(
        "--jobs", type=int, default=2, help="CrossHair processes run in parallel (default 2)"
    )
    parser.add_argument(
        "--crosshair-timeout",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="CPU seconds CrossHair may spend per condition (default 2)",
    )
    parser.add_argument(
        "--z3-timeout",
        type=float,
        default=20.0,
        metavar="SECONDS",
        help="seconds Z3 may spend per query before answering unknown (default 20)",
    )


def run(args: argparse.Namespace) -> int:
    """Check the selected obligations; 0 when all pass."""
    # Imported here so that every other subcommand (and `--help`) starts without Z3.
    from proofs.catalogue import all_obligations  # noqa: PLC0415

    selected = [
        obligation
        for obligation in all_obligations(int(args.z3_timeout * 1000), args.crosshair_timeout)
        if (not args.tool or obligation.tool in args.tool)
        and (not args.only or args.only in obligation.name)
    ]
    if not selected:
        print("no obligation matches the selection", file=sys.stderr)
        return 1
    started = time.perf_counter()
    outcomes = check_all(selected, max(1, args.jobs))
    print_table(selected, outcomes, time.perf_counter() - started, sys.stdout)
    return 0 if all(outcome.verdict.passed for outcome in outcomes) else 1


def check_all(obligations: Sequence[Obligation], jobs: int) -> list[Outcome]:
    """Outcomes in the order of ``obligations``.

    CrossHair obligations are subprocesses, run ``jobs`` at a time in worker threads; Z3
    obligations run meanwhile, one after another, in this thread (Z3's Python API shares one
    context and is not used from several threads).
    """
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        pending: dict[int, Future[Outcome]] = {
            index: pool.submit(_timed, obligation)
            for index, obligation in enumerate(obligations)
            if obligation.tool == "crosshair"
        }
        done = {
            index: _timed(obligation)
            for index, obligation in enumerate(obligations)
            if obligation.tool != "crosshair"
        }
        done.update({index: future.result() for index, future in pending.items()})
    return [done[index] for index in range(len(obligations))]


def _timed(obligation: Obligation) -> Outcome:
    # The wall time of the whole check (building the query included), not only the solver's.
    started = time.perf_counter()
    outcome = obligation.check()
    return dataclasses.replace(outcome, seconds=time.perf_counter() - started)


def print_table(
    obligations: Sequence[Obligation],
    outcomes: Sequence[Outcome],
    elapsed: float,
    out: TextIO,
) -> None:
    """The table of property, tool, verdict, seconds, spec section and what the verdict
    covers (the reference code checked and its inputs; for Z3, the paths explored), then the
    details of every failure."""
    rows = [("property", "tool", "verdict", "seconds", "spec", "covers")]
    rows += [
        (o.name, o.tool, r.verdict.value, f"{r.seconds:.2f}", o.spec_label, _covers(o, r))
        for o, r in zip(obligations, outcomes, strict=True)
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for number, row in enumerate(rows):
        cells = [
            cell.rjust(w) if c == 3 else cell.ljust(w)
            for c, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells).rstrip(), file=out)
        if number == 0:
            print("  ".join("-" * w for w in widths), file=out)
    for obligation, outcome in zip(obligations, outcomes, strict=True):
        if not outcome.verdict.passed:
            print(f"\n{obligation.name}: {outcome.verdict.value}\n  {outcome.detail}", file=out)
    counts = {verdict: 0 for verdict in {outcome.verdict for outcome in outcomes}}
    for outcome in outcomes:
        counts[outcome.verdict] += 1
    summary = ", ".join(f"{count} {verdict.value}" for verdict, count in sorted(counts.items()))
    failed = sum(1 for outcome in outcomes if not outcome.verdict.passed)
    status = "FAILED" if failed else "ok"
    print(f"\n{len(outcomes)} obligations: {summary}; {elapsed:.1f} s wall; {status}", file=out)
    print("spec: the section of spec/invariants.md; covers: what the verdict is about", file=out)


def _covers(obligation: Obligation, outcome: Outcome) -> str:
    paths = outcome.paths
    counted = f" ({paths} path{'s' if paths != 1 else ''})" if paths else ""
    return f"{obligation.covers}{counted}"
