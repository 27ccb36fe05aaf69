"""Block relay between two peers: a block announced by hash is fetched in the agreed mode.

The asking node names the mode in its REQUEST_RELAY_BLOCK (agreed at the handshake,
:func:`~reference.p2p.handshake.relay_mode_for`) and announces its mempool size. The serving
node answers with a whole BLOCK (mode 0), a COMPACT_BLOCK (mode 1) or a RECONCILE_BLOCK
(mode 2): the messages of ``spec/relay``, built by :mod:`reference.relay` and carried with the
block's complete header (:class:`~reference.p2p.messages.RelayPayload`). The asking node
rebuilds the body from its own mempool (:meth:`SyncBackend.mempool_view
<reference.sync.backend.SyncBackend.mempool_view>`) and asks for what it lacks: body positions
(mode 1), a larger IBLT once and transactions by short ID (mode 2). A reconstruction that fails
in a way an honest peer can cause — an IBLT that does not peel, a body whose merkle root is not
the header's (an unnoticed short-ID collision, another signing of a transaction), an ambiguous
parent reference — descends the ladder of ``spec/relay``: mode 2, mode 1 with a fresh nonce,
then the whole block, and counts :attr:`RelayPeerState.fallbacks`. A serving node whose body
is not in the canonical order of ``spec/relay`` (or that does not serve the mode asked for)
answers with the whole block.

Anything else is the sender's fault and a :class:`~reference.errors.PeerError`: bytes that are
not a relay message (``MALFORMED_MESSAGE``, ``MESSAGE_TOO_LARGE``), and well-formed messages
that break the exchange (``PROTOCOL_VIOLATION``) — a header that is not the block asked for, a
relay message about another block, an index past the block, a transaction not asked for, an
IBLT of another size than asked. Nothing received changes the node before the node's own
validation accepts the whole block; whether the block is *valid* is for the node to decide
when it is added, and only accepted blocks are ever announced.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from reference.errors import Code, PeerError, RelayError
from reference.hash import Hash
from reference.header import BlockHeader, header_hash
from reference.mining.mempool import RelayView
from reference.p2p.handshake import MODE_COMPACT, MODE_FULL, MODE_RECONCILE
from reference.p2p.messages import (
    Block,
    BlockNotFound,
    BlockTransactions,
    CompactBlock,
    IbltMessage,
    Message,
    ReconcileBlock,
    RelayPayload,
    RequestBlockTransactions,
    RequestIblt,
    RequestRelayBlock,
    RequestTransactionsByShortId,
    decode_transactions,
    encode_transactions,
)
from reference.p2p.peer import Peer
from reference.relay import compact, reconcile
from reference.relay.body import BlockBody, make_body
from reference.relay.header import RelayHeader
from reference.relay.header import header_hash as relay_hash
from reference.relay.iblt import Iblt
from reference.relay.known import KnownBlocks
from reference.relay.messages import (
    MAX_MEMPOOL_SIZE,
    decode_block_transactions,
    encode_block_transactions,
)
from reference.relay.messages import BlockTransactions as RelayTransactions
from reference.relay.session import MAX_NONCE_ATTEMPTS
from reference.relay.shortid import short_id_key
from reference.sync.backend import SyncBackend
from reference.transaction.encoding import transaction_hash, transaction_id
from reference.transaction.model import Transaction

LADDER: Final[dict[int, tuple[int, ...]]] = {
    MODE_RECONCILE: (MODE_RECONCILE, MODE_COMPACT, MODE_FULL),
    MODE_COMPACT: (MODE_COMPACT, MODE_FULL),
    MODE_FULL: (MODE_FULL,),
}
"""The modes a fetch tries, in order, from the mode agreed with the peer."""

FALLBACK_CODES: Final = frozenset(
    {
        Code.IBLT_DECODE_FAILED,
        Code.BAD_MERKLE_ROOT,
        Code.SHORT_ID_COLLISION,
        Code.UNKNOWN_PARENT_REFERENCE,
    }
)
"""Relay failures an honest sender can cause: the receiver takes the next mode. Every other
relay error is the sender's fault."""

MAX_SERVED: Final = 64
"""Compact answers remembered per peer for its follow-up requests (the most relayed blocks a
node fetches at once); a follow-up for a forgotten one is answered BLOCK_NOT_FOUND."""


