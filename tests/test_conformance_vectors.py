"""The published vectors: up to date, schema-valid, and anchored to published facts.

The expectations were recorded from the reference; ``tests/test_conformance_audit.py`` checks
every one of them against the independent oracles of ``conformance.audit``. Here: the files are
exactly what the generator writes, match their schemas, state their parameters, and hold the
TOS and Kaspa facts and Kaspa's own DAG files.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from conformance.kaspa import load_kaspa_dags, shared_dir
from conformance.vectors import (
    REPOSITORY_ROOT,
    SCHEMAS,
    SHIPPED_VECTORS,
    differences,
    generate_files,
    load_vectors,
    write_files,
)
from reference.work import MAX_UINT256

SHARED = shared_dir(REPOSITORY_ROOT)


@cache
def _documents() -> dict[str, dict[str, Any]]:
    return {path: document for path, document in load_vectors(SHIPPED_VECTORS).documents}


def _steps(path: str) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    for case in _documents()[path]["cases"]:
        yield case["name"], case["steps"]


@cache
def _generated() -> dict[str, bytes]:
    if not SHARED.is_dir():
        pytest.fail(f"the anchors folder {SHARED} is missing")
    return generate_files()


def test_shipped_vectors_are_exactly_what_the_generator_writes() -> None:
    problems = differences(_generated(), SHIPPED_VECTORS)
    assert not problems, "run `dagspec vectors generate --out conformance/vectors`: " + "; ".join(
        problems
    )


def _validator(name: str) -> Draft202012Validator:
    resources = []
    for path in SCHEMAS.glob("*.schema.json"):
        schema = json.loads(path.read_text())
        resources.append((schema["$id"], Resource.from_contents(schema)))
    registry: Registry[Any] = Registry().with_resources(resources)
    return Draft202012Validator(json.loads((SCHEMAS / name).read_text()), registry=registry)


def test_schemas_are_valid_json_schemas() -> None:
    for path in SCHEMAS.glob("*.schema.json"):
        Draft202012Validator.check_schema(json.loads(path.read_text()))


def _sampled(document: dict[str, Any]) -> dict[str, Any]:
    """The file with every case, each cut to its first 12 steps and every 25th after.

    Validating all 7,000 steps costs 25 s of CPU; the sample still holds every method, every
    kind of expectation, every case and every file header, for about 2 s.
    """
    cases = [
        {**case, "steps": case["steps"][:12] + case["steps"][12::25]} for case in document["cases"]
    ]
    return {**document, "cases": cases}


def test_manifest_and_every_file_match_their_schema() -> None:
    _validator("manifest.schema.json").validate(load_vectors(SHIPPED_VECTORS).manifest)
    validators = {kind: _validator(f"{kind}.schema.json") for kind in ("script", "raw")}
    for path, document in _documents().items():
        errors = list(validators[document["kind"]].iter_errors(_sampled(document)))
        assert not errors, f"{path}: {errors[0].message} at {list(errors[0].absolute_path)}"


def test_the_schemas_reject_what_the_protocol_forbids() -> None:
    script = _validator("script.schema.json")
    good = {**_documents()["ghostdag/generated.json"]}
    case = good["cases"][0]
    step = case["steps"][1]  # the genesis ghostdag query
    assert step["expect"]["result"]["selected_parent"] is None
    bad_steps = [
        {**step, "params": {"hash": step["params"]["hash"].upper()}},
        {**step, "expect": {"result": {**step["expect"]["result"], "blue_work": 0}}},
        {**step, "expect": {"result": {**step["expect"]["result"], "blue_work": "0x00"}}},
        {**step, "expect": {"result": 1, "error": "X"}},
    ]
    for bad in bad_steps:
        broken = {**good, "cases": [{"name": "x", "steps": [bad]}]}
        assert not script.is_valid(broken), bad


def test_every_dag_vector_states_its_consensus_parameters() -> None:
    for path, document in _documents().items():
        if document["kind"] != "script":
            continue
        for name, steps in _steps(path):
            for step in steps:
                if step["method"] == "reset":
                    overrides = step["params"]["overrides"]
                    assert {"k", "max_block_parents", "mergeset_size_limit"} <= overrides.keys(), (
                        f"{path} {name}"
                    )


def _work_results(path: str, key: str) -> dict[int, dict[str, Any]]:
    found = {}
    for _, steps in _steps(path):
        (step,) = steps
        found[int(str(step["params"][key]), 16) if key == "difficulty" else step["params"][key]] = (
            step["expect"]
        )
    return found


def test_work_vectors_agree_with_the_second_formula_and_tos_facts() -> None:
    results = _work_results("work/difficulty.json", "difficulty")
    for difficulty, expect in results.items():
        if 1 <= difficulty <= MAX_UINT256:
            target = MAX_UINT256 // difficulty
            assert expect["result"] == {
                "target": hex(target),
                "work": hex((1 << 256) // (target + 1)),
            }
        else:
            assert expect == {"error": "INVALID_DIFFICULTY"}
    tos = {d: int(results[d]["result"]["work"], 16) for d in (1, 2, 200, 1000)}
    assert tos == {1: 1, 2: 2, 200: 199, 1000: 999}


def test_bits_vectors_hold_kaspas_facts() -> None:
    results = _work_results("bits/compact.json", "bits")
    work = {
        b: int(results[b]["result"]["work"], 16)
        for b in (0x1D02CA33, 0x1E7FFFFF, 0x207FFFFF, 0x1E21BC1C)
    }
    assert work == {
        0x1D02CA33: 1_539_502_703,
        0x1E7FFFFF: 131_072,
        0x207FFFFF: 2,
        0x1E21BC1C: 497_326,
    }
    decoded = {
        0x01123456: 0x12,
        0x02008000: 0x80,
        0x02123456: 0x1234,
        0x03123456: 0x123456,
        0x04123456: 0x12345600,
        0x05009234: 0x92340000,
    }
    for bits, target in decoded.items():
        assert int(results[bits]["result"]["target"], 16) == target
    for bits in (0x00123456, 0x01003456, 0x02000056, 0x03000000, 0x04000000):
        assert results[bits] == {"error": "INVALID_DIFFICULTY"}


@pytest.mark.parametrize("form", ["bits", "difficulty"])
def test_kaspa_vectors_are_kaspas_files_converted_with_attribution(form: str) -> None:
    if not SHARED.is_dir():
        pytest.fail(f"the anchors folder {SHARED} is missing")
    suffix = "" if form == "bits" else "-difficulty"
    for dag in load_kaspa_dags(SHARED):
        document = _documents()[f"kaspa/{dag.name}{suffix}.json"]
        assert document["capabilities"] == ["ghostdag", form]
        source = document["source"]
        assert "rusty-kaspa" in source["repository"] and source["path"].endswith(f"{dag.name}.json")
        assert "ISC" in source["license"]
        (case,) = document["cases"]
        reset = case["steps"][0]["params"]["genesis"]
        # Both forms give every block the work of Kaspa's bits 0x1d02ca33, 1,539,502,703.
        if form == "bits":
            assert reset["bits"] == 0x1D02CA33
        else:
            target = MAX_UINT256 // int(reset["difficulty"], 16)
            assert (1 << 256) // (target + 1) == 1_539_502_703
        queries = [s for s in case["steps"] if s["method"] == "ghostdag"]
        assert len(queries) == len(dag.blocks)
        for block, step in zip(dag.blocks, queries, strict=True):
            fields = step["expect"]["fields"]
            assert step["params"]["hash"] == block.hash.hex()
            assert fields["selected_parent"] == block.selected_parent.hex()
            assert fields["mergeset_blues"] == [b.hex() for b in block.blues]
            assert fields["mergeset_reds"] == [r.hex() for r in block.reds]
            assert fields["blue_work"] == hex(1_539_502_703 * block.blue_score)


@pytest.mark.parametrize("path", ["orders/generated.json", "orders/generated-bits.json"])
def test_reordered_cases_expect_the_same_answers_in_every_order(path: str) -> None:
    answers: dict[tuple[str, str], Any] = {}
    for name, steps in _steps(path):
        dag = name.split(" order ")[0]
        order = [s["params"]["hash"] for s in steps if s["method"] == "add_block"]
        assert len(order) == len(set(order))
        for step in steps:
            if step["method"] == "ghostdag":
                key = (dag, step["params"]["hash"])
                assert answers.setdefault(key, step["expect"]) == step["expect"]
    orders = {
        name: [s["params"]["hash"] for s in steps if s["method"] == "add_block"]
        for name, steps in _steps(path)
    }
    assert len({tuple(order) for order in orders.values()}) == len(orders)


def test_vector_generation_is_independent_of_the_output_folder(tmp_path: Path) -> None:
    files = _generated()
    write_files(files, tmp_path)
    assert differences(files, tmp_path) == []
    assert load_vectors(tmp_path).manifest == load_vectors(SHIPPED_VECTORS).manifest


def test_a_stale_folder_is_reported_file_by_file(tmp_path: Path) -> None:
    files = _generated()
    write_files(files, tmp_path)
    (tmp_path / "work" / "difficulty.json").write_bytes(b"{}")
    (tmp_path / "kaspa" / "dag3.json").unlink()
    (tmp_path / "extra.json").write_text("{}")
    assert differences(files, tmp_path) == [
        "missing: kaspa/dag3.json",
        "differs: work/difficulty.json",
        "unexpected: extra.json",
    ]
