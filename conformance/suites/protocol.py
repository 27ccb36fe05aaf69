"""Core capability ``protocol``: malformed requests get error replies, and serving goes on.

Every adapter, whatever else it supports, must answer any line it reads with exactly one reply
and keep serving. These vectors are *raw*: each step sends a literal line (optionally repeated,
to build an oversized one) and expects a reply with a given ``id`` (``null`` when the request's
id could not be read) and error code; a ``hello`` after each bad line proves the adapter still
serves. Lines that use a capability's methods live in files that require that capability, and
lines whose blocks carry a target form (``difficulty`` or ``bits``) in files that require that
form.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from conformance.dispatch import Dispatcher
from conformance.protocol import MAX_LINE_BYTES, JsonObject
from conformance.suites import Capability, GenerationContext, VectorFile
from conformance.suites.dag import FORMAT_VERSION, FORMS, TargetForm, form_path

_H = "ab" * 32
_OVERRIDES = {"k": 3, "max_block_parents": 4, "mergeset_size_limit": 16}


def _req(method: str, params: object, request_id: object = 1) -> str:
    return json.dumps({"id": request_id, "method": method, "params": params})


_FRAMING: tuple[tuple[str, str, int], ...] = (
    ("truncated JSON", '{"id": 1, "method": "hello"', 1),
    ("not JSON at all", "hello", 1),
    ("empty line", "", 1),
    ("JSON array", "[1, 2, 3]", 1),
    ("JSON string", '"hello"', 1),
    ("JSON number", "42", 1),
    ("JSON null", "null", 1),
    ("id is a string", _req("hello", {}, "7"), 1),
    ("id is negative", _req("hello", {}, -1), 1),
    ("id is a fraction", _req("hello", {}, 1.5), 1),
    ("id is a boolean", _req("hello", {}, True), 1),
    ("id is 2^53", _req("hello", {}, 1 << 53), 1),
    ("id is missing", '{"method": "hello", "params": {}}', 1),
    ("method missing", '{"id": 1, "params": {}}', 1),
    ("method is a number", '{"id": 1, "method": 5, "params": {}}', 1),
    ("params missing", '{"id": 1, "method": "hello"}', 1),
    ("params is an array", '{"id": 1, "method": "hello", "params": []}', 1),
    ("extra top-level field", '{"id": 1, "method": "hello", "params": {}, "x": 0}', 1),
    ("hello with params", _req("hello", {"verbose": True}), 1),
    ("unknown method", _req("frobnicate", {}), 1),
    ("method name case", _req("HELLO", {}), 1),
    ("nesting bomb", "[", 200_000),
    ("oversized line", "x", MAX_LINE_BYTES + 1),
)

_WORK: tuple[tuple[str, str, int], ...] = (
    ("no 0x prefix", _req("work", {"difficulty": "10"}), 1),
    ("uppercase X", _req("work", {"difficulty": "0X10"}), 1),
    ("uppercase digits", _req("work", {"difficulty": "0xAB"}), 1),
    ("leading zeros", _req("work", {"difficulty": "0x0010"}), 1),
    ("empty digits", _req("work", {"difficulty": "0x"}), 1),
    ("JSON number", _req("work", {"difficulty": 16}), 1),
    ("negative", _req("work", {"difficulty": "-0x10"}), 1),
    ("too many digits", _req("work", {"difficulty": "0x1" + "0" * 200}), 1),
    ("both difficulty and bits", _req("work", {"difficulty": "0x1", "bits": 1}), 1),
    ("neither", _req("work", {}), 1),
    ("unknown param", _req("work", {"difficulty": "0x1", "x": 1}), 1),
)

_BITS: tuple[tuple[str, str, int], ...] = (
    ("bits is a string", _req("work", {"bits": "0x1d02ca33"}), 1),
    ("bits is negative", _req("work", {"bits": -1}), 1),
    ("bits is a boolean", _req("work", {"bits": True}), 1),
    ("bits is a fraction", _req("work", {"bits": 1.5}), 1),
    ("bits is 2^53", _req("work", {"bits": 1 << 53}), 1),
    ("both bits and difficulty", _req("work", {"bits": 1, "difficulty": "0x1"}), 1),
    ("neither", _req("work", {}), 1),
    ("unknown param", _req("work", {"bits": 0x1D02CA33, "x": 1}), 1),
)


def _dag_lines(form: TargetForm) -> tuple[tuple[str, str, int], ...]:
    """Malformed DAG requests whose blocks carry targets of ``form``."""
    target = {"difficulty": "0x1"} if form == "difficulty" else {"bits": 0x207FFFFF}
    genesis = {"hash": "00" * 32, **target}
    block = {"hash": _H, "parents": ["00" * 32], **target}

    def reset(genesis_params: object, overrides: object = _OVERRIDES) -> str:
        return _req(
            "reset", {"preset": "minimal", "overrides": overrides, "genesis": genesis_params}
        )

    return (
        ("reset: genesis hash too short", reset({**genesis, "hash": "00" * 31}), 1),
        ("reset: genesis hash uppercase", reset({**genesis, "hash": "AB" * 32}), 1),
        ("reset: overrides not an object", reset(genesis, []), 1),
        ("reset: override not an integer", reset(genesis, {"k": "3"}), 1),
        (
            "reset: genesis missing",
            _req("reset", {"preset": "minimal", "overrides": _OVERRIDES}),
            1,
        ),
        (f"reset: genesis without {form}", reset({"hash": "00" * 32}), 1),
        ("reset: genesis with both forms", reset({**genesis, "difficulty": "0x1", "bits": 1}), 1),
        ("add_block: parents not an array", _req("add_block", {**block, "parents": "00" * 32}), 1),
        ("add_block: parent not a hash", _req("add_block", {**block, "parents": ["zz" * 32]}), 1),
        ("add_block: hash is a number", _req("add_block", {**block, "hash": 5}), 1),
        ("add_block: claims not an object", _req("add_block", {**block, "claims": 3}), 1),
        ("add_block: unknown claim", _req("add_block", {**block, "claims": {"daa_score": 1}}), 1),
        (
            "add_block: blue_work claim a number",
            _req("add_block", {**block, "claims": {"blue_work": 1}}),
            1,
        ),
        ("add_block: unknown field", _req("add_block", {**block, "nonce": 1}), 1),
        ("ghostdag: hash missing", _req("ghostdag", {}), 1),
        ("ghostdag: extra param", _req("ghostdag", {"hash": _H, "x": 1}), 1),
        (
            "is_dag_ancestor: bad hex",
            _req("is_dag_ancestor", {"ancestor": "g" * 64, "descendant": _H}),
            1,
        ),
    )


def _cases(lines: Sequence[tuple[str, str, int]]) -> list[JsonObject]:
    dispatcher = Dispatcher()
    hello = json.dumps({"id": 2, "method": "hello", "params": {}})
    cases: list[JsonObject] = []
    for name, line, repeat in lines:
        reply = dispatcher.handle_line((line * repeat).encode())
        error = reply.get("error")
        if not isinstance(error, dict):
            raise RuntimeError(f"vector generation: {name!r} was not refused: {reply}")
        step: JsonObject = {"send": line, "expect": {"id": reply["id"], "error": error["code"]}}
        if repeat != 1:
            step["repeat"] = repeat
        # Any result object: the adapter still serves (its protocol version is 1 or 2).
        alive: JsonObject = {"send": hello, "expect": {"id": 2, "fields": {}}}
        cases.append({"name": name, "steps": [step, alive]})
    return cases


def _raw_file(
    suite: str, capabilities: list[str], description: str, cases: list[JsonObject]
) -> JsonObject:
    return {
        "format": FORMAT_VERSION,
        "kind": "raw",
        "suite": suite,
        "capabilities": capabilities,  # type: ignore[dict-item]
        "description": description,
        "cases": cases,  # type: ignore[dict-item]
    }


def generate(context: GenerationContext) -> list[VectorFile]:
    """Raw malformed-request vectors: framing (core), work params (difficulty and bits), DAG
    params (in both target forms)."""
    files = [
        VectorFile(
            "protocol/framing.json",
            _raw_file(
                "protocol",
                [],
                "Malformed lines and requests: each gets an error reply, then hello still works.",
                _cases(_FRAMING),
            ),
        ),
        VectorFile(
            "protocol/work-params.json",
            _raw_file(
                "protocol",
                ["work"],
                "Malformed params of the work method with a difficulty (hex form, types, "
                "exactly one input).",
                _cases(_WORK),
            ),
        ),
        VectorFile(
            "protocol/bits-params.json",
            _raw_file(
                "protocol",
                ["bits"],
                "Malformed params of the work method with compact bits (types, range, exactly "
                "one input).",
                _cases(_BITS),
            ),
        ),
    ]
    for form in FORMS:
        files.append(
            VectorFile(
                form_path("protocol/dag-params.json", form),
                _raw_file(
                    "protocol",
                    ["ghostdag", "reachability", form],
                    "Malformed params of reset, add_block, ghostdag and is_dag_ancestor "
                    f"(targets as {form}).",
                    _cases(_dag_lines(form)),
                ),
            )
        )
    return files


CAPABILITY = Capability(name="protocol", methods={}, generate=generate, core=True)
