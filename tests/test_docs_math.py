"""Formulas are rendered to MathML at build time, so the pages read the same offline.

- Every formula of ``spec/`` (inline and display, in tables and inside directives such as the
  glossary) converts to MathML without an unknown command left over.
- The converter's known gaps are refused, not shown as raw LaTeX.
- A page built with the project's own extensions and math renderer holds ``<math>`` elements
  and loads no script from the network; a formula that cannot be rendered fails the build.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin

from docs import conf
from docs.ext.mathml import MathError, latex_to_mathml
from tests.spec_markdown import chapters, fences
from tests.sphinx_page import build_page

REMOTE_SCRIPT = re.compile(r"<script[^>]+src=\"https?://", re.IGNORECASE)
NOT_MARKDOWN = {"literalinclude", "dag-drawing", "toctree", "reference-modules"}


def _parser() -> MarkdownIt:
    # The options MyST uses for its dollarmath extension (labels, spaces, digits allowed).
    return MarkdownIt("commonmark").enable("table").use(dollarmath_plugin)


def _math_tokens(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        if token.type.startswith("math_"):
            yield token
        if token.children:
            yield from _math_tokens(token.children)


def _formulas() -> list[tuple[str, str, bool]]:
    """``(where, latex, display)`` for every formula of every chapter."""
    parser = _parser()
    found: list[tuple[str, str, bool]] = []
    for chapter in chapters():
        texts = [chapter.read_text(encoding="utf-8")]
        texts += [
            fence.body
            for fence in fences(chapter)
            if fence.directive is not None and fence.directive not in NOT_MARKDOWN
        ]
        for text in texts:
            for token in _math_tokens(parser.parse(text)):
                display = token.type.startswith("math_block")
                found.append((chapter.name, token.content, display))
    return found


def test_every_formula_renders() -> None:
    formulas = _formulas()
    assert {"work.md", "ghostdag.md", "security.md", "glossary.md"} <= {f[0] for f in formulas}
    failures = []
    for where, latex, display in formulas:
        try:
            markup = latex_to_mathml(latex, display=display)
        except MathError as error:
            failures.append(f"spec/{where}: {error}")
            continue
        assert markup.startswith("<math") and markup.endswith("</math>"), where
        assert f'display="{"block" if display else "inline"}"' in markup
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("latex", [r"\foo x", r"\Big\{ k \Big\}", r"\texttt{a\_b}"])
def test_unsupported_commands_are_refused(latex: str) -> None:
    with pytest.raises(MathError):
        latex_to_mathml(latex, display=False)


def _project_conf() -> str:
    # The project's own choices, so that a change of conf.py is what this test sees.
    return (
        f"extensions = {conf.extensions!r}\n"
        f"html_math_renderer = {conf.html_math_renderer!r}\n"
        f"myst_enable_extensions = {conf.myst_enable_extensions!r}\n"
    )


def test_project_pages_render_math_without_network(tmp_path: Path) -> None:
    assert "sphinx.ext.mathjax" not in conf.extensions
    page = "# Formulas\n\nInline $t + 1$ and display:\n\n$$\\sum_{j=0}^{k} x^j$$\n"
    html, warnings = build_page(tmp_path, _project_conf(), page)
    assert not warnings
    assert html.count("<math") == 2
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">' in html
    assert not REMOTE_SCRIPT.search(html), "a page must not load a script from the network"
    assert "mathjax.org" not in html and "jsdelivr" not in html


def test_an_unrenderable_formula_fails_the_build(tmp_path: Path) -> None:
    html, warnings = build_page(tmp_path, _project_conf(), "# Bad\n\n$\\foo x$\n")
    assert "unsupported command" in warnings and "\\foo" in warnings
    assert "<code>\\foo x</code>" in html
