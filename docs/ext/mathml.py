"""Formulas rendered to MathML when the pages are built: no script, no network.

Sphinx's default HTML math loads MathJax from a CDN in the reader's browser, so a page read
offline shows raw LaTeX. This extension registers the HTML math renderer ``mathml``
(``html_math_renderer = "mathml"`` in ``conf.py``), which converts every inline and display
formula with :mod:`latex2mathml` while the pages are written. Browsers render MathML natively.

A formula the converter does not understand is a documentation bug: it is reported as a
build warning (an error under ``-W``) naming the formula, and the page shows its source.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from latex2mathml.converter import convert
from sphinx.application import Sphinx
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number
from sphinx.writers.html5 import HTML5Translator

logger = logging.getLogger(__name__)


class MathError(ValueError):
    """A formula that cannot be rendered to MathML."""


def latex_to_mathml(latex: str, *, display: bool) -> str:
    """The ``<math>`` element for ``latex``; :class:`MathError` if it cannot be rendered."""
    try:
        markup: str = convert(latex.strip(), display="block" if display else "inline")
    except Exception as error:  # the converter raises plain Exception subclasses
        raise MathError(f"cannot render {latex!r}: {error!r}") from error
    # An unknown command survives conversion as text with its backslash: refuse it rather
    # than show "\foo" to the reader.
    if "\\" in markup:
        raise MathError(f"unsupported command in {latex!r}")
    return markup


def _render(translator: HTML5Translator, node: nodes.Element, latex: str, display: bool) -> str:
    try:
        return latex_to_mathml(latex, display=display)
    except MathError as error:
        logger.warning("%s", error, location=node)
        return f"<code>{translator.encode(latex)}</code>"


def visit_math(self: HTML5Translator, node: nodes.math) -> None:
    """Inline math: a ``<span class="math">`` holding the MathML."""
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate"))
    self.body.append(_render(self, node, node.astext(), display=False))
    self.body.append("</span>")
    raise nodes.SkipNode


def visit_displaymath(self: HTML5Translator, node: nodes.math_block) -> None:
    """Display math: a ``<div class="math">``, one block per blank-line-separated part."""
    self.body.append(self.starttag(node, "div", CLASS="math notranslate"))
    if node["number"]:
        number = get_node_equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    for part in node.astext().split("\n\n"):
        if part.strip():
            self.body.append(_render(self, node, part, display=True))
    self.body.append("</div>\n")
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the ``mathml`` HTML math renderer."""
    app.add_html_math_renderer(
        "mathml",
        inline_renderers=(visit_math, None),
        block_renderers=(visit_displaymath, None),
    )
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
