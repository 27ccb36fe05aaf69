"""Windows, DAA scores, non-DAA sets, bits and past median times against the brute-force oracle.

Generated DAGs (the layered network-delay model, long delays so that mergesets hold blocks far
below the merging block) with random timestamps (ties included) and random bits, small windows
and sample rates, K from 0 to 4, and any genesis DAA score. Each block is checked when it is
added, by three managers that must agree with the oracle: one that caches every accepted
block's windows, one that never caches (every window is a chain walk), and one whose cache
holds a single block (windows are evicted and rebuilt). The virtual block is checked at the end.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from hypothesis import given, settings, target
from hypothesis import strategies as st

from conformance.strategies import GeneratedDag, Shape, layered_dags, random_layered_dag
from reference.hash import ZERO_HASH, Hash
from reference.processes.ghostdag.data import GhostdagData
from reference.processes.window import WindowManager
from tests.daa_oracle import DaaOracle
from tests.ghostdag_helpers import roomy_preset
from tests.window_harness import HeaderDag, full_header

BITS = (0x207FFFFF, 0x2000FFFF, 0x1F7FFFFF, 0x1D02CA33, 0x1E00FF00)
"""Compact targets: near the maximum target (so the cap is reached), and well below it."""


@st.composite
def dags(draw: st.DrawFn) -> GeneratedDag:
    """Small shrinkable DAGs, or larger seeded ones with long delays (deep merges)."""
    if draw(st.booleans()):
        return draw(layered_dags(max_layers=10, max_width=4, max_delay=5, max_difficulty=1))
    shape = Shape(
        layers=0,
        max_width=draw(st.integers(1, 4)),
        max_delay=draw(st.integers(2, 8)),
        max_parents=8,
        max_difficulty=1,
    )
    return random_layered_dag(draw(st.integers(0, 2**32 - 1)), draw(st.integers(10, 48)), shape)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[HeaderDag, GeneratedDag, dict[Hash, tuple[int, int]]]:
    dag = draw(dags())
    size = draw(st.integers(2, 5))
    preset = roomy_preset(draw(st.integers(0, 4))).with_overrides(
        {
            "difficulty_window_size": size,
            "difficulty_sample_rate": draw(st.integers(1, 2)),
            "min_difficulty_window_size": draw(st.integers(2, size)),
            "past_median_time_window_size": draw(st.integers(1, 13)),
            "past_median_time_sample_rate": draw(st.integers(1, 3)),
            "target_time_per_block_ms": draw(st.sampled_from((1, 3, 1000))),
        }
    )
    fields = {
        block.hash: (draw(st.integers(0, 12)) * 250, draw(st.sampled_from(BITS)))
        for block in dag.blocks
    }
    genesis = dag.genesis.hash
    timestamp, bits = fields[genesis]
    genesis_header = full_header((), timestamp, bits, draw(st.integers(0, 40)))
    return HeaderDag(preset, genesis, genesis_header), dag, fields


def _check(
    manager: WindowManager, oracle: DaaOracle, data: GhostdagData, parents: tuple[Hash, ...]
) -> None:
    selected_parent = data.selected_parent
    assert selected_parent is not None
    args = (parents, selected_parent, data.blue_score)
    window = manager.daa_window(data)
    assert list(window.blocks) == oracle.daa_window(*args)
    assert window.daa_score == oracle.daa_score_of(*args)
    assert window.mergeset_non_daa == oracle.non_daa(*args)
    assert manager.required_bits(data, window) == oracle.bits(*args)
    # A window the manager did not just build is summarised from its blocks' headers.
    assert manager.required_bits(data, replace(window)) == oracle.bits(*args)
    assert list(manager.past_median_time_window(data)) == oracle.median_time_window(*args)
    assert manager.past_median_time(data) == oracle.past_median_time(*args)


@settings(max_examples=100)
@given(scenarios())
def test_windows_equal_the_oracle(
    scenario: tuple[HeaderDag, GeneratedDag, dict[Hash, tuple[int, int]]],
) -> None:
    dag, generated, fields = scenario
    cached, uncached, tiny = dag.manager(), dag.manager(cache_capacity=0), dag.manager(1)
    non_daa = 0
    for block in generated.blocks[1:]:
        timestamp, bits = fields[block.hash]
        data = dag.add(block.hash, full_header(block.parents, timestamp, bits))
        assert data.selected_parent is not None
        oracle = dag.oracle()
        # The DAA score a header carries comes from the oracle, never from the code under test.
        score = oracle.daa_score(block.hash)
        dag.headers[block.hash] = full_header(block.parents, timestamp, bits, score)
        for manager in (cached, uncached, tiny):
            _check(manager, oracle, data, block.parents)
        cached.remember(data)
        tiny.remember(data)
        non_daa += len(oracle.non_daa(block.parents, data.selected_parent, data.blue_score))
    target(float(non_daa), label="non-DAA mergeset blocks")
    virtual = dag.consensus.virtual_state()
    data = GhostdagData(
        hash=ZERO_HASH,
        selected_parent=virtual.selected_parent,
        mergeset_blues=virtual.mergeset_blues,
        mergeset_reds=virtual.mergeset_reds,
        blues_anticone_sizes=MappingProxyType({}),
        blue_score=virtual.blue_score,
        blue_work=virtual.blue_work,
    )
    oracle = dag.oracle()
    for manager in (cached, uncached, tiny):
        _check(manager, oracle, data, virtual.parents)
