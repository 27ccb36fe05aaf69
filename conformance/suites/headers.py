"""Capability ``headers``: header mode (adapter protocol 2).

In header mode a DAG starts from a complete genesis header and grows by complete headers in
Kaspa's JSON form (``reset`` with ``genesis: {"header": …}``, ``add_block`` with
``{"header": …, "now"?: ms}``); the adapter computes every hash and applies every header rule:
version, future timestamp, parents, parent levels, proof of work, DAA score, bits, blue score,
blue work, past median time, mergeset size and merge depth. ``block_info`` reports what the node
derived for a block, and ``virtual`` adds the virtual's DAA score, bits and past median time.

Vectors: both of Kaspa's json-test runs fed header by header with every rule on (each header
must be accepted: Kaspa's own validator accepted them), with chosen headers first offered with
one field changed, each change expecting the code of the rule that field feeds (a table
written from the rules, not from the reference's answers).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Final

from conformance.kaspa import kaspa_preset, load_json_run
from conformance.protocol import (
    JsonObject,
    JsonValue,
    bad_request,
    check_keys,
    decode_count,
    decode_hash,
    encode_hash,
)
from conformance.session import Session
from conformance.suites import Capability, GenerationContext, VectorFile
from conformance.suites.dag import Script, hash_params, require, script_file
from reference.consensus import Consensus
from reference.errors import BlockRejected, HeaderHashMismatch
from reference.hash import HASH_SIZE, Hash
from reference.header import BlockHeader, header_hash
from reference.header_json import header_from_json, header_to_json
from reference.presets import Preset

ACCEPTED: Final[JsonObject] = {"status": "accepted"}

CAPABILITIES: Final = ["headers", "virtual"]
"""What the header-mode vectors use: header mode, and the virtual's header-mode fields."""


def rejected(code: str) -> JsonObject:
    """The ``add_block`` result of a rejected header."""
    return {"status": "rejected", "error": code}


def header_dag(session: Session) -> Consensus:
    """The current DAG, which must be in header mode."""
    consensus = session.dag()
    if not consensus.header_mode:
        raise bad_request("the DAG is in DAG mode: reset with a genesis header first")
    return consensus


def reset_with_header(session: Session, preset: Preset, genesis: JsonObject) -> JsonValue:
    """``reset`` with ``genesis: {"header": …}``: a header-mode DAG."""
    check_keys(genesis, "params.genesis", frozenset({"header"}))
    header = header_from_json(genesis["header"])
    session.consensus = Consensus.from_genesis_header(preset, header)
    return {}


def add_header(session: Session, params: JsonObject) -> JsonValue:
    """``add_block`` with ``{"header": …, "now"?: ms}``: validate a complete header."""
    check_keys(params, "params", frozenset({"header"}), frozenset({"now"}))
    now = decode_count(params["now"], "params.now") if "now" in params else None
    consensus = header_dag(session)
    try:
        header = header_from_json(params["header"])
    except HeaderHashMismatch as mismatch:
        return rejected(str(mismatch.code))
    try:
        consensus.add_full_header(header, now_ms=now)
    except BlockRejected as rejection:
        return rejected(str(rejection.code))
    return ACCEPTED


def _optional_hash(value: Hash | None) -> JsonValue:
    return None if value is None else encode_hash(value)


def block_info(session: Session, params: JsonObject) -> JsonValue:
    """``block_info {hash}``: status and derived data of an accepted block."""
    check_keys(params, "params", frozenset({"hash"}))
    block = decode_hash(params["hash"], "params.hash")
    info = header_dag(session).block_info(block)
    return {
        "status": str(info.status),
        "daa_score": info.daa_score,
        "bits": info.bits,
        "past_median_time": info.past_median_time,
        "merge_depth_root": _optional_hash(info.merge_depth_root),
        "finality_point": _optional_hash(info.finality_point),
        "daa_window": [encode_hash(block) for block in info.daa_window],
        "pruning_point": encode_hash(info.pruning_point),
    }


# ---------------------------------------------------------------------------- case building


