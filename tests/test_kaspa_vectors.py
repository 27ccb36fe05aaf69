"""Kaspa's six GHOSTDAG vectors, with the harness rules both Kaspa implementations use.

Block hash = the ID's ASCII bytes right-padded with zeros; every block has the difficulty of
Kaspa's mainnet genesis bits ``0x1d02ca33`` (work W = 1,539,502,703), so blue work must be
``W * blue_score``. Blues and reds are compared as ordered lists. The files live in the
``shared`` folder beside the repository root.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from conformance.kaspa import shared_dir
from conformance.oracle import PastSetReachability
from conformance.vectors import REPOSITORY_ROOT
from reference.bits import target_from_bits
from reference.block import Header
from reference.consensus import Consensus
from reference.hash import Hash
from reference.presets import get_preset
from reference.processes.reachability.api import Reachability
from reference.work import work_from_target

DAGS = shared_dir(REPOSITORY_ROOT) / "anchors" / "kaspa" / "dags"
KASPA_GENESIS_BITS = 0x1D02CA33
W = 1_539_502_703


def _load(number: int) -> dict[str, Any]:
    path = DAGS / f"dag{number}.json"
    if not path.exists():
        pytest.fail(f"missing Kaspa vector {path}")
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def _run(vector: dict[str, Any], reachability: Reachability | None) -> int:
    target = target_from_bits(KASPA_GENESIS_BITS)
    genesis = Hash.from_label(vector["GenesisID"])
    # The vectors are checked with the consensus rules on GHOSTDAG only: parent count and
    # mergeset size are not what they test, so those bounds are lifted.
    preset = get_preset(
        "kaspa-1bps", {"k": vector["K"], "max_block_parents": 64, "mergeset_size_limit": 1000}
    )
    consensus = Consensus(preset, genesis, target, reachability=reachability)
    for block in vector["Blocks"]:
        parents = tuple(Hash.from_label(p) for p in block["Parents"])
        data = consensus.add_block(Header(Hash.from_label(block["ID"]), parents, target))
        label = block["ID"]
        assert data.selected_parent == Hash.from_label(block["ExpectedSelectedParent"]), label
        assert [b.label() for b in data.mergeset_blues] == block["ExpectedBlues"], label
        assert [b.label() for b in data.mergeset_reds] == block["ExpectedReds"], label
        assert data.blue_score == block["ExpectedScore"], label
        assert data.blue_work == W * block["ExpectedScore"], label
    return len(vector["Blocks"])


def test_harness_work_constant() -> None:
    assert work_from_target(target_from_bits(KASPA_GENESIS_BITS)) == W


@pytest.mark.parametrize("number", range(6))
def test_kaspa_vector_with_reachability_service(number: int) -> None:
    assert _run(_load(number), None) > 0


@pytest.mark.parametrize("number", range(6))
def test_kaspa_vector_with_past_set_oracle(number: int) -> None:
    vector = _load(number)
    genesis = Hash.from_label(vector["GenesisID"])
    assert _run(vector, PastSetReachability(genesis)) > 0
