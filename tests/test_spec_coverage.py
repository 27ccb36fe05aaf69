"""The spec quotes the code, all of it, and only code that exists.

Rules enforced here:

1. Every ``literalinclude`` in ``spec/`` names a file that exists, and every ``:pyobject:``
   (``name`` or ``Class.member``) names a definition that exists in that file.
2. A ``literalinclude`` of a Python file under ``reference/`` selects one definition with
   ``:pyobject:`` — chapters quote functions, never whole modules or line ranges that drift.
3. No code block in ``spec/`` spells out a ``def``/``class`` of a reference definition: code is
   quoted, never copied.
4. Coverage. A *consensus module* is every module under ``reference/`` except those in the
   network-layer packages of :data:`docs.ext.modules.NETWORK_PACKAGES` (``reference.relay``,
   ``reference.p2p``, ``reference.rpc``, ``reference.mining``, ``reference.sync``); the same
   split organises the API pages. Every *public* top-level function and class of a consensus
   module — defined there (not imported), name not starting with ``_`` — is quoted somewhere in
   ``spec/``: a function by its name; a class by its name, or else by every one of its public
   methods (``Class.method``) individually.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from docs.ext.modules import is_network_module
from tests.spec_markdown import REPOSITORY, Fence, chapters, fences

REFERENCE = REPOSITORY / "reference"


@dataclass(frozen=True, slots=True)
class Quote:
    """One ``literalinclude`` of a chapter."""

    fence: Fence
    """Where it is."""
    path: Path
    """The included file, resolved."""
    pyobject: str | None
    """The selected definition, if any."""

    def where(self) -> str:
        """``chapter.md:line`` for messages."""
        return f"spec/{self.fence.chapter.name}:{self.fence.line}"


def _quotes() -> Iterator[Quote]:
    for chapter in chapters():
        for fence in fences(chapter):
            if fence.directive == "literalinclude":
                path = (chapter.parent / fence.argument).resolve()
                yield Quote(fence, path, fence.options().get("pyobject"))


@cache
def _definitions(path: Path) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef]:
    """Every ``def``/``class`` of a module by dotted name (``f``, ``C``, ``C.m``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: dict[str, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef] = {}

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                found[prefix + node.name] = node
                if isinstance(node, ast.ClassDef):
                    visit(node.body, f"{prefix}{node.name}.")

    visit(tree.body, "")
    return found


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPOSITORY).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def consensus_modules() -> list[Path]:
    """Every consensus module file under ``reference/`` (rule 4)."""
    return [
        path
        for path in sorted(REFERENCE.rglob("*.py"))
        if not is_network_module(_module_name(path))
    ]


def public_definitions(path: Path) -> dict[str, list[str]]:
    """Public top-level names of a module -> the public methods a class-by-methods quote needs."""
    required: dict[str, list[str]] = {}
    for name, node in _definitions(path).items():
        if "." in name or name.startswith("_"):
            continue
        methods = []
        if isinstance(node, ast.ClassDef):
            methods = [
                f"{name}.{member.name}"
                for member in node.body
                if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef)
                and not member.name.startswith("_")
            ]
        required[name] = methods
    return required


def test_spec_has_quotes() -> None:
    # Guards the tests below against passing vacuously (a parser change finding nothing).
    assert sum(1 for _ in _quotes()) >= 20


@pytest.mark.parametrize("quote", list(_quotes()), ids=lambda q: f"{q.where()}")
def test_quoted_file_and_name_exist(quote: Quote) -> None:
    assert quote.path.is_file(), f"{quote.where()}: {quote.fence.argument} does not exist"
    if quote.path.suffix == ".py" and quote.path.is_relative_to(REFERENCE):
        assert quote.pyobject, f"{quote.where()}: quote one definition with :pyobject:"
    if quote.pyobject is not None:
        assert quote.pyobject in _definitions(quote.path), (
            f"{quote.where()}: {quote.path.relative_to(REPOSITORY)} defines no {quote.pyobject}"
        )


def test_no_reference_code_is_copied() -> None:
    names = {
        name.rsplit(".", 1)[-1]
        for path in sorted(REFERENCE.rglob("*.py"))
        for name in _definitions(path)
        if not name.rsplit(".", 1)[-1].startswith("_")
    }
    copied = []
    for chapter in chapters():
        for fence in fences(chapter):
            if fence.directive is not None:
                continue
            for line in fence.body.splitlines():
                words = line.replace("(", " ").replace(":", " ").split()
                if len(words) >= 2 and words[0] in {"def", "class"} and words[1] in names:
                    copied.append(f"spec/{chapter.name}:{fence.line}: {line.strip()}")
    assert not copied, "quote these with literalinclude :pyobject: instead:\n" + "\n".join(copied)


@pytest.mark.parametrize(
    "module", consensus_modules(), ids=lambda p: str(p.relative_to(REPOSITORY))
)
def test_every_public_definition_is_quoted(module: Path) -> None:
    quoted = {q.pyobject for q in _quotes() if q.path == module and q.pyobject}
    missing = []
    for name, methods in public_definitions(module).items():
        if name in quoted:
            continue
        if methods and all(method in quoted for method in methods):
            continue
        missing.append(name)
    assert not missing, (
        f"{module.relative_to(REPOSITORY)}: quote in spec/ with "
        f"literalinclude :pyobject: -> {', '.join(missing)}"
    )


def test_network_split() -> None:
    # The rule itself: relay is network, everything named in the consensus core is not.
    assert is_network_module("reference.relay.compact")
    assert is_network_module("reference.p2p")
    assert not is_network_module("reference.work")
    assert not is_network_module("reference.processes.ghostdag.protocol")
    assert not is_network_module("reference.relayed")
