"""GHOSTDAG's cache of recent parent sets: a block over the virtual's parents reuses the
virtual's data, and that data is the brute-force oracle's for the block.

The DAGs come from the layered network-delay generator; after each generated block is in, a
block over the virtual's parents is added (the virtual's resolution has just computed their
data), and the whole extended DAG is compared with :func:`conformance.oracle.ghostdag_oracle`.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.oracle import ghostdag_oracle
from conformance.strategies import GeneratedDag, layered_dags
from reference.block import Header
from reference.hash import HASH_SIZE, Hash
from reference.processes.ghostdag.data import GhostdagData, genesis_ghostdag_data
from reference.processes.ghostdag.protocol import RecentGhostdag
from reference.work import target_from_difficulty, work_from_difficulty
from tests.ghostdag_helpers import header_of, new_consensus, roomy_preset


def _extra(number: int) -> Hash:
    # Generated blocks are named by their first bytes; 0xff... never collides with them.
    return Hash(b"\xff" + number.to_bytes(4, "big") + bytes(HASH_SIZE - 5))


@given(layered_dags(max_layers=6), st.integers(0, 4))
@settings(max_examples=60, deadline=None)
def test_blocks_over_the_virtuals_parents_reuse_its_data_and_equal_the_oracle(
    dag: GeneratedDag, k: int
) -> None:
    consensus = new_consensus(dag, roomy_preset(k))
    parents = dict(dag.parents())
    work = {block.hash: work_from_difficulty(block.difficulty) for block in dag.blocks}
    extras: list[Hash] = []
    for block in dag.blocks:
        if not block.parents:
            continue
        consensus.add_block(header_of(block))
        virtual = consensus.virtual_state()
        extra = _extra(len(extras))
        consensus.add_block(Header(extra, virtual.parents, target_from_difficulty(1)))
        data = consensus.ghostdag_data(extra)
        # The reuse is observable: the colouring is the virtual's own tuple, not a new one.
        assert data.mergeset_blues is virtual.mergeset_blues
        parents[extra] = virtual.parents
        work[extra] = work_from_difficulty(1)
        extras.append(extra)
    expected = ghostdag_oracle(parents, work, k)
    for name in parents:
        assert consensus.ghostdag_data(name) == expected[name], name.hex()[:8]


def _data(name: int) -> GhostdagData:
    return genesis_ghostdag_data(_extra(name))


def test_the_oldest_parent_set_is_forgotten_beyond_the_capacity() -> None:
    recent = RecentGhostdag(2)
    sets = [frozenset({_extra(n)}) for n in range(3)]
    for number, parents in enumerate(sets):
        recent.keep(parents, _data(number))
    assert recent.get(sets[0]) is None
    assert recent.get(sets[1]) == _data(1)
    assert recent.get(sets[2]) == _data(2)


def test_a_capacity_of_zero_keeps_nothing() -> None:
    recent = RecentGhostdag(0)
    recent.keep(frozenset({_extra(1)}), _data(1))
    assert recent.get(frozenset({_extra(1)})) is None


def test_data_for_another_block_changes_only_the_hash() -> None:
    data = _data(1)
    other = data.for_block(_extra(2))
    assert other.hash == _extra(2)
    assert other == GhostdagData(
        _extra(2),
        data.selected_parent,
        data.mergeset_blues,
        data.mergeset_reds,
        data.blues_anticone_sizes,
        data.blue_score,
        data.blue_work,
    )
    assert data.for_block(data.hash) is data
