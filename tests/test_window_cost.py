"""The cost of a block's windows does not grow with the DAG.

Counted, not timed: every GHOSTDAG record and header the window manager reads is one unit of
work. A 1-block-per-second DAG of 2^12 blocks (the layered model, up to 3 blocks a layer) runs
through a manager with the ``tos`` parameters (a DAA window of 661 samples at rate 4, 2,644 DAA
blocks deep): for each block its DAA window, bits, past median time, then ``remember``. Around
block 2^10 the window holds 253 samples, around block 2^12 all 661; the reads per block stay
within 20 % (13.4 and 14.4 with this seed). A manager without a cache, asked about the same
blocks, reads thousands (2,269 and 5,085), growing with the window.
"""

from __future__ import annotations

import random
from statistics import mean

from conformance.strategies import Shape, random_layered_dag
from reference.presets import get_preset
from reference.processes.ghostdag.data import GhostdagData
from reference.processes.window import WindowManager
from tests.window_harness import HeaderDag, full_header

BITS = 0x1E7FFFFF


def _work(dag: HeaderDag, manager: WindowManager, data: GhostdagData) -> tuple[int, int, int]:
    before = dag.reads
    window = manager.daa_window(data)
    bits = manager.required_bits(data, window)
    manager.past_median_time(data)
    return dag.reads - before, window.daa_score, bits


def test_reads_per_block_do_not_grow() -> None:
    blocks = 1 << 12
    generated = random_layered_dag(
        11, blocks + 1, Shape(layers=0, max_width=3, max_delay=2, max_parents=8, max_difficulty=1)
    )
    rng = random.Random(5)
    preset = get_preset("tos")
    genesis = generated.genesis.hash
    dag = HeaderDag(preset, genesis, full_header((), 0, BITS, 0))
    cached = dag.manager()
    uncached = dag.manager(cache_capacity=0)
    reads: list[int] = []
    uncached_reads: dict[int, int] = {}
    sizes: dict[int, int] = {}
    for number, block in enumerate(generated.blocks[1:], start=1):
        timestamp = 1000 * block.layer + rng.randrange(900)
        data = dag.add(block.hash, full_header(block.parents, timestamp, BITS))
        work, score, bits = _work(dag, cached, data)
        before = dag.reads
        cached.remember(data)
        reads.append(work + dag.reads - before)
        if number % 256 == 0:
            # The same answers from scratch, at a cost that grows with the window's depth.
            uncached_work, uncached_score, uncached_bits = _work(dag, uncached, data)
            assert (uncached_score, uncached_bits) == (score, bits)
            uncached_reads[number] = uncached_work
            sizes[number] = len(cached.daa_window(data).blocks)
        dag.headers[block.hash] = full_header(block.parents, timestamp, bits, score)
    early = mean(reads[(1 << 10) - 128 : 1 << 10])
    late = mean(reads[blocks - 128 :])
    assert sizes[1 << 10] < preset.difficulty_window_size == sizes[blocks]
    # The window grows 2.6-fold between the two points; the reads per block do not follow.
    assert late <= 1.2 * early
    assert late < 40
    assert uncached_reads[blocks] > 50 * late
    assert uncached_reads[blocks] > 2 * uncached_reads[1 << 10]
