"""Header validation: the rules a block must pass to join the DAG, in their canonical order.

The rules are checked one after another in the order of :data:`RULE_ORDER`, and the first rule
a header breaks decides its rejection code, so a header that breaks several rules always gets
the same code from every implementation. Context-free rules come first (the header alone
decides them), then rules that read the DAG, then the rules that need the block's GHOSTDAG data.
Validation reads the stores and never writes them: a rejected header changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from reference import ordering
from reference.block import Header
from reference.errors import BlockRejected, Code
from reference.presets import Preset
from reference.processes.ghostdag.data import GhostdagData
from reference.processes.ghostdag.protocol import GhostdagContext, ghostdag
from reference.work import MAX_UINT256, work_from_target

RULE_ORDER: Final[tuple[Code, ...]] = (
    Code.DUPLICATE_BLOCK,
    Code.NO_PARENTS,
    Code.TOO_MANY_PARENTS,
    Code.DUPLICATE_PARENT,
    Code.INVALID_DIFFICULTY,
    Code.UNKNOWN_PARENT,
    Code.PARENTS_NOT_ANTICHAIN,
    Code.MERGESET_TOO_BIG,
    Code.BAD_BLUE_SCORE,
    Code.BAD_BLUE_WORK,
)
"""Every header rejection code, in the order the rules are checked."""


@dataclass(frozen=True, slots=True)
class ValidatedHeader:
    """A header that passed every rule, with what validation computed for it."""

    header: Header
    """The header itself."""
    work: int
    """The work of the header's own target."""
    ghostdag: GhostdagData
    """The block's GHOSTDAG data, computed from its parents."""


def check_not_known(header: Header, context: GhostdagContext) -> None:
    """DUPLICATE_BLOCK: the block is already in the DAG (genesis included)."""
    if context.ghostdag_store.has(header.hash):
        raise BlockRejected(Code.DUPLICATE_BLOCK, header.hash, "block already known")


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


def validate_header(header: Header, preset: Preset, context: GhostdagContext) -> ValidatedHeader:
    """Check every rule in :data:`RULE_ORDER` order; raise the first broken one.

    Reads the stores and the reachability service, never writes them.
    """
    check_not_known(header, context)
    check_parent_count(header, preset)
    check_distinct_parents(header)
    work = check_difficulty(header)
    check_parents_known(header, context)
    check_parents_antichain(header, context)
    data = ghostdag(context, header.hash, header.parents)
    check_mergeset_size(header, data, preset)
    check_blue_score(header, data)
    check_blue_work(header, data)
    return ValidatedHeader(header=header, work=work, ghostdag=data)
