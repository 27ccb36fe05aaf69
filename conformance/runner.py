"""``dagspec conformance run``: every published vector against any adapter.

The runner starts the adapter command, asks ``hello`` for its protocol version and
capabilities, then runs every case of every vector file whose required capabilities the
adapter advertises; the others are reported as skipped, never as passed. One adapter process
serves case after case (each DAG case begins with ``reset``); when a case crashes it, hangs it
past the per-request timeout or gets a malformed reply, that case fails with the reason and a
fresh process serves the next one. Every reply is checked against the published reply
schemas as well as against its expectation. The whole run has a deadline: cases it cuts short
or never reaches fail.

Exit status: 0 when every case that ran passed, at least one case of some capability ran and
every capability named by ``--require`` is advertised; 1 otherwise; 2 when the run could not
start (no adapter, no ``hello``, untrustworthy vectors, an unknown ``--require`` or
``--suite``).
"""

from __future__ import annotations

import argparse
import shlex
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from conformance.client import AdapterFailure, AdapterProcess
from conformance.engine import CaseOutcome, Deadline, RequestIds, run_case, same_id
from conformance.protocol import SUPPORTED_PROTOCOLS, JsonObject, JsonValue, encode_line
from conformance.replies import ReplySchemas
from conformance.report import CaseRecord, Progress, SuiteTally, summary, write_junit
from conformance.suites import StepChecker, capabilities
from conformance.vectors import SHIPPED_VECTORS, VectorError, VectorSet, load_vectors

DEFAULT_TIMEOUT = 10.0
"""Seconds the runner waits for any one reply."""

DEFAULT_DEADLINE = 1800.0
"""Seconds a whole run may take (the reference adapter needs a few; a slow one, minutes)."""

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
        "--deadline",
        type=float,
        default=DEFAULT_DEADLINE,
        metavar="SECONDS",
        help="the whole run's time limit; cases not finished by then fail (default: %(default)s)",
    )
    run_parser.add_argument(
        "--require",
        action="append",
        default=[],
        metavar="CAPABILITY",
        help="fail unless the adapter advertises this capability (repeatable)",
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

    def hello(self, schemas: ReplySchemas, deadline: Deadline | None = None) -> JsonObject:
        process = self.get()
        request_id = self.ids.take()
        process.send(encode_line({"id": request_id, "method": "hello", "params": {}}))
        wait = max(self._timeout, STARTUP_TIMEOUT)
        if deadline is not None:
            wait = min(wait, max(deadline.left(), 0.001))
        reply = process.receive(wait)
        result = reply.get("result")
        if not same_id(request_id, reply.get("id")) or not isinstance(result, dict):
            raise AdapterFailure(f"bad hello reply {str(reply)[:200]}")
        if result.get("protocol") not in SUPPORTED_PROTOCOLS:
            raise AdapterFailure(
                f"adapter speaks protocol {result.get('protocol')!r}, not one of "
                f"{', '.join(map(str, SUPPORTED_PROTOCOLS))}"
            )
        problem = schemas.problem("hello", reply)
        if problem is not None:
            raise AdapterFailure(f"bad hello reply {str(reply)[:200]}: {problem}")
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
    deadline: float | None = None,
    suites: Sequence[str] = (),
    exitfirst: bool = False,
    progress: Progress | None = None,
) -> tuple[list[SuiteTally], JsonObject]:
    """Run ``vectors`` against ``command``; the tallies by suite and the ``hello`` result.

    ``deadline`` (seconds, ``None`` for none) bounds the whole run: the case it interrupts
    and every case after it fail.
    """
    progress = progress if progress is not None else Progress()
    limit = Deadline.after(deadline) if deadline is not None else None
    schemas = ReplySchemas()
    adapter = _Adapter(command, timeout)
    try:
        hello = adapter.hello(schemas, limit)
    except (AdapterFailure, OSError):
        adapter.close()
        raise
    advertised = _capabilities_of(hello)
    checkers = _checkers()
    context = _RunContext(adapter, checkers, schemas, limit)
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
                    elif limit is not None and limit.passed():
                        outcome = CaseOutcome("failed", f"not run: {limit.failure()}", 0.0, 0)
                    else:
                        outcome = _run_one(context, str(document.get("kind")), case)
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


@dataclass(frozen=True, slots=True)
class _RunContext:
    """What every case of one run shares."""

    adapter: _Adapter
    """The adapter, restarted on demand."""
    checkers: Mapping[str, StepChecker]
    """Custom reply checks by method."""
    schemas: ReplySchemas
    """The published reply schemas."""
    deadline: Deadline | None
    """The end of the run."""


def _run_one(context: _RunContext, kind: str, case: JsonObject) -> CaseOutcome:
    adapter = context.adapter
    try:
        process = adapter.get()
        if adapter.restarts and not process.alive():
            raise AdapterFailure("adapter exited")
    except (AdapterFailure, OSError) as failure:
        adapter.broken()
        return CaseOutcome("failed", f"adapter failed to start: {failure}", 0.0, 0, True)
    outcome = run_case(
        process,
        kind,
        case,
        adapter.ids,
        context.checkers,
        schemas=context.schemas,
        deadline=context.deadline,
    )
    if outcome.adapter_broken:
        adapter.broken()
        if context.deadline is None or not context.deadline.passed():
            try:
                adapter.hello(context.schemas, context.deadline)  # a fresh process
            except (AdapterFailure, OSError):
                adapter.broken()
    return outcome


def run(args: argparse.Namespace) -> int:
    """Entry point of ``dagspec conformance run``."""
    command = shlex.split(args.adapter)
    if not command:
        print("dagspec conformance: --adapter needs a command")
        return 2
    known = {capability.name for capability in capabilities() if not capability.core}
    unknown = sorted(set(args.require) - known)
    if unknown:
        print(
            f"dagspec conformance: --require names no capability: {', '.join(unknown)} "
            f"(capabilities: {', '.join(sorted(known))})"
        )
        return 2
    if args.deadline <= 0 or args.timeout <= 0:
        print("dagspec conformance: --timeout and --deadline must be positive")
        return 2
    try:
        vectors = load_vectors(args.vectors)
    except VectorError as error:
        print(f"dagspec conformance: {error}")
        return 2
    published = sorted({str(document.get("suite")) for _, document in vectors.documents})
    unknown = sorted(set(args.suite) - set(published))
    if unknown:
        print(
            f"dagspec conformance: --suite names no suite of the vectors: {', '.join(unknown)} "
            f"(suites: {', '.join(published)})"
        )
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
            deadline=args.deadline,
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
    return verdict(tallies, _capabilities_of(hello), args.require, vectors)


def verdict(
    tallies: Sequence[SuiteTally],
    advertised: set[str],
    required: Sequence[str],
    vectors: VectorSet,
) -> int:
    """The exit status of a finished run, with the reason printed when it is not 0."""
    status = 0
    missing = sorted(set(required) - advertised)
    if missing:
        print(f"FAILED: the adapter does not advertise required capability {', '.join(missing)}")
        status = 1
    if any(t.failed for t in tallies):
        status = 1
    if sum(t.passed for t in tallies) == 0:
        print("FAILED: no case ran: the adapter supports none of the selected suites")
        return 1
    core_files = {
        path for path, document in vectors.documents if not _list(document, "capabilities")
    }
    if all(
        record.file in core_files
        for t in tallies
        for record in t.records
        if record.outcome.status == "passed"
    ):
        print(
            "FAILED: only the protocol's framing cases ran: the adapter advertises no "
            "capability the selected vectors test"
        )
        status = 1
    return status
