"""``python -m adapters.external``: the report of Kaspa's implementations against the suite.

``make external`` builds both adapters, runs ``dagspec conformance run --junit`` against each,
then runs this module, which reads the JUnit files, replays every failed case step by step to
find each step that differs, classifies it (:mod:`adapters.differences`) and writes
``spec/external.md``. It exits 1 when any failure is left unexplained, or any skipped case has
no adapter gap behind it, so CI fails on a disagreement or a skip nobody has explained and
never on a documented one.

Replaying a case: when a step differs because the implementation *accepted* a header the
specification rejects, for a documented reason, the case is replayed without that header —
the specification's DAG is unchanged by a rejection, so both sides are in step again and the
rest of the case is still compared. Any other step whose acceptance differs puts the two DAGs
apart for good: the differing steps after it are listed as its consequences.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from adapters.differences import (
    ADAPTER_GAPS,
    DIFFERENCES,
    KASPAD,
    RUSTY_KASPA,
    Difference,
    Mismatch,
    changes_state,
    classify,
    outcome,
    shown,
)
from conformance.client import AdapterFailure, AdapterProcess
from conformance.engine import check_reply
from conformance.protocol import JsonObject, encode_line
from conformance.vectors import SHIPPED_VECTORS, load_vectors

TIMEOUT: Final = 30.0
"""Seconds to wait for any one reply while replaying."""


@dataclass(frozen=True, slots=True)
class Release:
    """What an adapter runs: the pinned Kaspa release and the rules it had."""

    name: str
    """The implementation (``rusty-kaspa`` or ``kaspad``)."""
    pinned: str
    """The pinned package and version."""
    release: str
    """Which Kaspa release that is, and when."""
    rules: str
    """The consensus rules of that release that matter here."""
    source: str
    """Where the adapter lives in this repository."""


RELEASES: Final = (
    Release(
        RUSTY_KASPA,
        "crates `kaspa-consensus`, `kaspa-consensus-core`, `kaspa-database`, `kaspa-hashes`, "
        "`kaspa-math` = 0.15.0 (`adapters/rusty-kaspa/Cargo.toml`, every crate locked in "
        "`Cargo.lock`)",
        "rusty-kaspa v0.15.0, published to crates.io on 2024-09-28: the last release on "
        "crates.io before the Crescendo hard fork (the next published version is 2.1.0)",
        "its mainnet: 1 block/s, K = 18, at most 10 parents, merge set size limit 180, "
        "finality depth 86,400, merge depth 3,600; difficulty over the full 2,641-block DAA "
        "window (its sampled window exists in the code but `sampling_activation_daa_score` is "
        "`u64::MAX` on mainnet: never active before Crescendo's 10 blocks/s)",
        "adapters/rusty-kaspa",
    ),
    Release(
        KASPAD,
        "Go module `github.com/kaspanet/kaspad` v0.12.23 (`adapters/kaspad/go.mod`, every "
        "module hashed in `go.sum`)",
        "kaspad v0.12.23, the newest version of the Go node the Go module proxy serves here "
        "(v0.12.24 and v0.13.0 are not available); kaspad was never upgraded to Crescendo",
        "its mainnet: 1 block/s, K = 18, at most 10 parents, merge set size limit 180, "
        "difficulty over the full 2,641-block DAA window (no sampling) — the same rules as "
        "rusty-kaspa 0.15.0's mainnet",
        "adapters/kaspad",
    ),
)
"""The two pinned implementations."""

PUBLISHED: Final = (
    "Why these versions: crates.io holds `kaspa-consensus` 0.0.0 to 0.0.4 (2023), 0.13.4 "
    "(2024-01), 0.15.0 (2024-09-28) and 2.1.0 (2026-10-04), nothing in between; 2.1.0 is "
    "Kaspa after the Crescendo hard fork (10 blocks/s), with a newer RocksDB and an SMT store, "
    "while "
    "0.15.0 has the 1 block/s rules of this specification's `kaspa-1bps` preset and of kaspad, "
    "so the two implementations answer under the same rules. Of kaspad's Go module the proxy "
    "serves v0.12.23 (not v0.12.24 nor v0.13.0)."
)
"""Which releases are published, and why the pins were chosen."""

CI_LIMIT: Final = 90 * 60
"""Seconds CI allows for the whole of ``.ci/run`` (two cores, 24 GiB)."""

MAKE_TEST: Final = 3 * 60 + 47
"""Seconds of ``make test`` on this project's machine, the environment installed (measured
2026-11-29; about four minutes)."""

WARM_CI_RUN: Final = 5 * 60 + 21
"""Seconds of the whole ``.ci/run`` from a fresh clone with warm Rust and Go caches: the
install, ``make test`` and ``make external`` (measured 2026-11-29, the README's figure)."""

BUILD_COST: Final = (
    "Measured on 2026-11-29 on this project's machine (2 cores, 24 GiB) with every cache "
    "empty (`CARGO_HOME`, the cargo target folder, `GOMODCACHE` and `GOCACHE` all new under "
    "`~/.cache/dagspec-external`, downloads included), while other jobs shared the two cores "
    "(load average 8.2 when the Rust build started, 3.7 when it ended): the wall times are "
    "those of a loaded machine, and no cold build was measured on an idle one. RocksDB's C++ "
    "(linked through `kaspa-database`, never run: every store of the adapter is in memory) is "
    "compiled unoptimised; with the default `-O3`, a first attempt under the same load had "
    "compiled fewer than a third of RocksDB's 316 files after 57 minutes. Later runs reuse the "
    "caches and rebuild nothing unless a pin changes (about 10 s to find nothing to do). The "
    "last row was measured with warm caches (load average 2.0 at its start, 4.7 at its end); "
    "it does not depend on them."
)
"""How the build cost was measured (the numbers are in :data:`BUILD_TIMES`)."""


@dataclass(frozen=True, slots=True)
class Timing:
    """One measured step of ``make external``."""

    step: str
    """What ran."""
    wall: int
    """Wall-clock seconds."""
    cpu: int
    """CPU seconds (user and system, every process)."""
    cold_only: bool
    """A cold build: a run with warm caches (:data:`WARM_CI_RUN`) does not include it."""


BUILD_TIMES: Final = (
    Timing(
        "rusty-kaspa adapter: `cargo build --release --locked` (277 crates compiled)",
        2527,
        1636,
        True,
    ),
    Timing("kaspad adapter: `go build`", 88, 54, True),
    Timing("the suite against both, the replays and this page", 79, 39, False),
)
"""The measured cold build and run, step by step."""


def duration(seconds: int) -> str:
    """``seconds`` as minutes and seconds."""
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def cold_ci_run() -> int:
    """Seconds of the whole ``.ci/run`` with cold caches: the measured warm run plus the
    measured cold builds (counting the few seconds of the warm builds twice)."""
    return WARM_CI_RUN + sum(t.wall for t in BUILD_TIMES if t.cold_only)


def ci_budget() -> str:
    """CI's limit against the measured times, with the margin left."""
    builds = sum(t.wall for t in BUILD_TIMES if t.cold_only)
    cold = cold_ci_run()
    return (
        f"CI's limit is {CI_LIMIT // 60} minutes for the whole of `.ci/run` (two cores, "
        f"24 GiB), which runs `make test` and then `make external`. `make test` takes about "
        f"{round(MAKE_TEST / 60)} minutes ({duration(MAKE_TEST)} measured with the environment "
        f"installed); from a fresh clone with warm caches the whole script took "
        f"{duration(WARM_CI_RUN)}, the install included. With cold caches it also runs the two "
        f"builds above, {duration(builds)} as measured on the loaded machine: about "
        f"{round(cold / 60)} minutes in all, a margin of about "
        f"{round((CI_LIMIT - cold) / 60)} minutes under the limit. Not measured: installing "
        "`libclang-dev` on a machine that lacks it (`adapters/external.sh` does, for bindgen)."
    )


@dataclass(slots=True)
class CaseResult:
    """One case of one implementation."""

    suite: str
    """The suite."""
    file: str
    """The vector file, relative to the vectors folder."""
    name: str
    """The case's name."""
    status: str
    """``passed``, ``failed`` or ``unsupported``."""
    note: str = ""
    """Why it was skipped, or the runner's message for a failure."""
    explained: list[tuple[Mismatch, Difference]] = field(default_factory=list)
    """Differing steps and the difference explaining each."""
    unexplained: list[Mismatch] = field(default_factory=list)
    """Differing steps nothing explains."""
    consequences: int = 0
    """Differing steps after the two DAGs parted for good."""
    problem: str = ""
    """Why the case could not be replayed, if it could not."""

    @property
    def is_explained(self) -> bool:
        """Every differing step of a failed case is explained."""
        return self.status != "failed" or (
            not self.unexplained and not self.problem and bool(self.explained)
        )


def read_junit(path: Path) -> list[CaseResult]:
    """The cases of a ``dagspec conformance run --junit`` file."""
    results: list[CaseResult] = []
    for suite in ET.parse(path).getroot().iter("testsuite"):
        suite_name = suite.get("name", "")
        for case in suite.iter("testcase"):
            classname = case.get("classname", "")
            file = classname[len(suite_name) + 1 :]
            failure = case.find("failure")
            skipped = case.find("skipped")
            if failure is not None:
                status, note = "failed", failure.get("message", "")
            elif skipped is not None:
                status, note = "unsupported", skipped.get("message", "")
            else:
                status, note = "passed", ""
            results.append(CaseResult(suite_name, file, case.get("name", ""), status, note))
    return results


def replay(
    command: Sequence[str], steps: Sequence[JsonObject], leave_out: set[int]
) -> list[Mismatch]:
    """Send a script case's requests (all but ``leave_out``) and list the differing steps."""
    process = AdapterProcess(command, TIMEOUT)
    try:
        sent: list[int] = []
        for index, step in enumerate(steps):
            if index in leave_out:
                continue
            request = {"id": index + 1, "method": step["method"], "params": step["params"]}
            process.send(encode_line(request))
            sent.append(index)
        mismatches: list[Mismatch] = []
        for index in sent:
            step = steps[index]
            reply = process.receive()
            expect = step["expect"]
            if not isinstance(expect, dict) or check_reply(expect, reply) is None:
                continue
            method, params = step["method"], step["params"]
            mismatches.append(
                Mismatch(
                    index,
                    method if isinstance(method, str) else "",
                    params if isinstance(params, dict) else {},
                    expect,
                    reply,
                )
            )
        return mismatches
    finally:
        process.close()


def explain(
    implementation: str, command: Sequence[str], steps: Sequence[JsonObject], result: CaseResult
) -> None:
    """Fill in ``result`` by replaying the case, leaving out headers the specification rejects
    for a documented reason that the implementation accepted."""
    leave_out: set[int] = set()
    left_out: list[tuple[Mismatch, Difference]] = []
    while True:
        mismatches = replay(command, steps, leave_out)
        explained: list[tuple[Mismatch, Difference]] = []
        unexplained: list[Mismatch] = []
        consequences = 0
        parted = False
        again = False
        for mismatch in mismatches:
            if parted:
                consequences += 1
                continue
            difference = classify(implementation, mismatch)
            if difference is None:
                unexplained.append(mismatch)
            else:
                explained.append((mismatch, difference))
            if changes_state(mismatch):
                if difference is not None and outcome(mismatch.reply) == "accepted":
                    leave_out.add(mismatch.step)
                    left_out.append((mismatch, difference))
                    again = True
                    break
                parted = True
        if not again:
            result.explained = sorted(left_out + explained, key=lambda pair: pair[0].step)
            result.unexplained = unexplained
            result.consequences = consequences
            return


def analyse(
    implementation: str, command: Sequence[str], junit: Path, vectors: Path
) -> list[CaseResult]:
    """Every case of one implementation's run, failures replayed and classified."""
    results = read_junit(junit)
    documents = dict(load_vectors(vectors).documents)
    for result in results:
        if result.status != "failed":
            continue
        document = documents.get(result.file, {})
        cases = document.get("cases")
        case = (
            next(
                (c for c in cases if isinstance(c, dict) and c.get("name") == result.name),
                None,
            )
            if isinstance(cases, list)
            else None
        )
        steps = case.get("steps") if isinstance(case, dict) else None
        if document.get("kind") != "script" or not isinstance(steps, list):
            result.problem = f"not a script case; the runner said: {result.note}"
            continue
        try:
            explain(implementation, command, [s for s in steps if isinstance(s, dict)], result)
        except AdapterFailure as failure:
            result.problem = f"replay failed: {failure}"
        if not result.explained and not result.unexplained and not result.problem:
            result.problem = f"the replay passed; the runner said: {result.note}"
    return results


# ---------------------------------------------------------------------------- the page

HEADER: Final = """\
# Kaspa's implementations against this specification

<!-- Generated by `make external` (adapters/external.py); do not edit by hand. -->

The conformance suite ({doc}`adapter`, {doc}`vectors`) is run against Kaspa's production
consensus code: rusty-kaspa's published crates and kaspad's Go module, each driven by a small
adapter in `adapters/` that answers the protocol with Kaspa's own functions — its GHOSTDAG
manager, its reachability over its own stores, its compact-bits decoding and work. Every case
that does not pass is explained below: by a row of {doc}`deviations` (a documented deviation
of this specification, with its reason) or by a gap of the adapter. A case nothing explains is
a finding, and `make external` fails until it is explained.

`make external` builds both adapters (Rust and Go build caches in `~/.cache/dagspec-external`,
outside the clone), runs `dagspec conformance run --adapter … --junit …` against each, replays
every failed case step by step and regenerates this page. The Python tests never depend on it.
"""


FINDINGS: Final = """\
## Found by running Kaspa's code

Three differences were unknown to the register until these runs showed them; each is now a row
of {doc}`deviations`, and the specification was kept because Kaspa's behaviour is either
accidental or disputed between its two implementations:

- `VA-2` — neither implementation refuses a header that lists a parent twice: rusty-kaspa's
  `HeaderProcessor::check_parents_incest` and kaspad's `checkParentsIncest` skip equal hashes,
  and no other header rule looks at repeats. The specification's `DUPLICATE_PARENT` stays.
- `VA-3` — kaspad's `ValidateHeaderInContext` checks blue work before blue score, and its
  `checkHeaderBlueScore` wraps `ErrUnexpectedBlueWork`, so a wrong blue score is reported as
  a wrong blue work; rusty-kaspa's `post_pow_validation` checks blue score first with its own
  error (`UnexpectedHeaderBlueScore`).
- `WK-4` — kaspad's `CompactToBig` tests the sign bit before shifting a short mantissa right,
  rusty-kaspa's `Uint256::from_compact_target_bits` after; the two Kaspa implementations
  decode `0x01800000` differently (no target, and `0x80`), and the specification follows
  rusty-kaspa.

The rule-order differences (`VA-1`), the compact bits past 256 bits (`WK-1`) and the 192-bit
blue work (`WK-2`) were already in the register; the runs confirm them on Kaspa's own code, and
made one of them more precise (its row says so now):

- `WK-1` — rusty-kaspa does not merely truncate a target past 256 bits. Its
  `Uint256::overflowing_shl` reduces the shift modulo 256, so in a release build (a node's)
  bits whose exponent is 35 or more shift the mantissa by 8·(e − 3) mod 256 bits:
  `0x31669c17` (exponent 49, shift 368) decodes to `0x669c17` · 2^112, and `0x257247ec`
  (exponent 37) to a target so small that `calc_work` panics (`WK-2`). A debug build stops on
  its `debug_assert!`. Exponents 33 and 34 do truncate.
"""


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return [*lines, ""]


GAP_OF_CAPABILITY: Final = {
    "difficulty": "AG-1",
    "work": "AG-1",
    "relay": "AG-2",
    "headers": "AG-5",
    "pruning": "AG-5",
}
"""The adapter gap behind each capability the adapters do not advertise."""

UNMAPPED: Final = "?"
"""The verdict's gap for a skipped case no gap explains (an unknown capability, say)."""

ADVERTISED: Final = ("bits", "reachability", "ghostdag", "validation", "virtual")
"""The capabilities both adapters advertise in their ``hello`` (``CAPABILITIES`` in
``adapters/rusty-kaspa/src/main.rs``, ``capabilities`` in ``adapters/kaspad/main.go``)."""

HEADER_MODE: Final = """\
AG-5 is work not yet done in the adapters, not something Kaspa lacks. Both pinned releases ship
a test harness over their whole consensus: rusty-kaspa 0.15.0's `kaspa-consensus` crate exports
`kaspa_consensus::consensus::test_consensus` (`TestConsensus`, with `build_header_with_parents`
and its consensus's `validate_and_insert_block`), and kaspad v0.12.23 ships
`domain/consensus/test_consensus.go` (`NewTestConsensus` of its consensus factory, with
`BuildHeaderWithParents` and `AddUTXOInvalidHeader`). Header mode (protocol 3) could be driven
over them, with Kaspa's header processor checking proof of work, the DAA window, timestamps and
pruning points; the adapters do not do it yet and speak protocol 1, so the runner skips the
`headers` and `pruning` suites.
"""


def _gap_of(note: str) -> str:
    """The gaps named by a runner's skip message ("adapter lacks capability a, b"); ``?`` for
    a capability no gap explains, which fails the run."""
    named = note.rsplit("capability", 1)[-1].replace(",", " ").split()
    gaps = sorted({GAP_OF_CAPABILITY.get(name, UNMAPPED) for name in named})
    return ", ".join(gaps) if gaps else UNMAPPED


def is_unmapped(case: CaseResult) -> bool:
    """An unsupported case no adapter gap explains."""
    return case.status == "unsupported" and UNMAPPED in _gap_of(case.note).split(", ")


def render(runs: Sequence[tuple[Release, list[CaseResult]]]) -> str:
    """The whole page."""
    lines = [HEADER]
    lines += ["## The pinned releases", ""]
    lines += _table(
        ["implementation", "pinned", "release", "its rules"],
        [[r.name, r.pinned, r.release, r.rules] for r, _ in runs],
    )
    lines += [PUBLISHED, ""]
    lines += ["## What the adapters do", ""]
    advertised = ", ".join(f"`{name}`" for name in ADVERTISED[:-1])
    lines += [
        f"Both adapters advertise {advertised} and `{ADVERTISED[-1]}`. What they do not cover, "
        "and why, is one of these gaps:",
        "",
    ]
    lines += _table(["gap", "what"], [[ident, text] for ident, text in ADAPTER_GAPS.items()])
    lines += [HEADER_MODE]
    lines += ["## Build cost and CI's limit", "", BUILD_COST, ""]
    lines += _table(
        ["step", "wall time", "CPU time"],
        [[t.step, duration(t.wall), duration(t.cpu)] for t in BUILD_TIMES],
    )
    lines += [ci_budget(), ""]
    lines += ["## Results by suite", ""]
    suites = sorted({c.suite for _, cases in runs for c in cases}, key=_suite_order(runs))
    rows = []
    for suite in suites:
        row = [suite]
        for _, cases in runs:
            of_suite = [c for c in cases if c.suite == suite]
            counts = {
                s: sum(1 for c in of_suite if c.status == s)
                for s in ("passed", "failed", "unsupported")
            }
            row.append(f"{counts['passed']} / {counts['failed']} / {counts['unsupported']}")
        rows.append(row)
    lines += _table(["suite"] + [f"{r.name}: passed / failed / unsupported" for r, _ in runs], rows)
    lines += _differences_used(runs)
    lines += [FINDINGS]
    lines += _failures(runs)
    for release, cases in runs:
        lines += [f"## Every case: {release.name}", ""]
        lines += _table(
            ["suite", "file", "case", "result"],
            [[c.suite, c.file, c.name, _verdict(c)] for c in cases],
        )
    return "\n".join(lines).rstrip() + "\n"


def _suite_order(runs: Sequence[tuple[Release, list[CaseResult]]]) -> _Key:
    order: list[str] = []
    for _, cases in runs:
        for case in cases:
            if case.suite not in order:
                order.append(case.suite)
    return _Key(order)


class _Key:
    def __init__(self, order: list[str]) -> None:
        self._order = order

    def __call__(self, suite: str) -> int:
        return self._order.index(suite)


def _verdict(case: CaseResult) -> str:
    if case.status == "unsupported":
        return f"unsupported ({_gap_of(case.note)})"
    if case.status == "passed":
        return "passed"
    ids: list[str] = []
    for _, difference in case.explained:
        if _cite(difference) not in ids:
            ids.append(_cite(difference))
    if not case.is_explained:
        return "failed: **unexplained**"
    return "failed: " + ", ".join(ids)


def _failures(runs: Sequence[tuple[Release, list[CaseResult]]]) -> list[str]:
    lines = ["## Every case that does not pass", ""]
    rows = []
    for release, cases in runs:
        for case in cases:
            if case.status != "failed":
                continue
            steps = [_step_line(m, _cite(d)) for m, d in case.explained]
            steps += [_step_line(m, "**unexplained**") for m in case.unexplained]
            if case.consequences:
                steps.append(f"{case.consequences} later steps differ as a consequence")
            if case.problem:
                steps.append(case.problem)
            rows.append([release.name, case.file, case.name, "<br>".join(steps)])
    if not rows:
        return [*lines, "Every case that ran passed.", ""]
    return lines + _table(["implementation", "file", "case", "differing steps"], rows)


def _cite(difference: Difference) -> str:
    """A register row is cited in backticks (checked against the register by its test); an
    adapter gap is not a register row."""
    return f"`{difference.ident}`" if difference.kind == "deviation" else difference.ident


def _step_line(mismatch: Mismatch, verdict: str) -> str:
    return (
        f"step {mismatch.step} `{mismatch.method}` {shown(mismatch.params, 90)}: expected "
        f"{shown(mismatch.expected, 70)}, got {shown(_short(mismatch.reply), 70)} — {verdict}"
    )


def _short(reply: JsonObject) -> JsonObject:
    error = reply.get("error")
    if isinstance(error, dict):
        return {"error": error.get("code")}
    return {"result": reply.get("result")}


def _differences_used(runs: Sequence[tuple[Release, list[CaseResult]]]) -> list[str]:
    lines = ["## The differences found", ""]
    rows = []
    for difference in DIFFERENCES:
        hits = {
            release.name: sum(1 for c in cases for _, d in c.explained if d is difference)
            for release, cases in runs
        }
        if not any(hits.values()):
            continue
        counted = ", ".join(f"{name}: {n}" for name, n in hits.items() if n)
        rows.append([_cite(difference), difference.kind, difference.summary, counted])
    unexplained = sum(len(c.unexplained) + bool(c.problem) for _, cases in runs for c in cases)
    lines += [
        "Each differing step is explained by the first row below that matches it (the row ids "
        "are those of {doc}`deviations`). Unexplained steps: "
        f"**{unexplained}**.",
        "",
    ]
    return lines + _table(["id", "kind", "what differs", "steps"], rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: analyse each implementation's run and write the page."""
    parser = argparse.ArgumentParser(prog="python -m adapters.external", description=__doc__)
    parser.add_argument(
        "--run",
        nargs=3,
        action="append",
        required=True,
        metavar=("NAME", "JUNIT", "COMMAND"),
        help="an implementation (rusty-kaspa or kaspad), its JUnit file and its adapter command",
    )
    parser.add_argument("--vectors", type=Path, default=SHIPPED_VECTORS)
    parser.add_argument("--out", type=Path, required=True, help="the page to write")
    args = parser.parse_args(argv)
    releases = {r.name: r for r in RELEASES}
    runs: list[tuple[Release, list[CaseResult]]] = []
    for name, junit, command in args.run:
        if name not in releases:
            parser.error(f"unknown implementation {name}")
        runs.append(
            (releases[name], analyse(name, shlex.split(command), Path(junit), args.vectors))
        )
    args.out.write_text(render(runs), encoding="utf-8")
    bad = [
        f"{release.name} {case.file} :: {case.name}"
        for release, cases in runs
        for case in cases
        if not case.is_explained
    ]
    unmapped = [
        f"{release.name} {case.file} :: {case.name} ({case.note})"
        for release, cases in runs
        for case in cases
        if is_unmapped(case)
    ]
    for release, cases in runs:
        counts = {
            s: sum(1 for c in cases if c.status == s) for s in ("passed", "failed", "unsupported")
        }
        explained = sum(1 for c in cases if c.status == "failed" and c.is_explained)
        # Not pytest's "N passed, N failed" closing line: a failure here may be explained.
        print(
            f"external {release.name}: cases passing {counts['passed']}, failing "
            f"{counts['failed']} (explained {explained}), unsupported {counts['unsupported']}"
        )
    print(f"wrote {args.out}")
    if bad:
        print(f"{len(bad)} failed case(s) not explained:")
        for line in bad:
            print(f"  {line}")
    if unmapped:
        print(f"{len(unmapped)} unsupported case(s) no adapter gap explains:")
        for line in unmapped:
            print(f"  {line}")
    return 1 if bad or unmapped else 0


if __name__ == "__main__":
    sys.exit(main())
