"""The adapter protocol (versions 1 to 3): framing, encodings and protocol error codes.

The runner and an adapter exchange one JSON object per line (UTF-8, ``\\n``-terminated):
a request ``{"id": N, "method": M, "params": {...}}`` and, in the same order, one reply
``{"id": N, "result": R}`` or ``{"id": N, "error": {"code": C, "message": S}}``. The normative
text is ``spec/adapter.md``; the JSON Schemas are ``conformance/schemas/request.schema.json``
and ``reply.schema.json``.

This module holds what both sides share: the wire encodings of hashes and big integers, the
protocol error codes (those that are not rejection codes of the specification) and the strict
readers an adapter uses to turn ``params`` into typed values, each raising
:class:`ProtocolError` with ``BAD_REQUEST`` on anything malformed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Final

from reference.hash import Hash

PROTOCOL_VERSION: Final = 3
"""The protocol version the reference adapter speaks (``hello`` reports it). Version 2 adds
header mode (capability ``headers``) and keeps every method of version 1 with its meaning;
version 3 adds pruning: capability ``pruning`` (method ``pruning_point``), the field
``pruning_point`` of ``block_info``, and the rules ``PRUNING_VIOLATION`` and
``BAD_PRUNING_POINT``."""

SUPPORTED_PROTOCOLS: Final = (1, 2, 3)
"""Protocol versions the runner accepts from an adapter; an adapter of an earlier version
simply advertises none of the later capabilities (a version-2 adapter's ``headers`` lacks the
pruning rules and field, so it advertises ``headers`` only if it speaks version 3)."""

MAX_LINE_BYTES: Final = 1 << 20
"""Longest request or reply line, newline excluded (1 MiB). Longer lines are malformed."""

MAX_ID: Final = (1 << 53) - 1
"""Largest request ``id`` (ids are JSON integers 0..2^53-1, exact in every JSON parser)."""

MAX_HEX_DIGITS: Final = 128
"""Most hex digits a ``"0x…"`` integer may have on the wire (values up to 2^512 - 1)."""

JsonValue = None | bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"]
"""A decoded JSON value."""

JsonObject = dict[str, JsonValue]
"""A decoded JSON object."""


class ProtocolCode(StrEnum):
    """Error codes of the protocol itself (rejection codes come from ``reference.errors``)."""

    BAD_REQUEST = "BAD_REQUEST"
    """The line is not a well-formed request: not JSON, not an object, a bad ``id``, missing,
    extra or wrong-typed fields or params, malformed hex, a line over the length limit, or a
    DAG method before the first ``reset``."""
    UNKNOWN_METHOD = "UNKNOWN_METHOD"
    """The method is not part of the protocol."""
    UNSUPPORTED = "UNSUPPORTED"
    """The method belongs to a capability this adapter does not advertise."""
    INTERNAL_ERROR = "INTERNAL_ERROR"
    """The implementation failed on a well-formed request (a bug; the adapter keeps serving)."""
    REPLY_TOO_LARGE = "REPLY_TOO_LARGE"
    """The result would make a reply line longer than the protocol's limit
    (:data:`MAX_LINE_BYTES`); the adapter sends this error instead of the oversized line."""


class ProtocolError(Exception):
    """A request the adapter answers with an error reply instead of a result."""

    def __init__(self, code: str, message: str, request_id: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        """The canonical code sent in the reply."""
        self.message = message
        """A human-readable explanation (never compared by the runner)."""
        self.request_id = request_id
        """The request's id when it could be read, else ``None`` (sent as ``null``)."""


def bad_request(message: str) -> ProtocolError:
    """A ``BAD_REQUEST`` error."""
    return ProtocolError(ProtocolCode.BAD_REQUEST, message)


# ---------------------------------------------------------------------------- encodings

_HASH_RE: Final = re.compile(r"[0-9a-f]{64}")
_HEX_INT_RE: Final = re.compile(r"0x(?:0|[1-9a-f][0-9a-f]*)")


def encode_hash(block: Hash) -> str:
    """A hash on the wire: 64 lowercase hex characters."""
    return block.hex()


def encode_int(value: int) -> str:
    """A big integer on the wire: ``"0x"`` and lowercase hex without leading zeros."""
    if value < 0:
        raise ValueError(f"wire integers are non-negative, got {value}")
    return f"{value:#x}"


