"""``dagspec presets``: print the named presets, optionally with overrides applied."""

from __future__ import annotations

import argparse
import json

from reference.errors import DagspecError
from reference.presets import PRESETS, PROVENANCE, get_preset, parameter_docs


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the subcommand's options."""
    parser.add_argument("name", nargs="?", choices=sorted(PRESETS), help="one preset only")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="PARAM=VALUE",
        help="override a parameter (repeatable), for example --set k=4",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _parse_override(text: str) -> tuple[str, object]:
    name, sep, value = text.partition("=")
    if not sep:
        return name, text
    if value == "none":
        return name, None
    try:
        return name, int(value, 0)
    except ValueError:
        return name, value


def run(args: argparse.Namespace) -> int:
    """Print the table (or JSON); exit 2 with the typed error on a bad override."""
    names = [args.name] if args.name else list(PRESETS)
    overrides = dict(_parse_override(text) for text in args.overrides)
    try:
        presets = [get_preset(name, overrides) for name in names]
    except DagspecError as error:
        print(f"dagspec presets: {error}")
        return 2
    if args.json:
        print(json.dumps({p.name: p.parameters() for p in presets}, indent=2))
        return 0
    docs = parameter_docs()
    width = max(map(len, docs))
    print(f"{'parameter':<{width}}  " + "  ".join(f"{p.name:>12}" for p in presets))
    for parameter in docs:
        cells = "  ".join(f"{getattr(p, parameter)!s:>12}" for p in presets)
        print(f"{parameter:<{width}}  {cells}")
    if len(presets) == 1 and not overrides:
        print()
        for parameter, source in PROVENANCE[presets[0].name].items():
            print(f"{parameter:<{width}}  {source}")
    return 0
