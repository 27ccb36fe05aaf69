"""``dagspec conformance run``: every published vector against any adapter.

The runner starts the adapter command, asks ``hello`` for its protocol version and
capabilities, then runs every case of every vector file whose required capabilities the
adapter advertises; the others are reported as skipped, never as passed. One adapter process
serves case after case (each DAG case begins with ``reset``); when a case crashes it, hangs it
past the per-request timeout or gets a malformed reply, that case fails with the reason and a
fresh process serves the next one.

Exit status: 0 when every case that ran passed (and at least one ran), 1 when any failed,
2 when the run could not start (no adapter, no ``hello``, untrustworthy vectors).
"""

from __future__ import annotations

import argparse
import shlex
import time
from collections.abc import Sequence
from pathlib import Path

from conformance.client import AdapterFailure, AdapterProcess
from conformance.engine import CaseOutcome, RequestIds, run_case
from conformance.protocol import PROTOCOL_VERSION, JsonObject, JsonValue, encode_line
from conformance.report import CaseRecord, Progress, SuiteTally, summary, write_junit
from conformance.suites import StepChecker, capabilities
from conformance.vectors import SHIPPED_VECTORS, VectorError, VectorSet, load_vectors

DEFAULT_TIMEOUT = 10.0
"""Seconds the runner waits for any one reply."""

STARTUP_TIMEOUT = 60.0
"""Seconds a freshly started adapter may take to answer ``hello`` (at least the timeout)."""


def configure(parser: argparse.ArgumentParser) -> None:
    """``conformance run --adapter CMD [--vectors DIR] [--junit FILE] ...``."""
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    run_parser = actions.add_parser("run", help="run the vectors against an adapter")
    run_parser.add_argument("--adapter", required=True, metavar="CMD", help="adapter command line")
    run_parser.add_argument(
        "--vectors",
        type=Path,
        default=SHIPPED_VECTORS,
        metavar="DIR",
        help="vectors folder (default: the vectors shipped in the package)",
    )
    run_parser.add_argument("--junit", type=Path, metavar="FILE", help="write JUnit XML here")
    run_parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help="per-request timeout (default: %(default)s)",
    )
    run_parser.add_argument(
        "--suite",
        action="append",
        default=[],
        metavar="NAME",
        help="run only this suite (repeatable)",
    )
    run_parser.add_argument(
        "-x", "--exitfirst", action="store_true", help="stop after the first failed case"
    )


