"""The conformance suite catches deliberately broken implementations.

Each module of ``tests/mutants/`` patches one decision of the reference and serves the
protocol. The runner must fail every mutant (it stops at the first failed case), and must pass
the control, which swaps in the mutants' own copy of the colouring with nothing flipped — so a
caught colouring mutant is caught for its one flipped decision.
"""

from __future__ import annotations

import sys

import pytest

from conformance.report import SilentProgress, SuiteTally
from conformance.runner import run_vectors
from conformance.vectors import REPOSITORY_ROOT, SHIPPED_VECTORS, VectorSet, load_vectors

MUTANTS = (
    "sp_first_parent",
    "sp_smaller_hash",
    "own_mergeset_only",
    "anticone_ge",
    "peer_gt",
    "blue_score_key",
    "reds_in_blue_work",
    "non_reflexive_ancestry",
    "parents_not_antichain_accepted",
    "mergeset_limit_off_by_one",
    "work_without_plus_one",
    "bits_sign_ignored",
    "virtual_ignores_mergeset_limit",
)
"""Every mutant; the self-check catches all of them (13 of 13)."""


def _first_cases(count: int) -> VectorSet:
    """Each vector file cut to its first ``count`` cases, Kaspa's 4,091-block stress DAGs left
    out: the budget of a self-check run."""
    return load_vectors(SHIPPED_VECTORS).first_cases(
        count, leave_out=("reachability/kaspa-stress.json",)
    )


def _run(module: str, exitfirst: bool) -> list[SuiteTally]:
    # The first three cases of each file already catch every mutant; the full run of the
    # published vectors is checked by the runner tests and `make conformance`.
    tallies, _ = run_vectors(
        _first_cases(3),
        [sys.executable, "-m", f"tests.mutants.{module}"],
        timeout=30,
        exitfirst=exitfirst,
        progress=SilentProgress(),
    )
    return tallies


@pytest.mark.parametrize("mutant", MUTANTS)
def test_the_runner_fails_the_mutant(mutant: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPOSITORY_ROOT)
    tallies = _run(mutant, exitfirst=True)
    failed = [
        record for tally in tallies for record in tally.records if record.outcome.status == "failed"
    ]
    assert failed, f"{mutant} passed every vector"
    # A mutant is caught by a wrong answer, not by the adapter dying or failing inside (a
    # patch that no longer fits the reference's signatures would fail with INTERNAL_ERROR).
    assert not failed[0].outcome.adapter_broken, failed[0].outcome.message
    assert "INTERNAL_ERROR" not in failed[0].outcome.message, failed[0].outcome.message


def test_the_unmutated_copy_of_the_colouring_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPOSITORY_ROOT)
    tallies = _run("unmutated_colouring", exitfirst=False)
    assert all(tally.failed == 0 and tally.skipped == 0 for tally in tallies)
    assert sum(tally.passed for tally in tallies) > 40