def full_overrides(preset: Preset) -> JsonObject:
    """Every parameter of ``preset``, stated explicitly (header vectors depend on all)."""
    return {name: value for name, value in preset.parameters().items()}


def header_reset_params(preset: Preset, genesis: BlockHeader, base: str) -> JsonObject:
    """``reset`` params of a header-mode DAG."""
    return {
        "preset": base,
        "overrides": full_overrides(preset),
        "genesis": {"header": header_json(genesis)},
    }


def header_json(header: BlockHeader) -> JsonObject:
    """A header's JSON form with its hash, as the vectors carry it."""
    return dict(header_to_json(header))  # type: ignore[arg-type]


def header_params(header: BlockHeader | JsonObject, now: int | None = None) -> JsonObject:
    """``add_block`` params of a complete header."""
    params: JsonObject = {
        "header": header_json(header) if isinstance(header, BlockHeader) else header
    }
    if now is not None:
        params["now"] = now
    return params


# ---------------------------------------------------------------------------- Kaspa's runs

KASPA_RUNS: Final = (
    ("goref-1060-tx-265-blocks", "headers/kaspa-goref-265.json"),
    ("goref-custom-params-640-blocks", "headers/kaspa-goref-640.json"),
)
"""Kaspa's json-test runs (in ``anchors/kaspa/json_tests``) and their vector files."""

MUTATED_EVERY: Final = 40
"""Every this many headers of a Kaspa run is first offered with each field a header rule reads
changed."""


def _replace(header: BlockHeader, **changes: object) -> BlockHeader:
    return dataclasses.replace(header, **changes)  # type: ignore[arg-type]


def field_mutations(
    header: BlockHeader, preset: Preset, genesis: BlockHeader
) -> list[tuple[str, BlockHeader, int | None, str]]:
    """Each header field changed once: ``(what, header, now, expected code)``.

    The expected code is the rule the changed field feeds, from the rules themselves: a field
    whose value the node derives must equal the derived value, so changing it breaks exactly
    that rule. Every changed header gets its hash recomputed (only the ``hash`` case keeps it),
    so it is a new block to which every other rule, checked from Kaspa's accepted values,
    still holds; the change alone decides the code. ``nonce`` and the three commitments are
    not changed: no header rule reads them when proof of work is skipped (``spec/vectors``).
    """
    unknown = Hash(b"\xee" * HASH_SIZE)
    levels = header.parents_by_level
    future = header.timestamp + preset.timestamp_deviation_tolerance * 1000 + 1
    # Kaspa accepted the header, so its pruning point is the expected one and any other known
    # block is wrong: a known block, so only comparing with the expected point rejects it.
    wrong_point = next(
        block for block in (header_hash(genesis), *levels[0]) if block != header.pruning_point
    )
    return [
        ("version", _replace(header, version=header.version + 1), None, "BAD_VERSION"),
        (
            "timestamp in the future",
            _replace(header, timestamp=future),
            header.timestamp,
            "TIME_TOO_FAR_IN_FUTURE",
        ),
        ("no parents", _replace(header, parents_by_level=()), None, "NO_PARENTS"),
        (
            "unknown parent",
            _replace(header, parents_by_level=((*levels[0], unknown), *levels[1:])),
            None,
            "UNKNOWN_PARENT",
        ),
        ("bits", _replace(header, bits=header.bits ^ 1), None, "UNEXPECTED_DIFFICULTY"),
        ("daaScore", _replace(header, daa_score=header.daa_score + 1), None, "BAD_DAA_SCORE"),
        ("blueScore", _replace(header, blue_score=header.blue_score + 1), None, "BAD_BLUE_SCORE"),
        ("blueWork", _replace(header, blue_work=header.blue_work + 1), None, "BAD_BLUE_WORK"),
        (
            "timestamp at genesis",
            _replace(header, timestamp=genesis.timestamp),
            None,
            "TIME_TOO_OLD",
        ),
        (
            "pruningPoint",
            _replace(header, pruning_point=wrong_point),
            None,
            "BAD_PRUNING_POINT",
        ),
    ]


