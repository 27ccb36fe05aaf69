"""``dagspec vectors``: regenerate the published vectors, or check a folder against them.

``generate --out DIR`` writes every vector file and the manifest below ``DIR``;
``check [--dir DIR]`` regenerates in memory and compares byte for byte with ``DIR`` (default:
the vectors shipped in the package), listing every missing, changed or unexpected file, then
audits every expectation of ``DIR`` with the oracles of :mod:`conformance.audit`, which share
no code with the reference the expectations were recorded from. Both read Kaspa's DAG files
from the ``shared`` folder beside the repository (``--shared`` to point elsewhere).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from conformance.audit import ELSEWHERE, audit_documents
from conformance.vectors import (
    SCHEMAS,
    SEED,
    SHIPPED_VECTORS,
    VectorError,
    differences,
    generate_files,
    load_vectors,
    write_files,
)


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``generate`` and ``check`` actions."""
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    generate = actions.add_parser("generate", help="write the vectors and manifest to DIR")
    generate.add_argument("--out", type=Path, required=True, metavar="DIR")
    check = actions.add_parser("check", help="verify a folder holds exactly the vectors")
    check.add_argument("--dir", type=Path, default=SHIPPED_VECTORS, metavar="DIR")
    for action in (generate, check):
        action.add_argument(
            "--seed", type=int, default=SEED, help="master seed (default: %(default)s)"
        )
        action.add_argument("--shared", type=Path, default=None, help="the anchors folder")


def run(args: argparse.Namespace) -> int:
    """Generate or check; exit 1 when ``check`` finds a difference."""
    try:
        files = generate_files(args.seed, args.shared)
    except FileNotFoundError as error:
        print(f"dagspec vectors: {error}")
        return 2
    if args.action == "generate":
        write_files(files, args.out)
        total = sum(len(data) for data in files.values())
        print(f"wrote {len(files)} files ({total:,} bytes) to {args.out}")
        return 0
    problems = differences(files, args.dir)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{args.dir} is out of date: run `dagspec vectors generate --out {args.dir}`")
        return 1
    print(f"{args.dir}: {len(files)} files up to date")
    return audit(args.dir)


def audit(folder: Path, shown: int = 30) -> int:
    """Audit every expectation of ``folder``; 1 when an oracle disagrees or cannot check."""
    try:
        vectors = load_vectors(folder)
    except VectorError as error:
        print(f"dagspec vectors: {error}")
        return 1
    tally = audit_documents(vectors.documents, SCHEMAS)
    for finding in tally.findings[:shown]:
        print(f"  {finding}")
    if tally.findings:
        if len(tally.findings) > shown:
            print(f"  … and {len(tally.findings) - shown} more")
        print(
            f"{folder}: {len(tally.findings)} of {tally.checked} expectations contradicted or "
            "unchecked by the independent oracles"
        )
        return 1
    print(f"{folder}: {tally.checked} expectations confirmed by independent oracles")
    suites = {str(document.get("suite")) for _, document in vectors.documents}
    for suite in sorted(suites & ELSEWHERE.keys()):
        print(f"{folder}: suite {suite} is checked by its oracle in {ELSEWHERE[suite]}")
    return 0
