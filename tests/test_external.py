"""The report of Kaspa's implementations (``adapters.external``), without Rust or Go.

The classification rules are checked on hand-made steps whose verdict the test states from
the rule's definition, and compact-bits decoding against Kaspa's published facts (anchors §5).
End to end, two stand-in "implementations" wrap the reference adapter: one behaves like Kaspa
on repeated parents (it drops the repeat), so every failure must be classified as register row
``VA-2`` and the run must pass; the other corrupts GHOSTDAG answers, so the page must report
unexplained failures and the run must fail.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from adapters.differences import (
    ADAPTER_GAPS,
    KASPAD,
    RULE_ORDER,
    RUSTY_KASPA,
    SPEC_ORDER,
    Mismatch,
    changes_state,
    classify,
    compact_target,
    outcome,
)
from adapters.external import (
    ADVERTISED,
    BUILD_TIMES,
    CI_LIMIT,
    GAP_OF_CAPABILITY,
    MAKE_TEST,
    cold_ci_run,
    duration,
    main,
    read_junit,
)
from conformance.protocol import JsonObject
from conformance.vectors import SHIPPED_VECTORS, load_vectors

ROOT = Path(__file__).resolve().parent.parent
RUNNER = [sys.executable, "-m", "conformance.cli", "conformance", "run"]

H = ["aa" * 32, "bb" * 32]


def step(method: str, params: JsonObject, expected: object, reply: object) -> Mismatch:
    return Mismatch(0, method, params, expected, reply)  # type: ignore[arg-type]


def rejected(code: str) -> JsonObject:
    return {"result": {"status": "rejected", "error": code}}


ACCEPTED: JsonObject = {"result": {"status": "accepted"}}


def test_compact_target_matches_kaspas_decode_facts() -> None:
    # anchors §5: kaspad's compact-bits tests (values whose sign bit is clear).
    facts = {
        0x01123456: 0x12,
        0x02008000: 0x80,
        0x02123456: 0x1234,
        0x03123456: 0x123456,
        0x04123456: 0x12345600,
        0x05009234: 0x92340000,
        0x00123456: 0,
        0x01003456: 0,
        0x02000056: 0,
        0x03000000: 0,
        0x04000000: 0,
    }
    for bits, target in facts.items():
        assert compact_target(bits) == target, hex(bits)
    # work(bits) = 2^256 // (target + 1): anchors' worked values.
    for bits, work in {0x1D02CA33: 1_539_502_703, 0x1E7FFFFF: 131_072, 0x207FFFFF: 2}.items():
        assert (1 << 256) // (compact_target(bits) + 1) == work
    assert compact_target(0x04923456) < 0  # the sign bit set: no target


def test_outcome_reads_results_errors_and_expectations() -> None:
    assert outcome(ACCEPTED) == "accepted"
    assert outcome(rejected("NO_PARENTS")) == "NO_PARENTS"
    assert outcome({"error": {"code": "UNSUPPORTED", "message": "x"}}) == "UNSUPPORTED"
    assert outcome({"error": "BAD_REQUEST"}) == "BAD_REQUEST"
    assert outcome({"result": {"target": "0x1"}}) is None


def test_a_repeated_parent_is_va2_for_both_implementations() -> None:
    params: JsonObject = {"hash": H[1], "parents": [H[0], H[0]], "bits": 0x207FFFFF}
    for implementation in (RUSTY_KASPA, KASPAD):
        found = classify(
            implementation, step("add_block", params, rejected("DUPLICATE_PARENT"), ACCEPTED)
        )
        assert found is not None and found.ident == "VA-2"
    # Without a repeat the same expectation is not VA-2's to explain.
    single: JsonObject = {**params, "parents": [H[0]]}
    assert (
        classify(KASPAD, step("add_block", single, rejected("DUPLICATE_PARENT"), ACCEPTED)) is None
    )


def test_rule_order_is_explained_only_in_the_implementations_direction() -> None:
    params: JsonObject = {"hash": H[1], "parents": [H[0]], "bits": 0}
    # kaspad checks parents before the bits; the specification the bits first.
    kaspad_order = step(
        "add_block", params, rejected("INVALID_DIFFICULTY"), rejected("UNKNOWN_PARENT")
    )
    found = classify(KASPAD, kaspad_order)
    assert found is not None and found.ident == "VA-1"
    # The other direction is no implementation's order: unexplained.
    backwards = step(
        "add_block", params, rejected("UNKNOWN_PARENT"), rejected("INVALID_DIFFICULTY")
    )
    assert classify(KASPAD, backwards) is None
    assert classify(RUSTY_KASPA, kaspad_order) is None


def test_the_orders_agree_with_the_validation_chapter() -> None:
    text = (ROOT / "spec" / "validation.md").read_text()
    table = text[text.index("## The canonical order") :]
    rows = [line.split("|") for line in table.splitlines() if line.startswith("| ")]
    both = [
        cells[2].strip().strip("`")
        for cells in rows
        if len(cells) > 6 and cells[5].strip() == "both"
    ]
    assert tuple(both) == SPEC_ORDER
    # rusty-kaspa's order is the specification's (so VA-1 never applies to it); kaspad's is not.
    rusty = RULE_ORDER[RUSTY_KASPA]
    assert [code for code in SPEC_ORDER if code in rusty] == list(rusty)
    kaspad = RULE_ORDER[KASPAD]
    assert [code for code in SPEC_ORDER if code in kaspad] != list(kaspad)


def test_kaspads_blue_score_error_is_va3_and_only_kaspads() -> None:
    params: JsonObject = {"hash": H[1], "parents": [H[0]], "bits": 1, "claims": {"blue_score": 7}}
    mismatch = step("add_block", params, rejected("BAD_BLUE_SCORE"), rejected("BAD_BLUE_WORK"))
    found = classify(KASPAD, mismatch)
    assert found is not None and found.ident == "VA-3"
    assert classify(RUSTY_KASPA, mismatch) is None


def test_bits_rows() -> None:
    too_big = 0x21010000  # 0x010000 << 8 * 30 = 2^256
    assert compact_target(too_big) == 1 << 256
    truncated = step("work", {"bits": too_big}, {"error": "INVALID_DIFFICULTY"}, {"result": {}})
    found = classify(RUSTY_KASPA, truncated)
    assert found is not None and found.ident == "WK-1"
    assert classify(KASPAD, truncated) is None
    sign = step(
        "work",
        {"bits": 0x01800000},
        {"result": {"target": "0x80"}},
        {"error": {"code": "INVALID_DIFFICULTY"}},
    )
    found = classify(KASPAD, sign)
    assert found is not None and found.ident == "WK-4"
    narrow = step(
        "work",
        {"bits": 0x03000001},
        {"result": {}},
        {"error": {"code": "INTERNAL_ERROR", "message": ""}},
    )
    found = classify(RUSTY_KASPA, narrow)  # target 1: work 2^255, wider than 192 bits
    assert found is not None and found.ident == "WK-2"


def test_an_arbitrary_wrong_answer_is_unexplained() -> None:
    wrong = step(
        "ghostdag", {"hash": H[0]}, {"result": {"blue_score": 1}}, {"result": {"blue_score": 2}}
    )
    assert classify(RUSTY_KASPA, wrong) is None
    assert classify(KASPAD, wrong) is None
    assert not changes_state(wrong)
    assert changes_state(step("add_block", {}, ACCEPTED, rejected("NO_PARENTS")))
    assert not changes_state(
        step("add_block", {}, rejected("NO_PARENTS"), rejected("TOO_MANY_PARENTS"))
    )


# ---------------------------------------------------------------------------- end to end

PROXY = textwrap.dedent(
    """\
    import json, subprocess, sys

    MODE = sys.argv[1]
    child = subprocess.Popen(
        [sys.executable, "-m", "conformance.cli", "adapter"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    for line in sys.stdin:
        try:
            request = json.loads(line)
        except ValueError:
            request = None
        if MODE == "dedupe" and isinstance(request, dict) and request.get("method") == "add_block":
            parents = request["params"].get("parents")
            if isinstance(parents, list):
                request["params"]["parents"] = list(dict.fromkeys(parents))
            line = json.dumps(request) + "\\n"
        child.stdin.write(line if line.endswith("\\n") else line + "\\n")
        child.stdin.flush()
        reply = child.stdout.readline()
        if MODE == "corrupt" and isinstance(request, dict) and request.get("method") == "ghostdag":
            answer = json.loads(reply)
            if isinstance(answer.get("result"), dict):
                answer["result"]["blue_score"] += 1
            reply = json.dumps(answer) + "\\n"
        sys.stdout.write(reply)
        sys.stdout.flush()
    """
)


def one_file(tmp_path: Path, relative: str) -> Path:
    """A vectors folder holding one shipped file (and a manifest listing only it)."""
    folder = tmp_path / "vectors"
    (folder / relative).parent.mkdir(parents=True)
    shutil.copy(SHIPPED_VECTORS / relative, folder / relative)
    manifest = json.loads((SHIPPED_VECTORS / "manifest.json").read_text())
    manifest["files"] = [entry for entry in manifest["files"] if entry["path"] == relative]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def run_file(tmp_path: Path, mode: str, relative: str) -> tuple[Path, Path, str]:
    """Run one vector file against the stand-in; its vectors, JUnit file and command."""
    proxy = tmp_path / "proxy.py"
    proxy.write_text(PROXY)
    command = f"{sys.executable} {proxy} {mode}"
    junit = tmp_path / f"{mode}.xml"
    vectors = one_file(tmp_path, relative)
    subprocess.run(
        [*RUNNER, "--adapter", command, "--vectors", str(vectors), "--junit", str(junit)],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    return vectors, junit, command


def test_kaspa_like_repeated_parents_are_all_explained(tmp_path: Path) -> None:
    vectors, junit, command = run_file(tmp_path, "dedupe", "validation/generated-bits.json")
    cases = read_junit(junit)
    failed = [c for c in cases if c.status == "failed"]
    assert failed, "the stand-in accepts repeated parents, so some validation case must fail"
    page = tmp_path / "external.md"
    status = main(
        ["--run", KASPAD, str(junit), command, "--vectors", str(vectors), "--out", str(page)]
    )
    text = page.read_text()
    assert status == 0
    assert "Unexplained steps: **0**" in text
    assert "| `VA-2` | deviation |" in text
    # Each accepted repeat is replayed away, so the re-offered valid header is compared too.
    assert "as a consequence" not in text
    for case in failed:
        assert f"| {case.file} | {case.name} | failed: `VA-2` |" in text
    passed = sum(1 for c in cases if c.status == "passed")
    assert f"{passed} / {len(failed)} / 0" in text


def test_a_wrong_ghostdag_answer_fails_the_run(tmp_path: Path) -> None:
    vectors, junit, command = run_file(tmp_path, "corrupt", "kaspa/dag0.json")
    page = tmp_path / "external.md"
    status = main(
        ["--run", RUSTY_KASPA, str(junit), command, "--vectors", str(vectors), "--out", str(page)]
    )
    text = page.read_text()
    assert status == 1
    assert "failed: **unexplained**" in text
    assert "Unexplained steps: **0**" not in text


# ---------------------------------------------------------------------------- capabilities


def advertised_in_source(path: Path, pattern: str) -> set[str]:
    """The capability names of an adapter's hello, read from its source."""
    found = re.search(pattern, path.read_text(), re.DOTALL)
    assert found is not None, f"no capability list in {path}"
    return set(re.findall(r'"([a-z_]+)"', found.group(1)))


def test_every_capability_of_the_vectors_is_advertised_by_both_or_a_gap() -> None:
    rusty = advertised_in_source(
        ROOT / "adapters" / "rusty-kaspa" / "src" / "main.rs",
        r"const CAPABILITIES: \[&str; \d+\] = \[(.*?)\];",
    )
    kaspad = advertised_in_source(
        ROOT / "adapters" / "kaspad" / "main.go",
        r"var capabilities = \[\]string\{(.*?)\}",
    )
    assert rusty == kaspad == set(ADVERTISED)
    vectors = load_vectors(SHIPPED_VECTORS)
    files = vectors.manifest["files"]
    assert isinstance(files, list)
    needed: set[str] = set()
    for entry in files:
        assert isinstance(entry, dict) and isinstance(entry["capabilities"], list)
        needed |= {str(c) for c in entry["capabilities"]}
    # The runner skips by each document's own list; it must agree with the manifest's.
    for _, document in vectors.documents:
        listed = document.get("capabilities", [])
        assert isinstance(listed, list)
        assert {str(c) for c in listed} <= needed
    assert needed, "the manifest names no capability"
    missing = sorted(c for c in needed if c not in ADVERTISED and c not in GAP_OF_CAPABILITY)
    assert not missing, f"neither advertised by both adapters nor mapped to a gap: {missing}"
    assert not set(ADVERTISED) & set(GAP_OF_CAPABILITY)
    assert set(GAP_OF_CAPABILITY.values()) <= set(ADAPTER_GAPS)


def junit_with_skips(path: Path, reasons: list[str]) -> None:
    """A JUnit file of one passing case of ``kaspa/dag0.json`` and one skipped case per
    reason, in the runner's form."""
    cases = ['<testcase classname="kaspa.kaspa/dag0.json" name="dag0 (K=4, 19 blocks)" />']
    cases += [
        f'<testcase classname="kaspa.kaspa/dag0.json" name="skipped {n}">'
        f'<skipped message="{reason}" /></testcase>'
        for n, reason in enumerate(reasons)
    ]
    path.write_text(
        '<testsuites><testsuite name="kaspa">' + "".join(cases) + "</testsuite></testsuites>"
    )


def test_a_skip_no_gap_explains_fails_the_run(tmp_path: Path) -> None:
    vectors = one_file(tmp_path, "kaspa/dag0.json")
    junit, page = tmp_path / "run.xml", tmp_path / "external.md"
    arguments = ["--vectors", str(vectors), "--out", str(page)]
    junit_with_skips(
        junit, ["adapter lacks capability relay", "adapter lacks capability headers, pruning"]
    )
    assert main(["--run", KASPAD, str(junit), "unused", *arguments]) == 0
    assert "| unsupported (AG-5) |" in page.read_text()
    junit_with_skips(
        junit, ["adapter lacks capability relay", "adapter lacks capability headers, telepathy"]
    )
    assert main(["--run", KASPAD, str(junit), "unused", *arguments]) == 1
    text = page.read_text()
    assert "| skipped 1 | unsupported (?, AG-5) |" in text
    assert "| skipped 0 | unsupported (AG-2) |" in text


def test_the_ci_script_states_the_measured_budget() -> None:
    # The comment's words, its line breaks and comment marks aside.
    comment = " ".join((ROOT / ".ci" / "run").read_text().replace("#", " ").split())
    margin = round((CI_LIMIT - cold_ci_run()) / 60)
    assert margin > 0
    for stated in (
        f"{CI_LIMIT // 60} minutes",
        duration(BUILD_TIMES[0].wall),
        duration(BUILD_TIMES[0].cpu),
        duration(BUILD_TIMES[1].wall),
        f"about {round(MAKE_TEST / 60)} minutes",
        f"about {round(cold_ci_run() / 60)} minutes",
        f"about {margin} minutes",
    ):
        assert stated in comment, stated
