"""Answering requests: from one line in to one reply out, whatever the line holds.

:class:`Dispatcher` is the whole reference adapter minus the pipes: it parses a line, routes
the method to the handler its capability registered, and turns every outcome into a reply —
a result, a protocol error, a typed rejection of the specification, or ``INTERNAL_ERROR`` for
a bug. Nothing a request contains can make it raise. The vector generator drives the same
object in-process, so the published expectations come from exactly the code the adapter runs.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from typing import Final

from conformance.protocol import (
    MAX_LINE_BYTES,
    PROTOCOL_VERSION,
    JsonObject,
    JsonValue,
    ProtocolCode,
    ProtocolError,
    check_keys,
    error_reply,
    parse_request,
    result_reply,
)
from conformance.session import Session
from conformance.suites import Capability, Handler, capabilities
from reference.errors import DagspecError

ADAPTER_NAME: Final = "dagspec-reference"
"""The reference adapter's name in ``hello``."""

ADAPTER_VERSION: Final = "0.1.0"
"""The reference adapter's version in ``hello``."""


class Dispatcher:
    """Routes requests to capability handlers over one :class:`Session`."""

    def __init__(
        self,
        served: Sequence[Capability] | None = None,
        name: str = ADAPTER_NAME,
        version: str = ADAPTER_VERSION,
    ) -> None:
        """Serve ``served`` (default: every registered capability)."""
        registered = capabilities()
        served = registered if served is None else tuple(served)
        self.session = Session()
        """The node state behind the adapter."""
        self._name = name
        self._version = version
        self._advertised = [c.name for c in served if not c.core]
        self._methods: dict[str, Handler] = {"hello": self._hello}
        for capability in served:
            self._methods.update(capability.methods)
        self._protocol_methods = {"hello"} | {m for c in registered for m in c.methods}

    def _hello(self, session: Session, params: JsonObject) -> JsonValue:
        check_keys(params, "params")
        return {
            "name": self._name,
            "version": self._version,
            "protocol": PROTOCOL_VERSION,
            "capabilities": list(self._advertised),
        }

    def handle(self, request_id: int, method: str, params: JsonObject) -> JsonObject:
        """The reply to one parsed request."""
        handler = self._methods.get(method)
        if handler is None:
            if method in self._protocol_methods:
                return error_reply(
                    request_id, ProtocolCode.UNSUPPORTED, f"{method} is not supported"
                )
            return error_reply(request_id, ProtocolCode.UNKNOWN_METHOD, f"unknown method {method}")
        try:
            return result_reply(request_id, handler(self.session, params))
        except ProtocolError as error:
            return error_reply(request_id, error.code, error.message)
        except DagspecError as error:
            return error_reply(request_id, str(error.code), error.message)
        except Exception as error:  # a bug in the reference: report it and keep serving
            traceback.print_exc(file=sys.stderr)
            return error_reply(
                request_id, ProtocolCode.INTERNAL_ERROR, f"{type(error).__name__}: {error}"
            )

    def handle_line(self, line: bytes) -> JsonObject:
        """The reply to one raw line (without its newline)."""
        if len(line) > MAX_LINE_BYTES:
            return error_reply(
                None, ProtocolCode.BAD_REQUEST, f"line longer than {MAX_LINE_BYTES} bytes"
            )
        try:
            request_id, method, params = parse_request(line)
        except ProtocolError as error:
            return error_reply(error.request_id, error.code, error.message)
        return self.handle(request_id, method, params)
