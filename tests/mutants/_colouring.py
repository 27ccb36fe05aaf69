"""A copy of the reference's blue-candidate check whose decisions can be flipped one by one.

``candidate_check()`` with no arguments behaves exactly like
``reference.processes.ghostdag.protocol.check_blue_candidate`` (a test runs the vectors against
that unmutated copy and expects it to pass), so each mutant differs from the reference in the
one decision it flips and nothing else.
"""

from __future__ import annotations

import operator
from collections.abc import Callable

from reference.hash import Hash
from reference.processes.ghostdag.protocol import (
    BlueVerdict,
    GhostdagContext,
    MergesetColouring,
    blue_anticone_size,
)

Check = Callable[[GhostdagContext, MergesetColouring, Hash], BlueVerdict | None]


def candidate_check(
    *,
    anticone_too_big: Callable[[int, int], bool] = operator.gt,
    peer_full: Callable[[int, int], bool] = operator.ge,
    walk_selected_chain: bool = True,
) -> Check:
    """The blue-candidate check with the chosen comparisons and chain walk."""

    def check(
        context: GhostdagContext, colouring: MergesetColouring, candidate: Hash
    ) -> BlueVerdict | None:
        k = context.k
        if len(colouring.blues) == k + 1:
            return None
        is_dag_ancestor_of = context.reachability.is_dag_ancestor_of
        get = context.ghostdag_store.get
        peer_anticone_sizes: dict[Hash, int] = {}
        anticone_size = 0
        chain_blues: list[Hash] | tuple[Hash, ...] = colouring.blues
        chain_block: Hash | None = colouring.selected_parent
        while True:
            for peer in chain_blues:
                if is_dag_ancestor_of(peer, candidate):
                    continue
                peer_size = blue_anticone_size(context, peer, colouring)
                peer_anticone_sizes[peer] = peer_size
                anticone_size += 1
                if anticone_too_big(anticone_size, k):
                    return None
                if peer_full(peer_size, k):
                    return None
            if (
                not walk_selected_chain
                or chain_block is None
                or is_dag_ancestor_of(chain_block, candidate)
            ):
                return BlueVerdict(anticone_size, peer_anticone_sizes)
            data = get(chain_block)
            chain_blues = data.mergeset_blues
            chain_block = data.selected_parent

    return check
