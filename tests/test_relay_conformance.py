"""The relay capability: its vectors, its schema, its handlers' answers to bad params."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conformance.dispatch import Dispatcher
from conformance.protocol import JsonObject
from conformance.suites import GenerationContext
from conformance.suites.relay import CAPABILITY, generate
from reference.relay.siphash import siphash24

SCHEMA_PATH = Path(__file__).parent.parent / "conformance" / "schemas" / "relay.schema.json"


@cache
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def _validate(value: object, definition: str) -> None:
    schema = _schema()
    jsonschema.validate(value, {"$ref": f"#/$defs/{definition}", "$defs": schema["$defs"]})


@cache
def _document() -> JsonObject:
    (vector,) = generate(GenerationContext(0, None))
    return vector.document


def _steps() -> list[JsonObject]:
    steps: list[JsonObject] = []
    cases = _document()["cases"]
    assert isinstance(cases, list)
    for case in cases:
        assert isinstance(case, dict) and isinstance(case["steps"], list)
        steps.extend(step for step in case["steps"] if isinstance(step, dict))
    return steps


def _error_code(reply: JsonObject) -> object:
    error = reply.get("error")
    return error.get("code") if isinstance(error, dict) else None


def test_generation_is_deterministic() -> None:
    (again,) = generate(GenerationContext(0, None))
    assert again.document == _document()


def test_vectors_cover_both_modes_missing_transactions_and_collisions() -> None:
    expectations = [json.dumps(step["expect"]) for step in _steps()]
    for needle in (
        '"mode": 1, "status": "missing"',
        '"mode": 2, "status": "missing"',
        '"mode": 1, "status": "complete"',
        '"mode": 2, "status": "complete"',
        "SHORT_ID_COLLISION",
        "BAD_MERKLE_ROOT",
        "IBLT_DECODE_FAILED",
        "INDEX_OVERFLOW",
        "UNKNOWN_PARENT_REFERENCE",
        "MALFORMED_MESSAGE",
    ):
        assert any(needle in text for text in expectations), needle


def test_every_step_matches_the_schema() -> None:
    codes = set(_schema()["$defs"]["error_codes"]["enum"])
    for step in _steps():
        method = str(step["method"])
        _validate(step["params"], f"{method}.params")
        expect = step["expect"]
        assert isinstance(expect, dict)
        if "error" in expect:
            assert expect["error"] in codes
        else:
            _validate(expect["result"], f"{method}.result")


def test_reference_adapter_passes_every_relay_step() -> None:
    # The anchor steps carry published expectations (SipHash, BIP152), not the reference's.
    dispatcher = Dispatcher()
    for number, step in enumerate(_steps()):
        params = step["params"]
        assert isinstance(params, dict)
        reply = dispatcher.handle(number, str(step["method"]), params)
        expect = step["expect"]
        assert isinstance(expect, dict)
        if "error" in expect:
            assert _error_code(reply) == expect["error"], step["method"]
        else:
            assert reply.get("result") == expect["result"], step["method"]


def test_published_siphash_steps_are_the_anchor_values() -> None:
    siphash_steps = [step for step in _steps() if step["method"] == "relay_siphash"]
    assert len(siphash_steps) == 6
    for step in siphash_steps:
        params = step["params"]
        assert isinstance(params, dict)
        message = bytes.fromhex(str(params["message"]))
        expected = siphash24(0x0706050403020100, 0x0F0E0D0C0B0A0908, message)
        assert step["expect"] == {"result": {"hash": hex(expected)}}


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("relay_siphash", {"key": "00", "message": ""}),
        ("relay_siphash", {"key": "0" * 32, "message": "ABC"}),
        ("relay_short_ids", {"block_hash": "0" * 64, "nonce": "0x1" + "0" * 16, "txids": []}),
        ("relay_decode_indexes", {"data": "00"}),
        ("relay_decode_block", {"message": "03", "mempool": "nope", "known_blocks": []}),
        ("relay_decode_block", {"message": "03", "mempool": [], "known_blocks": [], "x": 1}),
    ],
)
def test_bad_params_are_bad_requests(method: str, params: JsonObject) -> None:
    assert method in CAPABILITY.methods
    reply = Dispatcher().handle(1, method, params)
    assert _error_code(reply) == "BAD_REQUEST"


def test_other_messages_are_malformed() -> None:
    reply = Dispatcher().handle(
        1, "relay_decode_block", {"message": "01", "mempool": [], "known_blocks": []}
    )
    assert _error_code(reply) == "MALFORMED_MESSAGE"
