"""One block crossing from a sender to a receiver, with the full recovery path.

The receiver asks in the mode it prefers; everything travels as encoded bytes and is decoded
on the other side, so the byte counts are the wire's. The ladder, each step taken only when
the one before raised a :class:`~reference.errors.RelayError`:

1. mode 2 (RECONCILE_BLOCK), then once a larger IBLT (GET_IBLT / IBLT), then the missing
   transactions by short ID;
2. mode 1 (COMPACT_BLOCK, then GET_BLOCK_TXN / BLOCK_TXN);
3. the full block, whose body is checked against its merkle root and whose header must hash
   to the requested hash.

A receiver asking for mode 1 starts at step 2; asking for the full block, at step 3. A round
trip is one request and its answer. The sender picks short-ID nonces 0, 1, 2, ... and skips
any under which two of its transactions share a short ID. Timings are measurements for
benchmarks, in process CPU time so that other work on a shared machine does not inflate them;
no rule depends on them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from reference.errors import Code, RelayError
from reference.hash import Hash
from reference.relay.body import BlockBody
from reference.relay.compact import (
    GetBlockTransactions,
    complete_block,
    decode_compact_block,
    decode_get_block_transactions,
    encode_compact_block,
    encode_get_block_transactions,
    make_compact_block,
    match_mempool,
    serve_block_transactions,
)
from reference.relay.header import ParentResolver, RelayHeader, header_hash
from reference.relay.mempool import MempoolView
from reference.relay.messages import (
    BlockRequest,
    BlockTransactions,
    Mode,
    decode_block_request,
    decode_block_transactions,
    decode_full_block,
    encode_block_request,
    encode_block_transactions,
    encode_full_block,
)
from reference.relay.reconcile import (
    ReconcileBlock,
    complete_reconciliation,
    decode_get_by_short_id,
    decode_get_iblt,
    decode_iblt_message,
    decode_reconcile_block,
    encode_get_by_short_id,
    encode_get_iblt,
    encode_reconcile_block,
    larger_iblt_cells,
    make_reconcile_block,
    reconcile,
    select_candidates,
    serve_by_short_id,
    serve_iblt,
)
from reference.relay.shortid import short_id_key

MAX_NONCE_ATTEMPTS: Final = 8
"""Nonces a sender tries before giving up on short IDs for a block."""


@dataclass(frozen=True, slots=True)
class RelayOutcome:
    """What one relay of one block cost."""

    body: BlockBody
    """The reconstructed body (its merkle root is the header's)."""
    stage: str
    """The step that delivered the body: ``reconcile``, ``reconcile-larger``, ``compact`` or
    ``full``."""
    messages: tuple[tuple[str, int], ...]
    """``(message kind, bytes)`` of every message, in order, both directions."""
    round_trips: int
    """Requests the receiver sent."""
    failures: tuple[Code, ...]
    """Codes of the errors that moved the relay down the ladder, in order."""
    sender_seconds: float
    """CPU time spent building and serving messages (a measurement, never a rule)."""
    receiver_seconds: float
    """CPU time the receiver spends between replies: building requests, decoding and
    reconstructing, failed attempts included (a measurement, never a rule)."""

    @property
    def total_bytes(self) -> int:
        """Bytes on the wire, both directions, every round trip."""
        return sum(size for _, size in self.messages)


@dataclass(slots=True)
class _Ledger:
    """The accounts kept while a relay runs."""

    stage: str = ""
    messages: list[tuple[str, int]] = field(default_factory=list)
    round_trips: int = 0
    failures: list[Code] = field(default_factory=list)
    sender_seconds: float = 0.0
    receiver_seconds: float = 0.0

    def close(self, body: BlockBody) -> RelayOutcome:
        return RelayOutcome(
            body,
            self.stage,
            tuple(self.messages),
            self.round_trips,
            tuple(self.failures),
            self.sender_seconds,
            self.receiver_seconds,
        )


class _Sender:
    """The side that holds the block."""

    def __init__(self, header: RelayHeader, body: BlockBody) -> None:
        self.header = header
        self.body = body
        self.block_hash = header_hash(header)
        self.nonce = -1

    def _fresh(self) -> int:
        self.nonce += 1
        return self.nonce

    def answer_request(self, data: bytes) -> bytes:
        request = decode_block_request(data)
        if request.block_hash != self.block_hash:
            raise RelayError(Code.MALFORMED_MESSAGE, "request for another block")
        if request.mode == Mode.FULL:
            return encode_full_block(self.header, self.body)
        for _ in range(MAX_NONCE_ATTEMPTS):
            nonce = self._fresh()
            try:
                if request.mode == Mode.COMPACT:
                    return encode_compact_block(make_compact_block(self.header, self.body, nonce))
                return encode_reconcile_block(
                    make_reconcile_block(self.header, self.body, nonce, request.mempool_size)
                )
            except RelayError as error:
                if error.code != Code.SHORT_ID_COLLISION:
                    raise
        return encode_full_block(self.header, self.body)

    def answer_get_iblt(self, data: bytes) -> bytes:
        _, cells = decode_get_iblt(data)
        return serve_iblt(self.header, self.body, self.nonce, cells)

    def answer_by_short_id(self, data: bytes) -> bytes:
        _, ids = decode_get_by_short_id(data)
        key = short_id_key(self.block_hash, self.nonce)
        return encode_block_transactions(serve_by_short_id(key, self.block_hash, self.body, ids))

    def answer_get_block_txn(self, data: bytes) -> bytes:
        request = decode_get_block_transactions(data)
        answer = serve_block_transactions(self.block_hash, self.body, request.indexes)
        return encode_block_transactions(answer)


class _Link:
    """Carries bytes between the two sides and keeps the accounts."""

    def __init__(self, sender: _Sender, outcome: _Ledger) -> None:
        self.sender = sender
        self.outcome = outcome
        # The receiver's clock runs whenever it is not waiting for the sender.
        self._receiver_since = time.process_time()

    def ask(
        self, kind: str, request: bytes, answer_kind: str, serve: Callable[[bytes], bytes]
    ) -> bytes:
        started = time.process_time()
        self.outcome.receiver_seconds += started - self._receiver_since
        self.outcome.round_trips += 1
        self.outcome.messages.append((kind, len(request)))
        reply = serve(request)
        self._receiver_since = time.process_time()
        self.outcome.sender_seconds += self._receiver_since - started
        self.outcome.messages.append((answer_kind, len(reply)))
        return reply

    def finish(self, body: BlockBody) -> RelayOutcome:
        """Stop the receiver's clock and close the accounts."""
        self.outcome.receiver_seconds += time.process_time() - self._receiver_since
        return self.outcome.close(body)


def _try_reconcile(
    link: _Link, block_hash: Hash, mempool: MempoolView, resolve: ParentResolver
) -> BlockBody:
    outcome = link.outcome
    reply = link.ask(
        "BLOCK_REQUEST",
        encode_block_request(BlockRequest(block_hash, Mode.RECONCILE, len(mempool))),
        "RECONCILE_BLOCK",
        link.sender.answer_request,
    )
    block: ReconcileBlock = decode_reconcile_block(reply, resolve)
    candidates = select_candidates(block, mempool)
    try:
        found = reconcile(block, block.iblt, candidates)
        outcome.stage = "reconcile"
    except RelayError as error:
        outcome.failures.append(error.code)
        cells = larger_iblt_cells(block, len(mempool), len(candidates.by_short_id))
        reply = link.ask(
            "GET_IBLT", encode_get_iblt(block_hash, cells), "IBLT", link.sender.answer_get_iblt
        )
        _, table = decode_iblt_message(reply)
        found = reconcile(block, table, candidates)
        outcome.stage = "reconcile-larger"
    response = BlockTransactions(block_hash, ())
    if found.missing:
        reply = link.ask(
            "GET_TXN_BY_SHORT_ID",
            encode_get_by_short_id(block_hash, found.missing),
            "BLOCK_TXN",
            link.sender.answer_by_short_id,
        )
        response = decode_block_transactions(reply)
    return complete_reconciliation(block, found, response, mempool)


def _try_compact(
    link: _Link, block_hash: Hash, mempool: MempoolView, resolve: ParentResolver
) -> BlockBody:
    outcome = link.outcome
    reply = link.ask(
        "BLOCK_REQUEST",
        encode_block_request(BlockRequest(block_hash, Mode.COMPACT, len(mempool))),
        "COMPACT_BLOCK",
        link.sender.answer_request,
    )
    block = decode_compact_block(reply, resolve)
    partial = match_mempool(block, mempool)
    response = BlockTransactions(block_hash, ())
    if partial.missing:
        reply = link.ask(
            "GET_BLOCK_TXN",
            encode_get_block_transactions(GetBlockTransactions(block_hash, partial.missing)),
            "BLOCK_TXN",
            link.sender.answer_get_block_txn,
        )
        response = decode_block_transactions(reply)
    body = complete_block(block, partial, response, mempool)
    outcome.stage = "compact"
    return body


def _fetch_full(link: _Link, block_hash: Hash, mempool: MempoolView) -> BlockBody:
    reply = link.ask(
        "BLOCK_REQUEST",
        encode_block_request(BlockRequest(block_hash, Mode.FULL, len(mempool))),
        "FULL_BLOCK",
        link.sender.answer_request,
    )
    header, body = decode_full_block(reply)
    if header_hash(header) != block_hash:
        raise RelayError(Code.MALFORMED_MESSAGE, "full block is not the block requested")
    link.outcome.stage = "full"
    return body


def relay_block(
    header: RelayHeader, body: BlockBody, mempool: MempoolView, resolve: ParentResolver, mode: Mode
) -> RelayOutcome:
    """Relay one block from a sender holding it to a receiver with ``mempool``, starting at
    ``mode`` and descending the ladder on every typed error."""
    outcome = _Ledger()
    sender = _Sender(header, body)
    link = _Link(sender, outcome)
    block_hash = sender.block_hash
    if mode == Mode.RECONCILE:
        try:
            return link.finish(_try_reconcile(link, block_hash, mempool, resolve))
        except RelayError as error:
            outcome.failures.append(error.code)
    if mode in (Mode.RECONCILE, Mode.COMPACT):
        try:
            return link.finish(_try_compact(link, block_hash, mempool, resolve))
        except RelayError as error:
            outcome.failures.append(error.code)
    return link.finish(_fetch_full(link, block_hash, mempool))
