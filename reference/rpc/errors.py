"""Errors of the remote interfaces: what went wrong with a request rather than with a block.

A request can fail before the node is asked anything — bytes that are not JSON, an object that
is not a request, an unknown method, parameters of the wrong shape, a message too large. Those
failures are :class:`RpcError`, each with an :class:`RpcCode` (the string clients see in
``error.data.code``) and the JSON-RPC 2.0 number it travels under. A node's own verdicts
(a rejected block, an unknown block, a malformed header) stay
:class:`~reference.errors.DagspecError` and are mapped to numbers by
:func:`reference.rpc.json_rpc.error_object`.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class RpcCode(StrEnum):
    """Canonical codes of request failures (``error.data.code``)."""

    MALFORMED_JSON = "MALFORMED_JSON"
    """The bytes are not one JSON value in UTF-8."""
    MALFORMED_REQUEST = "MALFORMED_REQUEST"
    """A JSON value that is not a request of the protocol (or an empty or oversized batch)."""
    MESSAGE_TOO_LARGE = "MESSAGE_TOO_LARGE"
    """A request body or frame over the size limit (the string of
    :attr:`reference.errors.Code.MESSAGE_TOO_LARGE`)."""
    UNKNOWN_METHOD = "UNKNOWN_METHOD"
    """No method of that name."""
    INVALID_PARAMS = "INVALID_PARAMS"
    """Parameters missing, unknown or of the wrong type (a malformed header, transaction, hash
    or address has its own, more precise, canonical code instead)."""
    NOT_SUBSCRIBED = "NOT_SUBSCRIBED"
    """``unsubscribe`` from an event the connection does not follow."""
    ALREADY_SUBSCRIBED = "ALREADY_SUBSCRIBED"
    """``subscribe`` to an event the connection already follows."""
    STALE_JOB = "STALE_JOB"
    """GetWork: the job a miner answered is not (or no longer) held for its connection."""
    INTERNAL_ERROR = "INTERNAL_ERROR"
    """A bug in the node; the request may be retried, nothing was changed by it."""


class JsonRpcNumber(IntEnum):
    """The ``error.code`` numbers of JSON-RPC 2.0 and the ones this node adds.

    The five standard numbers come first. TOS's server adds ``-1`` and ``-2`` for
    subscriptions and maps each of its chain errors to ``200 + id``; here the chain errors are
    the canonical codes of ``reference.errors``, so the numbers 200 and up name only the kind
    of verdict, and ``error.data.code`` the exact rule.
    """

    PARSE_ERROR = -32700
    INVALID_REQUEST = -32600
    METHOD_NOT_FOUND = -32601
    INVALID_PARAMS = -32602
    INTERNAL_ERROR = -32603
    NOT_SUBSCRIBED = -1
    ALREADY_SUBSCRIBED = -2
    BLOCK_REJECTED = 200
    """A well-formed block broke a consensus rule; ``data.code`` names the rule."""
    UNKNOWN_BLOCK = 201
    """The node holds no block of that hash."""
    NODE_ERROR = 202
    """Any other verdict of the node (``data.code`` names it)."""


_NUMBER_OF: dict[RpcCode, JsonRpcNumber] = {
    RpcCode.MALFORMED_JSON: JsonRpcNumber.PARSE_ERROR,
    RpcCode.MALFORMED_REQUEST: JsonRpcNumber.INVALID_REQUEST,
    RpcCode.MESSAGE_TOO_LARGE: JsonRpcNumber.INVALID_REQUEST,
    RpcCode.UNKNOWN_METHOD: JsonRpcNumber.METHOD_NOT_FOUND,
    RpcCode.INVALID_PARAMS: JsonRpcNumber.INVALID_PARAMS,
    RpcCode.NOT_SUBSCRIBED: JsonRpcNumber.NOT_SUBSCRIBED,
    RpcCode.ALREADY_SUBSCRIBED: JsonRpcNumber.ALREADY_SUBSCRIBED,
    RpcCode.STALE_JOB: JsonRpcNumber.NODE_ERROR,
    RpcCode.INTERNAL_ERROR: JsonRpcNumber.INTERNAL_ERROR,
}


class RpcError(Exception):
    """A request the interface refuses, before or instead of asking the node."""

    code: RpcCode
    """Its canonical code."""
    message: str
    """What was wrong, for a person."""

    def __init__(self, code: RpcCode, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    @property
    def number(self) -> JsonRpcNumber:
        """The JSON-RPC ``error.code`` it travels under."""
        return _NUMBER_OF[self.code]


def invalid_params(message: str) -> RpcError:
    """An :class:`RpcError` of code ``INVALID_PARAMS``."""
    return RpcError(RpcCode.INVALID_PARAMS, message)
