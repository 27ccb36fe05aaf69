"""GHOSTDAG against its definitions and against the brute-force oracle, on generated DAGs.

The DAGs come from the layered network-delay generator (wide anticones, red blocks) with
difficulties 1..3 (so work ties happen) and K from 0 to 20.
"""

from __future__ import annotations

from hypothesis import example, given, settings, target
from hypothesis import strategies as st

from conformance.oracle import blue_past_oracle, ghostdag_oracle, transitive_past
from conformance.strategies import (
    DagBlock,
    GeneratedDag,
    Shape,
    layered_dags,
    random_layered_dag,
    reordered,
)
from reference.hash import HASH_SIZE, Hash
from reference.ordering import sort_key
from reference.processes.ghostdag.data import GhostdagData
from tests.ghostdag_helpers import build, roomy_preset, work_of

KS = st.one_of(st.integers(0, 4), st.integers(0, 20))
"""K values: mostly small, so the K boundary is reached in small DAGs."""


def _name(number: int) -> Hash:
    return Hash(number.to_bytes(2, "big") + bytes(HASH_SIZE - 2))


def _dag(edges: dict[int, tuple[int, ...]], difficulty: int = 1) -> GeneratedDag:
    return GeneratedDag(
        tuple(
            DagBlock(_name(n), tuple(_name(p) for p in parents), difficulty, 0)
            for n, parents in edges.items()
        )
    )


# The textbook minimum of a colouring bug: three mutually unrelated blocks merged at once.
THREE_WAY_MERGE = _dag({0: (), 1: (0,), 2: (0,), 3: (0,), 4: (1, 2, 3)})


def _comparable(data: GhostdagData) -> tuple[object, ...]:
    return (
        data.hash,
        data.selected_parent,
        data.mergeset_blues,
        data.mergeset_reds,
        dict(data.blues_anticone_sizes),
        data.blue_score,
        data.blue_work,
    )


def _check_equals_oracle(dag: GeneratedDag, k: int, *, naive: bool = False) -> int:
    consensus = build(dag, roomy_preset(k), naive=naive)
    expected = ghostdag_oracle(dag.parents(), work_of(dag), k)
    reds = 0
    for block in dag.blocks:
        actual = consensus.ghostdag_data(block.hash)
        assert _comparable(actual) == _comparable(expected[block.hash]), block.hash.hex()[:4]
        reds += len(actual.mergeset_reds)
    return reds


@given(layered_dags(), KS)
@settings(max_examples=150)
@example(THREE_WAY_MERGE, 0)
@example(THREE_WAY_MERGE, 1)
def test_reference_equals_brute_force_oracle(dag: GeneratedDag, k: int) -> None:
    reds = _check_equals_oracle(dag, k)
    target(float(reds), label="red blocks")


@given(layered_dags(max_layers=5), st.integers(0, 3))
@settings(max_examples=30)
def test_reference_over_past_set_reachability_equals_oracle(dag: GeneratedDag, k: int) -> None:
    _check_equals_oracle(dag, k, naive=True)


def test_large_wide_dags_equal_oracle() -> None:
    shape = Shape(layers=0, max_width=6, max_delay=3, max_parents=8, max_difficulty=3)
    total_reds = 0
    for seed, k in ((1, 0), (2, 2), (3, 4)):
        total_reds += _check_equals_oracle(random_layered_dag(seed, 150, shape), k)
    assert total_reds > 0, "the wide DAGs are meant to produce red blocks"


def test_very_wide_dags_equal_oracle_at_tos_and_kaspa_k() -> None:
    # Up to 24 blocks per layer and 32 parents: anticones far beyond K = 10 (TOS) and K = 18
    # (Kaspa 1 BPS), so both bounds of the k-cluster check are exercised.
    shape = Shape(layers=0, max_width=24, max_delay=3, max_parents=32, max_difficulty=3)
    for seed, k in ((4, 18), (5, 10)):
        assert _check_equals_oracle(random_layered_dag(seed, 250, shape), k) > 0


