"""The preamble of ``spec/index.md`` states the distribution's version, and the pages too.

``pyproject.toml`` is the one source of the version: the rendered pages take it from there
(``docs/conf.py``), and the preamble's *Version* entry must name the same number. The versions
of the interfaces — the adapter protocol, the vector format, the p2p protocol and the store
schema — live in the code as constants; the *Version* entry must name each one's current value,
no entry may name a version the code has not reached, and *Changes* must record every version
past the first, so raising a constant without saying so in the preamble fails here.
"""

from __future__ import annotations

import re
import tomllib

import pytest

from conformance import protocol
from conformance.suites.dag import FORMAT_VERSION
from docs import conf
from reference.p2p import messages
from reference.stores.sqlite import schema
from tests.spec_markdown import REPOSITORY, SPEC

_INTERFACES = {
    "adapter protocol": protocol.PROTOCOL_VERSION,
    "vector format": FORMAT_VERSION,
    "p2p protocol": messages.PROTOCOL_VERSION,
    "store schema": schema.SCHEMA_VERSION,
}
"""How the preamble names each interface version, and the constant that holds it."""


def _version() -> str:
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    version: str = project["project"]["version"]
    return version


def _index() -> str:
    return (SPEC / "index.md").read_text(encoding="utf-8")


def _preamble() -> str:
    text = _index()
    return text[text.index("(preamble)=") : text.index("## Where to find what")]


def _entry(term: str) -> str:
    """The text of one definition of the preamble, up to the next term or label."""
    preamble = _preamble()
    start = preamble.index(f"\n{term}\n: ") + len(term) + 4
    found = re.search(r"\n\n(?=\S)", preamble[start:])
    return preamble[start : start + found.start()] if found else preamble[start:]


def _words(text: str) -> str:
    return " ".join(text.split())


def test_preamble_states_the_version() -> None:
    assert f"Version\n: {_version()} — " in _index()


def test_pages_carry_the_version() -> None:
    assert conf.release == conf.version == _version()


def test_preamble_has_status_and_changes() -> None:
    text = _index()
    for entry in ("Status\n: ", "(changelog)=\nChanges\n: "):
        assert entry in text


@pytest.mark.parametrize("name", sorted(_INTERFACES))
def test_the_version_entry_names_each_interface_version_of_the_code(name: str) -> None:
    assert re.search(rf"\b{name} {_INTERFACES[name]}\b", _words(_entry("Version"))), name


@pytest.mark.parametrize("name", sorted(_INTERFACES))
def test_no_entry_names_an_interface_version_the_code_has_not_reached(name: str) -> None:
    stated = [int(n) for n in re.findall(rf"\b{name} (\d+)\b", _words(_preamble()))]
    assert stated, name
    assert max(stated) == _INTERFACES[name], (name, stated)


@pytest.mark.parametrize("name", sorted(_INTERFACES))
def test_changes_record_every_interface_version_past_the_first(name: str) -> None:
    changes = _words(_entry("Changes"))
    for version in range(2, _INTERFACES[name] + 1):
        assert re.search(rf"\b{name} {version}\b", changes), (name, version)


def test_the_version_entry_names_the_adapter_protocols_the_runner_accepts() -> None:
    *earlier, last = protocol.SUPPORTED_PROTOCOLS
    accepted = f"{', '.join(map(str, earlier))} or {last}" if earlier else str(last)
    assert f"adapters of protocol {accepted})" in _words(_entry("Version"))
    assert max(protocol.SUPPORTED_PROTOCOLS) == protocol.PROTOCOL_VERSION
