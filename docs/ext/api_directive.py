"""The ``reference-modules`` directive: API pages that list every module they should.

``reference-modules`` with the argument ``consensus`` or ``network`` documents, with
``automodule``, every module of ``reference`` on that side of the split defined in
:mod:`docs.ext.modules`. A module added to ``reference/`` therefore appears in the API pages
without anyone editing them.
"""

from __future__ import annotations

import importlib
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

from docs.ext.modules import is_network_module, reference_modules


class ReferenceModules(SphinxDirective):
    """Document the selected modules of ``reference``, one section each."""

    required_arguments = 1
    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        side = directives.choice(self.arguments[0], ("consensus", "network"))
        lines: list[str] = []
        for name in reference_modules():
            if is_network_module(name) != (side == "network"):
                continue
            module = importlib.import_module(name)
            if hasattr(module, "__path__") and not module.__doc__:
                continue  # an empty package __init__ has nothing to show
            # The page is MyST Markdown, and autodoc writes reStructuredText: wrap it.
            lines += [f"## `{name}`", "", "```{eval-rst}", f".. automodule:: {name}"]
            lines += ["   :members:", "   :show-inheritance:", "```", ""]
        container = nodes.section()
        container.document = self.state.document
        content = StringList(lines, source="reference-modules")
        nested_parse_with_titles(self.state, content, container)
        return list(container.children)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive."""
    app.add_directive("reference-modules", ReferenceModules)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
