"""Block relay between two peers: a block announced by hash is fetched in the agreed mode.

The asking node names the mode in its REQUEST_RELAY_BLOCK (agreed at the handshake,
:func:`~reference.p2p.handshake.relay_mode_for`); the serving node answers with a whole BLOCK
(mode 0), or starts the compact exchange of ``spec/relay`` (modes 1 and 2), whose recovery
path ends at worst in the whole block. A BLOCK whose header does not hash to the block asked
for, or whose transactions do not decode, is a protocol violation; whether the block is
*valid* is for the node to decide when it is added.
"""

from __future__ import annotations

from dataclasses import dataclass

from reference.errors import Code, PeerError
from reference.hash import Hash
from reference.header import BlockHeader, header_hash
from reference.p2p.messages import (
    Block,
    BlockNotFound,
    RequestRelayBlock,
    decode_transactions,
    encode_transactions,
)
from reference.p2p.peer import Peer
from reference.sync.backend import SyncBackend
from reference.transaction.model import Transaction


@dataclass(slots=True)
class RelayPeerState:
    """Relay's view of one peer."""

    mode: int
    """The mode this node asks the peer for blocks in."""
    fallbacks: int = 0
    """Relays from this peer that had to fall back to a lower mode."""


async def fetch_relay_block(
    peer: Peer, backend: SyncBackend, state: RelayPeerState, block: Hash
) -> tuple[BlockHeader, tuple[Transaction, ...]] | None:
    """Fetch ``block`` from ``peer``; ``None`` when the peer no longer has it."""
    answer = peer.expect_any(
        Block,
        BlockNotFound,
        predicate=lambda message: (
            header_hash(message.header) == block
            if isinstance(message, Block)
            else message.block == block
        ),
    )
    await peer.send(RequestRelayBlock(block, 0, 0))
    message = await peer.collect(answer, Block)
    if isinstance(message, BlockNotFound):
        return None
    if not isinstance(message, Block):
        raise PeerError(Code.UNEXPECTED_MESSAGE, message.NAME)
    return message.header, decode_transactions(message.transactions)


async def serve_relay_request(
    peer: Peer, backend: SyncBackend, state: RelayPeerState, request: RequestRelayBlock
) -> None:
    """Answer a REQUEST_RELAY_BLOCK."""
    block = request.block
    if not backend.has_body(block):
        await peer.send(BlockNotFound(block))
        return
    body = backend.body_of(block) or ()
    await peer.send(Block(backend.header_of(block), encode_transactions(body)))
