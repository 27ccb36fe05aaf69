"""Seeded DAGs for the published vectors: a layered network-delay model on ``random.Random``.

Blocks are mined in layers. A block of layer ``L`` was mined by a node whose view lagged
``delay`` layers: it sees the DAG made of layers ``<= L - 1 - delay``, takes that view's tips
(always an antichain) and leaves some out at random, keeping at least one and at most
``max_parents``. Wide layers and long delays make wide anticones, hence red blocks and ties;
difficulties from a small set make equal blue work, hence hash tie-breaks.

This generator is deliberately separate from the Hypothesis strategies in
``conformance.strategies``: published vectors must stay byte-identical whatever happens to
the test strategies, so they depend only on this module, a seed and ``random.Random``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from reference.hash import HASH_SIZE, Hash


@dataclass(frozen=True, slots=True)
class SeededBlock:
    """One block of a generated DAG."""

    hash: Hash
    """The block's identifier (random bytes from the seed)."""
    parents: tuple[Hash, ...]
    """Its parents: an antichain of earlier blocks; empty only for genesis."""
    difficulty: int
    """Its difficulty (1 <= difficulty < 2^256)."""


@dataclass(frozen=True, slots=True)
class DagShape:
    """Bounds of the layered model."""

    blocks: int
    """Number of blocks, genesis included."""
    max_width: int
    """Most blocks in one layer."""
    max_delay: int
    """Most layers a miner's view lags behind."""
    max_parents: int
    """Most parents one block takes."""
    difficulties: tuple[int, ...]
    """Difficulties are drawn from these values."""


def seeded_dag(rng: random.Random, shape: DagShape) -> list[SeededBlock]:
    """A DAG of ``shape.blocks`` blocks in one topological order, genesis first."""
    genesis = SeededBlock(Hash(rng.randbytes(HASH_SIZE)), (), rng.choice(shape.difficulties))
    blocks = [genesis]
    tips_after: list[list[Hash]] = [[genesis.hash]]
    while len(blocks) < shape.blocks:
        layer = len(tips_after)
        current: list[SeededBlock] = []
        for _ in range(rng.randint(1, shape.max_width)):
            if len(blocks) == shape.blocks:
                break
            view = tips_after[max(0, layer - 1 - rng.randint(0, shape.max_delay))]
            kept = [tip for tip in view if rng.random() < 0.75] or [rng.choice(view)]
            if len(kept) > shape.max_parents:
                kept = rng.sample(kept, shape.max_parents)
            block = SeededBlock(
                Hash(rng.randbytes(HASH_SIZE)), tuple(kept), rng.choice(shape.difficulties)
            )
            blocks.append(block)
            current.append(block)
        referenced = {parent for block in current for parent in block.parents}
        tips = [tip for tip in tips_after[-1] if tip not in referenced]
        tips_after.append(tips + [block.hash for block in current])
    return blocks


class _Block(Protocol):
    """Anything with a hash and the hashes of its parents."""

    @property
    def hash(self) -> Hash: ...

    @property
    def parents(self) -> tuple[Hash, ...]: ...


BlockT = TypeVar("BlockT", bound=_Block)


def reorder(blocks: Sequence[BlockT], rng: random.Random) -> list[BlockT]:
    """The same DAG in a random topological order (genesis, ``blocks[0]``, stays first).

    Kahn's algorithm taking a uniformly random ready block at each step; works for any
    block type with ``hash`` and ``parents``.
    """
    children: dict[Hash, list[BlockT]] = {block.hash: [] for block in blocks}
    for block in blocks:
        for parent in block.parents:
            children[parent].append(block)
    waiting = {block.hash: len(block.parents) for block in blocks}
    ready = [blocks[0]]
    order: list[BlockT] = []
    while ready:
        block = ready.pop(rng.randrange(len(ready)))
        order.append(block)
        for child in children[block.hash]:
            waiting[child.hash] -= 1
            if waiting[child.hash] == 0:
                ready.append(child)
    return order