def kaspa_run_case(
    name: str, params: Mapping[str, object], headers: Sequence[JsonObject]
) -> JsonObject:
    """One case: a Kaspa run fed header by header, with the field mutations."""
    preset = kaspa_preset(params)
    genesis = header_from_json(headers[0])
    script = Script(name)
    require(script.call("reset", header_reset_params(preset, genesis, "kaspa-10bps")), {}, name)
    for index, raw in enumerate(headers[1:], start=1):
        if index % MUTATED_EVERY == 0:
            header = header_from_json(raw)
            changed_hash = {**raw, "hash": encode_hash(Hash(bytes(HASH_SIZE)))}
            require(
                script.call("add_block", header_params(changed_hash)),
                rejected("HASH_MISMATCH"),
                f"{name} #{index} hash",
            )
            for what, mutant, now, code in field_mutations(header, preset, genesis):
                reply = script.call("add_block", header_params(mutant, now))
                require(reply, rejected(code), f"{name} #{index} {what}")
            invalid = _replace(header, blue_score=header.blue_score + 1)
            require(
                script.call("add_block", header_params(invalid)),
                rejected("KNOWN_INVALID"),
                f"{name} #{index} again",
            )
            child = _replace(header, parents_by_level=((header_hash(invalid),),))
            require(
                script.call("add_block", header_params(child)),
                rejected("INVALID_PARENT"),
                f"{name} #{index} child of an invalid header",
            )
        require(script.call("add_block", header_params(raw)), ACCEPTED, f"{name} #{index}")
        if index % MUTATED_EVERY == 0:
            script.call("block_info", hash_params(Hash.from_hex(str(raw["hash"]))))
    script.call("virtual", {})
    return script.case()


def generate_kaspa_runs(context: GenerationContext) -> list[VectorFile]:
    """Kaspa's json-test runs as header-mode vectors (needs ``shared/`` beside the repo)."""
    if context.shared_dir is None:
        raise RuntimeError("Kaspa's json-test runs need the shared folder beside the repository")
    files = []
    for run, path in KASPA_RUNS:
        params, headers = load_json_run(context.shared_dir, run)
        case = kaspa_run_case(run, params, headers)
        description = (
            f"Kaspa's json-test run {run} fed header by header with every header rule on; "
            f"every {MUTATED_EVERY}th header is first offered with each field a header rule "
            "reads changed once (nonce and the three commitments are read by none when proof "
            "of work is skipped)."
        )
        source: JsonObject = {
            "repository": "kaspanet/rusty-kaspa",
            "path": f"testing/integration/testdata/dags_for_json_tests/{run}",
            "license": "ISC, Copyright (c) 2022-2024 Kaspa developers",
        }
        document = script_file("headers", CAPABILITIES, description, [case], source)
        files.append(VectorFile(path, document))
    return files


def generate(context: GenerationContext) -> list[VectorFile]:
    """Every ``headers/…`` vector file."""
    from conformance import header_dags  # noqa: PLC0415 - header_dags builds on this module

    kaspa_tests = script_file(
        "headers",
        ["headers"],
        "Kaspa's own tests in header mode: rusty-kaspa's block_window_test, median_time_test "
        "and bounded_merge_depth_test, kaspad's TestDAAScore and TestPastMedianTime; the "
        "verdicts and values they state are required by the generator.",
        header_dags.kaspa_test_cases(),
    )
    rules = script_file(
        "headers",
        CAPABILITIES,
        "Generated header-mode DAGs reaching every header rule: isolation (version, future "
        "timestamp, parent levels, bits, hash, malformed headers), proof of work, the past "
        "median time at and above the bound with odd and even windows, DAA score and bits "
        "while the difficulty adjusts, non-DAA blocks inside a mergeset, bad merges and a "
        "kosherizing blue, the merge-depth root around its boundary.",
        header_dags.rule_cases(),
    )
    return [
        *generate_kaspa_runs(context),
        VectorFile("headers/kaspa-tests.json", kaspa_tests),
        VectorFile("headers/rules.json", rules),
    ]


CAPABILITY = Capability(
    name="headers",
    methods={"block_info": block_info},
    generate=generate,
)
