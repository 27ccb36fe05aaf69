"""The ``dag-drawing`` directive: a DAG drawn and coloured by the reference at build time.

Two sources::

    ```{dag-drawing}
    :kaspa: dag0
    :caption: Kaspa's dag0, K = 4
    ```

reads ``anchors/kaspa/dags/dag0.json`` from the shared directory beside the repository
(configuration value ``dagdraw_shared_dir``), and ::

    ```{dag-drawing}
    :k: 1
    :caption: A merges two side blocks
    G:
    B: G
    C: G
    D: B C
    ```

draws an inline DAG, one ``LABEL: PARENTS`` line per block, genesis first; a line may end in
``difficulty=N`` (default 1000). Any error (a missing
file, a malformed line, a block the reference rejects) fails the build.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from docs.ext.dag_model import DagDescription, colour_dag, load_kaspa_dag, parse_dag
from docs.ext.dag_svg import render_svg
from reference.errors import DagspecError

_KASPA_NAME = re.compile(r"dag[0-9]+")


class DagDrawing(SphinxDirective):
    """Insert the SVG drawing of a DAG coloured by :mod:`reference.consensus`."""

    has_content = True
    option_spec: ClassVar[dict[str, Any]] = {
        "kaspa": directives.unchanged_required,
        "k": directives.nonnegative_int,
        "caption": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        try:
            description = self._description()
            dag = colour_dag(description)
        except (ValueError, DagspecError) as error:
            raise self.error(f"dag-drawing: {error}") from error
        caption = self.options.get("caption", "")
        ident = f"dag-{self.env.docname.replace('/', '-')}-{self.lineno}"
        svg = render_svg(dag, caption or "a blockDAG", ident)
        figure = nodes.container(classes=["dag-drawing"])
        figure += nodes.raw("", f'<div class="dag-drawing-svg">{svg}</div>', format="html")
        if caption:
            paragraph = nodes.paragraph(classes=["dag-drawing-caption"])
            paragraph += nodes.emphasis(text=caption)
            figure += paragraph
        return [figure]

    def _description(self) -> DagDescription:
        name = self.options.get("kaspa")
        if name is not None:
            if self.content:
                raise ValueError("give either :kaspa: or inline blocks, not both")
            if not _KASPA_NAME.fullmatch(name):
                raise ValueError(f"unknown Kaspa DAG {name!r} (expected dag0 ... dag5)")
            shared = Path(self.config.dagdraw_shared_dir)
            path = shared / "anchors" / "kaspa" / "dags" / f"{name}.json"
            self.env.note_dependency(str(path))
            return load_kaspa_dag(path)
        if "k" not in self.options:
            raise ValueError("an inline DAG needs :k:")
        return parse_dag(list(self.content), self.options["k"])


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive and its one configuration value."""
    default = str(Path(app.confdir).resolve().parent.parent / "shared")
    app.add_config_value("dagdraw_shared_dir", default, "env", types=[str])
    app.add_directive("dag-drawing", DagDrawing)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
