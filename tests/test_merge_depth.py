"""The bounded merge depth rule against its definition and against Kaspa's own test.

- Generated DAGs with small K and small merge depths (so red blocks and bad merges really
  happen): every offered block is accepted or rejected exactly as node.md §4.2 decides over
  whole past sets, with the merge-depth root taken from node.md §4.1's closed form; a block
  above a rejected one is UNKNOWN_PARENT.
- rusty-kaspa's ``bounded_merge_depth_test`` (K = 5, merge depth 7): its six verdicts.
- The cost of the block-at-depth walk per block does not grow with the DAG.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from hypothesis import given, settings, target
from hypothesis import strategies as st

from conformance.strategies import GeneratedDag, Shape, layered_dags, random_layered_dag
from reference.block import Header
from reference.errors import BlockRejected, Code
from reference.hash import HASH_SIZE, Hash
from reference.presets import get_preset
from reference.processes.merge_depth import bad_reds, kosherizing_blues
from reference.stores.relations import RelationsStore
from reference.work import target_from_difficulty
from tests.ghostdag_helpers import header_of, roomy_preset, work_of
from tests.test_block_depth_harness import DepthNode, Oracle, node_for


@dataclass
class _Run:
    """What one run against the definition exercised."""

    bad_merges: int = 0
    """Blocks rejected with VIOLATING_MERGE_DEPTH."""
    kosherized: int = 0
    """Reds without the root in their past that a kosherizing blue saved."""
    off_chain: int = 0
    """Blocks decided differently if any blue with the root in its past (not only on its
    selected chain) kosherized: the case that pins "on the selected chain"."""


def _run_against_definition(k: int, merge: int, finality: int | None, dag: GeneratedDag) -> _Run:
    preset = roomy_preset(k).with_overrides({"merge_depth": merge, "finality_depth": finality})
    node = node_for(dag, preset)
    oracle = Oracle(dag.parents(), work_of(dag), k)
    accepted = {dag.genesis.hash}
    run = _Run()
    for block in dag.blocks[1:]:
        data = oracle.data[block.hash]
        if not accepted.issuperset(block.parents):
            expected: Code | None = Code.UNKNOWN_PARENT
        else:
            root, _ = oracle.block_depth(block.hash, merge, finality)
            bad = oracle.bad_reds(data, root)
            expected = Code.VIOLATING_MERGE_DEPTH if bad else None
            deep = [red for red in data.mergeset_reds if root not in oracle.past[red]]
            run.kosherized += len(deep) - len(bad)
            merged_root = [blue for blue in data.mergeset_blues if root in oracle.past[blue]]
            loose = [red for red in deep if not any(red in oracle.past[b] for b in merged_root)]
            run.off_chain += bool(loose) != bool(bad)
        try:
            node.add_block(header_of(block))
            verdict: Code | None = None
        except BlockRejected as error:
            verdict = error.code
        assert verdict == expected, block.hash
        if verdict is None:
            accepted.add(block.hash)
        run.bad_merges += verdict is Code.VIOLATING_MERGE_DEPTH
    return run


@given(
    st.integers(0, 3),
    st.integers(1, 6),
    st.one_of(st.none(), st.integers(1, 8)),
    layered_dags(max_layers=12, max_width=4, max_delay=3, max_parents=6),
)
@settings(max_examples=150)
def test_bad_merges_are_rejected_exactly_as_defined(
    k: int, merge: int, finality: int | None, dag: GeneratedDag
) -> None:
    run = _run_against_definition(k, merge, finality, dag)
    target(float(run.bad_merges), label="bad merges")
    target(float(run.kosherized), label="deep reds saved by a kosherizing blue")
    target(float(run.off_chain), label="blues merging the root off their chain")


def test_seeded_runs_pin_every_clause_of_the_rule() -> None:
    # Deterministic companions of the property above: 200 seeded DAGs reach every clause,
    # including blues that have the root in their past but not on their selected chain (they
    # do not kosherize; about one DAG in fifty has a block whose verdict depends on it).
    total = _Run()
    for seed in range(200):
        rng = random.Random(seed)
        k, merge, blocks = rng.randint(0, 4), rng.randint(1, 6), rng.randint(8, 30)
        shape = Shape(0, rng.randint(2, 5), rng.randint(1, 3), 6, 3)
        run = _run_against_definition(k, merge, None, random_layered_dag(seed, blocks, shape))
        total.bad_merges += run.bad_merges
        total.kosherized += run.kosherized
        total.off_chain += run.off_chain
    assert total.bad_merges > 0
    assert total.kosherized > 0
    assert total.off_chain > 0


def _word(word: int) -> Hash:
    """rusty-kaspa's ``Hash::from(u64)``: three zero words, then ``word`` little-endian."""
    return Hash(bytes(HASH_SIZE - 8) + word.to_bytes(8, "little"))


