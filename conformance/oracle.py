"""Brute-force oracles: the obvious, slow definitions the fast reference is checked against.

Nothing here is clever. Each past set is stored whole, so memory is quadratic in the number of
blocks; these classes exist to be obviously right, for property tests, for the same-run
baselines of the benchmarks and for the conformance self-check.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Protocol

from reference.errors import Code, DagspecError, UnknownBlock
from reference.hash import Hash
from reference.processes.ghostdag.data import GhostdagData


class ChainLink(Protocol):
    """Anything that names a block's selected parent (``None`` for genesis)."""

    @property
    def selected_parent(self) -> Hash | None:
        """The block's selected parent."""
        ...


def selected_chain(blocks: Mapping[Hash, ChainLink], block: Hash) -> list[Hash]:
    """``block``, its selected parent, that block's selected parent, ..., genesis."""
    chain = [block]
    while (parent := blocks[chain[-1]].selected_parent) is not None:
        chain.append(parent)
    return chain


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

    def can_delete(self, block: Hash) -> bool:
        """Any block but genesis."""
        return self._chain_of(block) != frozenset((block,))

    def delete_block(self, block: Hash) -> None:
        """Forget ``block``; the sets of the blocks that stay still name it, unread."""
        self._chain_of(block)
        del self._past[block]
        del self._chain[block]

    def is_chain_ancestor_of(self, ancestor: Hash, descendant: Hash) -> bool:
        """Membership in the stored selected chain."""
        self._chain_of(ancestor)
        return ancestor in self._chain_of(descendant)

    def is_dag_ancestor_of(self, ancestor: Hash, descendant: Hash) -> bool:
        """Membership in the stored past."""
        self._chain_of(ancestor)
        return ancestor in self._chain_of(descendant) or ancestor in self._past[descendant]

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


def ghostdag_oracle(
    parents: Mapping[Hash, Sequence[Hash]], work: Mapping[Hash, int], k: int
) -> dict[Hash, GhostdagData]:
    """GHOSTDAG of every block of a DAG, straight from the definitions over whole past sets.

    ``parents`` maps every block to its parents (genesis to none); ``work`` maps every block
    to the work of its own target. No reachability service, no anticone-size cache: for each
    block ``B`` with selected parent ``SP`` (largest ``(blue_work, hash)`` among its parents),

    - mergeset without ``SP`` = ``past(B) \\ past(SP)`` (pasts reflexive, ``B`` left out);
    - blue set starts as ``bluepast(SP) ∪ {SP}``; each candidate, ascending
      ``(blue_work, hash)``, is blue iff fewer than ``K + 1`` mergeset blues exist, at most
      ``K`` blues lie in its anticone, and every such blue has fewer than ``K`` blues in its own
      anticone (all counted within the current blue set);
    - blue score = ``|bluepast(B)|``, blue work = ``Σ work`` over ``bluepast(B)``;
    - ``blues_anticone_sizes`` holds ``SP``, the mergeset blues and every blue in the anticone
      of a mergeset blue, each with its blue anticone size within ``bluepast(B)``.
    """
    past = transitive_past(parents)
    everything = frozenset(past)
    future: dict[Hash, set[Hash]] = {block: set() for block in past}
    for block, ancestors in past.items():
        for ancestor in ancestors:
            future[ancestor].add(block)
    anticone = {block: everything - past[block] - future[block] for block in past}
    result: dict[Hash, GhostdagData] = {}
    bluepast: dict[Hash, frozenset[Hash]] = {}

    def key(block: Hash) -> tuple[int, Hash]:
        # Written out here rather than imported, so the oracle stays independent.
        return (result[block].blue_work, block)

    for block in sorted(past, key=lambda b: len(past[b])):
        if not parents[block]:
            bluepast[block] = frozenset()
            result[block] = GhostdagData(block, None, (), (), MappingProxyType({}), 0, 0)
            continue
        selected = max(parents[block], key=key)
        mergeset = past[block] - {block} - past[selected]
        blues = set(bluepast[selected]) | {selected}
        mergeset_blues = [selected]
        reds: list[Hash] = []
        for candidate in sorted(mergeset, key=key):
            candidate_anticone = anticone[candidate] & blues
            if (
                len(mergeset_blues) == k + 1
                or len(candidate_anticone) > k
                or any(len(anticone[peer] & blues) >= k for peer in candidate_anticone)
            ):
                reds.append(candidate)
            else:
                blues.add(candidate)
                mergeset_blues.append(candidate)
        recorded = {selected, *mergeset_blues}
        for blue in mergeset_blues[1:]:
            recorded |= anticone[blue] & blues
        bluepast[block] = frozenset(blues)
        result[block] = GhostdagData(
            hash=block,
            selected_parent=selected,
            mergeset_blues=tuple(mergeset_blues),
            mergeset_reds=tuple(reds),
            blues_anticone_sizes=MappingProxyType(
                {peer: len(anticone[peer] & blues) for peer in recorded}
            ),
            blue_score=len(blues),
            blue_work=sum(work[blue] for blue in blues),
        )
    return result


def blue_past_oracle(
    parents: Mapping[Hash, Sequence[Hash]], data: Mapping[Hash, GhostdagData]
) -> dict[Hash, frozenset[Hash]]:
    """The blue past of every block implied by GHOSTDAG data: ``bluepast(SP) ∪ mergeset_blues``."""
    past = transitive_past(parents)
    bluepast: dict[Hash, frozenset[Hash]] = {}
    for block in sorted(past, key=lambda b: len(past[b])):
        selected = data[block].selected_parent
        below = bluepast[selected] if selected is not None else frozenset()
        bluepast[block] = below | frozenset(data[block].mergeset_blues)
    return bluepast
