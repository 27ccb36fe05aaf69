"""The API pages list every module of ``reference/`` with its autodoc entries.

Builds one MyST page holding each ``reference-modules`` directive and checks the HTML: every
module of its side of the consensus/network split has a section, and the sections hold real
autodoc entries (autodoc writes reStructuredText; rendered as Markdown it would silently become
a paragraph of text, which a warning-free build does not catch).
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from docs.ext.modules import is_network_module, reference_modules
from tests.sphinx_page import build_page


def _build(tmp_path: Path, side: str) -> str:
    conf = 'extensions = ["myst_parser", "sphinx.ext.autodoc", "docs.ext.api_directive"]\n'
    html, warnings = build_page(tmp_path, conf, f"# API\n\n```{{reference-modules}} {side}\n```\n")
    assert not warnings
    return html


@pytest.fixture(scope="module", params=["consensus", "network"])
def api_page(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, str]:
    side: str = request.param
    return side, _build(tmp_path_factory.mktemp(side), side)


def test_every_module_has_an_autodoc_section(api_page: tuple[str, str]) -> None:
    side, html = api_page
    modules = [m for m in reference_modules() if is_network_module(m) == (side == "network")]
    shown = [m for m in modules if importlib.import_module(m).__doc__]  # empty __init__: skipped
    assert shown
    for module in shown:
        assert f'id="{module.replace(".", "-").replace("_", "-")}"' in html, module
    assert "automodule::" not in html, "autodoc output was rendered as text"
    assert html.count('<dl class="py function') >= 10


def test_consensus_side_documents_a_known_function(api_page: tuple[str, str]) -> None:
    side, html = api_page
    if side == "consensus":
        assert 'id="reference.work.work_from_target"' in html
