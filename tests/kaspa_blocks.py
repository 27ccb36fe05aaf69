"""Kaspa's goref-1060 json_test run (265 blocks and genesis with their transactions), read raw.

The header fields are read here with a few lines of their own, so the body tests depend on
nothing in ``reference`` but the code they test.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path
from typing import Any

from reference.hash import Hash
from reference.header import BlockHeader

GOREF = (
    Path(__file__).resolve().parents[1].parent
    / "shared/anchors/kaspa/json_tests/goref-1060-tx-265-blocks/blocks.json.gz"
)


@cache
def goref_blocks() -> tuple[dict[str, Any], ...]:
    """Genesis then the 265 blocks, each ``{"header": {...}, "transactions": [...]}``."""
    with gzip.open(GOREF, "rt") as handle:
        lines = handle.read().splitlines()
    return tuple(json.loads(line) for line in lines[1:])


def header_of(block: dict[str, Any]) -> BlockHeader:
    """The header of a goref block as a :class:`BlockHeader`."""
    fields = block["header"]
    assert isinstance(fields, dict)
    return BlockHeader(
        fields["version"],
        tuple(tuple(Hash.from_hex(x) for x in level) for level in fields["parentsByLevel"]),
        Hash.from_hex(fields["hashMerkleRoot"]),
        Hash.from_hex(fields["acceptedIdMerkleRoot"]),
        Hash.from_hex(fields["utxoCommitment"]),
        fields["timestamp"],
        fields["bits"],
        fields["nonce"],
        fields["daaScore"],
        int(fields["blueWork"], 16),
        fields["blueScore"],
        Hash.from_hex(fields["pruningPoint"]),
    )
