"""The published vectors: generation, the canonical file form, the manifest, loading.

``generate_files`` asks every registered capability for its files, writes each in one
canonical byte form (:func:`dump_vector_file`) and adds ``manifest.json``: format and protocol
versions, the spec version, the generator and its seed, and the SHA-256 of every file. The
same seed gives the same bytes on every machine and every run (no set iteration, no clock,
only ``random.Random`` seeded by name), which is what ``vectors check`` and CI verify.

:func:`load_vectors` reads a vectors folder back, checking each file's digest against the
manifest: a runner never trusts a file the manifest does not vouch for.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from conformance.engine import step_format_error
from conformance.kaspa import shared_dir
from conformance.protocol import PROTOCOL_VERSION, JsonObject, JsonValue
from conformance.suites import GenerationContext, capabilities
from conformance.suites.dag import FORMAT_VERSION

SEED: Final = 20261123
"""The master seed of the published vectors."""

SPEC_VERSION: Final = "0.1.0"
"""The version of the specification the vectors are generated from."""

GENERATOR: Final = "dagspec vectors generate"
"""The command that produced the vectors."""

MANIFEST: Final = "manifest.json"
"""The manifest's file name at the top of a vectors folder."""

PACKAGE_ROOT: Final = Path(__file__).resolve().parent
REPOSITORY_ROOT: Final = PACKAGE_ROOT.parent

SHIPPED_VECTORS: Final = PACKAGE_ROOT / "vectors"
"""The vectors shipped in the package (the runner's default)."""

SCHEMAS: Final = PACKAGE_ROOT / "schemas"
"""The JSON Schemas of requests, replies, vector files and the manifest."""


def _compact(value: JsonValue) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def dump_vector_file(document: Mapping[str, JsonValue]) -> bytes:
    """The canonical bytes of a vector file: sorted keys, ASCII, one step per line."""
    header = {key: value for key, value in document.items() if key != "cases"}
    cases = document["cases"]
    if not isinstance(cases, list):
        raise TypeError("a vector file's cases are a list")
    rendered: list[str] = []
    for case in cases:
        if not isinstance(case, dict):
            raise TypeError("a case is an object")
        steps = case["steps"]
        if not isinstance(steps, list):
            raise TypeError("a case's steps are a list")
        head = _compact({key: value for key, value in case.items() if key != "steps"})
        body = ",\n".join(_compact(step) for step in steps)
        rendered.append(f'{head[:-1]},"steps":[\n{body}\n]}}')
    return (_compact(header)[:-1] + ',"cases":[\n' + ",\n".join(rendered) + "\n]}\n").encode()


def generate_files(seed: int = SEED, shared: Path | None = None) -> dict[str, bytes]:
    """Every vector file and the manifest, by path below the vectors folder."""
    context = GenerationContext(seed, shared if shared is not None else shared_dir(REPOSITORY_ROOT))
    files: dict[str, bytes] = {}
    entries: list[JsonValue] = []
    for capability in capabilities():
        for vector_file in capability.generate(context):
            if vector_file.path in files:
                raise ValueError(f"two capabilities generate {vector_file.path}")
            data = dump_vector_file(vector_file.document)
            files[vector_file.path] = data
            document = vector_file.document
            cases = document["cases"]
            entries.append(
                {
                    "path": vector_file.path,
                    "suite": document["suite"],
                    "kind": document["kind"],
                    "capabilities": document["capabilities"],
                    "cases": len(cases) if isinstance(cases, list) else 0,
                    "sha256": hashlib.sha256(data).hexdigest(),
                }
            )
    manifest: JsonObject = {
        "format": FORMAT_VERSION,
        "protocol": PROTOCOL_VERSION,
        "spec_version": SPEC_VERSION,
        "generator": GENERATOR,
        "seed": seed,
        "files": entries,
    }
    files[MANIFEST] = (json.dumps(manifest, sort_keys=True, indent=2) + "\n").encode()
    return files


