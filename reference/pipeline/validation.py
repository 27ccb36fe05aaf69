"""Header validation: the rules a block must pass to join the DAG, in Kaspa's stages.

A header passes five stages, in this order, and the first rule it breaks decides its rejection
code, so a header that breaks several rules gets the same code from every implementation:

1. **isolation** — the header alone decides: version, a timestamp not too far in the future,
   the parent count, distinct parents, the parent levels, a valid target, the proof of work;
2. **parent relations** — every parent is known and not known to be invalid, no parent is
   an ancestor of another, and some parent is the node's pruning point or in its future;
3. **GHOSTDAG** — the block's selected parent, mergeset colouring, blue score and blue work
   are computed (this stage rejects nothing);
4. **context** — the DAA score and the bits equal those the block's DAA window requires;
5. **post proof of work** — blue score, blue work, a timestamp after the past median time,
   the mergeset size, the bounded merge depth and the header's pruning point.

The rules that read timestamps, bits, DAA scores or proof of work apply only to complete
headers (*header mode*); a DAG-mode header (adapter protocol 1) passes them. Validation reads
the stores and never writes them; :class:`~reference.consensus.Consensus` commits a validated
header, and remembers a complete header that broke a post-proof-of-work rule as invalid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from reference import ordering
from reference.block import Header
from reference.errors import BlockRejected, Code
from reference.hash import Hash
from reference.header import BlockHeader
from reference.presets import Preset
from reference.processes.block_depth import DepthContext, block_depth
from reference.processes.difficulty import check_bits, check_daa_score
from reference.processes.ghostdag.data import GhostdagData
from reference.processes.ghostdag.protocol import GhostdagContext, ghostdag
from reference.processes.merge_depth import check_bounded_merge_depth
from reference.processes.past_median_time import (
    check_timestamp_after_past_median_time,
    check_timestamp_not_in_future,
)
from reference.processes.pow.level import check_parent_levels
from reference.processes.pow.state import check_proof_of_work
from reference.processes.pruning import (
    PruningContext,
    block_pruning,
    check_header_pruning_point,
    check_pruning_violation,
)
from reference.processes.window import DaaWindow, WindowManager
from reference.stores.depth import BlockDepth
from reference.stores.pruning import BlockPruning, PastPruningPointsStore
from reference.stores.statuses import StatusStore
from reference.work import MAX_UINT256, work_from_target

ISOLATION_RULES: Final[tuple[Code, ...]] = (
    Code.DUPLICATE_BLOCK,
    Code.KNOWN_INVALID,
    Code.BAD_VERSION,
    Code.TIME_TOO_FAR_IN_FUTURE,
    Code.NO_PARENTS,
    Code.TOO_MANY_PARENTS,
    Code.DUPLICATE_PARENT,
    Code.TOO_MANY_PARENT_LEVELS,
    Code.INVALID_DIFFICULTY,
    Code.INVALID_POW,
)
"""Stage 1: rules the header alone decides (a known or known-invalid hash comes first)."""

PARENT_RULES: Final[tuple[Code, ...]] = (
    Code.INVALID_PARENT,
    Code.UNKNOWN_PARENT,
    Code.PARENTS_NOT_ANTICHAIN,
    Code.PRUNING_VIOLATION,
)
"""Stage 2: rules about the parents' place in the DAG."""

CONTEXT_RULES: Final[tuple[Code, ...]] = (Code.BAD_DAA_SCORE, Code.UNEXPECTED_DIFFICULTY)
"""Stage 4: rules about the block's DAA window (complete headers only)."""

POST_POW_RULES: Final[tuple[Code, ...]] = (
    Code.BAD_BLUE_SCORE,
    Code.BAD_BLUE_WORK,
    Code.TIME_TOO_OLD,
    Code.MERGESET_TOO_BIG,
    Code.VIOLATING_MERGE_DEPTH,
    Code.BAD_PRUNING_POINT,
)
"""Stage 5: rules checked after GHOSTDAG; a complete header breaking one is remembered invalid."""

RULE_ORDER: Final[tuple[Code, ...]] = (
    ISOLATION_RULES + PARENT_RULES + CONTEXT_RULES + POST_POW_RULES
)
"""Every header rejection code, in the order the rules are checked."""


@dataclass(frozen=True, slots=True)
class ValidationContext:
    """Everything validation reads: the parameters, the stores and the derived-data managers."""

    preset: Preset
    """The consensus parameters."""
    ghostdag: GhostdagContext
    """The stores GHOSTDAG reads, and reachability."""
    statuses: StatusStore
    """Which blocks are accepted and which are remembered invalid."""
    windows: WindowManager
    """DAA windows, DAA scores, required bits and past median times of complete headers."""
    depth: DepthContext
    """What merge-depth roots and finality points are computed from."""
    pruning: PruningContext
    """What pruning samples and expected pruning points are computed from."""
    pruning_points: PastPruningPointsStore
    """The node's pruning points; the last is the current one."""

    @property
    def pruning_point(self) -> Hash:
        """The node's current pruning point (genesis until the pruning point moves)."""
        return self.pruning_points.current()


