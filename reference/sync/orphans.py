"""Orphans: relayed blocks whose parents the node does not hold yet, in a bounded pool.

A block relayed with unknown parents is kept while its missing ancestors are fetched, at most
:func:`orphan_resolution_range` generations deep; a deeper gap is a job for IBD. The pool holds
at most :func:`max_orphans` blocks (Kaspa: ``min(2^range * K, 1024)``); when full, the oldest
orphan is dropped, so a peer relaying made-up orphans can cost the node only that many slots.
Nothing in the pool is validated or trusted: an orphan enters the DAG only through the node's
full validation once its parents are there.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from reference.hash import Hash
from reference.header import BlockHeader
from reference.presets import Preset
from reference.transaction.model import Transaction


def orphan_resolution_range(preset: Preset) -> int:
    """Generations of missing ancestors fetched by relay: ``5 + ceil(log2(blocks per second))``,
    at least 5 (Kaspa)."""
    per_second = 1000 / preset.target_time_per_block_ms
    return 5 + max(0, math.ceil(math.log2(per_second)))


def max_orphans(preset: Preset) -> int:
    """The pool's capacity: ``min(2^range * K, 1024)``, at least 1."""
    return max(1, min((1 << orphan_resolution_range(preset)) * preset.k, 1024))


@dataclass(frozen=True, slots=True)
class Orphan:
    """A relayed block waiting for its parents."""

    header: BlockHeader
    """Its header."""
    transactions: tuple[Transaction, ...]
    """Its body."""
    depth: int
    """Generations between it and the block first relayed (0 for that block)."""


class OrphanPool:
    """Orphans by hash, oldest first, at most ``capacity``."""

    __slots__ = ("_capacity", "_orphans")

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._orphans: OrderedDict[Hash, Orphan] = OrderedDict()

    def add(self, block: Hash, orphan: Orphan) -> None:
        """Keep ``orphan`` (the oldest is dropped when the pool is full)."""
        self._orphans.pop(block, None)
        self._orphans[block] = orphan
        while len(self._orphans) > self._capacity:
            self._orphans.popitem(last=False)

    def __contains__(self, block: object) -> bool:
        return block in self._orphans

    def __len__(self) -> int:
        return len(self._orphans)

    def ready(self, has_parent: Callable[[Hash], bool]) -> list[tuple[Hash, Orphan]]:
        """Remove and return the orphans whose parents are all held now, oldest first."""
        found = [
            (block, orphan)
            for block, orphan in self._orphans.items()
            if all(has_parent(parent) for parent in orphan.header.parents)
        ]
        for block, _ in found:
            del self._orphans[block]
        return found

    def discard(self, block: Hash) -> None:
        """Forget ``block``."""
        self._orphans.pop(block, None)
