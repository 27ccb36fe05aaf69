"""Deleting reachability records (pruning) changes no answer about the blocks that stay.

A layered DAG is inserted up to a random point; a chain block of the heaviest tip plays the
pruning point, and a random subset of the blocks outside its future (never genesis, the root,
nor the reindex root) is deleted in random order, as pruning deletes, with the tree invariants
checked after each deletion. Then the rest of the DAG is inserted — the blocks whose parents
all stay — and every answer about every pair of blocks that stay must equal the past sets.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from conformance.oracle import PastSetReachability, transitive_past
from conformance.strategies import GeneratedDag, layered_dags
from reference.errors import InvalidParameter, UnknownBlock
from reference.hash import Hash
from reference.processes.reachability.interval import ROOT_START, Interval
from reference.processes.reachability.invariants import tree_invariant_violations
from reference.processes.reachability.service import ReachabilityService
from reference.processes.reachability.tree import CapacityExhausted


@given(
    layered_dags(max_layers=16, max_width=5, max_delay=3, max_parents=8),
    st.integers(0, 2**32),
    st.booleans(),
    st.integers(1, 6),
)
def test_deleting_blocks_outside_the_future_of_a_chain_block_changes_no_answer(
    dag: GeneratedDag, seed: int, tight: bool, depth: int
) -> None:
    rng = random.Random(seed)
    blocks = [(block.hash, block.parents) for block in dag.blocks]
    parents = dict(blocks)
    past = transitive_past(parents)
    genesis = blocks[0][0]
    capacity = Interval(ROOT_START, ROOT_START + 64 * len(blocks)) if tight else None
    service = ReachabilityService(genesis, reindex_depth=depth, reindex_slack=2, capacity=capacity)
    capacity_left = True

    def weight(block: Hash) -> tuple[int, Hash]:
        return (len(past[block]), block)

    def insert(block: Hash, block_parents: tuple[Hash, ...]) -> bool:
        selected = max(block_parents, key=weight)
        mergeset = sorted(past[block] - past[selected] - {block})
        try:
            service.add_block(block, selected, mergeset)
        except CapacityExhausted:
            return False
        service.hint_selected_tip(max(service.store.nodes, key=weight))
        return True

    cut = rng.randint(max(1, len(blocks) // 2), len(blocks))
    inserted = [genesis]
    for block, block_parents in blocks[1:cut]:
        if not insert(block, block_parents):
            capacity_left = False
            break
        inserted.append(block)
    tip = max(inserted, key=weight)
    chain = [tip]
    while (below := parents[chain[-1]]) != ():
        chain.append(max(below, key=weight))
    point = rng.choice(chain[: len(chain) // 2 + 1])  # nearer the tip: more to delete
    outside = [b for b in inserted if point not in past[b]]
    protected = {genesis, service.store.reindex_root.hash}
    deleted = [b for b in outside if b not in protected and rng.random() < 0.7]
    rng.shuffle(deleted)
    event(f"deleted {'none' if not deleted else 'some' if len(deleted) < 5 else '5 or more'}")
    for block in deleted:
        service.delete_block(block)
        assert tree_invariant_violations(service) == []
    gone = set(deleted)
    staying = [b for b in inserted if b not in gone]
    if capacity_left:
        for block, block_parents in blocks[cut:]:
            selected = max(block_parents, key=weight)
            # A block reaching a deleted block through its mergeset could not be validated by
            # a pruned node; only the others come.
            if gone & (past[block] - past[selected]) or not set(block_parents) <= set(staying):
                continue
            if not insert(block, block_parents):
                break
            staying.append(block)
            assert tree_invariant_violations(service) == []
    chain_of = {b: {b} for b in staying}
    for block in staying:
        current = block
        while parents[current]:
            current = max(parents[current], key=weight)
            chain_of[block].add(current)
    for descendant in staying:
        for ancestor in staying:
            assert service.is_dag_ancestor_of(ancestor, descendant) == (
                ancestor in past[descendant]
            )
            assert service.is_chain_ancestor_of(ancestor, descendant) == (
                ancestor in chain_of[descendant]
            )
    for block in gone:
        assert not service.has_block(block)
        with pytest.raises(UnknownBlock):
            service.is_dag_ancestor_of(block, genesis)


def test_the_root_and_the_reindex_root_stay() -> None:
    genesis = Hash(bytes(32))
    service = ReachabilityService(genesis, reindex_depth=1, reindex_slack=0)
    with pytest.raises(InvalidParameter):
        service.delete_block(genesis)


def test_the_past_set_oracle_forgets_too() -> None:
    genesis, child = Hash(bytes(32)), Hash(b"\x01" * 32)
    oracle = PastSetReachability(genesis)
    oracle.add_block(child, genesis, [])
    oracle.delete_block(genesis)
    assert not oracle.has_block(genesis)
    with pytest.raises(UnknownBlock):
        oracle.is_dag_ancestor_of(genesis, child)
