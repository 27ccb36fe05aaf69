"""Storage of the DAG's edges: each accepted block's parents, and the children found so far."""

from __future__ import annotations

from collections.abc import Sequence

from reference.errors import BlockRejected, Code, UnknownBlock
from reference.hash import Hash


class RelationsStore:
    """``block -> parents`` and ``block -> children`` for every accepted block."""

    __slots__ = ("_children", "_parents")

    def __init__(self) -> None:
        self._parents: dict[Hash, tuple[Hash, ...]] = {}
        self._children: dict[Hash, list[Hash]] = {}

    def insert(self, block: Hash, parents: Sequence[Hash]) -> None:
        """Record a new block below already-stored parents."""
        self._refuse_duplicate(block)
        for parent in parents:
            if parent not in self._parents:
                raise UnknownBlock(parent)
        self._record(block, parents)

    def restore(self, block: Hash, parents: Sequence[Hash]) -> None:
        """Record ``block`` read back from a store that has pruned: a parent it names may be
        deleted, and is then not linked (it has no children list any more)."""
        self._refuse_duplicate(block)
        self._record(block, parents)

    def _refuse_duplicate(self, block: Hash) -> None:
        if block in self._parents:
            raise BlockRejected(Code.DUPLICATE_BLOCK, block, "relations already stored")

    def _record(self, block: Hash, parents: Sequence[Hash]) -> None:
        self._parents[block] = tuple(parents)
        self._children[block] = []
        for parent in parents:
            children = self._children.get(parent)
            if children is not None:
                children.append(block)

    def parents(self, block: Hash) -> tuple[Hash, ...]:
        """The parents of ``block`` in header order."""
        try:
            return self._parents[block]
        except KeyError:
            raise UnknownBlock(block) from None

    def children(self, block: Hash) -> tuple[Hash, ...]:
        """The accepted children of ``block``, in the order they were accepted."""
        try:
            return tuple(self._children[block])
        except KeyError:
            raise UnknownBlock(block) from None

    def delete(self, block: Hash) -> None:
        """Forget ``block`` (pruning): its parents no longer list it as a child. Its children's
        parents still name it (a header never changes); it is simply no longer held."""
        for parent in self._parents.pop(block):
            children = self._children.get(parent)
            if children is not None:
                children.remove(block)
        del self._children[block]

    def has(self, block: Hash) -> bool:
        """True when ``block`` is stored."""
        return block in self._parents

    def __len__(self) -> int:
        return len(self._parents)
