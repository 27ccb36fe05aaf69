"""Runner strictness: a correct adapter that adds an ``error`` beside every ``result``.

Every expectation is still met field by field; only the reply schema (a reply holds exactly
one of ``result`` and ``error``) catches it.
"""

import sys

from conformance.dispatch import Dispatcher
from conformance.protocol import encode_line

dispatcher = Dispatcher()
for line in sys.stdin.buffer:
    reply = dispatcher.handle_line(line.rstrip(b"\n"))
    if "result" in reply and reply.get("id") != 1:  # the first hello stays clean
        reply["error"] = {"code": "INTERNAL_ERROR", "message": "and yet"}
    sys.stdout.buffer.write(encode_line(reply))
    sys.stdout.buffer.flush()
