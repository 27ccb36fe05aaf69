"""Z3 proofs of the interval arithmetic under reachability
(``reference/processes/reachability/interval.py``).

Intervals are pairs of unbounded Z3 ``Int`` (the reference's are Python integers); every claim
is linear, so each proof takes milliseconds. ``split_exact`` takes any number of sizes: it is
proved by induction on its loop, with Z3 discharging the base case, the inductive step and the
exit, which together cover every length. The insertion proof covers the path on which the
new child fits in the parent's free capacity (``add_tree_block`` in
``reference/processes/reachability/tree.py``); reindexing, which moves whole subtrees, is
checked against the brute-force oracle by the reachability property tests, not here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import z3

from proofs.obligation import DEFAULT_Z3_TIMEOUT_MS, Obligation, Outcome, z3_prove, z3_prove_all


class IntervalModel(NamedTuple):
    """Model of :class:`reference.processes.reachability.interval.Interval`."""

    start: Any
    """First integer (a Z3 integer expression)."""
    end: Any
    """Last integer; ``start - 1`` when empty."""


SplitHalfModel = Callable[[IntervalModel], tuple[IntervalModel, IntervalModel]]
"""A Z3 model of ``Interval.split_half``."""


def symbolic_interval(name: str) -> IntervalModel:
    """An interval with free endpoints ``<name>_start`` and ``<name>_end``."""
    return IntervalModel(z3.Int(f"{name}_start"), z3.Int(f"{name}_end"))


def is_valid(interval: IntervalModel) -> Any:
    """``Interval.__post_init__`` accepts it: the size is not negative."""
    return interval.end >= interval.start - 1


def size_model(interval: IntervalModel) -> Any:
    """Model of ``Interval.size``."""
    return interval.end - interval.start + 1


def is_empty_model(interval: IntervalModel) -> Any:
    """Model of ``Interval.is_empty``."""
    return interval.end < interval.start


def contains_model(outer: IntervalModel, inner: IntervalModel) -> Any:
    """Model of ``Interval.contains``."""
    return z3.And(outer.start <= inner.start, inner.end <= outer.end)


def strictly_contains_model(outer: IntervalModel, inner: IntervalModel) -> Any:
    """Model of ``Interval.strictly_contains`` (dataclass equality is field equality)."""
    differs = z3.Or(outer.start != inner.start, outer.end != inner.end)
    return z3.And(contains_model(outer, inner), differs)


def split_half_model(interval: IntervalModel) -> tuple[IntervalModel, IntervalModel]:
    """Model of ``Interval.split_half``: the left half gets the extra integer."""
    left_size = (size_model(interval) + 1) / 2
    left = IntervalModel(interval.start, interval.start + left_size - 1)
    return left, IntervalModel(interval.start + left_size, interval.end)


def split_exact_step_model(cursor: Any, size: Any) -> tuple[IntervalModel, Any]:
    """One iteration of ``Interval.split_exact``'s loop: the part of ``size`` placed at
    ``cursor``, and the next cursor."""
    return IntervalModel(cursor, cursor + size - 1), cursor + size


def remaining_after_model(parent: IntervalModel, has_children: Any, last_child_end: Any) -> Any:
    """The parent's free capacity after its last child; the parent keeps its own last integer,
    so every child is strictly inside it."""
    start = z3.If(has_children, last_child_end + 1, parent.start)
    return IntervalModel(start, parent.end - 1)


def _partitions(whole: IntervalModel, left: IntervalModel, right: IntervalModel) -> Any:
    return z3.And(
        is_valid(left),
        is_valid(right),
        left.start == whole.start,
        left.end + 1 == right.start,
        right.end == whole.end,
        contains_model(whole, left),
        contains_model(whole, right),
    )


def prove_split_half(split_half: SplitHalfModel = split_half_model, timeout_ms: int = 0) -> Outcome:
    """For every valid interval: the halves are valid, consecutive, inside it and cover it;
    the left one is the larger by at most one; both are non-empty when the size is >= 2."""
    whole = symbolic_interval("whole")
    left, right = split_half(whole)
    claim = z3.And(
        _partitions(whole, left, right),
        size_model(left) - size_model(right) >= 0,
        size_model(left) - size_model(right) <= 1,
        z3.Implies(
            size_model(whole) >= 2, z3.Not(z3.Or(is_empty_model(left), is_empty_model(right)))
        ),
    )
    return z3_prove([is_valid(whole)], claim, timeout_ms or DEFAULT_Z3_TIMEOUT_MS)


def prove_split_exact(timeout_ms: int = 0) -> Outcome:
    """``split_exact(sizes)`` with sizes >= 0 summing to the size gives, for every number of
    sizes, parts of exactly those sizes, consecutive, inside the interval, covering it, and
    non-empty wherever the size asked for is >= 1.

    Proved by induction on the loop with the invariant
    ``cursor == start + consumed and 0 <= consumed <= size(whole)`` where ``consumed`` is the
    sum of the sizes placed so far: it holds before the loop; one step with a size ``s`` that
    still fits keeps it and places ``[cursor, cursor + s - 1]`` inside the interval, right after
    the previous part (which ended at ``cursor - 1``); and when every size is placed
    (``consumed == size(whole)``) the last part ended at the interval's end.
    """
    whole = symbolic_interval("whole")
    cursor, consumed, step = z3.Ints("cursor consumed step")

    def invariant(at: Any, placed: Any) -> Any:
        return z3.And(at == whole.start + placed, placed >= 0, placed <= size_model(whole))

    part, next_cursor = split_exact_step_model(cursor, step)
    step_claim = z3.And(
        invariant(next_cursor, consumed + step),
        part.start == cursor,
        is_valid(part),
        size_model(part) == step,
        contains_model(whole, part),
        z3.Implies(step >= 1, z3.Not(is_empty_model(part))),
    )
    return z3_prove_all(
        [
            ([is_valid(whole)], invariant(whole.start, 0)),
            (
                [
                    is_valid(whole),
                    invariant(cursor, consumed),
                    step >= 0,
                    consumed + step <= size_model(whole),
                ],
                step_claim,
            ),
            (
                [is_valid(whole), invariant(cursor, consumed), consumed == size_model(whole)],
                cursor - 1 == whole.end,
            ),
        ],
        timeout_ms or DEFAULT_Z3_TIMEOUT_MS,
    )


def prove_containment_is_partial_order(timeout_ms: int = 0) -> Outcome:
    """``contains`` is reflexive, antisymmetric and transitive on valid intervals, and
    ``strictly_contains`` is irreflexive and transitive."""
    a, b, c = (symbolic_interval(name) for name in "abc")
    claim = z3.And(
        contains_model(a, a),
        z3.Implies(
            z3.And(contains_model(a, b), contains_model(b, a)),
            z3.And(a.start == b.start, a.end == b.end),
        ),
        z3.Implies(z3.And(contains_model(a, b), contains_model(b, c)), contains_model(a, c)),
        z3.Not(strictly_contains_model(a, a)),
        z3.Implies(
            z3.And(strictly_contains_model(a, b), strictly_contains_model(b, c)),
            strictly_contains_model(a, c),
        ),
    )
    return z3_prove(
        [is_valid(a), is_valid(b), is_valid(c)], claim, timeout_ms or DEFAULT_Z3_TIMEOUT_MS
    )


def prove_insertion_keeps_strict_containment(
    split_half: SplitHalfModel = split_half_model, timeout_ms: int = 0
) -> Outcome:
    """Adding a child in the parent's free capacity keeps the tree's interval invariants.

    The parent's children lie in ``[start, end - 1]`` and the last ends at ``last_child_end``.
    When the capacity after it is not empty, the new child gets its left half. Then the child
    is non-empty, strictly inside the parent and inside every ancestor that contains the
    parent (so strictly inside every chain ancestor), starts after the last sibling (disjoint
    from all siblings), leaves the parent's last integer free, and no existing interval
    changes.
    """
    parent, ancestor = symbolic_interval("parent"), symbolic_interval("ancestor")
    has_children = z3.Bool("has_children")
    last_child_end = z3.Int("last_child_end")
    remaining = remaining_after_model(parent, has_children, last_child_end)
    child, _ = split_half(remaining)
    hypotheses = [
        is_valid(parent),
        is_valid(ancestor),
        z3.Implies(
            has_children,
            z3.And(last_child_end >= parent.start, last_child_end <= parent.end - 1),
        ),
        z3.Not(is_empty_model(remaining)),
    ]
    claim = z3.And(
        is_valid(child),
        z3.Not(is_empty_model(child)),
        strictly_contains_model(parent, child),
        z3.Implies(contains_model(ancestor, parent), strictly_contains_model(ancestor, child)),
        z3.Implies(has_children, child.start > last_child_end),
        child.end <= parent.end - 1,
    )
    return z3_prove(hypotheses, claim, timeout_ms or DEFAULT_Z3_TIMEOUT_MS)


def obligations(timeout_ms: int = 0) -> list[Obligation]:
    """The interval obligations, each with the spec section it backs."""
    return [
        Obligation(
            "interval-split-half",
            "inv-interval-splits",
            "z3",
            lambda: prove_split_half(split_half_model, timeout_ms),
        ),
        Obligation(
            "interval-split-exact",
            "inv-interval-splits",
            "z3",
            lambda: prove_split_exact(timeout_ms),
        ),
        Obligation(
            "interval-containment-partial-order",
            "inv-interval-containment",
            "z3",
            lambda: prove_containment_is_partial_order(timeout_ms),
        ),
        Obligation(
            "interval-insertion-keeps-containment",
            "inv-interval-insertion",
            "z3",
            lambda: prove_insertion_keeps_strict_containment(split_half_model, timeout_ms),
        ),
    ]
