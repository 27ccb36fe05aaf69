"""Kaspa's six GHOSTDAG DAG files, read from the ``shared`` anchors folder beside the repository.

The files (``dag0.json`` … ``dag5.json``) come from kaspanet/rusty-kaspa
``testing/integration/testdata/dags/``, byte-identical to kaspanet/kaspad
``domain/consensus/testdata/dags/`` (both ISC-licensed). Harness rules both Kaspa
implementations use, which the conversion keeps: a block's hash is its ID's ASCII bytes
right-padded with zero bytes; every block carries mainnet genesis bits ``0x1d02ca33``, so
blue work is ``W × blue_score``; blues and reds are ordered lists.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from reference.bits import work_from_bits
from reference.hash import Hash
from reference.presets import Preset, get_preset

KASPA_GENESIS_BITS: Final = 0x1D02CA33
"""The compact bits every block of Kaspa's DAG files carries."""

SOURCE_REPOSITORY: Final = "https://github.com/kaspanet/rusty-kaspa"
SOURCE_FOLDER: Final = "testing/integration/testdata/dags"
MIRROR: Final = "https://github.com/kaspanet/kaspad domain/consensus/testdata/dags (byte-identical)"
LICENSE: Final = "ISC License, Copyright (c) the Kaspa developers (rusty-kaspa, kaspad)"


@dataclass(frozen=True, slots=True)
class KaspaBlock:
    """One block of a Kaspa DAG file with Kaspa's expectations."""

    hash: Hash
    """``Hash.from_label(ID)``."""
    parents: tuple[Hash, ...]
    """Parents in file order."""
    selected_parent: Hash
    """``ExpectedSelectedParent``."""
    blues: tuple[Hash, ...]
    """``ExpectedBlues`` (ordered)."""
    reds: tuple[Hash, ...]
    """``ExpectedReds`` (ordered)."""
    blue_score: int
    """``ExpectedScore``."""


@dataclass(frozen=True, slots=True)
class KaspaDag:
    """One Kaspa DAG file."""

    name: str
    """File name without extension (``dag0``)."""
    k: int
    """The file's ``K``."""
    genesis: Hash
    """``Hash.from_label(GenesisID)``."""
    blocks: tuple[KaspaBlock, ...]
    """The listed blocks, in file order (topological)."""

    @property
    def work(self) -> int:
        """The work of every block (the work of :data:`KASPA_GENESIS_BITS`)."""
        return work_from_bits(KASPA_GENESIS_BITS)


def shared_dir(repository_root: Path) -> Path:
    """The anchors folder as CI lays it out: ``shared`` beside the repository."""
    return repository_root.parent / "shared"


def load_kaspa_dags(shared: Path) -> list[KaspaDag]:
    """The six DAG files, in order; ``FileNotFoundError`` naming the folder when absent."""
    folder = shared / "anchors" / "kaspa" / "dags"
    dags: list[KaspaDag] = []
    for number in range(6):
        path = folder / f"dag{number}.json"
        if not path.is_file():
            raise FileNotFoundError(f"Kaspa DAG file {path} is missing (is ../shared there?)")
        raw = json.loads(path.read_text(encoding="utf-8"))
        blocks = tuple(
            KaspaBlock(
                hash=Hash.from_label(block["ID"]),
                parents=tuple(Hash.from_label(p) for p in block["Parents"]),
                selected_parent=Hash.from_label(block["ExpectedSelectedParent"]),
                blues=tuple(Hash.from_label(b) for b in block["ExpectedBlues"]),
                reds=tuple(Hash.from_label(r) for r in block["ExpectedReds"]),
                blue_score=int(block["ExpectedScore"]),
            )
            for block in raw["Blocks"]
        )
        dags.append(
            KaspaDag(f"dag{number}", int(raw["K"]), Hash.from_label(raw["GenesisID"]), blocks)
        )
    return dags


STRESS_FOLDER: Final = "testing/integration/testdata/reachability"
"""Where Kaspa's reachability stress DAGs live upstream (topology only, no expectations)."""

STRESS_FILES: Final = (
    "attack-dag-blocks--2^12-delay-factor--1-k--18.json.gz",
    "noattack-dag-blocks--2^12-delay-factor--1-k--18.json.gz",
)
"""The two 4,091-block stress DAGs built with K = 18; "attack" is shaped to force reindexing."""


def load_stress_dag(shared: Path, file_name: str) -> list[tuple[Hash, tuple[Hash, ...]]]:
    """``(block, parents)`` of a Kaspa reachability stress DAG in file order (genesis first).

    Block IDs become hashes as in the GHOSTDAG files: ASCII bytes right-padded with zeros.
    """
    path = shared / "anchors" / "kaspa" / "reachability" / file_name
    if not path.is_file():
        raise FileNotFoundError(f"Kaspa stress DAG {path} is missing (is ../shared there?)")
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        raw = json.load(stream)
    return [
        (Hash.from_label(block["id"]), tuple(Hash.from_label(p) for p in block["parents"]))
        for block in raw
    ]


KASPA_BLOCK_VERSION: Final = 2
"""The header version of Kaspa's json-test runs (rusty-kaspa's BLOCK_VERSION since Toccata)."""


def kaspa_preset(params: Mapping[str, object]) -> Preset:
    """The preset of a Kaspa json-test run from its parameter line (Kaspa's names)."""
    rate = params["blockrate"]
    if not isinstance(rate, Mapping):
        raise ValueError("blockrate is not an object")
    max_block_level = params["max_block_level"]
    if not isinstance(max_block_level, int):
        raise ValueError("max_block_level is not an integer")
    return get_preset(
        "kaspa-10bps",
        {
            "k": rate["ghostdag_k"],
            "max_block_parents": rate["max_block_parents"],
            "mergeset_size_limit": rate["mergeset_size_limit"],
            "target_time_per_block_ms": rate["target_time_per_block"],
            "pruning_depth": rate["pruning_depth"],
            "finality_depth": rate["finality_depth"],
            "merge_depth": rate["merge_depth"],
            "difficulty_window_size": params["difficulty_window_size"],
            "difficulty_sample_rate": rate["difficulty_sample_rate"],
            "min_difficulty_window_size": params["min_difficulty_window_size"],
            "past_median_time_window_size": params["past_median_time_window_size"],
            "past_median_time_sample_rate": rate["past_median_time_sample_rate"],
            "timestamp_deviation_tolerance": params["timestamp_deviation_tolerance"],
            "block_version": KASPA_BLOCK_VERSION,
            "max_block_level": max_block_level,
            "max_parent_levels": max_block_level + 1,
            "skip_proof_of_work": params["skip_proof_of_work"],
        },
    )


def load_json_run(shared: Path, run: str) -> tuple[dict[str, object], list[dict[str, Any]]]:
    """The parameter line and the header objects (genesis first) of Kaspa's json-test run
    ``run``, as Kaspa wrote them; ``FileNotFoundError`` naming the file when absent."""
    path = shared / "anchors" / "kaspa" / "json_tests" / run / "blocks.json.gz"
    if not path.is_file():
        raise FileNotFoundError(f"Kaspa's json-test run {path} is missing (is ../shared there?)")
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        params = json.loads(next(lines))
        headers = [json.loads(line)["header"] for line in lines]
    return params, headers
