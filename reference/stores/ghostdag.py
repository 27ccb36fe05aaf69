"""Storage of each block's :class:`GhostdagData`, written once per block and never changed."""

from __future__ import annotations

from collections.abc import Iterator

from reference.errors import BlockRejected, Code, UnknownBlock
from reference.hash import Hash
from reference.processes.ghostdag.data import GhostdagData


class GhostdagStore:
    """``block -> GhostdagData`` for every accepted block."""

    __slots__ = ("_data",)

    def __init__(self) -> None:
        self._data: dict[Hash, GhostdagData] = {}

    def insert(self, data: GhostdagData) -> None:
        """Record a new block's data; a block is recorded at most once."""
        if data.hash in self._data:
            raise BlockRejected(Code.DUPLICATE_BLOCK, data.hash, "GHOSTDAG data already stored")
        self._data[data.hash] = data

    def get(self, block: Hash) -> GhostdagData:
        """The stored data of ``block``."""
        try:
            return self._data[block]
        except KeyError:
            raise UnknownBlock(block) from None

    def delete(self, block: Hash) -> None:
        """Forget the GHOSTDAG data of ``block`` (pruning)."""
        del self._data[block]

    def has(self, block: Hash) -> bool:
        """True when data for ``block`` is stored."""
        return block in self._data

    def __iter__(self) -> Iterator[Hash]:
        """Every held block (a copy: pruning may delete while a caller iterates)."""
        return iter(list(self._data))

    def __len__(self) -> int:
        return len(self._data)
