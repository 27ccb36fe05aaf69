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
object key order never matters, array order always does. Raw steps also expect an ``id``; a
script step's reply must carry the request's id as the same JSON integer. Every reply is also
checked against the published reply schemas (:mod:`conformance.replies`), and a step that is
not well-formed is a vector-format failure, never a crash of the runner.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from conformance.client import AdapterFailure, AdapterProcess, ReplyTimeout
from conformance.protocol import JsonObject, JsonValue, encode_line
from conformance.replies import ReplySchemas
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


@dataclass(frozen=True, slots=True)
class Deadline:
    """The moment a whole run must be over."""

    seconds: float
    """The run's length allowed, as given (``--deadline``)."""
    at: float
    """The ``time.monotonic()`` instant it passes."""

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        """The deadline ``seconds`` from now."""
        return cls(seconds, time.monotonic() + seconds)

    def left(self) -> float:
        """Seconds left (negative once passed)."""
        return self.at - time.monotonic()

    def passed(self) -> bool:
        """True once the deadline has passed."""
        return self.left() <= 0

    def failure(self) -> AdapterFailure:
        """The failure of a case cut short by the deadline."""
        return AdapterFailure(f"the run's deadline of {self.seconds:g} s passed")


def receive_within(adapter: AdapterProcess, deadline: Deadline | None) -> JsonObject:
    """The adapter's next reply within the per-request timeout and the run's deadline."""
    if deadline is None:
        return adapter.receive()
    left = deadline.left()
    if left <= 0:
        raise deadline.failure()
    if left >= adapter.timeout:
        return adapter.receive()
    try:
        return adapter.receive(left)
    except ReplyTimeout:
        raise deadline.failure() from None


def same_id(expected: int, found: object) -> bool:
    """A reply's ``id`` is the request's: the same JSON integer (``1.0`` and ``true`` are not
    ``1``)."""
    return type(found) is int and found == expected


def step_format_error(kind: str, step: object) -> str | None:
    """Why ``step`` is not a well-formed step of a ``kind`` file, or ``None``."""
    if not isinstance(step, dict):
        return "a step is not an object"
    if not isinstance(step.get("expect"), dict):
        return "a step has no expect object"
    if kind == "raw":
        repeat = step.get("repeat", 1)
        if not isinstance(step.get("send"), str):
            return "a raw step has no send string"
        if type(repeat) is not int or repeat < 1:
            return "a raw step's repeat is not a positive integer"
        return None
    if not isinstance(step.get("method"), str):
        return "a step has no method string"
    if not isinstance(step.get("params"), dict):
        return "a step has no params object"
    return None


def _raw_method(text: str) -> str | None:
    """The method a raw line asks for, when it is a JSON object naming one."""
    try:
        message = json.loads(text)
    except (ValueError, RecursionError):
        return None
    method = message.get("method") if isinstance(message, dict) else None
    return method if isinstance(method, str) else None


@dataclass(frozen=True, slots=True)
class _Planned:
    """One step ready to send: its line, and what its reply is judged by."""

    step: JsonObject
    """The step as the vector file gives it."""
    expect: JsonObject
    """Its expectation."""
    line: bytes
    """The bytes sent."""
    request_id: int | None
    """The id the runner gave a script step (raw steps carry theirs in ``expect``)."""
    method: str | None
    """The method asked for, when known (for the result schema)."""


def _plan(kind: str, steps: list[JsonValue], ids: RequestIds) -> list[_Planned] | str:
    """Every step ready to send, or why the case is not well-formed."""
    planned: list[_Planned] = []
    for index, step in enumerate(steps):
        problem = step_format_error(kind, step)
        if problem is not None or not isinstance(step, dict):
            return f"malformed vector: step {index}: {problem}"
        expect = step["expect"]
        if not isinstance(expect, dict):
            return f"malformed vector: step {index}: a step has no expect object"
        if kind == "raw":
            text, repeat = str(step["send"]), step.get("repeat", 1)
            count = repeat if isinstance(repeat, int) else 1
            line = (text * count).encode() + b"\n"
            method = _raw_method(text) if count == 1 else None
            planned.append(_Planned(step, expect, line, None, method))
        else:
            request_id = ids.take()
            message = {"id": request_id, "method": step["method"], "params": step["params"]}
            planned.append(
                _Planned(step, expect, encode_line(message), request_id, str(step["method"]))
            )
    return planned


def run_case(
    adapter: AdapterProcess,
    kind: str,
    case: JsonObject,
    ids: RequestIds,
    checkers: Mapping[str, StepChecker],
    *,
    schemas: ReplySchemas | None = None,
    deadline: Deadline | None = None,
) -> CaseOutcome:
    """Send every step of ``case`` and judge the replies (first failure reported).

    Each reply must carry its request's id, meet the step's expectation and, with
    ``schemas``, match the published reply schemas; ``deadline`` bounds the whole run.
    """
    started = time.perf_counter()
    steps = case.get("steps")
    if not isinstance(steps, list) or not steps:
        return CaseOutcome("failed", "malformed vector: the case has no steps", 0.0, 0)
    planned = _plan(kind, steps, ids)
    if isinstance(planned, str):
        return CaseOutcome("failed", planned, 0.0, 0)
    adapter.send(b"".join(item.line for item in planned))
    first_failure: str | None = None
    failures = 0
    try:
        for index, item in enumerate(planned):
            reply = receive_within(adapter, deadline)
            problem = _judge(item, reply, checkers)
            if problem is None and schemas is not None:
                problem = schemas.problem(item.method, reply)
            if problem is not None:
                failures += 1
                if first_failure is None:
                    first_failure = f"step {index} {_describe(item.step)}: {problem}"
    except AdapterFailure as failure:
        seconds = time.perf_counter() - started
        where = first_failure + "; then " if first_failure else ""
        return CaseOutcome("failed", f"{where}{failure}", seconds, len(steps), adapter_broken=True)
    seconds = time.perf_counter() - started
    if first_failure is not None:
        extra = f" ({failures} of {len(steps)} steps failed)" if failures > 1 else ""
        return CaseOutcome("failed", first_failure + extra, seconds, len(steps))
    return CaseOutcome("passed", "", seconds, len(steps))


def _judge(item: _Planned, reply: JsonObject, checkers: Mapping[str, StepChecker]) -> str | None:
    """Why ``reply`` misses ``item``'s expectation; a wrong script id breaks the adapter."""
    if item.request_id is None:  # a raw step: its expectation names the id
        found = (
            difference(item.expect["id"], reply.get("id"), "id") if "id" in item.expect else None
        )
        return found or check_reply(item.expect, reply)
    if not same_id(item.request_id, reply.get("id")):
        raise AdapterFailure(f"reply id {reply.get('id')!r}, expected {item.request_id}")
    checker = checkers.get(item.method or "")
    return checker(item.step, reply) if checker is not None else check_reply(item.expect, reply)


def _describe(step: JsonObject) -> str:
    if "send" in step:
        text = str(step["send"])
        return f"send {text[:60]!r}" + ("…" if len(text) > 60 else "")
    params = json.dumps(step.get("params"), sort_keys=True, separators=(",", ":"))
    return f"{step.get('method')} {params[:120]}" + ("…" if len(params) > 120 else "")
