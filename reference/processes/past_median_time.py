"""Past median time, and the two timestamp rules of a header.

A block's past median time is a robust "now" of its past, taken over its sampled
past-median-time window (:mod:`reference.processes.window`): the rounded mean of the
:data:`AVERAGE_FRAME_SIZE` timestamps at the centre of the window (rusty-kaspa
``SampledPastMedianTimeManager``, KIP-4). A header's timestamp must be strictly after it, and
not too far ahead of the validating node's clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from reference.errors import BlockRejected, Code
from reference.hash import Hash
from reference.header import BlockHeader
from reference.presets import Preset

AVERAGE_FRAME_SIZE: Final = 11
"""How many central timestamps of the window are averaged."""


def past_median_time_of(timestamps: Iterable[int], selected_parent_timestamp: int) -> int:
    """The past median time of a window whose blocks carry ``timestamps`` (milliseconds).

    Sort the timestamps and take the frame of ``f = min(n, 11)`` consecutive values at the
    centre, the higher of the two central frames when ``n - f`` is odd; the result is their
    mean rounded half up. An empty window (the selected parent is genesis) gives
    ``selected_parent_timestamp``.
    """
    ordered = sorted(timestamps)
    if not ordered:
        return selected_parent_timestamp
    frame = min(len(ordered), AVERAGE_FRAME_SIZE)
    end = (len(ordered) + frame + 1) // 2
    return (sum(ordered[end - frame : end]) + frame // 2) // frame


def max_future_timestamp(preset: Preset, now_ms: int) -> int:
    """The latest timestamp a header may carry when the node's clock reads ``now_ms``.

    ``timestamp_deviation_tolerance`` is counted in seconds, whatever the block rate (as in
    rusty-kaspa; kaspad counted target block times, the same at 1 block per second).
    """
    return now_ms + preset.timestamp_deviation_tolerance * 1000


def check_timestamp_not_in_future(
    header: BlockHeader, block: Hash, preset: Preset, now_ms: int
) -> None:
    """TIME_TOO_FAR_IN_FUTURE: the timestamp is at most :func:`max_future_timestamp`.

    ``now_ms`` is the validating node's clock, given by the caller so that the rule is a pure
    function. Kaspa rejects such a header without remembering it as invalid: it may become
    valid later.
    """
    latest = max_future_timestamp(preset, now_ms)
    if header.timestamp > latest:
        raise BlockRejected(
            Code.TIME_TOO_FAR_IN_FUTURE,
            block,
            f"timestamp {header.timestamp} is after {latest} (now {now_ms})",
        )


def check_timestamp_after_past_median_time(
    header: BlockHeader, block: Hash, past_median_time: int
) -> None:
    """TIME_TOO_OLD: the timestamp is strictly after the block's past median time."""
    if header.timestamp <= past_median_time:
        raise BlockRejected(
            Code.TIME_TOO_OLD,
            block,
            f"timestamp {header.timestamp} is not after the past median time {past_median_time}",
        )
