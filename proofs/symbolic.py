"""Run the reference's own integer functions on symbolic integers, on every execution path.

A proof about a Z3 model written beside the code proves the model. This module lets a proof
call the reference function itself: its argument is a :class:`SymbolicInt`, an ``int`` whose
operators build Z3 integer terms instead of computing numbers, so the unchanged function
builds the term of its own result. Wherever the function branches on a symbolic condition
(``if``, ``and``, ``min``, a comparison in ``__post_init__``, ...), Python asks the condition
for its truth value and :meth:`Explorer.decide` answers. The :class:`Explorer` re-runs the
function until it has followed **every** side of every branch that is not ruled out — a side
is skipped only when Z3 proves it unsatisfiable under the path so far, or when the interval
bounds below show it impossible — and proves the claim (about the value returned or the
exception raised) under each completed path's condition. The paths cover every input the
hypotheses allow.

What each operation means, for every integer (negative ones included):

- ``+ - *``, unary ``- + abs ~`` and the comparisons are Z3's integer operations.
- ``a // b`` and ``a % b`` are Python's floor division and remainder. Z3's integer ``/`` and
  ``%`` equal them only for a positive divisor, so a symbolic divisor is first decided:
  ``b == 0`` raises ``ZeroDivisionError`` as Python does, ``b < 0`` is rewritten as
  ``(-a) / (-b)`` (and ``-((-a) % (-b))``), and only ``b > 0`` uses ``/`` and ``%`` directly.
- ``a << n`` and ``a >> n`` are ``a * 2^n`` and ``a // 2^n`` for a known ``n >= 0``
  (``ValueError`` for ``n < 0``, as Python). A symbolic ``n`` is made known by
  :meth:`Explorer.concretize`: one path per value it can take (usually one: the path pins it).
- ``a & c``, ``a | c``, ``a ^ c`` with a known ``c`` are exact formulas over the runs of
  one-bits of ``c`` (``a & (2^w - 1) * 2^l == (a // 2^l) % 2^w * 2^l``,
  ``a | c == a + c - (a & c)``, ``a ^ c == a + c - 2 (a & c)``), valid for negative ``a`` too
  (Python's infinite two's complement). With two symbolic operands the right one is made
  known as a shift count is.
- ``bit_length()`` splits the path by byte length (a binary search of decisions
  ``|a| >= 256^j``); on each path it is ``8j - 7`` plus a sum of ``If(|a| >= 2^i, 1, 0)`` over
  the byte's other seven bits: exact, and a known number of bytes, which is what
  byte-oriented code such as ``encode_bits`` goes on to branch and shift by.

Every symbolic integer also carries *bounds*, an interval of the values it can take on the
current path, computed by interval arithmetic from the bounds of the inputs (stated with
:meth:`Explorer.integer`, then narrowed by each decision of the form ``input <op> constant``).
A comparison the bounds decide is answered without a branch, and a value the bounds pin is a
plain ``int``: that is what keeps an exploration to hundreds of solver queries rather than
thousands. Bounds only over-approximate (``tests/test_proofs_symbolic.py`` checks every
operation against Python on concrete values), so they never rule out a side that exists.
While every constraint on a path bounds a single input by constants (no hypothesis beyond
input bounds, no decision but ``input <op> constant``), the solutions form a box, and a side
of such a decision is satisfiable exactly when it leaves the input a non-empty range: the
explorer reads that off the bounds instead of asking Z3.

Everything else fails closed: any other ``int`` method raises :class:`Unsupported` (a
``BaseException``, so ``except Exception`` in the code under proof cannot swallow it, and an
exploration that saw one reports an error even if it was caught), and so does mixing a
symbolic integer with a float. The ``int`` value underneath every symbolic integer is
``2^1100``: C code that reads it directly instead of calling these methods (indexing a list,
conversion to a float or a C integer) overflows, and the exploration reports an error. Two C
paths take it silently and are therefore kept out of the proved code (none of it slices or
counts by a symbolic value): slice bounds, which Python clamps, and ``range``.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, NoReturn

import z3

from proofs.bounds import (
    NEGATED,
    UNBOUNDED,
    Bounds,
    decided,
    floor_quotient,
    intersection,
    narrowed,
    negated,
    plus,
    remainder,
    times,
)
from proofs.obligation import DEFAULT_Z3_TIMEOUT_MS, Outcome, Verdict

_HIDDEN: Final = 1 << 1100
"""The ``int`` value under every :class:`SymbolicInt`: too large for a C ``long`` or a
``double``, so code that bypasses the symbolic methods raises ``OverflowError``."""

MAX_VALUES: Final = 512
"""Most values :meth:`Explorer.concretize` enumerates for one term before giving up."""

MAX_MASK_RUNS: Final = 64
"""Most runs of one-bits a known operand of ``&``, ``|``, ``^`` may have."""

BIT_LENGTH_LIMITS: Final = (64, 256, 1024, 4096)
"""Bounds ``2^K`` tried for ``|a|`` before :meth:`SymbolicInt.bit_length` searches bytes."""


class Unsupported(BaseException):
    """The code under proof did something these symbolic integers do not model exactly.

    A ``BaseException`` so that ``except Exception`` in the reference cannot swallow it: an
    exploration that meets one reports the obligation as an error, never as proved.
    """


class _Infeasible(BaseException):
    """The current path turned out unsatisfiable (after an ``unknown`` let it be explored)."""


@dataclass(frozen=True, slots=True)
class Returned:
    """A path on which the function returned."""

    value: Any
    """What it returned (symbolic integers inside are terms of the inputs)."""


@dataclass(frozen=True, slots=True)
class Raised:
    """A path on which the function raised."""

    error: Exception
    """The exception it raised."""


Ending = Returned | Raised
"""How one path of a run ended."""


@dataclass(frozen=True, slots=True)
class Narrowing:
    """What a decision ``input <relation> constant`` teaches about the input's bounds."""

    name: str
    """The input."""
    relation: str
    """One of ``< <= > >= == !=``, as the condition states it."""
    constant: int
    """The constant compared with."""

    def apply(self, bounds: Bounds, holds: bool) -> Bounds:
        """The bounds on the side where the condition ``holds`` (or not)."""
        relation = self.relation if holds else NEGATED[self.relation]
        return narrowed(bounds, relation, self.constant)


