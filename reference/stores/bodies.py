"""Storage of block bodies: each block's transactions, in block order.

A body is carried, never executed (``spec/transactions``): the store keeps the transactions
exactly as they came, and the durable engine writes each one as Kaspa's transaction encoding.
"""

from __future__ import annotations

from collections.abc import Sequence

from reference.errors import BlockRejected, Code
from reference.hash import Hash
from reference.transaction.model import Transaction


class BodyStore:
    """``block -> transactions`` for every block whose body is known."""

    __slots__ = ("_bodies",)

    def __init__(self) -> None:
        self._bodies: dict[Hash, tuple[Transaction, ...]] = {}

    def insert(self, block: Hash, transactions: Sequence[Transaction]) -> None:
        """Record the body of ``block`` (coinbase first); a body is recorded at most once."""
        if block in self._bodies:
            raise BlockRejected(Code.DUPLICATE_BLOCK, block, "body already stored")
        self._bodies[block] = tuple(transactions)

    def get(self, block: Hash) -> tuple[Transaction, ...] | None:
        """The transactions of ``block``, in block order; ``None`` when no body is stored (an
        unknown block, or a block known by its header only)."""
        return self._bodies.get(block)

    def delete(self, block: Hash) -> None:
        """Forget the body of ``block``, if one is stored (pruning)."""
        self._bodies.pop(block, None)

    def has(self, block: Hash) -> bool:
        """True when the body of ``block`` is stored."""
        return block in self._bodies

    def __len__(self) -> int:
        return len(self._bodies)
