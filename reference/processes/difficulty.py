"""Difficulty adjustment: DAA scores, the bits a block must carry, and the two rules on them.

Kaspa's difficulty adjustment algorithm (rusty-kaspa ``SampledDifficultyManager``, KIP-4): a
block's bits are derived from its sampled DAA window (:mod:`reference.processes.window`) — the
average target of the window, scaled by how long the window took against how long it should
have taken. Mergeset blocks too far below the block (by blue score) are *non-DAA*: they count
towards neither the DAA score nor any window. ``spec/difficulty`` gives the full rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from reference.bits import decode_bits, encode_bits
from reference.errors import BlockRejected, Code
from reference.hash import Hash
from reference.header import BlockHeader
from reference.presets import Preset

if TYPE_CHECKING:  # the window module builds on this one
    from reference.processes.window import DaaWindow

MAX_DIFFICULTY_TARGET: Final = (1 << 255) - 1
"""The easiest target a computed difficulty may reach (Kaspa's ``max_difficulty_target``)."""


def lowest_daa_blue_score(preset: Preset, blue_score: int) -> int:
    """The lowest blue score a block may have to count as a DAA block of a block of
    ``blue_score``: ``blue_score`` minus the blocks one DAA window covers, floored at 0.

    The DAA parameters decide it for the past-median-time window too.
    """
    covered = preset.difficulty_window_size * preset.difficulty_sample_rate
    return max(blue_score, covered) - covered


def daa_score(selected_parent_daa_score: int, mergeset_size: int, non_daa_count: int) -> int:
    """A block's DAA score: its selected parent's, plus its mergeset's DAA blocks.

    ``mergeset_size`` counts the selected parent; ``non_daa_count`` is the number of non-DAA
    blocks in the mergeset.
    """
    return selected_parent_daa_score + mergeset_size - non_daa_count


@dataclass(frozen=True, slots=True)
class DifficultySample:
    """What the difficulty adjustment reads of one window block."""

    timestamp: int
    """The block's timestamp in milliseconds."""
    bits: int
    """The block's compact target."""


# Windows repeat the same few bits values block after block; decoding each once is enough.
_target_of: Final = lru_cache(maxsize=4096)(decode_bits)


def next_bits(samples: Sequence[DifficultySample], preset: Preset, warm_up_bits: int) -> int:
    """The bits required of a block whose sampled DAA window is ``samples``.

    ``samples`` are in window order: descending ``sort_key``. A window of fewer than
    ``min_difficulty_window_size`` samples gives ``warm_up_bits``. Otherwise the earliest block
    — least timestamp, and among equal timestamps least ``sort_key`` (the last in window
    order) — only marks where the window's time span begins: the average target is taken over
    the other ``n - 1`` blocks, and scaled by the measured span (at least 1 ms) over the
    expected one, ``n - 1`` sampled intervals of ``difficulty_sample_rate`` target block times.
    The result is capped at :data:`MAX_DIFFICULTY_TARGET`; there is no other clamp.
    """
    count = len(samples)
    if count < preset.min_difficulty_window_size:
        return warm_up_bits
    earliest = min(range(count), key=lambda i: (samples[i].timestamp, -i))
    start = samples[earliest].timestamp
    end = max(sample.timestamp for sample in samples)
    averaged = count - 1
    total = sum(_target_of(sample.bits) for i, sample in enumerate(samples) if i != earliest)
    average_target = total // averaged
    measured = max(end - start, 1)
    expected = preset.target_time_per_block_ms * preset.difficulty_sample_rate * averaged
    return encode_bits(min(average_target * measured // expected, MAX_DIFFICULTY_TARGET))


def check_daa_score(header: BlockHeader, block: Hash, window: DaaWindow) -> None:
    """BAD_DAA_SCORE: the header's DAA score equals the one its DAA window gives."""
    if header.daa_score != window.daa_score:
        raise BlockRejected(
            Code.BAD_DAA_SCORE, block, f"DAA score {header.daa_score}, expected {window.daa_score}"
        )


def check_bits(header: BlockHeader, block: Hash, expected: int) -> None:
    """UNEXPECTED_DIFFICULTY: the header's bits equal the bits its DAA window requires."""
    if header.bits != expected:
        raise BlockRejected(
            Code.UNEXPECTED_DIFFICULTY,
            block,
            f"bits {header.bits:#010x}, expected {expected:#010x}",
        )
