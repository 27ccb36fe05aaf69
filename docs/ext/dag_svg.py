"""A coloured DAG as a self-contained SVG document (pure Python, no external renderer).

Blocks are discs, blue or red as the virtual sees them; the selected chain has a dark ring.
Edges point from a block to its parents: solid and heavy to the selected parent, dashed to the
others. The virtual block is the dashed disc on the right. Hovering a block shows its GHOSTDAG
data (a ``<title>`` element).
"""

from __future__ import annotations

import math
from html import escape

from docs.ext.dag_layout import Position, place_blocks
from docs.ext.dag_model import ColouredDag, DrawnBlock

COLUMN_SPACING = 74
ROW_SPACING = 58
RADIUS = 17
MARGIN = 28
LEGEND_HEIGHT = 40

FILL = {"blue": "#2f6fdb", "red": "#d8413a", "outside": "#8a8f98"}
"""Disc colours; both keep white labels readable in light and dark page themes."""
CHAIN_RING = "#1b1f24"
EDGE_COLOUR = "#8a8f98"
VIRTUAL = "virtual"


def render_svg(dag: ColouredDag, title: str, ident: str = "dag") -> str:
    """The SVG text of ``dag``; ``title`` names the picture, ``ident`` keeps its ids unique."""
    positions = place_blocks(dag)
    virtual_column = 1 + max(p.column for p in positions.values())
    top_row = min(p.row for p in positions.values())
    bottom_row = max(p.row for p in positions.values())

    def centre(position: Position) -> tuple[float, float]:
        x = MARGIN + RADIUS + position.column * COLUMN_SPACING
        y = LEGEND_HEIGHT + MARGIN + RADIUS + (position.row - top_row) * ROW_SPACING
        return (x, y)

    points = {label: centre(position) for label, position in positions.items()}
    points[VIRTUAL] = centre(Position(virtual_column, 0))
    width = 2 * (MARGIN + RADIUS) + virtual_column * COLUMN_SPACING
    height = LEGEND_HEIGHT + 2 * (MARGIN + RADIUS) + (bottom_row - top_row) * ROW_SPACING
    width = max(width, MARGIN + 620)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="dag-drawing" '
        'style="max-width: 100%; height: auto" '
        f'font-family="system-ui, sans-serif">',
        f"<title>{escape(title)}</title>",
        "<defs>",
        f'<marker id="{ident}-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" '
        'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{EDGE_COLOUR}"/></marker>',
        "</defs>",
        _legend(),
    ]
    for block in dag.blocks:
        for parent in block.parents:
            heavy = parent == block.selected_parent
            parts.append(
                _edge(
                    points[block.label],
                    points[parent],
                    heavy=heavy,
                    points=points,
                    child=block,
                    parent=parent,
                    ident=ident,
                )
            )
    for parent in dag.virtual_parents:
        heavy = parent == dag.virtual_selected_parent
        parts.append(
            _edge(
                points[VIRTUAL],
                points[parent],
                heavy=heavy,
                points=points,
                child=None,
                parent=parent,
                ident=ident,
            )
        )
    for block in dag.blocks:
        parts.append(_disc(block, points[block.label]))
    vx, vy = points[VIRTUAL]
    parts.append(
        f"<g><title>the virtual block: parents {', '.join(dag.virtual_parents)}; selected "
        f"parent {escape(dag.virtual_selected_parent)}</title>"
        f'<circle cx="{vx}" cy="{vy}" r="{RADIUS}" fill="none" stroke="{EDGE_COLOUR}" '
        f'stroke-width="1.6" stroke-dasharray="4 3"/>'
        f'<text x="{vx}" y="{vy + 4.5}" text-anchor="middle" font-size="12" '
        f'fill="{EDGE_COLOUR}">V</text></g>'
    )
    parts.append("</svg>")
    return "\n".join(parts)


