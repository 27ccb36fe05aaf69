"""Pruning samples, expected header pruning points, the node's pruning point and the two pruning
rules, against the brute-force oracle of ``tests/test_pruning_harness.py``, DAGs built so that
each clamp decides, kaspad's chain-for-test-pruning and Kaspa's json-test runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.kaspa import kaspa_preset, load_json_run, shared_dir
from conformance.strategies import GeneratedDag, Shape, layered_dags, random_layered_dag
from reference.bits import target_from_bits
from reference.block import Header
from reference.errors import BlockRejected, Code, UnknownBlock
from reference.hash import ZERO_HASH, Hash
from reference.header import BlockHeader
from reference.presets import Preset, get_preset
from reference.processes.pruning import (
    check_header_pruning_point,
    finality_score,
    is_valid_pruning_point,
)
from reference.stores.pruning import BlockPruning, PastPruningPointsStore, PruningSampleStore
from reference.work import target_from_difficulty
from tests.ghostdag_helpers import header_of, roomy_preset, work_of
from tests.test_pruning_harness import PruningNode, PruningOracle, chain_node

SHARED = shared_dir(Path(__file__).resolve().parent.parent)


def _preset(k: int, finality: int, pruning: int) -> Preset:
    return roomy_preset(k).with_overrides({"finality_depth": finality, "pruning_depth": pruning})


def _node_for(dag: GeneratedDag, preset: Preset) -> PruningNode:
    genesis = dag.genesis
    return PruningNode(preset, genesis.hash, target_from_difficulty(genesis.difficulty))


def _replay(node: PruningNode, oracle: PruningOracle, dag: GeneratedDag) -> None:
    """Offer every block; after each one compare the block's pruning data with the oracle,
    and the node's pruning point and past pruning points with their definition: the pruning
    point moves to the sink's when that is higher and the old one is P below the sink; the
    samples of the new point's chain above the old point become past pruning points."""
    genesis = dag.genesis.hash
    pruning_point = genesis
    past = [genesis]
    score = oracle.data
    rejected: set[Hash] = set()
    for block in dag.blocks[1:]:
        try:
            node.add_block(header_of(block))
        except BlockRejected as error:
            # Small depths let generated blocks build below the pruning point: the rule's
            # verdict is checked against the past sets, and the block's children go unknown.
            if error.code is Code.PRUNING_VIOLATION:
                assert all(pruning_point not in oracle.past[p] for p in block.parents)
            else:
                assert error.code is Code.UNKNOWN_PARENT
                assert rejected.intersection(block.parents)
            rejected.add(block.hash)
            continue
        assert any(pruning_point in oracle.past[p] for p in block.parents)
        stored = node.samples.get(block.hash)
        assert stored.pruning_sample == oracle.samples_below(block.hash)[0]
        assert stored.pruning_point == oracle.pruning_point(block.hash)
        sink = node.virtual.sink
        target = oracle.pruning_point(sink)
        if (
            score[target].blue_score > score[pruning_point].blue_score
            and score[pruning_point].blue_score + oracle.p <= score[sink].blue_score
        ):
            chain = oracle.chain(target)
            above = [
                c
                for c in chain
                if c != genesis
                and oracle.starts_epoch(c)
                and score[c].blue_score > score[pruning_point].blue_score
            ]
            assert pruning_point in chain
            past.extend(reversed(above))
            pruning_point = target
        assert node.pruning_point == pruning_point
        assert node.past_pruning_points.all() == tuple(past)


