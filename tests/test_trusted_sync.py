"""A new node started from a pruned node's trusted data validates and answers as that node.

A header-mode consensus grows under small depths, one block per second with network delays,
with side blocks over its pruning point and anticone, and prunes after every block. Now and
then a fresh consensus imports its trusted data (:meth:`Consensus.trusted_data`) and then every
header it holds in the future of its pruning point, in ``sort_key`` order, through the full
validation; afterwards both take the same new blocks. Checked against the syncer, which grew
from genesis and validated everything itself:

- the new node accepts every header the syncer accepted, and later gives every verdict the
  syncer gives (accepted, or the same rejection code);
- every block it holds has the syncer's header and GHOSTDAG data; what ``block_info`` derives
  is the syncer's, except two things that depend on the node's own history: a merge-depth root
  or finality point that one of the two gives as ``ORIGIN``, or the new node as its pruning
  point at the time (the block at depth depends on the node's pruning point when it took the
  block, Kaspa's rule, ``spec/depth``, and the syncer took the blocks near its pruning point
  under an earlier one); and windows that reach deleted blocks, which a node derives only from
  its window cache of the blocks it validated itself;
- the virtual (sink, parents, blue score, DAA data), the pruning points and the tips are the
  syncer's, and so is every ancestry answer (DAG and chain) between two blocks it holds —
  including those below the pruning point, whose reachability it rebuilt from trusted data;
- trusted data that fails a check is refused with ``BAD_TRUSTED_DATA`` before anything is
  written.
"""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest

from reference.consensus import Consensus
from reference.errors import Code, InvalidTrustedData
from reference.header import BlockHeader
from reference.pipeline.virtual import NO_CHAIN_CHANGE
from reference.processes.block_depth import ORIGIN
from reference.processes.trusted import TrustedData
from reference.stores.sqlite.check import check_store
from reference.stores.sqlite.engine import open_consensus
from tests.test_pruning_retention import GENESIS, PRESET, Growth, offer


def _fresh() -> Consensus:
    return Consensus.from_genesis_header(PRESET, GENESIS, clock=lambda: 1 << 62)


def headers_above(syncer: Consensus) -> list[BlockHeader]:
    """The headers ``syncer`` holds in the future of its pruning point, in ``sort_key`` order
    (what IBD streams after the trusted data)."""
    point = syncer.pruning_point()
    above = [b for b in syncer.held_blocks() if b != point and syncer.is_dag_ancestor_of(point, b)]
    above.sort(key=lambda block: syncer.ghostdag_data(block).blue_work)
    headers = [syncer.header(block).full for block in above]
    return [header for header in headers if header is not None]


def sync_from(syncer: Consensus) -> Consensus:
    """A new node started from ``syncer``'s trusted data, then given every header above its
    pruning point, validated."""
    syncee = _fresh()
    syncee.import_trusted(syncer.trusted_data())
    for header in headers_above(syncer):
        assert offer(syncee, header) == "accepted"
    return syncee


def same_answers(syncee: Consensus, syncer: Consensus) -> int:
    """Check; the number of blocks whose depth data the syncee gives as ``ORIGIN``."""
    plain = dataclasses.replace
    assert plain(syncee.virtual_state(), chain_change=NO_CHAIN_CHANGE) == plain(
        syncer.virtual_state(), chain_change=NO_CHAIN_CHANGE
    )
    assert syncee.past_pruning_points() == syncer.past_pruning_points()
    point = syncer.pruning_point()
    points = syncee.past_pruning_points()
    assert syncee.tips() == {t for t in syncer.tips() if syncer.is_dag_ancestor_of(point, t)}
    origins = 0
    held = syncee.held_blocks()
    for block in held:
        assert syncee.header(block) == syncer.header(block)
        assert syncee.ghostdag_data(block) == syncer.ghostdag_data(block)
        mine, theirs = syncee.block_info(block), syncer.block_info(block)
        for field in ("merge_depth_root", "finality_point"):
            ours, their = getattr(mine, field), getattr(theirs, field)
            if ours != their:
                # Each node took the block under its own pruning point at the time: the block
                # at depth is ORIGIN below it, and the walk up starts at it (``spec/depth``).
                assert ORIGIN in (ours, their) or ours in points, (block, field)
                mine = plain(mine, **{field: getattr(theirs, field)})
                origins += 1
        if None in (mine.past_median_time, theirs.past_median_time):
            # A window reaching deleted blocks is derived only from a node's window cache,
            # which holds what each node validated itself.
            mine = plain(
                mine, past_median_time=theirs.past_median_time, daa_window=theirs.daa_window
            )
        assert mine == theirs, block
    for early in held:
        for later in held:
            assert syncee.is_dag_ancestor_of(early, later) == syncer.is_dag_ancestor_of(
                early, later
            ), (early, later)
            assert syncee.is_chain_ancestor_of(early, later) == syncer.is_chain_ancestor_of(
                early, later
            ), (early, later)
    return origins


