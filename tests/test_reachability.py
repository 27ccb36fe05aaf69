"""Reachability: Kaspa's facts and examples, rejections that change nothing, the fast splitter."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.oracle import transitive_past
from reference.errors import (
    BlockRejected,
    Code,
    DagspecError,
    InconsistentMergeset,
    InvalidParameter,
    UnknownBlock,
)
from reference.hash import HASH_SIZE, Hash
from reference.presets import MINIMAL
from reference.processes.reachability.api import Reachability
from reference.processes.reachability.interval import Interval
from reference.processes.reachability.invariants import tree_invariant_violations
from reference.processes.reachability.service import ReachabilityService
from reference.processes.reachability.store import ReachabilityData
from reference.processes.reachability.tree import (
    CapacityExhausted,
    _Reindex,
    _split_exponential_into,
    add_tree_block,
)
from tests.test_reachability_dags import snapshot


def h(number: int) -> Hash:
    return Hash(number.to_bytes(8, "big") + bytes(HASH_SIZE - 8))


def service(
    genesis: int = 1, *, depth: int = 100, slack: int = 1 << 14, capacity: Interval | None = None
) -> ReachabilityService:
    return ReachabilityService(
        h(genesis), reindex_depth=depth, reindex_slack=slack, capacity=capacity
    )


def build_tree(
    edges: Sequence[tuple[int, int]], *, depth: int = 100, slack: int = 1 << 14
) -> ReachabilityService:
    """Blocks added as ``(block, selected parent)`` with empty mergesets, hinted as tips."""
    tree = service(depth=depth, slack=slack)
    for block, parent in edges:
        tree.add_block(h(block), h(parent), [])
        tree.hint_selected_tip(h(block))
    return tree


KASPA_TREE = [(2, 1), (3, 2), (4, 2), (5, 3), (6, 5), (7, 1), (8, 6)]
"""rusty-kaspa's ``test_count_subtrees`` tree: 1 -> {2, 7}, 2 -> {3, 4}, 3 -> 5 -> 6 -> 8."""


def test_is_a_reachability() -> None:
    implementation: Reachability = service()
    assert implementation.has_block(h(1))
    assert not implementation.has_block(h(2))


def test_kaspa_subtree_sizes() -> None:
    tree = build_tree(KASPA_TREE)
    reindex = _Reindex(tree.store, 0)
    sizes = {node.hash: reindex.subtree_size(node) for node in tree.store.nodes.values()}
    assert sizes == {h(1): 8, h(2): 6, h(3): 4, h(4): 1, h(5): 3, h(6): 2, h(7): 1, h(8): 1}


def test_kaspa_propagated_intervals() -> None:
    """rusty-kaspa: the tree above re-laid inside [1, 8] gives every block exactly its size."""
    tree = build_tree(KASPA_TREE)
    root = tree.store.genesis
    root.set_interval(Interval(1, 8))
    _Reindex(tree.store, 0).propagate(root)
    intervals = {node.hash: (node.start, node.end) for node in tree.store.nodes.values()}
    assert intervals == {
        h(1): (1, 8),
        h(2): (1, 6),
        h(3): (1, 4),
        h(4): (5, 5),
        h(5): (1, 3),
        h(6): (1, 2),
        h(7): (7, 7),
        h(8): (1, 1),
    }
    assert tree_invariant_violations(tree) == []


def test_kaspa_add_tree_blocks_in_a_small_interval() -> None:
    """rusty-kaspa ``test_add_tree_blocks``: root [1, 15]; the tree stays valid throughout."""
    edges = [(2, 1), (3, 2), (4, 2), (5, 3), (6, 5), (7, 1), (8, 6), (9, 6), (10, 6), (11, 6)]
    tree = service(capacity=Interval(1, 15))
    for block, parent in edges:
        tree.add_block(h(block), h(parent), [])
        assert tree_invariant_violations(tree) == []
    for block, parent in edges:
        assert tree.is_chain_ancestor_of(h(parent), h(block))
    assert not tree.is_chain_ancestor_of(h(7), h(11))


