"""The one ordering of blocks that GHOSTDAG uses everywhere.

A block ranks above another when it has more blue work, and on equal blue work when its hash
is larger (hashes compare lexicographically from byte 0). The selected parent is the maximum
of the parents under this key; the mergeset is coloured in ascending order of it; every tie
anywhere in the spec is broken by it. No other ordering of blocks exists in the spec.
"""

from __future__ import annotations

from typing import Protocol

from reference.hash import Hash

SortKey = tuple[int, Hash]
"""``(blue_work, hash)``, compared lexicographically."""


class Ranked(Protocol):
    """Anything with a hash and a blue work: GHOSTDAG data, a virtual candidate, ..."""

    @property
    def hash(self) -> Hash:
        """The block's hash."""
        ...

    @property
    def blue_work(self) -> int:
        """The block's blue work."""
        ...


def sort_key(block: Ranked) -> SortKey:
    """The ordering key of a block: ``(blue_work, hash)``."""
    return (block.blue_work, block.hash)
