"""The worked examples of ``spec/`` are the reference's answers.

- Every ````pycon```` block of every chapter runs as a doctest (one namespace per chapter, in
  order), so each ``>>>`` line and the value printed under it is recomputed.
- The dag0 table of ``spec/overview.md`` equals the reference's GHOSTDAG data for Kaspa's
  dag0, and the reference's data equals Kaspa's published expectations; the summary table of
  Kaspa's six DAGs in ``spec/examples.md`` equals the reference's virtual view of each.
- The claim of ``spec/work.md`` that work is ``d`` for powers of two and ``d - 1`` for every
  other difficulty up to 2^128 holds for the reference.
"""

from __future__ import annotations

import doctest
import json
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from docs.ext.dag_model import ColouredDag, colour_dag, load_kaspa_dag
from reference.work import work_from_difficulty
from tests.spec_markdown import REPOSITORY, SPEC, chapters, fences, table_after_label

SHARED = REPOSITORY.parent / "shared"
KASPA_DAGS = SHARED / "anchors" / "kaspa" / "dags"
DAG0 = KASPA_DAGS / "dag0.json"
KASPA_GENESIS_WORK = 1_539_502_703
"""Work of compact bits 0x1d02ca33 (anchors, section 5): kaspad asserts blue_work = W x score."""


def _chapters_with_examples() -> list[Path]:
    return [c for c in chapters() if any(f.info.strip() == "pycon" for f in fences(c))]


def test_examples_exist() -> None:
    # The foundation chapters carry examples; an empty parametrisation would prove nothing.
    names = {c.name for c in _chapters_with_examples()}
    assert {"overview.md", "presets.md", "primitives.md", "work.md", "examples.md"} <= names


@pytest.mark.parametrize("chapter", _chapters_with_examples(), ids=lambda c: c.name)
def test_pycon_examples_run(chapter: Path) -> None:
    parser = doctest.DocTestParser()
    examples = []
    for fence in fences(chapter):
        if fence.info.strip() == "pycon":
            for item in parser.get_examples(fence.body):
                item.lineno += fence.line  # report lines of the chapter, not of the block
                examples.append(item)
    test = doctest.DocTest(examples, {}, f"spec/{chapter.name}", str(chapter), 0, None)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    failures: list[str] = []
    runner.run(test, out=failures.append)
    assert runner.failures == 0, "".join(failures)
    assert runner.tries == len(examples) > 0


@pytest.fixture(scope="module")
def dag0() -> ColouredDag:
    if not DAG0.is_file():
        pytest.fail(f"{DAG0} is missing: clone the repository with ../shared beside it")
    return colour_dag(load_kaspa_dag(DAG0))


def _words(cell: str) -> list[str]:
    return [] if cell == "—" else cell.split()


def test_dag0_table_is_the_reference_answer(dag0: ColouredDag) -> None:
    header, *rows = table_after_label(SPEC / "overview.md", "dag0-table")
    assert header[0] == "block" and header[-1] == "colour"
    expected = [
        [
            block.label,
            " ".join(block.parents) or "—",
            block.selected_parent or "—",
            " ".join(block.mergeset_blues) or "—",
            " ".join(block.mergeset_reds) or "—",
            str(block.blue_score),
            f"{block.blue_work:,}",
            block.colour,
        ]
        for block in dag0.blocks
    ]
    assert rows == expected


def test_dag0_reference_matches_kaspa(dag0: ColouredDag) -> None:
    # The independent oracle: Kaspa's published expectations for every block, and the
    # virtual's reds (a top-level list that neither Kaspa harness checks, but that the
    # overview's colour column shows).
    document = json.loads(DAG0.read_text(encoding="utf-8"))
    by_label = {block.label: block for block in dag0.blocks}
    for entry in document["Blocks"]:
        block = by_label[entry["ID"]]
        assert block.blue_score == entry["ExpectedScore"]
        assert block.selected_parent == entry["ExpectedSelectedParent"]
        assert list(block.mergeset_blues) == entry["ExpectedBlues"]
        assert list(block.mergeset_reds) == entry["ExpectedReds"]
        assert block.blue_work == KASPA_GENESIS_WORK * entry["ExpectedScore"]
    reds = {block.label for block in dag0.blocks if block.colour == "red"}
    assert reds == set(document["ExpectedReds"])


def test_kaspa_dags_table_is_the_reference_answer() -> None:
    header, *rows = table_after_label(SPEC / "examples.md", "kaspa-dags-table")
    assert header[:2] == ["DAG", "K"]
    expected = []
    for index in range(6):
        path = KASPA_DAGS / f"dag{index}.json"
        dag = colour_dag(load_kaspa_dag(path))
        reds = sorted((b.label for b in dag.blocks if b.colour == "red"), key=str.encode)
        expected.append(
            [
                f"`dag{index}`",
                str(dag.k),
                str(len(dag.blocks)),
                " ".join(reds) or "—",
                dag.virtual_selected_parent,
            ]
        )
    assert rows == expected


def _is_power_of_two(value: int) -> bool:
    return value & (value - 1) == 0


@settings(max_examples=300)
@given(st.integers(min_value=1, max_value=1 << 128))
@example(1)
@example(2)
@example(3)
@example(1 << 128)
@example((1 << 128) - 1)
def test_work_is_difficulty_or_one_less(difficulty: int) -> None:
    # spec/work.md, "Why work is usually one less than the difficulty".
    expected = difficulty if _is_power_of_two(difficulty) else difficulty - 1
    assert work_from_difficulty(difficulty) == expected


@settings(max_examples=200)
@given(st.integers(min_value=1, max_value=(1 << 256) - 1))
@example((1 << 256) - 1)
def test_work_never_exceeds_difficulty(difficulty: int) -> None:
    # spec/work.md: (t + 1) * d >= 2^256, so work <= d over the whole range.
    assert 1 <= work_from_difficulty(difficulty) <= difficulty


@settings(max_examples=50)
@given(st.integers(min_value=0, max_value=255))
def test_powers_of_two_are_exact(exponent: int) -> None:
    assert work_from_difficulty(1 << exponent) == 1 << exponent
