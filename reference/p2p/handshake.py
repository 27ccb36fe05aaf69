"""The handshake: both sides send VERSION at once, check the other's, and answer VERACK.

A node accepts a peer's VERSION only when it speaks the same protocol version, names the same
network and the same genesis, and is not the node itself (same nonce). Anything else ends the
connection with a REJECT naming ``INCOMPATIBLE_PEER`` and the reason: there is nothing two
such nodes could usefully exchange. Each side waits :attr:`PeerLimits.handshake_seconds` for
the VERSION and as long again for the VERACK (Kaspa's 4 s).

The relay mode two peers use is agreed here without another message: a node asks a peer for
blocks in its own preferred mode if the peer serves that mode, else in the best mode both
serve, else for full blocks (:func:`relay_mode_for`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from reference.errors import Code, PeerError
from reference.hash import Hash
from reference.p2p.messages import PROTOCOL_VERSION, Verack, Version
from reference.p2p.peer import Peer

MODE_FULL: Final = 0
"""Relay mode: whole blocks."""
MODE_COMPACT: Final = 1
"""Relay mode 1: short-ID compact blocks."""
MODE_RECONCILE: Final = 2
"""Relay mode 2: set reconciliation."""


@dataclass(frozen=True, slots=True)
class LocalIdentity:
    """What a node says about itself in its VERSION."""

    network: str
    """The network's name."""
    genesis: Hash
    """The genesis hash."""
    user_agent: str
    """``/dagspec:<version>/``."""
    nonce: int
    """A random u64 chosen at start-up."""
    listen_port: int
    """The port the node accepts peers on (0: none)."""
    relay_modes: int = 0b11
    """Compact modes served and understood (bit 0 compact, bit 1 reconcile)."""
    preferred_mode: int = MODE_COMPACT
    """The mode this node asks its peers in."""


def version_message(identity: LocalIdentity, now_ms: int) -> Version:
    """The VERSION ``identity`` sends."""
    return Version(
        protocol_version=PROTOCOL_VERSION,
        network=identity.network,
        genesis=identity.genesis,
        user_agent=identity.user_agent,
        timestamp=now_ms,
        nonce=identity.nonce,
        listen_port=identity.listen_port,
        relay_modes=identity.relay_modes,
        preferred_mode=identity.preferred_mode,
    )


def check_version(identity: LocalIdentity, theirs: Version) -> None:
    """Accept ``theirs`` or raise ``INCOMPATIBLE_PEER`` with the reason."""
    if theirs.protocol_version != PROTOCOL_VERSION:
        raise PeerError(
            Code.INCOMPATIBLE_PEER,
            f"protocol version {theirs.protocol_version}, this node speaks {PROTOCOL_VERSION}",
        )
    if theirs.network != identity.network:
        raise PeerError(
            Code.INCOMPATIBLE_PEER, f"network {theirs.network!r}, this node is {identity.network!r}"
        )
    if theirs.genesis != identity.genesis:
        raise PeerError(Code.INCOMPATIBLE_PEER, f"genesis {theirs.genesis}, not {identity.genesis}")
    if theirs.nonce == identity.nonce:
        raise PeerError(Code.INCOMPATIBLE_PEER, "a connection to this node itself")


def relay_mode_for(identity: LocalIdentity, theirs: Version) -> int:
    """The mode this node asks the peer for blocks in."""
    both = identity.relay_modes & theirs.relay_modes
    preferred = identity.preferred_mode
    if preferred == MODE_FULL or both & (1 << (preferred - 1)):
        return preferred
    for mode in (MODE_RECONCILE, MODE_COMPACT):
        if both & (1 << (mode - 1)):
            return mode
    return MODE_FULL


async def handshake(peer: Peer, identity: LocalIdentity, now_ms: int) -> Version:
    """Run the handshake on a started ``peer``; the peer's VERSION once both sides agreed.

    On a mismatch the peer is sent a REJECT and disconnected, and ``INCOMPATIBLE_PEER`` is
    raised; a peer too slow to answer raises ``PEER_TIMEOUT``.
    """
    seconds = peer.limits.handshake_seconds
    # Expect the VERACK before anything is sent: it may follow the peer's VERSION at once.
    verack = peer.expect(Verack)
    theirs = await peer.request(version_message(identity, now_ms), Version, seconds)
    try:
        check_version(identity, theirs)
    except PeerError as error:
        await peer.reject(error)
        raise
    peer.version = theirs
    await peer.send(Verack())
    await peer.collect(verack, Verack, seconds)
    peer.ready = True
    return theirs
