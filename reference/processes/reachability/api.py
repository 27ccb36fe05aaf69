"""What the consensus asks of a reachability service.

Both queries are reflexive: a block is its own chain ancestor and its own DAG ancestor.
``add_block`` is told the new block's selected parent (its parent in the selected-parent
tree) and its mergeset without the selected parent; every block named must already be known.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from reference.hash import Hash


class Reachability(Protocol):
    """Answers ancestry queries over the blocks added so far."""

    def has_block(self, block: Hash) -> bool:
        """True when ``block`` has been added (genesis included)."""
        ...

    def add_block(self, block: Hash, selected_parent: Hash, mergeset: Sequence[Hash]) -> None:
        """Add ``block`` below ``selected_parent``; ``mergeset`` excludes the selected parent."""
        ...

    def hint_selected_tip(self, block: Hash) -> None:
        """The virtual's selected parent is now ``block``: the service may move its root."""
        ...

    def can_delete(self, block: Hash) -> bool:
        """False for the blocks the service cannot do without (its roots)."""
        ...

    def delete_block(self, block: Hash) -> None:
        """Forget ``block`` (pruning); every answer about the blocks that stay is unchanged."""
        ...

    def is_chain_ancestor_of(self, ancestor: Hash, descendant: Hash) -> bool:
        """``ancestor`` is on the selected-parent chain of ``descendant`` (reflexive)."""
        ...

    def is_dag_ancestor_of(self, ancestor: Hash, descendant: Hash) -> bool:
        """``ancestor`` is in the past of ``descendant`` (reflexive)."""
        ...