def test_kaspa_earlier_than_reindex_root() -> None:
    """rusty-kaspa ``test_add_early_blocks``: a binary tree with depth 2, slack 5, then a block
    below block 2, far above the reindex root."""
    tree = build_tree([(i, i // 2) for i in range(2, 100)], depth=2, slack=5)
    root_before = tree.store.reindex_root.hash
    assert root_before != h(1)
    tree.add_block(h(100), h(2), [])
    assert tree_invariant_violations(tree) == []
    assert tree.is_chain_ancestor_of(h(2), h(100))
    assert not tree.is_chain_ancestor_of(h(3), h(100))


def test_kaspa_dag_example() -> None:
    """rusty-kaspa ``test_dag_building_and_removal``'s hand-made DAG and its stated relations."""
    dag = {
        1: (),
        2: (1,),
        3: (1,),
        4: (2, 3),
        5: (4,),
        6: (1,),
        7: (5, 6),
        8: (1,),
        9: (1,),
        10: (7, 8, 9),
        11: (1,),
        12: (11, 10),
    }
    parents = {h(block): tuple(h(p) for p in ps) for block, ps in dag.items()}
    past = transitive_past(parents)
    tree = service(depth=2, slack=2, capacity=Interval(1, 200))
    for block in list(parents)[1:]:
        # Selected parent by height (longest chain), as Kaspa's tests choose it.
        selected = max(parents[block], key=lambda p: (tree.store.nodes[p].height, p))
        tree.add_block(block, selected, sorted(past[block] - past[selected] - {block}))
        tree.hint_selected_tip(block)
        assert tree_invariant_violations(tree) == []
    for earlier, later in [(2, 4), (2, 5), (2, 7), (5, 10), (6, 10), (10, 12), (11, 12)]:
        assert tree.is_dag_ancestor_of(h(earlier), h(later))
        assert not tree.is_dag_ancestor_of(h(later), h(earlier))
    for one, other in [(2, 3), (2, 6), (3, 6), (5, 6), (3, 8), (11, 2), (11, 4), (11, 6), (11, 9)]:
        assert not tree.is_dag_ancestor_of(h(one), h(other))
        assert not tree.is_dag_ancestor_of(h(other), h(one))
    for block in parents:
        assert tree.is_dag_ancestor_of(h(1), block)


def test_queries_are_reflexive() -> None:
    tree = build_tree([(2, 1), (3, 1)])
    for block in (1, 2, 3):
        assert tree.is_chain_ancestor_of(h(block), h(block))
        assert tree.is_dag_ancestor_of(h(block), h(block))


def test_preset_parameters() -> None:
    tree = ReachabilityService(
        h(1), reindex_depth=MINIMAL.reindex_depth, reindex_slack=MINIMAL.reindex_slack
    )
    for block in range(2, 40):
        tree.add_block(h(block), h(block - 1), [])
        tree.hint_selected_tip(h(block))
    assert tree.store.reindex_root.height == 39 - 1 - MINIMAL.reindex_depth
    assert tree_invariant_violations(tree) == []


# --- Rejections: typed, with a canonical code, and the service unchanged ------------------


def _small_dag() -> ReachabilityService:
    tree = service(depth=1, slack=1, capacity=Interval(1, 64))
    tree.add_block(h(2), h(1), [])
    tree.add_block(h(3), h(1), [])
    tree.add_block(h(4), h(2), [h(3)])
    tree.hint_selected_tip(h(4))
    return tree


@pytest.mark.parametrize(
    ("block", "selected", "mergeset", "error", "code"),
    [
        (2, 1, [], BlockRejected, Code.DUPLICATE_BLOCK),
        (1, 4, [], BlockRejected, Code.DUPLICATE_BLOCK),
        (5, 9, [], UnknownBlock, Code.UNKNOWN_BLOCK),
        (5, 4, [9], UnknownBlock, Code.UNKNOWN_BLOCK),
        (5, 2, [3, 9], UnknownBlock, Code.UNKNOWN_BLOCK),
        (5, 2, [3, 3], InconsistentMergeset, Code.INCONSISTENT_MERGESET),
        (5, 4, [4], InconsistentMergeset, Code.INCONSISTENT_MERGESET),
        (5, 4, [3], InconsistentMergeset, Code.INCONSISTENT_MERGESET),
        (5, 4, [1], InconsistentMergeset, Code.INCONSISTENT_MERGESET),
    ],
)
def test_bad_additions_are_rejected_and_change_nothing(
    block: int, selected: int, mergeset: list[int], error: type[DagspecError], code: Code
) -> None:
    tree = _small_dag()
    before = snapshot(tree)
    with pytest.raises(error) as raised:
        tree.add_block(h(block), h(selected), [h(m) for m in mergeset])
    assert raised.value.code == code
    assert snapshot(tree) == before
    tree.add_block(h(5), h(4), [])  # and the service still works
    assert tree.is_dag_ancestor_of(h(3), h(5))


@pytest.mark.parametrize(("ancestor", "descendant"), [(9, 1), (1, 9), (9, 9)])
def test_queries_on_unknown_blocks_are_rejected(ancestor: int, descendant: int) -> None:
    tree = _small_dag()
    for query in (tree.is_chain_ancestor_of, tree.is_dag_ancestor_of):
        with pytest.raises(UnknownBlock) as raised:
            query(h(ancestor), h(descendant))
        assert raised.value.code == Code.UNKNOWN_BLOCK
        assert raised.value.block == h(9)


def test_hint_on_unknown_block_is_rejected() -> None:
    tree = _small_dag()
    before = snapshot(tree)
    with pytest.raises(UnknownBlock):
        tree.hint_selected_tip(h(9))
    assert snapshot(tree) == before


@pytest.mark.parametrize(
    ("depth", "slack", "capacity"),
    [(0, 1, None), (1, -1, None), (True, 1, None), (1, 1.5, None), (1, 1, Interval(5, 4))],
)
def test_bad_parameters_are_rejected(depth: object, slack: object, capacity: object) -> None:
    with pytest.raises(InvalidParameter) as raised:
        ReachabilityService(h(1), reindex_depth=depth, reindex_slack=slack, capacity=capacity)  # type: ignore[arg-type]
    assert raised.value.code == Code.BAD_PARAMETER


def test_exhausted_capacity_changes_nothing() -> None:
    tree = service(depth=1, slack=0, capacity=Interval(1, 3))
    tree.add_block(h(2), h(1), [])
    tree.add_block(h(3), h(1), [])
    before = snapshot(tree)
    with pytest.raises(CapacityExhausted):
        tree.add_block(h(4), h(3), [h(2)])
    assert snapshot(tree) == before
    assert tree_invariant_violations(tree) == []


# --- The integer splitter re-laying uses is Interval.split_exponential ---------------------


@given(
    st.integers(1, 10**6),
    st.lists(st.integers(1, 300), min_size=2, max_size=12),
    st.one_of(st.integers(0, 10**5), st.integers(0, 2**64)),
)
def test_fast_split_matches_split_exponential(start: int, sizes: list[int], spare: int) -> None:
    whole = Interval(start, start + sum(sizes) + spare - 1)
    expected = whole.split_exponential(sizes)
    children = [ReachabilityData(h(i), 0, 0, None, 0) for i in range(len(sizes))]
    _split_exponential_into(children, whole.start, whole.end, list(sizes))
    assert [child.interval() for child in children] == expected


def test_reindex_root_follows_the_tip_and_resists_short_reorgs() -> None:
    """Depth 2, slack 3: the root trails the tip by 2 heights, and moves to another chain only
    once that chain's tip is 3 heights above it."""
    tree = service(depth=2, slack=3)
    chain_a = [(10 + i, 10 + i - 1 if i > 1 else 1) for i in range(1, 7)]  # heights 1..6
    for block, parent in chain_a:
        tree.add_block(h(block), h(parent), [])
        tree.hint_selected_tip(h(block))
    assert tree.store.reindex_root.hash == h(14)  # height 4 = 6 - 2
    parent = 11  # fork below the root, at height 1
    for height in range(2, 8):
        block = 20 + height
        tree.add_block(h(block), h(parent), [])
        tree.hint_selected_tip(h(block))
        parent = block
        if height < 4 + 3:
            assert tree.store.reindex_root.hash == h(14)
    assert tree.store.reindex_root.hash == h(25)  # height 5 = 7 - 2, on the new chain
    assert tree_invariant_violations(tree) == []
    assert tree.is_chain_ancestor_of(h(11), h(27))
    assert not tree.is_chain_ancestor_of(h(12), h(27))


@given(st.integers(1, 2**64), st.integers(1, 2**64), st.integers(0, 3))
def test_new_block_takes_the_left_half_of_the_room(start: int, room: int, children: int) -> None:
    """Insertion without reindexing gives ``Interval.split_half()[0]`` of the free room."""
    tree = service(capacity=Interval(start, start + children + room))
    parent = tree.store.genesis
    for index in range(children):
        tree.store.insert(h(100 + index), parent, start + index, start + index)
    node = add_tree_block(tree.store, h(2), parent, 0)
    free = Interval(start + children, start + children + room - 1)
    assert node.interval() == free.split_half()[0]
    assert tree_invariant_violations(tree) == []