@given(
    st.integers(0, 4),
    st.integers(1, 6),
    st.integers(1, 16),
    layered_dags(max_layers=16, max_width=3, max_delay=2, max_parents=4),
)
@settings(max_examples=120, deadline=None)
def test_pruning_data_and_the_moving_pruning_point_follow_the_definition(
    k: int, finality: int, pruning: int, dag: GeneratedDag
) -> None:
    preset = _preset(k, finality, pruning)
    node = _node_for(dag, preset)
    oracle = PruningOracle(dag.parents(), work_of(dag), k, finality, pruning)
    _replay(node, oracle, dag)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_longer_dag_moves_its_pruning_point_by_the_definition(seed: int) -> None:
    shape = Shape(layers=0, max_width=3, max_delay=2, max_parents=4, max_difficulty=2)
    dag = random_layered_dag(seed, 220, shape)
    preset = _preset(2, 5, 12)
    node = _node_for(dag, preset)
    oracle = PruningOracle(dag.parents(), work_of(dag), 2, 5, 12)
    _replay(node, oracle, dag)
    # The point really moved, several times, and every past point is a sample or genesis.
    assert len(node.past_pruning_points) > 5
    for point in node.past_pruning_points.all()[1:]:
        assert oracle.starts_epoch(point)


@given(
    st.integers(0, 3),
    st.integers(1, 12),
    layered_dags(max_layers=10, max_width=3, max_delay=2, max_parents=4),
)
@settings(max_examples=60, deadline=None)
def test_is_valid_pruning_point_is_genesis_or_a_deep_enough_chain_block(
    k: int, pruning: int, dag: GeneratedDag
) -> None:
    # No finality depth: no epochs, so the node's pruning point stays at genesis and every
    # block is accepted.
    node = _node_for(dag, roomy_preset(k).with_overrides({"pruning_depth": pruning}))
    for block in dag.blocks[1:]:
        node.add_block(header_of(block))
        assert node.samples.get(block.hash) == BlockPruning(dag.genesis.hash, dag.genesis.hash)
    assert node.past_pruning_points.all() == (dag.genesis.hash,)
    oracle = PruningOracle(dag.parents(), work_of(dag), k, 3, pruning)
    genesis = dag.genesis.hash
    for tip in dag.parents():
        for candidate in dag.parents():
            expected = candidate == genesis or (
                candidate in oracle.chain(tip)
                and oracle.data[tip].blue_score >= oracle.data[candidate].blue_score + pruning
            )
            assert is_valid_pruning_point(node.pruning_context, candidate, tip) == expected


# --------------------------------------------------------------- each clamp decides an answer


def _name(text: str) -> Hash:
    return Hash(text.encode().ljust(32, b"\0"))


def _clamp_dag() -> tuple[PruningNode, PruningOracle, dict[str, Hash]]:
    """F = 6, P = 15 (three sample links), K = 8. A chain to blue score 16, six parallel
    blocks at 17, then ``J`` merging all six: blue score 23, the first block of epoch 3 five
    scores into it. Then a chain from ``J``; ``B`` (blue score 36) starts epoch 6 and ``C``
    (37) follows it."""
    preset = _preset(8, 6, 15)
    genesis = _name("genesis")
    node = PruningNode(preset, genesis, 1 << 250)
    parents: dict[Hash, tuple[Hash, ...]] = {genesis: ()}
    names = {"genesis": genesis}

    def add(name: str, over: tuple[str, ...]) -> None:
        block = _name(name)
        names[name] = block
        parents[block] = tuple(names[p] for p in over)
        node.add_block(Header(block, parents[block], 1 << 250))

    previous = "genesis"
    for number in range(1, 17):
        add(f"a{number}", (previous,))
        previous = f"a{number}"
    for number in range(1, 7):
        add(f"x{number}", ("a16",))
    add("J", tuple(f"x{number}" for number in range(1, 7)))
    previous = "J"
    for number in range(1, 15):
        add(f"c{number}", (previous,))
        previous = f"c{number}"
    work = dict.fromkeys(parents, node.headers.work(genesis))
    oracle = PruningOracle(parents, work, 8, 6, 15)
    return node, oracle, names


def test_the_sample_clamp_decides_for_a_sample_whose_third_link_is_too_shallow() -> None:
    node, oracle, names = _clamp_dag()
    score = oracle.data
    b = names["c13"]
    assert (score[names["J"]].blue_score, score[b].blue_score) == (23, 36)
    assert oracle.starts_epoch(b)
    # Without the clamp the walk would go past J (23 + 15 > 36) down to a12 (12 + 15 <= 36).
    assert oracle.unclamped(b) == names["a12"]
    assert oracle.pruning_point(b) == names["J"]
    assert node.samples.pruning_point(b) == names["J"]


