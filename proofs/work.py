"""Z3 proofs of the work and difficulty arithmetic (``reference/work.py``).

The formulas are modelled over Z3 ``Int`` with explicit ranges ``0 <= x < 2^256``, never over
256-bit ``BitVec``: multiply-then-divide by a symbolic value and the work identity time out
(20 s and more) as bit-vectors, while as bounded integers every proof here finishes in a few
hundredths of a second. The bounded-integer model is exact, not an approximation: Python
integers are unbounded, the reference computes on them, and the range hypotheses are exactly
the reference's own input checks. The 256-bit complement ``~t`` (``MAX_UINT256 ^ t`` in the
reference) is ``2^256 - 1 - t`` on that range.

Each model function mirrors one reference function; ``tests/test_proofs_models.py`` evaluates
the models on concrete values and compares them with the reference, so the proofs are about
the reference's formula and a change to either fails a test.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

import z3

from proofs.obligation import DEFAULT_Z3_TIMEOUT_MS, Obligation, Outcome, z3_prove

TWO_256: Final = 1 << 256
MAX_UINT256: Final = TWO_256 - 1

MAX_MERGESET_BLUES: Final = 249
"""Largest mergeset-blue count the blue-work proof covers: the largest mergeset size limit of
the presets (248, Kaspa 10 BPS) plus the selected parent."""

WorkModel = Callable[[Any], Any]
"""A Z3 model of ``work_from_target``: target expression -> work expression."""


def work_model(target: Any) -> Any:
    """Model of :func:`reference.work.work_from_target`: ``(~t // (t + 1)) + 1``."""
    complement = MAX_UINT256 - target
    return complement / (target + 1) + 1


def target_model(difficulty: Any) -> Any:
    """Model of :func:`reference.work.target_from_difficulty`: ``(2^256 - 1) // d``."""
    return MAX_UINT256 / difficulty


def blue_work_model(selected_parent_blue_work: Any, blue_works: Sequence[Any]) -> Any:
    """Model of GHOSTDAG's blue work: the selected parent's blue work plus the own work of
    every mergeset blue (the selected parent first among them); reds add nothing."""
    return selected_parent_blue_work + z3.Sum(list(blue_works))


def _target_range(target: Any) -> Any:
    return z3.And(target >= 0, target <= MAX_UINT256)


def _difficulty_range(difficulty: Any) -> Any:
    return z3.And(difficulty >= 1, difficulty <= MAX_UINT256)


def prove_work_identity(work: WorkModel = work_model, timeout_ms: int = 0) -> Outcome:
    """For every 256-bit target ``t``: ``(~t // (t + 1)) + 1 == 2^256 // (t + 1)``."""
    t = z3.Int("t")
    return z3_prove([_target_range(t)], work(t) == TWO_256 / (t + 1), _ms(timeout_ms))


def prove_work_bounds(work: WorkModel = work_model, timeout_ms: int = 0) -> Outcome:
    """For every 256-bit target: ``1 <= work <= 2^256`` (no zero work, no overflow past
    ``2^256``, which only target 0 reaches)."""
    t = z3.Int("t")
    return z3_prove([_target_range(t)], z3.And(work(t) >= 1, work(t) <= TWO_256), _ms(timeout_ms))


def prove_work_non_increasing_in_target(
    work: WorkModel = work_model, timeout_ms: int = 0
) -> Outcome:
    """A larger target (an easier block) never has more work: ``t <= u => work(t) >= work(u)``."""
    t, u = z3.Ints("t u")
    return z3_prove(
        [_target_range(t), _target_range(u), t <= u], work(t) >= work(u), _ms(timeout_ms)
    )


def prove_work_non_decreasing_in_difficulty(
    work: WorkModel = work_model, timeout_ms: int = 0
) -> Outcome:
    """A larger difficulty never has less work: ``d <= e => work(target(d)) <= work(target(e))``."""
    d, e = z3.Ints("d e")
    return z3_prove(
        [_difficulty_range(d), _difficulty_range(e), d <= e],
        work(target_model(d)) <= work(target_model(e)),
        _ms(timeout_ms),
    )


def prove_target_bounds(timeout_ms: int = 0) -> Outcome:
    """For every valid difficulty ``d``: ``1 <= target <= 2^256 - 1``, the target is the
    largest ``t`` with ``t * d <= 2^256 - 1``, and the work never exceeds the difficulty."""
    d = z3.Int("d")
    target = target_model(d)
    claim = z3.And(
        target >= 1,
        target <= MAX_UINT256,
        target * d <= MAX_UINT256,
        (target + 1) * d > MAX_UINT256,
        work_model(target) <= d,
    )
    return z3_prove([_difficulty_range(d)], claim, _ms(timeout_ms))


def prove_blue_work_grows(work: WorkModel = work_model, timeout_ms: int = 0) -> Outcome:
    """A child's blue work strictly exceeds its selected parent's.

    For every count ``n`` of mergeset blues (1 to :data:`MAX_MERGESET_BLUES`) and every
    selected-parent blue work ``>= 0``, the child's blue work is greater. The selected parent
    is the first mergeset blue and its work is the model's ``work(t_0)`` for a symbolic target
    ``t_0``; the other blues' works are symbolic integers in ``[1, 2^256]``, the range proved
    by ``work-bounds`` and used here as a lemma: with 248 nonlinear terms instead of one the
    query would be needlessly slow. Blues beyond ``n`` contribute nothing
    (``If(i < n, w_i, 0)``), so one query covers every count.
    """
    n = z3.Int("n")
    parent_blue_work = z3.Int("parent_blue_work")
    selected_parent_target = z3.Int("t_0")
    others = [z3.Int(f"w_{i}") for i in range(1, MAX_MERGESET_BLUES)]
    works = [work(selected_parent_target), *others]
    contributions = [z3.If(i < n, w, 0) for i, w in enumerate(works)]
    hypotheses = [n >= 1, n <= MAX_MERGESET_BLUES, parent_blue_work >= 0]
    hypotheses += [_target_range(selected_parent_target)]
    hypotheses += [z3.And(w >= 1, w <= TWO_256) for w in others]
    child = blue_work_model(parent_blue_work, contributions)
    return z3_prove(hypotheses, child > parent_blue_work, _ms(timeout_ms))


def _ms(timeout_ms: int) -> int:
    return timeout_ms or DEFAULT_Z3_TIMEOUT_MS


def obligations(timeout_ms: int = 0) -> list[Obligation]:
    """The work obligations, each with the spec section it backs."""
    return [
        Obligation(
            "work-identity",
            "inv-work-identity",
            "z3",
            lambda: prove_work_identity(work_model, timeout_ms),
        ),
        Obligation(
            "work-bounds",
            "inv-work-bounds",
            "z3",
            lambda: prove_work_bounds(work_model, timeout_ms),
        ),
        Obligation(
            "work-non-increasing-in-target",
            "inv-work-monotone",
            "z3",
            lambda: prove_work_non_increasing_in_target(work_model, timeout_ms),
        ),
        Obligation(
            "work-non-decreasing-in-difficulty",
            "inv-work-monotone",
            "z3",
            lambda: prove_work_non_decreasing_in_difficulty(work_model, timeout_ms),
        ),
        Obligation(
            "target-bounds", "inv-target-bounds", "z3", lambda: prove_target_bounds(timeout_ms)
        ),
        Obligation(
            "blue-work-grows",
            "inv-blue-work-grows",
            "z3",
            lambda: prove_blue_work_grows(work_model, timeout_ms),
        ),
    ]