def test_rusty_kaspa_bounded_merge_depth_test() -> None:
    # rusty-kaspa testing/integration/src/consensus_integration_tests.rs, bounded_merge_depth_test:
    # devnet parameters with K = 5 and merge depth 7, every block of equal difficulty.
    k, merge = 5, 7
    preset = get_preset(
        "minimal",
        {"k": k, "merge_depth": merge, "max_block_parents": 10, "mergeset_size_limit": 180},
    )
    genesis = _word(1)
    node = DepthNode(preset, genesis, target_from_difficulty(1))

    def offer(block: Hash, parents: list[Hash]) -> Code | None:
        try:
            node.add_block(Header(block, tuple(parents), target_from_difficulty(1)))
        except BlockRejected as error:
            return error.code
        return None

    selected_chain = [genesis]
    for i in range(1, merge + 3):
        assert offer(_word(i + 1), [selected_chain[-1]]) is None
        selected_chain.append(_word(i + 1))
    # One block shorter, so selected_chain stays the selected chain.
    chain_2 = [genesis]
    for i in range(1, merge + 2):
        assert offer(_word(i + merge + 3), [chain_2[-1]]) is None
        chain_2.append(_word(i + merge + 3))

    violating = Code.VIOLATING_MERGE_DEPTH
    # chain_2[1] is red, lacks the merge-depth root in its past, and no blue kosherizes it.
    assert offer(_word(100), [chain_2[1], selected_chain[-1]]) is violating
    # Both tips: chain_2's tip is red too.
    assert offer(_word(101), [chain_2[-1], selected_chain[-1]]) is violating
    # Genesis is now the merge-depth root of both sides.
    kosherizing = _word(102)
    assert offer(kosherizing, [chain_2[-3], selected_chain[-3]]) is None
    # Every red is in the past of the kosherizing blue.
    point_at_blue_kosherizing = _word(103)
    assert offer(point_at_blue_kosherizing, [kosherizing, selected_chain[-1]]) is None
    data = node.ghostdag.get(point_at_blue_kosherizing)
    root = node.depth(point_at_blue_kosherizing).merge_depth_root
    assert kosherizing in kosherizing_blues(data, root, node.reachability)
    assert data.mergeset_reds
    assert bad_reds(data, root, node.reachability) == ()
    # Extend the selected chain by K until the kosherizing block is red from the virtual's view.
    for i in range(k):
        assert offer(_word((i + 1) * 1000), [selected_chain[-1]]) is None
        selected_chain.append(_word((i + 1) * 1000))
    assert offer(_word(1200), [kosherizing, selected_chain[-1]]) is violating
    # point_at_blue_kosherizing kosherizes the kosherizing block.
    assert offer(_word(1201), [point_at_blue_kosherizing, selected_chain[-1]]) is None


class _CountingRelations(RelationsStore):
    """A relations store that counts the children lists read (only the walk reads them)."""

    __slots__ = ("children_read",)

    def __init__(self) -> None:
        super().__init__()
        self.children_read = 0

    def children(self, block: Hash) -> tuple[Hash, ...]:
        self.children_read += 1
        return super().children(block)


def _children_read_per_block(blocks: int) -> float:
    dag = random_layered_dag(11, blocks, Shape(0, 4, 2, 8, 3))
    preset = roomy_preset(10).with_overrides({"merge_depth": 30, "finality_depth": 60})
    relations = _CountingRelations()
    node = node_for(dag, preset, check_merge_depth=False, relations=relations)
    for block in dag.blocks[1:]:
        node.add_block(header_of(block))
    return relations.children_read / blocks


def test_the_walk_per_block_does_not_grow_with_the_dag() -> None:
    # Walking from the selected parent's stored value moves each answer up by a few chain
    # blocks; walking from genesis instead would read ~ blue_score children lists per block.
    small, large = _children_read_per_block(300), _children_read_per_block(1_200)
    assert small > 0 and large < 1.3 * small + 1
    assert large < 12