@pytest.mark.parametrize("seed", range(3))
def test_a_node_started_from_trusted_data_answers_as_its_syncer(seed: int) -> None:
    rng = random.Random(seed)
    syncer = _fresh()
    growth = Growth(syncer, seed)
    synced = 0
    origins = 0
    for step in range(200):
        growth.step(step)
        while syncer.prune(rng.choice((1, 50))):
            pass
        if step % 40 == 39 and syncer.pruning_point() != syncer.genesis:
            syncee = sync_from(syncer)
            origins += same_answers(syncee, syncer)
            for _ in range(15):
                follow = growth.next_block()
                assert offer(syncer, follow) == offer(syncee, follow) == "accepted"
                growth.added(follow)
                side = growth.side_block(syncer.retention())
                assert offer(syncer, side) == offer(syncee, side)
                while syncer.prune():
                    pass
                while syncee.prune():
                    pass
                same_answers(syncee, syncer)
            synced += 1
    assert synced >= 4
    assert origins > 0


def test_trusted_data_that_fails_a_check_is_refused_before_anything_is_written() -> None:
    syncer = _fresh()
    growth = Growth(syncer, 7)
    for step in range(80):
        growth.step(step)
    syncer.prune()
    data = syncer.trusted_data()
    assert len(data.past_pruning_points) >= 2 and data.blocks
    blocks = list(data.blocks)
    first = blocks[0]
    broken: dict[str, TrustedData] = {
        "genesis missing": dataclasses.replace(
            data, past_pruning_points=data.past_pruning_points[1:]
        ),
        "anticone not at the pruning point": dataclasses.replace(
            data, anticone=data.anticone[1:] + data.anticone[:1] if len(data.anticone) > 1 else ()
        ),
        "out of order": dataclasses.replace(data, blocks=tuple(reversed(blocks))),
        "sent twice": dataclasses.replace(data, blocks=(first, *blocks)),
        "header and GHOSTDAG data differ": dataclasses.replace(
            data,
            blocks=(
                dataclasses.replace(
                    first, header=dataclasses.replace(first.header, nonce=first.header.nonce + 1)
                ),
                *blocks[1:],
            ),
        ),
        "blue score": dataclasses.replace(
            data,
            blocks=(
                dataclasses.replace(
                    first,
                    ghostdag=dataclasses.replace(
                        first.ghostdag, blue_score=first.ghostdag.blue_score + 1
                    ),
                ),
                *blocks[1:],
            ),
        ),
        "pruning point missing": dataclasses.replace(
            data, blocks=tuple(b for b in blocks if b.hash != data.pruning_point)
        ),
        "past pruning points not linked": dataclasses.replace(
            data,
            past_pruning_points=(
                data.past_pruning_points[0],
                *reversed(data.past_pruning_points[1:]),
            ),
        ),
    }
    for name, bad in broken.items():
        syncee = _fresh()
        before = (syncee.virtual_state(), syncee.held_blocks(), syncee.past_pruning_points())
        with pytest.raises(InvalidTrustedData) as refused:
            syncee.import_trusted(bad)
        assert refused.value.code is Code.BAD_TRUSTED_DATA, name
        assert (syncee.virtual_state(), syncee.held_blocks(), syncee.past_pruning_points()) == (
            before
        ), name
    syncee = _fresh()
    syncee.import_trusted(data)
    with pytest.raises(InvalidTrustedData):
        syncee.import_trusted(data)  # only a consensus holding just genesis takes it


def test_a_durable_store_started_from_trusted_data_reopens_consistent(tmp_path: Path) -> None:
    """Trusted data into the SQLite store: one commit, an auditor-consistent store, and the same
    answers after a reopen and after more blocks and pruning."""
    syncer = _fresh()
    growth = Growth(syncer, 11)
    for step in range(90):
        growth.step(step)
        while syncer.prune():
            pass
    path = tmp_path / "node.db"
    durable = open_consensus(path, PRESET, GENESIS, clock=lambda: 1 << 62)
    try:
        durable.import_trusted(syncer.trusted_data())
    finally:
        durable.close()
    assert check_store(path) == []
    durable = open_consensus(path, PRESET, GENESIS, clock=lambda: 1 << 62)
    try:
        assert durable.past_pruning_points() == syncer.past_pruning_points()
        mine, theirs = durable.retention(), syncer.retention()
        assert (mine.anticone, mine.headers) == (theirs.anticone, theirs.headers)
        assert mine.history | set(mine.headers) == theirs.history | set(theirs.headers)
        for block in durable.held_blocks():
            assert durable.ghostdag_data(block) == syncer.ghostdag_data(block)
        for header in headers_above(syncer):
            assert offer(durable, header) == "accepted"
        for _ in range(40):
            header = growth.next_block()
            assert offer(syncer, header) == offer(durable, header) == "accepted"
            growth.added(header)
            while syncer.prune():
                pass
            while durable.prune(7):
                pass
    finally:
        durable.close()
    assert check_store(path) == []
    durable = open_consensus(path, PRESET, GENESIS, clock=lambda: 1 << 62)
    try:
        same_answers(durable, syncer)
    finally:
        durable.close()