_RELATIONS: Final[dict[str, Callable[[Any, Any], Any]]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


@dataclass(slots=True)
class _Decision:
    """One branch point of the current path."""

    condition: Any
    """The Z3 condition the code branched on."""
    taken: bool
    """The side the current path follows."""
    other_open: bool
    """The other side may be satisfiable and is still to be explored."""
    other_model: Any
    """A model of the path through the other side, when the solver gave one."""
    narrowing: Narrowing | None = None
    """How the condition narrows an input's bounds, when it is ``input <op> constant``."""
    term: Any = None
    """For :meth:`Explorer.concretize`: the term made known (``condition`` is
    ``term == value``)."""
    value: int = 0
    """For :meth:`Explorer.concretize`: the value on the ``taken == True`` side."""


@dataclass
class Explorer:
    """Explores every path of a function of symbolic integers and proves a claim on each."""

    timeout_ms: int = DEFAULT_Z3_TIMEOUT_MS
    """Z3 budget per query."""
    inputs: list[Any] = field(default_factory=list)
    """The free input constants, named in a counterexample."""
    paths: int = 0
    """Paths completed by :meth:`prove`."""
    queries: int = 0
    """Solver queries made."""
    _solver: Any = None
    _initial: dict[str, Bounds] = field(default_factory=dict)
    _bounds: dict[str, Bounds] = field(default_factory=dict)
    _stack: list[_Decision] = field(default_factory=list)
    _depth: int = 0
    _levels: int = 0
    """Solver scopes opened by the current run (0 or 1)."""
    _model: Any = None
    _solver_model: Any = None
    _unsupported: str = ""
    _facts: dict[int, tuple[Any, bool]] = field(default_factory=dict)
    _assumed: bool = False
    """Hypotheses other than input bounds were added."""
    _boxed: bool = True
    """Every constraint on the current path bounds a single input by constants."""

    def __post_init__(self) -> None:
        self._solver = z3.Solver()
        self._solver.set("timeout", self.timeout_ms)

    # --- inputs ----------------------------------------------------------------------------

    def integer(self, name: str, low: int | None = None, high: int | None = None) -> SymbolicInt:
        """A fresh symbolic input ``name``, assumed to lie in ``[low, high]`` (``None``: no
        bound on that side); the bounds are hypotheses of the proof."""
        constant = z3.Int(name)
        self.inputs.append(constant)
        self._initial[name] = (low, high)
        self._bounds[name] = (low, high)
        if low is not None:
            self._solver.add(constant >= low)
        if high is not None:
            self._solver.add(constant <= high)
        return SymbolicInt(self, constant, name=name)

    def assume(self, *conditions: Any) -> None:
        """Add hypotheses (before :meth:`prove`)."""
        self._assumed = True
        self._solver.add(*(_as_bool(condition) for condition in conditions))

    def input_bounds(self, name: str) -> Bounds:
        """The bounds of input ``name`` on the current path."""
        return self._bounds[name]

    # --- exploring -------------------------------------------------------------------------

    def prove(self, run: Callable[[], Any], claim: Callable[[Ending], Any]) -> Outcome:
        """Prove ``claim(ending)`` on every path of ``run()`` allowed by the hypotheses.

        ``claim`` gets how the path ended and returns a Z3 Boolean (or a Python ``bool``)
        over the inputs; it is proved under the path's condition. The first path where it
        fails gives the counterexample. Hypotheses that nothing satisfies are an error (the
        proof would be vacuous).
        """
        started = time.perf_counter()
        first = self._query()
        if first == z3.unsat:
            return self._outcome(Verdict.ERROR, started, "the hypotheses are unsatisfiable")
        if first != z3.sat:
            return self._outcome(Verdict.UNKNOWN, started, self._solver.reason_unknown())
        self._model = self._solver_model
        while True:
            # Every run starts from the hypotheses alone and re-asserts the decisions it
            # replays, so every query sees exactly the path so far and a replayed run asks
            # the same questions as the run it replays.
            self._solver.pop(self._levels)
            self._solver.push()  # one scope per run holds the path's decisions
            self._levels = 1
            self._depth = 0
            self._bounds = dict(self._initial)
            self._facts = {}
            self._boxed = not self._assumed
            self._unsupported = ""
            ending: Ending | None
            try:
                ending = Returned(run())
            except Unsupported as reason:
                return self._outcome(Verdict.ERROR, started, self._at_input(f"{reason}"))
            except _Infeasible:
                ending = None
            except (OverflowError, IndexError) as error:
                if not _reads_hidden_value(error):
                    ending = Raised(error)
                else:
                    detail = f"{error!r}: a symbolic integer was read outside its methods"
                    return self._outcome(Verdict.ERROR, started, self._at_input(detail))
            except Exception as error:  # a raise is one way a path ends
                ending = Raised(error)
            if self._unsupported:
                detail = f"{self._unsupported} (caught by the code under proof)"
                return self._outcome(Verdict.ERROR, started, self._at_input(detail))
            if ending is not None and self._depth != len(self._stack):
                detail = "a replayed run took fewer branches: the code is not deterministic"
                return self._outcome(Verdict.ERROR, started, detail)
            if ending is not None:
                self.paths += 1
                failed = self._prove_on_path(_as_bool(claim(ending)), ending, started)
                if failed is not None:
                    return failed
            if not self._backtrack():
                return self._outcome(Verdict.PROVED, started, "")

    def _prove_on_path(self, claim: Any, ending: Ending, started: float) -> Outcome | None:
        result = self._query(z3.Not(claim))
        if result == z3.unsat:
            return None
        if result == z3.sat:
            model = self._solver_model
            detail = f"{self._describe(model)}; {_describe_ending(ending, model)}"
            return self._outcome(Verdict.COUNTEREXAMPLE, started, detail)
        return self._outcome(Verdict.UNKNOWN, started, self._solver.reason_unknown())

    def _outcome(self, verdict: Verdict, started: float, detail: str) -> Outcome:
        return Outcome(verdict, time.perf_counter() - started, detail, self.paths)

    def _backtrack(self) -> bool:
        """Move to the next unexplored side, deepest first; False when none is left."""
        while self._stack:
            decision = self._stack.pop()
            if decision.other_open:
                decision.taken = not decision.taken
                decision.other_open = False
                self._model = decision.other_model
                self._stack.append(decision)
                return True
        return False

    # --- branching -------------------------------------------------------------------------

    def decide(self, condition: Any, narrowing: Narrowing | None = None) -> bool:
        """The truth value of ``condition`` on the current path, opening a branch point when
        both values are possible."""
        simplified = z3.simplify(condition)
        if z3.is_true(simplified) or z3.is_false(simplified):
            return bool(z3.is_true(simplified))
        fact = self._facts.get(condition.get_id())
        if fact is not None and fact[0].eq(condition):  # decided earlier on this path
            return fact[1]
        replayed = self._replay()
        if replayed is not None:
            if replayed.term is not None or not replayed.condition.eq(condition):
                self.unsupported("a replayed run branched differently: not deterministic")
            return replayed.taken
        return self._branch(condition, narrowing)

    def concretize(self, value: SymbolicInt) -> int:
        """The value of ``value`` on this path; one path per value it can take.

        Within finite bounds (fewer than :data:`MAX_VALUES` values), a binary search of
        decisions; otherwise the values a model gives, one at a time (``term == v`` or not).
        """
        term = value.term
        low, high = value.bounds
        if low is not None and high is not None and high - low < MAX_VALUES:
            # A binary search of decisions: about 2 (high - low) branch points in all,
            # where enumerating values would replay O((high - low)^2) decisions.
            while low < high:
                middle = (low + high) // 2
                narrowing = Narrowing(value.name, "<=", middle) if value.name else None
                if self.decide(term <= middle, narrowing):
                    high = middle
                else:
                    low = middle + 1
            return low
        for _ in range(MAX_VALUES):
            replayed = self._replay()
            if replayed is not None:
                if replayed.term is None or not replayed.term.eq(term):
                    self.unsupported("a replayed run branched differently: not deterministic")
                if replayed.taken:
                    return replayed.value
                continue
            if self._model is None:
                self._model = self._witness()
            known: int = self._model.eval(term, model_completion=True).as_long()
            if self._branch(term == known, None, term, known):
                return known
        self.unsupported(f"{term} takes more than {MAX_VALUES} values on one path")

    def implies(self, condition: Any) -> bool:
        """Whether the path proves ``condition`` (``unknown`` counts as no)."""
        return bool(self._query(z3.Not(condition)) == z3.unsat)

    def unsupported(self, what: str) -> NoReturn:
        """Stop: the code did something not modelled exactly."""
        self._unsupported = self._unsupported or what
        raise Unsupported(what)

    def _replay(self) -> _Decision | None:
        if self._depth < len(self._stack):
            decision = self._stack[self._depth]
            self._depth += 1
            self._follow(decision)
            return decision
        return None

    def _follow(self, decision: _Decision) -> None:
        """Assert the side ``decision`` takes and narrow the bounds it teaches."""
        self._solver.add(decision.condition if decision.taken else z3.Not(decision.condition))
        self._facts[decision.condition.get_id()] = (decision.condition, decision.taken)
        narrowing = decision.narrowing
        if narrowing is None:
            self._boxed = False
        else:
            bounds = self._bounds[narrowing.name]
            self._bounds[narrowing.name] = narrowing.apply(bounds, decision.taken)

    def _branch(
        self, condition: Any, narrowing: Narrowing | None, term: Any = None, value: int = 0
    ) -> bool:
        if narrowing is not None and self._boxed:
            # Every constraint so far bounds one input by constants, so the solutions are
            # a box and a side of "input <op> constant" is satisfiable exactly when it
            # leaves the input a non-empty range: no solver query needed.
            bounds = self._bounds[narrowing.name]
            feasible = {side: _non_empty(narrowing.apply(bounds, side)) for side in (True, False)}
            if self._model is not None:
                taken = bool(z3.is_true(self._model.eval(condition, model_completion=True)))
            else:
                taken = feasible[True]
            if not feasible[taken]:
                raise _Infeasible
            other_open, other_model = feasible[not taken], None
        elif self._model is not None:
            taken = bool(z3.is_true(self._model.eval(condition, model_completion=True)))
            other = self._query(condition if not taken else z3.Not(condition))
            other_model = self._solver_model if other == z3.sat else None
            other_open = other != z3.unsat
        else:
            on_true = self._query(condition)
            true_model = self._solver_model if on_true == z3.sat else None
            on_false = self._query(z3.Not(condition))
            false_model = self._solver_model if on_false == z3.sat else None
            if on_true == z3.unsat and on_false == z3.unsat:
                raise _Infeasible
            taken = on_true != z3.unsat
            self._model = true_model if taken else false_model
            other_open = taken and on_false != z3.unsat
            other_model = false_model
        decision = _Decision(condition, taken, other_open, other_model, narrowing, term, value)
        self._follow(decision)
        self._stack.append(decision)
        self._depth += 1
        return taken

    def _witness(self) -> Any:
        if self._query() == z3.sat:
            return self._solver_model
        raise _Infeasible

    def _query(self, *extra: Any) -> Any:
        """Check the path (plus ``extra``); keeps the model in ``_solver_model`` when sat."""
        self.queries += 1
        self._solver.push()
        self._solver.add(*extra)
        result = self._solver.check()
        self._solver_model = self._solver.model() if result == z3.sat else None
        self._solver.pop()
        return result

    def _at_input(self, detail: str) -> str:
        if self._model is None:
            return detail
        return f"{detail} at {self._describe(self._model)}"

    def _describe(self, model: Any) -> str:
        return ", ".join(
            f"{constant} = {model.eval(constant, model_completion=True)}"
            for constant in self.inputs
        )


def _non_empty(bounds: Bounds) -> bool:
    low, high = bounds
    return low is None or high is None or low <= high


def _reads_hidden_value(error: Exception) -> bool:
    """Whether ``error`` is what C code raises on converting the hidden ``2^1100`` (to an
    index, a C integer or a float) instead of calling the symbolic methods."""
    text = str(error)
    return isinstance(error, OverflowError) or "into an index-sized integer" in text


def _describe_ending(ending: Ending, model: Any) -> str:
    if isinstance(ending, Raised):
        return f"raises {type(ending.error).__name__}: {ending.error}"
    return f"returns {_show(ending.value, model)}"


def _show(value: Any, model: Any) -> str:
    """``value`` with every symbolic integer replaced by its value in ``model``."""
    if isinstance(value, SymbolicInt):
        return str(model.eval(value.term, model_completion=True))
    if isinstance(value, tuple | list):
        inner = ", ".join(_show(item, model) for item in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        shown = ", ".join(
            f"{f.name}={_show(getattr(value, f.name), model)}"
            for f in dataclasses.fields(value)
            if isinstance(getattr(value, f.name), int)
        )
        return f"{type(value).__name__}({shown})"
    return repr(value)


def _as_bool(claim: Any) -> Any:
    if isinstance(claim, bool):
        return z3.BoolVal(claim)
    if isinstance(claim, SymbolicBool):
        return claim.term
    return claim


def term_of(value: int) -> Any:
    """The Z3 term of a symbolic or plain integer (for stating claims)."""
    if isinstance(value, SymbolicInt):
        return value.term
    if isinstance(value, int) and not isinstance(value, bool):
        return z3.IntVal(value)
    raise TypeError(f"not an integer: {value!r}")


# --- symbolic values --------------------------------------------------------------------------


class SymbolicBool:
    """The result of comparing symbolic integers; its truth value is a branch point."""

    __slots__ = ("explorer", "narrowing", "term")

    def __init__(self, explorer: Explorer, term: Any, narrowing: Narrowing | None) -> None:
        self.explorer = explorer
        """The exploration this value belongs to."""
        self.term = term
        """The Z3 Boolean term."""
        self.narrowing = narrowing
        """What deciding it teaches about an input's bounds."""

    def __bool__(self) -> bool:
        return self.explorer.decide(self.term, self.narrowing)

    def __hash__(self) -> int:  # noqa: PLE0309 - never returns: hashing stops the exploration
        self.explorer.unsupported("hashing a symbolic Boolean")

    def __eq__(self, other: object) -> bool:
        self.explorer.unsupported("comparing symbolic Booleans")

    def __ne__(self, other: object) -> bool:
        self.explorer.unsupported("comparing symbolic Booleans")

    def __repr__(self) -> str:
        return f"<{self.term}>"


Integer = int
"""What an operation on a :class:`SymbolicInt` returns: a plain ``int`` when the bounds pin
the value, a :class:`SymbolicInt` otherwise."""


class SymbolicInt(int):
    """An integer known only as a Z3 term over the inputs of an :class:`Explorer`."""

    explorer: Explorer
    term: Any
    name: str | None
    own_bounds: Bounds

    def __new__(
        cls, explorer: Explorer, term: Any, bounds: Bounds = UNBOUNDED, name: str | None = None
    ) -> SymbolicInt:
        """A value with Z3 term ``term``; an input when ``name`` is given."""
        self = super().__new__(cls, _HIDDEN)
        self.explorer = explorer
        self.term = term
        self.name = name
        self.own_bounds = bounds
        return self

    @property
    def bounds(self) -> Bounds:
        """The values it can take on the current path (an input's bounds narrow as the path
        grows; a computed value keeps the bounds it was computed with)."""
        if self.name is not None:
            return self.explorer.input_bounds(self.name)
        return self.own_bounds

    def _make(self, term: Any, bounds: Bounds) -> Integer:
        low, high = bounds
        if low is not None and low == high:
            return low
        return SymbolicInt(self.explorer, term, bounds)

    # What an operand means; anything but an int stops the exploration (a float would
    # otherwise be combined with the hidden value).
    def _parts(self, other: object) -> tuple[Any, Bounds]:
        if isinstance(other, SymbolicInt):
            if other.explorer is not self.explorer:
                self.explorer.unsupported("symbolic integers of two explorations mixed")
            return other.term, other.bounds
        if isinstance(other, int):
            value = int(other)
            return z3.IntVal(value), (value, value)
        self.explorer.unsupported(f"a symbolic integer combined with {type(other).__name__}")

    def _known(self, other: object) -> int:
        """``other`` as a plain int, made known on this path if it is symbolic."""
        if isinstance(other, SymbolicInt):
            self._parts(other)
            return self.explorer.concretize(other)
        if isinstance(other, int):
            return int(other)
        self.explorer.unsupported(f"a symbolic integer combined with {type(other).__name__}")

    def __repr__(self) -> str:
        return f"<{self.term}>"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __hash__(self) -> int:  # noqa: PLE0309 - never returns: hashing stops the exploration
        self.explorer.unsupported("hashing a symbolic integer")

    # --- ring operations ---

    def __add__(self, other: object) -> Integer:
        term, bounds = self._parts(other)
        return self._make(self.term + term, plus(self.bounds, bounds))

    def __radd__(self, other: object) -> Integer:
        term, bounds = self._parts(other)
        return self._make(term + self.term, plus(bounds, self.bounds))

    def __sub__(self, other: object) -> Integer:
        term, bounds = self._parts(other)
        return self._make(self.term - term, plus(self.bounds, negated(bounds)))

    def __rsub__(self, other: object) -> Integer:
        term, bounds = self._parts(other)
        return self._make(term - self.term, plus(bounds, negated(self.bounds)))

    def __mul__(self, other: object) -> Integer:
        term, bounds = self._parts(other)
        return self._make(self.term * term, times(self.bounds, bounds))

    def __rmul__(self, other: object) -> Integer:
        term, bounds = self._parts(other)
        return self._make(term * self.term, times(bounds, self.bounds))

    def __neg__(self) -> Integer:
        return self._make(-self.term, negated(self.bounds))

    def __pos__(self) -> Integer:
        return self

    def __abs__(self) -> Integer:
        low, high = self.bounds
        if low is not None and low >= 0:
            return self
        if high is not None and high <= 0:
            return -self
        magnitude = max(-low, high) if low is not None and high is not None else None
        return self._make(z3.If(self.term >= 0, self.term, -self.term), (0, magnitude))

    def __invert__(self) -> Integer:
        return self._make(-self.term - 1, plus(negated(self.bounds), (-1, -1)))

    # --- floor division ---

    def _divide(self, dividend: tuple[Any, Bounds], divisor: object, modulo: bool) -> Integer:
        """``dividend // divisor`` (or ``%``) with Python's floor semantics."""
        term, bounds = dividend
        divisor_term, divisor_bounds = self._parts(divisor)
        zero = divisor == 0 if isinstance(divisor, SymbolicInt) else divisor_bounds == (0, 0)
        if zero:
            raise ZeroDivisionError("integer division or modulo by zero")
        positive = divisor > 0 if isinstance(divisor, SymbolicInt) else divisor_bounds[0] > 0  # type: ignore[operator]
        if not positive:  # floor(a / b) == floor(-a / -b), and -b > 0
            term, bounds = -term, negated(bounds)
            divisor_term, divisor_bounds = -divisor_term, negated(divisor_bounds)
        low = divisor_bounds[0]
        divisor_bounds = (1 if low is None or low < 1 else low, divisor_bounds[1])
        if modulo:
            result_bounds = remainder(bounds, divisor_bounds)
            quotient_low, quotient_high = floor_quotient(bounds, divisor_bounds)
            if quotient_low is not None and quotient_low == quotient_high:
                # The quotient is pinned: a % d == a - q * d, linear (a when q == 0).
                result = term if quotient_low == 0 else term - quotient_low * divisor_term
            else:
                result = term % divisor_term
            if not positive:
                return self._make(-result, negated(result_bounds))
            return self._make(result, result_bounds)
        quotient = _exact_quotient(term, divisor_term)
        if quotient is None:
            quotient = term / divisor_term
        return self._make(quotient, floor_quotient(bounds, divisor_bounds))

    def __floordiv__(self, other: object) -> Integer:
        return self._divide((self.term, self.bounds), other, modulo=False)

    def __rfloordiv__(self, other: object) -> Integer:
        return self._divide(self._parts(other), self, modulo=False)

    def __mod__(self, other: object) -> Integer:
        return self._divide((self.term, self.bounds), other, modulo=True)

    def __rmod__(self, other: object) -> Integer:
        return self._divide(self._parts(other), self, modulo=True)

    def __divmod__(self, other: object) -> tuple[Integer, Integer]:
        return self // other, self % other

    def __rdivmod__(self, other: object) -> tuple[Integer, Integer]:
        return self.__rfloordiv__(other), self.__rmod__(other)

    # --- shifts ---

    def _shift_count(self, count: object) -> int:
        known = self._known(count)
        if known < 0:
            raise ValueError("negative shift count")
        return known

    def __lshift__(self, other: object) -> Integer:
        count = self._shift_count(other)
        return self if count == 0 else self * (1 << count)

    def __rlshift__(self, other: object) -> Integer:
        return self._known(other) << self._shift_count(self)

    def __rshift__(self, other: object) -> Integer:
        count = self._shift_count(other)
        return self if count == 0 else self // (1 << count)

    def __rrshift__(self, other: object) -> Integer:
        return self._known(other) >> self._shift_count(self)

    # --- bitwise operations with a known operand ---

    def _and(self, mask: int) -> Integer:
        """``self & mask``: the sum, over each run of one-bits ``[l, l + w)`` of the mask, of
        ``(self // 2^l) % 2^w * 2^l``."""
        if mask < 0:  # the complement's bits, in infinite two's complement
            return self - self._and(~mask)
        runs = _one_runs(mask)
        if len(runs) > MAX_MASK_RUNS:
            self.explorer.unsupported(f"a mask with {len(runs)} runs of one-bits")
        result: Integer = 0
        for low, width in runs:
            window = (self >> low) % (1 << width)
            result = result + (window if low == 0 else window * (1 << low))
        low_bound, high_bound = self.bounds
        if low_bound is not None and low_bound >= 0 and isinstance(result, SymbolicInt):
            # 0 <= a & m <= min(a, m) for a >= 0 (tighter than the sum of the runs).
            tighter = (0, mask if high_bound is None else min(mask, high_bound))
            return self._make(result.term, intersection(result.bounds, tighter))
        return result

    def __and__(self, other: object) -> Integer:
        return self._and(self._known(other))

    def __rand__(self, other: object) -> Integer:
        return self & other

    def __or__(self, other: object) -> Integer:
        mask = self._known(other)
        common = self._and(mask)
        if not isinstance(common, SymbolicInt):
            return self + (mask - common)
        if common.term.eq(self.term):  # every one-bit of a is in m: a | m == m
            return mask
        result = self + mask - common
        low, high = self.bounds
        if isinstance(result, SymbolicInt) and low is not None and low >= 0 and mask >= 0:
            # max(a, m) <= a | m <= a + m for a, m >= 0.
            tighter = (max(low, mask), None if high is None else high + mask)
            return self._make(result.term, intersection(result.bounds, tighter))
        return result

    def __ror__(self, other: object) -> Integer:
        return self | other

    def __xor__(self, other: object) -> Integer:
        mask = self._known(other)
        common = self._and(mask)
        if isinstance(common, SymbolicInt) and common.term.eq(self.term):
            return mask - self  # every one-bit of a is in m: a ^ m == m - a
        return self + mask - 2 * common

    def __rxor__(self, other: object) -> Integer:
        return self ^ other

    # --- comparisons ---

    def _compare(self, other: object, relation: str) -> Any:
        if isinstance(other, float):
            self.explorer.unsupported("a symbolic integer compared with a float")
        if not isinstance(other, int):
            return NotImplemented
        term, bounds = self._parts(other)
        low, high = plus(self.bounds, negated(bounds))  # of self - other
        known = decided(relation, low, high)
        if known is not None:
            return known
        narrowing = None
        if self.name is not None and not isinstance(other, SymbolicInt):
            narrowing = Narrowing(self.name, relation, int(other))
        return SymbolicBool(self.explorer, _RELATIONS[relation](self.term, term), narrowing)

    def __eq__(self, other: object) -> Any:
        return self._compare(other, "==")

    def __ne__(self, other: object) -> Any:
        return self._compare(other, "!=")

    def __lt__(self, other: object) -> Any:
        return self._compare(other, "<")

    def __le__(self, other: object) -> Any:
        return self._compare(other, "<=")

    def __gt__(self, other: object) -> Any:
        return self._compare(other, ">")

    def __ge__(self, other: object) -> Any:
        return self._compare(other, ">=")

    def __bool__(self) -> bool:
        return bool(self != 0)

    # --- integer methods with an exact meaning ---

    def bit_length(self) -> Integer:
        """Exact on each path; the path is split by the byte length of ``|self|``."""
        magnitude = abs(self)
        if not isinstance(magnitude, SymbolicInt):
            return magnitude.bit_length()
        low, high = magnitude.bounds
        if low is not None and high is not None and low.bit_length() == high.bit_length():
            return high.bit_length()
        fitting = [limit for limit in BIT_LENGTH_LIMITS if high is not None and high < 1 << limit]
        if fitting:
            limit = fitting[0]
        else:
            for limit in BIT_LENGTH_LIMITS:
                if self.explorer.implies(magnitude.term < (1 << limit)):
                    break
            else:
                self.explorer.unsupported(f"bit_length of a value of {limit} bits or more")
        first, last = 0, limit // 8  # the byte length is in [first, last]
        while first < last:
            middle = (first + last + 1) // 2
            if magnitude >= 1 << (8 * middle - 8):
                first = middle
            else:
                last = middle - 1
        if first == 0:
            return 0
        top = 8 * first
        bits = [z3.If(magnitude.term >= (1 << i), 1, 0) for i in range(top - 7, top)]
        return self._make(top - 7 + z3.Sum(bits), (top - 7, top))

    def __floor__(self) -> Integer:
        return self

    def __ceil__(self) -> Integer:
        return self

    def __trunc__(self) -> Integer:
        return self

    @property
    def real(self) -> Integer:
        """The integer itself."""
        return self

    @property
    def numerator(self) -> Integer:
        """The integer itself."""
        return self

    @property
    def imag(self) -> int:  # type: ignore[override]
        """Zero."""
        return 0

    @property
    def denominator(self) -> int:  # type: ignore[override]
        """One."""
        return 1


def _exact_quotient(term: Any, divisor: Any) -> Any:
    """``term / divisor`` without a division when ``term`` is ``x * c`` and the constant
    ``divisor`` divides ``c`` (a shift left undone by a shift right); ``None`` otherwise."""
    if not (z3.is_int_value(divisor) and z3.is_mul(term) and term.num_args() == 2):
        return None
    d = divisor.as_long()
    for factor, other in ((term.arg(1), term.arg(0)), (term.arg(0), term.arg(1))):
        if z3.is_int_value(factor) and d > 0 and factor.as_long() % d == 0:
            multiple = factor.as_long() // d
            return other if multiple == 1 else other * multiple
    return None


def _one_runs(mask: int) -> list[tuple[int, int]]:
    """``(lowest bit, width)`` of each run of one-bits of a non-negative ``mask``."""
    runs = []
    position = 0
    while mask:
        zeros = (mask & -mask).bit_length() - 1
        mask >>= zeros
        position += zeros
        width = (~mask & (mask + 1)).bit_length() - 1
        runs.append((position, width))
        mask >>= width
        position += width
    return runs


def _fail_closed(name: str) -> Callable[..., NoReturn]:
    def unsupported(self: SymbolicInt, *args: object, **kwargs: object) -> NoReturn:
        self.explorer.unsupported(f"int.{name} of a symbolic integer")

    return unsupported


_KEPT: Final = frozenset(
    {
        "__class__",
        "__new__",
        "__init__",
        "__getattribute__",
        "__setattr__",
        "__delattr__",
        "__dir__",
        "__doc__",
        "__init_subclass__",
        "__subclasshook__",
        "__sizeof__",
    }
)
# Every other int method not defined above (to_bytes, __index__, __float__, __pow__, ...)
# stops the exploration instead of running on the hidden value.
for _name in dir(int):
    if _name not in _KEPT and _name not in SymbolicInt.__dict__:
        setattr(SymbolicInt, _name, _fail_closed(_name))


def explore_all(
    runs: Sequence[tuple[Explorer, Callable[[], Any], Callable[[Ending], Any]]],
) -> Outcome:
    """Prove several explorations; the first that fails decides the outcome."""
    seconds, paths = 0.0, 0
    for explorer, run, claim in runs:
        outcome = explorer.prove(run, claim)
        seconds, paths = seconds + outcome.seconds, paths + outcome.paths
        if outcome.verdict is not Verdict.PROVED:
            return dataclasses.replace(outcome, seconds=seconds, paths=paths)
    return Outcome(Verdict.PROVED, seconds, paths=paths)
