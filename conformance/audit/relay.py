"""Relay vectors: a second decoder of the relay messages (to be written)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance.audit.common import Finding, Tally


def audit_relay(path: str, document: Mapping[str, Any]) -> Tally:
    """Every expectation of a relay file."""
    tally = Tally()
    for case in document["cases"]:
        for index, _ in enumerate(case["steps"]):
            tally.checked += 1
            tally.findings.append(Finding(path, case["name"], index, "no independent check"))
    return tally
