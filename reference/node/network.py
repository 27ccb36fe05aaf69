"""Networks: what a node needs beyond the consensus parameters — a name, the address prefix
its miners use, and a genesis block.

The ``devnet`` network is Kaspa's devnet as clients see it — network id ``devnet``, addresses
``kaspadev:…`` — so Kaspa's own client (``network_id="devnet"``) talks to a dagspec node, while
its consensus is the ``devnet`` preset: ``tos``'s parameters, every rule on, proof of work
included. Its genesis (:data:`DEVNET_GENESIS`) carries bits ``0x207fffff``, the largest target
the difficulty adjustment allows (Kaspa's simnet genesis bits): a nonce passes with probability
about one half, so a CPU mines a block in the time it takes to build one proof-of-work matrix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from reference.coinbase import build_coinbase
from reference.hash import Hash
from reference.header import BlockHeader, genesis_header, header_hash
from reference.merkle import hash_merkle_root
from reference.mining.address import AddressPrefix
from reference.presets import DEVNET, Preset
from reference.transaction.model import ScriptPublicKey, Transaction

EASIEST_BITS: Final = 0x207FFFFF
"""Compact bits of the largest target the difficulty adjustment allows, ``0x7fffff << 232``
(just under 2^255)."""

DEVNET_GENESIS_TIMESTAMP: Final = 1_767_225_600_000
"""2026-01-01T00:00:00Z in milliseconds: the devnet genesis's timestamp."""

DEVNET_GENESIS_COINBASE: Final = build_coinbase(
    0, ScriptPublicKey(0, b""), 0, b"dagspec devnet genesis"
)
"""The devnet genesis's only transaction: a coinbase of blue score 0 that pays nothing."""

DEVNET_GENESIS: Final = genesis_header(
    version=DEVNET.block_version,
    timestamp=DEVNET_GENESIS_TIMESTAMP,
    bits=EASIEST_BITS,
    hash_merkle_root=hash_merkle_root([DEVNET_GENESIS_COINBASE]),
)
"""The devnet genesis header: no parents, the easiest bits, every score zero, the merkle root
of its coinbase, and the zero hash where nothing is committed."""


@dataclass(frozen=True, slots=True)
class Network:
    """A network a node can run."""

    name: str
    """The network's name (the preset's name for a dagspec network)."""
    network_id: str
    """The id RPC reports (``getBlockDagInfo.network``): one Kaspa's clients know."""
    address_prefix: AddressPrefix
    """The prefix of its miners' addresses; an address of another prefix is refused."""
    preset: Preset
    """Its consensus parameters."""
    genesis: BlockHeader
    """Its genesis header."""
    genesis_transactions: tuple[Transaction, ...]
    """Its genesis body (coinbase first), committed to by the genesis merkle root."""
    genesis_hash: Hash = field(init=False)
    """The genesis header's hash (derived)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "genesis_hash", header_hash(self.genesis))


DEVNET_NETWORK: Final = Network(
    name="devnet",
    network_id="devnet",
    address_prefix=AddressPrefix.DEVNET,
    preset=DEVNET,
    genesis=DEVNET_GENESIS,
    genesis_transactions=(DEVNET_GENESIS_COINBASE,),
)
"""The development network: ``devnet`` preset, Kaspa devnet's id and addresses."""

NETWORKS: Final = {DEVNET_NETWORK.name: DEVNET_NETWORK}
"""The named networks."""


def devnet_network(preset: Preset) -> Network:
    """The devnet's identity — network id, address prefix, genesis and its body — running
    ``preset`` instead of the ``devnet`` preset: how a development node runs ``tos`` itself or
    a preset with overrides. The network is named after the preset."""
    return Network(
        name=preset.name,
        network_id=DEVNET_NETWORK.network_id,
        address_prefix=DEVNET_NETWORK.address_prefix,
        preset=preset,
        genesis=DEVNET_GENESIS,
        genesis_transactions=DEVNET_NETWORK.genesis_transactions,
    )
