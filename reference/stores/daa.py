"""Storage of each header-mode block's non-DAA mergeset blocks.

A merged block whose blue score is too low for the merging block's DAA window is not counted
in its DAA score (``spec/difficulty``). The set is a pure function of the DAG and is computed
when the block is validated; it is kept, as Kaspa keeps it (``NonDaaMergeset``), so that what a
block did not count can be read back without rebuilding its window.
"""

from __future__ import annotations

from reference.errors import BlockRejected, Code, UnknownBlock
from reference.hash import Hash


class DaaStore:
    """``block -> non-DAA mergeset blocks`` for every block accepted in header mode."""

    __slots__ = ("_non_daa",)

    def __init__(self) -> None:
        self._non_daa: dict[Hash, frozenset[Hash]] = {}

    def insert(self, block: Hash, non_daa_mergeset: frozenset[Hash]) -> None:
        """Record a new block's non-DAA mergeset blocks; a block is recorded at most once."""
        if block in self._non_daa:
            raise BlockRejected(Code.DUPLICATE_BLOCK, block, "DAA data already stored")
        self._non_daa[block] = non_daa_mergeset

    def non_daa_mergeset(self, block: Hash) -> frozenset[Hash]:
        """The merged blocks ``block`` did not count in its DAA score."""
        try:
            return self._non_daa[block]
        except KeyError:
            raise UnknownBlock(block) from None

    def delete(self, block: Hash) -> None:
        """Forget the DAA data of ``block`` (pruning; none is stored in DAG mode)."""
        self._non_daa.pop(block, None)

    def has(self, block: Hash) -> bool:
        """True when DAA data for ``block`` is stored."""
        return block in self._non_daa

    def __len__(self) -> int:
        return len(self._non_daa)
