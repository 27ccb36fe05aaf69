"""What several benchmarks share: where Kaspa's reachability stress DAGs are, and reading them.

The leading underscore keeps ``python -m benchmarks`` from running this module as a benchmark.
"""

from __future__ import annotations

from pathlib import Path

from conformance.kaspa import load_stress_dag, shared_dir
from conformance.vectors import REPOSITORY_ROOT
from reference.hash import Hash

SHARED = shared_dir(REPOSITORY_ROOT)
"""The anchors folder, ``../shared`` beside the repository."""

STRESS_DIRECTORY = SHARED / "anchors" / "kaspa" / "reachability"
"""Kaspa's stress DAGs, in ``../shared`` beside the repository."""


def stress_dags() -> list[tuple[Path, list[tuple[Hash, tuple[Hash, ...]]]]]:
    """Every stress DAG found, by file name: its path and ``(block, parents)`` in file order."""
    return [
        (path, load_stress_dag(SHARED, path.name))
        for path in sorted(STRESS_DIRECTORY.glob("*.json.gz"))
    ]
