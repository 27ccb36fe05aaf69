"""Consensus parameter sets.

A :class:`Preset` is a frozen, validated set of consensus parameters. Four are named:
``tos`` (the network this project specifies), ``kaspa-1bps`` and ``kaspa-10bps`` (the systems
it is measured against) and ``minimal`` (small values that make tests reach every boundary
quickly). Any parameter can be overridden per run with :meth:`Preset.with_overrides`; the
result is validated exactly like a named preset.

Every field carries its documentation and, per preset, its provenance in :data:`PROVENANCE`;
the parameter tables in ``spec/presets.md`` are checked against these objects by the tests.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from reference.errors import InvalidParameter


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


@dataclass(frozen=True, slots=True)
class Preset:
    """One complete set of consensus parameters."""

    name: str = field(metadata=_doc("Name of the preset the values came from."))
    k: int = field(
        metadata=_doc(
            "GHOSTDAG K: the largest blue anticone a blue block may have. K = 0 is allowed "
            "(colouring then keeps only the selected chain blue)."
        )
    )
    max_block_parents: int = field(
        metadata=_doc("Most parents a block header may reference (at least 1).")
    )
    mergeset_size_limit: int = field(
        metadata=_doc(
            "Most blocks a block may merge, blues and reds together with the selected parent "
            "counted; must exceed K."
        )
    )
    target_time_per_block_ms: int = field(
        metadata=_doc("Target interval between blocks in milliseconds.")
    )
    pruning_depth: int = field(
        metadata=_doc("Blue-score depth below the sink past which block data may be pruned.")
    )
    finality_depth: int | None = field(
        metadata=_doc("Blue-score depth of finality; None where the network defines none.")
    )
    merge_depth: int | None = field(
        metadata=_doc("Blue-score depth of the merge-depth bound; None where none is defined.")
    )
    reindex_depth: int = field(
        metadata=_doc(
            "Reachability: how far the reindex root trails the selected tip, in chain blocks."
        )
    )
    reindex_slack: int = field(
        metadata=_doc(
            "Reachability: interval capacity reserved on each side when reindexing above the "
            "reindex root."
        )
    )

    def __post_init__(self) -> None:
        for spec_field in dataclasses.fields(self):
            value = getattr(self, spec_field.name)
            if spec_field.name == "name":
                if not isinstance(value, str) or not value:
                    raise InvalidParameter("name", value, "a preset name is a non-empty string")
                continue
            optional = spec_field.name in _OPTIONAL
            if value is None and optional:
                continue
            if not isinstance(value, int) or isinstance(value, bool):
                raise InvalidParameter(spec_field.name, value, "must be an integer")
        _check(self.k >= 0, "k", self.k, "K must be >= 0")
        _check(
            self.max_block_parents >= 1,
            "max_block_parents",
            self.max_block_parents,
            "a block needs at least one parent",
        )
        _check(
            self.mergeset_size_limit > self.k,
            "mergeset_size_limit",
            self.mergeset_size_limit,
            f"must exceed K = {self.k}",
        )
        _check(
            self.target_time_per_block_ms >= 1,
            "target_time_per_block_ms",
            self.target_time_per_block_ms,
            "must be >= 1",
        )
        _check(self.pruning_depth >= 1, "pruning_depth", self.pruning_depth, "must be >= 1")
        for name in _OPTIONAL:
            value = getattr(self, name)
            _check(value is None or value >= 1, name, value, "must be >= 1 or None")
        _check(self.reindex_depth >= 1, "reindex_depth", self.reindex_depth, "must be >= 1")
        _check(self.reindex_slack >= 0, "reindex_slack", self.reindex_slack, "must be >= 0")

    def with_overrides(self, overrides: Mapping[str, object]) -> Preset:
        """A copy with some parameters replaced; unknown names and bad values are rejected."""
        if not isinstance(overrides, Mapping):
            raise InvalidParameter("overrides", overrides, "overrides are a mapping")
        known = {f.name for f in dataclasses.fields(self)} - {"name"}
        for name in overrides:
            if name not in known:
                raise InvalidParameter(str(name), overrides[name], "unknown parameter")
        return dataclasses.replace(self, **overrides)  # type: ignore[arg-type]

    def parameters(self) -> dict[str, int | None]:
        """The consensus parameters by name (the preset's name left out)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "name"}


_OPTIONAL: Final = ("finality_depth", "merge_depth")


def _check(ok: bool, name: str, value: object, message: str) -> None:
    if not ok:
        raise InvalidParameter(name, value, message)


def parameter_docs() -> dict[str, str]:
    """Each parameter's documentation, in field order."""
    return {f.name: f.metadata["doc"] for f in dataclasses.fields(Preset) if f.name != "name"}


_KASPA_REINDEX = "rusty-kaspa reachability defaults (reindex_depth 100, reindex_slack 2^14)"

TOS: Final = Preset(
    name="tos",
    k=10,
    max_block_parents=32,
    mergeset_size_limit=56,
    target_time_per_block_ms=1000,
    pruning_depth=200,
    finality_depth=None,
    merge_depth=None,
    reindex_depth=100,
    reindex_slack=1 << 14,
)
KASPA_1BPS: Final = Preset(
    name="kaspa-1bps",
    k=18,
    max_block_parents=10,
    mergeset_size_limit=180,
    target_time_per_block_ms=1000,
    pruning_depth=185_798,
    finality_depth=86_400,
    merge_depth=3_600,
    reindex_depth=100,
    reindex_slack=1 << 14,
)
KASPA_10BPS: Final = Preset(
    name="kaspa-10bps",
    k=124,
    max_block_parents=16,
    mergeset_size_limit=248,
    target_time_per_block_ms=100,
    pruning_depth=1_080_000,
    finality_depth=432_000,
    merge_depth=36_000,
    reindex_depth=100,
    reindex_slack=1 << 14,
)
MINIMAL: Final = Preset(
    name="minimal",
    k=3,
    max_block_parents=4,
    mergeset_size_limit=16,
    target_time_per_block_ms=1000,
    pruning_depth=20,
    finality_depth=None,
    merge_depth=None,
    reindex_depth=4,
    reindex_slack=8,
)

PRESETS: Final[Mapping[str, Preset]] = {p.name: p for p in (TOS, KASPA_1BPS, KASPA_10BPS, MINIMAL)}
"""The named presets."""

PROVENANCE: Final[Mapping[str, Mapping[str, str]]] = {
    "tos": {
        "k": "TOS GHOSTDAG-era source (K = 10)",
        "max_block_parents": "TOS TIP-2 Phase 2 (mining with up to 32 parents)",
        "mergeset_size_limit": "TOS source: 4K + 16 = 56",
        "target_time_per_block_ms": "TOS: 1 block per second",
        "pruning_depth": "TOS source: 200 chain steps",
        "finality_depth": "TOS defines none",
        "merge_depth": "TOS defines none",
        "reindex_depth": _KASPA_REINDEX,
        "reindex_slack": _KASPA_REINDEX,
    },
    "kaspa-1bps": {
        "k": "Kaspa pre-Crescendo: PHANTOM bound with D = 5 s, delta = 0.01",
        "max_block_parents": "Kaspa pre-Crescendo params",
        "mergeset_size_limit": "Kaspa pre-Crescendo params (10 K)",
        "target_time_per_block_ms": "Kaspa pre-Crescendo: 1 block per second",
        "pruning_depth": "Kaspa: from finality, merge depth and K",
        "finality_depth": "Kaspa: 24 hours of blocks",
        "merge_depth": "Kaspa: 1 hour of blocks",
        "reindex_depth": _KASPA_REINDEX,
        "reindex_slack": _KASPA_REINDEX,
    },
    "kaspa-10bps": {
        "k": "Kaspa Crescendo: PHANTOM bound at 10 blocks per second",
        "max_block_parents": "Kaspa Crescendo params",
        "mergeset_size_limit": "Kaspa Crescendo params (2 K)",
        "target_time_per_block_ms": "Kaspa Crescendo: 10 blocks per second",
        "pruning_depth": "Kaspa Crescendo params",
        "finality_depth": "Kaspa Crescendo: 12 hours of blocks",
        "merge_depth": "Kaspa Crescendo: 1 hour of blocks",
        "reindex_depth": _KASPA_REINDEX,
        "reindex_slack": _KASPA_REINDEX,
    },
    "minimal": {
        "k": "dagspec: small enough that tests reach the K boundary in a few blocks",
        "max_block_parents": "dagspec: small, so TOO_MANY_PARENTS is easy to reach",
        "mergeset_size_limit": "dagspec: small, so MERGESET_TOO_BIG is easy to reach",
        "target_time_per_block_ms": "dagspec: as TOS",
        "pruning_depth": "dagspec: small, so pruning happens in short tests",
        "finality_depth": "dagspec: not used",
        "merge_depth": "dagspec: not used",
        "reindex_depth": "dagspec: small, so the reindex root moves in short tests",
        "reindex_slack": "dagspec: small, so reindexing happens in short tests",
    },
}
"""Where each value of each named preset comes from."""


def get_preset(name: str, overrides: Mapping[str, object] | None = None) -> Preset:
    """A named preset, with optional overrides applied and validated."""
    try:
        preset = PRESETS[name]
    except (KeyError, TypeError) as error:
        known = ", ".join(PRESETS)
        raise InvalidParameter("preset", name, f"unknown preset; known: {known}") from error
    return preset.with_overrides(overrides) if overrides else preset