@dataclass(frozen=True, slots=True)
class ServedBlock:
    """A compact answer sent to a peer, kept for the follow-up requests it may bring."""

    relay_header: RelayHeader
    """The relay header the answer was built on."""
    nonce: int
    """The short-ID nonce of the answer."""
    mode: int
    """The mode answered (1 or 2)."""
    larger_iblt: bool = False
    """True once the peer was sent the one larger IBLT it may ask for."""


@dataclass(slots=True)
class RelayPeerState:
    """Relay's view of one peer."""

    mode: int
    """The mode this node asks the peer for blocks in."""
    serves: int = 0b11
    """The compact modes this node serves the peer (bit 0 compact, bit 1 reconcile)."""
    fallbacks: int = 0
    """Relays from this peer that had to fall back to a lower mode."""
    delivered: dict[str, int] = field(default_factory=dict)
    """Relays from this peer by the step that delivered the body: ``full``, ``compact``,
    ``reconcile`` or ``reconcile-larger``."""
    served: OrderedDict[Hash, ServedBlock] = field(default_factory=OrderedDict)
    """Compact answers sent to the peer that a follow-up may still name (at most
    :data:`MAX_SERVED`, oldest dropped first)."""

    def remember(self, block: Hash, served: ServedBlock) -> None:
        """Keep ``served`` for the peer's follow-ups."""
        self.served[block] = served
        self.served.move_to_end(block)
        while len(self.served) > MAX_SERVED:
            self.served.popitem(last=False)


def relay_header_of(header: BlockHeader) -> RelayHeader:
    """The relay header of a block: the fields of ``header`` that ``spec/relay`` carries, its
    direct parents as the parents and its hash merkle root as the merkle root."""
    return RelayHeader(
        version=header.version,
        parents=header.parents,
        blue_score=header.blue_score,
        blue_work=header.blue_work,
        timestamp=header.timestamp,
        nonce=header.nonce,
        bits=header.bits,
        merkle_root=header.hash_merkle_root,
    )


@dataclass(frozen=True, slots=True)
class _DecodedIds:
    """The ids of a block's transactions, computed from the decoded transactions."""

    ids: dict[bytes, tuple[Hash, Hash]]

    def ids_of(self, transaction: bytes) -> tuple[Hash, Hash] | None:
        return self.ids.get(transaction)


def relay_body_of(transactions: Sequence[Transaction]) -> BlockBody:
    """The relay body of a block the node holds; ``MALFORMED_MESSAGE`` when the body is not
    in the canonical order (only a whole BLOCK carries it then)."""
    encoded = encode_transactions(transactions)
    ids = {
        data: (transaction_id(tx), transaction_hash(tx))
        for data, tx in zip(encoded, transactions, strict=True)
    }
    return make_body(encoded, _DecodedIds(ids))


# --- serving ---------------------------------------------------------------------------


async def serve_relay_request(
    peer: Peer, backend: SyncBackend, state: RelayPeerState, request: RequestRelayBlock
) -> None:
    """Answer a REQUEST_RELAY_BLOCK: BLOCK_NOT_FOUND, a compact answer in the mode asked for,
    or the whole block (mode 0, a mode not served, or a body relay cannot carry)."""
    block = request.block
    if not backend.has_body(block):
        await peer.send(BlockNotFound(block))
        return
    header = backend.header_of(block)
    transactions = backend.body_of(block) or ()
    mode = request.mode
    if mode != MODE_FULL and state.serves & (1 << (mode - 1)):
        answer = _compact_answer(state, request, header, transactions)
        if answer is not None:
            await peer.send(answer)
            return
    await peer.send(Block(header, encode_transactions(transactions)))


def _compact_answer(
    state: RelayPeerState,
    request: RequestRelayBlock,
    header: BlockHeader,
    transactions: Sequence[Transaction],
) -> RelayPayload | None:
    block, mode, mempool_size = request.block, request.mode, request.mempool_size
    try:
        relay_header = relay_header_of(header)
        body = relay_body_of(transactions)
    except RelayError:
        return None
    previous = state.served.get(block)
    # A repeated request (the receiver descending its ladder) gets a fresh nonce, which also
    # dodges a short-ID collision nobody noticed under the previous one.
    first = 0 if previous is None else previous.nonce + 1
    for nonce in range(first, first + MAX_NONCE_ATTEMPTS):
        try:
            if mode == MODE_COMPACT:
                data = compact.encode_compact_block(
                    compact.make_compact_block(relay_header, body, nonce)
                )
            else:
                data = reconcile.encode_reconcile_block(
                    reconcile.make_reconcile_block(relay_header, body, nonce, mempool_size)
                )
        except RelayError as error:
            if error.code == Code.SHORT_ID_COLLISION:
                continue
            return None
        state.remember(block, ServedBlock(relay_header, nonce, mode))
        kind = CompactBlock if mode == MODE_COMPACT else ReconcileBlock
        return kind(block, header, data)
    return None


