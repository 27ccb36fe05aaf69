"""Brute-force oracles: the obvious, slow definitions the fast reference is checked against.

Nothing here is clever. Each past set is stored whole, so memory is quadratic in the number of
blocks; these classes exist to be obviously right, for property tests, for the same-run
baselines of the benchmarks and for the conformance self-check.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from reference.errors import Code, DagspecError, UnknownBlock
from reference.hash import Hash


class PastSetReachability:
    """Reachability by stored past sets (implements ``Reachability``)."""

    def __init__(self, genesis: Hash) -> None:
        self._past: dict[Hash, frozenset[Hash]] = {genesis: frozenset((genesis,))}
        self._chain: dict[Hash, frozenset[Hash]] = {genesis: frozenset((genesis,))}

    def has_block(self, block: Hash) -> bool:
        """True when ``block`` has been added."""
        return block in self._past

    def add_block(self, block: Hash, selected_parent: Hash, mergeset: Sequence[Hash]) -> None:
        """Record ``block`` with its full past and selected chain."""
        if block in self._past:
            raise DagspecError(Code.DUPLICATE_BLOCK, f"{block} already added")
        for known in (selected_parent, *mergeset):
            if known not in self._past:
                raise UnknownBlock(known)
        past = set(self._past[selected_parent])
        for merged in mergeset:
            past |= self._past[merged]
        past.add(block)
        self._past[block] = frozenset(past)
        self._chain[block] = self._chain[selected_parent] | {block}

    def hint_selected_tip(self, block: Hash) -> None:
        """Nothing to maintain."""

    def is_chain_ancestor_of(self, ancestor: Hash, descendant: Hash) -> bool:
        """Membership in the stored selected chain."""
        return ancestor in self._chain_of(descendant)

    def is_dag_ancestor_of(self, ancestor: Hash, descendant: Hash) -> bool:
        """Membership in the stored past."""
        try:
            return ancestor in self._past[descendant]
        except KeyError:
            raise UnknownBlock(descendant) from None

    def _chain_of(self, block: Hash) -> frozenset[Hash]:
        try:
            return self._chain[block]
        except KeyError:
            raise UnknownBlock(block) from None


def transitive_past(parents: Mapping[Hash, Iterable[Hash]]) -> dict[Hash, frozenset[Hash]]:
    """Reflexive past of every block of a DAG given as ``block -> parents`` (any order)."""
    past: dict[Hash, frozenset[Hash]] = {}

    def visit(block: Hash) -> frozenset[Hash]:
        stack = [block]
        while stack:
            top = stack[-1]
            if top in past:
                stack.pop()
                continue
            missing = [p for p in parents[top] if p not in past]
            if missing:
                stack.extend(missing)
                continue
            stack.pop()
            result = {top}
            for parent in parents[top]:
                result |= past[parent]
            past[top] = frozenset(result)
        return past[block]

    for block in parents:
        visit(block)
    return past
