"""Consensus parameter sets.

A :class:`Preset` is a frozen, validated set of consensus parameters. Five are named:
``tos`` (the network this project specifies), ``kaspa-1bps`` and ``kaspa-10bps`` (the systems
it is measured against), ``minimal`` (small values that make tests reach every boundary
quickly) and ``devnet`` (``tos``'s values for the development network, whose genesis carries
the easiest target so that a CPU mines a block in milliseconds). Any parameter can be
overridden per run with :meth:`Preset.with_overrides`; the result is validated exactly like a
named preset.

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
    difficulty_window_size: int = field(
        metadata=_doc(
            "Difficulty adjustment: number of sampled blocks in a block's DAA window (at least 2)."
        )
    )
    difficulty_sample_rate: int = field(
        metadata=_doc(
            "Difficulty adjustment: one DAA block in this many is sampled into the window; the "
            "window covers difficulty_window_size x difficulty_sample_rate DAA blocks."
        )
    )
    min_difficulty_window_size: int = field(
        metadata=_doc(
            "Difficulty adjustment warm-up: a window with fewer samples keeps the selected "
            "parent's bits (genesis bits below genesis); at least 2, at most the window size."
        )
    )
    past_median_time_window_size: int = field(
        metadata=_doc("Past median time: number of sampled blocks in the window (at least 1).")
    )
    past_median_time_sample_rate: int = field(
        metadata=_doc("Past median time: one DAA block in this many is sampled into the window.")
    )
    timestamp_deviation_tolerance: int = field(
        metadata=_doc(
            "A header's timestamp may be at most this many seconds ahead of the validating "
            "node's clock (whatever the block rate, as in rusty-kaspa)."
        )
    )
    block_version: int = field(
        metadata=_doc("The header version every non-genesis block must carry (0..65535).")
    )
    max_block_level: int = field(
        metadata=_doc(
            "Highest block level; a header's level is max_block_level minus the bit length of "
            "its proof-of-work value (at least 0)."
        )
    )
    max_parent_levels: int = field(
        metadata=_doc(
            "Most levels a header's parents_by_level may hold (1: parents of level 0 only)."
        )
    )
    skip_proof_of_work: bool = field(
        metadata=_doc(
            "When true the proof-of-work rule is not checked (Kaspa's test networks and "
            "generated vectors); every other rule still is."
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
            if spec_field.name in _FLAGS:
                if not isinstance(value, bool):
                    raise InvalidParameter(spec_field.name, value, "must be true or false")
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
        _check(
            self.difficulty_window_size >= 2,
            "difficulty_window_size",
            self.difficulty_window_size,
            "must be >= 2",
        )
        _check(
            2 <= self.min_difficulty_window_size <= self.difficulty_window_size,
            "min_difficulty_window_size",
            self.min_difficulty_window_size,
            f"must be in 2..{self.difficulty_window_size}",
        )
        for name in (
            "difficulty_sample_rate",
            "past_median_time_window_size",
            "past_median_time_sample_rate",
            "timestamp_deviation_tolerance",
            "max_parent_levels",
        ):
            _check(getattr(self, name) >= 1, name, getattr(self, name), "must be >= 1")
        _check(
            0 <= self.block_version <= 0xFFFF,
            "block_version",
            self.block_version,
            "must be in 0..65535",
        )
        _check(
            0 <= self.max_block_level <= 255,
            "max_block_level",
            self.max_block_level,
            "must be in 0..255",
        )

    def with_overrides(self, overrides: Mapping[str, object]) -> Preset:
        """A copy with some parameters replaced; unknown names and bad values are rejected."""
        if not isinstance(overrides, Mapping):
            raise InvalidParameter("overrides", overrides, "overrides are a mapping")
        known = {f.name for f in dataclasses.fields(self)} - {"name"}
        for name in overrides:
            if name not in known:
                raise InvalidParameter(str(name), overrides[name], "unknown parameter")
        return dataclasses.replace(self, **overrides)  # type: ignore[arg-type]

    def parameters(self) -> dict[str, int | bool | None]:
        """The consensus parameters by name (the preset's name left out)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "name"}


_OPTIONAL: Final = ("finality_depth", "merge_depth")
_FLAGS: Final = ("skip_proof_of_work",)


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
    pruning_depth=108_000,
    finality_depth=43_200,
    merge_depth=3_600,
    reindex_depth=100,
    reindex_slack=1 << 14,
    difficulty_window_size=661,
    difficulty_sample_rate=4,
    min_difficulty_window_size=150,
    past_median_time_window_size=27,
    past_median_time_sample_rate=10,
    timestamp_deviation_tolerance=132,
    block_version=1,
    max_block_level=225,
    max_parent_levels=1,
    skip_proof_of_work=False,
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
    difficulty_window_size=2_641,
    difficulty_sample_rate=1,
    min_difficulty_window_size=150,
    past_median_time_window_size=263,
    past_median_time_sample_rate=1,
    timestamp_deviation_tolerance=132,
    block_version=1,
    max_block_level=225,
    max_parent_levels=226,
    skip_proof_of_work=False,
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
    difficulty_window_size=661,
    difficulty_sample_rate=40,
    min_difficulty_window_size=150,
    past_median_time_window_size=27,
    past_median_time_sample_rate=100,
    timestamp_deviation_tolerance=132,
    block_version=1,
    max_block_level=225,
    max_parent_levels=226,
    skip_proof_of_work=False,
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
    difficulty_window_size=10,
    difficulty_sample_rate=2,
    min_difficulty_window_size=4,
    past_median_time_window_size=5,
    past_median_time_sample_rate=1,
    timestamp_deviation_tolerance=132,
    block_version=1,
    max_block_level=250,
    max_parent_levels=1,
    skip_proof_of_work=False,
)

