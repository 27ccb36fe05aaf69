"""Reading the MyST sources of ``spec/`` the way a Markdown parser does (no regex glue).

The tests that keep the text honest — quoted names exist, every public consensus function is
quoted, tables equal the reference, ``>>>`` examples run — read the chapters through these
helpers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

REPOSITORY = Path(__file__).resolve().parent.parent
SPEC = REPOSITORY / "spec"


@dataclass(frozen=True, slots=True)
class Fence:
    """One fenced block of a chapter: ```` ```{name} argument ```` or ```` ```language ````."""

    chapter: Path
    """The chapter it is in."""
    line: int
    """1-based line of the opening fence."""
    info: str
    """Everything after the backticks, for example ``{literalinclude} ../reference/work.py``."""
    body: str
    """The fence's content."""

    @property
    def directive(self) -> str | None:
        """The MyST directive name (``literalinclude``), or ``None`` for a code block."""
        head = self.info.split(maxsplit=1)[0] if self.info.strip() else ""
        return head[1:-1] if head.startswith("{") and head.endswith("}") else None

    @property
    def argument(self) -> str:
        """The directive's argument (text after the name)."""
        parts = self.info.split(maxsplit=1)
        return parts[1].strip() if len(parts) > 1 else ""

    def options(self) -> dict[str, str]:
        """The directive's ``:name: value`` option lines."""
        found: dict[str, str] = {}
        for line in self.body.splitlines():
            stripped = line.strip()
            if not stripped.startswith(":"):
                break
            name, _, value = stripped[1:].partition(":")
            found[name.strip()] = value.strip()
        return found


def chapters() -> list[Path]:
    """Every Markdown document of ``spec/``."""
    return sorted(SPEC.glob("*.md"))


@cache
def _tokens(chapter: Path) -> list[Token]:
    parser = MarkdownIt("commonmark").enable("table")
    return parser.parse(chapter.read_text(encoding="utf-8"))


def fences(chapter: Path) -> Iterator[Fence]:
    """The fenced blocks of ``chapter`` in order."""
    for token in _tokens(chapter):
        if token.type == "fence" and token.map is not None:
            yield Fence(chapter, token.map[0] + 1, token.info, token.content)


def table_after_label(chapter: Path, label: str) -> list[list[str]]:
    """The rows (header first) of the first table after the MyST target ``(label)=``."""
    tokens = _tokens(chapter)
    seen_label = False
    rows: list[list[str]] = []
    row: list[str] | None = None
    for token in tokens:
        if not seen_label:
            seen_label = token.type == "inline" and token.content.strip() == f"({label})="
            continue
        if token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None:
            row.append(token.content.strip())
        elif token.type == "tr_close" and row is not None:
            rows.append(row)
            row = None
        elif token.type == "table_close":
            return rows
    raise LookupError(f"{chapter.name}: no table after the label ({label})=")


def definitions_after_label(chapter: Path, label: str) -> dict[str, str]:
    """The ``term`` / ``: definition`` pairs after ``(label)=``, up to the next heading."""
    lines = chapter.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"({label})=")
    found: dict[str, str] = {}
    term: str | None = None
    for line in lines[start + 1 :]:
        if line.startswith("#") and found:
            break
        if line.startswith(": ") and term is not None:
            found[term] = line[2:].strip()
        elif line.strip():
            term = line.strip()
    return found
