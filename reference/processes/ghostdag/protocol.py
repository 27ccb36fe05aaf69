"""GHOSTDAG: the selected parent and the blue/red colouring of a new block's mergeset.

Given a new block's parents, GHOSTDAG

1. selects the parent of largest :func:`~reference.ordering.sort_key` ``(blue_work, hash)``
   (:func:`select_parent`);
2. collects the mergeset without the selected parent and sorts it ascending by the same key
   (:mod:`reference.processes.ghostdag.mergeset`);
3. starts the blue set with the selected parent and, for each candidate in that order, makes it
   blue when that keeps the block's blue past a *k-cluster* — every blue block has at most
   ``K`` blues in its anticone — and red otherwise (:func:`check_blue_candidate`);
4. adds up the blue score and blue work (:func:`blue_score_of`, :func:`blue_work_of`), each
   blue contributing the work of its own target.

The colouring is incremental, exactly as Kaspa's: the blue anticone sizes a candidate would
change are read from the new block's own records first and then down its selected chain.

The data depends only on the *set* of parents (their order is irrelevant, and what is stored
below them never changes), apart from the hash it is stamped with. Blocks are mostly built
over the parents the virtual had a moment earlier, whose data the virtual's resolution has
just computed, so the context keeps the data of the last few parent sets
(:class:`RecentGhostdag`) and a block over one of them reuses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, NamedTuple

from reference import ordering
from reference.hash import Hash
from reference.processes.ghostdag.data import GhostdagData
from reference.processes.ghostdag.mergeset import ordered_mergeset_without_selected_parent
from reference.processes.reachability.api import Reachability
from reference.stores.ghostdag import GhostdagStore
from reference.stores.headers import HeaderStore
from reference.stores.relations import RelationsStore

RECENT_PARENT_SETS: Final = 16
"""How many parent sets :class:`RecentGhostdag` keeps (blocks of a 1-block/s DAG are built
over the virtual's parents of at most a few blocks earlier)."""


class RecentGhostdag:
    """The GHOSTDAG data computed for the last few parent sets, oldest first.

    A cache: :func:`ghostdag` answers from it exactly what it would compute again.
    """

    __slots__ = ("_capacity", "_data")

    def __init__(self, capacity: int = RECENT_PARENT_SETS) -> None:
        self._capacity = capacity
        """How many parent sets are kept (0: none)."""
        self._data: dict[frozenset[Hash], GhostdagData] = {}

    def get(self, parents: frozenset[Hash]) -> GhostdagData | None:
        """The data computed for ``parents``, if it is still kept."""
        return self._data.get(parents)

    def keep(self, parents: frozenset[Hash], data: GhostdagData) -> None:
        """Remember ``data`` for ``parents``, forgetting the oldest set beyond the capacity."""
        if self._capacity == 0:
            return
        if len(self._data) >= self._capacity:
            del self._data[next(iter(self._data))]
        self._data[parents] = data


@dataclass(frozen=True, slots=True)
class GhostdagContext:
    """Everything GHOSTDAG reads: the parameter K and the stores of the blocks already known."""

    k: int
    """The GHOSTDAG parameter K (>= 0): the largest blue anticone a blue block may have."""
    ghostdag_store: GhostdagStore
    """GHOSTDAG data of every known block."""
    relations: RelationsStore
    """Parents of every known block."""
    headers: HeaderStore
    """Headers and the work of each known block's own target."""
    reachability: Reachability
    """Reflexive ancestry queries over the known blocks."""
    recent: RecentGhostdag = field(default_factory=RecentGhostdag, compare=False, repr=False)
    """The data of the last parent sets computed (a cache, never a different answer)."""


class BlueVerdict(NamedTuple):
    """What :func:`check_blue_candidate` found for a candidate that may be blue."""

    anticone_size: int
    """Number of blues in the candidate's anticone within the new block's blue past."""
    peer_anticone_sizes: dict[Hash, int]
    """For each such blue peer, its blue anticone size before the candidate is added."""


class MergesetColouring:
    """The colouring of one new block's mergeset while it is being built."""

    __slots__ = ("blues", "blues_anticone_sizes", "reds", "selected_parent")

    def __init__(self, selected_parent: Hash) -> None:
        self.selected_parent = selected_parent
        """The new block's selected parent."""
        self.blues: list[Hash] = [selected_parent]
        """Blue blocks so far: the selected parent first, then candidates in colouring order."""
        self.reds: list[Hash] = []
        """Red blocks so far, in colouring order."""
        self.blues_anticone_sizes: dict[Hash, int] = {selected_parent: 0}
        """Blue anticone sizes set or changed by this block's colouring."""

    def add_blue(self, block: Hash, verdict: BlueVerdict) -> None:
        """Colour ``block`` blue: record its anticone size and grow each peer's by one."""
        self.blues.append(block)
        self.blues_anticone_sizes[block] = verdict.anticone_size
        for peer, size in verdict.peer_anticone_sizes.items():
            self.blues_anticone_sizes[peer] = size + 1

    def add_red(self, block: Hash) -> None:
        """Colour ``block`` red."""
        self.reds.append(block)


def select_parent(context: GhostdagContext, parents: Sequence[Hash]) -> Hash:
    """The parent of largest ``sort_key`` — most blue work, ties to the larger hash."""
    get = context.ghostdag_store.get
    return max(parents, key=lambda parent: ordering.sort_key(get(parent)))


def blue_anticone_size(context: GhostdagContext, block: Hash, colouring: MergesetColouring) -> int:
    """The blue anticone size of a blue ``block`` as the new block sees it.

    The new block's own records first, then each block's records down its selected chain:
    the first record found is the most recent one.
    """
    size = colouring.blues_anticone_sizes.get(block)
    if size is not None:
        return size
    current: Hash | None = colouring.selected_parent
    get = context.ghostdag_store.get
    while current is not None:
        data = get(current)
        size = data.blues_anticone_sizes.get(block)
        if size is not None:
            return size
        current = data.selected_parent
    # Only reachable when the caller passes a block outside the blue past: a reference bug.
    raise LookupError(f"{block} is not in the blue past of the new block")


def check_blue_candidate(
    context: GhostdagContext, colouring: MergesetColouring, candidate: Hash
) -> BlueVerdict | None:
    """Whether ``candidate`` can join the blue set (a :class:`BlueVerdict`) or is red (None).

    Red when the block already has ``K + 1`` mergeset blues, when ``candidate`` would have more
    than ``K`` blues in its anticone, or when a blue in its anticone already has ``K``.
    The blues in the candidate's anticone are found by walking the selected chain from the new
    block down: at each chain block below the new block, if that block is an ancestor of
    ``candidate`` every remaining blue is too, and the walk ends.
    """
    k = context.k
    if len(colouring.blues) == k + 1:
        return None
    is_dag_ancestor_of = context.reachability.is_dag_ancestor_of
    get = context.ghostdag_store.get
    peer_anticone_sizes: dict[Hash, int] = {}
    anticone_size = 0
    chain_blues: list[Hash] | tuple[Hash, ...] = colouring.blues
    chain_block: Hash | None = colouring.selected_parent
    while True:
        for peer in chain_blues:
            if is_dag_ancestor_of(peer, candidate):
                continue
            # Candidates come in topological order, so ``peer`` is in the candidate's anticone.
            peer_size = blue_anticone_size(context, peer, colouring)
            peer_anticone_sizes[peer] = peer_size
            anticone_size += 1
            if anticone_size > k:
                return None
            if peer_size >= k:
                return None
        if chain_block is None or is_dag_ancestor_of(chain_block, candidate):
            return BlueVerdict(anticone_size, peer_anticone_sizes)
        data = get(chain_block)
        chain_blues = data.mergeset_blues
        chain_block = data.selected_parent


def blue_score_of(context: GhostdagContext, colouring: MergesetColouring) -> int:
    """The selected parent's blue score plus the number of mergeset blues."""
    return context.ghostdag_store.get(colouring.selected_parent).blue_score + len(colouring.blues)


def blue_work_of(context: GhostdagContext, colouring: MergesetColouring) -> int:
    """The selected parent's blue work plus each mergeset blue's own work (reds add nothing)."""
    work = context.headers.work
    added = sum(work(blue) for blue in colouring.blues)
    return context.ghostdag_store.get(colouring.selected_parent).blue_work + added


def ghostdag(context: GhostdagContext, block: Hash, parents: Sequence[Hash]) -> GhostdagData:
    """The GHOSTDAG data of a new ``block`` with these (known, non-empty) ``parents``."""
    parent_set = frozenset(parents)
    known = context.recent.get(parent_set)
    if known is not None:
        return known.for_block(block)
    selected_parent = select_parent(context, parents)
    colouring = MergesetColouring(selected_parent)
    candidates = ordered_mergeset_without_selected_parent(
        selected_parent,
        parents,
        context.relations,
        context.reachability,
        context.ghostdag_store,
    )
    for candidate in candidates:
        verdict = check_blue_candidate(context, colouring, candidate)
        if verdict is None:
            colouring.add_red(candidate)
        else:
            colouring.add_blue(candidate, verdict)
    data = GhostdagData(
        hash=block,
        selected_parent=selected_parent,
        mergeset_blues=tuple(colouring.blues),
        mergeset_reds=tuple(colouring.reds),
        blues_anticone_sizes=MappingProxyType(colouring.blues_anticone_sizes),
        blue_score=blue_score_of(context, colouring),
        blue_work=blue_work_of(context, colouring),
    )
    context.recent.keep(parent_set, data)
    return data