def write_files(files: Mapping[str, bytes], out: Path) -> None:
    """Write ``files`` below ``out`` (folders created as needed)."""
    for relative, data in files.items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def differences(files: Mapping[str, bytes], folder: Path) -> list[str]:
    """How ``folder`` differs from ``files``: missing, changed and unexpected JSON files."""
    found = {path.relative_to(folder).as_posix(): path for path in sorted(folder.rglob("*.json"))}
    problems = [f"missing: {name}" for name in sorted(files.keys() - found.keys())]
    problems += [
        f"differs: {name}"
        for name in sorted(files.keys() & found.keys())
        if found[name].read_bytes() != files[name]
    ]
    problems += [f"unexpected: {name}" for name in sorted(found.keys() - files.keys())]
    return problems


class VectorError(Exception):
    """A vectors folder that cannot be trusted: no manifest, a digest mismatch, a bad file."""


@dataclass(frozen=True, slots=True)
class VectorSet:
    """A loaded vectors folder."""

    manifest: JsonObject
    """The manifest."""
    documents: tuple[tuple[str, JsonObject], ...]
    """``(path, document)`` of every file, in manifest order."""

    def first_cases(self, count: int, *, leave_out: Sequence[str] = ()) -> VectorSet:
        """Each file cut to its first ``count`` cases; files whose path is in ``leave_out``
        dropped."""
        documents = tuple(
            (path, {**document, "cases": document["cases"][:count]})  # type: ignore[index]
            for path, document in self.documents
            if path not in leave_out
        )
        return VectorSet(self.manifest, documents)


def load_vectors(folder: Path) -> VectorSet:
    """Read a vectors folder, verifying every file against the manifest's SHA-256."""
    manifest_path = folder / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_bytes())
    except (OSError, ValueError) as error:
        raise VectorError(f"cannot read {manifest_path}: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise VectorError(f"{manifest_path}: not a format-{FORMAT_VERSION} manifest")
    entries = manifest.get("files")
    if not isinstance(entries, list):
        raise VectorError(f"{manifest_path}: no file list")
    documents: list[tuple[str, JsonObject]] = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            raise VectorError(f"{manifest_path}: malformed entry {entry!r}")
        relative = str(entry["path"])
        path = folder / relative
        try:
            data = path.read_bytes()
        except OSError as error:
            raise VectorError(f"cannot read {path}: {error}") from None
        if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            raise VectorError(f"{path}: SHA-256 differs from the manifest")
        document = json.loads(data)
        if not isinstance(document, dict) or document.get("format") != FORMAT_VERSION:
            raise VectorError(f"{path}: not a format-{FORMAT_VERSION} vector file")
        problem = format_error(document)
        if problem is not None:
            raise VectorError(f"{path}: {problem}")
        documents.append((relative, document))
    return VectorSet(manifest, tuple(documents))


def format_error(document: JsonObject) -> str | None:
    """The first way ``document`` is not a well-formed vector file (kind, cases, steps: each
    step's method, params and expectation), or ``None``. The schemas say the same in full;
    this is the part the runner relies on, checked on every load."""
    kind = document.get("kind")
    if kind not in ("script", "raw"):
        return f"unknown kind {kind!r}"
    if not isinstance(document.get("capabilities"), list):
        return "no capabilities list"
    cases = document.get("cases")
    if not isinstance(cases, list):
        return "no cases list"
    for number, case in enumerate(cases):
        if not isinstance(case, dict) or not isinstance(case.get("name"), str):
            return f"case {number} is not an object with a name"
        steps = case.get("steps")
        if not isinstance(steps, list) or not steps:
            return f"case {case['name']!r} has no steps"
        for index, step in enumerate(steps):
            problem = step_format_error(str(kind), step)
            if problem is not None:
                return f"case {case['name']!r}, step {index}: {problem}"
    return None
