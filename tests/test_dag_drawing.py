"""The DAG drawings of the rendered spec: colouring, layout and SVG.

The colouring of a drawing is checked against brute force (the virtual's blue set is a
k-cluster, every merged block has exactly one colour) and against Kaspa's published reds; the
layout against its geometric promises; the SVG by parsing it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conformance.strategies import Shape, random_layered_dag
from docs.ext.dag_layout import place_blocks
from docs.ext.dag_model import (
    INLINE_DIFFICULTY,
    ColouredDag,
    DagDescription,
    DagFormatError,
    colour_dag,
    load_kaspa_dag,
    parse_dag,
)
from docs.ext.dag_svg import FILL, render_svg
from reference.errors import BlockRejected, Code
from reference.work import target_from_difficulty
from tests.spec_markdown import REPOSITORY
from tests.sphinx_page import build_page

KASPA_DAGS = REPOSITORY.parent / "shared" / "anchors" / "kaspa" / "dags"
SVG = "{http://www.w3.org/2000/svg}"


def _generated(seed: int, k: int) -> DagDescription:
    shape = Shape(layers=0, max_width=4, max_delay=2, max_parents=4, max_difficulty=1)
    dag = random_layered_dag(seed, 28, shape)
    labels = {block.hash: f"b{index}" for index, block in enumerate(dag.blocks)}
    blocks = tuple(
        (labels[block.hash], tuple(labels[p] for p in block.parents)) for block in dag.blocks[1:]
    )
    return DagDescription(k, labels[dag.genesis.hash], blocks)


def _past(dag: ColouredDag) -> dict[str, set[str]]:
    past: dict[str, set[str]] = {}
    for block in dag.blocks:
        past[block.label] = set().union(*({p} | past[p] for p in block.parents))
    return past


SAMPLES = [(seed, k) for seed in range(6) for k in (0, 1, 3)]


@pytest.mark.parametrize(("seed", "k"), SAMPLES)
def test_virtual_blue_set_is_a_k_cluster(seed: int, k: int) -> None:
    dag = colour_dag(_generated(seed, k))
    past = _past(dag)
    merged = set().union(*({t} | past[t] for t in dag.virtual_parents))
    for block in dag.blocks:
        assert (block.colour == "outside") == (block.label not in merged)
    blues = {b.label for b in dag.blocks if b.colour == "blue"}
    for blue in blues:
        anticone = {
            other
            for other in blues
            if other != blue and other not in past[blue] and blue not in past[other]
        }
        assert len(anticone) <= k, f"{blue} has {len(anticone)} blues in its anticone"


@pytest.mark.parametrize(("seed", "k"), SAMPLES[:6])
def test_layout_keeps_its_promises(seed: int, k: int) -> None:
    dag = colour_dag(_generated(seed, k))
    positions = place_blocks(dag)
    assert len(set(positions.values())) == len(positions), "two blocks share a slot"
    for block in dag.blocks:
        here = positions[block.label]
        assert all(positions[p].column < here.column for p in block.parents)
        assert (here.row == 0) == block.on_selected_chain


@pytest.mark.parametrize("name", ["dag0", "dag1", "dag2", "dag3", "dag4", "dag5"])
def test_kaspa_dags_draw_with_the_published_colours(name: str) -> None:
    path = KASPA_DAGS / f"{name}.json"
    if not path.is_file():
        pytest.fail(f"{path} is missing: clone the repository with ../shared beside it")
    dag = colour_dag(load_kaspa_dag(path))
    svg = ET.fromstring(render_svg(dag, name, name))
    discs = [c for c in svg.iter(f"{SVG}circle") if c.get("r") == "17" and c.get("fill") != "none"]
    assert [c.get("fill") for c in discs] == [FILL[b.colour] for b in dag.blocks]
    edges = list(svg.iter(f"{SVG}line")) + list(svg.iter(f"{SVG}path"))
    parent_links = sum(len(b.parents) for b in dag.blocks) + len(dag.virtual_parents)
    legend_lines, marker_paths = 2, 1
    assert len(edges) == parent_links + legend_lines + marker_paths


def test_dag0_reds_are_kaspas() -> None:
    dag = colour_dag(load_kaspa_dag(KASPA_DAGS / "dag0.json"))
    assert {b.label for b in dag.blocks if b.colour == "red"} == {"H", "I", "Q"}
    assert dag.virtual_parents == ("T", "H") and dag.virtual_selected_parent == "T"


def test_inline_form() -> None:
    lines = ["G:", "", "B: G  # a comment", "C: G difficulty=5000", "M: B C"]
    description = parse_dag(lines, k=1)
    assert description.genesis == "G"
    assert description.blocks == (("B", ("G",)), ("C", ("G",)), ("M", ("B", "C")))
    assert description.targets["C"] == target_from_difficulty(5000)
    assert description.targets["M"] == target_from_difficulty(INLINE_DIFFICULTY)


@pytest.mark.parametrize(
    "lines",
    [[], ["G: X"], ["G:", "no colon here"], ["G:", ": G"], ["G:", "B: G difficulty=lots"]],
)
def test_inline_form_errors(lines: list[str]) -> None:
    with pytest.raises(DagFormatError):
        parse_dag(lines, k=1)


def test_unknown_parent_is_reported_not_drawn() -> None:
    with pytest.raises(BlockRejected) as caught:
        colour_dag(parse_dag(["G:", "B: X"], k=1))
    assert caught.value.code is Code.UNKNOWN_PARENT


def _build_page(tmp_path: Path, page: str) -> tuple[str, str]:
    """Build one MyST page with the directive; its HTML and the warnings."""
    conf = (
        'extensions = ["myst_parser", "docs.ext.dag_directive"]\n'
        f"dagdraw_shared_dir = {str(KASPA_DAGS.parent.parent.parent)!r}\n"
    )
    return build_page(tmp_path, conf, page)


def test_directive_renders_inline_svg(tmp_path: Path) -> None:
    page = "# t\n\n```{dag-drawing}\n:k: 1\n:caption: three blocks\nG:\nB: G\nC: G\n```\n"
    html, warnings = _build_page(tmp_path, page)
    assert not warnings
    assert html.count('class="dag-drawing"') == 1
    assert "three blocks" in html and FILL["blue"] in html


def test_directive_reports_bad_input(tmp_path: Path) -> None:
    page = "# t\n\n```{dag-drawing}\n:k: 1\nG:\nB: X\n```\n\n```{dag-drawing}\n:kaspa: dag9\n```\n"
    _, warnings = _build_page(tmp_path, page)
    assert "UNKNOWN_PARENT" in warnings
    assert "dag9.json" in warnings
