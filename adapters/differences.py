"""Known differences between Kaspa's implementations and this specification.

A step of a conformance case whose reply differs from the vector's expectation is explained by
exactly one :class:`Difference`: a documented deviation of the specification (its row id in
``spec/deviations.md``) or a gap of the adapter. A step no difference explains is an
*unexplained disagreement*, a finding to investigate. Each difference names the
implementations it applies to and a predicate over the step; the predicates look only at the
request and the two replies, never at the reference.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from conformance.protocol import JsonObject, JsonValue

RUSTY_KASPA: Final = "rusty-kaspa"
"""rusty-kaspa's published crates (Rust)."""

KASPAD: Final = "kaspad"
"""kaspad's Go module."""

Kind = Literal["deviation", "adapter gap"]
"""A documented deviation of the specification, or something the adapter cannot express."""


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One step whose reply differs from the vector's expectation."""

    step: int
    """The step's index in its case (0 first)."""
    method: str
    """The request's method."""
    params: JsonObject
    """The request's params."""
    expected: JsonObject
    """The step's expectation: ``{"result": …}`` or ``{"error": CODE}``."""
    reply: JsonObject
    """The adapter's reply: ``{"result": …}`` or ``{"error": {"code", "message"}}``."""


@dataclass(frozen=True, slots=True)
class Difference:
    """A known reason for a step to differ."""

    ident: str
    """Its id: a row of ``spec/deviations.md`` (``VA-2``) or an adapter gap (``AG-1``)."""
    kind: Kind
    """Deviation of the specification, or gap of the adapter."""
    implementations: frozenset[str]
    """The implementations it applies to."""
    summary: str
    """One line for the report."""
    explains: Callable[[Mismatch], bool]
    """Whether it explains a mismatching step."""


SPEC_ORDER: Final = (
    "DUPLICATE_BLOCK",
    "KNOWN_INVALID",
    "NO_PARENTS",
    "TOO_MANY_PARENTS",
    "DUPLICATE_PARENT",
    "INVALID_DIFFICULTY",
    "INVALID_PARENT",
    "UNKNOWN_PARENT",
    "PARENTS_NOT_ANTICHAIN",
    "PRUNING_VIOLATION",
    "BAD_BLUE_SCORE",
    "BAD_BLUE_WORK",
    "MERGESET_TOO_BIG",
    "VIOLATING_MERGE_DEPTH",
)
"""The specification's order of the rules a DAG-mode header can break (the rows of mode
"both" in ``spec/validation.md``, a test keeps them equal)."""

RULE_ORDER: Final[dict[str, tuple[str, ...]]] = {
    # HeaderProcessor::validate_header: parents limit, PoW against the bits, parents exist,
    # incest, GHOSTDAG, then post_pow_validation: blue score, blue work, merge set size.
    RUSTY_KASPA: (
        "DUPLICATE_BLOCK",
        "NO_PARENTS",
        "TOO_MANY_PARENTS",
        "INVALID_DIFFICULTY",
        "UNKNOWN_PARENT",
        "PARENTS_NOT_ANTICHAIN",
        "BAD_BLUE_SCORE",
        "BAD_BLUE_WORK",
        "MERGESET_TOO_BIG",
    ),
    # ValidateHeaderInIsolation (parents limit), then parents exist, incest, checkProofOfWork,
    # GHOSTDAG; ValidateHeaderInContext: merge set size, blue work, blue score.
    KASPAD: (
        "DUPLICATE_BLOCK",
        "NO_PARENTS",
        "TOO_MANY_PARENTS",
        "UNKNOWN_PARENT",
        "PARENTS_NOT_ANTICHAIN",
        "INVALID_DIFFICULTY",
        "MERGESET_TOO_BIG",
        "BAD_BLUE_WORK",
        "BAD_BLUE_SCORE",
    ),
}
"""The order in which each implementation checks the rules it has (the adapters follow it).
rusty-kaspa's is the specification's, so only kaspad's order explains a step (row ``VA-1``)."""


def outcome(value: JsonObject) -> str | None:
    """``"accepted"``, a rejection or error code, or ``None`` for any other result."""
    result = value.get("result")
    error = value.get("error")
    if isinstance(error, dict):
        code = error.get("code")
        return code if isinstance(code, str) else None
    if isinstance(error, str):
        return error
    if isinstance(result, dict):
        if result.get("status") == "accepted":
            return "accepted"
        code = result.get("error")
        if result.get("status") == "rejected" and isinstance(code, str):
            return code
    return None


