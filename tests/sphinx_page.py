"""Build one MyST page with Sphinx in a temporary folder, for tests of the docs extensions."""

from __future__ import annotations

import io
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util.docutils import docutils_namespace


def build_page(folder: Path, conf: str, page: str) -> tuple[str, str]:
    """Build ``page`` as ``index.md`` under ``conf.py`` text ``conf``: its HTML and warnings."""
    source = folder / "src"
    source.mkdir()
    (source / "conf.py").write_text(conf, encoding="utf-8")
    (source / "index.md").write_text(page, encoding="utf-8")
    warnings = io.StringIO()
    with docutils_namespace():  # each build registers its nodes and directives afresh
        app = Sphinx(
            str(source),
            str(source),
            str(folder / "out"),
            str(folder / "doctrees"),
            "html",
            status=None,
            warning=warnings,
            freshenv=True,
        )
        app.build()
    return (folder / "out" / "index.html").read_text(encoding="utf-8"), warnings.getvalue()
