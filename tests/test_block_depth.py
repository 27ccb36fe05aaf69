"""The merge-depth root and the finality point against definitions written in the test.

- On generated DAGs (pruning point genesis): both values equal the closed form of node.md
  §4.1, the highest block of the selected parent's chain with blue score below
  ``B.blue_score - d``, or genesis when there is none.
- With a pruning point that moves during the run: both values equal the literal recursive
  definition (ORIGIN branches, the walk from the selected parent's stored value over the
  selected chain as a list of selected-parent links).
- The boundary ``B.blue_score == pp.blue_score + d`` returns the start block.
- Kaspa's custom-parameter run (merge depth 128, finality depth 200) fed as DAG-mode headers:
  every block accepted, its blue score and work as claimed, both values equal the closed form,
  and the blocks at blue score 128 = merge depth have genesis as merge-depth root.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from hypothesis import given, settings, target
from hypothesis import strategies as st

from conformance.kaspa import kaspa_preset, load_json_run, shared_dir
from conformance.strategies import GeneratedDag, layered_dags
from reference.bits import target_from_bits
from reference.block import Header
from reference.hash import HASH_SIZE, Hash
from reference.presets import get_preset
from reference.processes.block_depth import ORIGIN, block_depth
from reference.processes.ghostdag.data import GhostdagData
from reference.work import target_from_difficulty, work_from_target
from tests.ghostdag_helpers import header_of, roomy_preset, work_of
from tests.test_block_depth_harness import DepthNode, Oracle, node_for, offer_all

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
SHARED = shared_dir(REPOSITORY_ROOT)
LITERAL_ORIGIN = Hash(b"\xfe" * HASH_SIZE)
"""Kaspa's ``blockhash::ORIGIN``, written out here so the oracle does not import it."""


def _name(number: int) -> Hash:
    return Hash(number.to_bytes(2, "big") + bytes(HASH_SIZE - 2))


@given(
    st.integers(0, 4),
    st.integers(1, 6),
    st.integers(1, 8),
    layered_dags(max_layers=12, max_width=4, max_delay=3, max_parents=6),
)
@settings(max_examples=120)
def test_block_depth_equals_the_closed_form(
    k: int, merge: int, finality: int, dag: GeneratedDag
) -> None:
    preset = roomy_preset(k).with_overrides({"merge_depth": merge, "finality_depth": finality})
    node = node_for(dag, preset, check_merge_depth=False)
    assert offer_all(node, dag.blocks) == {}
    oracle = Oracle(dag.parents(), work_of(dag), k)
    for block in dag.blocks:
        depth = node.depth(block.hash)
        assert (depth.merge_depth_root, depth.finality_point) == oracle.block_depth(
            block.hash, merge, finality
        )


def _literal(
    oracle: Oracle,
    block: Hash,
    depth: int,
    pruning_point: Hash,
    stored: Mapping[Hash, Hash],
) -> Hash:
    """node.md §4.1 step by step, with chains as lists of selected-parent links."""
    data = oracle.data[block]
    genesis = oracle.chain(block)[-1]
    if data.selected_parent is None or data.blue_score < depth:
        return genesis
    if data.blue_score < oracle.data[pruning_point].blue_score + depth:
        return LITERAL_ORIGIN
    upwards = list(reversed(oracle.chain(data.selected_parent)))
    if pruning_point not in upwards:
        return LITERAL_ORIGIN
    start = stored[data.selected_parent]
    if start == LITERAL_ORIGIN:
        start = pruning_point
    position = upwards.index(start)
    required = data.blue_score - depth
    while position + 1 < len(upwards) and oracle.data[upwards[position + 1]].blue_score < required:
        position += 1
    return upwards[position]


@given(
    st.integers(0, 3),
    st.integers(1, 5),
    st.integers(1, 7),
    layered_dags(max_layers=12, max_width=3, max_delay=2, max_parents=4),
    st.data(),
)
@settings(max_examples=100)
def test_block_depth_with_a_moving_pruning_point_follows_the_definition(
    k: int, merge: int, finality: int, dag: GeneratedDag, data: st.DataObject
) -> None:
    preset = roomy_preset(k).with_overrides({"merge_depth": merge, "finality_depth": finality})
    node = node_for(dag, preset, check_merge_depth=False)
    oracle = Oracle(dag.parents(), work_of(dag), k)
    genesis = dag.genesis.hash
    blocks = dag.blocks[1:]
    # After block number ``move_after``, the pruning point moves to one block accepted so far.
    move_after = data.draw(st.integers(0, len(blocks)), label="move_after")
    stored_merge: dict[Hash, Hash] = {genesis: genesis}
    stored_finality: dict[Hash, Hash] = {genesis: genesis}
    pruning_point = genesis
    origins = 0
    for position, block in enumerate(blocks):
        if position == move_after:
            accepted = [genesis, *(b.hash for b in blocks[:position])]
            pruning_point = data.draw(st.sampled_from(accepted), label="pruning_point")
            node.pruning_point = pruning_point
        expected = (
            _literal(oracle, block.hash, merge, pruning_point, stored_merge),
            _literal(oracle, block.hash, finality, pruning_point, stored_finality),
        )
        stored_merge[block.hash], stored_finality[block.hash] = expected
        node.add_block(header_of(block))
        depth = node.depth(block.hash)
        assert (depth.merge_depth_root, depth.finality_point) == expected
        origins += LITERAL_ORIGIN in expected
    target(origins, label="ORIGIN answers")


