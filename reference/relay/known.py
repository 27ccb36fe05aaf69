"""The receiver's index of blocks it holds, for resolving compact parent references."""

from __future__ import annotations

from collections.abc import Iterable

from reference.hash import Hash
from reference.relay.header import PARENT_REFERENCE_SIZE


class KnownBlocks:
    """Known block hashes, looked up by their first PARENT_REFERENCE_SIZE bytes."""

    __slots__ = ("_by_prefix",)

    def __init__(self, hashes: Iterable[Hash] = ()) -> None:
        self._by_prefix: dict[bytes, list[Hash]] = {}
        for block_hash in hashes:
            self.add(block_hash)

    def add(self, block_hash: Hash) -> None:
        """Remember a block (adding it twice changes nothing)."""
        bucket = self._by_prefix.setdefault(bytes(block_hash[:PARENT_REFERENCE_SIZE]), [])
        if block_hash not in bucket:
            bucket.append(block_hash)

    def resolve(self, prefix: bytes) -> tuple[Hash, ...]:
        """Every known hash starting with ``prefix`` (a ParentResolver)."""
        return tuple(self._by_prefix.get(bytes(prefix), ()))
