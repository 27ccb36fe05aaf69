"""What GHOSTDAG records about one block.

Every block gets one :class:`GhostdagData`, computed once from its parents and never changed.
The record names the block's selected parent, colours its mergeset blue or red, and carries the
block's blue score and blue work, which rank it under :func:`reference.ordering.sort_key`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from reference.hash import Hash


@dataclass(frozen=True, slots=True)
class GhostdagData:
    """The GHOSTDAG verdict about one block."""

    hash: Hash
    """The block this record describes."""
    selected_parent: Hash | None
    """The parent of largest ``(blue_work, hash)``; ``None`` only for genesis."""
    mergeset_blues: tuple[Hash, ...]
    """Blue blocks of the mergeset: the selected parent first, then ascending ``sort_key``.

    Holds at most ``K + 1`` blocks; empty only for genesis.
    """
    mergeset_reds: tuple[Hash, ...]
    """Red blocks of the mergeset, ascending ``sort_key``."""
    blues_anticone_sizes: Mapping[Hash, int]
    """For each blue whose blue anticone this block's colouring set or changed: the number of
    blues in its anticone within this block's blue past (each value is at most ``K``).

    Blues absent here keep the value recorded lower on the selected chain. Immutable.
    """
    blue_score: int
    """Number of blue blocks in the block's past: the selected parent's blue score plus the
    size of ``mergeset_blues``. Genesis: 0."""
    blue_work: int
    """Total work of the blue blocks in the block's past: the selected parent's blue work plus
    the work of each block of ``mergeset_blues``. Genesis: 0."""

    @property
    def mergeset_size(self) -> int:
        """Number of merged blocks, blues and reds, the selected parent counted."""
        return len(self.mergeset_blues) + len(self.mergeset_reds)

    def for_block(self, block: Hash) -> GhostdagData:
        """The same verdict for ``block``, another block over the same parents."""
        if block == self.hash:
            return self
        return GhostdagData(
            block,
            self.selected_parent,
            self.mergeset_blues,
            self.mergeset_reds,
            self.blues_anticone_sizes,
            self.blue_score,
            self.blue_work,
        )

    def mergeset_without_selected_parent(self) -> tuple[Hash, ...]:
        """The blue and red blocks other than the selected parent (no particular order)."""
        return self.mergeset_blues[1:] + self.mergeset_reds


def genesis_ghostdag_data(genesis: Hash) -> GhostdagData:
    """Genesis: no selected parent, an empty mergeset, blue score 0 and blue work 0."""
    return GhostdagData(
        hash=genesis,
        selected_parent=None,
        mergeset_blues=(),
        mergeset_reds=(),
        blues_anticone_sizes=MappingProxyType({}),
        blue_score=0,
        blue_work=0,
    )
