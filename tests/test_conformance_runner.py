"""The runner: passes the reference adapter, reports skips, crashes and hangs per case."""

from __future__ import annotations

import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from conformance.cli import main
from conformance.report import SilentProgress, SuiteTally
from conformance.runner import run_vectors
from conformance.vectors import REPOSITORY_ROOT, SHIPPED_VECTORS, VectorSet, load_vectors

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
        _few(3),
        _mutant("crash_on_virtual"),
        timeout=10,
        suites=["virtual", "validation"],
        progress=SilentProgress(),
    )
    suites = _by_suite(tallies)
    virtual = suites["virtual"]
    assert virtual.failed == virtual.cases == 3
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
    assert ghostdag.failed == ghostdag.cases == 3
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
