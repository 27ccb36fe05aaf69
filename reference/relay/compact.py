"""Mode 1: short-ID compact blocks (BIP152-style).

The sender replaces every transaction but the prefilled ones (at least the coinbase, which no
mempool holds) by its 6-byte short ID, in body order::

    COMPACT_BLOCK = 03 | compact header | nonce u64
                    | short_id_count CompactSize | short_id_count x 6-byte short ID (LE)
                    | prefilled_count CompactSize
                    | prefilled_count x (index difference CompactSize | CompactSize len | tx)
    GET_BLOCK_TXN = 04 | block_hash (32) | differential index list (reference.relay.indexes)

Body position ``i`` holds the next prefilled transaction when ``i`` is that prefilled index,
else the next short ID. Prefilled indexes are differential over the prefilled list and must be
below ``short_id_count + prefilled_count``.

The receiver matches short IDs against its mempool, asks for the rest with GET_BLOCK_TXN (the
sender answers BLOCK_TXN in the same order), fills the body and checks its merkle root. Two
equal short IDs in one message (``SHORT_ID_COLLISION``) or a wrong merkle root
(``BAD_MERKLE_ROOT``) send the receiver to the full block. Two mempool transactions with the
short ID of one block slot make that slot *missing*, never a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reference.errors import Code, RelayError
from reference.hash import HASH_SIZE, Hash
from reference.relay.body import (
    MAX_BLOCK_TRANSACTIONS,
    MAX_TRANSACTION_SIZE,
    BlockBody,
    KnownTransactions,
    make_body,
)
from reference.relay.header import (
    ParentResolver,
    RelayHeader,
    encode_compact_header,
    header_hash,
    read_compact_header,
)
from reference.relay.indexes import encode_indexes, read_differences
from reference.relay.mempool import MempoolView
from reference.relay.messages import BlockTransactions, Tag, open_message
from reference.relay.shortid import SHORT_ID_MASK, SHORT_ID_SIZE, keyed_hashes, short_id_key
from reference.relay.wire import encode_blob, encode_compact_size


@dataclass(frozen=True, slots=True)
class CompactBlock:
    """A decoded COMPACT_BLOCK."""

    header: RelayHeader
    """The block's header (parents resolved)."""
    nonce: int
    """Short-ID nonce, 0 <= nonce < 2^64."""
    short_ids: tuple[int, ...]
    """48-bit short IDs of the non-prefilled transactions, in body order; pairwise distinct."""
    prefilled: tuple[tuple[int, bytes], ...]
    """``(absolute index, transaction)``, ascending index."""

    @property
    def transaction_count(self) -> int:
        """Transactions in the block."""
        return len(self.short_ids) + len(self.prefilled)


def make_compact_block(header: RelayHeader, body: BlockBody, nonce: int) -> CompactBlock:
    """The sender's compact block: the coinbase prefilled, every other transaction by short ID.

    Raises ``SHORT_ID_COLLISION`` when two transactions of the body share a short ID under
    this nonce; the sender then tries the next nonce.
    """
    key = short_id_key(header_hash(header), nonce)
    ids = tuple(value & SHORT_ID_MASK for value in keyed_hashes(key, body.txids[1:]))
    if len(set(ids)) != len(ids):
        raise RelayError(Code.SHORT_ID_COLLISION, f"two transactions share a short ID ({nonce=})")
    return CompactBlock(header, nonce, ids, ((0, body.transactions[0]),))


def encode_compact_block(block: CompactBlock) -> bytes:
    """Bytes of a COMPACT_BLOCK."""
    parts = [
        bytes([Tag.COMPACT_BLOCK]),
        encode_compact_header(block.header),
        block.nonce.to_bytes(8, "little"),
        encode_compact_size(len(block.short_ids)),
        b"".join(value.to_bytes(SHORT_ID_SIZE, "little") for value in block.short_ids),
        encode_compact_size(len(block.prefilled)),
    ]
    previous = -1
    for index, transaction in block.prefilled:
        parts.append(encode_compact_size(index - previous - 1))
        parts.append(encode_blob(transaction))
        previous = index
    return b"".join(parts)


def decode_compact_block(data: bytes, resolve: ParentResolver) -> CompactBlock:
    """Parse a COMPACT_BLOCK; duplicate short IDs raise ``SHORT_ID_COLLISION``."""
    reader = open_message(data, Tag.COMPACT_BLOCK)
    header = read_compact_header(reader, resolve)
    nonce = reader.uint(8)
    id_count = reader.count(SHORT_ID_SIZE, MAX_BLOCK_TRANSACTIONS)
    raw = reader.take(id_count * SHORT_ID_SIZE)
    ids = tuple(
        int.from_bytes(raw[i : i + SHORT_ID_SIZE], "little")
        for i in range(0, len(raw), SHORT_ID_SIZE)
    )
    if len(set(ids)) != len(ids):
        raise RelayError(Code.SHORT_ID_COLLISION, "a compact block repeats a short ID")
    prefilled_count = reader.count(2, MAX_BLOCK_TRANSACTIONS - id_count)
    total = id_count + prefilled_count
    if total == 0:
        raise RelayError(Code.MALFORMED_MESSAGE, "a block holds at least one transaction")
    prefilled = []
    previous = -1
    for _ in range(prefilled_count):
        index = previous + 1 + reader.compact_size()
        if index >= total:
            raise RelayError(Code.INDEX_OVERFLOW, f"prefilled index {index} >= {total}")
        transaction = reader.blob(MAX_TRANSACTION_SIZE)
        if not transaction:
            raise RelayError(Code.MALFORMED_MESSAGE, "an empty transaction")
        prefilled.append((index, transaction))
        previous = index
    reader.finish()
    return CompactBlock(header, nonce, ids, tuple(prefilled))


