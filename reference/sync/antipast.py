"""Which headers a syncer sends, and in what order: the blocks of ``past(high)`` outside
``past(low)``, as whole mergesets along ``high``'s selected chain.

For a selected-chain ancestor ``low`` of ``high``, every block in ``past(high) ∪ {high}`` and
not in ``past(low) ∪ {low}`` lies in the mergeset of exactly one chain block ``c`` above
``low``: the mergeset of ``c`` is ``past(c) \\ past(SP(c))``, and ``past(SP(c))`` already holds
``low`` and its past. So walking the chain up from ``low`` and sending, for each ``c``, its
mergeset without the selected parent in ascending ``sort_key`` order and then ``c``, sends each
block once, every parent before its children (a child's blue work exceeds each parent's), and
nothing the syncee holds. Kaspa sends the same set in the same order
(``antipast_hashes_between``).

Chunks hold whole mergesets, at most :func:`chunk_size` headers, so a chunk never ends inside a
mergeset: at most ``max(1024, mergeset_size_limit + 1)`` (a mergeset, its chain block counted,
has at most ``mergeset_size_limit`` blocks, so it always fits in an empty chunk).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from reference.consensus import Consensus
from reference.errors import Code, PeerError
from reference.hash import Hash
from reference.ordering import sort_key
from reference.presets import Preset


def chunk_size(preset: Preset) -> int:
    """The most headers one chunk may carry: ``max(1024, mergeset_size_limit + 1)``."""
    return max(1024, preset.mergeset_size_limit + 1)


def chain_above(consensus: Consensus, low: Hash, high: Hash) -> list[Hash]:
    """The selected-chain blocks of ``high`` above ``low``, ascending, ``high`` last.

    Raises ``PROTOCOL_VIOLATION`` when ``low`` is not a selected-chain ancestor of ``high``
    (or either is unknown): no honest syncee asks that.
    """
    if not (consensus.has_block(low) and consensus.has_block(high)):
        raise PeerError(Code.PROTOCOL_VIOLATION, "headers asked between unknown blocks")
    if not consensus.is_chain_ancestor_of(low, high):
        raise PeerError(Code.PROTOCOL_VIOLATION, f"{low} is not on the selected chain of {high}")
    chain: list[Hash] = []
    block = high
    while block != low:
        chain.append(block)
        parent = consensus.ghostdag_data(block).selected_parent
        if parent is None:  # genesis reached without meeting low: a chain-ancestor bug
            raise RuntimeError(f"{low} is a chain ancestor of {high} yet never met")
        block = parent
    chain.reverse()
    return chain


def mergesets_above(consensus: Consensus, low: Hash, high: Hash) -> Iterator[tuple[Hash, ...]]:
    """For each chain block above ``low`` up to ``high``: its mergeset without its selected
    parent, ascending ``sort_key``, then the chain block itself."""
    get = consensus.ghostdag_data
    for block in chain_above(consensus, low, high):
        merged = sorted(
            (get(merged) for merged in get(block).mergeset_without_selected_parent()),
            key=sort_key,
        )
        yield (*(data.hash for data in merged), block)


def header_chunks(
    consensus: Consensus, low: Hash, high: Hash, size: int
) -> Iterator[tuple[Hash, ...]]:
    """The blocks of :func:`mergesets_above` in chunks of at most ``size``, each holding whole
    mergesets; never an empty chunk."""
    chunk: list[Hash] = []
    for mergeset in mergesets_above(consensus, low, high):
        if len(chunk) + len(mergeset) > size:
            yield tuple(chunk)
            chunk = []
        chunk.extend(mergeset)
    if chunk:
        yield tuple(chunk)


def highest_chain_block_with_body(
    consensus: Consensus, target: Hash, has_body: Callable[[Hash], bool]
) -> Hash:
    """The highest block of ``target``'s selected chain whose body the node holds (genesis,
    or the node's pruning point, at worst): the body download starts above it (Kaspa's
    ``missing_block_bodies``)."""
    block = target
    floor = consensus.pruning_point()
    while not has_body(block) and block != floor:
        parent = consensus.ghostdag_data(block).selected_parent
        if parent is None:
            return block
        block = parent
    return block
