"""Z3 proofs about the interval splits and the tree insertion themselves
(``reference/processes/reachability/interval.py`` and ``tree.py``).

Each proof calls the reference (``Interval.split_half``, ``Interval.split_exact``,
``Interval.split_exponential`` and the tree's re-laying ``_split_exponential_into``, and the
tree's ``add_tree_block``), looked up in its module when the proof runs, on
:class:`~proofs.symbolic.SymbolicInt` endpoints and sizes; :class:`~proofs.symbolic.Explorer`
follows every path (each validity check that raises ``IntervalError`` included) and proves
the claim on each. Endpoints and sizes range over all integers. Two things are bounded, and
the obligations say so: the number of sizes a split is given (a list of symbolic length is
not something Python code can iterate over), and, in ``split_exponential``, the shares of
the spare room, which the reference computes in binary64 floating point: the proof replaces
:func:`~reference.processes.reachability.interval.exponential_shares` by arbitrary integers
``>= 0`` (what it returns: rounded non-negative fractions of a non-negative spare), so it
holds whatever those shares are. Reindexing, which moves whole subtrees, is checked against
the brute-force oracle by the reachability property tests, not here.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final

import z3

from proofs.obligation import DEFAULT_Z3_TIMEOUT_MS, Obligation, Outcome
from proofs.symbolic import Ending, Explorer, Raised, Returned, explore_all, term_of
from reference.hash import HASH_SIZE, Hash
from reference.processes.reachability import interval, tree
from reference.processes.reachability.store import ReachabilityData, ReachabilityStore

MAX_EXACT_PARTS: Final = 8
"""``split_exact`` is proved for every number of sizes from 0 to this."""

MAX_EXPONENTIAL_PARTS: Final = 6
"""``split_exponential`` is proved for every number of sizes from 1 to this."""

MAX_EARLIER_CHILDREN: Final = 3
"""Insertion is proved for parents with 0 to this many children already."""


def _ms(timeout_ms: int) -> int:
    return timeout_ms or DEFAULT_Z3_TIMEOUT_MS


def _raised(ending: Ending) -> bool:
    return isinstance(ending, Raised) and isinstance(ending.error, interval.IntervalError)


def _ends(part: Any) -> tuple[Any, Any]:
    return term_of(part.start), term_of(part.end)


def _partition(whole: tuple[Any, Any], parts: Sequence[tuple[Any, Any]]) -> Any:
    """``parts`` are consecutive, start at ``whole``'s start and end at its end."""
    if not parts:
        return whole[1] == whole[0] - 1
    conditions = [parts[0][0] == whole[0], parts[-1][1] == whole[1]]
    conditions += [left[1] + 1 == right[0] for left, right in itertools.pairwise(parts)]
    return z3.And(conditions)


def prove_split_half(timeout_ms: int = 0) -> Outcome:
    """``Interval(start, end).split_half()``, for all integers: ``IntervalError`` when the
    interval would have a negative size; otherwise two valid halves that are consecutive,
    cover the interval, the left larger by at most one, both non-empty when the size is at
    least 2."""
    explorer = Explorer(_ms(timeout_ms))
    start, end = explorer.integer("start"), explorer.integer("end")

    def claim(ending: Ending) -> Any:
        size = end.term - start.term + 1
        if not isinstance(ending, Returned):
            return z3.And(size < 0, _raised(ending))
        left, right = (_ends(half) for half in ending.value)
        left_size, right_size = left[1] - left[0] + 1, right[1] - right[0] + 1
        return z3.And(
            size >= 0,
            _partition((start.term, end.term), [left, right]),
            right_size >= 0,
            left_size - right_size >= 0,
            left_size - right_size <= 1,
            z3.Implies(size >= 2, right_size >= 1),
        )

    return explorer.prove(lambda: interval.Interval(start, end).split_half(), claim)


