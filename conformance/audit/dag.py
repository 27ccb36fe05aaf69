"""A DAG-mode node written from the definitions, over past sets held as bitsets.

Block ``i`` (in acceptance order) is bit ``i``. Each block keeps its reflexive past and its
reflexive selected chain as Python integers used as bitsets, and its blue past (the blue set
of its past, itself excluded). Everything else is read off those sets:

- the future of ``x`` within a set ``S``: the members ``y`` of ``S`` with ``x`` in ``past(y)``;
- the anticone of ``x`` within ``S``: ``S`` minus ``past(x)`` minus that future;
- the mergeset of a block with parents ``P`` and selected parent ``sp`` (the parent of largest
  ``(blue_work, hash)``): ``(∪ past(p)) \\ past(sp)``;
- GHOSTDAG: the blue set starts as ``bluepast(sp) ∪ {sp}``; each mergeset block, in ascending
  ``(blue_work, hash)``, turns blue iff fewer than ``K + 1`` mergeset blues exist, at most ``K``
  blues lie in its anticone and each of those has fewer than ``K`` blues in its own anticone;
  blue score and blue work count and sum the blue set; the anticone-size record holds ``sp``,
  the mergeset blues and every blue in a mergeset blue's anticone, each with its blue anticone
  size;
- the rules of ``spec/validation.md`` in their order, the tips, the sink and the virtual's
  greedy parent choice of ``spec/virtual.md``.

This shares no code with ``reference/``; hashes stay wire strings (lowercase hex compares as
the bytes do). It holds every past set whole (quadratic memory), which Kaspa's 4,091-block
stress DAGs still afford as bitsets.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from conformance.audit.common import hex_int


def bits_of(mask: int) -> Iterator[int]:
    """The members of a bitset, ascending."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


@dataclass(frozen=True, slots=True)
class Colouring:
    """The GHOSTDAG data of one (possibly hypothetical) block."""

    selected_parent: int | None
    """Its selected parent (``None`` for genesis)."""
    blues: tuple[int, ...]
    """Mergeset blues: the selected parent, then ascending ``(blue_work, hash)``."""
    reds: tuple[int, ...]
    """Mergeset reds, ascending ``(blue_work, hash)``."""
    bluepast: int
    """The blue set of its past (itself excluded), as a bitset."""
    blue_work: int
    """Total work of that set."""
    anticone_sizes: tuple[tuple[int, int], ...]
    """``(block, blue anticone size)`` of the recorded blocks."""

    @property
    def blue_score(self) -> int:
        """Size of the blue past."""
        return self.bluepast.bit_count()


@dataclass(frozen=True, slots=True)
class Params:
    """The consensus parameters a DAG vector states."""

    k: int
    """GHOSTDAG's K."""
    max_block_parents: int
    """Most parents a header may list."""
    mergeset_size_limit: int
    """Largest mergeset, the selected parent counted."""


