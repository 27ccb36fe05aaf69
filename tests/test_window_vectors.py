"""rusty-kaspa's ``block_window_test``: every window of a 15-block DAG, exactly as Kaspa lists it.

``testing/integration/src/consensus_integration_tests.rs`` (``block_window_test``; kaspad's
``TestBlockWindow`` is the same DAG with hash-dependent orders): genesis ``A``, K = 1, a window
of 10 blocks sampling every DAA block, block IDs as ASCII letters padded with zero bytes (so
hash order is letter order), every block at mainnet genesis bits. The expected windows are in
descending ``(blue_work, hash)`` order.
"""

from __future__ import annotations

import pytest

from reference.hash import Hash
from tests.ghostdag_helpers import roomy_preset
from tests.window_harness import HeaderDag, full_header

BITS = 0x1D02CA33
"""Kaspa mainnet genesis bits; every block carries them."""

# (block, parents, expected window) in insertion order, transcribed from the Rust test.
BLOCK_WINDOW_TEST = (
    ("B", "A", ""),
    ("C", "B", "B"),
    ("D", "B", "B"),
    ("E", "DC", "DCB"),
    ("F", "DC", "DCB"),
    ("G", "A", ""),
    ("H", "G", "G"),
    ("I", "HF", "FHDCGB"),
    ("J", "I", "IFHDCGB"),
    ("K", "J", "JIFHDCGB"),
    ("L", "K", "KJIFHDCGB"),
    ("M", "L", "LKJIFHDCGB"),
    ("N", "M", "MLKJIFHDCG"),
    ("O", "N", "NMLKJIFHDC"),
)


def _hashes(letters: str) -> tuple[Hash, ...]:
    return tuple(Hash.from_label(letter) for letter in letters)


@pytest.mark.parametrize("cache_capacity", [1024, 0])
def test_block_window_test(cache_capacity: int) -> None:
    preset = roomy_preset(1).with_overrides(
        {"difficulty_window_size": 10, "difficulty_sample_rate": 1, "min_difficulty_window_size": 2}
    )
    genesis = Hash.from_label("A")
    dag = HeaderDag(preset, genesis, full_header((), 0, BITS))
    manager = dag.manager(cache_capacity)
    for index, (block, parents, expected) in enumerate(BLOCK_WINDOW_TEST, start=1):
        data = dag.add(Hash.from_label(block), full_header(_hashes(parents), 1000 * index, BITS))
        window = manager.daa_window(data)
        assert window.blocks == _hashes(expected), block
        dag.headers[Hash.from_label(block)] = full_header(
            _hashes(parents), 1000 * index, BITS, window.daa_score
        )
        manager.remember(data)


def test_block_window_test_dag_agrees_with_the_oracle() -> None:
    """The same windows, from the brute-force oracle (the transcription is checked twice)."""
    preset = roomy_preset(1).with_overrides(
        {"difficulty_window_size": 10, "difficulty_sample_rate": 1, "min_difficulty_window_size": 2}
    )
    genesis = Hash.from_label("A")
    dag = HeaderDag(preset, genesis, full_header((), 0, BITS))
    for block, parents, expected in BLOCK_WINDOW_TEST:
        data = dag.add(Hash.from_label(block), full_header(_hashes(parents), 0, BITS))
        assert data.selected_parent is not None
        oracle = dag.oracle()
        window = oracle.daa_window(_hashes(parents), data.selected_parent, data.blue_score)
        assert tuple(window) == _hashes(expected), block