@dataclass(frozen=True, slots=True)
class PartialBlock:
    """A compact block after matching against a mempool."""

    slots: tuple[bytes | None, ...]
    """One entry per body position: the transaction, or ``None`` where it is missing."""
    missing: tuple[int, ...]
    """Positions still missing, ascending."""


def match_mempool(block: CompactBlock, mempool: MempoolView) -> PartialBlock:
    """Fill every position the mempool can fill unambiguously."""
    key = short_id_key(header_hash(block.header), block.nonce)
    items = list(mempool.items())
    hashes = keyed_hashes(key, (txid for txid, _ in items))
    return _match(
        block,
        (
            (value & SHORT_ID_MASK, transaction)
            for value, (_, transaction) in zip(hashes, items, strict=True)
        ),
    )


def _match(block: CompactBlock, candidates: Iterable[tuple[int, bytes]]) -> PartialBlock:
    """Fill positions from ``(short ID, transaction)`` pairs; a short ID two pairs share is
    ambiguous and its position stays missing."""
    wanted = set(block.short_ids)
    found: dict[int, bytes] = {}
    ambiguous: set[int] = set()
    for sid, transaction in candidates:
        if sid in wanted:
            if sid in found and found[sid] != transaction:
                ambiguous.add(sid)
            found[sid] = transaction
    prefilled = dict(block.prefilled)
    slots: list[bytes | None] = []
    ids = iter(block.short_ids)
    for position in range(block.transaction_count):
        if position in prefilled:
            slots.append(prefilled[position])
            continue
        sid = next(ids)
        slots.append(None if sid in ambiguous else found.get(sid))
    missing = tuple(i for i, slot in enumerate(slots) if slot is None)
    return PartialBlock(tuple(slots), missing)


@dataclass(frozen=True, slots=True)
class GetBlockTransactions:
    """A receiver asks for body positions of a block."""

    block_hash: Hash
    """The block."""
    indexes: tuple[int, ...]
    """Strictly ascending body positions."""


def encode_get_block_transactions(request: GetBlockTransactions) -> bytes:
    """Bytes of a GET_BLOCK_TXN."""
    return bytes([Tag.GET_BLOCK_TXN]) + request.block_hash + encode_indexes(request.indexes)


def decode_get_block_transactions(data: bytes) -> GetBlockTransactions:
    """Parse a GET_BLOCK_TXN (indexes below MAX_BLOCK_TRANSACTIONS)."""
    reader = open_message(data, Tag.GET_BLOCK_TXN)
    block_hash = Hash(reader.take(HASH_SIZE))
    indexes = read_differences(reader, MAX_BLOCK_TRANSACTIONS)
    reader.finish()
    return GetBlockTransactions(block_hash, tuple(indexes))


def serve_block_transactions(
    block_hash: Hash, body: BlockBody, indexes: Sequence[int]
) -> BlockTransactions:
    """The sender's answer to GET_BLOCK_TXN; an index past the body raises ``INDEX_OVERFLOW``."""
    for index in indexes:
        if index >= len(body.transactions):
            raise RelayError(Code.INDEX_OVERFLOW, f"index {index} >= {len(body.transactions)}")
    return BlockTransactions(block_hash, tuple(body.transactions[i] for i in indexes))


def complete_block(
    block: CompactBlock,
    partial: PartialBlock,
    response: BlockTransactions,
    known: KnownTransactions | None = None,
) -> BlockBody:
    """Fill the missing positions from ``response`` and check the merkle root.

    Transactions ``known`` holds (the mempool they were matched from) are not decoded again.
    """
    if len(response.transactions) != len(partial.missing):
        raise RelayError(
            Code.MALFORMED_MESSAGE,
            f"asked for {len(partial.missing)} transactions, got {len(response.transactions)}",
        )
    slots = list(partial.slots)
    for position, transaction in zip(partial.missing, response.transactions, strict=True):
        slots[position] = transaction
    filled = [slot for slot in slots if slot is not None]
    try:
        body = make_body(filled, known)
    except RelayError as error:
        raise RelayError(
            Code.BAD_MERKLE_ROOT, f"filled body is not valid: {error.message}"
        ) from error
    if body.merkle_root != block.header.merkle_root:
        raise RelayError(Code.BAD_MERKLE_ROOT, "filled body does not match the merkle root")
    return body
