"""What the runner prints and writes: progress lines, the summary table, JUnit XML."""

from __future__ import annotations

import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from conformance.engine import CaseOutcome


@dataclass(slots=True)
class CaseRecord:
    """One case's outcome, with where it came from."""

    suite: str
    """The suite it belongs to."""
    file: str
    """Its vector file, relative to the vectors folder."""
    name: str
    """The case's name."""
    outcome: CaseOutcome
    """The verdict."""


@dataclass(slots=True)
class SuiteTally:
    """Counts of one suite."""

    name: str
    """The suite."""
    cases: int = 0
    """Cases run or skipped."""
    passed: int = 0
    """Cases passed."""
    failed: int = 0
    """Cases failed."""
    skipped: int = 0
    """Cases skipped (a capability the adapter lacks)."""
    seconds: float = 0.0
    """Wall time."""
    requests: int = 0
    """Requests sent."""
    records: list[CaseRecord] = field(default_factory=list)
    """Every case."""

    def add(self, record: CaseRecord) -> None:
        """Count one case."""
        self.records.append(record)
        self.cases += 1
        self.seconds += record.outcome.seconds
        self.requests += record.outcome.requests
        if record.outcome.status == "passed":
            self.passed += 1
        elif record.outcome.status == "failed":
            self.failed += 1
        else:
            self.skipped += 1


class Progress:
    """A live counter on a terminal; one finished line per suite everywhere."""

    def __init__(self, stream: TextIO | None = None, heartbeat: float = 15.0) -> None:
        """Live on a terminal; elsewhere (CI logs) a line every ``heartbeat`` seconds."""
        self._stream = stream if stream is not None else sys.stdout
        self._live = self._stream.isatty()
        self._heartbeat = heartbeat
        self._last = time.monotonic()

    def update(self, suite: str, done: int, total: int) -> None:
        """``suite  done/total``: rewritten in place on a terminal, else now and then."""
        if self._live:
            self._stream.write(f"\r  {suite:<14} {done:>5}/{total:<5}")
            self._stream.flush()
        elif time.monotonic() - self._last >= self._heartbeat and done < total:
            self._last = time.monotonic()
            self._stream.write(f"  {suite:<14} {done:>5}/{total} cases …\n")
            self._stream.flush()

    def finish(self, tally: SuiteTally) -> None:
        """The suite's line once it is done."""
        prefix = "\r" if self._live else ""
        verdict = "ok" if tally.failed == 0 else "FAILED"
        if tally.cases == tally.skipped:
            verdict = "skipped"
        self._last = time.monotonic()
        self._stream.write(
            f"{prefix}  {tally.name:<14} {tally.cases:>5} cases  {tally.passed:>5} passed  "
            f"{tally.failed:>4} failed  {tally.skipped:>4} skipped  {tally.seconds:6.2f} s  "
            f"{verdict}\n"
        )
        self._stream.flush()


class SilentProgress(Progress):
    """Reports nothing: for programmatic runs that only want the tallies."""

    def __init__(self) -> None:
        """No stream, no clock."""

    def update(self, suite: str, done: int, total: int) -> None:
        """Nothing."""

    def finish(self, tally: SuiteTally) -> None:
        """Nothing."""


def summary(tallies: Sequence[SuiteTally], wall_seconds: float, max_failures: int = 20) -> str:
    """The summary table, the failures (up to ``max_failures``) and the throughput."""
    lines = [
        "",
        f"{'suite':<14} {'cases':>6} {'passed':>7} {'failed':>7} {'skipped':>8} {'seconds':>8}",
    ]
    total = SuiteTally("total")
    for tally in tallies:
        lines.append(_row(tally))
        for record in tally.records:
            total.add(record)
    lines.append(_row(total))
    failures = [r for t in tallies for r in t.records if r.outcome.status == "failed"]
    if failures:
        lines.append("")
        lines.append(f"failures ({len(failures)}):")
        for record in failures[:max_failures]:
            lines.append(f"  {record.file} :: {record.name}")
            lines.append(f"      {record.outcome.message}")
        if len(failures) > max_failures:
            lines.append(f"  … and {len(failures) - max_failures} more (see --junit)")
    ran = total.passed + total.failed
    rate = ran / wall_seconds if wall_seconds > 0 else 0.0
    lines.append("")
    lines.append(
        f"{ran} cases ({total.requests} requests) in {wall_seconds:.2f} s: {rate:.0f} cases/s, "
        f"{total.requests / wall_seconds if wall_seconds > 0 else 0:.0f} requests/s"
    )
    return "\n".join(lines)


def _row(tally: SuiteTally) -> str:
    return (
        f"{tally.name:<14} {tally.cases:>6} {tally.passed:>7} {tally.failed:>7} "
        f"{tally.skipped:>8} {tally.seconds:>8.2f}"
    )


def write_junit(tallies: Sequence[SuiteTally], path: Path) -> None:
    """JUnit XML: one ``testsuite`` per suite, one ``testcase`` per case."""
    root = ET.Element("testsuites", name="dagspec conformance")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    seconds = 0.0
    for tally in tallies:
        suite = ET.SubElement(
            root,
            "testsuite",
            name=tally.name,
            tests=str(tally.cases),
            failures=str(tally.failed),
            errors="0",
            skipped=str(tally.skipped),
            time=f"{tally.seconds:.3f}",
        )
        for record in tally.records:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"{tally.name}.{record.file}",
                name=record.name,
                time=f"{record.outcome.seconds:.3f}",
            )
            if record.outcome.status == "failed":
                failure = ET.SubElement(case, "failure", message=record.outcome.message[:500])
                failure.text = record.outcome.message
            elif record.outcome.status == "skipped":
                ET.SubElement(case, "skipped", message=record.outcome.message)
        totals["tests"] += tally.cases
        totals["failures"] += tally.failed
        totals["skipped"] += tally.skipped
        seconds += tally.seconds
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("errors", "0")
    root.set("time", f"{seconds:.3f}")
    ET.indent(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
