"""``dagspec prove``: its table, its exit status, and its links with ``spec/invariants.md``."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from conformance.cli import main
from proofs import catalogue, contracts
from proofs.obligation import Obligation, Outcome, Verdict

INVARIANTS = Path(__file__).resolve().parent.parent / "spec" / "invariants.md"


def _chapter() -> str:
    return INVARIANTS.read_text(encoding="utf-8")


def test_every_obligation_names_a_section_that_states_it() -> None:
    text = _chapter()
    labels = set(re.findall(r"^\((inv-[a-z0-9-]+)\)=$", text, re.MULTILINE))
    obligations = catalogue.all_obligations(1000, 1.0)
    for obligation in obligations:
        assert obligation.spec_label in labels, obligation.name
        assert f"`{obligation.name}`" in text, f"{obligation.name} is not named in the chapter"
    # ... and every section of the chapter is backed by at least one obligation.
    assert labels == {obligation.spec_label for obligation in obligations}


def test_the_chapter_says_what_each_z3_verdict_covers() -> None:
    # The coverage table quotes each obligation's `covers` text as the command prints it.
    text = _chapter()
    for obligation in catalogue.all_obligations(1000, 1.0):
        if obligation.tool == "z3":
            assert f"| {obligation.covers} |" in text, obligation.name


def test_contracts_are_found_on_the_reference() -> None:
    targets = {contract.target for contract in contracts.discover()}
    assert "reference.work.work_from_target" in targets
    assert "reference.processes.reachability.interval.Interval.split_half" in targets
    # A contract restating the code proves nothing about it: Interval.contains has none.
    assert "reference.processes.reachability.interval.Interval.contains" not in targets
    # Imported names are not counted twice: reference.bits imports work_from_target.
    assert not any(target.startswith("reference.bits.work_") for target in targets)


def test_prove_prints_a_table_and_succeeds(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prove", "--tool", "z3", "--only", "interval"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^property\s+tool\s+verdict\s+seconds\s+spec\s+covers$", out, re.MULTILINE)
    row = re.search(r"^interval-split-exact\s+z3\s+proved\s+\d+\.\d\d\s+(\S+)\s+(.+)$", out, re.M)
    assert row is not None, out
    # The row names the spec section and what the verdict covers, with the paths explored.
    assert row.group(1) == "inv-interval-splits"
    covers = r"Interval\.split_exact, 0 to \d+ sizes, every integer \(\d+ paths\)"
    assert re.fullmatch(covers, row[2]), row[2]
    assert "4 obligations: 4 proved" in out


def _fails() -> Outcome:
    return Outcome(Verdict.COUNTEREXAMPLE, 0.0, "t = 7")


def _gives_up() -> Outcome:
    return Outcome(Verdict.UNKNOWN, 20.0, "timeout")


@pytest.mark.parametrize("check", [_fails, _gives_up])
def test_prove_fails_on_a_counterexample_or_unknown(
    check: Callable[[], Outcome],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    planted = Obligation("planted", "inv-work-identity", "z3", check)
    monkeypatch.setattr(catalogue, "all_obligations", lambda *_: [planted])
    assert main(["prove"]) == 1
    out = capsys.readouterr().out
    assert "FAILED" in out
    assert ("t = 7" in out) or ("timeout" in out)


def test_prove_rejects_an_empty_selection() -> None:
    assert main(["prove", "--only", "no-such-obligation"]) == 1
