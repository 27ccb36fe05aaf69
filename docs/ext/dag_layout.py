"""Where each block goes: time runs left to right, the selected chain is a straight line.

A block's column is its longest distance from genesis, so every parent sits to the left of its
children. The virtual's selected chain occupies row 0; every other block takes the free row of
its column nearest the mean row of its parents, so merged side branches stay close to the
blocks they grew from.
"""

from __future__ import annotations

from dataclasses import dataclass

from docs.ext.dag_model import ColouredDag


@dataclass(frozen=True, slots=True)
class Position:
    """A slot in the drawing's grid."""

    column: int
    """Longest parent-path distance from genesis (the virtual takes the last column)."""
    row: int
    """0 for the selected chain; negative above it, positive below."""


def place_blocks(dag: ColouredDag) -> dict[str, Position]:
    """A grid position for every block of ``dag``."""
    columns: dict[str, int] = {}
    for block in dag.blocks:
        columns[block.label] = 1 + max((columns[p] for p in block.parents), default=-1)
    rows: dict[str, int] = {b.label: 0 for b in dag.blocks if b.on_selected_chain}
    taken: dict[int, set[int]] = {column: {0} for column in columns.values()}
    by_column = sorted(dag.blocks, key=lambda b: (columns[b.label], b.label))
    for block in by_column:
        if block.label in rows:
            continue
        parent_rows = [rows[p] for p in block.parents]
        centre = sum(parent_rows) / len(parent_rows) if parent_rows else 0.0
        occupied = taken[columns[block.label]]
        row = _nearest_free_row(centre, occupied)
        occupied.add(row)
        rows[block.label] = row
    return {label: Position(columns[label], rows[label]) for label in columns}


def _nearest_free_row(centre: float, occupied: set[int]) -> int:
    # Search outward from the centre; on a tie prefer the row farther from the chain, which
    # keeps side branches from crowding row 0.
    best: int | None = None
    for distance in range(len(occupied) + 2):
        for candidate in (round(centre) - distance, round(centre) + distance):
            if candidate in occupied:
                continue
            if best is None or _preference(candidate, centre) < _preference(best, centre):
                best = candidate
        if best is not None:
            return best
    raise AssertionError("unreachable: some row near the centre is always free")


def _preference(row: int, centre: float) -> tuple[float, int]:
    return (abs(row - centre), -abs(row))
