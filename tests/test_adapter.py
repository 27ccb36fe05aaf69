"""The reference adapter: every line gets exactly one well-formed reply, and serving goes on."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from conformance.adapter import serve
from conformance.dispatch import Dispatcher
from conformance.protocol import (
    MAX_LINE_BYTES,
    PROTOCOL_VERSION,
    ProtocolCode,
    decode_int,
    encode_int,
)
from conformance.suites import by_name
from conformance.vectors import SCHEMAS
from reference.errors import Code

GENESIS = "00" * 32
RESET = {
    "preset": "minimal",
    "overrides": {"k": 3, "max_block_parents": 4, "mergeset_size_limit": 16},
    "genesis": {"hash": GENESIS, "difficulty": "0x1"},
}


def _serve(data: bytes) -> list[dict[str, Any]]:
    out = io.BytesIO()
    assert serve(io.BytesIO(data), out) == 0
    return [json.loads(line) for line in out.getvalue().splitlines()]


def _request(request_id: int, method: str, params: object) -> bytes:
    return json.dumps({"id": request_id, "method": method, "params": params}).encode() + b"\n"


def test_one_reply_per_line_in_order_and_serving_goes_on() -> None:
    data = (
        b"garbage\n"
        + _request(1, "hello", {})
        + b"x" * (MAX_LINE_BYTES + 10)
        + b"\n"
        + _request(2, "nope", {})
        + _request(3, "reset", RESET)
        + _request(4, "add_block", {"hash": "11" * 32, "parents": [GENESIS], "difficulty": "0x2"})
        + _request(5, "ghostdag", {"hash": "11" * 32})
        + b'{"id": 6, "method": "virtual", "params": {}}'  # last line without a newline
    )
    replies = _serve(data)
    assert [reply["id"] for reply in replies] == [None, 1, None, 2, 3, 4, 5, 6]
    assert replies[0]["error"]["code"] == ProtocolCode.BAD_REQUEST
    assert replies[1]["result"]["protocol"] == PROTOCOL_VERSION == 3
    assert replies[2]["error"]["code"] == ProtocolCode.BAD_REQUEST
    assert replies[3]["error"]["code"] == ProtocolCode.UNKNOWN_METHOD
    assert replies[4]["result"] == {}
    assert replies[5]["result"] == {"status": "accepted"}
    assert replies[6]["result"]["selected_parent"] == GENESIS
    # Blue work counts the blues of the block's past (genesis, work 1), not the block itself.
    assert replies[6]["result"]["blue_work"] == "0x1"
    assert replies[7]["result"]["parents"] == ["11" * 32]


def test_genesis_ghostdag_has_null_selected_parent() -> None:
    replies = _serve(_request(1, "reset", RESET) + _request(2, "ghostdag", {"hash": GENESIS}))
    assert replies[1]["result"] == {
        "selected_parent": None,
        "mergeset_blues": [],
        "mergeset_reds": [],
        "blue_score": 0,
        "blue_work": "0x0",
        "blues_anticone_sizes": {},
    }


def test_dag_methods_before_reset_are_bad_requests() -> None:
    replies = _serve(_request(1, "virtual", {}) + _request(2, "ghostdag", {"hash": GENESIS}))
    assert [reply["error"]["code"] for reply in replies] == ["BAD_REQUEST", "BAD_REQUEST"]


def test_typed_errors_of_the_specification_pass_through() -> None:
    replies = _serve(
        _request(1, "reset", {**RESET, "overrides": {"k": -1}})
        + _request(2, "reset", RESET)
        + _request(3, "ghostdag", {"hash": "22" * 32})
        + _request(4, "work", {"difficulty": "0x0"})
        + _request(5, "is_dag_ancestor", {"ancestor": GENESIS, "descendant": "22" * 32})
    )
    codes = [reply.get("error", {}).get("code") for reply in replies]
    assert codes == [
        Code.BAD_PARAMETER,
        None,
        Code.UNKNOWN_BLOCK,
        Code.INVALID_DIFFICULTY,
        Code.UNKNOWN_BLOCK,
    ]


def test_a_capability_not_served_is_unsupported_not_unknown() -> None:
    dispatcher = Dispatcher(served=[by_name()["work"]])
    reply: Any = dispatcher.handle(1, "virtual", {})
    assert reply["error"]["code"] == ProtocolCode.UNSUPPORTED
    hello: Any = dispatcher.handle(2, "hello", {})
    assert hello["result"]["capabilities"] == ["work"]


def test_wire_integers_round_trip_and_reject_non_canonical_forms() -> None:
    for value in (0, 1, 255, 1 << 255, (1 << 256) - 1):
        assert decode_int(encode_int(value), "x") == value
    for text in ("0x", "0x00", "0X1", "0xA", "1", "-0x1", " 0x1", "0x1 "):
        try:
            decode_int(text, "x")
        except Exception as error:
            assert getattr(error, "code", None) == ProtocolCode.BAD_REQUEST
        else:
            raise AssertionError(f"{text!r} was accepted")


def _reply_validator() -> Any:
    resources = []
    for path in SCHEMAS.glob("*.schema.json"):
        schema = json.loads(path.read_text())
        resources.append((schema["$id"], Resource.from_contents(schema)))
    registry: Registry[Any] = Registry().with_resources(resources)
    schema = json.loads((SCHEMAS / "reply.schema.json").read_text())
    return Draft202012Validator(schema, registry=registry)


_VALIDATOR = _reply_validator()
_METHODS = ["hello", "reset", "add_block", "ghostdag", "virtual", "work", "is_dag_ancestor", "x"]
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.just("0x1"),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=150)
@given(
    st.one_of(
        st.binary(max_size=64),
        st.builds(
            lambda i, m, p: json.dumps({"id": i, "method": m, "params": p}).encode(),
            _JSON,
            st.sampled_from(_METHODS),
            st.dictionaries(
                st.sampled_from(["hash", "parents", "difficulty", "bits", "preset", "x"]),
                _JSON,
                max_size=3,
            ),
        ),
    )
)
def test_any_line_gets_one_schema_valid_reply(line: bytes) -> None:
    dispatcher = Dispatcher()
    dispatcher.handle(0, "reset", json.loads(json.dumps(RESET)))
    reply: Any = dispatcher.handle_line(line.replace(b"\n", b" "))
    _VALIDATOR.validate(reply)
    assert reply.get("error", {}).get("code") != ProtocolCode.INTERNAL_ERROR


def test_the_adapter_process_survives_garbage() -> None:
    lines = b"\xff\xfe not utf-8\n" + b"[" * 100_000 + b"\n" + _request(9, "hello", {})
    done = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "adapter"],
        input=lines,
        capture_output=True,
        timeout=60,
        check=True,
    )
    replies = [json.loads(line) for line in done.stdout.splitlines()]
    assert [reply["id"] for reply in replies] == [None, None, 9]
    assert replies[2]["result"]["protocol"] == PROTOCOL_VERSION


def test_no_reply_line_is_longer_than_the_protocol_allows() -> None:
    # A 1 MB request for a differential index list of 500,000 zero gaps decodes to an array
    # of 500,000 numbers: about 3.4 MB of JSON, which no reply line may carry.
    def indexes(request_id: int, count: int) -> bytes:
        data = "fe" + count.to_bytes(4, "little").hex() + "00" * count
        return _request(request_id, "relay_decode_indexes", {"data": data, "bound": count})

    request = indexes(7, 500_000)
    assert len(request) <= MAX_LINE_BYTES
    out = io.BytesIO()
    serve(io.BytesIO(request + indexes(8, 100_000) + _request(9, "hello", {})), out)
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines) <= MAX_LINE_BYTES
    replies = [json.loads(line) for line in lines]
    assert replies[0]["id"] == 7
    assert replies[0]["error"]["code"] == ProtocolCode.REPLY_TOO_LARGE
    assert replies[1]["result"]["indexes"] == list(range(100_000))  # a shorter list fits
    assert replies[2]["result"]["protocol"] == PROTOCOL_VERSION