async def serve_relay_follow_up(
    peer: Peer,
    backend: SyncBackend,
    state: RelayPeerState,
    request: RequestBlockTransactions | RequestIblt | RequestTransactionsByShortId,
) -> None:
    """Answer a GET_BLOCK_TXN (mode 1), GET_IBLT or GET_TXN_BY_SHORT_ID (mode 2) about a
    compact answer sent to the peer.

    A follow-up for an answer the node no longer remembers, or whose body it no longer holds,
    gets BLOCK_NOT_FOUND (the peer then asks for the whole block). One for an answer of the
    other mode, about another block, a second larger IBLT, an index past the block or a short
    ID the block lacks is a ``PeerError``. The transactions once sent, the answer is forgotten.
    """
    block = request.block
    served = state.served.get(block)
    transactions = backend.body_of(block) if served is not None else None
    if served is None or not transactions:
        state.served.pop(block, None)
        await peer.send(BlockNotFound(block))
        return
    wanted = MODE_COMPACT if isinstance(request, RequestBlockTransactions) else MODE_RECONCILE
    if served.mode != wanted:
        raise PeerError(
            Code.PROTOCOL_VIOLATION, f"{request.NAME} after a mode {served.mode} answer"
        )
    expected = relay_hash(served.relay_header)
    try:
        body = relay_body_of(transactions)
        answer: RelayPayload
        if isinstance(request, RequestBlockTransactions):
            asked = compact.decode_get_block_transactions(request.data)
            _same_block(asked.block_hash, expected, request)
            sent = compact.serve_block_transactions(expected, body, asked.indexes)
            answer = BlockTransactions(block, None, encode_block_transactions(sent))
            del state.served[block]
        elif isinstance(request, RequestIblt):
            if served.larger_iblt:
                raise PeerError(Code.PROTOCOL_VIOLATION, "a second larger IBLT asked for")
            asked_hash, cells = reconcile.decode_get_iblt(request.data)
            _same_block(asked_hash, expected, request)
            table = reconcile.serve_iblt(served.relay_header, body, served.nonce, cells)
            answer = IbltMessage(block, None, table)
            state.served[block] = ServedBlock(served.relay_header, served.nonce, served.mode, True)
        else:
            asked_hash, ids = reconcile.decode_get_by_short_id(request.data)
            _same_block(asked_hash, expected, request)
            key = short_id_key(expected, served.nonce)
            sent = reconcile.serve_by_short_id(key, expected, body, ids)
            answer = BlockTransactions(block, None, encode_block_transactions(sent))
            del state.served[block]
    except RelayError as error:
        raise _peer_error(error, request) from None
    await peer.send(answer)


def _same_block(named: Hash, expected: Hash, message: Message) -> None:
    if named != expected:
        raise PeerError(
            Code.PROTOCOL_VIOLATION, f"{message.NAME}: the relay message is about another block"
        )


def _peer_error(error: RelayError, message: Message) -> PeerError:
    """The peer's fault behind a relay error: malformed bytes keep their code, the rest is a
    protocol violation."""
    code = (
        error.code
        if error.code in (Code.MALFORMED_MESSAGE, Code.MESSAGE_TOO_LARGE)
        else Code.PROTOCOL_VIOLATION
    )
    return PeerError(code, f"{message.NAME}: {error.code}: {error.message}")


# --- fetching --------------------------------------------------------------------------


class _NextMode(Exception):
    """The current mode failed in a way an honest sender can cause: try the next one."""


Fetched = tuple[BlockHeader, tuple[Transaction, ...]]
"""A fetched block: its header and decoded transactions (not yet validated)."""


