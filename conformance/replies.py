"""Every reply checked against the published JSON Schemas, not only against its expectation.

A reply can meet its step's expectation and still break the protocol — an ``error`` added
beside every ``result``, a stray field in a result, a hash in uppercase where the expectation
only lists other fields. :class:`ReplySchemas` holds the envelope of
``conformance/schemas/reply.schema.json`` (exactly one of ``result`` / ``error``, nothing else)
and, for each method, the schema of its result: ``$defs/<method>.result`` of whichever schema
file defines it (``reply.schema.json`` for the core methods, ``relay.schema.json`` for the
relay methods). A capability that adds methods publishes their results the same way.

The schemas are validated with ``jsonschema`` after each ``$ref`` is replaced by what it
points to (the referenced schemas hold no recursion), which makes each check several times
faster; verdicts are cached by method and reply text, since most replies of a run repeat
(``{"status": "accepted"}``, ``true``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from conformance.protocol import MAX_ID, JsonObject, JsonValue

SCHEMAS: Final = Path(__file__).resolve().parent / "schemas"
"""The published JSON Schemas."""

ENVELOPE_SCHEMA: Final = "reply.schema.json"
"""The file holding the reply envelope."""

_CACHE_LIMIT: Final = 20_000


def load_schemas(folder: Path = SCHEMAS) -> dict[str, Any]:
    """Every ``*.schema.json`` of ``folder`` by file name."""
    return {
        path.name: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*.schema.json"))
    }


def inline_refs(node: object, base: str, documents: Mapping[str, Any], depth: int = 0) -> Any:
    """``node`` with every ``$ref`` replaced by its target (``file#/pointer`` or ``#/pointer``,
    relative to the file ``base``); sibling keywords are kept beside it in an ``allOf``."""
    if depth > 64:
        raise ValueError(f"{base}: $ref nesting deeper than 64 (a recursive schema?)")
    if isinstance(node, list):
        return [inline_refs(item, base, documents, depth) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" not in node:
        return {key: inline_refs(value, base, documents, depth) for key, value in node.items()}
    file_name, _, pointer = str(node["$ref"]).partition("#")
    file_name = file_name or base
    target: Any = documents[file_name]
    for part in filter(None, pointer.split("/")):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    resolved = inline_refs(target, file_name, documents, depth + 1)
    rest = {key: value for key, value in node.items() if key != "$ref"}
    if not rest:
        return resolved
    return {"allOf": [resolved, inline_refs(rest, base, documents, depth)]}


def _id_class(value: object) -> str | None:
    """What the envelope's verdict depends on in an id; ``None`` when not worth caching."""
    if value is None:
        return "null"
    if type(value) is int and 0 <= value <= MAX_ID:
        return "id"
    return None


class ReplySchemas:
    """The reply envelope and the result schema of every method that publishes one."""

    def __init__(self, folder: Path = SCHEMAS) -> None:
        """Compile the schemas of ``folder``."""
        documents = load_schemas(folder)
        envelope = {
            key: value for key, value in documents[ENVELOPE_SCHEMA].items() if key != "$defs"
        }
        self._envelope = Draft202012Validator(inline_refs(envelope, ENVELOPE_SCHEMA, documents))
        self._results: dict[str, Draft202012Validator] = {}
        for file_name, document in documents.items():
            for name, definition in document.get("$defs", {}).items():
                if name.endswith(".result"):
                    method = name.removesuffix(".result")
                    if method in self._results:
                        raise ValueError(f"two schema files define {name}")
                    schema = inline_refs(definition, file_name, documents)
                    self._results[method] = Draft202012Validator(schema)
        self._verdicts: dict[tuple[str, str, str], str | None] = {}

    @property
    def methods(self) -> frozenset[str]:
        """Methods whose results have a schema."""
        return frozenset(self._results)

    def problem(self, method: str | None, reply: JsonObject) -> str | None:
        """Why ``reply`` (to a request for ``method``, ``None`` if unknown) breaks the
        schemas, or ``None``."""
        id_class = _id_class(reply.get("id"))
        key: tuple[str, str, str] | None = None
        if id_class is not None:
            body = {name: value for name, value in reply.items() if name != "id"}
            key = (method or "", id_class, json.dumps(body, sort_keys=True))
            if key in self._verdicts:
                return self._verdicts[key]
        verdict = self._judge(method, reply)
        if key is not None:
            if len(self._verdicts) >= _CACHE_LIMIT:
                self._verdicts.clear()
            self._verdicts[key] = verdict
        return verdict

    def _judge(self, method: str | None, reply: JsonObject) -> str | None:
        found = _first_error(self._envelope, reply)
        if found is not None:
            return f"reply breaks {ENVELOPE_SCHEMA}: {found}"
        validator = self._results.get(method or "")
        if validator is None or "result" not in reply:
            return None
        found = _first_error(validator, reply["result"])
        if found is not None:
            return f"result breaks $defs/{method}.result: {found}"
        return None


def _first_error(validator: Draft202012Validator, value: JsonValue | JsonObject) -> str | None:
    if validator.is_valid(value):
        return None
    error = best_match(validator.iter_errors(value))
    where = "/".join(str(part) for part in error.absolute_path)
    message = error.message if len(error.message) <= 160 else error.message[:157] + "..."
    return f"{message} (at /{where})" if where else message
