"""The ``dagspec`` command line.

Each subcommand lives in its own module, imported only when that subcommand runs, so
``dagspec adapter`` never pays for Z3 and ``dagspec prove`` never loads the runner. A
subcommand module provides ``configure(parser)`` and ``run(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Final, Protocol


class Subcommand(Protocol):
    """What a subcommand module provides."""

    def configure(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


SUBCOMMANDS: Final[dict[str, tuple[str, str]]] = {
    "adapter": ("conformance.adapter", "serve the reference node over the adapter protocol"),
    "conformance": ("conformance.runner", "run the conformance vectors against an adapter"),
    "vectors": ("conformance.vectors_cli", "generate or check the published vectors"),
    "prove": ("proofs.cli", "check every Z3 proof and CrossHair contract"),
    "presets": ("conformance.presets_cli", "print the consensus parameter presets"),
    "node": ("reference.node.cli", "run a node serving JSON-RPC, GetWork and wRPC JSON"),
    "mine": ("reference.mining.miner", "mine blocks on a node over GetWork with CPU workers"),
    "import-dag": ("reference.node.import_dag", "mine a DAG shape into a node's store (skip-PoW)"),
}
"""Subcommand name -> (module, one-line help)."""


def _load(module_name: str) -> Subcommand:
    module: Subcommand = importlib.import_module(module_name)
    return module


def build_parser(selected: str | None) -> argparse.ArgumentParser:
    """The parser; only the selected subcommand's module is imported."""
    parser = argparse.ArgumentParser(
        prog="dagspec",
        description="Executable specification of a GHOSTDAG blockDAG node.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        if name == selected:
            _load(module_name).configure(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``dagspec`` console script."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    selected = next((a for a in arguments if not a.startswith("-")), None)
    parser = build_parser(selected if selected in SUBCOMMANDS else None)
    args = parser.parse_args(arguments)
    return _load(SUBCOMMANDS[args.command][0]).run(args)


if __name__ == "__main__":
    raise SystemExit(main())
