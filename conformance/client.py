"""The runner's side of the pipe: one adapter process, its replies read with a deadline.

:class:`AdapterProcess` starts the adapter command, writes request lines from a writer thread
and reads reply lines on a reader thread, so a hung adapter can never block the runner: every
:meth:`~AdapterProcess.receive` waits at most the per-request timeout. A dead or hung adapter
raises :class:`AdapterFailure` carrying what happened and the tail of its stderr; the runner
reports that against the case and starts a fresh process for the next one.

The adapter runs in a session (and process group) of its own, and stopping it kills the whole
group: an adapter that is a shell script, a ``cargo run`` or a wrapper around a node leaves no
orphan behind when it hangs and is killed.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import threading
from collections import deque
from collections.abc import Sequence
from typing import IO, Final

from conformance.protocol import MAX_LINE_BYTES, JsonObject

_EOF: Final = b""
_READ_LIMIT: Final = MAX_LINE_BYTES + 1
_STDERR_LINES: Final = 20


class AdapterFailure(Exception):
    """The adapter crashed, hung, or broke the framing rules."""

    def __init__(self, what: str, stderr_tail: str = "") -> None:
        detail = f"{what}; adapter stderr: {stderr_tail}" if stderr_tail else what
        super().__init__(detail)
        self.what = what
        """What happened (``exited with status 1``, ``no reply within 10 s``, ...)."""


class ReplyTimeout(AdapterFailure):
    """No reply arrived within the time allowed."""


class AdapterProcess:
    """One running adapter process."""

    def __init__(self, command: Sequence[str], timeout: float) -> None:
        """Start ``command``; ``timeout`` bounds the wait for each reply, in seconds."""
        self.timeout = timeout
        self._process = subprocess.Popen(
            list(command),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=0,
            # Its own session, so its process group holds it and every child it starts.
            start_new_session=True,
        )
        self._replies: queue.Queue[bytes] = queue.Queue()
        self._requests: queue.Queue[bytes | None] = queue.Queue()
        self._stderr: deque[str] = deque(maxlen=_STDERR_LINES)
        self._threads = [
            threading.Thread(target=self._read_replies, daemon=True),
            threading.Thread(target=self._write_requests, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _pipe(self, stream: IO[bytes] | None) -> IO[bytes]:
        if stream is None:
            raise RuntimeError("adapter pipes were not created")
        return stream

    def _read_replies(self) -> None:
        stdout = self._pipe(self._process.stdout)
        while True:
            try:
                # The longest legal line and its newline: a line that does not fit is over
                # the limit, and is cut here instead of being read whole into memory.
                line = stdout.readline(_READ_LIMIT)
            except (OSError, ValueError):
                line = _EOF
            self._replies.put(line)
            if not line:
                return

    def _write_requests(self) -> None:
        stdin = self._pipe(self._process.stdin)
        while True:
            data = self._requests.get()
            if data is None:
                break
            try:
                stdin.write(data)
            except (BrokenPipeError, OSError):
                return
        try:
            stdin.close()
        except OSError:
            return

    def _read_stderr(self) -> None:
        try:
            for raw in self._pipe(self._process.stderr):
                self._stderr.append(raw.decode("utf-8", "replace").rstrip()[:300])
        except (OSError, ValueError):
            return

    def stderr_tail(self) -> str:
        """The last lines the adapter wrote to stderr, joined by `` | ``."""
        return " | ".join(self._stderr)

    def send(self, data: bytes) -> None:
        """Queue bytes (one or more complete lines) for the adapter's stdin."""
        self._requests.put(data)

    def receive(self, timeout: float | None = None) -> JsonObject:
        """The next reply; :class:`AdapterFailure` on timeout, exit or a malformed line.

        ``timeout`` replaces the per-request timeout for this one reply.
        """
        wait = self.timeout if timeout is None else timeout
        try:
            line = self._replies.get(timeout=wait)
        except queue.Empty:
            raise ReplyTimeout(f"no reply within {wait:g} s", self.stderr_tail()) from None
        if line == _EOF:
            self._replies.put(_EOF)  # stays dead for any later receive
            status = self._process.wait()
            raise AdapterFailure(f"adapter exited with status {status}", self.stderr_tail())
        if not line.endswith(b"\n"):
            if len(line) < _READ_LIMIT:  # its output ended in the middle of a line
                raise AdapterFailure(f"reply line without a newline: {line[:120]!r}")
            raise AdapterFailure(f"reply line longer than {MAX_LINE_BYTES} bytes")
        try:
            reply = json.loads(line)
        except ValueError:
            raise AdapterFailure(f"reply is not JSON: {line[:120]!r}") from None
        if not isinstance(reply, dict):
            raise AdapterFailure(f"reply is not a JSON object: {line[:120]!r}")
        return reply

    def alive(self) -> bool:
        """True while the process runs."""
        return self._process.poll() is None

    @property
    def pid(self) -> int:
        """The adapter's process id (also its process group id)."""
        return self._process.pid

    def close(self) -> None:
        """Close stdin, give the adapter a moment to exit, then kill what is left of its
        process group."""
        self._requests.put(None)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=2)
        self.kill()

    def kill(self) -> None:
        """Kill the adapter and every process of its group at once."""
        with contextlib.suppress(ProcessLookupError, PermissionError):  # an empty group
            os.killpg(self._process.pid, signal.SIGKILL)
        if self._process.poll() is None:
            self._process.kill()
        self._requests.put(None)
        self._reap()

    def _reap(self) -> None:
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return
        for thread in self._threads:
            thread.join(timeout=1)
        for stream in (self._process.stdout, self._process.stderr):
            if stream is not None:
                stream.close()
