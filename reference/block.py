"""The block header as the consensus sees it."""

from __future__ import annotations

from dataclasses import dataclass

from reference.hash import Hash


@dataclass(frozen=True, slots=True)
class Header:
    """The consensus-relevant fields of a block header.

    The hash is given, not computed: the consensus rules here are about the DAG, and the
    conformance vectors name blocks by arbitrary 32-byte identifiers.
    """

    hash: Hash
    """The block's identifier."""
    parents: tuple[Hash, ...]
    """Parent hashes in header order (order never affects the result)."""
    target: int
    """Proof-of-work target, 1 <= target < 2^256; the block's work is derived from it."""
    blue_score: int | None = None
    """Claimed blue score; ``None`` when the header makes no claim (vectors, templates)."""
    blue_work: int | None = None
    """Claimed blue work; ``None`` when the header makes no claim."""
