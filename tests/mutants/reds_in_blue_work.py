"""Mutant: red blocks' work is counted in blue work."""

from reference.processes.ghostdag import protocol
from reference.processes.ghostdag.protocol import GhostdagContext, MergesetColouring
from tests.mutants._serve import serve

_blue_work_of = protocol.blue_work_of


def blue_work_of(context: GhostdagContext, colouring: MergesetColouring) -> int:
    reds = sum(context.headers.work(red) for red in colouring.reds)
    return _blue_work_of(context, colouring) + reds


protocol.blue_work_of = blue_work_of
serve()
