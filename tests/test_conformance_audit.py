"""The audit: every published expectation confirmed by an oracle independent of ``reference/``.

The audit's oracles (``conformance/audit/``) must share no code with the reference, confirm
every expectation of every published file, and catch a wrong one: each test below that flips an
expectation shows the oracle of that suite has teeth.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import json
import random
import shutil
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from conformance.audit import ELSEWHERE, ORACLES, audit_documents, audit_file
from conformance.audit.capabilities import audit_capabilities
from conformance.audit.dag import DagModel, Params
from conformance.audit.raw import RequestSchemas
from conformance.audit.targets import target_of_bits, work_of
from conformance.dags import DagShape, seeded_dag
from conformance.oracle import ghostdag_oracle
from conformance.vectors import SCHEMAS, SHIPPED_VECTORS, load_vectors
from conformance.vectors_cli import audit

AUDIT = Path(__file__).resolve().parent.parent / "conformance" / "audit"

SUITES: tuple[str, ...] = ("protocol", "work", "bits", "reachability", "ghostdag", "kaspa")
SUITES += ("orders", "validation", "virtual", "relay")


@cache
def _documents() -> tuple[tuple[str, dict[str, Any]], ...]:
    documents: Any = load_vectors(SHIPPED_VECTORS).documents
    return tuple(documents)


@cache
def _schemas() -> RequestSchemas:
    return RequestSchemas(SCHEMAS)


def _files(suite: str) -> list[tuple[str, dict[str, Any]]]:
    return [(path, document) for path, document in _documents() if document["suite"] == suite]


def _step_count(document: dict[str, Any]) -> int:
    return sum(len(case["steps"]) for case in document["cases"])


def test_the_audit_imports_nothing_of_the_reference() -> None:
    # The standard library, the JSON Schema validator, and BLAKE3 (a hash Kaspa's version 1
    # transaction ids use, which the standard library lacks).
    allowed_roots = {"conformance", "jsonschema", "referencing", "blake3", "__future__"}
    for module in sorted(AUDIT.glob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                root = name.split(".")[0]
                if root == "conformance":
                    assert name.startswith("conformance.audit"), f"{module.name} imports {name}"
                else:
                    assert root in allowed_roots or root in sys.stdlib_module_names, (
                        f"{module.name} imports {name}"
                    )


@pytest.mark.parametrize("suite", SUITES)
def test_every_published_expectation_is_confirmed(suite: str) -> None:
    files = _files(suite)
    assert files, suite
    tally = audit_documents(files, SCHEMAS)
    assert not tally.findings, "\n".join(map(str, tally.findings[:10]))
    assert tally.checked == sum(_step_count(document) for _, document in files)


def _flip(value: Any, rng: random.Random) -> Any:
    """A different JSON value of the same shape where one exists."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        if value.startswith("0x"):
            return hex(int(value, 16) + 1)
        if len(value) == 64:
            return value[:-1] + ("0" if value[-1] != "0" else "1")
        return value + "x"
    if isinstance(value, list):
        if len(value) > 1:
            return value[::-1] if value != value[::-1] else value[:-1]
        return [*value, "00" * 32]
    if isinstance(value, dict):
        if not value:
            return {"extra": 1}
        key = rng.choice(sorted(value))
        return {**value, key: _flip(value[key], rng)}
    return 0


