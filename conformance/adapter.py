"""``dagspec adapter``: the reference node served over the adapter protocol (version 1).

Reads one request per line on stdin and writes one reply per line on stdout, in order, until
stdin closes; logs go to stderr. Malformed input of any kind — bad JSON, a line over
:data:`~conformance.protocol.MAX_LINE_BYTES`, a non-object, a bad ``id``, unknown or
wrong-typed params, bad hex, an unknown method — gets an error reply and the adapter goes on
serving. No reply line is longer than the protocol allows: a result that would be is replaced
by the error ``REPLY_TOO_LARGE``. See ``spec/adapter.md``.
"""

from __future__ import annotations

import argparse
import sys
from typing import BinaryIO

from conformance.dispatch import Dispatcher
from conformance.protocol import (
    MAX_LINE_BYTES,
    JsonObject,
    ProtocolCode,
    encode_line,
    error_reply,
)


def configure(parser: argparse.ArgumentParser) -> None:
    """The adapter takes no options: everything arrives over the protocol."""
    parser.epilog = "Speaks the adapter protocol on stdin/stdout; see spec/adapter.md."


def serve(reader: BinaryIO, writer: BinaryIO, dispatcher: Dispatcher | None = None) -> int:
    """Answer every line of ``reader`` on ``writer`` until end of input; returns 0."""
    dispatcher = dispatcher if dispatcher is not None else Dispatcher()
    limit = MAX_LINE_BYTES + 2  # the longest legal line, its newline, and one byte to spare
    while True:
        line = reader.readline(limit)
        if not line:
            return 0
        if line.endswith(b"\n"):
            reply = dispatcher.handle_line(line[:-1])
        elif len(line) < limit:  # the last line, without a newline
            reply = dispatcher.handle_line(line)
        else:
            _discard_rest_of_line(reader)
            reply = error_reply(
                None, ProtocolCode.BAD_REQUEST, f"line longer than {MAX_LINE_BYTES} bytes"
            )
        try:
            writer.write(bounded_line(reply))
            writer.flush()
        except BrokenPipeError:
            return 0


def bounded_line(reply: JsonObject) -> bytes:
    """``reply`` as a wire line, or the error ``REPLY_TOO_LARGE`` when that line would be
    longer than :data:`~conformance.protocol.MAX_LINE_BYTES`: a request within the limit can
    ask for a result that is not (a long index list decodes to a longer array of numbers)."""
    line = encode_line(reply)
    if len(line) - 1 <= MAX_LINE_BYTES:
        return line
    request_id = reply.get("id")
    return encode_line(
        error_reply(
            request_id if isinstance(request_id, int) else None,
            ProtocolCode.REPLY_TOO_LARGE,
            f"the reply would be {len(line) - 1} bytes, over the {MAX_LINE_BYTES}-byte limit",
        )
    )


def _discard_rest_of_line(reader: BinaryIO) -> None:
    while True:
        chunk = reader.readline(1 << 16)
        if not chunk or chunk.endswith(b"\n"):
            return


def serve_stdio(dispatcher: Dispatcher | None = None) -> int:
    """Serve on the process's stdin and stdout."""
    return serve(sys.stdin.buffer, sys.stdout.buffer, dispatcher)


def run(args: argparse.Namespace) -> int:
    """Entry point of ``dagspec adapter``."""
    return serve_stdio()
