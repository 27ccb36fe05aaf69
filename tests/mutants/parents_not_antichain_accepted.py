"""Mutant: a parent that is an ancestor of another parent is accepted."""

from reference.block import Header
from reference.pipeline import validation
from reference.processes.ghostdag.protocol import GhostdagContext
from tests.mutants._serve import serve


def check_parents_antichain(header: Header, context: GhostdagContext) -> None:
    return None


validation.check_parents_antichain = check_parents_antichain
serve()
