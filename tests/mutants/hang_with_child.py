"""Runner robustness: an adapter with a child process that hangs on every ``work`` request.

It starts a long ``sleep`` as its child (as a shell wrapper or a node launcher would), writes
the child's pid to the file named by ``DAGSPEC_CHILD_PIDFILE``, and never answers ``work``.
When the runner gives up on it, the whole process group must die: no orphan ``sleep`` left.
"""

import os
import subprocess
import sys
import time

from conformance.dispatch import Dispatcher
from conformance.protocol import encode_line

child = subprocess.Popen(["sleep", "600"])
with open(os.environ["DAGSPEC_CHILD_PIDFILE"], "a", encoding="ascii") as pidfile:
    pidfile.write(f"{child.pid}\n")
dispatcher = Dispatcher()
for line in sys.stdin.buffer:
    if b'"work"' in line:
        time.sleep(3600)
    sys.stdout.buffer.write(encode_line(dispatcher.handle_line(line.rstrip(b"\n"))))
    sys.stdout.buffer.flush()
