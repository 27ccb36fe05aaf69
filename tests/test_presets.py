"""Presets: values from the anchors (section 6), validation and overrides."""

from __future__ import annotations

import dataclasses

import pytest

from reference.errors import Code, InvalidParameter
from reference.presets import PRESETS, PROVENANCE, get_preset, parameter_docs


def test_peer_parameters() -> None:
    # anchors section 6
    tos, k1, k10 = PRESETS["tos"], PRESETS["kaspa-1bps"], PRESETS["kaspa-10bps"]
    assert (tos.k, tos.max_block_parents, tos.mergeset_size_limit) == (10, 32, 56)
    assert tos.mergeset_size_limit == 4 * tos.k + 16
    assert (k1.k, k1.max_block_parents, k1.mergeset_size_limit) == (18, 10, 180)
    assert (k10.k, k10.max_block_parents, k10.mergeset_size_limit) == (124, 16, 248)
    assert (k1.finality_depth, k1.merge_depth, k1.pruning_depth) == (86_400, 3_600, 185_798)
    assert (k10.finality_depth, k10.merge_depth, k10.pruning_depth) == (432_000, 36_000, 1_080_000)
    assert (tos.target_time_per_block_ms, k10.target_time_per_block_ms) == (1000, 100)
    # Kaspa's Crescendo rule at 1 block/s: at least the lower bound, and 30 hours of blocks.
    assert tos.finality_depth is not None and tos.merge_depth is not None
    lower = (
        tos.finality_depth
        + 2 * tos.merge_depth
        + 4 * tos.mergeset_size_limit * tos.k
        + 2 * tos.k
        + 2
    )
    assert lower == 52_662
    assert tos.pruning_depth == max(lower, 30 * 3600 * 1000 // tos.target_time_per_block_ms)
    assert (tos.finality_depth, tos.merge_depth) == (43_200, 3_600)


def test_every_value_is_documented_with_provenance() -> None:
    docs = parameter_docs()
    assert all(docs.values())
    for name, preset in PRESETS.items():
        assert set(PROVENANCE[name]) == set(preset.parameters()) == set(docs)


def test_presets_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        PRESETS["tos"].k = 3  # type: ignore[misc]


def test_override() -> None:
    custom = get_preset("kaspa-1bps", {"k": 4, "mergeset_size_limit": 5})
    assert (custom.k, custom.mergeset_size_limit, custom.max_block_parents) == (4, 5, 10)
    assert PRESETS["kaspa-1bps"].k == 18
    assert get_preset("minimal", {"k": 0}).k == 0


@pytest.mark.parametrize(
    ("overrides", "parameter"),
    [
        ({"k": -1}, "k"),
        ({"max_block_parents": 0}, "max_block_parents"),
        ({"k": 20, "mergeset_size_limit": 20}, "mergeset_size_limit"),
        ({"k": "4"}, "k"),
        ({"k": True}, "k"),
        ({"k": 4.0}, "k"),
        ({"pruning_depth": 0}, "pruning_depth"),
        ({"finality_depth": 0}, "finality_depth"),
        ({"reindex_slack": -1}, "reindex_slack"),
        ({"no_such_thing": 1}, "no_such_thing"),
        ({"name": "x"}, "name"),
    ],
)
def test_bad_override_rejected(overrides: dict[str, object], parameter: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        get_preset("tos", overrides)
    assert caught.value.code is Code.BAD_PARAMETER
    assert caught.value.name == parameter
    assert parameter in str(caught.value)


def test_unknown_preset_rejected() -> None:
    with pytest.raises(InvalidParameter):
        get_preset("bitcoin")
