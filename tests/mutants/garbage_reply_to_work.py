"""Runner robustness: an adapter that answers ``work`` requests with a line that is not JSON."""

import sys

from conformance.dispatch import Dispatcher
from conformance.protocol import encode_line

dispatcher = Dispatcher()
for line in sys.stdin.buffer:
    if b'"work"' in line:
        sys.stdout.buffer.write(b"this is not JSON\n")
    else:
        sys.stdout.buffer.write(encode_line(dispatcher.handle_line(line.rstrip(b"\n"))))
    sys.stdout.buffer.flush()
