"""Runner strictness: a correct adapter that echoes ids as JSON fractions (``7.0`` for ``7``).

``hello`` keeps integer ids, so the run starts; every other reply must be refused, because
``7.0`` is not the request's id ``7`` on the wire.
"""

import json
import sys

from conformance.dispatch import Dispatcher

dispatcher = Dispatcher()
for line in sys.stdin.buffer:
    reply = dispatcher.handle_line(line.rstrip(b"\n"))
    if isinstance(reply.get("id"), int) and b'"hello"' not in line:
        reply["id"] = float(reply["id"])  # type: ignore[arg-type]
    sys.stdout.buffer.write(json.dumps(reply).encode() + b"\n")
    sys.stdout.buffer.flush()