def test_the_monotonicity_clamp_decides_for_the_child_of_that_sample() -> None:
    node, oracle, names = _clamp_dag()
    c = names["c14"]
    assert oracle.data[c].blue_score == 37
    assert not oracle.starts_epoch(c)
    assert oracle.unclamped(c) == names["a12"]
    # Its selected parent's pruning point J caps the walk.
    assert oracle.pruning_point(c) == names["J"]
    assert node.samples.pruning_point(c) == names["J"]


def test_without_clamps_the_pruning_point_of_the_chain_would_move_back() -> None:
    _node, oracle, names = _clamp_dag()
    chain = [names[f"c{n}"] for n in range(1, 15)]
    clamped = [oracle.data[oracle.pruning_point(block)].blue_score for block in chain]
    unclamped = [oracle.data[oracle.unclamped(block)].blue_score for block in chain]
    assert clamped == sorted(clamped)
    assert unclamped != sorted(unclamped) or clamped != unclamped


def test_a_sink_jumping_several_epochs_moves_the_pruning_point_through_every_sample() -> None:
    """F = 2, P = 5, K = 8: a chain to blue score 10, six parallel blocks at 11, then J merging
    them at 17. The pruning point jumps from the sample at 6 to the one at 10 and the sample
    at 8 between them becomes a past pruning point too."""
    node = PruningNode(_preset(8, 2, 5), _name("genesis"), 1 << 250)
    chain = [_name("genesis")]
    for height in range(1, 11):
        chain.append(_name(f"a{height}"))
        node.add_block(Header(chain[-1], (chain[-2],), 1 << 250))
    parallel = [_name(f"x{number}") for number in range(6)]
    for block in parallel:
        node.add_block(Header(block, (chain[-1],), 1 << 250))
    assert node.pruning_point == chain[6]
    before = node.past_pruning_points.all()
    assert before == (chain[0], chain[2], chain[4], chain[6])
    node.add_block(Header(_name("J"), tuple(parallel), 1 << 250))
    assert node.ghostdag.get(_name("J")).blue_score == 17
    assert node.pruning_point == chain[10]
    assert node.past_pruning_points.all() == (*before, chain[8], chain[10])


# ------------------------------------------------------------------- kaspad's and Kaspa's data


def test_kaspad_chain_for_test_pruning() -> None:
    """kaspad's chain-for-test-pruning: a chain of 2000 blocks, F = 7, P = 2F + 4*MSL*K + 2K + 2
    = 412 with MSL 5 and K 18; kaspad expects pruning point "1582". On a chain blue score is
    height, every block of height 7m starts an epoch, and no clamp applies (412 mod 7 = 6)."""
    mergeset_limit, k, finality = 5, 18, 7
    pruning = 2 * finality + 4 * mergeset_limit * k + 2 * k + 2
    assert pruning == 412
    preset = get_preset(
        "minimal",
        {"k": k, "mergeset_size_limit": 19, "finality_depth": finality, "pruning_depth": pruning},
    )
    node, chain = chain_node(preset, 1999)
    assert node.pruning_point == chain[1582]
    assert node.past_pruning_points.all() == (chain[0], *chain[7:1583:7])
    for height in range(1, 2000):
        deepest = (height - pruning) // finality * finality
        expected = chain[deepest] if deepest >= finality else chain[0]
        assert node.samples.pruning_point(chain[height]) == expected