@dataclass(frozen=True, slots=True)
class HeaderModeData:
    """What validation derived from a complete header's fields and its DAA window."""

    daa_window: DaaWindow
    """The block's DAA window, DAA score and non-DAA mergeset blocks."""
    bits: int
    """The bits the window requires (equal to the header's)."""
    past_median_time: int
    """The past median time of the block, in milliseconds (below the header's timestamp)."""


@dataclass(frozen=True, slots=True)
class ValidatedHeader:
    """A header that passed every rule, with what validation computed for it."""

    header: Header
    """The header itself."""
    work: int
    """The work of the header's own target."""
    ghostdag: GhostdagData
    """The block's GHOSTDAG data, computed from its parents."""
    depth: BlockDepth
    """The block's merge-depth root and finality point."""
    pruning: BlockPruning
    """The block's pruning sample and expected pruning point."""
    header_mode: HeaderModeData | None
    """Derived header-mode data; ``None`` for a DAG-mode header."""


def check_not_known(header: Header, context: GhostdagContext) -> None:
    """DUPLICATE_BLOCK: the block is already in the DAG (genesis included)."""
    if context.ghostdag_store.has(header.hash):
        raise BlockRejected(Code.DUPLICATE_BLOCK, header.hash, "block already known")


def check_not_known_invalid(header: Header, statuses: StatusStore) -> None:
    """KNOWN_INVALID: the block was rejected before by a rule after its proof of work."""
    if statuses.is_invalid(header.hash):
        raise BlockRejected(Code.KNOWN_INVALID, header.hash, "block is known to be invalid")


def check_version(header: BlockHeader, hash_: Hash, preset: Preset) -> None:
    """BAD_VERSION: the header carries the preset's ``block_version``."""
    if header.version != preset.block_version:
        raise BlockRejected(
            Code.BAD_VERSION,
            hash_,
            f"version {header.version}, expected {preset.block_version}",
        )


def check_parent_count(header: Header, preset: Preset) -> None:
    """NO_PARENTS / TOO_MANY_PARENTS: ``1 <= len(parents) <= max_block_parents``."""
    count = len(header.parents)
    if count == 0:
        raise BlockRejected(Code.NO_PARENTS, header.hash, "a block needs at least one parent")
    if count > preset.max_block_parents:
        raise BlockRejected(
            Code.TOO_MANY_PARENTS,
            header.hash,
            f"{count} parents, at most {preset.max_block_parents} allowed",
        )


def check_distinct_parents(header: Header) -> None:
    """DUPLICATE_PARENT: no hash appears twice among the parents."""
    if len(set(header.parents)) != len(header.parents):
        raise BlockRejected(Code.DUPLICATE_PARENT, header.hash, "a parent is listed twice")


def check_difficulty(header: Header) -> int:
    """INVALID_DIFFICULTY: the target is an integer with ``1 <= target < 2^256``.

    Returns the work of the target.
    """
    target = header.target
    if not isinstance(target, int) or isinstance(target, bool) or not 1 <= target <= MAX_UINT256:
        raise BlockRejected(
            Code.INVALID_DIFFICULTY, header.hash, f"target {target!r} is outside 1 <= t < 2^256"
        )
    return work_from_target(target)


def check_parents_valid(header: Header, statuses: StatusStore) -> None:
    """INVALID_PARENT: no parent is remembered as invalid."""
    for parent in header.parents:
        if statuses.is_invalid(parent):
            raise BlockRejected(Code.INVALID_PARENT, header.hash, f"parent {parent} is invalid")


def check_parents_known(header: Header, context: GhostdagContext) -> None:
    """UNKNOWN_PARENT: every parent is already in the DAG."""
    for parent in header.parents:
        if not context.ghostdag_store.has(parent):
            raise BlockRejected(Code.UNKNOWN_PARENT, header.hash, f"unknown parent {parent}")


def check_parents_antichain(header: Header, context: GhostdagContext) -> None:
    """PARENTS_NOT_ANTICHAIN: no parent is a DAG ancestor of another parent.

    An ancestor always ranks strictly below its descendant under ``sort_key`` (blue work grows
    from parent to child), so only a lower-ranked parent can be an ancestor of a higher one.
    """
    get = context.ghostdag_store.get
    ranked = sorted(header.parents, key=lambda parent: ordering.sort_key(get(parent)))
    is_dag_ancestor_of = context.reachability.is_dag_ancestor_of
    for position, lower in enumerate(ranked):
        for higher in ranked[position + 1 :]:
            if is_dag_ancestor_of(lower, higher):
                raise BlockRejected(
                    Code.PARENTS_NOT_ANTICHAIN,
                    header.hash,
                    f"parent {lower} is an ancestor of parent {higher}",
                )


