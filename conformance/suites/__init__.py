"""The capability registry: which suites exist, and who serves and checks them.

Extension point
---------------
A *capability* (``work``, ``difficulty``, ``bits``, ``reachability``, ``ghostdag``,
``validation``, ``virtual``, ``relay``, and later ``sync``, …) is one module of this package
that defines a module-level ``CAPABILITY = Capability(...)`` with

- ``name`` — the string an adapter lists in its ``hello`` reply;
- ``methods`` — the adapter methods it adds (``method -> handler``); the reference adapter
  serves them, and any adapter that does not advertise the capability answers them with
  ``UNSUPPORTED``; a new capability adds methods and never changes existing ones;
- ``generate`` — builds its vector files from a :class:`GenerationContext` (fixed seeds,
  ``random.Random`` only: the same files byte for byte on every run);
- ``check`` (optional) — a custom comparison of one step's reply against its expectation,
  for expectations that are not plain equality; ``None`` means the generic rules of
  :mod:`conformance.engine`.

To add a capability, write ``conformance/suites/<name>.py`` and add its module name to
:data:`MODULES` — one line; nothing else in the runner, the adapter or the vector writer
changes. The vector files it generates use the common script format
(``conformance/schemas/script.schema.json``) and name the capabilities they require.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Final

from conformance.protocol import JsonObject, JsonValue

if TYPE_CHECKING:
    from conformance.session import Session

MODULES: Final[tuple[str, ...]] = (
    "conformance.suites.protocol",
    "conformance.suites.work",
    "conformance.suites.difficulty",
    "conformance.suites.bits",
    "conformance.suites.reachability",
    "conformance.suites.ghostdag",
    "conformance.suites.validation",
    "conformance.suites.headers",
    "conformance.suites.virtual",
    "conformance.suites.pruning",
    "conformance.suites.relay",
)
"""Every capability module, in the order their suites run."""

Handler = Callable[["Session", JsonObject], JsonValue]
"""An adapter method: reads the session and the request's params, returns the result.

Raises :class:`conformance.protocol.ProtocolError` or a ``reference.errors.DagspecError`` to
answer with an error reply."""

StepChecker = Callable[[JsonObject, JsonObject], "str | None"]
"""``(step, reply) -> None`` when the reply meets the step's expectation, else why not."""


@dataclass(frozen=True, slots=True)
class VectorFile:
    """One generated vector file."""

    path: str
    """Path below the vectors directory, ``/``-separated (``ghostdag/generated.json``)."""
    document: JsonObject
    """The file's content (a script or raw file as the schemas describe)."""


@dataclass(frozen=True, slots=True)
class GenerationContext:
    """What vector generation may depend on: a seed and the anchors folder, nothing else."""

    seed: int
    """The master seed; every file derives its own generator from it and its name."""
    shared_dir: Path | None
    """The ``shared`` folder beside the repository (Kaspa's DAG files), when present."""

    def rng(self, name: str) -> random.Random:
        """A generator for one named purpose, independent of every other name."""
        return random.Random(f"{self.seed}:{name}")


@dataclass(frozen=True, slots=True)
class Capability:
    """One capability: its adapter methods, its vector generator, its checker."""

    name: str
    """The name listed in ``hello``'s capabilities."""
    methods: Mapping[str, Handler]
    """Adapter methods this capability adds."""
    generate: Callable[[GenerationContext], Sequence[VectorFile]]
    """Builds this capability's vector files."""
    check: StepChecker | None = None
    """Custom reply check; ``None`` for the generic rules."""
    core: bool = False
    """A core capability is part of every adapter: never advertised, never skipped."""
    notes: Mapping[str, str] = field(default_factory=dict)
    """Free-form notes for the manifest (for example provenance of converted data)."""


@cache
def capabilities() -> tuple[Capability, ...]:
    """Every registered capability, in :data:`MODULES` order."""
    found: list[Capability] = []
    for module_name in MODULES:
        capability = getattr(importlib.import_module(module_name), "CAPABILITY", None)
        if not isinstance(capability, Capability):
            raise TypeError(f"{module_name} defines no CAPABILITY = Capability(...)")
        found.append(capability)
    return tuple(found)


def by_name() -> dict[str, Capability]:
    """Capabilities by name."""
    return {capability.name: capability for capability in capabilities()}
