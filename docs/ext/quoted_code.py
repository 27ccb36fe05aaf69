"""Every quoted definition names where it comes from, and links to its API entry.

The chapters quote code with ``literalinclude`` and ``:pyobject:``. This extension overrides
``literalinclude`` so that each such quote without an explicit ``:caption:`` gets one, built
from the directive's own arguments — nobody writes captions by hand, and none can go stale:

    ``reference/work.py`` · ``work_from_target``

The file name links to the module's entry in the API pages and the definition to its own
entry, when the file is a module of ``reference/`` (the API pages document exactly those). A
private definition (a name part starting with ``_``) has no API entry of its own, so only its
module is linked. Quotes of other files (proofs, conformance) name their source unlinked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.directives.code import LiteralInclude

REPOSITORY = Path(__file__).resolve().parent.parent.parent
"""The repository root: quoted paths are named relative to it."""

DOCUMENTED_PACKAGE = "reference"
"""The package whose modules have API pages (``docs/api``)."""


def module_name(relative: Path) -> str | None:
    """Dotted module name of a Python file of :data:`DOCUMENTED_PACKAGE`, else ``None``."""
    if relative.suffix != ".py" or relative.parts[0] != DOCUMENTED_PACKAGE:
        return None
    parts = relative.with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_public(qualified: str) -> bool:
    """True when no part of ``Class.member`` starts with an underscore."""
    return not any(part.startswith("_") for part in qualified.split("."))


class QuotedLiteralInclude(LiteralInclude):
    """``literalinclude`` with a caption naming the source file and definition."""

    def run(self) -> list[nodes.Node]:
        source = self._source()
        pyobject = self.options.get("pyobject")
        if source is None or "caption" in self.options:
            return super().run()
        self.options["caption"] = str(source)  # replaced below by linked nodes
        result = super().run()
        for container in result:
            if isinstance(container, nodes.container):
                for caption in container.findall(nodes.caption):
                    caption.children = []
                    caption.extend(self._caption_nodes(source, pyobject))
        return result

    def _source(self) -> Path | None:
        """The included file relative to the repository, or ``None`` if it lies outside."""
        _, absolute = self.env.relfn2path(self.arguments[0])
        path = Path(absolute).resolve()
        return path.relative_to(REPOSITORY) if path.is_relative_to(REPOSITORY) else None

    def _caption_nodes(self, source: Path, pyobject: str | None) -> list[nodes.Node]:
        module = module_name(source)
        found: list[nodes.Node] = [self._link(str(source), "mod", module)]
        if pyobject is not None:
            target = f"{module}.{pyobject}" if module and is_public(pyobject) else None
            found += [nodes.Text(" · "), self._link(pyobject, "obj", target)]
        return found

    def _link(self, text: str, role: str, target: str | None) -> nodes.Node:
        literal = nodes.literal(text, text, classes=["xref", "py", f"py-{role}"])
        if target is None:
            return literal
        reference = addnodes.pending_xref(
            "",
            literal,
            refdomain="py",
            reftype=role,
            reftarget=target,
            refexplicit=True,
            refwarn=True,
            refdoc=self.env.docname,
        )
        return reference


def setup(app: Sphinx) -> dict[str, Any]:
    """Replace ``literalinclude`` with the captioning version."""
    app.add_directive("literalinclude", QuotedLiteralInclude, override=True)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
