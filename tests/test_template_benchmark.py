"""The template benchmark runs end to end in its quick mode (a smoke test, not a timing)."""

from __future__ import annotations

import pytest

from benchmarks import template


def test_quick_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert template.main(["--quick", "--tips", "36", "--mempool", "300", "--repeat", "2"]) == 0
    output = capsys.readouterr().out
    assert "32 virtual parents" in output and "mempool 300, 300 taken" in output
    assert "goal: cold template <= 20 ms at 32 parents" in output
    assert "devnet, 5 blocks mined" in output
