"""Mutant: the virtual takes candidates up to ``max_block_parents`` without the mergeset limit."""

from collections.abc import Sequence

from reference.hash import Hash
from reference.pipeline import virtual
from reference.processes.ghostdag.protocol import GhostdagContext
from tests.mutants._serve import serve


def pick_virtual_parents(
    context: GhostdagContext,
    sink: Hash,
    candidates: Sequence[Hash],
    max_block_parents: int,
    mergeset_size_limit: int,
) -> tuple[Hash, ...]:
    return (sink, *candidates)[:max_block_parents]


virtual.pick_virtual_parents = pick_virtual_parents
serve()