class _Adapter:
    """The current adapter process, restarted on demand."""

    def __init__(self, command: Sequence[str], timeout: float) -> None:
        self._command = command
        self._timeout = timeout
        self._process: AdapterProcess | None = None
        self.ids = RequestIds()
        self.restarts = 0

    def get(self) -> AdapterProcess:
        if self._process is None:
            self._process = AdapterProcess(self._command, self._timeout)
        return self._process

    def hello(self) -> JsonObject:
        process = self.get()
        request_id = self.ids.take()
        process.send(encode_line({"id": request_id, "method": "hello", "params": {}}))
        reply = process.receive(max(self._timeout, STARTUP_TIMEOUT))
        result = reply.get("result")
        if reply.get("id") != request_id or not isinstance(result, dict):
            raise AdapterFailure(f"bad hello reply {reply!r}")
        return result

    def broken(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process = None
            self.restarts += 1

    def close(self) -> None:
        if self._process is not None:
            self._process.close()
            self._process = None


def _checkers() -> dict[str, StepChecker]:
    found: dict[str, StepChecker] = {}
    for capability in capabilities():
        if capability.check is not None:
            for method in capability.methods:
                found[method] = capability.check
    return found


def _capabilities_of(hello: JsonObject) -> set[str]:
    advertised = hello.get("capabilities")
    if not isinstance(advertised, list):
        return set()
    return {item for item in advertised if isinstance(item, str)}


def run_vectors(
    vectors: VectorSet,
    command: Sequence[str],
    *,
    timeout: float,
    suites: Sequence[str] = (),
    exitfirst: bool = False,
    progress: Progress | None = None,
) -> tuple[list[SuiteTally], JsonObject]:
    """Run ``vectors`` against ``command``; the tallies by suite and the ``hello`` result."""
    progress = progress if progress is not None else Progress()
    adapter = _Adapter(command, timeout)
    hello = adapter.hello()
    if hello.get("protocol") != PROTOCOL_VERSION:
        raise AdapterFailure(f"adapter speaks protocol {hello.get('protocol')!r}, not 1")
    advertised = _capabilities_of(hello)
    checkers = _checkers()
    tallies: dict[str, SuiteTally] = {}
    by_suite: dict[str, list[tuple[str, JsonObject]]] = {}
    for path, document in vectors.documents:
        suite = str(document.get("suite"))
        if not suites or suite in suites:
            by_suite.setdefault(suite, []).append((path, document))
    stop = False
    try:
        for suite, files in by_suite.items():
            tally = tallies.setdefault(suite, SuiteTally(suite))
            total = sum(len(_list(document, "cases")) for _, document in files)
            for path, document in files:
                required = {str(item) for item in _list(document, "capabilities")}
                missing = sorted(required - advertised)
                cases = document.get("cases")
                for case in cases if isinstance(cases, list) else []:
                    if not isinstance(case, dict):
                        continue
                    name = str(case.get("name"))
                    if stop:
                        outcome = CaseOutcome("skipped", "not run: --exitfirst", 0.0, 0)
                    elif missing:
                        reason = f"adapter lacks capability {', '.join(map(str, missing))}"
                        outcome = CaseOutcome("skipped", reason, 0.0, 0)
                    else:
                        outcome = _run_one(adapter, str(document.get("kind")), case, checkers)
                        stop = exitfirst and outcome.status == "failed"
                    tally.add(CaseRecord(suite, path, name, outcome))
                    progress.update(suite, tally.cases, total)
            progress.finish(tally)
    finally:
        adapter.close()
    return list(tallies.values()), hello


def _list(document: JsonObject, key: str) -> list[JsonValue]:
    value = document.get(key)
    return value if isinstance(value, list) else []


def _run_one(
    adapter: _Adapter, kind: str, case: JsonObject, checkers: dict[str, StepChecker]
) -> CaseOutcome:
    try:
        process = adapter.get()
        if adapter.restarts and not process.alive():
            raise AdapterFailure("adapter exited")
    except (AdapterFailure, OSError) as failure:
        adapter.broken()
        return CaseOutcome("failed", f"adapter failed to start: {failure}", 0.0, 0, True)
    outcome = run_case(process, kind, case, adapter.ids, checkers)
    if outcome.adapter_broken:
        adapter.broken()
        try:
            adapter.hello()  # a fresh process for the next case
        except (AdapterFailure, OSError):
            adapter.broken()
    return outcome


def run(args: argparse.Namespace) -> int:
    """Entry point of ``dagspec conformance run``."""
    command = shlex.split(args.adapter)
    if not command:
        print("dagspec conformance: --adapter needs a command")
        return 2
    try:
        vectors = load_vectors(args.vectors)
    except VectorError as error:
        print(f"dagspec conformance: {error}")
        return 2
    manifest = vectors.manifest
    print(
        f"dagspec conformance: vectors {args.vectors} (spec {manifest.get('spec_version')}, "
        f"seed {manifest.get('seed')}, {len(vectors.documents)} files)"
    )
    started = time.perf_counter()
    try:
        tallies, hello = run_vectors(
            vectors,
            command,
            timeout=args.timeout,
            suites=args.suite,
            exitfirst=args.exitfirst,
        )
    except (AdapterFailure, OSError) as failure:
        print(f"dagspec conformance: cannot start the adapter `{args.adapter}`: {failure}")
        return 2
    wall = time.perf_counter() - started
    print(
        f"adapter: {hello.get('name')} {hello.get('version')}, capabilities "
        f"{', '.join(sorted(_capabilities_of(hello))) or '(none)'}"
    )
    print(summary(tallies, wall))
    if args.junit is not None:
        write_junit(tallies, args.junit)
        print(f"JUnit XML: {args.junit}")
    failed = sum(t.failed for t in tallies)
    passed = sum(t.passed for t in tallies)
    if failed:
        return 1
    if passed == 0:
        print("no case ran: the adapter supports none of the selected suites")
        return 1
    return 0