async def fetch_relay_block(
    peer: Peer, backend: SyncBackend, state: RelayPeerState, block: Hash
) -> Fetched | None:
    """Fetch ``block`` from ``peer`` down the ladder from the agreed mode; ``None`` when the
    peer no longer has it."""
    pool = backend.mempool_view()
    for mode in LADDER[state.mode]:
        try:
            if mode == MODE_RECONCILE:
                fetched = await _fetch_reconciled(peer, pool, block)
            elif mode == MODE_COMPACT:
                fetched = await _fetch_compact(peer, pool, block)
            else:
                fetched = await _fetch_full(peer, pool, block, MODE_FULL)
        except _NextMode:
            continue
        if fetched is None:
            return None
        header, transactions, stage = fetched
        if _MODE_OF_STAGE[stage] < state.mode:
            state.fallbacks += 1
        state.delivered[stage] = state.delivered.get(stage, 0) + 1
        return header, transactions
    raise AssertionError("the ladder ends with the whole block")  # pragma: no cover


_MODE_OF_STAGE: Final = {
    "full": MODE_FULL,
    "compact": MODE_COMPACT,
    "reconcile": MODE_RECONCILE,
    "reconcile-larger": MODE_RECONCILE,
}

_Attempt = tuple[BlockHeader, tuple[Transaction, ...], str]


def _mempool_size(pool: RelayView) -> int:
    return min(len(pool), MAX_MEMPOOL_SIZE)


async def _ask(peer: Peer, request: Message, block: Hash, kind: type[Message]) -> Message | None:
    """Send ``request`` and wait for its answer about ``block``: a message of ``kind``, a
    whole BLOCK when ``request`` opens an exchange, or ``None`` for BLOCK_NOT_FOUND."""
    kinds: tuple[type[Message], ...] = (kind, BlockNotFound)
    if isinstance(request, RequestRelayBlock) and kind is not Block:
        kinds = (kind, Block, BlockNotFound)

    def about(message: Message) -> bool:
        if isinstance(message, Block):
            return header_hash(message.header) == block
        return isinstance(message, BlockNotFound | RelayPayload) and message.block == block

    answer = peer.expect_any(*kinds, predicate=about)
    await peer.send(request)
    message = await peer.collect(answer, kind)
    return None if isinstance(message, BlockNotFound) else message


def _whole(message: Block, pool: RelayView) -> _Attempt:
    return message.header, _decoded(message.transactions, pool), "full"


def _decoded(transactions: Sequence[bytes], pool: RelayView) -> tuple[Transaction, ...]:
    """The transactions, those the mempool holds taken from it rather than decoded again."""
    held = [pool.decoded(tx) for tx in transactions]
    if all(tx is not None for tx in held):
        return tuple(tx for tx in held if tx is not None)
    fresh = iter(
        decode_transactions([t for t, h in zip(transactions, held, strict=True) if h is None])
    )
    return tuple(h if h is not None else next(fresh) for h in held)


async def _fetch_full(peer: Peer, pool: RelayView, block: Hash, mode: int) -> _Attempt | None:
    message = await _ask(peer, RequestRelayBlock(block, mode, _mempool_size(pool)), block, Block)
    if message is None:
        return None
    if not isinstance(message, Block):  # pragma: no cover - _ask returns only what it expects
        raise PeerError(Code.UNEXPECTED_MESSAGE, message.NAME)
    return _whole(message, pool)


def _opening(message: RelayPayload, block: Hash) -> tuple[BlockHeader, RelayHeader]:
    """The complete and the relay header of an opening compact message about ``block``."""
    header = message.header
    if header is None or header_hash(header) != block:
        raise PeerError(Code.PROTOCOL_VIOLATION, f"{message.NAME}: the header of another block")
    try:
        return header, relay_header_of(header)
    except RelayError as error:
        raise _peer_error(error, message) from None


def _resolver(header: BlockHeader) -> KnownBlocks:
    # The complete header names every parent: the compact references resolve among them.
    return KnownBlocks(header.parents)


def _check_relay_header(found: RelayHeader, expected: RelayHeader, message: Message) -> None:
    if found != expected:
        raise PeerError(
            Code.PROTOCOL_VIOLATION, f"{message.NAME}: the relay header is another block's"
        )


