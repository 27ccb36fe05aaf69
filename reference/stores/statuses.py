"""What the node knows about a block's validity, by hash.

An accepted header is ``HEADER_ONLY``; a block accepted together with its body, every body
rule passed, is ``BODY_VALID`` (``Consensus.add_full_block``). A header that failed a rule
after its proof of work was checked is remembered as ``INVALID`` (as Kaspa does): its hash
commits to its content, so the same header offered again, or any child of it, is refused at
once without re-validation. Headers rejected earlier in the pipeline are not remembered — a
header with a bad proof of work costs its sender nothing to make, so remembering it would let
anyone fill the store.
"""

from __future__ import annotations

from enum import StrEnum

from reference.hash import Hash


class BlockStatus(StrEnum):
    """The validity a node records for a block."""

    HEADER_ONLY = "header_only"
    """The header passed every header rule; the body is not (yet) validated."""
    BODY_VALID = "body_valid"
    """Header and body passed every rule and the body is stored. Transactions are never
    executed, so this is the last status a valid block reaches."""
    INVALID = "invalid"
    """The header broke a rule after its proof of work passed; never accepted again."""


class StatusStore:
    """``block -> BlockStatus`` for every accepted block and every remembered invalid one."""

    __slots__ = ("_statuses",)

    def __init__(self) -> None:
        self._statuses: dict[Hash, BlockStatus] = {}

    def set(self, block: Hash, status: BlockStatus) -> None:
        """Record or replace the status of ``block``."""
        self._statuses[block] = status

    def get(self, block: Hash) -> BlockStatus | None:
        """The status of ``block``; ``None`` when nothing is known about it."""
        return self._statuses.get(block)

    def delete(self, block: Hash) -> None:
        """Forget the status of ``block`` (pruning: it becomes unknown)."""
        del self._statuses[block]

    def is_invalid(self, block: Hash) -> bool:
        """True when ``block`` is remembered as invalid."""
        return self._statuses.get(block) is BlockStatus.INVALID

    def __len__(self) -> int:
        return len(self._statuses)
