"""The GHOSTDAG benchmark runs end to end in its quick mode (a smoke test, not a timing)."""

from __future__ import annotations

import pytest

from benchmarks import ghostdag


def test_quick_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert ghostdag.main(["--quick"]) == 0
    output = capsys.readouterr().out
    assert "generated 2^8 K=18" in output
    assert "naive past sets K=124" in output
