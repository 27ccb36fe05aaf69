"""Raw protocol vectors judged from the framing rules and the request schemas.

``spec/adapter.md`` says what an adapter answers to any line, and the JSON Schemas say which
params each method takes. From those alone, a line's reply is:

- ``id null`` and ``BAD_REQUEST`` when the line is over 1 MiB, not JSON, not an object, or its
  ``id`` is not an integer 0..2^53-1 (the id cannot be read);
- the line's ``id`` and ``BAD_REQUEST`` when the object does not have exactly ``id``,
  ``method`` (a string) and ``params`` (an object);
- ``UNKNOWN_METHOD`` when no schema file defines ``$defs/<method>.params``;
- ``BAD_REQUEST`` when the params break that schema;
- otherwise a well-formed request, whose reply these oracles only judge for ``hello`` (a result
  object).

The schemas are read with ``jsonschema``'s own reference resolution: nothing here is shared
with the adapter or the runner.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any, Final

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from conformance.audit.common import Finding, Outcome, Tally, Unjudgeable, judge

MAX_LINE_BYTES: Final = 1 << 20
"""Longest line the protocol allows (``spec/adapter.md``)."""

MAX_ID: Final = (1 << 53) - 1
"""Largest request id."""


class RequestSchemas:
    """Every ``$defs/<method>.params`` of a schemas folder."""

    def __init__(self, folder: Path) -> None:
        """Read the ``*.schema.json`` files of ``folder``."""
        self._documents = {
            path.name: json.loads(path.read_text(encoding="utf-8"))
            for path in sorted(folder.glob("*.schema.json"))
        }

    @cached_property
    def _registry(self) -> Registry[Any]:
        resources = [
            (document["$id"], Resource.from_contents(document))
            for document in self._documents.values()
        ]
        return Registry().with_resources(resources)

    @cached_property
    def params(self) -> dict[str, Draft202012Validator]:
        """A validator of each method's params, by method."""
        found: dict[str, Draft202012Validator] = {}
        for document in self._documents.values():
            for name in document.get("$defs", {}):
                if name.endswith(".params"):
                    schema = {"$ref": f"{document['$id']}#/$defs/{name}"}
                    found[name.removesuffix(".params")] = Draft202012Validator(
                        schema, registry=self._registry
                    )
        return found

    def methods(self) -> frozenset[str]:
        """Every method of the protocol."""
        return frozenset(self.params)


def readable_request(line: str) -> tuple[int | None, dict[str, Any] | None]:
    """``(id, request object)`` of a line: ``id`` ``None`` when it cannot be read, the object
    ``None`` when the line is not a JSON object within the length limit."""
    if len(line.encode()) > MAX_LINE_BYTES:
        return None, None
    try:
        message = json.loads(line)
    except (ValueError, RecursionError):
        return None, None
    if not isinstance(message, dict):
        return None, None
    request_id = message.get("id")
    if type(request_id) is not int or not 0 <= request_id <= MAX_ID:
        return None, message
    return request_id, message


def expected_reply(line: str, schemas: RequestSchemas) -> tuple[int | None, Outcome]:
    """The reply's id and outcome for one raw line."""
    request_id, message = readable_request(line)
    if request_id is None or message is None:
        return None, ("error", "BAD_REQUEST")
    method, params = message.get("method"), message.get("params")
    if set(message) != {"id", "method", "params"} or not isinstance(method, str):
        return request_id, ("error", "BAD_REQUEST")
    if not isinstance(params, dict):
        return request_id, ("error", "BAD_REQUEST")
    validator = schemas.params.get(method)
    if validator is None:
        return request_id, ("error", "UNKNOWN_METHOD")
    if not validator.is_valid(params):
        return request_id, ("error", "BAD_REQUEST")
    if method == "hello":
        return request_id, ("result", {})
    raise Unjudgeable(f"a well-formed {method} request, whose answer depends on the node")


def audit_raw(path: str, document: Mapping[str, Any], schemas: RequestSchemas) -> Tally:
    """Every expectation of a raw file."""
    tally = Tally()
    for case in document["cases"]:
        for index, step in enumerate(case["steps"]):
            expect = step["expect"]
            try:
                line = step["send"] * step.get("repeat", 1)
                request_id, outcome = expected_reply(line, schemas)
                problem = None
                if "id" not in expect or type(expect["id"]) is not type(request_id):
                    problem = f"published id {expect.get('id')!r}, oracle {request_id!r}"
                elif expect["id"] != request_id:
                    problem = f"published id {expect['id']!r}, oracle {request_id!r}"
                body = {key: value for key, value in expect.items() if key != "id"}
                problem = problem or judge(body, outcome)
            except Unjudgeable as error:
                problem = f"no independent check: {error}"
            tally.checked += 1
            if problem is not None:
                tally.findings.append(Finding(path, case["name"], index, problem))
    return tally
