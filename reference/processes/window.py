"""Sampled block windows (Kaspa's KIP-4), DAA scores, required bits and past median times.

A block's *window* is a bounded set of blocks of its past that the difficulty adjustment and
the past median time read. Kaspa's sampled window (rusty-kaspa ``SampledWindowManager``) is
the one specified here; a sample rate of 1 is the same algorithm sampling every DAA block.

For a block ``B``, each block ``C`` of ``B``'s selected chain (``B`` itself first) *merges*
its mergeset: ``[C.selected_parent]`` followed by the rest of the mergeset in descending
``sort_key`` order. A merged block whose blue score is below
:func:`~reference.processes.difficulty.lowest_daa_blue_score` of ``C`` is *non-DAA* for ``C``;
the others are numbered 1, 2, ... and the one numbered ``i`` is *sampled* when
``C.selected_parent``'s DAA score plus ``i`` is a multiple of the sample rate. The window of
``B`` is the ``size`` sampled blocks of largest ``sort_key`` over the chain, genesis never
among them. Windows of accepted blocks are cached (:class:`~reference.stores.windows.WindowCache`)
so that a child starts from its selected parent's window: the cost of a window does not grow
with the DAG.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Final

from reference.hash import Hash
from reference.header import BlockHeader
from reference.ordering import SortKey, sort_key
from reference.presets import Preset
from reference.processes.difficulty import (
    DifficultySample,
    WindowSummary,
    daa_score,
    lowest_daa_blue_score,
    next_bits,
    summarize,
    target_of,
)
from reference.processes.ghostdag.data import GhostdagData
from reference.processes.past_median_time import past_median_time_of
from reference.stores.windows import WindowCache

DEFAULT_CACHE_CAPACITY: Final = 1024
"""Windows of this many recently used blocks are kept, per window kind."""

_FEW: Final = 16
"""Up to this many blocks are added to a cached window one by one; more, and it is rebuilt."""


@dataclass(frozen=True, slots=True)
class DaaWindow:
    """A block's DAA window and what its mergeset adds to the DAA score."""

    keys: tuple[SortKey, ...]
    """The sampled difficulty window as ``sort_key`` values, ascending (kept as computed:
    validation reads only its size and summary, so the hashes are listed only on demand)."""
    daa_score: int
    """The block's DAA score: its selected parent's plus its mergeset's DAA blocks."""
    mergeset_non_daa: frozenset[Hash]
    """The block's non-DAA mergeset blocks (the selected parent included when it is one;
    genesis when it is the selected parent)."""

    @property
    def blocks(self) -> tuple[Hash, ...]:
        """The sampled difficulty window, in descending ``sort_key`` order."""
        return tuple(key[1] for key in reversed(self.keys))


@dataclass(frozen=True, slots=True)
class BlockWindow:
    """A window as the manager computes and caches it, with what its rules read kept sorted."""

    keys: tuple[SortKey, ...]
    """The window's blocks as ``sort_key`` values, ascending."""
    by_time: tuple[tuple[int, SortKey], ...]
    """``(timestamp, sort_key)`` of each block, ascending: the earliest block first."""
    target_sum: int
    """Sum of the blocks' targets."""

    def summary(self, earliest_target: int) -> WindowSummary | None:
        """The difficulty summary, given the earliest block's target; ``None`` when empty."""
        if not self.keys:
            return None
        return WindowSummary(
            count=len(self.keys),
            earliest_timestamp=self.by_time[0][0],
            earliest_target=earliest_target,
            latest_timestamp=self.by_time[-1][0],
            target_sum=self.target_sum,
        )


EMPTY_WINDOW: Final = BlockWindow((), (), 0)
"""The window of genesis and of genesis's children."""


@dataclass(frozen=True, slots=True)
class _Kind:
    name: str
    size: int
    rate: int
    cache: WindowCache[BlockWindow]


def _top(size: int, window: Sequence[SortKey], added: Sequence[SortKey]) -> list[SortKey]:
    """The ``size`` largest of ``window`` (ascending) and ``added``, ascending."""
    return sorted((*window, *added))[-size:]


