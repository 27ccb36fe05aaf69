"""The parameter tables of ``spec/presets.md`` equal the preset objects of the reference.

Each table is parsed from the chapter and compared cell by cell with ``reference/presets.py``:
values, meanings (the fields' documentation) and per-preset provenance. A failure prints the
row the chapter should have.
"""

from __future__ import annotations

import pytest

from reference.presets import PRESETS, PROVENANCE, parameter_docs
from tests.spec_markdown import SPEC, definitions_after_label, table_after_label

CHAPTER = SPEC / "presets.md"


def _cell(value: int | bool | None) -> str:
    """How the chapter writes a value: thousands separators, a dash for "none"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "—" if value is None else f"{value:,}"


def _code(name: str) -> str:
    return f"`{name}`"


def test_value_table_equals_presets() -> None:
    header, *rows = table_after_label(CHAPTER, "preset-values")
    assert header == ["parameter", *map(_code, PRESETS)]
    expected = [
        [_code(parameter), *(_cell(getattr(p, parameter)) for p in PRESETS.values())]
        for parameter in parameter_docs()
    ]
    for written, wanted in zip(rows, expected, strict=False):
        assert written == wanted, f"spec/presets.md should read | {' | '.join(wanted)} |"
    assert len(rows) == len(expected), "one row per parameter, in field order"


def test_meanings_equal_field_docs() -> None:
    written = definitions_after_label(CHAPTER, "preset-meanings")
    assert written == {_code(name): doc for name, doc in parameter_docs().items()}


@pytest.mark.parametrize("preset", list(PRESETS))
def test_provenance_table_equals_presets(preset: str) -> None:
    header, *rows = table_after_label(CHAPTER, f"provenance-{preset}")
    assert header == ["parameter", "value", "source"]
    expected = [
        [_code(name), _cell(getattr(PRESETS[preset], name)), source]
        for name, source in PROVENANCE[preset].items()
    ]
    assert rows == expected


def test_cell_format_is_unambiguous() -> None:
    # The comparison above is only as good as the rendering of a value: pin it.
    assert (_cell(None), _cell(3), _cell(185_798), _cell(1_080_000)) == (
        "—",
        "3",
        "185,798",
        "1,080,000",
    )
