"""Next bits, DAA scores and the two context rules, each against a second formula or Kaspa.

- :func:`next_bits` against kaspad's form of the same computation (two integer divisions,
  ``requiredDifficultyFromTargetsWindow``), with the oracle's own compact coder, on random
  windows; and on hand-made windows for the warm-up, the 1 ms floor, the cap and tie-breaks.
- kaspad ``TestDAAScore`` (``difficultymanager_test.go``): a DAG where a merged block falls out
  of the DAA window and does not count.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reference.errors import BlockRejected, Code
from reference.hash import Hash
from reference.presets import Preset, get_preset
from reference.processes.difficulty import (
    MAX_DIFFICULTY_TARGET,
    DifficultySample,
    check_bits,
    check_daa_score,
    daa_score,
    lowest_daa_blue_score,
    next_bits,
    summarize,
)
from reference.processes.window import DaaWindow
from tests.daa_oracle import compact_to_target, target_to_compact
from tests.window_harness import HeaderDag, full_header

MAINNET_GENESIS_BITS = 0x1D02CA33


def _preset(size: int, rate: int, minimum: int, target_time: int = 1000) -> Preset:
    return get_preset(
        "minimal",
        {
            "difficulty_window_size": size,
            "difficulty_sample_rate": rate,
            "min_difficulty_window_size": minimum,
            "target_time_per_block_ms": target_time,
        },
    )


def _kaspad(samples: list[DifficultySample], preset: Preset, ranks: list[int]) -> int:
    """kaspad's order of operations: average, times the span, / target time, / (n - 1).

    ``ranks`` give each sample's ``sort_key`` rank (higher ranks higher); the earliest block is
    the minimum of (timestamp, rank).
    """
    earliest = min(range(len(samples)), key=lambda i: (samples[i].timestamp, ranks[i]))
    rest = [s for i, s in enumerate(samples) if i != earliest]
    average = sum(compact_to_target(s.bits) for s in rest) // len(rest)
    span = max(max(s.timestamp for s in samples) - samples[earliest].timestamp, 1)
    slot = preset.target_time_per_block_ms * preset.difficulty_sample_rate
    return target_to_compact(min(average * span // slot // len(rest), 2**255 - 1))


BITS = st.sampled_from((0x207FFFFF, 0x1F00FFFF, 0x1D02CA33, 0x1B0404CB, 0x1A7FFFFF, 0x03123456))


@given(
    st.lists(st.tuples(st.integers(0, 10**13), BITS), min_size=2, max_size=30),
    st.integers(1, 40),
    st.sampled_from((1, 100, 1000)),
)
def test_next_bits_equals_kaspads_formula(
    window: list[tuple[int, int]], rate: int, target_time: int
) -> None:
    samples = [DifficultySample(timestamp, bits) for timestamp, bits in window]
    preset = _preset(len(samples), rate, 2, target_time)
    # Window order is descending sort_key: the first sample ranks highest.
    ranks = list(range(len(samples), 0, -1))
    assert next_bits(summarize(samples), preset, 0xDEADBEEF) == _kaspad(samples, preset, ranks)


def test_warm_up_keeps_the_given_bits() -> None:
    preset = _preset(10, 2, 4)
    samples = [DifficultySample(1000 * i, 0x1D02CA33) for i in range(3)]
    assert next_bits(summarize(samples), preset, 0x1E00FF00) == 0x1E00FF00
    assert next_bits(
        summarize([*samples, DifficultySample(9000, 0x1D02CA33)]), preset, 0x1E00FF00
    ) != (0x1E00FF00)


def test_on_target_the_bits_stay() -> None:
    """n samples exactly rate x target time apart: the average target comes back."""
    preset = _preset(8, 4, 2)
    samples = [DifficultySample(4000 * i, 0x1D02CA33) for i in range(8)][::-1]
    assert next_bits(summarize(samples), preset, 0) == 0x1D02CA33


def test_equal_timestamps_count_as_one_millisecond() -> None:
    preset = _preset(8, 1, 2)
    samples = [DifficultySample(5, 0x1D7FFFFF) for _ in range(5)]
    target = compact_to_target(0x1D7FFFFF)
    assert next_bits(summarize(samples), preset, 0) == target_to_compact(target * 1 // (1000 * 4))


def test_the_target_is_capped() -> None:
    preset = _preset(4, 1, 2)
    samples = [DifficultySample(t, 0x207FFFFF) for t in (10**9, 10**6, 0)]
    assert (
        next_bits(summarize(samples), preset, 0)
        == target_to_compact(MAX_DIFFICULTY_TARGET)
        == 0x207FFFFF
    )


def test_earliest_tie_goes_to_the_lower_sort_key() -> None:
    """Two blocks share the earliest timestamp: the later in window order (lower key) is the
    one left out of the average."""
    preset = _preset(4, 1, 2)
    high, low = 0x1D7FFFFF, 0x1C7FFFFF
    samples = [DifficultySample(3000, high), DifficultySample(0, high), DifficultySample(0, low)]
    expected = (compact_to_target(high) * 2 // 2) * 3000 // (1000 * 2)
    assert next_bits(summarize(samples), preset, 0) == target_to_compact(expected)
    swapped = [samples[0], samples[2], samples[1]]
    expected = ((compact_to_target(high) + compact_to_target(low)) // 2) * 3000 // 2000
    assert next_bits(summarize(swapped), preset, 0) == target_to_compact(expected)


def test_lowest_daa_blue_score() -> None:
    preset = _preset(32, 2, 16)
    assert lowest_daa_blue_score(preset, 0) == 0
    assert lowest_daa_blue_score(preset, 64) == 0
    assert lowest_daa_blue_score(preset, 65) == 1
    assert lowest_daa_blue_score(preset, 1000) == 936
    assert daa_score(10, 3, 1) == 12


def test_kaspad_daa_score() -> None:
    """kaspad TestDAAScore with the window of 86 sampled at rate 1 (K = 18)."""
    preset = get_preset(
        "kaspa-1bps", {"difficulty_window_size": 86, "min_difficulty_window_size": 86}
    )
    genesis = Hash.from_label("genesis")
    dag = HeaderDag(preset, genesis, full_header((), 0, MAINNET_GENESIS_BITS, 7))
    manager = dag.manager()
    clock = iter(range(1000, 10**9, 1000))

    def add(name: str, *parents: str) -> DaaWindow:
        block = Hash.from_label(name)
        parent_hashes = tuple(Hash.from_label(p) for p in parents)
        data = dag.add(block, full_header(parent_hashes, next(clock), MAINNET_GENESIS_BITS))
        window = manager.daa_window(data)
        timestamp = dag.headers[block].timestamp
        dag.headers[block] = full_header(
            parent_hashes, timestamp, MAINNET_GENESIS_BITS, window.daa_score
        )
        manager.remember(data)
        return window

    assert add("split1", "genesis").daa_score == 7  # genesis is never a DAA block
    assert add("block", "genesis").daa_score == 7
    assert add("score3", "split1", "block").daa_score == 7 + 2
    tip = "score3"
    for i in range(10):
        assert add(f"a{i}", tip).daa_score == 9 + i + 1
        tip = f"a{i}"
    split2 = tip
    for i in range(85):
        assert add(f"b{i}", tip).daa_score == 19 + i + 1
        tip = f"b{i}"
    add("above_split1", "split1")
    add("above_split2", split2)
    merging = add("merging", "above_split1", "above_split2", tip)
    assert merging.daa_score == 104 + 2
    assert merging.mergeset_non_daa == {Hash.from_label("above_split1")}
    data = dag.consensus.ghostdag_data(Hash.from_label("merging"))
    daa_added = set(data.mergeset_blues + data.mergeset_reds) - merging.mergeset_non_daa
    assert daa_added == {Hash.from_label("above_split2"), Hash.from_label(tip)}


def test_context_rules() -> None:
    block = Hash.from_label("x")
    header = full_header((), 0, 0x1D02CA33, 12)
    check_daa_score(header, block, DaaWindow((), 12, frozenset()))
    with pytest.raises(BlockRejected) as error:
        check_daa_score(header, block, DaaWindow((), 13, frozenset()))
    assert error.value.code is Code.BAD_DAA_SCORE
    check_bits(header, block, 0x1D02CA33)
    with pytest.raises(BlockRejected) as error:
        check_bits(header, block, 0x1D02CA34)
    assert error.value.code is Code.UNEXPECTED_DIFFICULTY