async def _fetch_compact(peer: Peer, pool: RelayView, block: Hash) -> _Attempt | None:
    opening = await _ask(
        peer, RequestRelayBlock(block, MODE_COMPACT, _mempool_size(pool)), block, CompactBlock
    )
    if opening is None:
        return None
    if isinstance(opening, Block):
        return _whole(opening, pool)
    if not isinstance(opening, CompactBlock):  # pragma: no cover
        raise PeerError(Code.UNEXPECTED_MESSAGE, opening.NAME)
    header, expected = _opening(opening, block)
    current: Message = opening
    try:
        received = compact.decode_compact_block(opening.data, _resolver(header).resolve)
        _check_relay_header(received.header, expected, opening)
        partial = compact.match_mempool(received, pool)
        relay_block_hash = relay_hash(expected)
        response = RelayTransactions(relay_block_hash, ())
        if partial.missing:
            ask = compact.GetBlockTransactions(relay_block_hash, partial.missing)
            request = RequestBlockTransactions(
                block, None, compact.encode_get_block_transactions(ask)
            )
            reply = await _ask(peer, request, block, BlockTransactions)
            if not isinstance(reply, BlockTransactions):
                raise _NextMode  # the sender forgot its answer: the whole block
            current = reply
            response = decode_block_transactions(reply.data)
            _same_block(response.block_hash, relay_block_hash, reply)
        body = compact.complete_block(received, partial, response, pool)
    except RelayError as error:
        if error.code in FALLBACK_CODES:
            raise _NextMode from None
        raise _peer_error(error, current) from None
    return header, _decoded(body.transactions, pool), "compact"


async def _fetch_reconciled(peer: Peer, pool: RelayView, block: Hash) -> _Attempt | None:
    opening = await _ask(
        peer, RequestRelayBlock(block, MODE_RECONCILE, _mempool_size(pool)), block, ReconcileBlock
    )
    if opening is None:
        return None
    if isinstance(opening, Block):
        return _whole(opening, pool)
    if not isinstance(opening, ReconcileBlock):  # pragma: no cover
        raise PeerError(Code.UNEXPECTED_MESSAGE, opening.NAME)
    header, expected = _opening(opening, block)
    relay_block_hash = relay_hash(expected)
    current: Message = opening
    stage = "reconcile"
    try:
        received = reconcile.decode_reconcile_block(opening.data, _resolver(header).resolve)
        _check_relay_header(received.header, expected, opening)
        candidates = reconcile.select_candidates(received, pool)
        found = _peeled(received, received.iblt, candidates)
        if found is None:
            cells = reconcile.larger_iblt_cells(received, len(pool), len(candidates.by_short_id))
            request = RequestIblt(block, None, reconcile.encode_get_iblt(relay_block_hash, cells))
            reply = await _ask(peer, request, block, IbltMessage)
            if not isinstance(reply, IbltMessage):
                raise _NextMode
            current = reply
            named, table = reconcile.decode_iblt_message(reply.data)
            _same_block(named, relay_block_hash, reply)
            if len(table.counts) != cells:
                raise PeerError(
                    Code.PROTOCOL_VIOLATION, f"iblt: {len(table.counts)} cells, {cells} asked"
                )
            found = reconcile.reconcile(received, table, candidates)
            stage = "reconcile-larger"
        response = RelayTransactions(relay_block_hash, ())
        if found.missing:
            ask = reconcile.encode_get_by_short_id(relay_block_hash, found.missing)
            reply = await _ask(
                peer, RequestTransactionsByShortId(block, None, ask), block, BlockTransactions
            )
            if not isinstance(reply, BlockTransactions):
                raise _NextMode
            current = reply
            response = decode_block_transactions(reply.data)
            _same_block(response.block_hash, relay_block_hash, reply)
        body = reconcile.complete_reconciliation(received, found, response, pool)
    except RelayError as error:
        if error.code in FALLBACK_CODES:
            raise _NextMode from None
        raise _peer_error(error, current) from None
    return header, _decoded(body.transactions, pool), stage


def _peeled(
    block: reconcile.ReconcileBlock, table: Iblt, candidates: reconcile.Candidates
) -> reconcile.Reconciliation | None:
    """The reconciliation against ``table``, ``None`` when the difference does not peel."""
    try:
        return reconcile.reconcile(block, table, candidates)
    except RelayError as error:
        if error.code != Code.IBLT_DECODE_FAILED:
            raise
        return None
