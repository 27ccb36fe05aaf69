"""A DAG to draw, and its GHOSTDAG colouring as the reference computes it.

A drawing shows the DAG from the virtual block's point of view: the virtual merges every tip,
its selected chain runs back to genesis, and the mergesets of the chain blocks (the virtual's
included) partition all blocks into blue and red. That is the colouring a node reports.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from reference.bits import target_from_bits
from reference.block import Header
from reference.consensus import Consensus
from reference.hash import Hash
from reference.presets import get_preset
from reference.work import target_from_difficulty

KASPA_VECTOR_BITS = 0x1D02CA33
"""Every block of Kaspa's GHOSTDAG vectors has the difficulty of Kaspa's mainnet genesis."""

INLINE_DIFFICULTY = 1000
"""Difficulty of a block of an inline DAG that states none (work 999)."""

_DIFFICULTY = "difficulty="

Colour = Literal["blue", "red", "outside"]
"""``outside``: not in the virtual's past (a tip the virtual could not merge)."""


class DagFormatError(ValueError):
    """A DAG description that cannot be drawn (a documentation bug, reported at build time)."""


@dataclass(frozen=True, slots=True)
class DagDescription:
    """Topology and K: what a drawing is made from."""

    k: int
    """GHOSTDAG K used to colour the DAG."""
    genesis: str
    """Label of the genesis block."""
    blocks: tuple[tuple[str, tuple[str, ...]], ...]
    """``(label, parent labels)`` of every block but genesis, each after its parents."""
    targets: Mapping[str, int] = field(default_factory=dict)
    """Proof-of-work target by label; a block not named has :data:`KASPA_VECTOR_BITS`' target."""


@dataclass(frozen=True, slots=True)
class DrawnBlock:
    """One block as the drawing shows it."""

    label: str
    """The block's label (its hash is the label's ASCII bytes, zero-padded)."""
    parents: tuple[str, ...]
    """Parent labels in the order the description gave them."""
    selected_parent: str | None
    """Label of its selected parent; ``None`` for genesis."""
    mergeset_blues: tuple[str, ...]
    """Its own mergeset's blues, selected parent first, as the reference orders them."""
    mergeset_reds: tuple[str, ...]
    """Its own mergeset's reds, ascending."""
    blue_score: int
    """Its blue score."""
    blue_work: int
    """Its blue work."""
    colour: Colour
    """Its colour in the virtual's view (``outside`` when the virtual does not merge it)."""
    on_selected_chain: bool
    """True when it is on the virtual's selected chain (genesis always is)."""


@dataclass(frozen=True, slots=True)
class ColouredDag:
    """A DAG with every block's GHOSTDAG data and the virtual's view."""

    k: int
    """GHOSTDAG K the colouring used."""
    blocks: tuple[DrawnBlock, ...]
    """Every block, genesis first, each after its parents."""
    virtual_parents: tuple[str, ...]
    """The tips: the virtual block's parents."""
    virtual_selected_parent: str
    """The virtual's selected parent (the sink)."""


def load_kaspa_dag(path: Path) -> DagDescription:
    """Read one of Kaspa's GHOSTDAG vector files (``K``, ``GenesisID``, ``Blocks``)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        blocks = tuple(
            (str(entry["ID"]), tuple(str(p) for p in entry["Parents"]))
            for entry in document["Blocks"]
        )
        return DagDescription(int(document["K"]), str(document["GenesisID"]), blocks)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise DagFormatError(f"{path}: not a Kaspa DAG vector ({error})") from error


def parse_dag(lines: Sequence[str], k: int) -> DagDescription:
    """Read the inline form: one block per line, ``LABEL: PARENT PARENT ... [difficulty=N]``.

    The first line names genesis (no parents); blank lines and ``#`` comments are skipped. A
    block's difficulty is :data:`INLINE_DIFFICULTY` unless its line states another.
    """
    entries: list[tuple[str, tuple[str, ...]]] = []
    targets: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        label, sep, rest = line.partition(":")
        if not sep or not label.strip():
            raise DagFormatError(f"line {number}: expected 'LABEL: PARENT ...', got {raw!r}")
        parents = []
        difficulty = INLINE_DIFFICULTY
        for word in rest.split():
            if word.startswith(_DIFFICULTY):
                try:
                    difficulty = int(word.removeprefix(_DIFFICULTY))
                except ValueError as error:
                    raise DagFormatError(f"line {number}: bad {word!r}") from error
            else:
                parents.append(word)
        entries.append((label.strip(), tuple(parents)))
        targets[label.strip()] = target_from_difficulty(difficulty)
    if not entries:
        raise DagFormatError("an empty DAG has nothing to draw")
    genesis, genesis_parents = entries[0]
    if genesis_parents:
        raise DagFormatError(f"the first block, genesis {genesis!r}, has no parents")
    return DagDescription(k, genesis, tuple(entries[1:]), targets)


def colour_dag(description: DagDescription) -> ColouredDag:
    """Run the description through the reference and read the virtual's view of it."""
    # Limits wide enough that every block is valid and the virtual merges every tip: a drawing
    # shows colouring, not the parent and mergeset limits (validation has its own examples).
    size = 1 + len(description.blocks)
    most_parents = max((len(parents) for _, parents in description.blocks), default=1)
    preset = get_preset(
        "kaspa-1bps",
        {
            "k": description.k,
            "max_block_parents": max(most_parents, size),
            "mergeset_size_limit": max(description.k, size) + 1,
        },
    )
    default = target_from_bits(KASPA_VECTOR_BITS)
    targets = description.targets
    genesis = description.genesis
    consensus = Consensus(preset, Hash.from_label(genesis), targets.get(genesis, default))
    for label, parents in description.blocks:
        parent_hashes = tuple(map(Hash.from_label, parents))
        consensus.add_block(
            Header(Hash.from_label(label), parent_hashes, targets.get(label, default))
        )

    virtual = consensus.virtual_state()
    colours: dict[str, Colour] = {}
    chain: set[str] = set()

    def paint(blues: Sequence[Hash], reds: Sequence[Hash]) -> None:
        for block in blues:
            colours[block.label()] = "blue"
        for block in reds:
            colours[block.label()] = "red"

    paint(virtual.mergeset_blues, virtual.mergeset_reds)
    current: Hash | None = virtual.selected_parent
    while current is not None:
        chain.add(current.label())
        data = consensus.ghostdag_data(current)
        paint(data.mergeset_blues, data.mergeset_reds)
        current = data.selected_parent
    colours[description.genesis] = "blue"

    drawn: list[DrawnBlock] = []
    for label, parents in ((description.genesis, ()), *description.blocks):
        data = consensus.ghostdag_data(Hash.from_label(label))
        drawn.append(
            DrawnBlock(
                label=label,
                parents=parents,
                selected_parent=None
                if data.selected_parent is None
                else data.selected_parent.label(),
                mergeset_blues=tuple(b.label() for b in data.mergeset_blues),
                mergeset_reds=tuple(b.label() for b in data.mergeset_reds),
                blue_score=data.blue_score,
                blue_work=data.blue_work,
                colour=colours.get(label, "outside"),
                on_selected_chain=label in chain,
            )
        )
    return ColouredDag(
        k=description.k,
        blocks=tuple(drawn),
        virtual_parents=tuple(p.label() for p in virtual.parents),
        virtual_selected_parent=virtual.selected_parent.label(),
    )
