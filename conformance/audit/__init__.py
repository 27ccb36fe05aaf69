"""An audit of the published vectors by oracles written independently of ``reference/``.

The vectors' expectations are recorded from the reference adapter, so on their own they only
say what the reference answers. This package checks **every** expectation of every published
file against a second derivation that shares no code with ``reference/`` (a test keeps its
imports to the standard library, ``jsonschema``, ``blake3`` and this package):

- ``work``, ``bits``: the target and work of a difficulty and of compact bits by a second
  formula (:mod:`conformance.audit.targets`);
- ``reachability``, ``ghostdag``, ``kaspa``, ``orders``, ``validation``, ``virtual``: a DAG-mode
  node written from the definitions over whole past sets held as bitsets — past and future,
  anticones, the k-cluster colouring, blue score and work, the ten validation rules in their
  order, tips, the greedy virtual parents (:mod:`conformance.audit.dag`), driven step by step
  through each case (:mod:`conformance.audit.scripts`);
- ``protocol``: each raw line classified from the JSON Schemas of requests and the framing
  rules of ``spec/adapter.md`` (:mod:`conformance.audit.raw`);
- ``relay``: a second decoder of the relay messages written from ``spec/relay.md``
  (:mod:`conformance.audit.relay`);
- for every file, the capabilities its steps use against the capabilities it declares
  (:mod:`conformance.audit.capabilities`), so no suite silently needs one it does not name.

A suite whose oracle lives in a test module instead (:data:`ELSEWHERE`: header mode, whose
oracle needs Kaspa's proof of work) is named with that module, and only its capabilities are
checked here.

``dagspec vectors check`` runs the audit after comparing the files with the generator; the
test suite runs it too, and mutates expectations to show each oracle catches a wrong one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Final

from conformance.audit.capabilities import audit_capabilities
from conformance.audit.common import Finding, Tally
from conformance.audit.raw import RequestSchemas, audit_raw
from conformance.audit.relay import audit_relay
from conformance.audit.scripts import audit_script

__all__ = ["ELSEWHERE", "ORACLES", "Finding", "Tally", "audit_documents", "audit_file"]

Oracle = Callable[[str, Mapping[str, Any], RequestSchemas], Tally]
"""Audits one file: ``(path, document, request schemas) -> tally``."""


def _script(path: str, document: Mapping[str, Any], schemas: RequestSchemas) -> Tally:
    return audit_script(path, document)


def _relay(path: str, document: Mapping[str, Any], schemas: RequestSchemas) -> Tally:
    return audit_relay(path, document)


ORACLES: Final[Mapping[str, Oracle]] = {
    "protocol": audit_raw,
    "work": _script,
    "bits": _script,
    "reachability": _script,
    "ghostdag": _script,
    "kaspa": _script,
    "orders": _script,
    "validation": _script,
    "virtual": _script,
    "relay": _relay,
}
"""The oracle of each suite; a suite without one has every expectation reported unchecked."""

ELSEWHERE: Final[Mapping[str, str]] = {
    "headers": "tests/test_header_vectors.py",
    "pruning": "tests/test_header_vectors.py",
}
"""Suites whose independent oracle is a test module rather than part of this package (header
mode needs Kaspa's proof of work, checked on Kaspa's own vectors): ``vectors check`` leaves
their expectations to that module, which the test suite runs, and still checks their declared
capabilities."""


def _unchecked(path: str, document: Mapping[str, Any], schemas: RequestSchemas) -> Tally:
    tally = Tally()
    problem = f"no independent oracle for suite {document.get('suite')!r}"
    for case in document["cases"]:
        tally.checked += len(case["steps"])
        tally.findings.append(Finding(path, case["name"], -1, problem))
    return tally


def audit_file(path: str, document: Mapping[str, Any], schemas: RequestSchemas) -> Tally:
    """Every expectation of one vector file, and its declared capabilities (only the
    capabilities for a suite checked :data:`ELSEWHERE`)."""
    suite = str(document.get("suite"))
    tally = (
        Tally() if suite in ELSEWHERE else ORACLES.get(suite, _unchecked)(path, document, schemas)
    )
    tally.findings += audit_capabilities(path, document)
    return tally


def audit_documents(
    documents: Iterable[tuple[str, Mapping[str, Any]]], schemas_folder: Path
) -> Tally:
    """The audit of every ``(path, document)`` of a vectors folder."""
    schemas = RequestSchemas(schemas_folder)
    total = Tally()
    for path, document in documents:
        total.add(audit_file(path, document, schemas))
    return total
