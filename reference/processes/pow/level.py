"""Block levels and the number of parent levels a header may carry.

A block's *level* measures how lucky its proof of work was: ``max_block_level`` minus the bit
length of its PoW value, at least 0; genesis has the highest level. A level-``l`` block is a
block of every level below ``l`` too, and a header names its parents per level in
``parents_by_level`` (Kaspa's pruning proofs are built from these level DAGs).
"""

from __future__ import annotations

from reference.errors import BlockRejected, Code
from reference.header import BlockHeader, header_hash
from reference.presets import Preset
from reference.processes.pow.state import pow_value


def level_from_pow(value: int, max_block_level: int) -> int:
    """``max(0, max_block_level - bit_length(value))``."""
    return max(0, max_block_level - value.bit_length())


def block_level(header: BlockHeader, preset: Preset) -> int:
    """The level of a header: ``preset.max_block_level`` for genesis (no parents), else from
    its proof-of-work value. Computed even where ``skip_proof_of_work`` holds, as Kaspa does."""
    if not header.parents_by_level:
        return preset.max_block_level
    return level_from_pow(pow_value(header), preset.max_block_level)


def check_parent_levels(header: BlockHeader, preset: Preset) -> None:
    """Reject a header with more than ``preset.max_parent_levels`` parent levels
    (``TOO_MANY_PARENT_LEVELS``)."""
    count = len(header.parents_by_level)
    if count > preset.max_parent_levels:
        raise BlockRejected(
            Code.TOO_MANY_PARENT_LEVELS,
            header_hash(header),
            f"{count} parent levels, at most {preset.max_parent_levels} allowed",
        )