@pytest.mark.parametrize("run", ["goref-custom-params-640-blocks", "goref-1060-tx-265-blocks"])
def test_kaspa_json_runs_carry_the_expected_header_pruning_point(run: str) -> None:
    params, headers = load_json_run(SHARED, run)
    preset = kaspa_preset(params)
    genesis = Hash.from_hex(str(headers[0]["hash"]))
    # Kaspa's genesis header carries the zero hash; every other header a real block.
    assert headers[0]["pruningPoint"] == ZERO_HASH.hex()
    node = PruningNode(preset, genesis, target_from_bits(int(str(headers[0]["bits"]))))
    for header in headers[1:]:
        block = Hash.from_hex(str(header["hash"]))
        levels = header["parentsByLevel"]
        assert isinstance(levels, list)
        parents = tuple(Hash.from_hex(parent) for parent in levels[0])
        node.add_block(Header(block, parents, target_from_bits(int(str(header["bits"])))))
        assert node.samples.pruning_point(block) == Hash.from_hex(str(header["pruningPoint"]))
    assert node.pruning_point == genesis


# -------------------------------------------------------------------------------- the rules


def test_a_block_with_no_parent_in_the_future_of_the_pruning_point_is_a_violation() -> None:
    preset = _preset(1, 3, 6)
    genesis = _name("genesis")
    node = PruningNode(preset, genesis, 1 << 250)
    chain = [genesis]
    side = _name("side")
    for height in range(1, 21):
        chain.append(_name(f"chain{height}"))
        node.add_block(Header(chain[-1], (chain[-2],), 1 << 250))
        if height == 1:
            node.add_block(Header(side, (chain[1],), 1 << 250))
    pruning_point = node.pruning_point
    position = chain.index(pruning_point)
    assert position > 2
    before = (len(node.ghostdag), len(node.samples), node.past_pruning_points.all())
    for parents in ((chain[position - 1],), (genesis,), (side,)):
        with pytest.raises(BlockRejected) as raised:
            node.add_block(Header(_name("late"), parents, 1 << 250))
        assert raised.value.code is Code.PRUNING_VIOLATION
    assert (len(node.ghostdag), len(node.samples), node.past_pruning_points.all()) == before
    # The pruning point itself, or any one parent in its future, is enough.
    node.add_block(Header(_name("on-pp"), (pruning_point,), 1 << 250))
    node.add_block(Header(_name("mixed"), (side, chain[-1]), 1 << 250))


def _header(pruning_point: Hash) -> BlockHeader:
    return BlockHeader(
        version=1,
        parents_by_level=((_name("p"),),),
        hash_merkle_root=ZERO_HASH,
        accepted_id_merkle_root=ZERO_HASH,
        utxo_commitment=ZERO_HASH,
        timestamp=1,
        bits=0x207FFFFF,
        nonce=0,
        daa_score=1,
        blue_work=1,
        blue_score=1,
        pruning_point=pruning_point,
    )


def test_a_header_must_carry_its_expected_pruning_point() -> None:
    expected = _name("expected")
    check_header_pruning_point(_header(expected), _name("b"), expected)
    for wrong in (ZERO_HASH, _name("other")):
        with pytest.raises(BlockRejected) as raised:
            check_header_pruning_point(_header(wrong), _name("b"), expected)
        assert raised.value.code is Code.BAD_PRUNING_POINT


# ------------------------------------------------------------------------------- the stores


def test_finality_score_is_integer_division() -> None:
    assert [finality_score(bs, 7) for bs in (0, 6, 7, 13, 14)] == [0, 0, 1, 1, 2]


def test_stores_record_once_and_name_unknown_entries() -> None:
    samples = PruningSampleStore()
    data = BlockPruning(pruning_sample=_name("s"), pruning_point=_name("p"))
    samples.insert(_name("b"), data)
    with pytest.raises(BlockRejected) as raised:
        samples.insert(_name("b"), data)
    assert raised.value.code is Code.DUPLICATE_BLOCK
    with pytest.raises(UnknownBlock):
        samples.get(_name("c"))
    assert (samples.pruning_sample(_name("b")), samples.pruning_point(_name("b"))) == (
        _name("s"),
        _name("p"),
    )
    past = PastPruningPointsStore()
    with pytest.raises(UnknownBlock):
        past.current()
    past.extend((_name("g"), _name("1"), _name("2")))
    assert (past.get(0), past.current(), past.current_index()) == (_name("g"), _name("2"), 2)
    with pytest.raises(UnknownBlock):
        past.get(3)