def _legend() -> str:
    y = MARGIN - 4
    items = [
        f'<circle cx="{MARGIN + 8}" cy="{y}" r="7" fill="{FILL["blue"]}"/>',
        f'<text x="{MARGIN + 20}" y="{y + 4}" font-size="12" fill="currentColor">blue</text>',
        f'<circle cx="{MARGIN + 68}" cy="{y}" r="7" fill="{FILL["red"]}"/>',
        f'<text x="{MARGIN + 80}" y="{y + 4}" font-size="12" fill="currentColor">red</text>',
        f'<circle cx="{MARGIN + 124}" cy="{y}" r="7" fill="none" class="chain-ring" '
        f'stroke="{CHAIN_RING}" '
        f'stroke-width="2.5"/>',
        f'<text x="{MARGIN + 136}" y="{y + 4}" font-size="12" fill="currentColor">'
        "selected chain</text>",
        f'<line x1="{MARGIN + 236}" y1="{y}" x2="{MARGIN + 266}" y2="{y}" '
        f'stroke="{EDGE_COLOUR}" stroke-width="2.4"/>',
        f'<text x="{MARGIN + 272}" y="{y + 4}" font-size="12" fill="currentColor">'
        "selected parent</text>",
        f'<line x1="{MARGIN + 376}" y1="{y}" x2="{MARGIN + 406}" y2="{y}" '
        f'stroke="{EDGE_COLOUR}" stroke-width="1.2" stroke-dasharray="4 3"/>',
        f'<text x="{MARGIN + 412}" y="{y + 4}" font-size="12" fill="currentColor">'
        "other parent</text>",
        f'<text x="{MARGIN + 500}" y="{y + 4}" font-size="12" fill="currentColor">'
        "number: blue score</text>",
    ]
    return "<g>" + "".join(items) + "</g>"


def _edge(
    start: tuple[float, float],
    end: tuple[float, float],
    *,
    heavy: bool,
    points: dict[str, tuple[float, float]],
    child: DrawnBlock | None,
    parent: str,
    ident: str,
) -> str:
    (x1, y1), (x2, y2) = start, end
    length = math.hypot(x2 - x1, y2 - y1)
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    # Start and stop at the rims, not the centres.
    sx, sy = x1 + ux * RADIUS, y1 + uy * RADIUS
    ex, ey = x2 - ux * (RADIUS + 1), y2 - uy * (RADIUS + 1)
    style = (
        f'stroke="{EDGE_COLOUR}" stroke-width="{2.4 if heavy else 1.2}" fill="none" '
        + ("" if heavy else 'stroke-dasharray="4 3" ')
        + f'marker-end="url(#{ident}-arrow)"'
    )
    skip = {parent, child.label if child else VIRTUAL}
    obstacle = _obstacle((x1, y1), (x2, y2), points, skip)
    if obstacle is None:
        return f'<line x1="{sx:.1f}" y1="{sy:.1f}" x2="{ex:.1f}" y2="{ey:.1f}" {style}/>'
    # Bow the edge away from the block it would cross.
    ox, oy = obstacle
    nx, ny = -uy, ux
    side = -1.0 if (ox - x1) * nx + (oy - y1) * ny > 0 else 1.0
    bow = side * ROW_SPACING * 0.75
    cx, cy = (x1 + x2) / 2 + nx * bow, (y1 + y2) / 2 + ny * bow
    return f'<path d="M{sx:.1f},{sy:.1f} Q{cx:.1f},{cy:.1f} {ex:.1f},{ey:.1f}" {style}/>'


def _obstacle(
    start: tuple[float, float],
    end: tuple[float, float],
    points: dict[str, tuple[float, float]],
    skip: set[str],
) -> tuple[float, float] | None:
    (x1, y1), (x2, y2) = start, end
    dx, dy = x2 - x1, y2 - y1
    squared = dx * dx + dy * dy
    for label, (px, py) in points.items():
        if label in skip:
            continue
        along = ((px - x1) * dx + (py - y1) * dy) / squared
        if not 0.0 < along < 1.0:
            continue
        distance = math.hypot(x1 + along * dx - px, y1 + along * dy - py)
        if distance < RADIUS * 1.4:
            return (px, py)
    return None


def _disc(block: DrawnBlock, point: tuple[float, float]) -> str:
    x, y = point
    ring = (
        f'class="chain-ring" stroke="{CHAIN_RING}" stroke-width="2.5"'
        if block.on_selected_chain
        else 'stroke="white" stroke-width="1"'
    )
    details = (
        f"{block.label}: {block.colour}; blue score {block.blue_score}, "
        f"blue work {block.blue_work:,}"
        + (f"; selected parent {block.selected_parent}" if block.selected_parent else "")
        + (f"; mergeset blues {', '.join(block.mergeset_blues)}" if block.mergeset_blues else "")
        + (f"; mergeset reds {', '.join(block.mergeset_reds)}" if block.mergeset_reds else "")
    )
    size = 13 if len(block.label) <= 2 else 10
    return (
        f"<g><title>{escape(details)}</title>"
        f'<circle cx="{x}" cy="{y}" r="{RADIUS}" fill="{FILL[block.colour]}" {ring}/>'
        f'<text x="{x}" y="{y + size * 0.35:.1f}" text-anchor="middle" font-size="{size}" '
        f'font-weight="600" fill="white">{escape(block.label)}</text>'
        f'<text x="{x + RADIUS * 0.8:.1f}" y="{y - RADIUS - 3:.1f}" font-size="10" '
        f'fill="currentColor">{block.blue_score}</text></g>'
    )
