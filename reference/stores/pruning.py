"""Storage of pruning data: each block's pruning sample and pruning point, and the chain of
past pruning points (``spec/pruning``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from reference.errors import BlockRejected, Code, UnknownBlock
from reference.hash import Hash

if TYPE_CHECKING:
    from reference.processes.pruning import Retention


@dataclass(frozen=True, slots=True)
class BlockPruning:
    """The pruning data of one block, computed when it is accepted."""

    pruning_sample: Hash
    """The block's *pruning sample from its point of view*: the highest pruning sample on the
    selected chain of its selected parent (the selected parent included), genesis when there
    is none."""
    pruning_point: Hash
    """The block's expected header pruning point; a complete header's ``pruning_point`` field
    must equal it."""


class PruningSampleStore:
    """``block -> BlockPruning`` for every accepted block, genesis included.

    Kaspa stores only the pruning sample and reads the pruning point from the header; keeping
    both here gives a DAG-mode block, whose header has no such field, a pruning point too.
    """

    __slots__ = ("_data",)

    def __init__(self) -> None:
        self._data: dict[Hash, BlockPruning] = {}

    def insert(self, block: Hash, data: BlockPruning) -> None:
        """Record a new block's pruning data; a block is recorded at most once."""
        if block in self._data:
            raise BlockRejected(Code.DUPLICATE_BLOCK, block, "pruning data already stored")
        self._data[block] = data

    def get(self, block: Hash) -> BlockPruning:
        """The stored pruning data of ``block``."""
        try:
            return self._data[block]
        except KeyError:
            raise UnknownBlock(block) from None

    def pruning_sample(self, block: Hash) -> Hash:
        """The stored pruning sample from the point of view of ``block``."""
        return self.get(block).pruning_sample

    def pruning_point(self, block: Hash) -> Hash:
        """The stored (expected header) pruning point of ``block``."""
        return self.get(block).pruning_point

    def delete(self, block: Hash) -> None:
        """Forget the pruning data of ``block`` (pruning)."""
        del self._data[block]

    def has(self, block: Hash) -> bool:
        """True when pruning data for ``block`` is stored."""
        return block in self._data

    def __len__(self) -> int:
        return len(self._data)


class PastPruningPointsStore:
    """The node's pruning points in the order they became one: index 0 is genesis, the last
    index is the current pruning point."""

    __slots__ = ("_points",)

    def __init__(self) -> None:
        """No pruning point yet: the consensus records genesis as index 0 when it starts."""
        self._points: list[Hash] = []

    def extend(self, points: tuple[Hash, ...]) -> None:
        """Append new pruning points, oldest first (the last becomes the current one)."""
        self._points.extend(points)

    def get(self, index: int) -> Hash:
        """The pruning point of ``index`` (0: genesis)."""
        if not 0 <= index < len(self._points):
            raise UnknownBlock(f"past pruning point {index}")
        return self._points[index]

    def current(self) -> Hash:
        """The node's current pruning point (the last one)."""
        if not self._points:
            raise UnknownBlock("the current pruning point (none is recorded)")
        return self._points[-1]

    def current_index(self) -> int:
        """The index of the current pruning point."""
        return len(self._points) - 1

    def all(self) -> tuple[Hash, ...]:
        """Every pruning point, index 0 (genesis) first."""
        return tuple(self._points)

    def __len__(self) -> int:
        return len(self._points)


class RetentionStore:
    """What the node keeps below its current pruning point, decided when the pruning point
    moved (:class:`~reference.processes.pruning.Retention`); ``None`` before any move."""

    __slots__ = ("_retention",)

    def __init__(self) -> None:
        self._retention: Retention | None = None

    def set(self, retention: Retention) -> None:
        """Record the decision for a new pruning point (it replaces the previous one)."""
        self._retention = retention

    def get(self) -> Retention | None:
        """The decision for the current pruning point, if it has moved from genesis."""
        return self._retention
