"""Past median time: the formula, Kaspa's two test DAGs, and the two timestamp rules.

- kaspad ``TestPastMedianTime`` (``pastmediantimemanager_test.go``): a chain of 300 blocks one
  second apart. kaspad's legacy full window takes the upper median of 263 timestamps; the
  sampled formula at sample rate 1 (the ``kaspa-1bps`` preset) gives the same values for
  blocks 263, 271 and 241, and a different one for block 5, whose window has only 4 blocks.
- rusty-kaspa ``median_time_test`` (``consensus_integration_tests.rs``): tolerance 120, a
  past-median-time window of 79 samples at rate 3, a chain of 237 blocks 1 ms apart; a child
  of the tip at the past median time or below is TIME_TOO_OLD, one after it is accepted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reference.errors import BlockRejected, Code
from reference.hash import Hash
from reference.presets import get_preset
from reference.processes.past_median_time import (
    AVERAGE_FRAME_SIZE,
    check_timestamp_after_past_median_time,
    check_timestamp_not_in_future,
    max_future_timestamp,
    past_median_time_of,
)
from tests.window_harness import HeaderDag, full_header

GENESIS_TIME = 1_637_609_671_037
BITS = 0x1D02CA33


def _centre_mean(timestamps: list[int]) -> int:
    """node.md §2.6 restated: the mean of the (at most) 11 central values, rounded half up,
    the later frame when two are equally central."""
    ordered = sorted(timestamps)
    frame = min(len(ordered), 11)
    before = len(ordered) - frame  # values outside the frame; the extra one goes below
    start = before - before // 2
    return math.floor(Fraction(sum(ordered[start : start + frame]), frame) + Fraction(1, 2))


@given(st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=40))
def test_formula_equals_its_definition(timestamps: list[int]) -> None:
    assert past_median_time_of(timestamps, -1) == _centre_mean(timestamps)


def test_formula_examples() -> None:
    assert AVERAGE_FRAME_SIZE == 11
    assert past_median_time_of([], 77) == 77
    assert past_median_time_of([5], 0) == 5
    assert past_median_time_of([1, 2], 0) == 2  # mean 1.5 rounds up
    assert past_median_time_of([4, 1, 3, 2], 0) == 3  # 2.5 rounds up
    # 12 values: the frame is the upper 11 (2..12), not the lower (1..11).
    assert past_median_time_of(range(1, 13), 0) == 7
    # 13 values: the frame 2..12, centred.
    assert past_median_time_of(range(1, 14), 0) == 7
    # Outliers outside the frame do not move it.
    assert past_median_time_of([0, *range(100, 111), 10**12], 0) == 105


def _chain(
    preset_overrides: Mapping[str, object], count: int, step: int
) -> tuple[HeaderDag, list[Hash]]:
    preset = get_preset("kaspa-1bps", preset_overrides)
    genesis = Hash.from_label("genesis")
    dag = HeaderDag(preset, genesis, full_header((), GENESIS_TIME, BITS))
    manager = dag.manager()
    chain = [genesis]
    for i in range(1, count + 1):
        block = Hash((i).to_bytes(8, "little") + bytes(24))
        header = full_header((chain[-1],), GENESIS_TIME + step * i, BITS)
        data = dag.add(block, header)
        window = manager.daa_window(data)
        dag.headers[block] = full_header(
            (chain[-1],), GENESIS_TIME + step * i, BITS, window.daa_score
        )
        manager.remember(data)
        chain.append(block)
    return dag, chain


def test_kaspad_past_median_time() -> None:
    dag, chain = _chain({}, 299, 1000)
    manager = dag.manager()
    oracle = dag.oracle()
    for number, kaspad_full_window in ((263, 132_000), (271, 139_000), (241, 121_000), (5, 3_000)):
        data = dag.consensus.ghostdag_data(chain[number])
        ours = manager.past_median_time(data) - GENESIS_TIME
        assert data.selected_parent is not None
        parents = (data.selected_parent,)
        assert (
            ours
            == oracle.past_median_time(parents, data.selected_parent, data.blue_score)
            - GENESIS_TIME
        )
        window = manager.past_median_time_window(data)
        assert len(window) == min(number - 1, 263)  # genesis never enters a window
        times = sorted(dag.headers[block].timestamp - GENESIS_TIME for block in window)
        assert times[len(times) // 2] == kaspad_full_window  # kaspad's upper median
        if number == 5:
            # Four blocks, 1 s .. 4 s: the sampled formula averages them (rounded half up).
            assert ours == 2_500
        else:
            assert ours == kaspad_full_window


def test_rusty_kaspa_median_time_test() -> None:
    tolerance, rate = 120, 3
    size = (2 * tolerance - 1) // rate
    overrides = {
        "timestamp_deviation_tolerance": tolerance,
        "past_median_time_sample_rate": rate,
        "past_median_time_window_size": size,
        # rusty-kaspa's mainnet DAA parameters decide which blocks are DAA blocks.
        "difficulty_window_size": 661,
        "difficulty_sample_rate": 40,
    }
    count = size * rate
    dag, chain = _chain(overrides, count, 1)
    tip = chain[-1]
    assert dag.consensus.ghostdag_data(tip).blue_score == count
    manager = dag.manager()
    # The GHOSTDAG data of a child of the tip (its timestamp plays no part in its own window).
    trial = Hash.from_label("trial")
    child_data = dag.add(trial, full_header((tip,), GENESIS_TIME + count + 1, BITS))
    past_median_time = manager.past_median_time(child_data)
    oracle = dag.oracle()
    assert past_median_time == oracle.past_median_time((tip,), tip, child_data.blue_score)
    assert past_median_time == GENESIS_TIME + 120  # samples 3, 6, ..., 237: centre 105..135
    for offset, accepted in (
        (count - tolerance - 1, False),
        (count - tolerance, False),
        (tolerance + 1, True),
    ):
        header = full_header((tip,), GENESIS_TIME + offset, BITS)
        if accepted:
            check_timestamp_after_past_median_time(header, trial, past_median_time)
        else:
            with pytest.raises(BlockRejected) as error:
                check_timestamp_after_past_median_time(header, trial, past_median_time)
            assert error.value.code is Code.TIME_TOO_OLD


def test_timestamp_equal_to_past_median_time_is_too_old() -> None:
    header = full_header((), 1000, BITS)
    check_timestamp_after_past_median_time(header, Hash.from_label("x"), 999)
    for past_median_time in (1000, 1001):
        with pytest.raises(BlockRejected) as error:
            check_timestamp_after_past_median_time(header, Hash.from_label("x"), past_median_time)
        assert error.value.code is Code.TIME_TOO_OLD


@pytest.mark.parametrize("preset_name", ["tos", "kaspa-1bps", "kaspa-10bps", "minimal"])
def test_future_bound_is_tolerance_seconds(preset_name: str) -> None:
    preset = get_preset(preset_name)
    now = 1_700_000_000_000
    latest = now + 132 * 1000  # every named preset: 132 s, whatever its block rate
    assert preset.timestamp_deviation_tolerance == 132
    assert max_future_timestamp(preset, now) == latest
    block = Hash.from_label("x")
    check_timestamp_not_in_future(full_header((), latest, BITS), block, preset, now)
    with pytest.raises(BlockRejected) as error:
        check_timestamp_not_in_future(full_header((), latest + 1, BITS), block, preset, now)
    assert error.value.code is Code.TIME_TOO_FAR_IN_FUTURE


@pytest.mark.parametrize("size", [4, 5, 12, 13])
def test_equal_to_and_one_above_the_past_median_time(size: int) -> None:
    """Windows of even and odd size, irregular timestamps: the past median time itself is too
    old, one millisecond more is accepted (Kaspa's data never comes this close)."""
    steps = [700, 1300, 200, 2500, 900, 1000, 50, 1800, 1100, 400, 1600, 950, 30, 1200, 800]
    preset = get_preset(
        "minimal", {"past_median_time_window_size": size, "past_median_time_sample_rate": 1}
    )
    genesis = Hash.from_label("genesis")
    dag = HeaderDag(preset, genesis, full_header((), GENESIS_TIME, BITS))
    manager = dag.manager()
    tip, timestamp = genesis, GENESIS_TIME
    for i, step in enumerate(steps):
        block = Hash.from_label(f"b{i}")
        timestamp += step
        data = dag.add(block, full_header((tip,), timestamp, BITS))
        score = manager.daa_window(data).daa_score
        dag.headers[block] = full_header((tip,), timestamp, BITS, score)
        manager.remember(data)
        tip = block
    child = dag.add(Hash.from_label("child"), full_header((tip,), timestamp, BITS))
    assert len(manager.past_median_time_window(child)) == size
    past_median_time = manager.past_median_time(child)
    oracle = dag.oracle()
    assert past_median_time == oracle.past_median_time((tip,), tip, child.blue_score)
    block = Hash.from_label("child")
    with pytest.raises(BlockRejected) as error:
        check_timestamp_after_past_median_time(
            full_header((tip,), past_median_time, BITS), block, past_median_time
        )
    assert error.value.code is Code.TIME_TOO_OLD
    check_timestamp_after_past_median_time(
        full_header((tip,), past_median_time + 1, BITS), block, past_median_time
    )