def prove_split_exact(timeout_ms: int = 0) -> Outcome:
    """``Interval(start, end).split_exact(sizes)`` for every list of 0 to
    :data:`MAX_EXACT_PARTS` integer sizes: ``IntervalError`` unless every size is ``>= 0``
    and they add up to the interval's size (``>= 0``); otherwise parts of exactly those
    sizes, consecutive, covering the interval."""
    runs = []
    for count in range(MAX_EXACT_PARTS + 1):
        explorer = Explorer(_ms(timeout_ms))
        start, end = explorer.integer("start"), explorer.integer("end")
        sizes = [explorer.integer(f"size_{i}") for i in range(count)]

        def run(start: Any = start, end: Any = end, sizes: Any = sizes) -> Any:
            return interval.Interval(start, end).split_exact(sizes)

        def claim(ending: Ending, start: Any = start, end: Any = end, sizes: Any = sizes) -> Any:
            terms = [size.term for size in sizes]
            valid = z3.And(
                end.term >= start.term - 1,
                *(term >= 0 for term in terms),
                z3.Sum([z3.IntVal(0), *terms]) == end.term - start.term + 1,
            )
            if not isinstance(ending, Returned):
                return z3.And(z3.Not(valid), _raised(ending))
            parts = [_ends(part) for part in ending.value]
            return z3.And(
                valid,
                len(parts) == len(terms),
                _partition((start.term, end.term), parts),
                *(part[1] - part[0] + 1 == term for part, term in zip(parts, terms, strict=False)),
            )

        runs.append((explorer, run, claim))
    return explore_all(runs)


@contextmanager
def _shares_replaced(shares: Sequence[int]) -> Iterator[None]:
    """Within the block, the binary64 shares of ``split_exponential`` (in both modules that
    call them) are the given integers."""

    def symbolic_shares(sizes: Sequence[int], spare: int) -> list[int]:
        return list(shares[: len(sizes) - 1])

    modules = (interval, tree)
    saved = [getattr(module, _SHARES) for module in modules]
    for module in modules:
        setattr(module, _SHARES, symbolic_shares)
    try:
        yield
    finally:
        for module, function in zip(modules, saved, strict=True):
            setattr(module, _SHARES, function)


_SHARES: Final = "exponential_shares"


def prove_split_exponential(timeout_ms: int = 0) -> Outcome:
    """``Interval(start, end).split_exponential(sizes)`` and the tree's re-laying
    ``_split_exponential_into`` for every list of 1 to :data:`MAX_EXPONENTIAL_PARTS` integer
    sizes and any shares ``>= 0``: ``split_exponential`` raises ``IntervalError`` unless the
    sizes are ``>= 0``, add up to at least 1 and at most the interval's size; otherwise its
    parts are consecutive, cover the interval and each is at least its size, and the tree
    lays its children out exactly on those parts."""
    runs = []
    for count in range(1, MAX_EXPONENTIAL_PARTS + 1):
        explorer = Explorer(_ms(timeout_ms))
        start, end = explorer.integer("start"), explorer.integer("end")
        explorer.assume(end.term >= start.term - 1)  # an Interval; the tree passes its own
        sizes = [explorer.integer(f"size_{i}") for i in range(count)]
        shares = [explorer.integer(f"share_{i}", 0, None) for i in range(count - 1)]

        def run(
            start: Any = start, end: Any = end, sizes: Any = sizes, shares: Any = shares
        ) -> Any:
            with _shares_replaced(shares):
                try:
                    parts: Any = interval.Interval(start, end).split_exponential(sizes)
                except interval.IntervalError as error:
                    return error, None
                children = [ReachabilityData(_hash(i), 0, 0, None, 0) for i in range(len(sizes))]
                tree._split_exponential_into(children, start, end, list(sizes))
                return parts, [(child.start, child.end) for child in children]

        def claim(ending: Ending, start: Any = start, end: Any = end, sizes: Any = sizes) -> Any:
            terms = [size.term for size in sizes]
            total_size = z3.Sum(terms)
            valid = z3.And(
                *(term >= 0 for term in terms),
                total_size >= 1,
                total_size <= end.term - start.term + 1,
            )
            if not isinstance(ending, Returned):
                return False
            parts, laid = ending.value
            if isinstance(parts, Exception):
                return z3.Not(valid)
            ends = [_ends(part) for part in parts]
            return z3.And(
                valid,
                len(ends) == len(terms),
                _partition((start.term, end.term), ends),
                *(e[1] - e[0] + 1 >= term for e, term in zip(ends, terms, strict=False)),
                *(
                    z3.And(term_of(a) == e[0], term_of(b) == e[1])
                    for (a, b), e in zip(laid, ends, strict=True)
                ),
            )

        runs.append((explorer, run, claim))
    return explore_all(runs)


