"""Mutant: equal blue work is broken towards the smaller hash instead of the larger."""

from collections.abc import Sequence

from reference.hash import Hash
from reference.processes.ghostdag import protocol
from reference.processes.ghostdag.protocol import GhostdagContext
from tests.mutants._serve import serve


def select_parent(context: GhostdagContext, parents: Sequence[Hash]) -> Hash:
    work = {parent: context.ghostdag_store.get(parent).blue_work for parent in parents}
    return min(parents, key=lambda parent: (-work[parent], parent))


protocol.select_parent = select_parent
serve()