def check_mergeset_size(header: Header, data: GhostdagData, preset: Preset) -> None:
    """MERGESET_TOO_BIG: blues plus reds, selected parent counted, <= mergeset_size_limit."""
    if data.mergeset_size > preset.mergeset_size_limit:
        raise BlockRejected(
            Code.MERGESET_TOO_BIG,
            header.hash,
            f"mergeset of {data.mergeset_size} blocks, at most {preset.mergeset_size_limit}",
        )


def check_blue_score(header: Header, data: GhostdagData) -> None:
    """BAD_BLUE_SCORE: a claimed blue score equals the computed one."""
    if header.blue_score is not None and header.blue_score != data.blue_score:
        raise BlockRejected(
            Code.BAD_BLUE_SCORE,
            header.hash,
            f"claims blue score {header.blue_score}, computed {data.blue_score}",
        )


def check_blue_work(header: Header, data: GhostdagData) -> None:
    """BAD_BLUE_WORK: a claimed blue work equals the computed one."""
    if header.blue_work is not None and header.blue_work != data.blue_work:
        raise BlockRejected(
            Code.BAD_BLUE_WORK,
            header.hash,
            f"claims blue work {header.blue_work:#x}, computed {data.blue_work:#x}",
        )


def validate_in_isolation(header: Header, context: ValidationContext, now_ms: int) -> None:
    """Stage 1, after the known-block checks: the rules the header alone decides."""
    check_not_known(header, context.ghostdag)
    check_not_known_invalid(header, context.statuses)
    preset = context.preset
    full = header.full
    if full is not None:
        check_version(full, header.hash, preset)
        check_timestamp_not_in_future(full, header.hash, preset, now_ms)
    check_parent_count(header, preset)
    check_distinct_parents(header)
    if full is not None:
        check_parent_levels(full, preset)
    check_difficulty(header)
    if full is not None:
        check_proof_of_work(full, preset)


def validate_parent_relations(header: Header, context: ValidationContext) -> None:
    """Stage 2: parents valid, known, an antichain, and not all outside the future of the
    node's pruning point."""
    check_parents_valid(header, context.statuses)
    check_parents_known(header, context.ghostdag)
    check_parents_antichain(header, context.ghostdag)
    check_pruning_violation(
        header.hash, header.parents, context.pruning_point, context.ghostdag.reachability
    )


def validate_in_context(
    header: Header, data: GhostdagData, context: ValidationContext
) -> tuple[DaaWindow, int] | None:
    """Stage 4: the DAA score and bits the block's window requires (complete headers only)."""
    full = header.full
    if full is None:
        return None
    window = context.windows.daa_window(data)
    check_daa_score(full, header.hash, window)
    bits = context.windows.required_bits(data, window)
    check_bits(full, header.hash, bits)
    return window, bits


def validate_post_pow(
    header: Header, data: GhostdagData, context: ValidationContext
) -> tuple[int | None, BlockDepth, BlockPruning]:
    """Stage 5; returns the past median time (header mode), the block's depth data and its
    pruning data."""
    check_blue_score(header, data)
    check_blue_work(header, data)
    past_median_time: int | None = None
    if header.full is not None:
        past_median_time = context.windows.past_median_time(data)
        check_timestamp_after_past_median_time(header.full, header.hash, past_median_time)
    check_mergeset_size(header, data, context.preset)
    depth = block_depth(context.depth, data, context.pruning_point)
    check_bounded_merge_depth(data, depth.merge_depth_root, context.ghostdag.reachability)
    pruning = block_pruning(context.pruning, data)
    if header.full is not None:
        check_header_pruning_point(header.full, header.hash, pruning.pruning_point)
    return past_median_time, depth, pruning


def validate_header(header: Header, context: ValidationContext, now_ms: int) -> ValidatedHeader:
    """Run the five stages in order; raise the first broken rule of :data:`RULE_ORDER`.

    ``now_ms`` is the validating node's clock (milliseconds since the Unix epoch). Reads the
    stores and the reachability service, never writes them.
    """
    validate_in_isolation(header, context, now_ms)
    validate_parent_relations(header, context)
    data = ghostdag(context.ghostdag, header.hash, header.parents)
    in_context = validate_in_context(header, data, context)
    past_median_time, depth, pruning = validate_post_pow(header, data, context)
    header_mode: HeaderModeData | None = None
    if in_context is not None and past_median_time is not None:
        window, bits = in_context
        header_mode = HeaderModeData(window, bits, past_median_time)
    return ValidatedHeader(
        header=header,
        work=work_from_target(header.target),
        ghostdag=data,
        depth=depth,
        pruning=pruning,
        header_mode=header_mode,
    )
