"""A proof obligation, its verdict, and how one is discharged with Z3.

An :class:`Obligation` is one invariant of the spec stated for a checker: its name, the label
of the section of ``spec/invariants.md`` that states it, the tool, and a function that runs
the check and returns an :class:`Outcome`. Z3 obligations are discharged by :func:`z3_prove`:
the hypotheses are asserted together with the *negated* claim, so ``unsat`` means the claim
holds for every assignment allowed by the hypotheses, ``sat`` yields a counterexample, and
anything else (timeout, incompleteness) is ``unknown`` and fails the run like a
counterexample would.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

import z3

DEFAULT_Z3_TIMEOUT_MS: Final = 20_000
"""Per-query Z3 budget. Every proof in the catalogue finishes in well under a second."""


class Verdict(StrEnum):
    """What a checker concluded about one obligation."""

    PROVED = "proved"
    """Z3: the negated claim is unsatisfiable. CrossHair: confirmed over all paths."""
    BOUNDED = "no counterexample"
    """CrossHair only: every path explored within the per-condition budget satisfied the
    contract, but not all paths were exhausted. A bounded check, reported as such."""
    COUNTEREXAMPLE = "COUNTEREXAMPLE"
    """The checker produced an input that violates the claim."""
    UNKNOWN = "UNKNOWN"
    """Z3 gave up (timeout or incompleteness): the claim is neither proved nor refuted."""
    ERROR = "ERROR"
    """The checker itself failed (crash, unparsable output): nothing was established."""

    @property
    def passed(self) -> bool:
        """Whether the run may succeed with this verdict."""
        return self in (Verdict.PROVED, Verdict.BOUNDED)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of checking one obligation."""

    verdict: Verdict
    """What the checker concluded."""
    seconds: float
    """Wall-clock time spent checking."""
    detail: str = ""
    """The counterexample, or why the checker gave up; empty when proved."""
    paths: int = 0
    """Z3 on the reference's code: the execution paths explored (0 for other checks)."""


@dataclass(frozen=True, slots=True)
class Obligation:
    """One invariant, stated for one checker."""

    name: str
    """Short, unique, kebab-case name, e.g. ``work-identity``; shown in the table."""
    spec_label: str
    """MyST label of the section of ``spec/invariants.md`` that states this invariant."""
    tool: str
    """``z3`` or ``crosshair``."""
    check: Callable[[], Outcome]
    """Runs the check."""
    covers: str = ""
    """What the verdict is about: the reference function(s) run and the inputs covered."""


def z3_prove(
    hypotheses: Iterable[Any], claim: Any, timeout_ms: int = DEFAULT_Z3_TIMEOUT_MS
) -> Outcome:
    """Prove ``hypotheses => claim`` for every assignment of the free Z3 constants."""
    solver = z3.Solver()
    solver.set("timeout", timeout_ms)
    solver.add(*hypotheses)
    solver.add(z3.Not(claim))
    started = time.perf_counter()
    result = solver.check()
    seconds = time.perf_counter() - started
    if result == z3.unsat:
        return Outcome(Verdict.PROVED, seconds)
    if result == z3.sat:
        return Outcome(Verdict.COUNTEREXAMPLE, seconds, _describe(solver.model()))
    return Outcome(Verdict.UNKNOWN, seconds, solver.reason_unknown())


def z3_prove_all(cases: Iterable[tuple[Iterable[Any], Any]], timeout_ms: int) -> Outcome:
    """Prove every ``(hypotheses, claim)`` case; the first failing case decides the outcome."""
    total = 0.0
    for hypotheses, claim in cases:
        outcome = z3_prove(hypotheses, claim, timeout_ms)
        total += outcome.seconds
        if outcome.verdict is not Verdict.PROVED:
            return Outcome(outcome.verdict, total, outcome.detail)
    return Outcome(Verdict.PROVED, total)


def _describe(model: Any) -> str:
    assignments = sorted((str(declaration), model[declaration]) for declaration in model.decls())
    return ", ".join(f"{name} = {value}" for name, value in assignments)


def evaluate(expression: Any) -> int:
    """The integer value of a Z3 expression without free constants (a model on concrete
    inputs); lets a test compare a model with the reference function it stands for."""
    value = z3.simplify(expression)
    if not z3.is_int_value(value):
        raise TypeError(f"{expression} does not simplify to an integer constant: {value}")
    result: int = value.as_long()
    return result


def is_true(expression: Any) -> bool:
    """The truth value of a Z3 Boolean expression without free constants."""
    value = z3.simplify(expression)
    if not (z3.is_true(value) or z3.is_false(value)):
        raise TypeError(f"{expression} does not simplify to a Boolean constant: {value}")
    return bool(z3.is_true(value))
