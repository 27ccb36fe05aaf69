"""Mutant: the selected parent is the first parent in header order with strictly higher blue
work (no hash tie-break) — the TOS divergence of late 2025."""

from collections.abc import Sequence

from reference.hash import Hash
from reference.processes.ghostdag import protocol
from reference.processes.ghostdag.protocol import GhostdagContext
from tests.mutants._serve import serve


def select_parent(context: GhostdagContext, parents: Sequence[Hash]) -> Hash:
    best = parents[0]
    for parent in parents[1:]:
        if (
            context.ghostdag_store.get(parent).blue_work
            > context.ghostdag_store.get(best).blue_work
        ):
            best = parent
    return best


protocol.select_parent = select_parent
serve()
