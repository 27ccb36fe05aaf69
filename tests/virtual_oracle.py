"""The virtual block by brute force over whole past sets, for replaying recorded vectors.

Written from ``spec/virtual.md`` and ``spec/depth.md`` alone: no GHOSTDAG, reachability,
block-depth or virtual code of the reference is used. Every question of ancestry is a
membership test in a reflexive past set, every chain the set of a block's selected
ancestors (itself included).

- GHOSTDAG of the virtual (a block that is never stored) follows the definition of
  :func:`conformance.oracle.ghostdag_oracle`, written again for one new block over the known
  blocks' data: mergeset = past of the parents minus the selected parent's past, candidates
  coloured in ascending ``(blue_work, hash)`` against the blue past, each blue anticone counted
  within the current blue set.
- The sink search, the candidates' greedy choice and the bad reds are those of the spec,
  step by step; the depth values (merge-depth root, finality point) depend on the node's
  pruning point and stored depth data, which the caller keeps, so they come in as functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from reference.hash import Hash
from reference.processes.ghostdag.data import GhostdagData


@dataclass(frozen=True, slots=True)
class VirtualData:
    """The virtual's parents and its GHOSTDAG data over them."""

    parents: tuple[Hash, ...]
    """The parents, the sink first, then descending ``(blue_work, hash)``."""
    selected_parent: Hash
    """The parent of largest ``(blue_work, hash)``: the sink."""
    mergeset_blues: tuple[Hash, ...]
    """The selected parent, then the other blues of the mergeset, ascending key."""
    mergeset_reds: tuple[Hash, ...]
    """The reds of the mergeset, ascending key."""
    blue_score: int
    """Size of the virtual's blue past."""
    blue_work: int
    """Work summed over the virtual's blue past."""


@dataclass(frozen=True, slots=True)
class ResolvedVirtual:
    """One resolution of the virtual, with what decided it."""

    data: VirtualData
    """The virtual's parents and GHOSTDAG data."""
    merge_depth_root: Hash | None
    """The virtual's merge-depth root over its final parents (``None``: ORIGIN)."""
    heaviest_tip: Hash
    """The tip of largest key: the sink unless finality decided otherwise."""
    queue: tuple[Hash, ...]
    """What the sink search left, descending key."""
    candidates: tuple[Hash, ...]
    """The queue without the blocks below the floor."""
    chosen: tuple[Hash, ...]
    """The parents the greedy choice took, before any was dropped for a bad red."""
    rounds: int
    """Rounds of dropping parents that merge a bad red."""


