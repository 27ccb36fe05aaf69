"""Generated blockDAGs: a layered network-delay model, for Hypothesis and for seeded runs.

Blocks are mined in *layers* (think: seconds). A block of layer ``L`` was mined by a node whose
view of the DAG lagged ``delay`` layers behind: it sees every block of layers ``<= L-1-delay``,
takes the tips of that view as parents (always an antichain) and may leave some out. Wide
layers and long delays give wide anticones and therefore red blocks; width 1 and delay 0 give
a chain. Drawing each block's parents from earlier indices instead makes chain-like DAGs that
almost never exercise colouring, which is why this model exists.

One builder serves both worlds: :func:`layered_dags` draws its choices from Hypothesis (and
shrinks toward "chain, width 1, delay 0, difficulty 1"), :func:`random_layered_dag` from a
seeded ``random.Random`` (benchmarks and published vectors, reproducible without Hypothesis).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from hypothesis import strategies as st

from conformance.dags import reorder
from reference.hash import HASH_SIZE, Hash


@dataclass(frozen=True, slots=True)
class DagBlock:
    """One generated block."""

    hash: Hash
    """The block's identifier."""
    parents: tuple[Hash, ...]
    """Its parents, an antichain of earlier blocks (empty only for genesis)."""
    difficulty: int
    """Its difficulty (1 <= difficulty < 2^256)."""
    layer: int
    """The layer it was mined in (genesis: 0)."""


@dataclass(frozen=True, slots=True)
class GeneratedDag:
    """A DAG in one topological order: ``blocks[0]`` is genesis."""

    blocks: tuple[DagBlock, ...]
    """Every block, genesis first, each after all of its parents."""

    @property
    def genesis(self) -> DagBlock:
        """The first block."""
        return self.blocks[0]

    def parents(self) -> dict[Hash, tuple[Hash, ...]]:
        """``block -> parents`` for every block."""
        return {block.hash: block.parents for block in self.blocks}


@dataclass(frozen=True, slots=True)
class Shape:
    """Bounds of the layered model."""

    layers: int
    """Number of layers after genesis."""
    max_width: int
    """Most blocks in one layer."""
    max_delay: int
    """Most layers a miner's view may lag behind."""
    max_parents: int
    """Most parents a block takes (tips beyond it are left out, larger hashes first kept)."""
    max_difficulty: int
    """Difficulties are drawn from ``1..max_difficulty`` (small ranges make work ties)."""


class _Chooser:
    """Where the model's choices come from: Hypothesis draws or a seeded generator."""

    def __init__(self, integer: Callable[[int, int], int]) -> None:
        self.integer = integer

    def boolean(self) -> bool:
        return self.integer(0, 1) == 1


def _build(shape: Shape, choose: _Chooser, name: Callable[[int], Hash]) -> GeneratedDag:
    genesis = DagBlock(name(0), (), 1, 0)
    blocks = [genesis]
    # tips_after[h]: the tips of the DAG made of layers 0..h, kept incrementally so that a
    # large DAG costs time linear in its size.
    tips_after: list[list[DagBlock]] = [[genesis]]
    for layer in range(1, shape.layers + 1):
        current: list[DagBlock] = []
        for _ in range(choose.integer(1, shape.max_width)):
            delay = choose.integer(0, shape.max_delay)
            tips = tips_after[max(0, layer - 1 - delay)]
            # Leaving tips out models a miner that has not validated them yet; at least one
            # parent always remains, so the block stays connected.
            kept = [tip for tip in tips if not choose.boolean()] or [tips[-1]]
            kept = kept[-shape.max_parents :]
            block = DagBlock(
                name(len(blocks)),
                tuple(tip.hash for tip in kept),
                choose.integer(1, shape.max_difficulty),
                layer,
            )
            blocks.append(block)
            current.append(block)
        referenced = {parent for block in current for parent in block.parents}
        previous = tips_after[-1]
        tips_after.append([tip for tip in previous if tip.hash not in referenced] + current)
    return GeneratedDag(tuple(blocks))


def _short_name(position: int, permutation: list[int]) -> Hash:
    # Two-byte names from a drawn permutation: hash order is unrelated to insertion order,
    # and names stay short so shrunk examples are readable.
    return Hash(permutation[position].to_bytes(2, "big") + bytes(HASH_SIZE - 2))


@st.composite
def layered_dags(
    draw: st.DrawFn,
    *,
    max_layers: int = 8,
    max_width: int = 4,
    max_delay: int = 2,
    max_parents: int = 8,
    max_difficulty: int = 3,
) -> GeneratedDag:
    """Hypothesis strategy: a layered network-delay DAG (shrinks toward a short chain)."""
    shape = Shape(
        layers=draw(st.integers(0, max_layers)),
        max_width=draw(st.integers(1, max_width)),
        max_delay=draw(st.integers(0, max_delay)),
        max_parents=max_parents,
        max_difficulty=max_difficulty,
    )
    capacity = 1 + shape.layers * shape.max_width
    permutation = draw(st.permutations(range(capacity)))
    chooser = _Chooser(lambda low, high: draw(st.integers(low, high)))
    return _build(shape, chooser, lambda position: _short_name(position, permutation))


def random_layered_dag(seed: int, blocks: int, shape: Shape) -> GeneratedDag:
    """A reproducible DAG of about ``blocks`` blocks (layers are added until it has them)."""
    rng = random.Random(seed)

    def name(position: int) -> Hash:
        return Hash(hashlib.sha256(f"{seed}:{position}".encode()).digest())

    # Enough layers for the requested size; the last layer is trimmed away below.
    layers = max(1, 2 * blocks // max(1, shape.max_width) + 1)
    dag = _build(
        Shape(layers, shape.max_width, shape.max_delay, shape.max_parents, shape.max_difficulty),
        _Chooser(rng.randint),
        name,
    )
    return GeneratedDag(dag.blocks[:blocks])


def topological_orders(dag: GeneratedDag, rng: random.Random) -> Iterator[GeneratedDag]:
    """Endless random topological orders of the same DAG (genesis always first)."""
    while True:
        yield GeneratedDag(tuple(reorder(dag.blocks, rng)))


@st.composite
def reordered(draw: st.DrawFn, dag: GeneratedDag) -> GeneratedDag:
    """Hypothesis strategy: the same DAG in another topological order."""
    return next(topological_orders(dag, draw(st.randoms(use_true_random=False))))
