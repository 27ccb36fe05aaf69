"""A node that deletes what is below its pruning point answers as one that keeps everything.

Two header-mode consensuses take the same blocks: one never prunes, the other runs
:meth:`~reference.consensus.Consensus.prune` after every block, in batches of a drawn size. The
DAG grows one block per second with network delays under small depths, and side blocks are
offered over the pruning point, its anticone and blocks just above it. After every step:

- every verdict is the same (accepted, or the same rejection code);
- the virtual, the sink, the pruning points and the tips in the future of the pruning point
  are the same;
- no block in the future of the pruning point is ever deleted, nor the pruning point or its
  anticone; every block the pruned node holds answers exactly as in the other (header,
  GHOSTDAG data, what ``block_info`` derives, ancestry among held blocks);
- what it deleted is unknown: a header naming it as a parent is ``UNKNOWN_PARENT``.
"""

from __future__ import annotations

import dataclasses
import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from reference.consensus import Consensus
from reference.errors import Code
from reference.hash import Hash
from reference.stores.sqlite.check import check_store
from reference.stores.sqlite.engine import open_consensus
from tests.test_pruning_retention import GENESIS, PRESET, Growth, offer


def _same_answers(pruned: Consensus, full: Consensus, rng: random.Random) -> int:
    """Check; the number of held blocks whose windows the pruned node no longer derives."""
    pruned_windows = 0
    assert pruned.virtual_state() == full.virtual_state()
    assert pruned.past_pruning_points() == full.past_pruning_points()
    point = pruned.pruning_point()
    above = {tip for tip in full.tips() if full.is_dag_ancestor_of(point, tip)}
    assert above <= pruned.tips() <= full.tips()
    held = pruned.held_blocks()
    kept = pruned.retention()
    for block in full.held_blocks():
        if full.is_dag_ancestor_of(point, block) or block in kept.anticone:
            assert pruned.has_block(block), "a block the node keeps in full was deleted"
    for block in held:
        assert pruned.header(block) == full.header(block)
        assert pruned.ghostdag_data(block) == full.ghostdag_data(block)
        mine, theirs = pruned.block_info(block), full.block_info(block)
        if mine.past_median_time is None and theirs.past_median_time is not None:
            # Its windows reach deleted blocks: the pruned node no longer derives them.
            pruned_windows += 1
            assert mine.daa_window == ()
            mine = dataclasses.replace(
                mine, past_median_time=theirs.past_median_time, daa_window=theirs.daa_window
            )
        assert mine == theirs
    for ancestor, descendant in (rng.sample(held, 2) for _ in range(200)):
        assert pruned.is_dag_ancestor_of(ancestor, descendant) == full.is_dag_ancestor_of(
            ancestor, descendant
        )
        assert pruned.is_chain_ancestor_of(ancestor, descendant) == full.is_chain_ancestor_of(
            ancestor, descendant
        )
    return pruned_windows


@pytest.mark.parametrize("seed", range(3))
def test_a_pruned_node_answers_as_a_full_one(seed: int) -> None:
    rng = random.Random(seed)
    pruned = Consensus.from_genesis_header(PRESET, GENESIS, clock=lambda: 1 << 62)
    full = Consensus.from_genesis_header(PRESET, GENESIS, clock=lambda: 1 << 62)
    growth = Growth(pruned, seed)
    deleted: list[Hash] = []
    batch = rng.choice((1, 7, 1000))
    for step in range(240):
        header = growth.next_block()
        assert offer(pruned, header) == offer(full, header) == "accepted"
        growth.added(header)
        if step % 3 == 0:
            side = growth.side_block(pruned.retention())
            assert offer(pruned, side) == offer(full, side)
        before = set(pruned.held_blocks())
        while pruned.prune(batch):
            pass
        deleted += sorted(before - set(pruned.held_blocks()))
        _same_answers(pruned, full, rng)
        if deleted:
            orphan = dataclasses.replace(header, parents_by_level=((rng.choice(deleted),),))
            assert offer(pruned, orphan) == Code.UNKNOWN_PARENT
    assert len(deleted) > 60
    assert len(pruned.past_pruning_points()) >= 6


