"""The preamble of ``spec/index.md`` states the distribution's version, and the pages too.

``pyproject.toml`` is the one source of the version: the rendered pages take it from there
(``docs/conf.py``), and the preamble's *Version* entry must name the same number.
"""

from __future__ import annotations

import tomllib

from docs import conf
from tests.spec_markdown import REPOSITORY, SPEC


def _version() -> str:
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    version: str = project["project"]["version"]
    return version


def test_preamble_states_the_version() -> None:
    text = (SPEC / "index.md").read_text(encoding="utf-8")
    assert f"Version\n: {_version()} — " in text


def test_pages_carry_the_version() -> None:
    assert conf.release == conf.version == _version()


def test_preamble_has_status_and_changes() -> None:
    text = (SPEC / "index.md").read_text(encoding="utf-8")
    for entry in ("Status\n: ", "(changelog)=\nChanges\n: "):
        assert entry in text