class WindowManager:
    """Windows, DAA scores, required bits and past median times of blocks and the virtual.

    Reads the DAG only through ``ghostdag`` and ``header``, which must answer for every block
    in the past of the block asked about. The block asked about is given by its GHOSTDAG data
    and need not be stored: a block under validation, or the virtual (whatever its hash).
    """

    def __init__(
        self,
        preset: Preset,
        genesis: Hash,
        ghostdag: Callable[[Hash], GhostdagData],
        header: Callable[[Hash], BlockHeader],
        *,
        cache_capacity: int = DEFAULT_CACHE_CAPACITY,
    ) -> None:
        self._preset = preset
        self._genesis = genesis
        self._ghostdag = ghostdag
        self._header = header
        self._difficulty = _Kind(
            "difficulty",
            preset.difficulty_window_size,
            preset.difficulty_sample_rate,
            WindowCache(cache_capacity),
        )
        self._median_time = _Kind(
            "past median time",
            preset.past_median_time_window_size,
            preset.past_median_time_sample_rate,
            WindowCache(cache_capacity),
        )
        # The windows last computed per block and kind, so that remember() after validation
        # does not compute them again; checked against the data they were computed for.
        self._recent: dict[tuple[Hash, str], tuple[GhostdagData, BlockWindow, frozenset[Hash]]]
        self._recent = {}
        self._last_daa_window: tuple[DaaWindow, BlockWindow] | None = None

    def daa_window(self, data: GhostdagData) -> DaaWindow:
        """The DAA window of the block described by ``data``, its DAA score and non-DAA set."""
        if data.selected_parent is None:
            return DaaWindow((), self._header(self._genesis).daa_score, frozenset())
        window, non_daa = self._window(data, self._difficulty)
        score = daa_score(
            self._header(data.selected_parent).daa_score, data.mergeset_size, len(non_daa)
        )
        result = DaaWindow(window.keys, score, non_daa)
        self._last_daa_window = (result, window)
        return result

    def required_bits(self, data: GhostdagData, window: DaaWindow) -> int:
        """The bits the block described by ``data`` must carry, given its DAA ``window``.

        During warm-up, the selected parent's bits (genesis's when genesis is the selected
        parent, or for genesis itself).
        """
        parent = self._genesis if data.selected_parent is None else data.selected_parent
        warm_up_bits = self._header(parent).bits
        last = self._last_daa_window
        summary: WindowSummary | None
        if last is not None and last[0] is window:
            # The window this manager just built, whose summary it keeps up to date.
            summary = self._summary(last[1])
        else:
            headers = [self._header(block) for block in window.blocks]
            summary = summarize([DifficultySample(h.timestamp, h.bits) for h in headers])
        return next_bits(summary, self._preset, warm_up_bits)

    def _summary(self, window: BlockWindow) -> WindowSummary | None:
        if not window.keys:
            return None
        earliest = self._header(window.by_time[0][1][1])
        return window.summary(target_of(earliest.bits))

    def past_median_time_window(self, data: GhostdagData) -> tuple[Hash, ...]:
        """The past-median-time window of the block described by ``data``, descending."""
        if data.selected_parent is None:
            return ()
        return _hashes(self._window(data, self._median_time)[0])

    def past_median_time(self, data: GhostdagData) -> int:
        """The past median time of the block described by ``data``, in milliseconds."""
        parent = self._genesis if data.selected_parent is None else data.selected_parent
        fallback = self._header(parent).timestamp
        if data.selected_parent is None:
            return fallback
        window = self._window(data, self._median_time)[0]
        return past_median_time_of([timestamp for timestamp, _ in window.by_time], fallback)

    def remember(self, data: GhostdagData) -> None:
        """Cache both windows of an accepted block, for its children to start from."""
        if data.selected_parent is None:
            return
        for kind in (self._difficulty, self._median_time):
            kind.cache.insert(data.hash, self._window(data, kind)[0])
        self._recent.clear()

    def _window(self, data: GhostdagData, kind: _Kind) -> tuple[BlockWindow, frozenset[Hash]]:
        """The window of ``data`` and its own mergeset's non-DAA blocks."""
        recent = self._recent.get((data.hash, kind.name))
        if recent is not None and (recent[0] is data or recent[0] == data):
            return recent[1], recent[2]
        window, non_daa = self._build(data, kind)
        if len(self._recent) >= 8:
            self._recent.clear()
        self._recent[(data.hash, kind.name)] = (data, window, non_daa)
        return window, non_daa

    def _build(self, data: GhostdagData, kind: _Kind) -> tuple[BlockWindow, frozenset[Hash]]:
        parent = data.selected_parent
        if parent is None:
            return EMPTY_WINDOW, frozenset()
        if parent == self._genesis:
            # Genesis never enters a window and is never a DAA block.
            return EMPTY_WINDOW, frozenset((self._genesis,))
        sampled, non_daa = self._merge(data, kind.rate)
        collected = _top(kind.size, (), sampled)
        current = data
        while (parent := current.selected_parent) is not None:
            cached = kind.cache.get(parent)
            if cached is not None:
                return self._extend(cached, collected, kind.size), non_daa
            parent_data = self._ghostdag(parent)
            grandparent = parent_data.selected_parent
            if grandparent is None or grandparent == self._genesis:
                break
            # Everything the parent merges ranks at most its own selected parent, so once the
            # window is full and that block cannot enter, nothing further down can.
            if len(collected) == kind.size and sort_key(self._ghostdag(grandparent)) < collected[0]:
                break
            collected = _top(kind.size, collected, self._merge(parent_data, kind.rate)[0])
            current = parent_data
        return self._extend(EMPTY_WINDOW, collected, kind.size), non_daa

    def _extend(self, window: BlockWindow, added: list[SortKey], size: int) -> BlockWindow:
        """``window`` with the blocks ``added`` (ascending), the lowest beyond ``size`` out."""
        if not added:
            return window
        if len(added) > _FEW:
            return self._rebuilt(_top(size, window.keys, added))
        keys = list(window.keys)
        for key in added:
            insort(keys, key)
        evicted = keys[: max(len(keys) - size, 0)]
        del keys[: len(evicted)]
        by_time = list(window.by_time)
        target_sum = window.target_sum
        for key in added:
            header = self._header(key[1])
            insort(by_time, (header.timestamp, key))
            target_sum += target_of(header.bits)
        for key in evicted:
            header = self._header(key[1])
            del by_time[bisect_left(by_time, (header.timestamp, key))]
            target_sum -= target_of(header.bits)
        return BlockWindow(tuple(keys), tuple(by_time), target_sum)

    def _rebuilt(self, keys: list[SortKey]) -> BlockWindow:
        headers = [self._header(key[1]) for key in keys]
        by_time = sorted(zip([header.timestamp for header in headers], keys, strict=True))
        target_sum = sum(target_of(header.bits) for header in headers)
        return BlockWindow(tuple(keys), tuple(by_time), target_sum)

    def _merge(self, data: GhostdagData, rate: int) -> tuple[list[SortKey], frozenset[Hash]]:
        """What the block of ``data`` merges: the ``sort_key`` of each block it samples at
        ``rate``, in merge order, and its non-DAA mergeset blocks."""
        parent = data.selected_parent
        if parent is None or parent == self._genesis:
            return [], frozenset()
        lowest = lowest_daa_blue_score(self._preset, data.blue_score)
        merged = [self._ghostdag(block) for block in data.mergeset_without_selected_parent()]
        merged.sort(key=sort_key, reverse=True)
        slot = self._header(parent).daa_score
        sampled: list[SortKey] = []
        non_daa: list[Hash] = []
        for block in (self._ghostdag(parent), *merged):
            if block.blue_score < lowest:
                non_daa.append(block.hash)
                continue
            slot += 1
            if slot % rate == 0:
                sampled.append(sort_key(block))
        return sampled, frozenset(non_daa)


def _hashes(window: BlockWindow) -> tuple[Hash, ...]:
    return tuple(map(_hash_of, reversed(window.keys)))


_hash_of: Final = itemgetter(1)