class PastSets:
    """A DAG seen through whole past sets and known GHOSTDAG data."""

    def __init__(
        self,
        parents: Mapping[Hash, Sequence[Hash]],
        past: Mapping[Hash, frozenset[Hash]],
        ghostdag: Mapping[Hash, GhostdagData],
        work: Mapping[Hash, int],
        k: int,
    ) -> None:
        self.parents = parents
        self.past = past
        """Reflexive past of every block."""
        self.ghostdag = ghostdag
        self.work = work
        self.k = k
        building: dict[Hash, set[Hash]] = {block: set() for block in past}
        for block, ancestors in past.items():
            for ancestor in ancestors:
                building[ancestor].add(block)
        self.future = {block: frozenset(blocks) for block, blocks in building.items()}
        """Reflexive future of every block, within the blocks given."""
        self._blue_past: dict[Hash, frozenset[Hash]] = {}
        self._chains: dict[Hash, frozenset[Hash]] = {}
        self._blue_anticone: dict[tuple[Hash, Hash], int] = {}

    def key(self, block: Hash) -> tuple[int, bytes]:
        """``(blue_work, hash)``, the one order of the spec, written again here."""
        return (self.ghostdag[block].blue_work, bytes(block))

    def chain(self, block: Hash) -> frozenset[Hash]:
        """``block`` and its selected ancestors down to genesis."""
        if block not in self._chains:
            parent = self.ghostdag[block].selected_parent
            # Iterative: chains are as long as the DAG is high.
            walk = [block]
            while parent is not None and parent not in self._chains:
                walk.append(parent)
                parent = self.ghostdag[parent].selected_parent
            below = frozenset() if parent is None else self._chains[parent]
            for current in reversed(walk):
                below = below | {current}
                self._chains[current] = below
        return self._chains[block]

    def blue_past(self, block: Hash) -> frozenset[Hash]:
        """The blues of ``past(block)`` without ``block``: the selected parent's blue past
        and the block's mergeset blues (the selected parent among them)."""
        walk = [block]
        while walk[-1] not in self._blue_past:
            parent = self.ghostdag[walk[-1]].selected_parent
            if parent is None:
                self._blue_past[walk[-1]] = frozenset()
                break
            walk.append(parent)
        for current in reversed(walk[:-1]):
            data = self.ghostdag[current]
            assert data.selected_parent is not None
            below = self._blue_past[data.selected_parent]
            self._blue_past[current] = below | frozenset(data.mergeset_blues)
        return self._blue_past[block]

    def anticone(self, block: Hash, within: Iterable[Hash]) -> set[Hash]:
        """The blocks of ``within`` neither in the past nor in the future of ``block``."""
        return set(within) - self.past[block] - self.future[block]

    def ghostdag_over(self, parents: Sequence[Hash]) -> VirtualData:
        """GHOSTDAG of a new block (the virtual) with ``parents``, by the definitions."""
        selected = max(parents, key=self.key)
        below = self.blue_past(selected) | {selected}
        reachable = frozenset().union(*(self.past[parent] for parent in parents))
        mergeset = reachable - self.past[selected]
        blues = [selected]
        reds: list[Hash] = []
        added: list[Hash] = []  # the blues beyond ``below`` so far

        def blue_anticone_size(block: Hash) -> int:
            # Within ``below`` it depends on the selected parent only: remembered.
            remembered = (selected, block)
            if remembered not in self._blue_anticone:
                self._blue_anticone[remembered] = len(self.anticone(block, below))
            return self._blue_anticone[remembered] + len(self.anticone(block, added))

        for candidate in sorted(mergeset, key=self.key):
            peers = self.anticone(candidate, below) | self.anticone(candidate, added)
            if (
                len(blues) == self.k + 1
                or len(peers) > self.k
                or any(blue_anticone_size(peer) >= self.k for peer in peers)
            ):
                reds.append(candidate)
            else:
                blues.append(candidate)
                added.append(candidate)
        blue_past = below | frozenset(added)
        return VirtualData(
            parents=tuple(parents),
            selected_parent=selected,
            mergeset_blues=tuple(blues),
            mergeset_reds=tuple(reds),
            blue_score=len(blue_past),
            blue_work=sum(self.work[blue] for blue in blue_past),
        )

    def sink_search(self, tips: Iterable[Hash], finality: Hash) -> tuple[Hash, list[Hash]]:
        """The sink and what is left in the queue (descending key), spec/depth.md: tips
        outside ``future(finality)`` are ignored; the candidate of largest key is the sink
        when ``finality`` is on its chain, else it is replaced by its parents in
        ``future(finality)`` not in the past of a block still queued."""
        queue = [tip for tip in tips if finality in self.past[tip]]
        while queue:
            candidate = max(queue, key=self.key)
            queue.remove(candidate)
            if finality in self.chain(candidate):
                return candidate, sorted(queue, key=self.key, reverse=True)
            for parent in self.parents[candidate]:
                if finality in self.past[parent] and not any(
                    parent in self.past[queued] for queued in queue
                ):
                    queue.append(parent)
        raise AssertionError(f"no block has the finality point {finality.hex()} on its chain")

    def greedy(
        self, sink: Hash, candidates: Sequence[Hash], max_parents: int, limit: int
    ) -> list[Hash]:
        """The sink, then each candidate in the given order while fewer than ``max_parents``
        are taken and the mergeset, the selected parent counted, stays within ``limit``."""
        chosen = [sink]
        merged: frozenset[Hash] = frozenset()
        for candidate in candidates:
            if len(chosen) == max_parents:
                break
            with_it = merged | (self.past[candidate] - self.past[sink])
            if 1 + len(with_it) <= limit:
                chosen.append(candidate)
                merged = with_it
        return chosen

    def bad_reds(self, data: VirtualData | GhostdagData, root: Hash | None) -> list[Hash]:
        """The reds neither in the future of ``root`` nor in the past of a blue of the
        mergeset with ``root`` on its chain; ``None`` stands for ORIGIN, which is in the past
        of every block."""
        if root is None:
            return []
        kosher = [blue for blue in data.mergeset_blues if root in self.chain(blue)]
        return [
            red
            for red in data.mergeset_reds
            if root not in self.past[red] and not any(red in self.past[blue] for blue in kosher)
        ]


def resolve_virtual(
    dag: PastSets,
    tips: Iterable[Hash],
    finality: Hash,
    *,
    stored_root: Callable[[Hash], Hash | None],
    root_of: Callable[[VirtualData], Hash | None],
    max_parents: int,
    limit: int,
) -> ResolvedVirtual:
    """The virtual under depth bounds (spec/virtual.md, spec/depth.md).

    ``finality`` is the previous virtual's finality point; ``stored_root`` gives a block's
    stored merge-depth root and ``root_of`` the merge-depth root of the virtual over some
    parents (``None``: ORIGIN), both under the node's current pruning point.

    1. The sink search under ``finality``; the queue it leaves, without the blocks whose blue
       work is below that of the sink's merge-depth root, are the candidates.
    2. The sink, then the candidates in descending key, greedily.
    3. While the virtual merges a bad red, every parent with a bad red in its past goes.
    """
    tips = list(tips)
    sink, queue = dag.sink_search(tips, finality)
    root = stored_root(sink)
    floor = 0 if root is None else dag.ghostdag[root].blue_work
    candidates = [block for block in queue if dag.ghostdag[block].blue_work >= floor]
    chosen = dag.greedy(sink, candidates, max_parents, limit)
    parents = list(chosen)
    rounds = 0
    while True:
        data = dag.ghostdag_over(parents)
        virtual_root = root_of(data)
        bad = dag.bad_reds(data, virtual_root)
        if not bad:
            break
        rounds += 1
        parents = [p for p in parents if not any(red in dag.past[p] for red in bad)]
    return ResolvedVirtual(
        data=data,
        merge_depth_root=virtual_root,
        heaviest_tip=max(tips, key=dag.key),
        queue=tuple(queue),
        candidates=tuple(candidates),
        chosen=tuple(chosen),
        rounds=rounds,
    )
