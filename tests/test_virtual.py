"""The virtual state, the sink and selected-chain changes against brute force.

After every accepted block of a generated DAG: the tips and the sink are recomputed from
scratch, the virtual's parents are re-chosen by the greedy rule with mergesets taken from whole
past sets, the virtual's GHOSTDAG data is compared with the brute-force oracle applied to a
block with those parents, and the chain change with the difference of the two selected chains.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.oracle import ghostdag_oracle, transitive_past
from conformance.strategies import DagBlock, GeneratedDag, layered_dags
from reference.block import Header
from reference.consensus import Consensus
from reference.errors import BlockRejected
from reference.hash import HASH_SIZE, Hash
from reference.ordering import sort_key
from reference.pipeline.virtual import ChainChange
from reference.presets import get_preset
from reference.work import target_from_difficulty
from tests.ghostdag_helpers import header_of, new_consensus, work_of

PSEUDO_VIRTUAL = Hash(b"\xee" * HASH_SIZE)


def _chain(consensus: Consensus, tip: Hash) -> list[Hash]:
    chain: list[Hash] = []
    current: Hash | None = tip
    while current is not None:
        chain.append(current)
        current = consensus.ghostdag_data(current).selected_parent
    return chain


def _expected_chain_change(consensus: Consensus, old_sink: Hash, new_sink: Hash) -> ChainChange:
    old, new = _chain(consensus, old_sink), _chain(consensus, new_sink)
    shared = set(old) & set(new)
    removed = tuple(block for block in old if block not in shared)
    added = tuple(reversed([block for block in new if block not in shared]))
    return ChainChange(removed=removed, added=added)


def _check_virtual(
    consensus: Consensus,
    accepted: dict[Hash, tuple[Hash, ...]],
    work: dict[Hash, int],
    *,
    with_oracle: bool,
) -> None:
    preset = consensus.preset
    data = {block: consensus.ghostdag_data(block) for block in accepted}
    has_children = {parent for parents in accepted.values() for parent in parents}
    tips = {block for block in accepted if block not in has_children}
    assert consensus.tips() == tips
    sink = max(accepted, key=lambda block: sort_key(data[block]))
    assert consensus.sink() == sink
    virtual = consensus.virtual_state()
    assert virtual.selected_parent == virtual.sink == sink
    # The greedy rule, with mergesets from whole past sets.
    past = transitive_past(accepted)
    ranked = sorted(tips, key=lambda tip: sort_key(data[tip]), reverse=True)
    parents = [sink]
    for tip in ranked[1:]:
        if len(parents) == preset.max_block_parents:
            break
        merged = set().union(*(past[p] for p in (*parents, tip))) - past[sink]
        if 1 + len(merged) <= preset.mergeset_size_limit:
            parents.append(tip)
    assert virtual.parents == tuple(parents)
    if with_oracle:
        extended = {**accepted, PSEUDO_VIRTUAL: virtual.parents}
        oracle = ghostdag_oracle(extended, {**work, PSEUDO_VIRTUAL: 1}, preset.k)
        expected = oracle[PSEUDO_VIRTUAL]
        assert virtual.mergeset_blues == expected.mergeset_blues
        assert virtual.mergeset_reds == expected.mergeset_reds
        assert (virtual.blue_score, virtual.blue_work) == (expected.blue_score, expected.blue_work)


@given(st.integers(0, 6), st.integers(1, 6), st.integers(1, 8), st.data())
@settings(max_examples=80)
def test_virtual_sink_and_chain_changes_equal_brute_force(
    k: int, max_parents: int, slack: int, data: st.DataObject
) -> None:
    dag = data.draw(layered_dags(max_layers=7, max_width=4, max_delay=2, max_parents=6))
    preset = get_preset(
        "minimal", {"k": k, "max_block_parents": max_parents, "mergeset_size_limit": k + slack}
    )
    consensus = new_consensus(dag, preset)
    all_work = work_of(dag)
    accepted: dict[Hash, tuple[Hash, ...]] = {dag.genesis.hash: ()}
    work = {dag.genesis.hash: all_work[dag.genesis.hash]}
    assert consensus.chain_change() == ChainChange((), ())
    _check_virtual(consensus, accepted, work, with_oracle=True)
    for position, block in enumerate(dag.blocks[1:]):
        old_sink = consensus.sink()
        try:
            consensus.add_block(header_of(block))
        except BlockRejected:
            continue
        accepted[block.hash] = block.parents
        work[block.hash] = all_work[block.hash]
        expected = _expected_chain_change(consensus, old_sink, consensus.sink())
        assert consensus.chain_change() == expected
        assert consensus.virtual_state().chain_change == expected
        _check_virtual(consensus, accepted, work, with_oracle=position % 3 == 0)
    _check_virtual(consensus, accepted, work, with_oracle=True)


def _name(number: int) -> Hash:
    return Hash(number.to_bytes(2, "big") + bytes(HASH_SIZE - 2))


def test_reorganisation_lists_removed_downwards_and_added_upwards() -> None:
    g, a, b, c, d, e = (_name(n) for n in range(6))
    blocks = [
        DagBlock(g, (), 1, 0),
        DagBlock(a, (g,), 1, 1),
        DagBlock(b, (a,), 1, 2),
        DagBlock(c, (g,), 1, 1),
        DagBlock(d, (c,), 1, 2),
        DagBlock(e, (d,), 1, 3),
    ]
    consensus = new_consensus(GeneratedDag(tuple(blocks)), get_preset("minimal", {"k": 0}))
    changes = []
    for block in blocks[1:]:
        consensus.add_block(header_of(block))
        changes.append(consensus.chain_change())
    assert changes == [
        ChainChange((), (a,)),
        ChainChange((), (b,)),
        ChainChange((), ()),  # c: blue work 1 < b's 2.
        # d ties b on blue work 2 and wins on its larger hash: the chain switches branches.
        ChainChange((b, a), (c, d)),
        ChainChange((), (e,)),
    ]
    virtual = consensus.virtual_state()
    assert virtual.parents == (e, b)
    assert virtual.mergeset_blues == (e,)
    assert virtual.mergeset_reds == (a, b)  # K = 0: only the selected chain is blue.


def test_virtual_skips_a_tip_that_would_overflow_the_mergeset() -> None:
    # Genesis with four children; limit 3 lets the virtual merge two of them besides the sink.
    preset = get_preset("minimal", {"k": 2, "max_block_parents": 4, "mergeset_size_limit": 3})
    g = _name(0)
    consensus = Consensus(preset, g, target_from_difficulty(1))
    children = [_name(n) for n in (1, 2, 3, 4)]
    for child in children:
        consensus.add_block(Header(child, (g,), target_from_difficulty(1)))
    virtual = consensus.virtual_state()
    assert virtual.parents == (_name(4), _name(3), _name(2))
    assert len(virtual.mergeset_blues) + len(virtual.mergeset_reds) == 3
