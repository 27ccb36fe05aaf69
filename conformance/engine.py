"""Running one vector case against an adapter and judging its replies.

A case's requests are written to the adapter in one batch (the writer thread and the reader
thread of :class:`~conformance.client.AdapterProcess` keep the pipes flowing both ways), then
its replies are read back in order, each within the per-request timeout, and compared with the
steps' expectations:

- ``{"result": X}`` — the reply has a result equal to ``X``;
- ``{"fields": {...}}`` — the result is an object, and each listed field equals its value
  (other fields are not compared);
- ``{"error": CODE}`` — the reply is an error with that code (messages are never compared).

Equality is JSON equality with types kept apart (``true`` is not ``1``, ``1`` is not ``1.0``);
object key order never matters, array order always does. Raw steps also expect an ``id``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from conformance.client import AdapterFailure, AdapterProcess
from conformance.protocol import JsonObject, JsonValue, encode_line
from conformance.suites import StepChecker

Status = Literal["passed", "failed", "skipped"]


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    """The verdict on one case."""

    status: Status
    """``passed``, ``failed`` or ``skipped``."""
    message: str
    """Why it failed or was skipped (empty when passed)."""
    seconds: float
    """Wall time spent on the case."""
    requests: int
    """Requests sent."""
    adapter_broken: bool = False
    """The adapter crashed, hung or broke framing: start a new one before the next case."""


def json_equal(expected: JsonValue, actual: object) -> bool:
    """JSON equality that keeps ``bool``, ``int`` and ``float`` apart."""
    return difference(expected, actual, "") is None


def difference(expected: JsonValue, actual: object, where: str) -> str | None:
    """The first place ``actual`` differs from ``expected``, or ``None``."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{where or 'result'}: expected an object, got {_show(actual)}"
        for key in sorted(expected.keys() | actual.keys()):
            if key not in actual:
                return f"{where}.{key}: missing"
            if key not in expected:
                return f"{where}.{key}: unexpected field"
            found = difference(expected[key], actual[key], f"{where}.{key}")
            if found is not None:
                return found
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return f"{where or 'result'}: expected an array, got {_show(actual)}"
        for index, (left, right) in enumerate(zip(expected, actual, strict=False)):
            found = difference(left, right, f"{where}[{index}]")
            if found is not None:
                return f"{found} (expected {_show(expected)}, got {_show(actual)})"
        if len(expected) != len(actual):
            return f"{where}: expected {_show(expected)}, got {_show(actual)}"
        return None
    if type(expected) is not type(actual) or expected != actual:
        return f"{where or 'result'}: expected {_show(expected)}, got {_show(actual)}"
    return None


def _show(value: object) -> str:
    text = json.dumps(value, sort_keys=True) if _is_json(value) else repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def _is_json(value: object) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def check_reply(expect: Mapping[str, JsonValue], reply: JsonObject) -> str | None:
    """Why ``reply`` misses ``expect`` (a step's expectation), or ``None`` when it meets it."""
    error = reply.get("error")
    if "error" in expect:
        if not isinstance(error, dict) or "result" in reply:
            return f"expected error {expect['error']}, got {_show(reply.get('result'))}"
        if error.get("code") != expect["error"]:
            return f"expected error {expect['error']}, got error {_show(error.get('code'))}"
        return None
    if "result" not in reply:
        code = error.get("code") if isinstance(error, dict) else None
        message = error.get("message") if isinstance(error, dict) else None
        return f"expected a result, got error {_show(code)} ({message})"
    result = reply["result"]
    if "result" in expect:
        return difference(expect["result"], result, "")
    fields = expect.get("fields")
    if isinstance(fields, dict):
        if not isinstance(result, dict):
            return f"expected an object result, got {_show(result)}"
        for name, value in fields.items():
            if name not in result:
                return f".{name}: missing"
            found = difference(value, result[name], f".{name}")
            if found is not None:
                return found
        return None
    return f"malformed expectation {_show(dict(expect))}"


class RequestIds:
    """Request ids, unique over one adapter process's life."""

    def __init__(self) -> None:
        self._next = 0

    def take(self) -> int:
        """The next id."""
        self._next += 1
        return self._next


def run_case(
    adapter: AdapterProcess,
    kind: str,
    case: JsonObject,
    ids: RequestIds,
    checkers: Mapping[str, StepChecker],
) -> CaseOutcome:
    """Send every step of ``case`` and judge the replies (first failure reported)."""
    started = time.perf_counter()
    steps = case.get("steps")
    if not isinstance(steps, list):
        return CaseOutcome("failed", "malformed case: no steps", 0.0, 0)
    batch: list[bytes] = []
    expected_ids: list[int | None] = []
    for step in steps:
        if not isinstance(step, dict):
            return CaseOutcome("failed", "malformed case: a step is not an object", 0.0, 0)
        if kind == "raw":
            text, repeat = step.get("send"), step.get("repeat", 1)
            if not isinstance(text, str) or not isinstance(repeat, int):
                return CaseOutcome("failed", "malformed raw step", 0.0, 0)
            batch.append((text * repeat).encode() + b"\n")
            expect = step.get("expect")
            expected_ids.append(expect.get("id") if isinstance(expect, dict) else None)  # type: ignore[arg-type]
        else:
            request_id = ids.take()
            batch.append(
                encode_line({"id": request_id, "method": step["method"], "params": step["params"]})
            )
            expected_ids.append(request_id)
    adapter.send(b"".join(batch))
    first_failure: str | None = None
    failures = 0
    try:
        for index, (step, expected_id) in enumerate(zip(steps, expected_ids, strict=True)):
            reply = adapter.receive()
            if not isinstance(step, dict):
                continue
            expect = step.get("expect")
            if not isinstance(expect, dict):
                return CaseOutcome("failed", f"step {index}: malformed expectation", 0.0, 0)
            if kind == "raw":
                problem = difference(expected_id, reply.get("id"), "id") if "id" in expect else None
                problem = problem or check_reply(expect, reply)
            else:
                if reply.get("id") != expected_id or isinstance(reply.get("id"), bool):
                    raise AdapterFailure(f"reply id {reply.get('id')!r}, expected {expected_id}")
                method = str(step.get("method"))
                checker = checkers.get(method)
                problem = (
                    checker(step, reply) if checker is not None else check_reply(expect, reply)
                )
            if problem is not None:
                failures += 1
                if first_failure is None:
                    first_failure = f"step {index} {_describe(step)}: {problem}"
    except AdapterFailure as failure:
        seconds = time.perf_counter() - started
        where = first_failure + "; then " if first_failure else ""
        return CaseOutcome("failed", f"{where}{failure}", seconds, len(steps), adapter_broken=True)
    seconds = time.perf_counter() - started
    if first_failure is not None:
        extra = f" ({failures} of {len(steps)} steps failed)" if failures > 1 else ""
        return CaseOutcome("failed", first_failure + extra, seconds, len(steps))
    return CaseOutcome("passed", "", seconds, len(steps))


def _describe(step: JsonObject) -> str:
    if "send" in step:
        text = str(step["send"])
        return f"send {text[:60]!r}" + ("…" if len(text) > 60 else "")
    params = json.dumps(step.get("params"), sort_keys=True, separators=(",", ":"))
    return f"{step.get('method')} {params[:120]}" + ("…" if len(params) > 120 else "")