DEVNET: Final = dataclasses.replace(TOS, name="devnet")
"""``tos``'s parameters, every rule on. What makes mining easy is not a parameter but the
genesis of the devnet network (``reference.node.network``): its bits ``0x207fffff`` name the
largest target the difficulty adjustment allows, and a window keeps the genesis bits until it
holds ``min_difficulty_window_size`` samples."""

PRESETS: Final[Mapping[str, Preset]] = {
    p.name: p for p in (TOS, KASPA_1BPS, KASPA_10BPS, MINIMAL, DEVNET)
}
"""The named presets."""

PROVENANCE: Final[Mapping[str, Mapping[str, str]]] = {
    "tos": {
        "k": "TOS GHOSTDAG-era source (K = 10)",
        "max_block_parents": "TOS TIP-2 Phase 2 (mining with up to 32 parents)",
        "mergeset_size_limit": "TOS source: 4K + 16 = 56",
        "target_time_per_block_ms": "TOS: 1 block per second",
        "pruning_depth": (
            "Kaspa's Crescendo formula at 1 block/s: the larger of F + 2 merge_depth + "
            "4 mergeset_size_limit K + 2K + 2 = 52,662 and 30 hours of blocks (108,000); "
            "TOS's draft stepped 200 chain blocks back, far below finality"
        ),
        "finality_depth": "Kaspa's formula at 1 block/s: BPS x 43,200 (12 hours)",
        "merge_depth": "Kaspa's formula at 1 block/s: BPS x 3,600 (1 hour)",
        "reindex_depth": _KASPA_REINDEX,
        "reindex_slack": _KASPA_REINDEX,
        "difficulty_window_size": "Kaspa's sampled window: 661 samples at every block rate",
        "difficulty_sample_rate": "Kaspa's formula at 1 block/s: 4 x BPS (window covers 2,644 s)",
        "min_difficulty_window_size": "Kaspa: MIN_DIFFICULTY_WINDOW_SIZE = 150",
        "past_median_time_window_size": "Kaspa's sampled window: ceil(263 / 10) = 27 samples",
        "past_median_time_sample_rate": "Kaspa's formula at 1 block/s: 10 x BPS",
        "timestamp_deviation_tolerance": "Kaspa: 132 (2 x 132 - 1 = 263 past-median-time blocks)",
        "block_version": "dagspec: version 1 of Kaspa's header format",
        "max_block_level": "Kaspa mainnet: 225",
        "max_parent_levels": "TOS GHOSTDAG-era source: parents of level 0 only",
        "skip_proof_of_work": "proof of work is always checked on this network",
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
        "difficulty_window_size": "Kaspa pre-Crescendo: 2,641 blocks, every block sampled",
        "difficulty_sample_rate": "Kaspa pre-Crescendo: full window (rate 1)",
        "min_difficulty_window_size": "rusty-kaspa: 150 (kaspad waited for the whole window)",
        "past_median_time_window_size": "Kaspa pre-Crescendo: 2 x 132 - 1 = 263 blocks",
        "past_median_time_sample_rate": "Kaspa pre-Crescendo: full window (rate 1)",
        "timestamp_deviation_tolerance": "Kaspa: 132",
        "block_version": "Kaspa pre-Crescendo: BLOCK_VERSION = 1",
        "max_block_level": "Kaspa mainnet: 225",
        "max_parent_levels": "Kaspa: one level per block level, 0 to max_block_level",
        "skip_proof_of_work": "proof of work is always checked on this network",
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
        "difficulty_window_size": "Kaspa Crescendo: 661 samples",
        "difficulty_sample_rate": "Kaspa Crescendo: 4 x BPS = 40",
        "min_difficulty_window_size": "Kaspa: MIN_DIFFICULTY_WINDOW_SIZE = 150",
        "past_median_time_window_size": "Kaspa Crescendo: ceil(263 / 10) = 27 samples",
        "past_median_time_sample_rate": "Kaspa Crescendo: 10 x BPS = 100",
        "timestamp_deviation_tolerance": "Kaspa: 132",
        "block_version": "Kaspa Crescendo: BLOCK_VERSION = 1 (2 since Toccata)",
        "max_block_level": "Kaspa mainnet: 225",
        "max_parent_levels": "Kaspa: one level per block level, 0 to max_block_level",
        "skip_proof_of_work": "proof of work is always checked on this network",
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
        "difficulty_window_size": "dagspec: small, so the difficulty adjusts in short tests",
        "difficulty_sample_rate": "dagspec: 2, so sampling is exercised",
        "min_difficulty_window_size": "dagspec: small, so warm-up ends in short tests",
        "past_median_time_window_size": "dagspec: small, so the median moves in short tests",
        "past_median_time_sample_rate": "dagspec: every block sampled",
        "timestamp_deviation_tolerance": "dagspec: as Kaspa",
        "block_version": "dagspec: as TOS",
        "max_block_level": "Kaspa test networks: 250",
        "max_parent_levels": "dagspec: as TOS",
        "skip_proof_of_work": "dagspec: checked, as on every named network",
    },
    "devnet": {name: "as tos" for name in TOS.parameters() if name != "skip_proof_of_work"}
    | {"skip_proof_of_work": "as tos: checked; the devnet genesis target makes it cheap"},
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