def _wrong(expect: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The expectation with one thing changed."""
    if "error" in expect:
        return {**expect, "error": "UNKNOWN_BLOCK" if expect["error"] != "UNKNOWN_BLOCK" else "X"}
    if "id" in expect and rng.random() < 0.3:
        return {**expect, "id": 3 if expect["id"] is None else None}
    if "fields" in expect:
        return {**expect, "fields": _flip(expect["fields"], rng)}
    return {**expect, "result": _flip(expect["result"], rng)}


def _sample(suite: str, count: int) -> Iterator[tuple[str, dict[str, Any], int, int]]:
    """``(path, document, case index, step index)`` of ``count`` steps spread over a suite."""
    rng = random.Random(f"audit teeth {suite}")
    files = _files(suite)
    for _ in range(count):
        path, document = rng.choice(files)
        case_index = rng.randrange(len(document["cases"]))
        step_index = rng.randrange(len(document["cases"][case_index]["steps"]))
        yield path, document, case_index, step_index


@pytest.mark.parametrize("suite", SUITES)
def test_a_wrong_expectation_is_caught_at_its_step(suite: str) -> None:
    rng = random.Random(suite)
    caught = 0
    for path, document, case_index, step_index in _sample(suite, 12):
        case = document["cases"][case_index]
        # The steps after the flipped one cannot change its verdict: leave them out.
        case = {**case, "steps": case["steps"][: step_index + 1]}
        broken = copy.deepcopy(case)
        broken["steps"][step_index]["expect"] = _wrong(broken["steps"][step_index]["expect"], rng)
        mutated = {**document, "cases": [broken]}
        findings = audit_file(path, mutated, _schemas()).findings
        assert any(f.case == case["name"] and f.step == step_index for f in findings), (
            path,
            case["name"],
            step_index,
            broken["steps"][step_index]["expect"],
        )
        caught += 1
    assert caught == 12


def test_undeclared_and_unused_capabilities_are_findings() -> None:
    path, document = next((p, d) for p, d in _documents() if p == "virtual/rejections.json")
    assert audit_capabilities(path, document) == []
    missing = {**document, "capabilities": ["virtual", "difficulty"]}
    (finding,) = audit_capabilities(path, missing)
    assert "undeclared ['validation']" in finding.problem
    extra = {**document, "capabilities": [*document["capabilities"], "bits"]}
    (finding,) = audit_capabilities(path, extra)
    assert "unused ['bits']" in finding.problem


def test_a_case_that_does_not_state_its_parameters_cannot_be_checked() -> None:
    path, document = next((p, d) for p, d in _documents() if p == "ghostdag/generated.json")
    case = copy.deepcopy(document["cases"][0])
    del case["steps"][0]["params"]["overrides"]["mergeset_size_limit"]
    findings = audit_file(path, {**document, "cases": [case]}, _schemas()).findings
    assert findings and "does not state" in findings[0].problem


@pytest.mark.parametrize("seed", range(12))
def test_the_dag_model_agrees_with_the_brute_force_oracle(seed: int) -> None:
    """Two derivations of GHOSTDAG written apart — whole past sets as bitsets here, as Python
    sets in ``conformance.oracle`` — agree on seeded DAGs with ties and wide anticones."""
    rng = random.Random(seed)
    k = seed % 5
    blocks = seeded_dag(rng, DagShape(45, 6, 3, 6, (1, 2, 3)))
    work = {block.hash: block.difficulty for block in blocks}
    expected = ghostdag_oracle({b.hash: b.parents for b in blocks}, work, k)
    model = DagModel(Params(k, 64, 10_000), blocks[0].hash.hex(), work[blocks[0].hash])
    for block in blocks[1:]:
        parents = [parent.hex() for parent in block.parents]
        code, colouring = model.rejection(block.hash.hex(), parents, 1, {})
        assert code is None and colouring is not None
        model.add(block.hash.hex(), parents, work[block.hash], colouring)
    for block in blocks:
        data = expected[block.hash]
        found = model.ghostdag_json(model.index[block.hash.hex()])
        assert found["mergeset_blues"] == [b.hex() for b in data.mergeset_blues]
        assert found["mergeset_reds"] == [r.hex() for r in data.mergeset_reds]
        assert found["blue_score"] == data.blue_score
        assert found["blue_work"] == hex(data.blue_work)
        sizes = {h.hex(): n for h, n in data.blues_anticone_sizes.items()}
        assert found["blues_anticone_sizes"] == sizes


def test_the_compact_bits_formula_holds_kaspas_published_facts() -> None:
    """kaspad's decode table and Kaspa's published works, against the audit's own formula."""
    decoded = {
        0x01123456: 0x12,
        0x02008000: 0x80,
        0x02123456: 0x1234,
        0x03123456: 0x123456,
        0x04123456: 0x12345600,
        0x05009234: 0x92340000,
    }
    for bits, target in decoded.items():
        assert target_of_bits(bits) == target
    for bits in (0x00123456, 0x01003456, 0x02000056, 0x03000000, 0x04000000, 0x04923456):
        assert target_of_bits(bits) is None
    works = {0x1D02CA33: 1_539_502_703, 0x1E7FFFFF: 131_072, 0x207FFFFF: 2, 0x1E21BC1C: 497_326}
    for bits, work in works.items():
        found = target_of_bits(bits)
        assert found is not None and work_of(found) == work


def _folder(tmp_path: Path, paths: list[str]) -> Path:
    """A vectors folder holding only ``paths`` of the shipped vectors, with its manifest."""
    manifest = json.loads((SHIPPED_VECTORS / "manifest.json").read_text())
    manifest["files"] = [entry for entry in manifest["files"] if entry["path"] in paths]
    for path in paths:
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SHIPPED_VECTORS / path, target)
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    return tmp_path


def test_vectors_check_runs_the_audit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _folder(tmp_path, ["work/difficulty.json", "protocol/framing.json"])
    assert audit(folder) == 0
    assert "expectations confirmed by independent oracles" in capsys.readouterr().out
    # One wrong work, and its digest updated so that the file is still trusted.
    target = folder / "work" / "difficulty.json"
    data = target.read_bytes().replace(b'"work":"0x1"', b'"work":"0x2"', 1)
    target.write_bytes(data)
    manifest = json.loads((folder / "manifest.json").read_text())
    for entry in manifest["files"]:
        if entry["path"] == "work/difficulty.json":
            entry["sha256"] = hashlib.sha256(data).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert audit(folder) == 1
    out = capsys.readouterr().out
    assert "work/difficulty.json :: difficulty 0x1 :: step 0: published {'target'" in out
    assert "1 of 139 expectations contradicted or unchecked" in out  # 93 + 23 x 2 steps


def test_every_published_suite_has_an_oracle() -> None:
    root = Path(__file__).resolve().parent.parent
    for _, document in _documents():
        suite = document["suite"]
        assert suite in ORACLES or suite in ELSEWHERE, f"suite {suite} has no oracle"
    for suite, module in ELSEWHERE.items():
        text = (root / module).read_text(encoding="utf-8")
        assert f'vectors" / "{suite}' in text or f"vectors/{suite}" in text, (suite, module)


def test_a_suite_without_an_oracle_is_reported_unchecked() -> None:
    path, document = next((p, d) for p, d in _documents() if p == "work/difficulty.json")
    findings = audit_file(path, {**document, "suite": "novel"}, _schemas()).findings
    assert len(findings) == len(document["cases"])
    assert all("no independent oracle for suite 'novel'" in f.problem for f in findings)
