"""The reachability benchmark's quick mode runs and prints its table and goal verdicts."""

from __future__ import annotations

import pytest

from benchmarks import reachability


def test_quick_benchmark_prints_its_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert reachability.main(["--quick"]) == 0
    output = capsys.readouterr().out
    assert "baseline = PastSetReachability on the first 512 blocks" in output
    assert "wide 2^9" in output and "wide 2^10" in output
    verdicts = [line for line in output.splitlines() if line.strip().startswith(("met", "MISSED"))]
    assert len(verdicts) == 5
