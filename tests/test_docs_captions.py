"""Every quoted definition gets a caption naming its source and linking to its API entry.

Builds small MyST pages with the ``literalinclude`` override of ``docs.ext.quoted_code`` and
autodoc, and checks the captions in the HTML: a public definition of ``reference/`` links to
its own API entry and its module's; a private one links only its module; a quote from outside
``reference/`` names its file unlinked; a caption written by hand is kept.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from docs.ext.quoted_code import is_public, module_name
from tests.spec_markdown import REPOSITORY
from tests.sphinx_page import build_page

CONF = (
    'extensions = ["myst_parser", "sphinx.ext.autodoc", "docs.ext.quoted_code"]\n'
    'autodoc_default_options = {"members": True}\n'
)
CAPTION = re.compile(r'<span class="caption-text">(.*?)</span><a class="headerlink"', re.DOTALL)


def _quote(source: Path, path: str, pyobject: str, extra: str = "") -> str:
    relative = os.path.relpath(REPOSITORY / path, source)
    return (
        f"```{{literalinclude}} {relative}\n:language: python\n:pyobject: {pyobject}\n{extra}```\n"
    )


def _autodoc(module: str) -> str:
    return f"```{{eval-rst}}\n.. automodule:: {module}\n```\n"


def _captions(tmp_path: Path, body: str) -> list[str]:
    source = tmp_path / "src"  # where build_page puts the page
    html, warnings = build_page(tmp_path, CONF, body.replace("SRC", str(source)))
    assert not warnings, warnings
    return CAPTION.findall(html)


def test_public_definition_links_to_its_api_entry(tmp_path: Path) -> None:
    source = tmp_path / "src"
    page = "# Page\n\n" + _quote(source, "reference/work.py", "work_from_target")
    page += _autodoc("reference.work")
    (caption,) = _captions(tmp_path, page)
    assert "reference/work.py" in caption and "work_from_target" in caption
    assert 'href="#module-reference.work"' in caption
    assert 'href="#reference.work.work_from_target"' in caption


def test_method_of_public_class_links_to_the_method(tmp_path: Path) -> None:
    source = tmp_path / "src"
    page = "# Page\n\n" + _quote(source, "reference/presets.py", "Preset.with_overrides")
    page += _autodoc("reference.presets")
    (caption,) = _captions(tmp_path, page)
    assert 'href="#reference.presets.Preset.with_overrides"' in caption


def test_private_definition_links_only_its_module(tmp_path: Path) -> None:
    source = tmp_path / "src"
    page = "# Page\n\n" + _quote(source, "reference/processes/reachability/tree.py", "_parent")
    page += _autodoc("reference.processes.reachability.tree")
    (caption,) = _captions(tmp_path, page)
    assert 'href="#module-reference.processes.reachability.tree"' in caption
    assert "_parent" in caption and caption.count("href=") == 1


def test_quote_outside_reference_names_its_file(tmp_path: Path) -> None:
    source = tmp_path / "src"
    page = "# Page\n\n" + _quote(source, "docs/ext/quoted_code.py", "is_public")
    (caption,) = _captions(tmp_path, page)
    assert "docs/ext/quoted_code.py" in caption and "is_public" in caption
    assert "href=" not in caption


def test_a_written_caption_is_kept(tmp_path: Path) -> None:
    source = tmp_path / "src"
    page = "# Page\n\n" + _quote(
        source, "reference/work.py", "work_from_target", ":caption: Mine\n"
    )
    assert _captions(tmp_path, page) == ["Mine"]


def test_unresolvable_link_is_a_warning(tmp_path: Path) -> None:
    # No API entry for the object in this project: the link cannot resolve, and says so.
    source = tmp_path / "src"
    page = "# Page\n\n" + _quote(source, "reference/work.py", "work_from_target")
    _, warnings = build_page(tmp_path, CONF, page)
    assert "reference.work.work_from_target" in warnings


def test_names_and_modules() -> None:
    assert module_name(Path("reference/work.py")) == "reference.work"
    assert module_name(Path("reference/relay/__init__.py")) == "reference.relay"
    assert module_name(Path("proofs/work.py")) is None
    assert module_name(Path("reference/vectors.json")) is None
    assert is_public("Consensus.add_block")
    assert not is_public("_Reindex.make_room") and not is_public("Service.__init__")
