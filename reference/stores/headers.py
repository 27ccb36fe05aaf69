"""Storage of each accepted header and the work derived from its target."""

from __future__ import annotations

from reference.block import Header
from reference.errors import BlockRejected, Code, UnknownBlock
from reference.hash import Hash
from reference.header import BlockHeader


class HeaderStore:
    """``block -> (header, work)`` for every accepted block."""

    __slots__ = ("_headers", "_work")

    def __init__(self) -> None:
        self._headers: dict[Hash, Header] = {}
        self._work: dict[Hash, int] = {}

    def insert(self, header: Header, work: int) -> None:
        """Record an accepted header with the work of its target."""
        if header.hash in self._headers:
            raise BlockRejected(Code.DUPLICATE_BLOCK, header.hash, "header already stored")
        self._headers[header.hash] = header
        self._work[header.hash] = work

    def header(self, block: Hash) -> Header:
        """The stored header of ``block``."""
        try:
            return self._headers[block]
        except KeyError:
            raise UnknownBlock(block) from None

    def full_header(self, block: Hash) -> BlockHeader:
        """The complete header of ``block``; :class:`UnknownBlock` unless it came in header mode."""
        full = self.header(block).full
        if full is None:
            raise UnknownBlock(block)
        return full

    def work(self, block: Hash) -> int:
        """The work of ``block``'s own target (not its blue work)."""
        try:
            return self._work[block]
        except KeyError:
            raise UnknownBlock(block) from None

    def delete(self, block: Hash) -> None:
        """Forget the header of ``block`` (pruning)."""
        del self._headers[block], self._work[block]

    def has(self, block: Hash) -> bool:
        """True when ``block``'s header is stored."""
        return block in self._headers

    def __len__(self) -> int:
        return len(self._headers)
