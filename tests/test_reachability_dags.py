"""Reachability on generated DAGs of every shape, checked against a brute-force closure.

Every example inserts a DAG block by block (selected parent and mergeset derived from the
brute-force past sets, mergeset in a drawn order), checks the tree invariants after every
insertion, then compares every pair's ``is_dag_ancestor_of`` with the transitive closure and
every pair's ``is_chain_ancestor_of`` with the selected chains. Small root capacities and tiny
reindex depths and slacks make every reindexing path run: plain re-laying, reclaiming room
"earlier than the reindex root", root advancement and root reorgs.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from hypothesis import event, given, settings
from hypothesis import strategies as st

from conformance.oracle import transitive_past
from conformance.strategies import GeneratedDag, layered_dags
from reference.hash import HASH_SIZE, Hash
from reference.processes.reachability.interval import ROOT_END, ROOT_START, Interval
from reference.processes.reachability.invariants import tree_invariant_violations
from reference.processes.reachability.service import ReachabilityService
from reference.processes.reachability.tree import CapacityExhausted

Snapshot = tuple[object, ...]


def snapshot(service: ReachabilityService) -> Snapshot:
    """Everything the service holds, as plain values (to prove a rejection changed nothing)."""
    store = service.store
    return (
        store.reindex_root.hash,
        tuple(
            (
                node.hash,
                node.start,
                node.end,
                None if node.parent is None else node.parent.hash,
                node.height,
                tuple(child.hash for child in node.children),
                tuple(item.hash for item in node.future_covering_set or ()),
            )
            for node in store.nodes.values()
        ),
    )


@dataclass(frozen=True, slots=True)
class Setting:
    """How the service under test is configured and driven."""

    capacity: Interval
    """The root interval (small ones force reindexing)."""
    reindex_depth: int
    """Reindex depth."""
    reindex_slack: int
    """Reindex slack."""
    hint_every_block: bool
    """Hint every new block as the tip (as Kaspa's tests do) instead of the heaviest tip."""
    order_seed: int
    """Seed of the order in which each mergeset is handed over (any order is allowed)."""


def run(dag_parents: Sequence[tuple[Hash, Sequence[Hash]]], setting: Setting) -> None:
    """Insert the DAG, checking invariants on the way and every answer at the end.

    A :class:`CapacityExhausted` refusal must leave the service exactly as it was; the blocks
    inserted before it are still checked.
    """
    parents = dict(dag_parents)
    past = transitive_past(parents)
    genesis = dag_parents[0][0]
    service = ReachabilityService(
        genesis,
        reindex_depth=setting.reindex_depth,
        reindex_slack=setting.reindex_slack,
        capacity=setting.capacity,
    )
    rng = random.Random(setting.order_seed)
    chain: dict[Hash, frozenset[Hash]] = {genesis: frozenset((genesis,))}
    tip = genesis

    def weight(block: Hash) -> tuple[int, Hash]:
        return (len(past[block]), block)

    for block, block_parents in dag_parents[1:]:
        selected = max(block_parents, key=weight)
        mergeset = sorted(past[block] - past[selected] - {block})
        rng.shuffle(mergeset)
        before = snapshot(service)
        try:
            service.add_block(block, selected, mergeset)
        except CapacityExhausted:
            assert snapshot(service) == before
            event("root capacity exhausted (service unchanged)")
            break
        chain[block] = chain[selected] | {block}
        tip = max(tip, block, key=weight)
        service.hint_selected_tip(block if setting.hint_every_block else tip)
        assert tree_invariant_violations(service) == []
    inserted = list(chain)
    for descendant in inserted:
        for ancestor in inserted:
            assert service.is_dag_ancestor_of(ancestor, descendant) == (
                ancestor in past[descendant]
            ), (ancestor, descendant)
            assert service.is_chain_ancestor_of(ancestor, descendant) == (
                ancestor in chain[descendant]
            ), (ancestor, descendant)


def _name(index: int) -> Hash:
    return Hash(index.to_bytes(4, "big") + bytes(HASH_SIZE - 4))


@st.composite
def settings_for(draw: st.DrawFn, blocks: int) -> Setting:
    """Tiny capacities (a few times the block count) next to the real 64-bit one."""
    depth = draw(st.integers(1, 6))
    slack = draw(st.integers(0, 8))
    if draw(st.booleans()):
        capacity = Interval(ROOT_START, ROOT_END)
    else:
        # Roughly what root moves and slack reservations can consume, times a drawn factor:
        # some examples run out of room on purpose (which must change nothing).
        low = blocks + 2
        room = draw(st.integers(low, max(low, 4 * blocks * (2 * slack + 2))))
        capacity = Interval(ROOT_START, ROOT_START + room - 1)
    return Setting(capacity, depth, slack, draw(st.booleans()), draw(st.integers(0, 2**16)))


def _as_parents(dag: GeneratedDag) -> list[tuple[Hash, tuple[Hash, ...]]]:
    return [(block.hash, block.parents) for block in dag.blocks]


@st.composite
def layered_cases(draw: st.DrawFn) -> tuple[list[tuple[Hash, tuple[Hash, ...]]], Setting]:
    """The shared layered network-delay DAGs: chains, wide layers, long delays."""
    dag = draw(layered_dags(max_layers=10, max_width=5, max_delay=3, max_parents=8))
    return _as_parents(dag), draw(settings_for(len(dag.blocks)))


@st.composite
def comb_cases(draw: st.DrawFn) -> tuple[list[tuple[Hash, tuple[Hash, ...]]], Setting]:
    """A chain that grows far ahead while blocks keep hanging off, and merging, old blocks.

    Once the reindex root has moved down the chain, a block whose selected parent lies above
    it must get room by reclaiming it along the chain (the "earlier than the reindex root"
    path), on either side of the chain depending on where the old block sits.
    """
    blocks: list[tuple[Hash, tuple[Hash, ...]]] = [(_name(0), ())]
    for index in range(1, draw(st.integers(2, 45))):
        earlier = [block for block, _ in blocks]
        if draw(st.booleans()):
            block_parents: tuple[Hash, ...] = (earlier[-1],)  # extend the newest block
        else:
            old = draw(st.sampled_from(earlier))
            extra = draw(st.lists(st.sampled_from(earlier), max_size=3))
            block_parents = _antichain(blocks, [old, *extra])
        blocks.append((_name(index), block_parents))
    return blocks, draw(settings_for(len(blocks)))


@st.composite
def many_parent_cases(draw: st.DrawFn) -> tuple[list[tuple[Hash, tuple[Hash, ...]]], Setting]:
    """Bursts of unconnected blocks merged at once: large mergesets and covering sets."""
    blocks: list[tuple[Hash, tuple[Hash, ...]]] = [(_name(0), ())]
    tips = [_name(0)]
    for _ in range(draw(st.integers(1, 6))):
        burst = []
        for _ in range(draw(st.integers(1, 7))):
            block = _name(len(blocks))
            chosen = draw(st.lists(st.sampled_from(tips), min_size=1, max_size=len(tips)))
            blocks.append((block, _antichain(blocks, chosen)))
            burst.append(block)
        merger = _name(len(blocks))
        blocks.append((merger, _antichain(blocks, burst + tips)))
        tips = [merger, *draw(st.lists(st.sampled_from(burst), max_size=2))]
        tips = list(_antichain(blocks, tips))
    return blocks, draw(settings_for(len(blocks)))


@st.composite
def alternating_chain_cases(
    draw: st.DrawFn,
) -> tuple[list[tuple[Hash, tuple[Hash, ...]]], Setting]:
    """Two chains growing in turns from one fork, their heavier tip swapping: root reorgs."""
    blocks: list[tuple[Hash, tuple[Hash, ...]]] = [(_name(0), ())]
    tips = [_name(0), _name(0)]
    for _ in range(draw(st.integers(2, 40))):
        side = draw(st.integers(0, 1))
        block = _name(len(blocks))
        merge = draw(st.integers(0, 9)) == 0 and tips[0] != tips[1]
        block_parents = _antichain(blocks, tips) if merge else (tips[side],)
        blocks.append((block, block_parents))
        tips[side] = block
    return blocks, draw(settings_for(len(blocks)))


def _antichain(
    blocks: Sequence[tuple[Hash, Sequence[Hash]]], candidates: Sequence[Hash]
) -> tuple[Hash, ...]:
    """The candidates that are not in the past of another candidate (a valid parent set)."""
    past = transitive_past(dict(blocks))
    unique = sorted(set(candidates))
    return tuple(
        block
        for block in unique
        if not any(block != other and block in past[other] for other in unique)
    )


@settings(max_examples=1000)
@given(layered_cases())
def test_layered_dags_match_the_closure(
    case: tuple[list[tuple[Hash, tuple[Hash, ...]]], Setting],
) -> None:
    run(*case)


@settings(max_examples=500)
@given(comb_cases())
def test_blocks_below_old_blocks_match_the_closure(
    case: tuple[list[tuple[Hash, tuple[Hash, ...]]], Setting],
) -> None:
    run(*case)


@settings(max_examples=300)
@given(many_parent_cases())
def test_wide_merges_match_the_closure(
    case: tuple[list[tuple[Hash, tuple[Hash, ...]]], Setting],
) -> None:
    run(*case)


@settings(max_examples=300)
@given(alternating_chain_cases())
def test_reorging_tips_match_the_closure(
    case: tuple[list[tuple[Hash, tuple[Hash, ...]]], Setting],
) -> None:
    run(*case)


@settings(max_examples=200)
@given(st.integers(1, 60), st.integers(0, 2**16))
def test_chains_match_the_closure(length: int, seed: int) -> None:
    blocks = [(_name(0), ())] + [(_name(i), (_name(i - 1),)) for i in range(1, length + 1)]
    rng = random.Random(seed)
    capacity = Interval(ROOT_START, ROOT_START + rng.randint(length + 2, 8 * length + 16))
    run(blocks, Setting(capacity, rng.randint(1, 6), rng.randint(0, 4), False, seed))
