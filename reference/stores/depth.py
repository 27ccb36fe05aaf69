"""Storage of each accepted block's merge-depth root and finality point."""

from __future__ import annotations

from dataclasses import dataclass

from reference.errors import BlockRejected, Code, UnknownBlock
from reference.hash import Hash


@dataclass(frozen=True, slots=True)
class BlockDepth:
    """The two blocks at depth of one block (``spec/depth``), computed when it is accepted."""

    merge_depth_root: Hash
    """The block at depth ``merge_depth`` on the block's selected chain: every red block the
    block merges must have it in its past, or be in the past of a kosherizing blue."""
    finality_point: Hash
    """The block at depth ``finality_depth`` on the block's selected chain."""


class DepthStore:
    """``block -> BlockDepth`` for every accepted block, genesis included."""

    __slots__ = ("_depths",)

    def __init__(self) -> None:
        self._depths: dict[Hash, BlockDepth] = {}

    def insert(self, block: Hash, depth: BlockDepth) -> None:
        """Record a new block's depth data; a block is recorded at most once."""
        if block in self._depths:
            raise BlockRejected(Code.DUPLICATE_BLOCK, block, "depth data already stored")
        self._depths[block] = depth

    def get(self, block: Hash) -> BlockDepth:
        """The stored depth data of ``block``."""
        try:
            return self._depths[block]
        except KeyError:
            raise UnknownBlock(block) from None

    def merge_depth_root(self, block: Hash) -> Hash:
        """The stored merge-depth root of ``block``."""
        return self.get(block).merge_depth_root

    def finality_point(self, block: Hash) -> Hash:
        """The stored finality point of ``block``."""
        return self.get(block).finality_point

    def delete(self, block: Hash) -> None:
        """Forget the depth data of ``block`` (pruning)."""
        del self._depths[block]

    def has(self, block: Hash) -> bool:
        """True when depth data for ``block`` is stored."""
        return block in self._depths

    def __len__(self) -> int:
        return len(self._depths)
