"""The runner holds adapters to the line limit exactly, and refuses a suite it does not know.

A reply line may carry at most :data:`~conformance.protocol.MAX_LINE_BYTES` bytes before its
newline (``spec/adapter.md``, *Transport and framing*): a fake adapter answers every request
with a reply padded to a chosen length, and the runner's client must take a line of exactly
the limit and fail one byte longer.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conformance.cli import main
from conformance.client import AdapterFailure, AdapterProcess
from conformance.protocol import MAX_LINE_BYTES
from conformance.vectors import REPOSITORY_ROOT

_PADDED_ADAPTER = """\
import json
import sys

size = int(sys.argv[1])
ending = sys.argv[2].encode()
for line in sys.stdin.buffer:
    head = b'{"id":%d,"result":"' % json.loads(line)["id"]
    tail = b'"}'
    sys.stdout.buffer.write(head + b"x" * (size - len(head) - len(tail)) + tail + ending)
    sys.stdout.buffer.flush()
"""
"""Answers each request with a JSON reply of exactly ``argv[1]`` bytes, then ``argv[2]``."""


def _adapter(tmp_path: Path, size: int, ending: str = "\n") -> AdapterProcess:
    script = tmp_path / "padded_adapter.py"
    script.write_text(_PADDED_ADAPTER, encoding="utf-8")
    return AdapterProcess([sys.executable, str(script), str(size), ending], timeout=30)


def test_a_reply_of_exactly_the_limit_is_read(tmp_path: Path) -> None:
    adapter = _adapter(tmp_path, MAX_LINE_BYTES)
    try:
        adapter.send(b'{"id": 7, "method": "hello", "params": {}}\n')
        reply = adapter.receive()
    finally:
        adapter.close()
    result = reply["result"]
    assert reply["id"] == 7
    assert isinstance(result, str)
    # The line read back is the line sent: its own bytes add up to the limit.
    assert len(f'{{"id":7,"result":"{result}"}}'.encode()) == MAX_LINE_BYTES


def test_a_reply_one_byte_over_the_limit_fails(tmp_path: Path) -> None:
    adapter = _adapter(tmp_path, MAX_LINE_BYTES + 1)
    try:
        adapter.send(b'{"id": 7, "method": "hello", "params": {}}\n')
        with pytest.raises(AdapterFailure, match=f"longer than {MAX_LINE_BYTES} bytes"):
            adapter.receive()
    finally:
        adapter.close()


def test_a_reply_cut_off_before_its_newline_fails(tmp_path: Path) -> None:
    adapter = _adapter(tmp_path, 40, ending="")
    try:
        adapter.send(b'{"id": 7, "method": "hello", "params": {}}\n')
        adapter.close()  # stdin closed: the adapter exits, its last line unterminated
        with pytest.raises(AdapterFailure, match="reply line without a newline"):
            adapter.receive()
    finally:
        adapter.kill()


def test_an_unknown_suite_is_refused_before_the_run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPOSITORY_ROOT)
    adapter = f"{sys.executable} -m conformance.cli adapter"
    status = main(["conformance", "run", "--adapter", adapter, "--suite", "ghostdagg"])
    out = capsys.readouterr().out
    assert status == 2, out
    assert "--suite names no suite of the vectors: ghostdagg" in out
    assert "ghostdag," in out  # the suites that exist are listed
    assert "supports none" not in out
    # A known suite beside it does not make the run start.
    status = main(
        ["conformance", "run", "--adapter", adapter, "--suite", "work", "--suite", "nope"]
    )
    out = capsys.readouterr().out
    assert status == 2, out
    assert "--suite names no suite of the vectors: nope" in out
    assert "cases/s" not in out
