"""A brute-force oracle for windows, DAA scores, non-DAA blocks, past median time and bits.

Written from the definitions (``../shared/anchors/node.md`` §2.2-2.6), not from the reference:
past sets by transitive closure, mergesets as differences of past sets, a block's DAA score as
a count over its whole past, windows as the top of every sampled block of the past (no chain
walk, no early stop, no cache), and its own compact-bits coder. It reads GHOSTDAG's selected
parents, blue scores and blue works as given (GHOSTDAG has its own oracle).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from conformance.oracle import selected_chain
from reference.hash import Hash


@dataclass(frozen=True, slots=True)
class OracleBlock:
    """What the oracle knows of one block."""

    parents: tuple[Hash, ...]
    """Direct parents (empty for genesis)."""
    selected_parent: Hash | None
    """GHOSTDAG's selected parent (None for genesis)."""
    blue_score: int
    """GHOSTDAG blue score."""
    blue_work: int
    """GHOSTDAG blue work."""
    timestamp: int
    """Header timestamp, ms."""
    bits: int
    """Header compact bits."""


@dataclass(frozen=True, slots=True)
class Params:
    """The parameters the definitions use (Kaspa's names)."""

    difficulty_window_size: int
    difficulty_sample_rate: int
    min_difficulty_window_size: int
    past_median_time_window_size: int
    past_median_time_sample_rate: int
    target_time_per_block_ms: int


def compact_to_target(bits: int) -> int:
    """node.md §2.1: exponent byte, 24-bit mantissa, sign bit tested after the shift."""
    size = bits >> 24
    word = bits & 0xFFFFFF
    if size <= 3:
        word >>= 8 * (3 - size)
        value = word
    else:
        value = word * 256 ** (size - 3)
    return 0 if word > 0x7FFFFF else value


def target_to_compact(value: int) -> int:
    """node.md §2.1: size = byte length; 3 significant bytes; avoid the sign bit."""
    raw = value.to_bytes(33, "big").lstrip(b"\0")
    size = len(raw)
    mantissa = int.from_bytes((raw + b"\0\0\0")[:3], "big")
    if mantissa >= 0x800000:
        mantissa //= 256
        size += 1
    return size * 2**24 + mantissa


