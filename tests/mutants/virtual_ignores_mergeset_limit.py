"""Mutant: the virtual takes tips up to ``max_block_parents`` without the mergeset limit."""

from collections.abc import Iterable

from reference import ordering
from reference.hash import Hash
from reference.pipeline import virtual
from reference.processes.ghostdag.protocol import GhostdagContext
from tests.mutants._serve import serve


def pick_virtual_parents(
    context: GhostdagContext,
    tips: Iterable[Hash],
    max_block_parents: int,
    mergeset_size_limit: int,
) -> tuple[Hash, ...]:
    get = context.ghostdag_store.get
    ranked = sorted(tips, key=lambda tip: ordering.sort_key(get(tip)), reverse=True)
    return tuple(ranked[:max_block_parents])


virtual.pick_virtual_parents = pick_virtual_parents
serve()