@given(layered_dags(), KS)
@settings(max_examples=100)
@example(THREE_WAY_MERGE, 1)
def test_ghostdag_satisfies_its_definitions(dag: GeneratedDag, k: int) -> None:
    consensus = build(dag, roomy_preset(k))
    parents = dag.parents()
    past = transitive_past(parents)
    work = work_of(dag)
    data = {block: consensus.ghostdag_data(block) for block in parents}
    bluepast = blue_past_oracle(parents, data)
    for block, block_parents in parents.items():
        own = data[block]
        if not block_parents:
            assert own.selected_parent is None
            assert (own.mergeset_blues, own.mergeset_reds) == ((), ())
            assert (own.blue_score, own.blue_work) == (0, 0)
            continue
        # Selected parent: the parent of largest (blue_work, hash).
        assert own.selected_parent == max(block_parents, key=lambda p: sort_key(data[p]))
        selected = own.selected_parent
        # Blue work strictly increases from every parent to the child.
        for parent in block_parents:
            assert data[parent].blue_work < own.blue_work
        # Mergeset = past(B) \ past(SP) \ {SP} (pasts reflexive, B itself left out).
        mergeset = past[block] - {block} - past[selected]
        blues, reds = set(own.mergeset_blues), set(own.mergeset_reds)
        assert len(blues) == len(own.mergeset_blues) and len(reds) == len(own.mergeset_reds)
        assert not blues & reds
        assert blues | reds == mergeset | {selected}
        assert own.mergeset_blues[0] == selected
        assert len(own.mergeset_blues) <= k + 1
        ranked = [sort_key(data[b]) for b in own.mergeset_blues[1:]]
        assert ranked == sorted(ranked)
        ranked = [sort_key(data[b]) for b in own.mergeset_reds]
        assert ranked == sorted(ranked)
        # Blue score and blue work: size and total work of the blue past.
        assert own.blue_score == len(bluepast[block])
        assert own.blue_work == sum(work[b] for b in bluepast[block])
        # k-cluster: every blue has at most K blues in its anticone within the blue past.
        for blue in bluepast[block]:
            anticone_blues = {
                other
                for other in bluepast[block]
                if other not in past[blue] and blue not in past[other]
            }
            assert len(anticone_blues) <= k
        # Recorded anticone sizes are the true ones within the block's blue past.
        for peer, size in own.blues_anticone_sizes.items():
            assert peer in bluepast[block]
            assert size == sum(
                1 for o in bluepast[block] if o not in past[peer] and peer not in past[o]
            )


@given(layered_dags(), KS, st.data())
@settings(max_examples=60)
def test_results_do_not_depend_on_insertion_order(
    dag: GeneratedDag, k: int, data: st.DataObject
) -> None:
    preset = roomy_preset(k)
    first = build(dag, preset)
    second = build(data.draw(reordered(dag)), preset)
    for block in dag.blocks:
        assert _comparable(first.ghostdag_data(block.hash)) == _comparable(
            second.ghostdag_data(block.hash)
        )
    one, two = first.virtual_state(), second.virtual_state()
    assert (one.parents, one.mergeset_blues, one.mergeset_reds) == (
        two.parents,
        two.mergeset_blues,
        two.mergeset_reds,
    )
    assert (one.blue_score, one.blue_work) == (two.blue_score, two.blue_work)


def test_work_is_summed_from_each_blocks_own_difficulty() -> None:
    # Genesis difficulty 1, then a chain 1 <- 2 of difficulties 5 and 7 and a side block 3
    # of difficulty 11 merged by 4.
    blocks = (
        DagBlock(_name(0), (), 1, 0),
        DagBlock(_name(1), (_name(0),), 5, 1),
        DagBlock(_name(2), (_name(1),), 7, 2),
        DagBlock(_name(3), (_name(0),), 11, 1),
        DagBlock(_name(4), (_name(2), _name(3)), 1, 3),
    )
    dag = GeneratedDag(blocks)
    consensus = build(dag, roomy_preset(3))
    work = work_of(dag)
    merged = consensus.ghostdag_data(_name(4))
    assert merged.selected_parent == _name(2)
    assert merged.mergeset_blues == (_name(2), _name(3))
    expected = work[_name(0)] + work[_name(1)] + work[_name(2)] + work[_name(3)]
    assert merged.blue_work == expected
    assert merged.blue_score == 4


def test_heavier_parent_wins_over_more_blue_blocks() -> None:
    # Parent 1 has one heavy block in its past; parent 3 has two light ones. Selected parent
    # goes by blue work, not blue score.
    blocks = (
        DagBlock(_name(0), (), 1, 0),
        DagBlock(_name(1), (_name(0),), 100, 1),
        DagBlock(_name(5), (_name(1),), 1, 2),
        DagBlock(_name(2), (_name(0),), 1, 1),
        DagBlock(_name(3), (_name(2),), 1, 2),
        DagBlock(_name(4), (_name(3),), 1, 3),
        DagBlock(_name(6), (_name(5), _name(4)), 1, 4),
    )
    consensus = build(GeneratedDag(blocks), roomy_preset(3))
    heavy, light = consensus.ghostdag_data(_name(5)), consensus.ghostdag_data(_name(4))
    assert heavy.blue_score < light.blue_score and heavy.blue_work > light.blue_work
    assert consensus.ghostdag_data(_name(6)).selected_parent == _name(5)