def decode_hash(value: object, where: str) -> Hash:
    """A wire hash; ``BAD_REQUEST`` unless exactly 64 lowercase hex characters."""
    if not isinstance(value, str) or _HASH_RE.fullmatch(value) is None:
        raise bad_request(f"{where} must be 64 lowercase hex characters, got {_show(value)}")
    return Hash(bytes.fromhex(value))


def decode_int(value: object, where: str) -> int:
    """A wire big integer; ``BAD_REQUEST`` unless canonical ``"0x…"`` lowercase hex."""
    if (
        not isinstance(value, str)
        or len(value) > 2 + MAX_HEX_DIGITS
        or _HEX_INT_RE.fullmatch(value) is None
    ):
        raise bad_request(
            f"{where} must be a string 0x… in lowercase hex without leading zeros "
            f"(at most {MAX_HEX_DIGITS} digits), got {_show(value)}"
        )
    return int(value, 16)


def decode_count(value: object, where: str) -> int:
    """A JSON integer 0..2^53-1 (scores, counts, bits); ``BAD_REQUEST`` otherwise."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_ID:
        raise bad_request(f"{where} must be an integer 0..2^53-1, got {_show(value)}")
    return value


def decode_string(value: object, where: str) -> str:
    """A JSON string; ``BAD_REQUEST`` otherwise."""
    if not isinstance(value, str):
        raise bad_request(f"{where} must be a string, got {_show(value)}")
    return value


def decode_object(value: object, where: str) -> JsonObject:
    """A JSON object; ``BAD_REQUEST`` otherwise."""
    if not isinstance(value, dict):
        raise bad_request(f"{where} must be an object, got {_show(value)}")
    return value


def decode_hash_list(value: object, where: str) -> tuple[Hash, ...]:
    """A JSON array of wire hashes (order kept, duplicates kept)."""
    if not isinstance(value, list):
        raise bad_request(f"{where} must be an array of hashes, got {_show(value)}")
    return tuple(decode_hash(item, f"{where}[{i}]") for i, item in enumerate(value))


def check_keys(
    params: Mapping[str, object],
    where: str,
    required: frozenset[str] = frozenset(),
    optional: frozenset[str] = frozenset(),
) -> None:
    """``BAD_REQUEST`` when a required key is missing or an unknown key is present."""
    missing = sorted(required - params.keys())
    if missing:
        raise bad_request(f"{where} lacks {', '.join(missing)}")
    extra = sorted(params.keys() - required - optional)
    if extra:
        raise bad_request(f"{where} has unknown field(s) {', '.join(extra)}")


def _show(value: object) -> str:
    text = json.dumps(value) if isinstance(value, str | int | float | bool | None) else None
    if text is None:
        text = type(value).__name__
    return text if len(text) <= 80 else text[:77] + "..."


# ---------------------------------------------------------------------------- framing


def error_reply(request_id: int | None, code: str, message: str) -> JsonObject:
    """An error reply (``id`` is ``null`` when the request's id could not be read)."""
    return {"id": request_id, "error": {"code": code, "message": message}}


def result_reply(request_id: int, result: JsonValue) -> JsonObject:
    """A result reply."""
    return {"id": request_id, "result": result}


def encode_line(message: Mapping[str, object]) -> bytes:
    """One message as a wire line: compact JSON, ASCII only, ``\\n``-terminated."""
    return json.dumps(message, separators=(",", ":"), ensure_ascii=True).encode() + b"\n"


def parse_request(line: bytes) -> tuple[int, str, JsonObject]:
    """``(id, method, params)`` of a request line.

    Raises :class:`ProtocolError` (``BAD_REQUEST``) for anything but an object with exactly the
    fields ``id`` (integer 0..2^53-1), ``method`` (string) and ``params`` (object); when the id
    itself was readable it is attached to the error as ``request_id``.
    """
    try:
        message = json.loads(line)
    except (ValueError, RecursionError) as error:
        raise bad_request(f"not JSON: {error}") from None
    if not isinstance(message, dict):
        raise bad_request(f"a request is a JSON object, got {type(message).__name__}")
    request_id = decode_count(message.get("id"), "id")
    try:
        check_keys(message, "request", frozenset({"id", "method", "params"}))
        method = decode_string(message["method"], "method")
        params = decode_object(message["params"], "params")
    except ProtocolError as error:
        raise ProtocolError(error.code, error.message, request_id) from None
    return request_id, method, params
