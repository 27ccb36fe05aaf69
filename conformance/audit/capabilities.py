"""The capabilities a vector file uses, read off its steps, against those it declares.

A file declares the capabilities an adapter must advertise for its cases to run; the runner
skips the file otherwise. A file that uses a capability it does not declare makes adapters
without it fail instead of skip; one that declares a capability it does not use makes adapters
without it skip cases they could run. So the two must be equal. What a step uses:

- its method: ``ghostdag`` → ``ghostdag``; ``is_dag_ancestor`` / ``is_chain_ancestor`` →
  ``reachability``; ``virtual`` → ``virtual``; ``pruning_point``, ``retention`` → ``pruning``;
  ``relay_*`` → ``relay``; ``work`` with ``difficulty`` → ``work``, with ``bits`` → ``bits``;
  ``hello`` → nothing (core);
- a block's target form (``reset``'s genesis, ``add_block``): ``difficulty`` → ``difficulty``,
  ``bits`` → ``bits``;
- an ``add_block`` in DAG mode expected to be rejected → ``validation``;
- header mode (a genesis or block given as a complete ``header``) and ``block_info`` →
  ``headers``, which applies every rule itself.

Raw lines count when they parse as a request object; a line naming both target forms or
neither names no form (it is malformed for every adapter).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from conformance.audit.common import Finding

_BY_METHOD = {
    "ghostdag": "ghostdag",
    "is_dag_ancestor": "reachability",
    "is_chain_ancestor": "reachability",
    "virtual": "virtual",
    "pruning_point": "pruning",
    "retention": "pruning",
}
_DAG = frozenset({"ghostdag", "reachability", "validation", "virtual", "headers", "pruning"})


def _form(params: object) -> str | None:
    if not isinstance(params, dict):
        return None
    forms = [name for name in ("difficulty", "bits") if name in params]
    return forms[0] if len(forms) == 1 else None


def used_by(method: object, params: object, expect: Mapping[str, Any]) -> set[str]:
    """The capabilities one step uses."""
    used: set[str] = set()
    if not isinstance(method, str):
        return used
    if method in _BY_METHOD:
        used.add(_BY_METHOD[method])
    elif method.startswith("relay_"):
        used.add("relay")
    elif method == "work":
        form = _form(params)
        if form is not None:
            used.add("work" if form == "difficulty" else "bits")
    elif method == "block_info":
        used.add("headers")
    elif method in ("reset", "add_block") and isinstance(params, dict):
        block = params.get("genesis") if method == "reset" else params
        if isinstance(block, dict) and "header" in block:
            # Header mode: the headers capability applies every rule, rejections included.
            used.add("headers")
            return used
        form = _form(block)
        if form is not None:
            used.add(form)
        result = expect.get("result")
        if isinstance(result, dict) and result.get("status") == "rejected":
            used.add("validation")
    return used


def _steps(document: Mapping[str, Any]) -> Iterable[tuple[object, object, Mapping[str, Any]]]:
    for case in document["cases"]:
        for step in case["steps"]:
            if document["kind"] == "script":
                yield step["method"], step["params"], step["expect"]
                continue
            try:
                message = json.loads(step["send"] * step.get("repeat", 1))
            except (ValueError, RecursionError):
                continue
            if isinstance(message, dict):
                yield message.get("method"), message.get("params"), step["expect"]


def audit_capabilities(path: str, document: Mapping[str, Any]) -> list[Finding]:
    """Findings when the capabilities ``document`` uses differ from those it declares."""
    used: set[str] = set()
    methods: set[str] = set()
    for method, params, expect in _steps(document):
        used |= used_by(method, params, expect)
        if isinstance(method, str):
            methods.add(method)
    # A file of DAG steps only (reset and add_block, none rejected) still needs a DAG
    # capability; any of them serves.
    if methods & {"reset", "add_block"} and not used & _DAG:
        used |= set(document["capabilities"]) & _DAG or {"a DAG capability"}
    declared = set(document["capabilities"])
    findings = []
    if used - declared:
        findings.append(Finding(path, "*", -1, f"uses undeclared {sorted(used - declared)}"))
    if declared - used:
        findings.append(Finding(path, "*", -1, f"declares unused {sorted(declared - used)}"))
    return findings
