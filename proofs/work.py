"""Z3 proofs about the work and difficulty functions of ``reference/work.py`` themselves.

Each proof calls the reference function (looked up in its module when the proof runs, so a
patched function is the one proved) on :class:`~proofs.symbolic.SymbolicInt` arguments: the
function builds the Z3 term of its own result, and :class:`~proofs.symbolic.Explorer`
follows every path it can take (the range checks that raise ``InvalidDifficulty`` included)
and proves the claim on each. Terms are Z3 ``Int``, never 256-bit ``BitVec``: the reference
computes on unbounded Python integers, and the bit-vector form of the work identity times out.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Final

import z3

from proofs.obligation import DEFAULT_Z3_TIMEOUT_MS, Obligation, Outcome
from proofs.symbolic import Ending, Explorer, Raised, Returned, term_of
from reference import work
from reference.errors import InvalidDifficulty
from reference.hash import HASH_SIZE, Hash
from reference.processes.ghostdag import protocol

TWO_256: Final = 1 << 256
MAX_UINT256: Final = TWO_256 - 1

MAX_MERGESET_BLUES: Final = 249
"""Largest mergeset-blue count the blue-work proof covers: the largest mergeset size limit of
the presets (248, Kaspa 10 BPS) plus the selected parent."""


def _rejected(ending: Ending) -> bool:
    return isinstance(ending, Raised) and isinstance(ending.error, InvalidDifficulty)


def _value(ending: Ending) -> Any:
    """The Z3 term of an integer returned on this path (the path must have returned)."""
    if not isinstance(ending, Returned):
        raise TypeError("the path raised")
    return term_of(ending.value)


def _in_range(x: Any, low: int, high: int) -> Any:
    return z3.And(x >= low, x <= high)


def prove_work_identity(timeout_ms: int = 0) -> Outcome:
    """``work_from_target(t)``, for every integer ``t``: ``2^256 // (t + 1)`` when
    ``0 <= t < 2^256``, ``InvalidDifficulty`` otherwise."""
    explorer = Explorer(_ms(timeout_ms))
    t = explorer.integer("t")

    def claim(ending: Ending) -> Any:
        valid = _in_range(t.term, 0, MAX_UINT256)
        if isinstance(ending, Returned):
            return z3.And(valid, _value(ending) == TWO_256 / (t.term + 1))
        return z3.And(z3.Not(valid), _rejected(ending))

    return explorer.prove(lambda: work.work_from_target(t), claim)


def prove_work_bounds(timeout_ms: int = 0) -> Outcome:
    """``1 <= work_from_target(t) <= 2^256`` for every ``0 <= t < 2^256`` (no zero work, no
    overflow past ``2^256``, which only target 0 reaches)."""
    explorer = Explorer(_ms(timeout_ms))
    t = explorer.integer("t", 0, MAX_UINT256)

    def claim(ending: Ending) -> Any:
        return isinstance(ending, Returned) and _in_range(_value(ending), 1, TWO_256)

    return explorer.prove(lambda: work.work_from_target(t), claim)


def prove_work_non_increasing_in_target(timeout_ms: int = 0) -> Outcome:
    """A larger target (an easier block) never has more work:
    ``0 <= t <= u < 2^256 => work_from_target(t) >= work_from_target(u)``."""
    explorer = Explorer(_ms(timeout_ms))
    t = explorer.integer("t", 0, MAX_UINT256)
    u = explorer.integer("u", 0, MAX_UINT256)
    explorer.assume(t.term <= u.term)

    def claim(ending: Ending) -> Any:
        if not isinstance(ending, Returned):
            return False
        work_t, work_u = ending.value
        return term_of(work_t) >= term_of(work_u)

    return explorer.prove(lambda: (work.work_from_target(t), work.work_from_target(u)), claim)


def prove_work_non_decreasing_in_difficulty(timeout_ms: int = 0) -> Outcome:
    """A larger difficulty never has less work:
    ``1 <= d <= e < 2^256 => work_from_difficulty(d) <= work_from_difficulty(e)``."""
    explorer = Explorer(_ms(timeout_ms))
    d = explorer.integer("d", 1, MAX_UINT256)
    e = explorer.integer("e", 1, MAX_UINT256)
    explorer.assume(d.term <= e.term)

    def claim(ending: Ending) -> Any:
        if not isinstance(ending, Returned):
            return False
        work_d, work_e = ending.value
        return term_of(work_d) <= term_of(work_e)

    return explorer.prove(
        lambda: (work.work_from_difficulty(d), work.work_from_difficulty(e)), claim
    )


def prove_target_bounds(timeout_ms: int = 0) -> Outcome:
    """``target_from_difficulty(d)`` and ``work_from_difficulty(d)``, for every integer ``d``:
    when ``1 <= d < 2^256``, the target ``t`` satisfies ``1 <= t <= 2^256 - 1``, it is the
    largest integer with ``t * d <= 2^256 - 1``, and the work is at most ``d``; otherwise
    both raise ``InvalidDifficulty``."""
    explorer = Explorer(_ms(timeout_ms))
    d = explorer.integer("d")

    def run() -> tuple[int, int]:
        return work.target_from_difficulty(d), work.work_from_difficulty(d)

    def claim(ending: Ending) -> Any:
        valid = _in_range(d.term, 1, MAX_UINT256)
        if not isinstance(ending, Returned):
            return z3.And(z3.Not(valid), _rejected(ending))
        target, block_work = (term_of(x) for x in ending.value)
        return z3.And(
            valid,
            _in_range(target, 1, MAX_UINT256),
            target * d.term <= MAX_UINT256,
            (target + 1) * d.term > MAX_UINT256,
            block_work <= d.term,
        )

    return explorer.prove(run, claim)


def prove_blue_work_grows(timeout_ms: int = 0) -> Outcome:
    """GHOSTDAG's ``blue_work_of`` gives a child more blue work than its selected parent.

    ``blue_work_of`` itself runs, for every count of mergeset blues from 1 to
    :data:`MAX_MERGESET_BLUES` (a symbolic count, one path per value; the selected parent is
    the first blue, as ``MergesetColouring`` starts), on a selected parent whose blue work is
    any integer ``>= 0`` and blues whose own works are any integers in ``[1, 2^256]``: the
    range ``work-bounds`` proves for every work the headers store (each computed by
    ``work_from_target``), used here as a lemma. The context is a stand-in offering exactly
    what the function reads: ``headers.work`` and ``ghostdag_store.get(...).blue_work``.
    """
    explorer = Explorer(_ms(timeout_ms))
    count = explorer.integer("blues", 1, MAX_MERGESET_BLUES)
    parent_blue_work = explorer.integer("parent_blue_work", 0, None)
    blues = [Hash(i.to_bytes(HASH_SIZE, "big")) for i in range(1, MAX_MERGESET_BLUES + 1)]
    works = {blue: explorer.integer(f"w_{i}", 1, TWO_256) for i, blue in enumerate(blues)}
    context: Any = SimpleNamespace(
        headers=SimpleNamespace(work=works.__getitem__),
        ghostdag_store=SimpleNamespace(
            get={blues[0]: SimpleNamespace(blue_work=parent_blue_work)}.__getitem__
        ),
    )

    def run() -> int:
        colouring = protocol.MergesetColouring(blues[0])
        colouring.blues.extend(blues[1 : explorer.concretize(count)])
        return protocol.blue_work_of(context, colouring)

    def claim(ending: Ending) -> Any:
        return isinstance(ending, Returned) and _value(ending) > parent_blue_work.term

    return explorer.prove(run, claim)


def _ms(timeout_ms: int) -> int:
    return timeout_ms or DEFAULT_Z3_TIMEOUT_MS


def obligations(timeout_ms: int = 0) -> list[Obligation]:
    """The work obligations, each with the spec section it backs and what it covers."""
    return [
        Obligation(
            "work-identity",
            "inv-work-identity",
            "z3",
            lambda: prove_work_identity(timeout_ms),
            "work_from_target, every integer t",
        ),
        Obligation(
            "work-bounds",
            "inv-work-bounds",
            "z3",
            lambda: prove_work_bounds(timeout_ms),
            "work_from_target, 0 <= t < 2^256",
        ),
        Obligation(
            "work-non-increasing-in-target",
            "inv-work-monotone",
            "z3",
            lambda: prove_work_non_increasing_in_target(timeout_ms),
            "work_from_target, 0 <= t <= u < 2^256",
        ),
        Obligation(
            "work-non-decreasing-in-difficulty",
            "inv-work-monotone",
            "z3",
            lambda: prove_work_non_decreasing_in_difficulty(timeout_ms),
            "work_from_difficulty, 1 <= d <= e < 2^256",
        ),
        Obligation(
            "target-bounds",
            "inv-target-bounds",
            "z3",
            lambda: prove_target_bounds(timeout_ms),
            "target_from_difficulty, work_from_difficulty, every integer d",
        ),
        Obligation(
            "blue-work-grows",
            "inv-blue-work-grows",
            "z3",
            lambda: prove_blue_work_grows(timeout_ms),
            f"blue_work_of, 1 to {MAX_MERGESET_BLUES} blues with works in [1, 2^256],"
            " selected parent's blue work >= 0",
        ),
    ]