class DaaOracle:
    """Answers for any block of a DAG, or for a hypothetical block over it (the virtual)."""

    def __init__(
        self,
        params: Params,
        genesis: Hash,
        genesis_daa_score: int,
        blocks: Mapping[Hash, OracleBlock],
    ) -> None:
        self.params = params
        self.genesis = genesis
        self.genesis_daa_score = genesis_daa_score
        self.blocks = blocks
        self._pasts: dict[Hash, frozenset[Hash]] = {}
        self._scores: dict[Hash, int] = {}

    # -- the DAG ---------------------------------------------------------------------------

    def past(self, block: Hash) -> frozenset[Hash]:
        """Every ancestor of a stored block (the block itself excluded)."""
        if block not in self._pasts:
            self._pasts[block] = self.past_of_parents(self.blocks[block].parents)
        return self._pasts[block]

    def past_of_parents(self, parents: Sequence[Hash]) -> frozenset[Hash]:
        """The past of a block with these parents."""
        result: set[Hash] = set()
        for parent in parents:
            result.add(parent)
            result |= self.past(parent)
        return frozenset(result)

    def key(self, block: Hash) -> tuple[int, Hash]:
        return (self.blocks[block].blue_work, block)

    def chain_below(self, block: Hash) -> list[Hash]:
        """``block``, its selected parent, its selected parent, ..., genesis."""
        return selected_chain(self.blocks, block)

    # -- DAA blocks ------------------------------------------------------------------------

    def lowest(self, blue_score: int) -> int:
        covered = self.params.difficulty_window_size * self.params.difficulty_sample_rate
        return max(blue_score - covered, 0)

    def merged_by(
        self, past: frozenset[Hash], selected_parent: Hash, blue_score: int
    ) -> list[tuple[Hash, bool]]:
        """A chain block's mergeset in merge order, each with "is a DAA block" for it."""
        mergeset = past - self.past(selected_parent)
        rest = sorted(mergeset - {selected_parent}, key=self.key, reverse=True)
        lowest = self.lowest(blue_score)
        return [
            (x, x != self.genesis and self.blocks[x].blue_score >= lowest)
            for x in [selected_parent, *rest]
        ]

    def chain_merges(
        self, parents: Sequence[Hash], selected_parent: Hash, blue_score: int
    ) -> list[tuple[Hash, list[tuple[Hash, bool]]]]:
        """For a block and each non-genesis block of its selected chain: (its selected
        parent, what it merges)."""
        result = [
            (
                selected_parent,
                self.merged_by(self.past_of_parents(parents), selected_parent, blue_score),
            )
        ]
        for chain_block in self.chain_below(selected_parent):
            parent = self.blocks[chain_block].selected_parent
            if parent is None:
                break
            info = self.blocks[chain_block]
            result.append((parent, self.merged_by(self.past(chain_block), parent, info.blue_score)))
        return result

    def daa_score_of(self, parents: Sequence[Hash], selected_parent: Hash, blue_score: int) -> int:
        """Genesis's DAA score plus every DAA block of the past (node.md §2.3 unrolled)."""
        merges = self.chain_merges(parents, selected_parent, blue_score)
        return self.genesis_daa_score + sum(is_daa for _, merged in merges for _, is_daa in merged)

    def daa_score(self, block: Hash) -> int:
        """The DAA score of a stored block."""
        if block not in self._scores:
            info = self.blocks[block]
            if info.selected_parent is None:
                self._scores[block] = self.genesis_daa_score
            else:
                self._scores[block] = self.daa_score_of(
                    info.parents, info.selected_parent, info.blue_score
                )
        return self._scores[block]

    def non_daa(
        self, parents: Sequence[Hash], selected_parent: Hash, blue_score: int
    ) -> frozenset[Hash]:
        merged = self.merged_by(self.past_of_parents(parents), selected_parent, blue_score)
        return frozenset(x for x, is_daa in merged if not is_daa)

    # -- windows ---------------------------------------------------------------------------

    def window(
        self, parents: Sequence[Hash], selected_parent: Hash, blue_score: int, size: int, rate: int
    ) -> list[Hash]:
        """The ``size`` sampled blocks of largest key in the past, descending."""
        candidates: list[Hash] = []
        for parent, merged in self.chain_merges(parents, selected_parent, blue_score):
            index = 0
            for x, is_daa in merged:
                if is_daa:
                    index += 1
                    if (self.daa_score(parent) + index) % rate == 0:
                        candidates.append(x)
        return sorted(candidates, key=self.key, reverse=True)[:size]

    def daa_window(
        self, parents: Sequence[Hash], selected_parent: Hash, blue_score: int
    ) -> list[Hash]:
        p = self.params
        return self.window(
            parents, selected_parent, blue_score, p.difficulty_window_size, p.difficulty_sample_rate
        )

    def median_time_window(
        self, parents: Sequence[Hash], selected_parent: Hash, blue_score: int
    ) -> list[Hash]:
        p = self.params
        return self.window(
            parents,
            selected_parent,
            blue_score,
            p.past_median_time_window_size,
            p.past_median_time_sample_rate,
        )

    # -- bits and past median time ---------------------------------------------------------

    def bits(self, parents: Sequence[Hash], selected_parent: Hash, blue_score: int) -> int:
        """node.md §2.4 with the warm-up of §2.5."""
        window = self.daa_window(parents, selected_parent, blue_score)
        if len(window) < self.params.min_difficulty_window_size:
            return self.blocks[selected_parent].bits
        by_time = sorted(window, key=lambda x: (self.blocks[x].timestamp, *self.key(x)))
        first, rest = by_time[0], by_time[1:]
        times = [self.blocks[x].timestamp for x in window]
        span = max(max(times) - self.blocks[first].timestamp, 1)
        average = sum(compact_to_target(self.blocks[x].bits) for x in rest) // len(rest)
        expected = (
            self.params.target_time_per_block_ms * self.params.difficulty_sample_rate * len(rest)
        )
        target = min(average * span // expected, 2**255 - 1)
        return target_to_compact(target)

    def past_median_time(
        self, parents: Sequence[Hash], selected_parent: Hash, blue_score: int
    ) -> int:
        """node.md §2.6 (sampled): rounded mean of the 11 central timestamps, upper frame."""
        window = self.median_time_window(parents, selected_parent, blue_score)
        if not window:
            return self.blocks[selected_parent].timestamp
        times = sorted(self.blocks[x].timestamp for x in window)
        frame = min(len(times), 11)
        start = (len(times) - frame + 1) // 2
        mean = Fraction(sum(times[start : start + frame]), frame)
        return math.floor(mean + Fraction(1, 2))