def bits_of(params: JsonObject) -> int | None:
    """The compact bits a request carries, if any."""
    bits = params.get("bits")
    return bits if isinstance(bits, int) and not isinstance(bits, bool) else None


def compact_target(bits: int) -> int:
    """The compact encoding's value as an unbounded integer (mantissa sign bit read after the
    shift, as rusty-kaspa and the specification read it); negative when the sign bit is set."""
    exponent = bits >> 24
    mantissa = bits & 0xFFFFFF
    if exponent <= 3:
        mantissa >>= 8 * (3 - exponent)
        value = mantissa
    else:
        value = mantissa << (8 * (exponent - 3))
    return -1 if mantissa > 0x7FFFFF else value


def _parents_repeat(params: JsonObject) -> bool:
    parents = params.get("parents")
    return isinstance(parents, list) and len(parents) != len({str(p) for p in parents})


def _duplicate_parent(m: Mismatch) -> bool:
    return (
        m.method == "add_block"
        and outcome(m.expected) == "DUPLICATE_PARENT"
        and _parents_repeat(m.params)
    )


def _order(implementation: str) -> Callable[[Mismatch], bool]:
    def explains(m: Mismatch) -> bool:
        expected, found = outcome(m.expected), outcome(m.reply)
        order = RULE_ORDER[implementation]
        return (
            m.method == "add_block"
            and expected in order
            and found in order
            and expected in SPEC_ORDER
            and found in SPEC_ORDER
            and order.index(found) < order.index(expected)
            and SPEC_ORDER.index(found) > SPEC_ORDER.index(expected)
        )

    return explains


def _blue_score_label(m: Mismatch) -> bool:
    claims = m.params.get("claims")
    return (
        m.method == "add_block"
        and outcome(m.expected) == "BAD_BLUE_SCORE"
        and outcome(m.reply) == "BAD_BLUE_WORK"
        and isinstance(claims, dict)
        and "blue_score" in claims
    )


def _truncated_bits(m: Mismatch) -> bool:
    bits = bits_of(m.params)
    return (
        bits is not None
        and bits <= 0xFFFFFFFF
        and compact_target(bits) >= 1 << 256
        and outcome(m.expected) == "INVALID_DIFFICULTY"
        and outcome(m.reply) != "INVALID_DIFFICULTY"
    )


def _narrow_work(m: Mismatch) -> bool:
    bits = bits_of(m.params)
    if m.method != "work" or bits is None or bits > 0xFFFFFFFF:
        return False
    target = compact_target(bits)
    return (
        0 < target < 1 << 256
        and (1 << 256) // (target + 1) >= 1 << 192
        and outcome(m.reply) == "INTERNAL_ERROR"
    )


def _sign_before_shift(m: Mismatch) -> bool:
    bits = bits_of(m.params)
    return (
        bits is not None
        and bits >> 24 <= 3
        and bits & 0x800000 != 0
        and compact_target(bits) > 0
        and outcome(m.reply) in ("INVALID_DIFFICULTY", None)
        and outcome(m.expected) != "INVALID_DIFFICULTY"
    )


def _difficulty_form(m: Mismatch) -> bool:
    genesis = m.params.get("genesis")
    carries = "difficulty" in m.params or (isinstance(genesis, dict) and "difficulty" in genesis)
    return carries and outcome(m.reply) == "UNSUPPORTED"


BOTH: Final = frozenset({RUSTY_KASPA, KASPAD})

