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

from bisect import insort
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from reference.hash import Hash
from reference.header import BlockHeader
from reference.ordering import SortKey, sort_key
from reference.presets import Preset
from reference.processes.difficulty import (
    DifficultySample,
    daa_score,
    lowest_daa_blue_score,
    next_bits,
)
from reference.processes.ghostdag.data import GhostdagData
from reference.processes.past_median_time import past_median_time_of
from reference.stores.windows import Window, WindowCache

DEFAULT_CACHE_CAPACITY: Final = 1024
"""Windows of this many recently used blocks are kept, per window kind."""


@dataclass(frozen=True, slots=True)
class DaaWindow:
    """A block's DAA window and what its mergeset adds to the DAA score."""

    blocks: tuple[Hash, ...]
    """The sampled difficulty window, in descending ``sort_key`` order."""
    daa_score: int
    """The block's DAA score: its selected parent's plus its mergeset's DAA blocks."""
    mergeset_non_daa: frozenset[Hash]
    """The block's non-DAA mergeset blocks (the selected parent included when it is one;
    genesis when it is the selected parent)."""


@dataclass(frozen=True, slots=True)
class _Kind:
    name: str
    size: int
    rate: int
    cache: WindowCache


def _top(size: int, window: Window, added: Sequence[SortKey]) -> Window:
    """The ``size`` largest keys of ``window`` (ascending) and ``added``, ascending."""
    if not added:
        return window
    if len(added) <= 8:
        merged = list(window)
        for key in added:
            insort(merged, key)
    else:
        merged = sorted((*window, *added))
    return tuple(merged[-size:])


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
        # The last windows computed per block, so that remember() after validation does not
        # compute them again; checked against the data they were computed for.
        self._recent: dict[tuple[Hash, str], tuple[GhostdagData, Window, tuple[Hash, ...]]] = {}

    def daa_window(self, data: GhostdagData) -> DaaWindow:
        """The DAA window of the block described by ``data``, its DAA score and non-DAA set."""
        genesis_score = self._header(self._genesis).daa_score
        if data.selected_parent is None:
            return DaaWindow((), genesis_score, frozenset())
        window, non_daa = self._window(data, self._difficulty)
        score = daa_score(
            self._header(data.selected_parent).daa_score, data.mergeset_size, len(non_daa)
        )
        return DaaWindow(_hashes(window), score, frozenset(non_daa))

    def required_bits(self, data: GhostdagData, window: DaaWindow) -> int:
        """The bits the block described by ``data`` must carry, given its ``window``.

        During warm-up (a window of fewer than ``min_difficulty_window_size`` samples) the
        selected parent's bits — genesis's bits when genesis is the selected parent.
        """
        parent = self._genesis if data.selected_parent is None else data.selected_parent
        headers = [self._header(block) for block in window.blocks]
        samples = [DifficultySample(header.timestamp, header.bits) for header in headers]
        return next_bits(samples, self._preset, self._header(parent).bits)

    def past_median_time_window(self, data: GhostdagData) -> tuple[Hash, ...]:
        """The past-median-time window of the block described by ``data``, descending."""
        if data.selected_parent is None:
            return ()
        return _hashes(self._window(data, self._median_time)[0])

    def past_median_time(self, data: GhostdagData) -> int:
        """The past median time of the block described by ``data``, in milliseconds."""
        parent = self._genesis if data.selected_parent is None else data.selected_parent
        timestamps = [self._header(block).timestamp for block in self.past_median_time_window(data)]
        return past_median_time_of(timestamps, self._header(parent).timestamp)

    def remember(self, data: GhostdagData) -> None:
        """Cache both windows of an accepted block, for its children to start from."""
        if data.selected_parent is None:
            return
        for kind in (self._difficulty, self._median_time):
            kind.cache.insert(data.hash, self._window(data, kind)[0])
        self._recent.clear()

    def _window(self, data: GhostdagData, kind: _Kind) -> tuple[Window, tuple[Hash, ...]]:
        """The window of ``data`` (ascending keys) and its own mergeset's non-DAA blocks."""
        recent = self._recent.get((data.hash, kind.name))
        if recent is not None and (recent[0] is data or recent[0] == data):
            return recent[1], recent[2]
        result = self._build(data, kind)
        if len(self._recent) >= 8:
            self._recent.clear()
        self._recent[(data.hash, kind.name)] = (data, *result)
        return result

    def _build(self, data: GhostdagData, kind: _Kind) -> tuple[Window, tuple[Hash, ...]]:
        parent = data.selected_parent
        if parent is None:
            return (), ()
        if parent == self._genesis:
            # Genesis never enters a window and is never a DAA block.
            return (), (self._genesis,)
        sampled, non_daa = self._merge(data, kind.rate)
        window: Window = _top(kind.size, (), sorted(sampled))
        current = data
        while True:
            parent = current.selected_parent
            if parent is None:  # pragma: no cover - the loop stops above genesis
                break
            cached = kind.cache.get(parent)
            if cached is not None:
                return _top(kind.size, cached, window), non_daa
            parent_data = self._ghostdag(parent)
            grandparent = parent_data.selected_parent
            if grandparent is None or grandparent == self._genesis:
                break
            # Everything the parent merges ranks at most its own selected parent, so once the
            # window is full and that block cannot enter, nothing further down can.
            if len(window) == kind.size and sort_key(self._ghostdag(grandparent)) < window[0]:
                break
            window = _top(kind.size, window, self._merge(parent_data, kind.rate)[0])
            current = parent_data
        return window, non_daa

    def _merge(self, data: GhostdagData, rate: int) -> tuple[list[SortKey], tuple[Hash, ...]]:
        """The blocks ``data``'s block samples at ``rate``, and its non-DAA mergeset blocks."""
        parent = data.selected_parent
        if parent is None or parent == self._genesis:
            return [], ()
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
        return sampled, tuple(non_daa)


def _hashes(window: Window) -> tuple[Hash, ...]:
    return tuple(key[1] for key in reversed(window))
