"""What every oracle of the audit shares: findings, strict JSON equality, wire decoding."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

MAX_UINT256: Final = (1 << 256) - 1
"""Largest 256-bit value."""

_HASH_RE: Final = re.compile(r"[0-9a-f]{64}")
_HEX_INT_RE: Final = re.compile(r"0x(?:0|[1-9a-f][0-9a-f]{0,127})")


class Unjudgeable(Exception):
    """A step an oracle cannot derive an answer for: itself a finding, never a pass."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One published expectation the oracles contradict or cannot check."""

    path: str
    """The vector file, relative to the vectors folder."""
    case: str
    """The case's name."""
    step: int
    """The step's index in the case (-1 for the file as a whole)."""
    problem: str
    """What is wrong."""

    def __str__(self) -> str:
        where = f"{self.path} :: {self.case}" + (f" :: step {self.step}" if self.step >= 0 else "")
        return f"{where}: {self.problem}"


@dataclass(slots=True)
class Tally:
    """Findings and the number of expectations checked."""

    findings: list[Finding] = field(default_factory=list)
    """Everything wrong or uncheckable."""
    checked: int = 0
    """Expectations confirmed or refuted by an oracle."""

    def add(self, other: Tally) -> None:
        """Fold ``other`` into this tally."""
        self.findings += other.findings
        self.checked += other.checked


def same_json(left: Any, right: Any) -> bool:
    """JSON equality with ``bool``, ``int`` and ``float`` kept apart, key order ignored."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(same_json(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(map(same_json, left, right))
    return bool(left == right)


Outcome = tuple[str, Any]
"""An oracle's answer: ``("result", value)`` or ``("error", code)``."""


def judge(expect: Mapping[str, Any], outcome: Outcome) -> str | None:
    """Why a published expectation disagrees with the oracle's outcome, or ``None``."""
    kind, value = outcome
    if "error" in expect:
        if kind != "error" or expect["error"] != value:
            return f"published error {expect['error']}, oracle {kind} {_short(value)}"
        return None
    if kind != "result":
        return f"published a result, oracle error {value}"
    if "result" in expect:
        if not same_json(expect["result"], value):
            return f"published {_short(expect['result'])}, oracle {_short(value)}"
        return None
    fields = expect.get("fields")
    if not isinstance(fields, dict) or not isinstance(value, dict):
        return f"unjudgeable expectation {_short(expect)}"
    for name, published in fields.items():
        if name not in value:
            return f"published field {name} that the oracle does not derive"
        if not same_json(published, value[name]):
            return f".{name}: published {_short(published)}, oracle {_short(value[name])}"
    return None


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 160 else text[:157] + "..."


def hash_of(value: object) -> str:
    """A wire hash, checked."""
    if not isinstance(value, str) or _HASH_RE.fullmatch(value) is None:
        raise Unjudgeable(f"not a wire hash: {_short(value)}")
    return value


def int_of(value: object) -> int:
    """A wire big integer (``"0x…"``), checked."""
    if not isinstance(value, str) or _HEX_INT_RE.fullmatch(value) is None:
        raise Unjudgeable(f"not a wire integer: {_short(value)}")
    return int(value, 16)


def count_of(value: object) -> int:
    """A JSON integer 0..2^53-1, checked."""
    if type(value) is not int or not 0 <= value < 1 << 53:
        raise Unjudgeable(f"not a count: {_short(value)}")
    return value


def hex_int(value: int) -> str:
    """A big integer on the wire."""
    return f"0x{value:x}"