DIFFERENCES: Final[tuple[Difference, ...]] = (
    Difference(
        "VA-2",
        "deviation",
        BOTH,
        "a header may list a parent twice (no such rule); here DUPLICATE_PARENT",
        _duplicate_parent,
    ),
    Difference(
        "VA-3",
        "deviation",
        frozenset({KASPAD}),
        "kaspad checks blue work before blue score and reports a wrong blue score with "
        "ErrUnexpectedBlueWork",
        _blue_score_label,
    ),
    Difference(
        "VA-1",
        "deviation",
        frozenset({KASPAD}),
        "kaspad checks the rules in another order (parents before bits, merge set size first "
        "among the GHOSTDAG rules, blue work before blue score)",
        _order(KASPAD),
    ),
    Difference(
        "WK-1",
        "deviation",
        frozenset({RUSTY_KASPA}),
        "compact bits denoting 2^256 or more are truncated to 256 bits, not refused",
        _truncated_bits,
    ),
    Difference(
        "WK-2",
        "deviation",
        frozenset({RUSTY_KASPA}),
        "work of 2^192 or more does not fit rusty-kaspa's 192-bit blue work (calc_work panics)",
        _narrow_work,
    ),
    Difference(
        "WK-4",
        "deviation",
        frozenset({KASPAD}),
        "kaspad reads the mantissa's sign bit before the exponent shifts it out",
        _sign_before_shift,
    ),
    Difference(
        "AG-1",
        "adapter gap",
        BOTH,
        "Kaspa's headers carry compact bits only: the difficulty form is answered UNSUPPORTED",
        _difficulty_form,
    ),
)
"""Every known difference, in the order they are tried."""

ADAPTER_GAPS: Final[dict[str, str]] = {
    "AG-1": "Kaspa's headers carry a target only as compact bits; a TOS difficulty has no "
    "Kaspa encoding, so the adapters do not advertise `difficulty` (nor `work`, its method) "
    "and the runner skips those files.",
    "AG-2": "Kaspa relays whole blocks (register row RL-4) and publishes no compact-relay "
    "functions, so the adapters do not advertise `relay`.",
    "AG-3": "Kaspa's virtual parent choice lives in its virtual processor, which needs the "
    "whole UTXO pipeline; the adapters choose the virtual's parents by the specification's "
    "rule and compute their GHOSTDAG data with Kaspa's code, so the `virtual` suite tests "
    "Kaspa's GHOSTDAG of the virtual, not its parent choice (rows VI-1, VI-2).",
    "AG-4": "Kaspa validates headers only inside its full block processor (timestamps, "
    "DAA-correct bits, proof of work, pruning, UTXO); the adapters apply Kaspa's rules in the "
    "order of Kaspa's processors, with every answer (reachability, GHOSTDAG, targets) from "
    "Kaspa's code. A block offered again is answered `DUPLICATE_BLOCK` where Kaspa returns "
    "its stored status (row VA-6).",
    "AG-5": "Header mode (capabilities `headers` and `pruning`, protocol 3: complete Kaspa "
    "headers, Kaspa's json-test runs, pruning points) needs Kaspa's full header processor with "
    "proof of work, the DAA window, timestamps and the pruning processor; the adapters speak "
    "protocol 1 only, so the runner skips the `headers` and `pruning` suites. Not yet "
    "implemented in the adapters, not missing from Kaspa: rusty-kaspa's `test_consensus` and "
    "kaspad's `NewTestConsensus` could drive header mode.",
}
"""What each adapter gap is, for the report."""


def classify(implementation: str, mismatch: Mismatch) -> Difference | None:
    """The first known difference of ``implementation`` that explains ``mismatch``."""
    for difference in DIFFERENCES:
        if implementation in difference.implementations and difference.explains(mismatch):
            return difference
    return None


def changes_state(mismatch: Mismatch) -> bool:
    """Whether the adapter's DAG now differs from the specification's: an ``add_block`` that
    one side accepted and the other did not (a ``reset`` that failed counts too)."""
    expected, found = outcome(mismatch.expected), outcome(mismatch.reply)
    if mismatch.method == "reset":
        return True
    return mismatch.method == "add_block" and (expected == "accepted") != (found == "accepted")


def spec_rejects(mismatch: Mismatch) -> bool:
    """The specification rejects this header (so leaving it out keeps its DAG unchanged)."""
    expected = outcome(mismatch.expected)
    return mismatch.method == "add_block" and expected not in (None, "accepted")


def identifiers(differences: Sequence[Difference]) -> list[str]:
    """The distinct ids of ``differences``, first seen first."""
    seen: list[str] = []
    for difference in differences:
        if difference.ident not in seen:
            seen.append(difference.ident)
    return seen


def shown(value: JsonValue, limit: int = 120) -> str:
    """A short one-line rendering of a JSON value for the report."""
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"