def prove_insertion(timeout_ms: int = 0) -> Outcome:
    """``add_tree_block`` on a parent ``[s, e]`` whose 0 to :data:`MAX_EARLIER_CHILDREN`
    children are consecutive, non-empty and lie in ``[s, e - 1]`` (any integers), when the
    room after the last child is not empty: the new block is the parent's last child, its
    interval is non-empty, starts right after the last sibling's (at ``s`` without one),
    ends at most at ``e - 1`` (strictly inside the parent, whose last integer stays free),
    leaves the right half of the room free, and no other interval changes."""
    runs = []
    for count in range(MAX_EARLIER_CHILDREN + 1):
        explorer = Explorer(_ms(timeout_ms))
        start, end = explorer.integer("parent_start"), explorer.integer("parent_end")
        slack = explorer.integer("reindex_slack", 0, None)
        ends = [explorer.integer(f"child_{i}_end") for i in range(count)]
        bounds = [start.term, *(e.term + 1 for e in ends)]  # each child's start, then room
        explorer.assume(
            *(bounds[i] <= ends[i].term for i in range(count)),  # children non-empty
            bounds[-1] <= end.term - 1,  # room left: the path without reindexing
        )

        def run(start: Any = start, end: Any = end, slack: Any = slack, ends: Any = ends) -> Any:
            store = ReachabilityStore(_hash(0), interval.Interval(start, end))
            parent = store.genesis
            child_start = start
            for number, child_end in enumerate(ends, start=1):
                store.insert(_hash(number), parent, child_start, child_end)
                child_start = child_end + 1
            before = [(c.start, c.end) for c in parent.children]
            node = tree.add_tree_block(store, _hash(99), parent, slack)
            after = [(c.start, c.end) for c in parent.children[:-1]]
            return node, parent, before, after

        def claim(ending: Ending, start: Any = start, end: Any = end, count: int = count) -> Any:
            if not isinstance(ending, Returned):
                return False
            node, parent, before, after = ending.value
            first = start.term if not before else term_of(before[-1][1]) + 1
            room = end.term - 1 - first + 1
            child_start, child_end = _ends(node)
            unchanged = [
                z3.And(term_of(a[0]).eq(term_of(b[0])), term_of(a[1]).eq(term_of(b[1])))
                for a, b in zip(before, after, strict=True)
            ]
            return z3.And(
                parent.children[-1] is node,
                node.parent is parent,
                len(parent.children) == count + 1,
                term_of(parent.start).eq(start.term),
                term_of(parent.end).eq(end.term),
                *unchanged,
                child_start <= child_end,
                child_start == first,
                child_end <= end.term - 1,
                end.term - 1 - child_end == room / 2,
            )

        runs.append((explorer, run, claim))
    return explore_all(runs)


def _hash(number: int) -> Hash:
    return Hash(number.to_bytes(HASH_SIZE, "big"))


def obligations(timeout_ms: int = 0) -> list[Obligation]:
    """The interval obligations, each with the spec section it backs and what it covers."""
    return [
        Obligation(
            "interval-split-half",
            "inv-interval-splits",
            "z3",
            lambda: prove_split_half(timeout_ms),
            "Interval.split_half, every integer start and end",
        ),
        Obligation(
            "interval-split-exact",
            "inv-interval-splits",
            "z3",
            lambda: prove_split_exact(timeout_ms),
            f"Interval.split_exact, 0 to {MAX_EXACT_PARTS} sizes, every integer",
        ),
        Obligation(
            "interval-split-exponential",
            "inv-interval-splits",
            "z3",
            lambda: prove_split_exponential(timeout_ms),
            "Interval.split_exponential, tree._split_exponential_into,"
            f" 1 to {MAX_EXPONENTIAL_PARTS} sizes, every integer; shares: any integers >= 0",
        ),
        Obligation(
            "interval-insertion",
            "inv-interval-insertion",
            "z3",
            lambda: prove_insertion(timeout_ms),
            f"tree.add_tree_block, 0 to {MAX_EARLIER_CHILDREN} earlier children, every integer;"
            " room left after them",
        ),
    ]
