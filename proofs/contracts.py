"""CrossHair checks of the PEP 316 contracts on the reference's pure helpers.

The contracts live in the docstrings of the reference functions themselves (``pre:``,
``post:``, ``raises:`` lines), so CrossHair checks the real code, not a copy. Every function
of :data:`CONTRACT_MODULES` whose docstring has a ``post:`` line is one obligation, checked by
``crosshair check --analysis_kind=PEP316 --report_all --per_condition_timeout=T`` on that
function alone. CrossHair explores execution paths symbolically: "confirmed over all paths" is
a proof (:attr:`Verdict.PROVED`); "not confirmed" means every path it explored within ``T``
CPU seconds per condition satisfied the contract (:attr:`Verdict.BOUNDED`); a failing input
is a counterexample; a precondition it could never meet, or no report at all, is an error.

Contracts are kept to pure integer helpers, where CrossHair is strong. Measured on planted
bugs: it finds an off-by-one in ``work_from_target`` and a wrong padding in
``Hash.from_label`` in about a second, but missed a non-canonical VarUint decoder and an
upper-case-accepting hex parser in 4 s, could not meet ``encode_varuint``'s range
precondition, and cannot build instances of the ``Ranked`` protocol behind ``sort_key`` (a
planted tie-break bug went unseen). Those are left to Hypothesis (``tests/test_work.py``,
``tests/test_hash.py`` and the GHOSTDAG property tests), which catches them at once.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from proofs.obligation import Obligation, Outcome, Verdict

CONTRACT_MODULES: Final = (
    "reference.work",
    "reference.bits",
    "reference.varuint",
    "reference.hash",
    "reference.ordering",
    "reference.processes.reachability.interval",
)
"""Modules whose contracted functions are checked (those without contracts add nothing)."""

DEFAULT_PER_CONDITION_TIMEOUT: Final = 2.0
"""CPU seconds CrossHair may spend on one condition."""

_CONTRACT_LINE: Final = re.compile(r"^\s*post(\[[^\]]*\])?:", re.MULTILINE)
_REPORT_LINE: Final = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+): (?P<level>info|error): (?P<text>.*)$"
)


@dataclass(frozen=True, slots=True)
class Contract:
    """A function of the reference with at least one ``post:`` condition."""

    target: str
    """Dotted path CrossHair accepts: ``module.function`` or ``module.Class.method``."""
    conditions: int
    """Number of ``post:`` lines, each checked (and reported) separately."""


def discover(modules: Sequence[str] = CONTRACT_MODULES) -> list[Contract]:
    """Every contracted function defined in ``modules``, in source order."""
    found: list[Contract] = []
    for module_name in modules:
        module = importlib.import_module(module_name)
        for qualname, function in _functions_of(module_name, vars(module)):
            conditions = len(_CONTRACT_LINE.findall(inspect.getdoc(function) or ""))
            if conditions:
                found.append(Contract(f"{module_name}.{qualname}", conditions))
    return found


def _functions_of(module_name: str, namespace: dict[str, object]) -> Iterator[tuple[str, object]]:
    for name, member in namespace.items():
        if getattr(member, "__module__", None) != module_name:
            continue
        if inspect.isfunction(member):
            yield name, member
        elif inspect.isclass(member):
            for method_name, method in vars(member).items():
                function = getattr(method, "__func__", method)
                if inspect.isfunction(function):
                    yield f"{name}.{method_name}", function


def check(
    contract: Contract,
    per_condition_timeout: float = DEFAULT_PER_CONDITION_TIMEOUT,
    extra_path: Sequence[Path] = (),
) -> Outcome:
    """Run ``crosshair check`` on one contracted function and read its verdict."""
    command = [
        sys.executable,
        "-m",
        "crosshair",
        "check",
        "--analysis_kind=PEP316",
        "--report_all",
        f"--per_condition_timeout={per_condition_timeout}",
        contract.target,
    ]
    environment = dict(os.environ)
    search_path = [str(path) for path in extra_path]
    search_path += [environment["PYTHONPATH"]] if environment.get("PYTHONPATH") else []
    environment["PYTHONPATH"] = os.pathsep.join(search_path)
    started = time.perf_counter()
    completed = subprocess.run(
        command, capture_output=True, text=True, env=environment, check=False
    )
    seconds = time.perf_counter() - started
    verdict, detail = read_report(completed.stdout + completed.stderr, contract.conditions)
    return Outcome(verdict, seconds, detail)


def read_report(output: str, conditions: int) -> tuple[Verdict, str]:
    """The verdict of one function from CrossHair's ``--report_all`` output."""
    reports = [m for m in map(_REPORT_LINE.match, output.splitlines()) if m is not None]
    failures = [m for m in reports if m["level"] == "error"]
    if failures:
        detail = "; ".join(f"line {m['line']}: {m['text']}" for m in failures)
        if all("when calling" in m["text"] for m in failures):
            return Verdict.COUNTEREXAMPLE, detail
        return Verdict.ERROR, detail
    texts = [m["text"] for m in reports]
    if len(texts) < conditions:
        return Verdict.ERROR, f"{len(texts)} of {conditions} conditions reported: {output.strip()}"
    if all(text == "Confirmed over all paths." for text in texts):
        return Verdict.PROVED, ""
    if all(text in ("Confirmed over all paths.", "Not confirmed.") for text in texts):
        return Verdict.BOUNDED, ""
    return Verdict.ERROR, "; ".join(texts)


def obligations(
    per_condition_timeout: float = DEFAULT_PER_CONDITION_TIMEOUT,
) -> list[Obligation]:
    """One obligation per contracted function of the reference."""
    return [
        Obligation(
            contract.target,
            "inv-contracts",
            "crosshair",
            functools.partial(check, contract, per_condition_timeout),
            f"its docstring contract; {per_condition_timeout:g} s per condition",
        )
        for contract in discover()
    ]
