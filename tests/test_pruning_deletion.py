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
from pathlib import Path

import pytest

from conformance.arrivals import Arrivals
from reference.consensus import Consensus
from reference.errors import BlockRejected, Code, StoreError
from reference.hash import Hash
from reference.header import BlockHeader, header_hash
from reference.stores.sqlite.engine import open_consensus
from tests.test_pruning_retention import GENESIS, PRESET


def _offer(consensus: Consensus, header: BlockHeader) -> str:
    try:
        consensus.add_full_header(header, now_ms=header.timestamp)
    except BlockRejected as rejection:
        return str(rejection.code)
    return "accepted"


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
    genesis = header_hash(GENESIS)
    arrivals = Arrivals(seed, GENESIS.timestamp, 2000, PRESET.max_block_parents)
    hashes = [genesis]
    deleted: list[Hash] = []
    batch = rng.choice((1, 7, 1000))
    for step in range(240):
        now, tips = arrivals.next()
        parents = [hashes[index] for index in tips]
        timestamp = max(now, pruned.past_median_time_of_parents(parents) + 1)
        header = pruned.build_header(parents, timestamp=timestamp)
        assert _offer(pruned, header) == _offer(full, header) == "accepted"
        hashes.append(header_hash(header))
        arrivals.created(tips)
        if step % 3 == 0:
            side = _side_block(pruned, rng, timestamp)
            assert _offer(pruned, side) == _offer(full, side)
        before = set(pruned.held_blocks())
        while pruned.prune(batch):
            pass
        deleted += sorted(before - set(pruned.held_blocks()))
        _same_answers(pruned, full, rng)
        if deleted:
            orphan = dataclasses.replace(header, parents_by_level=((rng.choice(deleted),),))
            assert _offer(pruned, orphan) == Code.UNKNOWN_PARENT
    assert len(deleted) > 60
    assert len(pruned.past_pruning_points()) >= 6


def _side_block(consensus: Consensus, rng: random.Random, now: int) -> BlockHeader:
    """A block over the pruning point, a block of its anticone or a tip just above it."""
    kept = consensus.retention()
    point = kept.anticone[0]
    floor = consensus.ghostdag_data(point).blue_score
    near = [
        tip
        for tip in consensus.tips()
        if consensus.is_dag_ancestor_of(point, tip)
        and consensus.ghostdag_data(tip).blue_score <= floor + 4
    ]
    parent = rng.choice([*kept.anticone, *consensus.children(point), *near])
    timestamp = max(now, consensus.past_median_time_of_parents([parent]) + 1)
    return consensus.build_header([parent], timestamp=timestamp, nonce=rng.getrandbits(32))


def test_the_durable_engine_refuses_to_prune_and_changes_nothing(tmp_path: Path) -> None:
    consensus = open_consensus(tmp_path / "node.db", PRESET, GENESIS, clock=lambda: 1 << 62)
    try:
        tip = consensus.genesis
        for _ in range(3):
            tip = consensus.add_full_header(consensus.build_header([tip]))
        held = consensus.held_blocks()
        with pytest.raises(StoreError) as refused:
            consensus.prune()
        assert refused.value.code is Code.STORE_UNAVAILABLE
        assert consensus.held_blocks() == held
    finally:
        consensus.close()
