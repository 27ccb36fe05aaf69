"""The deviations register of ``spec/deviations.md`` is complete in form, and cited correctly.

- The table has its seven columns, every cell filled, ids of the form ``XX-n`` unique and
  grouped by area, ``from`` one of Kaspa / TOS / both, and a link in ``see``.
- Every id a chapter cites (a backticked ``XX-n``) names a row of the register.
- The facts row ``RE-1`` states about Kaspa's reachability root are recomputed here from
  Kaspa's rules (32-bit float halving of ORIGIN's room), and the reference's root interval is
  read from a fresh reachability service.
"""

from __future__ import annotations

import math
import re
import struct

from reference.hash import Hash
from reference.processes.reachability.service import ReachabilityService
from tests.spec_markdown import SPEC, chapters, table_after_label

REGISTER = SPEC / "deviations.md"
ID = re.compile(r"[A-Z]{2}-[1-9][0-9]*")
CITED = re.compile(r"`([A-Z]{2}-[1-9][0-9]*)`")
COLUMNS = ["id", "area", "from", "there", "here", "reason", "see"]


def _rows() -> list[list[str]]:
    header, *rows = table_after_label(REGISTER, "deviations-table")
    assert header == COLUMNS
    return rows


def test_register_rows_are_complete() -> None:
    rows = _rows()
    assert len(rows) >= 20  # the register as first written; rows are only ever added
    for row in rows:
        assert len(row) == len(COLUMNS), row
        assert all(cell.strip() for cell in row), f"{row[0]}: every cell is filled"
        assert ID.fullmatch(row[0]), f"{row[0]}: ids look like PA-1"
        assert row[2] in {"Kaspa", "TOS", "both"}, f"{row[0]}: from is Kaspa, TOS or both"
        assert "{doc}`" in row[6] or "{ref}`" in row[6], f"{row[0]}: see links a chapter"


def test_ids_are_unique_and_one_prefix_is_one_area() -> None:
    rows = _rows()
    ids = [row[0] for row in rows]
    assert len(ids) == len(set(ids)), "an id is used twice"
    area_of: dict[str, str] = {}
    for row in rows:
        prefix = row[0].split("-")[0]
        assert area_of.setdefault(prefix, row[1]) == row[1], f"{row[0]}: prefix of another area"


def test_rows_of_an_area_are_together() -> None:
    prefixes = [row[0].split("-")[0] for row in _rows()]
    runs = [p for i, p in enumerate(prefixes) if i == 0 or prefixes[i - 1] != p]
    assert len(runs) == len(set(runs)), f"areas interleave: {runs}"


def test_every_cited_id_exists() -> None:
    known = {row[0] for row in _rows()}
    cited = {
        (chapter.name, match)
        for chapter in chapters()
        if chapter != REGISTER
        for match in CITED.findall(chapter.read_text(encoding="utf-8"))
    }
    assert cited, "the chapters cite the register"
    missing = sorted(f"spec/{name}: {ident}" for name, ident in cited if ident not in known)
    assert not missing, "cited but not in spec/deviations.md:\n" + "\n".join(missing)


def _float32(value: float) -> float:
    result: float = struct.unpack("<f", struct.pack("<f", value))[0]
    return result


def test_kaspa_gives_genesis_the_left_half_of_origins_room() -> None:
    # Kaspa: ORIGIN owns [1, u64::MAX - 1]; a child's capacity excludes the parent's last
    # integer; the first child takes ceil(size as f32 * 0.5) integers from the left.
    origin_start, origin_end = 1, 2**64 - 2
    capacity_size = (origin_end - 1) - origin_start + 1
    left_size = math.ceil(_float32(_float32(float(capacity_size)) * 0.5))
    assert (origin_start, origin_start + left_size - 1) == (1, 2**63)
    # In exact arithmetic the half would be one integer smaller: the float rounding of RE-2.
    assert (capacity_size + 1) // 2 == 2**63 - 1


def test_reference_genesis_owns_origins_interval() -> None:
    service = ReachabilityService(Hash.from_label("G"), reindex_depth=100, reindex_slack=16384)
    genesis = service.store.genesis
    assert (genesis.start, genesis.end) == (1, 2**64 - 2)
    assert genesis.parent is None
