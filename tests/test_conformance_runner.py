"""The runner: passes the reference adapter, reports skips, crashes and hangs per case, and
holds adapters to the protocol: reply schemas, exact ids, required capabilities, no orphans,
an overall deadline, well-formed vectors."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from conformance.cli import main
from conformance.report import SilentProgress, SuiteTally
from conformance.runner import run_vectors
from conformance.vectors import (
    REPOSITORY_ROOT,
    SHIPPED_VECTORS,
    VectorError,
    VectorSet,
    load_vectors,
)

REFERENCE = f"{sys.executable} -m conformance.cli adapter"


def _mutant(name: str) -> list[str]:
    return [sys.executable, "-m", f"tests.mutants.{name}"]


def _few(cases: int) -> VectorSet:
    """The shipped vectors with each file cut to its first ``cases`` cases (restarts are slow)."""
    return load_vectors(SHIPPED_VECTORS).first_cases(cases)


def _by_suite(tallies: list[SuiteTally]) -> dict[str, SuiteTally]:
    return {tally.name: tally for tally in tallies}


def test_the_reference_adapter_passes_every_vector(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPOSITORY_ROOT)
    junit = tmp_path / "junit.xml"
    status = main(["conformance", "run", "--adapter", REFERENCE, "--junit", str(junit)])
    out = capsys.readouterr().out
    assert status == 0, out
    for suite in ("protocol", "work", "bits", "reachability", "ghostdag", "kaspa", "orders"):
        assert f"\n  {suite} " in out, suite  # one progress line per suite
    assert "suite           cases  passed  failed  skipped  seconds" in out
    assert "cases/s" in out
    root = ET.parse(junit).getroot()
    cases = sum(1 for _ in root.iter("testcase"))
    manifest: Any = load_vectors(SHIPPED_VECTORS).manifest
    manifest_cases = sum(entry["cases"] for entry in manifest["files"])
    assert cases == manifest_cases == int(root.get("tests", "0"))
    assert root.get("failures") == "0" and root.get("skipped") == "0"


def test_missing_capabilities_are_skipped_never_passed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPOSITORY_ROOT)
    vectors = load_vectors(SHIPPED_VECTORS)
    tallies, hello = run_vectors(
        vectors,
        _mutant("work_only"),
        timeout=10,
        suites=["work", "bits", "ghostdag"],
        progress=SilentProgress(),
    )
    suites = _by_suite(tallies)
    assert hello["capabilities"] == ["work"]
    assert suites["work"].passed == suites["work"].cases > 0
    assert suites["bits"].skipped == suites["bits"].cases > 0 and suites["bits"].passed == 0
    assert suites["ghostdag"].skipped == suites["ghostdag"].cases > 0
    assert all("lacks capability" in r.outcome.message for r in suites["ghostdag"].records)


def test_a_crash_fails_each_case_and_a_fresh_adapter_serves_the_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(REPOSITORY_ROOT)
    tallies, _ = run_vectors(
        _few(1),
        _mutant("crash_on_virtual"),
        timeout=10,
        suites=["virtual", "validation"],
        progress=SilentProgress(),
    )
    suites = _by_suite(tallies)
    virtual = suites["virtual"]
    assert virtual.failed == virtual.cases == 4  # 2 files in both target forms
    assert all("exited with status 3" in r.outcome.message for r in virtual.records)
    assert suites["validation"].passed == suites["validation"].cases


def test_a_hang_times_out_per_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPOSITORY_ROOT)
    tallies, _ = run_vectors(
        _few(3),
        _mutant("hang_on_genesis_query"),
        timeout=0.5,
        suites=["kaspa", "ghostdag"],
        progress=SilentProgress(),
    )
    suites = _by_suite(tallies)
    assert suites["kaspa"].passed == suites["kaspa"].cases  # never asks about genesis
    ghostdag = suites["ghostdag"]
    assert ghostdag.failed == ghostdag.cases == 6  # both target forms
    assert all("no reply within 0.5 s" in r.outcome.message for r in ghostdag.records)


def test_a_malformed_reply_fails_the_case_and_the_adapter_is_replaced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(REPOSITORY_ROOT)
    tallies, _ = run_vectors(
        _few(3),
        _mutant("garbage_reply_to_work"),
        timeout=10,
        suites=["work", "kaspa"],
        progress=SilentProgress(),
    )
    suites = _by_suite(tallies)
    assert suites["work"].failed == suites["work"].cases == 3
    assert all("reply is not JSON" in r.outcome.message for r in suites["work"].records)
    assert suites["kaspa"].passed == suites["kaspa"].cases > 0


def test_tampered_vectors_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "vectors"
    shutil.copytree(SHIPPED_VECTORS, copy)
    target = copy / "work" / "difficulty.json"
    target.write_bytes(target.read_bytes().replace(b'"0x1"', b'"0x2"', 1))
    status = main(["conformance", "run", "--adapter", REFERENCE, "--vectors", str(copy)])
    assert status == 2
    assert "SHA-256 differs" in capsys.readouterr().out


def test_an_adapter_that_cannot_start_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["conformance", "run", "--adapter", "/nonexistent/adapter"])
    assert status == 2
    assert "cannot start the adapter" in capsys.readouterr().out


def _status(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(["conformance", "run", *args])
    return status, capsys.readouterr().out


def test_an_error_beside_every_result_fails_by_the_reply_schema(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(REPOSITORY_ROOT)
    tallies, _ = run_vectors(
        _few(2),
        _mutant("error_beside_result"),
        timeout=10,
        suites=["work", "ghostdag", "protocol"],
        progress=SilentProgress(),
    )
    records = [record for tally in tallies for record in tally.records]
    assert len(records) > 6
    assert all(record.outcome.status == "failed" for record in records)
    assert all("breaks reply.schema.json" in r.outcome.message for r in records)


def test_a_fractional_id_is_not_the_request_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPOSITORY_ROOT)
    tallies, _ = run_vectors(
        _few(2), _mutant("float_ids"), timeout=10, suites=["work"], progress=SilentProgress()
    )
    work = _by_suite(tallies)["work"]
    assert work.failed == work.cases == 2
    assert all(".0, expected" in record.outcome.message for record in work.records)


def test_an_adapter_with_no_capability_fails_the_run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPOSITORY_ROOT)
    command = " ".join(_mutant("no_capabilities"))
    status, out = _status(["--adapter", command], capsys)
    assert status == 1, out
    assert "only the protocol's framing cases ran" in out


def test_required_capabilities_must_be_advertised(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPOSITORY_ROOT)
    command = " ".join(_mutant("work_only"))
    status, out = _status(["--adapter", command, "--suite", "work", "--require", "work"], capsys)
    assert status == 0, out
    status, out = _status(
        ["--adapter", command, "--suite", "work", "--require", "work", "--require", "ghostdag"],
        capsys,
    )
    assert status == 1, out
    assert "does not advertise required capability ghostdag" in out
    status, out = _status(["--adapter", command, "--require", "ghostdagg"], capsys)
    assert status == 2
    assert "--require names no capability: ghostdagg" in out


def _dead(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    state = next(line for line in status.splitlines() if line.startswith("State:"))
    return "zombie" in state or "(dead)" in state


def test_a_timed_out_adapter_leaves_no_process_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPOSITORY_ROOT)
    pidfile = tmp_path / "children"
    monkeypatch.setenv("DAGSPEC_CHILD_PIDFILE", str(pidfile))
    tallies, _ = run_vectors(
        _few(2),
        _mutant("hang_with_child"),
        timeout=0.5,
        suites=["work", "kaspa"],
        progress=SilentProgress(),
    )
    suites = _by_suite(tallies)
    assert suites["work"].failed == suites["work"].cases == 2
    assert suites["kaspa"].passed == suites["kaspa"].cases > 0
    children = [int(line) for line in pidfile.read_text().split()]
    assert len(children) == 3  # the first adapter, and one fresh adapter per timed-out case
    assert all(_dead(pid) for pid in children), children


def test_the_deadline_ends_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPOSITORY_ROOT)
    started = time.monotonic()
    tallies, _ = run_vectors(
        _few(3),
        _mutant("hang_on_genesis_query"),
        timeout=60,
        deadline=10,  # room for the adapter's start on a loaded machine
        suites=["ghostdag", "kaspa"],
        progress=SilentProgress(),
    )
    assert time.monotonic() - started < 40
    records = [record for tally in tallies for record in tally.records]
    assert [record.outcome.status for record in records] == ["failed"] * len(records)
    assert "the run's deadline of 10 s passed" in records[0].outcome.message
    assert all(r.outcome.message.startswith("not run: the run's deadline") for r in records[1:])


def test_a_step_without_method_is_a_vector_format_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPOSITORY_ROOT)
    vectors = _few(1)
    path, document = next((p, d) for p, d in vectors.documents if p == "work/difficulty.json")
    case: Any = document["cases"][0]  # type: ignore[index]
    broken_step = {key: value for key, value in case["steps"][0].items() if key != "method"}
    broken: Any = {**document, "cases": [{**case, "steps": [broken_step]}]}
    tallies, _ = run_vectors(
        VectorSet(vectors.manifest, ((path, broken),)),
        REFERENCE.split(),
        timeout=10,
        progress=SilentProgress(),
    )
    (record,) = tallies[0].records
    assert record.outcome.status == "failed"
    assert record.outcome.message == "malformed vector: step 0: a step has no method string"
    # A folder holding such a file is refused when it is loaded, with the same reason.
    copy = tmp_path / "vectors"
    shutil.copytree(SHIPPED_VECTORS, copy)
    target = copy / "work" / "difficulty.json"
    data = target.read_bytes().replace(b'"method":"work",', b"", 1)
    target.write_bytes(data)
    manifest = json.loads((copy / "manifest.json").read_text())
    for entry in manifest["files"]:
        if entry["path"] == "work/difficulty.json":
            entry["sha256"] = hashlib.sha256(data).hexdigest()
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(VectorError, match=r"step 0: a step has no method string"):
        load_vectors(copy)


@pytest.mark.parametrize("form", ["bits", "difficulty"])
def test_an_adapter_of_one_target_form_runs_every_dag_suite(
    form: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Kaspa-like (bits only) or TOS-like (difficulty only) adapter skips exactly the files
    of the other form and passes a twin of each of them."""
    monkeypatch.chdir(REPOSITORY_ROOT)
    leave_out = ("reachability/kaspa-stress.json", "reachability/kaspa-stress-bits.json")
    vectors = load_vectors(SHIPPED_VECTORS).first_cases(1, leave_out=leave_out)
    tallies, hello = run_vectors(
        vectors,
        [sys.executable, "-m", "tests.mutants.one_form", form],
        timeout=30,
        suites=["protocol", "reachability", "ghostdag", "kaspa", "orders", "validation", "virtual"],
        progress=SilentProgress(),
    )
    other = {"bits": "difficulty", "difficulty": "bits"}[form]
    advertised: Any = hello["capabilities"]
    assert form in advertised and other not in advertised
    by_file: dict[str, set[str]] = {}
    for record in (r for tally in tallies for r in tally.records):
        by_file.setdefault(record.file, set()).add(record.outcome.status)
    documents = dict(vectors.documents)
    for path, statuses in by_file.items():
        needs = set(documents[path]["capabilities"])  # type: ignore[arg-type]
        expected = "skipped" if needs & {other, "work" if form == "bits" else "bits"} else "passed"
        assert statuses == {expected}, (path, statuses)
    for suite in ("protocol", "reachability", "ghostdag", "kaspa", "orders", "validation"):
        assert _by_suite(tallies)[suite].passed > 0, suite
    assert _by_suite(tallies)["virtual"].passed == 2  # generated and rejections, 1 case each
