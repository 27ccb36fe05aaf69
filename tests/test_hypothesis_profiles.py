"""The Hypothesis profiles behind ``make deep`` and ``make fuzz`` do what the README says.

Each check runs a fresh interpreter, because a profile is chosen once, when
``tests/conftest.py`` is imported:

- ``deep`` runs every property test — plain ``@given`` tests and rule-based state machines —
  with 20 times its own ``max_examples``, counted from Hypothesis's statistics on two probe
  tests written here;
- ``fuzz`` gives every test one shared directory database (``DAGSPEC_FUZZ_DB``) and no
  derandomisation, the two conditions under which HypoFuzz fuzzes a test at all;
- ``ci`` stays derandomised.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.spec_markdown import REPOSITORY

PROBES = """
from hypothesis import given, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule


@settings(max_examples=7)
@given(st.integers())
def test_plain(value):
    assert isinstance(value, int)


class Counter(RuleBasedStateMachine):
    count = 0

    @rule()
    def step(self):
        self.count += 1
        assert self.count > 0


Counter.TestCase.settings = settings(max_examples=3, stateful_step_count=2)
TestCounter = Counter.TestCase
"""
PASSING = re.compile(r"- (\d+) passing, 0 failing")


def _environment(**extra: str) -> dict[str, str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith("HYPOTHESIS_") and k != "CI"
    }
    environment.update(extra, PYTHONPATH=str(REPOSITORY))
    return environment


def _passing_counts(tmp_path: Path, profile: str) -> list[int]:
    tmp_path.mkdir()
    probes = tmp_path / "test_probes.py"
    probes.write_text(PROBES, encoding="utf-8")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "tests.conftest"]
    command += ["-p", "no:cacheprovider", "--hypothesis-show-statistics", str(probes)]
    run = subprocess.run(
        command,
        cwd=tmp_path,
        env=_environment(HYPOTHESIS_PROFILE=profile),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return [int(count) for count in PASSING.findall(run.stdout)]


def test_deep_runs_twenty_times_the_examples(tmp_path: Path) -> None:
    assert sorted(_passing_counts(tmp_path / "dev", "dev")) == [3, 7]
    assert sorted(_passing_counts(tmp_path / "deep", "deep")) == [60, 140]


def _profile_settings(profile: str, **extra: str) -> str:
    script = (
        "import tests.conftest\n"
        "from hypothesis import settings\n"
        "current = settings()\n"
        "print(repr(current.database), current.derandomize)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPOSITORY,
        env=_environment(HYPOTHESIS_PROFILE=profile, **extra),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return run.stdout.strip()


@pytest.mark.parametrize("ci_variable", [{}, {"CI": "true"}], ids=["local", "ci-machine"])
def test_fuzz_shares_one_directory_database(tmp_path: Path, ci_variable: dict[str, str]) -> None:
    """Also where a ``CI`` variable makes Hypothesis default to its own derandomized profile."""
    shared = tmp_path / "shared-db"
    printed = _profile_settings("fuzz", DAGSPEC_FUZZ_DB=str(shared), **ci_variable)
    assert printed == f"DirectoryBasedExampleDatabase({shared!r}) False"


def test_ci_stays_derandomized() -> None:
    assert _profile_settings("ci").endswith("None True")