class DagModel:
    """One DAG, grown by :meth:`add` (after :meth:`rejection` found nothing)."""

    def __init__(self, params: Params, genesis: str, genesis_work: int) -> None:
        """A DAG holding only ``genesis`` (a wire hash) of work ``genesis_work``."""
        self.params = params
        self.hashes: list[str] = []
        self.index: dict[str, int] = {}
        self.parents: list[tuple[int, ...]] = []
        self.work: list[int] = []
        self.past: list[int] = []
        self.chain: list[int] = []
        self.data: list[Colouring] = []
        self.tips: set[int] = set()
        self._append(genesis, (), genesis_work, Colouring(None, (), (), 0, 0, ()))

    # ------------------------------------------------------------------ the sets

    def key(self, block: int) -> tuple[int, str]:
        """The ordering key ``(blue_work, hash)``."""
        return (self.data[block].blue_work, self.hashes[block])

    def _future_within(self, block: int, within: int) -> int:
        found = 0
        for other in bits_of(within & ~self.past[block]):
            if self.past[other] >> block & 1:
                found |= 1 << other
        return found

    def anticone_within(self, block: int, within: int) -> int:
        """``anticone(block) ∩ within``."""
        rest = within & ~self.past[block]
        return rest & ~self._future_within(block, rest)

    def mergeset(self, parents: Sequence[int]) -> tuple[int, int]:
        """``(selected parent, mergeset without it)`` of a block with ``parents``."""
        selected = max(parents, key=self.key)
        union = 0
        for parent in parents:
            union |= self.past[parent]
        return selected, union & ~self.past[selected]

    # ------------------------------------------------------------------ GHOSTDAG

    def colour(self, parents: Sequence[int]) -> Colouring:
        """GHOSTDAG of a block whose parents are ``parents`` (known, distinct, an antichain)."""
        k = self.params.k
        selected, mergeset = self.mergeset(parents)
        blues = self.data[selected].bluepast | 1 << selected
        added = 0  # mergeset blues other than the selected parent
        chosen = [selected]
        reds: list[int] = []
        for candidate in sorted(bits_of(mergeset), key=self.key):
            # Blocks of bluepast(sp) ∪ {sp} are never in the future of a mergeset block (that
            # would put it in past(sp)); only the blues added so far can be.
            rest = blues & ~self.past[candidate]
            peers = rest & ~self._future_within(candidate, rest & added)
            if (
                len(chosen) == k + 1
                or peers.bit_count() > k
                or any(self.anticone_within(p, blues).bit_count() >= k for p in bits_of(peers))
            ):
                reds.append(candidate)
            else:
                blues |= 1 << candidate
                added |= 1 << candidate
                chosen.append(candidate)
        recorded = 1 << selected | added
        for blue in bits_of(added):
            recorded |= self.anticone_within(blue, blues)
        sizes = tuple(
            (peer, self.anticone_within(peer, blues).bit_count()) for peer in bits_of(recorded)
        )
        blue_work = self.data[selected].blue_work + sum(self.work[b] for b in chosen)
        return Colouring(selected, tuple(chosen), tuple(reds), blues, blue_work, sizes)

    # ------------------------------------------------------------------ validation

    def rejection(
        self,
        block: str,
        parents: Sequence[str],
        target: int | None,
        claims: dict[str, int],
    ) -> tuple[str | None, Colouring | None]:
        """The first rule a header breaks (``None`` when it breaks none) and, when it got
        that far, its colouring."""
        if block in self.index:
            return "DUPLICATE_BLOCK", None
        if not parents:
            return "NO_PARENTS", None
        if len(parents) > self.params.max_block_parents:
            return "TOO_MANY_PARENTS", None
        if len(set(parents)) != len(parents):
            return "DUPLICATE_PARENT", None
        if target is None:
            return "INVALID_DIFFICULTY", None
        if any(parent not in self.index for parent in parents):
            return "UNKNOWN_PARENT", None
        known = [self.index[parent] for parent in parents]
        for parent in known:
            for other in known:
                if other != parent and self.past[other] >> parent & 1:
                    return "PARENTS_NOT_ANTICHAIN", None
        _, mergeset = self.mergeset(known)
        if 1 + mergeset.bit_count() > self.params.mergeset_size_limit:
            return "MERGESET_TOO_BIG", None
        colouring = self.colour(known)
        if "blue_score" in claims and claims["blue_score"] != colouring.blue_score:
            return "BAD_BLUE_SCORE", colouring
        if "blue_work" in claims and claims["blue_work"] != colouring.blue_work:
            return "BAD_BLUE_WORK", colouring
        return None, colouring

    def add(self, block: str, parents: Sequence[str], work: int, colouring: Colouring) -> None:
        """Accept a header :meth:`rejection` passed."""
        known = tuple(self.index[parent] for parent in parents)
        self._append(block, known, work, colouring)

    def _append(self, block: str, parents: tuple[int, ...], work: int, data: Colouring) -> None:
        number = len(self.hashes)
        self.hashes.append(block)
        self.index[block] = number
        self.parents.append(parents)
        self.work.append(work)
        past = 1 << number
        for parent in parents:
            past |= self.past[parent]
        self.past.append(past)
        below = self.chain[data.selected_parent] if data.selected_parent is not None else 0
        self.chain.append(below | 1 << number)
        self.data.append(data)
        self.tips -= set(parents)
        self.tips.add(number)

    # ------------------------------------------------------------------ queries

    def virtual_parents(self) -> list[int]:
        """The sink, then the other tips in descending key while the parent count and the
        mergeset limit (selected parent counted) allow; a tip over the limit is skipped."""
        ranked = sorted(self.tips, key=self.key, reverse=True)
        sink = ranked[0]
        chosen = [sink]
        merged = 0
        for tip in ranked[1:]:
            if len(chosen) == self.params.max_block_parents:
                break
            grown = (merged | self.past[tip]) & ~self.past[sink]
            if 1 + grown.bit_count() > self.params.mergeset_size_limit:
                continue
            chosen.append(tip)
            merged = grown
        return chosen

    def ghostdag_json(self, block: int) -> dict[str, Any]:
        """A block's ``ghostdag`` result as the protocol writes it."""
        data = self.data[block]
        return {
            "selected_parent": None
            if data.selected_parent is None
            else self.hashes[data.selected_parent],
            "mergeset_blues": [self.hashes[b] for b in data.blues],
            "mergeset_reds": [self.hashes[r] for r in data.reds],
            "blue_score": data.blue_score,
            "blue_work": hex_int(data.blue_work),
            "blues_anticone_sizes": {self.hashes[p]: n for p, n in data.anticone_sizes},
        }

    def virtual_json(self) -> dict[str, Any]:
        """The ``virtual`` result as the protocol writes it."""
        parents = self.virtual_parents()
        data = self.colour(parents)
        return {
            "parents": [self.hashes[p] for p in parents],
            "selected_parent": self.hashes[parents[0]],
            "blue_score": data.blue_score,
            "blue_work": hex_int(data.blue_work),
            "mergeset_blues": [self.hashes[b] for b in data.blues],
            "mergeset_reds": [self.hashes[r] for r in data.reds],
        }
