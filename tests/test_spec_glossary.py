"""The glossary of ``spec/glossary.md`` is ordered, sourced and about words the chapters use.

- Terms are in alphabetical order (case-insensitive), so a reader finds them.
- Every definition names the chapter that defines the term exactly (a ``{doc}`` link).
- Every term is used by some other chapter: the glossary explains the specification's words,
  not words of its own.
"""

from __future__ import annotations

import re

from tests.spec_markdown import SPEC, chapters, fences

GLOSSARY = SPEC / "glossary.md"


def _entries() -> dict[str, str]:
    (fence,) = [f for f in fences(GLOSSARY) if f.directive == "glossary"]
    entries: dict[str, str] = {}
    term: str | None = None
    for line in fence.body.splitlines():
        if not line.strip():
            continue
        if line.startswith(" "):
            assert term is not None, f"definition before any term: {line!r}"
            entries[term] += " " + line.strip()
        else:
            term = line.strip()
            assert term not in entries, f"{term} defined twice"
            entries[term] = ""
    return entries


def test_glossary_is_alphabetical_and_complete() -> None:
    entries = _entries()
    assert len(entries) >= 30
    terms = list(entries)
    assert terms == sorted(terms, key=str.casefold), "keep the terms in alphabetical order"
    for term, definition in entries.items():
        assert definition, f"{term}: no definition"
        assert "{doc}`" in definition, f"{term}: name the chapter that defines it"


def test_every_term_is_used_elsewhere() -> None:
    others = " ".join(
        chapter.read_text(encoding="utf-8").casefold()
        for chapter in chapters()
        if chapter != GLOSSARY
    )
    unused = []
    for entry in _entries():
        for term in re.split(r",\s*", entry):
            if term.casefold() not in others:
                unused.append(term)
    assert not unused, f"not used by any chapter: {unused}"
