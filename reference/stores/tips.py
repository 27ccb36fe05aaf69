"""Storage of the DAG's tips: the accepted blocks that have no accepted child yet."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from reference.hash import Hash


class TipsStore:
    """The set of tips, changed once per accepted block."""

    __slots__ = ("_tips",)

    def __init__(self) -> None:
        self._tips: set[Hash] = set()

    def add(self, block: Hash, parents: Sequence[Hash]) -> None:
        """``block`` was accepted over ``parents``: it is a tip and they no longer are."""
        self._tips.difference_update(parents)
        self._tips.add(block)

    def remove(self, block: Hash) -> None:
        """``block`` is no longer a tip: pruning deleted it."""
        self._tips.discard(block)

    def frozen(self) -> frozenset[Hash]:
        """The tips, as an immutable set."""
        return frozenset(self._tips)

    def __contains__(self, block: object) -> bool:
        return block in self._tips

    def __iter__(self) -> Iterator[Hash]:
        return iter(self._tips)

    def __len__(self) -> int:
        return len(self._tips)
