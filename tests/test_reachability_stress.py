"""Kaspa's reachability stress DAGs (anchors section 2), checked against a brute-force closure.

As in rusty-kaspa's ``reachability_stretch_test``: each DAG is inserted with the selected parent
chosen by tree height and every new block hinted as the selected tip (Kaspa's reindex depth
and slack); the tree invariants are checked every 100 blocks; then random short chains are
hung off random old blocks, which forces reindexing far above the reindex root. Finally a
large random sample of pairs is checked against the transitive closure, kept as one integer
bit set per block (stored past sets would need hundreds of megabytes at this size).
"""

from __future__ import annotations

import random

import pytest

from conformance.kaspa import STRESS_FILES, load_stress_dag, shared_dir
from conformance.oracle import transitive_past
from conformance.vectors import REPOSITORY_ROOT
from reference.hash import Hash
from reference.presets import KASPA_1BPS
from reference.processes.reachability.invariants import tree_invariant_violations
from reference.processes.reachability.service import ReachabilityService

SHARED = shared_dir(REPOSITORY_ROOT)
"""``../shared`` beside the repository, as CI lays it out."""

FILES = list(STRESS_FILES)


def _load(name: str) -> list[tuple[Hash, tuple[Hash, ...]]]:
    path = SHARED / "anchors" / "kaspa" / "reachability" / name
    if not path.exists():
        pytest.fail(f"Kaspa stress DAG missing: {path} (CI keeps ../shared beside the repo)")
    return load_stress_dag(SHARED, name)


class _BitClosure:
    """Reflexive pasts as bit sets over insertion indices (the brute-force closure)."""

    def __init__(self) -> None:
        self.index: dict[Hash, int] = {}
        self.order: list[Hash] = []
        self.past: list[int] = []

    def add(self, block: Hash, parents: tuple[Hash, ...]) -> None:
        bits = 1 << len(self.past)
        for parent in parents:
            bits |= self.past[self.index[parent]]
        self.index[block] = len(self.past)
        self.order.append(block)
        self.past.append(bits)

    def contains(self, ancestor: Hash, descendant: Hash) -> bool:
        return bool(self.past[self.index[descendant]] >> self.index[ancestor] & 1)

    def blocks_in(self, bits: int) -> list[Hash]:
        found = []
        while bits:
            lowest = bits & -bits
            found.append(self.order[lowest.bit_length() - 1])
            bits ^= lowest
        return found


@pytest.mark.parametrize("name", FILES)
def test_kaspa_stress_dag(name: str) -> None:
    blocks = _load(name)
    genesis = blocks[0][0]
    closure = _BitClosure()
    closure.add(genesis, ())
    service = ReachabilityService(
        genesis, reindex_depth=KASPA_1BPS.reindex_depth, reindex_slack=KASPA_1BPS.reindex_slack
    )
    height: dict[Hash, int] = {genesis: 0}
    chain_bits: dict[Hash, int] = {genesis: 1}

    def add(block: Hash, parents: tuple[Hash, ...]) -> None:
        selected = max(parents, key=lambda p: (height[p], p))
        closure.add(block, parents)
        own = closure.past[-1] & ~(1 << (len(closure.past) - 1))
        mergeset = closure.blocks_in(own & ~closure.past[closure.index[selected]])
        service.add_block(block, selected, mergeset)
        service.hint_selected_tip(block)
        height[block] = height[selected] + 1
        chain_bits[block] = chain_bits[selected] | 1 << closure.index[block]

    for count, (block, parents) in enumerate(blocks[1:], start=1):
        add(block, parents)
        if count % 100 == 0:
            assert tree_invariant_violations(service) == []
    assert tree_invariant_violations(service) == []

    # Kaspa's second phase: chains hung off random old blocks.
    rng = random.Random(22322)
    names = [block for block, _ in blocks]
    for _ in range(len(blocks) // 16):
        tip = rng.choice(names)
        for _ in range(1 + (rng.randrange(20) if rng.randrange(8) == 0 else 0)):
            block = Hash.from_label(f"x{len(names)}")
            add(block, (tip,))
            names.append(block)
            tip = block
    assert tree_invariant_violations(service) == []

    for _ in range(60_000):
        ancestor, descendant = rng.choice(names), rng.choice(names)
        assert service.is_dag_ancestor_of(ancestor, descendant) == closure.contains(
            ancestor, descendant
        ), (ancestor, descendant)
        chained = bool(chain_bits[descendant] >> closure.index[ancestor] & 1)
        assert service.is_chain_ancestor_of(ancestor, descendant) == chained
    # Pairs along the DAG's edges are the ones most likely to be true: check all of them.
    for block, parents in blocks[1:]:
        for parent in parents:
            assert service.is_dag_ancestor_of(parent, block)
            assert not service.is_dag_ancestor_of(block, parent)


def test_bit_closure_matches_the_oracle() -> None:
    """The bit-set closure agrees with ``transitive_past`` on a prefix of a stress DAG."""
    blocks = _load(FILES[0])[:300]
    closure = _BitClosure()
    for block, parents in blocks:
        closure.add(block, parents)
    past = transitive_past(dict(blocks))
    for block, _ in blocks:
        assert set(closure.blocks_in(closure.past[closure.index[block]])) == past[block]