@pytest.mark.parametrize("seed", range(2))
def test_a_durable_store_prunes_as_memory_does_through_reopens(tmp_path: Path, seed: int) -> None:
    """The same blocks into a pruning in-memory node and a pruning durable one, reopened now
    and then: the same blocks held, the same answers, and a store the auditor finds
    consistent."""
    rng = random.Random(seed)
    path = tmp_path / "node.db"
    memory = Consensus.from_genesis_header(PRESET, GENESIS, clock=lambda: 1 << 62)
    durable = open_consensus(path, PRESET, GENESIS, clock=lambda: 1 << 62)
    growth = Growth(memory, seed)
    try:
        for step in range(200):
            header = growth.next_block()
            assert offer(memory, header) == offer(durable, header) == "accepted"
            growth.added(header)
            if step % 3 == 0:
                side = growth.side_block(memory.retention())
                assert offer(memory, side) == offer(durable, side)
            while memory.prune():
                pass
            while durable.prune(rng.choice((1, 5, 50))):
                pass
            if step % 37 == 36:
                durable.close()
                assert check_store(path) == []
                durable = open_consensus(path, PRESET, GENESIS, clock=lambda: 1 << 62)
            assert sorted(durable.held_blocks()) == sorted(memory.held_blocks())
            assert durable.virtual_state() == memory.virtual_state()
            assert durable.tips() == memory.tips()
        for block in memory.held_blocks():
            assert durable.ghostdag_data(block) == memory.ghostdag_data(block)
            mine, theirs = durable.block_info(block), memory.block_info(block)
            if None in (mine.past_median_time, theirs.past_median_time):
                # Near the pruning point a window reaching deleted blocks is derived only
                # while it is cached; the reopened store has no cache.
                mine = dataclasses.replace(mine, past_median_time=None, daa_window=())
                theirs = dataclasses.replace(theirs, past_median_time=None, daa_window=())
            assert mine == theirs
        assert len(memory.past_pruning_points()) >= 6
    finally:
        durable.close()
    assert check_store(path) == []


def grow_unpruned(path: str, seed: int, steps: int) -> None:
    """A durable store of ``steps`` arrivals (and side blocks), its pruning left undone."""
    consensus = open_consensus(path, PRESET, GENESIS, clock=lambda: 1 << 62)
    growth = Growth(consensus, seed)
    try:
        for step in range(steps):
            growth.step(step)
    finally:
        consensus.close()


def prune_slowly(path: str) -> None:
    """Prune a store one block per commit, saying so after each (to be killed meanwhile)."""
    consensus = open_consensus(path, PRESET, GENESIS, clock=lambda: 1 << 62)
    while consensus.prune(1):
        print("pruned", flush=True)
    consensus.close()


def test_pruning_killed_midway_resumes_and_ends_as_an_uninterrupted_one(tmp_path: Path) -> None:
    """``kill -9`` while a durable store prunes, one block per commit: the store reopens
    consistent, pruning finishes, and it holds exactly what an uninterrupted pruning of the
    same store holds."""
    grown = tmp_path / "grown.db"
    grow_unpruned(str(grown), 7, 180)
    whole = tmp_path / "whole.db"
    shutil.copy(grown, whole)
    uninterrupted = open_consensus(whole, PRESET, GENESIS, clock=lambda: 1 << 62)
    while uninterrupted.prune(1000):
        pass
    expected = sorted(uninterrupted.held_blocks())
    total = len(open_consensus_blocks(grown)) - len(expected)
    uninterrupted.close()
    assert total > 40
    for attempt, cut in enumerate((3, total // 2, total - 2)):
        killed = tmp_path / f"killed-{attempt}.db"
        shutil.copy(grown, killed)
        script = "import sys; from tests.test_pruning_deletion import prune_slowly; "
        script += "prune_slowly(sys.argv[1])"
        process = subprocess.Popen(
            [sys.executable, "-c", script, str(killed)],
            cwd=Path(__file__).resolve().parents[1],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        for _ in range(cut):
            assert process.stdout.readline() == "pruned\n"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert check_store(killed) == []
        resumed = open_consensus(killed, PRESET, GENESIS, clock=lambda: 1 << 62)
        try:
            assert cut <= total - len(resumed.held_blocks()) + len(expected)
            while resumed.prune(5):
                pass
            assert sorted(resumed.held_blocks()) == expected
        finally:
            resumed.close()
        assert check_store(killed) == []


def open_consensus_blocks(path: Path) -> list[Hash]:
    consensus = open_consensus(path, PRESET, GENESIS, clock=lambda: 1 << 62)
    try:
        return consensus.held_blocks()
    finally:
        consensus.close()
