"""Which modules of ``reference/`` are consensus modules.

A module is a *network* module when it lives in one of the network-layer packages
:data:`NETWORK_PACKAGES` (block relay, peer-to-peer, RPC, mining interface, sync, the node);
every other module under ``reference/`` is a *consensus* module. Consensus modules never import
network ones, every public function and class of a consensus module is quoted in ``spec/``
(``tests/test_spec_coverage.py``), and the API pages are split the same way.
"""

from __future__ import annotations

import pkgutil
from typing import Final

import reference

NETWORK_PACKAGES: Final = (
    "reference.relay",
    "reference.p2p",
    "reference.rpc",
    "reference.mining",
    "reference.sync",
    "reference.node",
)
"""Network-layer packages; everything else under ``reference`` is consensus."""


def reference_modules() -> list[str]:
    """Every module of the ``reference`` package, packages included, sorted by name."""
    found = ["reference"]
    found += [module.name for module in pkgutil.walk_packages(reference.__path__, "reference.")]
    return sorted(found)


def is_network_module(name: str) -> bool:
    """True when the dotted module ``name`` lies in a network-layer package."""
    return any(name == p or name.startswith(p + ".") for p in NETWORK_PACKAGES)
