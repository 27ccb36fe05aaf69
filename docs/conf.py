"""Sphinx configuration: renders ``spec/`` in place, plus the API pages in ``docs/api/``.

Built from the repository root (``sphinx-build -c docs . docs/_build/html``, see the Makefile)
so that the chapters in ``spec/`` keep their ``../reference/...`` literalinclude paths and the
API pages in ``docs/api/`` sit in the same project. Only ``spec/`` and ``docs/`` are read.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from sphinx.application import Sphinx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # reference/ for autodoc, docs/ for the drawing extension

project = "dagspec"
author = "dagspec contributors"
copyright = "dagspec contributors"
# One version, the distribution's: spec/index.md states it and a test keeps the two equal.
release = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "docs.ext.mathml",
    "docs.ext.quoted_code",
    "docs.ext.dag_directive",
    "docs.ext.api_directive",
]

# Formulas become MathML when the pages are built (docs/ext/mathml.py): the pages load no
# script from the network and read the same offline.
html_math_renderer = "mathml"

root_doc = "spec/index"
include_patterns = ["spec/**", "docs/api/**"]
exclude_patterns = [".venv", ".git", "docs/_build", "**/.ipynb_checkpoints"]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}

myst_enable_extensions = ["colon_fence", "deflist", "dollarmath", "attrs_inline"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}

nitpicky = False
suppress_warnings: list[str] = []

html_theme = "furo"
html_title = "dagspec — the GHOSTDAG node specification"
html_static_path = ["_static"]
html_css_files = ["dagdraw.css", "spec.css"]

# Where the anchors (Kaspa's vectors) live: beside the repository, as CI clones it.
dagdraw_shared_dir = str(ROOT.parent / "shared")


def _redirect_root(app: Sphinx, exception: Exception | None) -> None:
    """Write ``index.html`` at the top of the output, pointing at ``spec/index.html``."""
    if exception is None and app.builder.format == "html":
        target = Path(app.outdir) / "index.html"
        target.write_text(
            '<!DOCTYPE html><meta charset="utf-8"><title>dagspec</title>'
            '<meta http-equiv="refresh" content="0; url=spec/index.html">'
            '<a href="spec/index.html">dagspec — the specification</a>\n',
            encoding="utf-8",
        )


def setup(app: Sphinx) -> None:
    """Project-local hooks."""
    app.connect("build-finished", _redirect_root)
