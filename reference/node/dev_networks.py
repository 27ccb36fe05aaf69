"""The networks ``dagspec node`` and ``dagspec import-dag`` run: the named networks, and each
with its proof of work skipped.

A *skip-PoW* network (``<name>-skip-pow``) keeps its network's genesis, address prefix and
every parameter but one: ``skip_proof_of_work``. Its blocks cost nothing to mine, so any DAG
shape can be written into a store (``dagspec import-dag``) and synced by another node of the
same network; a store made for it is refused by the network itself (the stored parameters
differ), and peers of the two refuse each other at the handshake (the names differ).
"""

from __future__ import annotations

import dataclasses
from typing import Final

from reference.node.network import NETWORKS, Network

SKIP_POW_SUFFIX: Final = "-skip-pow"
"""What a skip-PoW network's name adds to its network's name."""


def skip_pow_network(network: Network) -> Network:
    """``network`` with the proof of work skipped, named ``<name>-skip-pow``."""
    return dataclasses.replace(
        network,
        name=network.name + SKIP_POW_SUFFIX,
        preset=network.preset.with_overrides({"skip_proof_of_work": True}),
    )


NODE_NETWORKS: Final[dict[str, Network]] = {
    **NETWORKS,
    **{name + SKIP_POW_SUFFIX: skip_pow_network(net) for name, net in NETWORKS.items()},
}
"""Every network a node process runs, by name."""
