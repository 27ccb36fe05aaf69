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


@dataclass(frozen=True, slots=True)
class WindowSummary:
    """Everything the next bits depend on, of a non-empty DAA window."""

    count: int
    """Number of blocks in the window."""
    earliest_timestamp: int
    """Timestamp of the window's *earliest* block: least timestamp, and among equal
    timestamps least ``sort_key``."""
    earliest_target: int
    """Target of the earliest block."""
    latest_timestamp: int
    """Greatest timestamp in the window."""
    target_sum: int
    """Sum of the targets of all the window's blocks."""


# Windows repeat the same few bits values block after block; decoding each once is enough.
target_of: Final = lru_cache(maxsize=4096)(decode_bits)
"""The target a compact ``bits`` value denotes (:func:`reference.bits.decode_bits`)."""


def summarize(samples: Sequence[DifficultySample]) -> WindowSummary | None:
    """The summary of a window given in window order (descending ``sort_key``), so that among
    equal timestamps the earliest block is the last one; ``None`` for an empty window."""
    if not samples:
        return None
    earliest = min(range(len(samples)), key=lambda i: (samples[i].timestamp, -i))
    return WindowSummary(
        count=len(samples),
        earliest_timestamp=samples[earliest].timestamp,
        earliest_target=target_of(samples[earliest].bits),
        latest_timestamp=max(sample.timestamp for sample in samples),
        target_sum=sum(target_of(sample.bits) for sample in samples),
    )


def next_bits(window: WindowSummary | None, preset: Preset, warm_up_bits: int) -> int:
    """The bits required of a block whose DAA window is summarised by ``window``.

    A window of fewer than ``min_difficulty_window_size`` blocks gives ``warm_up_bits``.
    Otherwise the earliest block only marks where the window's time span begins: the average
    target is taken over the other ``n - 1`` blocks, and scaled by the measured span (at least
    1 ms) over the expected one, ``n - 1`` sampled intervals of ``difficulty_sample_rate``
    target block times. The result is capped at :data:`MAX_DIFFICULTY_TARGET`; there is no
    other clamp.
    """
    if window is None or window.count < preset.min_difficulty_window_size:
        return warm_up_bits
    averaged = window.count - 1
    average_target = (window.target_sum - window.earliest_target) // averaged
    measured = max(window.latest_timestamp - window.earliest_timestamp, 1)
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
