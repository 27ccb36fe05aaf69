"""Trusted data: what a pruned node hands a new node so that it can start at its pruning point
(``spec/sync``, "Sync from a pruned peer").

A node that has pruned no longer holds the DAG below its pruning point ``pp``, so a new node
cannot validate its way up from genesis. Instead the syncer sends what it keeps below and at
``pp`` (its *retention*, ``spec/pruning``): the past pruning points, ``pp`` and its anticone,
and the history sub-DAG their windows and GHOSTDAG chains read — each block with the data the
syncer derived for it and the new node cannot re-derive without the deleted blocks: its
GHOSTDAG data, merge-depth root and finality point, pruning sample and non-DAA mergeset. The
new node stores these as they are, then validates every header above ``pp`` as usual.

Kaspa sends the same sets with a *pruning-point proof* (headers of every block level proving
that ``pp`` is buried under the most work); this specification has no proof yet. What it
checks and what it trusts is stated by :func:`check_trusted_data` and in ``spec/sync``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from reference import ordering
from reference.bits import target_from_bits
from reference.errors import Code, DagspecError, InvalidDifficulty, InvalidTrustedData
from reference.hash import Hash
from reference.header import BlockHeader, header_hash
from reference.presets import Preset
from reference.processes.ghostdag.data import GhostdagData
from reference.processes.pow.state import check_proof_of_work
from reference.stores.depth import BlockDepth
from reference.stores.pruning import BlockPruning


@dataclass(frozen=True, slots=True)
class TrustedBlock:
    """One block below or at the pruning point, with what the syncer derived for it."""

    header: BlockHeader
    """Its complete header: its hash, parents, blue score, blue work and pruning point."""
    ghostdag: GhostdagData
    """Its GHOSTDAG data (blue score and blue work equal to the header's)."""
    depth: BlockDepth
    """Its merge-depth root and finality point (either may be ``ORIGIN``)."""
    pruning_sample: Hash
    """Its pruning sample from its point of view (its pruning point is the header's)."""
    non_daa_mergeset: frozenset[Hash]
    """The blocks of its mergeset outside its DAA window."""

    @property
    def hash(self) -> Hash:
        """The block's hash (the GHOSTDAG data names it; :func:`check_trusted_data` checks
        that the header hashes to it)."""
        return self.ghostdag.hash

    @property
    def pruning(self) -> BlockPruning:
        """Its pruning sample and expected header pruning point."""
        return BlockPruning(
            pruning_sample=self.pruning_sample, pruning_point=self.header.pruning_point
        )


@dataclass(frozen=True, slots=True)
class TrustedData:
    """Everything a new node starts from when it syncs from a pruned node."""

    past_pruning_points: tuple[Hash, ...]
    """The syncer's pruning points, genesis first, its current pruning point ``pp`` last."""
    anticone: tuple[Hash, ...]
    """``pp`` first, then the blocks of its anticone the syncer's virtual has merged, in
    ascending ``sort_key`` order: kept in full (their bodies are fetched afterwards)."""
    blocks: tuple[TrustedBlock, ...]
    """Every block the syncer keeps outside the future of ``pp`` except genesis: ``pp``, its
    anticone, the history sub-DAG and the past pruning points, ascending ``sort_key`` (so
    parents before children)."""

    @property
    def pruning_point(self) -> Hash:
        """The syncer's current pruning point."""
        return self.past_pruning_points[-1]


def check_trusted_data(data: TrustedData, genesis: Hash, preset: Preset) -> None:
    """Every check a syncing node can make on trusted data alone; raises
    :class:`~reference.errors.InvalidTrustedData` (``BAD_TRUSTED_DATA``) at the first failure.

    1. the past pruning points start at ``genesis`` and there is at least one more; the
       anticone starts with the last of them, ``pp``; neither names a block twice;
    2. each block's header hashes to the hash its GHOSTDAG data names; no block is genesis or
       sent twice; blocks come in strictly ascending ``sort_key`` order;
    3. each header's bits name a positive target, and it passes the proof-of-work rule of
       ``preset``;
    4. each block's GHOSTDAG blue score and blue work are its header's; its selected parent
       is one of its header's parents and the first of its mergeset blues; each parent and
       merged block that is sent at all is sent before it;
    5. every past pruning point but genesis, and every anticone block, is among the blocks;
       each past pruning point's pruning sample is the one before it (the past pruning points
       are a chain of sample links, as the syncer's are).

    What these cannot show — that ``pp`` is where an honest node's pruning point is, that
    the GHOSTDAG data, depth data and pruning samples are what the blocks below ``pp`` would
    give — is trusted; the syncing node checks ``pp`` against the headers above it afterwards
    (``spec/sync``).
    """
    points = data.past_pruning_points
    if len(points) < 2 or points[0] != genesis:
        _refuse("the past pruning points must start at genesis and hold at least two")
    if len(set(points)) != len(points) or len(set(data.anticone)) != len(data.anticone):
        _refuse("a past pruning point or an anticone block is named twice")
    if not data.anticone or data.anticone[0] != points[-1]:
        _refuse("the anticone must start with the pruning point")
    sent: dict[Hash, TrustedBlock] = {}
    previous: tuple[int, Hash] | None = None
    for block in data.blocks:
        _check_block(block, sent, genesis, preset)
        key = ordering.sort_key(block.ghostdag)
        if previous is not None and key <= previous:
            _refuse(f"block {block.hash} is not above the block before it in sort_key order")
        previous = key
        sent[block.hash] = block
    for block in data.blocks:
        for earlier in (*block.header.parents, *block.ghostdag.mergeset_without_selected_parent()):
            below = sent.get(earlier)
            if below is not None and ordering.sort_key(below.ghostdag) >= ordering.sort_key(
                block.ghostdag
            ):
                _refuse(f"block {block.hash} names {earlier}, which is sent after it")
    for point in (*points[1:], *data.anticone):
        if point not in sent:
            _refuse(f"pruning point or anticone block {point} is not among the blocks")
    for lower, upper in itertools.pairwise(points):
        if sent[upper].pruning_sample != lower:
            _refuse(f"past pruning point {upper} does not link to {lower} as its sample")


def _check_block(
    block: TrustedBlock, sent: dict[Hash, TrustedBlock], genesis: Hash, preset: Preset
) -> None:
    header, data = block.header, block.ghostdag
    if header_hash(header) != data.hash:
        _refuse(f"a header does not hash to {data.hash}")
    if data.hash == genesis or data.hash in sent:
        _refuse(f"block {data.hash} is genesis or sent twice")
    try:
        if target_from_bits(header.bits) < 1:
            raise InvalidDifficulty(header.bits, "the bits name no positive target")
        check_proof_of_work(header, preset)
    except DagspecError as error:
        _refuse(f"block {data.hash}: {error.message}")
    if data.blue_score != header.blue_score or data.blue_work != header.blue_work:
        _refuse(f"block {data.hash}: GHOSTDAG blue score or blue work differ from its header's")
    parents = header.parents
    if data.selected_parent is None or data.selected_parent not in parents:
        _refuse(f"block {data.hash}: its selected parent is not one of its parents")
    if not data.mergeset_blues or data.mergeset_blues[0] != data.selected_parent:
        _refuse(f"block {data.hash}: its mergeset blues do not start with its selected parent")


def _refuse(message: str) -> None:
    raise InvalidTrustedData(Code.BAD_TRUSTED_DATA, message)