def _chain_node(merge: int, length: int) -> tuple[DepthNode, list[Hash]]:
    preset = get_preset("minimal", {"k": 0, "merge_depth": merge, "finality_depth": merge + 1})
    chain = [_name(0)]
    node = DepthNode(preset, chain[0], target_from_difficulty(1))
    for number in range(1, length + 1):
        chain.append(_name(number))
        node.add_block(Header(chain[-1], (chain[-2],), target_from_difficulty(1)))
    return node, chain


def test_the_boundary_blue_score_equal_to_the_merge_depth_keeps_genesis() -> None:
    # A chain: block i has blue score i. With d = 3, block 3 (blue score = d) starts at
    # genesis, where no chain block has blue score below 0: the start block, genesis, stays.
    node, chain = _chain_node(3, 7)
    roots = [node.depth(block).merge_depth_root for block in chain]
    # Blue score b > d: the highest chain block with blue score < b - 3, i.e. b - 4.
    assert roots == [chain[0]] * 5 + [chain[1], chain[2], chain[3]]


def test_the_boundary_above_a_moved_pruning_point_returns_the_pruning_point() -> None:
    # Pruning point at chain block 2 (blue score 2), d = 3: blocks 3 and 4 are shallower than
    # pp.blue_score + d and get ORIGIN; block 5 sits exactly at pp.blue_score + d, where the
    # walk starts at the pruning point (its selected parent stored ORIGIN) and block 3 already
    # has blue score >= 5 - 3: the pruning point itself, although block 1 is the highest chain
    # block with blue score below 2.
    preset = get_preset("minimal", {"k": 0, "merge_depth": 3, "finality_depth": 3})
    chain = [_name(0)]
    node = DepthNode(preset, chain[0], target_from_difficulty(1))
    roots: list[Hash] = []
    for number in range(1, 9):
        chain.append(_name(number))
        node.add_block(Header(chain[-1], (chain[-2],), target_from_difficulty(1)))
        roots.append(node.depth(chain[-1]).merge_depth_root)
        if number == 2:
            node.pruning_point = chain[2]
    genesis = chain[0]
    assert roots == [genesis, genesis, ORIGIN, ORIGIN, chain[2], chain[2], chain[3], chain[4]]


def test_a_block_on_origin_has_origin_at_every_depth() -> None:
    node, chain = _chain_node(2, 2)
    data = GhostdagData(_name(99), ORIGIN, (ORIGIN,), (), MappingProxyType({}), 1000, 1000)
    depth = block_depth(node.depth_context, data, chain[0])
    assert (depth.merge_depth_root, depth.finality_point) == (ORIGIN, ORIGIN)


def test_kaspa_custom_parameter_run_merges_within_depth_and_roots_equal_the_closed_form() -> None:
    params, headers = load_json_run(SHARED, "goref-custom-params-640-blocks")
    preset = kaspa_preset(params)
    assert (preset.merge_depth, preset.finality_depth) == (128, 200)
    genesis = headers[0]
    genesis_hash = Hash.from_hex(str(genesis["hash"]))
    node = DepthNode(preset, genesis_hash, target_from_bits(int(str(genesis["bits"]))))
    parents: dict[Hash, tuple[Hash, ...]] = {genesis_hash: ()}
    work = {genesis_hash: work_from_target(target_from_bits(int(str(genesis["bits"]))))}
    for header in headers[1:]:
        block = Hash.from_hex(str(header["hash"]))
        levels = header["parentsByLevel"]
        assert isinstance(levels, list)
        target = target_from_bits(int(str(header["bits"])))
        # Every block is accepted with the merge depth rule on, and GHOSTDAG agrees with the
        # header's blue score and blue work.
        data = node.add_block(
            Header(block, tuple(Hash.from_hex(parent) for parent in levels[0]), target)
        )
        assert data.blue_score == int(str(header["blueScore"]))
        assert data.blue_work == int(str(header["blueWork"]), 16)
        parents[block] = tuple(Hash.from_hex(parent) for parent in levels[0])
        work[block] = work_from_target(target)
    assert len(parents) == 641
    oracle = Oracle(parents, work, preset.k)
    at_boundary = 0
    moved = set()
    for block in parents:
        depth = node.depth(block)
        expected = oracle.block_depth(block, 128, 200)
        assert (depth.merge_depth_root, depth.finality_point) == expected
        moved.add(depth.merge_depth_root)
        if oracle.data[block].blue_score == 128:
            at_boundary += 1
            assert depth.merge_depth_root == genesis_hash
    assert at_boundary >= 1
    assert len(moved) > 100  # the root really moves along the chain
