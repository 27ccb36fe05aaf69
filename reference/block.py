"""The block header as the consensus sees it, in either header mode."""

from __future__ import annotations

from dataclasses import dataclass

from reference.hash import Hash
from reference.header import BlockHeader


@dataclass(frozen=True, slots=True)
class Header:
    """The consensus-relevant fields of a block header.

    In *DAG mode* (adapter protocol 1) the hash is given, not computed: the rules are about the
    DAG, and the conformance vectors name blocks by arbitrary 32-byte identifiers. In *header
    mode* the same view is derived from a complete :class:`~reference.header.BlockHeader` by
    :func:`consensus_view`, which keeps the complete header in ``full``; the rules that read
    timestamps, bits, DAA scores or proof of work apply only when ``full`` is present.
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
    full: BlockHeader | None = None
    """The complete header in header mode; ``None`` in DAG mode."""


def consensus_view(header: BlockHeader, hash_: Hash, target: int) -> Header:
    """The DAG view of a complete header whose hash is ``hash_`` and target ``target``.

    ``target`` is 0 when the header's bits name no valid target, so that the rule order (not the
    decoding) decides the rejection code. Blue score and blue work are always claimed.
    """
    return Header(
        hash=hash_,
        parents=header.parents,
        target=target,
        blue_score=header.blue_score,
        blue_work=header.blue_work,
        full=header,
    )
