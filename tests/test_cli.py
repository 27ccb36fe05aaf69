"""The ``dagspec`` command line: dispatch and the presets subcommand."""

from __future__ import annotations

import json

import pytest

from conformance.cli import main


def test_presets_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["presets"]) == 0
    out = capsys.readouterr().out
    assert "kaspa-10bps" in out and "mergeset_size_limit" in out


def test_presets_json_with_override(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["presets", "tos", "--set", "k=4", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tos"]["k"] == 4


def test_presets_bad_override_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["presets", "tos", "--set", "k=-3"]) == 2
    assert "BAD_PARAMETER" in capsys.readouterr().out


def test_unknown_subcommand_exits_with_usage() -> None:
    with pytest.raises(SystemExit) as caught:
        main(["no-such-command"])
    assert caught.value.code == 2
