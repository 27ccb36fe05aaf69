"""Run every benchmark: ``python -m benchmarks [--quick] [NAME ...]``.

Each benchmark module in this package exposes ``main(argv) -> int`` and prints its own table,
with ratios against a baseline measured in the same run. Exit status is non-zero if any
benchmark fails to run (a missed goal is reported in its table, not as a failure).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path


def _benchmark_names() -> list[str]:
    here = Path(__file__).parent
    return sorted(
        info.name for info in pkgutil.iter_modules([str(here)]) if not info.name.startswith("_")
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the named benchmarks (all by default)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    known = _benchmark_names()
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"any of: {', '.join(known)}")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(known))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    status = 0
    for name in args.names or known:
        print(f"== benchmarks.{name} ==", flush=True)
        module = importlib.import_module(f"benchmarks.{name}")
        run: Callable[[list[str]], int] = module.main
        status |= run(["--quick"] if args.quick else [])
        print(flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
