"""Mode 2: set reconciliation (Graphene-class: a Bloom filter plus an IBLT).

Because a body's order is canonical (coinbase, then ascending txid), the receiver only has to
learn *which* transactions the block holds. The sender sends the coinbase in full, a Bloom
filter of the other transactions' keyed hashes sized from the receiver's announced mempool
size, and an IBLT of their short IDs::

    RECONCILE_BLOCK     = 06 | compact header | nonce u64 | tx_count CompactSize
                          | coinbase (CompactSize len | tx) | Bloom filter | IBLT
    GET_IBLT            = 07 | block_hash (32) | cell_count CompactSize
    IBLT                = 08 | block_hash (32) | IBLT
    GET_TXN_BY_SHORT_ID = 09 | block_hash (32) | count CompactSize
                          | count x 6-byte short ID (strictly ascending)

The receiver passes its mempool through the filter (the *candidates*), builds an IBLT of the
candidates' short IDs of the same size, subtracts it from the sender's and peels the
difference: keys only in the block are *missing*, keys only among the candidates are false
positives. It asks for missing transactions by short ID (answer: BLOCK_TXN in the order asked),
sorts the body canonically and checks the merkle root.

Recovery when the difference does not peel: ask once for a larger IBLT (GET_IBLT, sized by
:func:`larger_iblt_cells` from the receiver's estimate of the difference); if that fails too,
mode 1; if that fails, the full block (reference.relay.session).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Final

from reference.errors import Code, RelayError
from reference.hash import HASH_SIZE, Hash
from reference.relay.bloom import BloomFilter, bloom_shape, build_bloom, encode_bloom, read_bloom
from reference.relay.body import (
    MAX_BLOCK_TRANSACTIONS,
    MAX_TRANSACTION_SIZE,
    BlockBody,
    KnownTransactions,
    canonical_body,
    relayed_ids,
)
from reference.relay.header import (
    ParentResolver,
    RelayHeader,
    encode_compact_header,
    header_hash,
    read_compact_header,
)
from reference.relay.iblt import (
    CELL_SIZE,
    HASH_COUNT,
    MAX_CELLS,
    HashedKey,
    Iblt,
    build_hashed,
    build_iblt,
    cells_for,
    encode_iblt,
    hash_keys,
    peel,
    read_iblt,
    subtract,
)
from reference.relay.mempool import MempoolView
from reference.relay.messages import BlockTransactions, Tag, open_message
from reference.relay.shortid import (
    SHORT_ID_MASK,
    SHORT_ID_SIZE,
    ShortIdKey,
    keyed_hashes,
    short_id,
    short_id_key,
)
from reference.relay.wire import encode_blob, encode_compact_size

_RATE_STEPS: Final = 64
"""Candidate false-positive counts tried when shaping the filter (a geometric grid)."""


@dataclass(frozen=True, slots=True)
class ReconcileBlock:
    """A decoded RECONCILE_BLOCK."""

    header: RelayHeader
    """The block's header (parents resolved)."""
    nonce: int
    """Short-ID nonce, 0 <= nonce < 2^64."""
    transaction_count: int
    """Transactions in the block, coinbase included (at least 1)."""
    coinbase: bytes
    """The coinbase transaction."""
    bloom: BloomFilter
    """Filter of the keyed hashes of every non-coinbase transaction."""
    iblt: Iblt
    """IBLT of the short IDs of every non-coinbase transaction."""


def _capacity(expected: float) -> int:
    # Poisson tail: the false-positive count exceeds mean + 2.5 sd rarely.
    return math.ceil(expected + 2.5 * math.sqrt(expected) + 1)


def reconcile_shape(items: int, mempool_size: int) -> tuple[int, int, int]:
    """``(bit_count, hash_count, cell_count)`` minimising the bytes of filter plus IBLT.

    The sender assumes the receiver holds every block transaction, so ``mempool_size - items``
    of its mempool are not in the block; with ``a`` false positives expected among them the
    filter's rate is ``a / (mempool_size - items)`` and the IBLT must peel about ``a`` keys.
    ``a`` is searched on a geometric grid; the cost counts the filter's real (rounded) rate.
    """
    excess = mempool_size - items
    if excess <= 0 or items == 0:
        return 0, 0, cells_for(max(0, items - mempool_size))
    best: tuple[int, int, int, int] | None = None
    for step in range(_RATE_STEPS + 1):
        target = excess ** (step / _RATE_STEPS) * 0.5
        if target >= excess:
            bit_count, hash_count = 0, 0
            expected = float(excess)
        else:
            bit_count, hash_count = bloom_shape(items, target / excess)
            expected = BloomFilter(bit_count, hash_count, b"").false_positive_rate(items) * excess
        cells = cells_for(_capacity(expected))
        cost = (bit_count + 7) // 8 + CELL_SIZE * cells
        if best is None or cost < best[0]:
            best = (cost, bit_count, hash_count, cells)
    if best is None:
        raise RelayError(Code.MALFORMED_MESSAGE, "no filter shape")
    return best[1], best[2], best[3]


def make_reconcile_block(
    header: RelayHeader, body: BlockBody, nonce: int, mempool_size: int
) -> ReconcileBlock:
    """The sender's RECONCILE_BLOCK for a receiver announcing ``mempool_size``.

    Raises ``SHORT_ID_COLLISION`` when two transactions share a short ID under this nonce.
    """
    key = short_id_key(header_hash(header), nonce)
    values = keyed_hashes(key, body.txids[1:])
    ids = [value & SHORT_ID_MASK for value in values]
    if len(set(ids)) != len(ids):
        raise RelayError(Code.SHORT_ID_COLLISION, f"two transactions share a short ID ({nonce=})")
    bit_count, hash_count, cells = reconcile_shape(len(ids), mempool_size)
    return ReconcileBlock(
        header,
        nonce,
        len(body.transactions),
        body.transactions[0],
        build_bloom(bit_count, hash_count, values),
        build_iblt(cells, ids),
    )


def encode_reconcile_block(block: ReconcileBlock) -> bytes:
    """Bytes of a RECONCILE_BLOCK."""
    return (
        bytes([Tag.RECONCILE_BLOCK])
        + encode_compact_header(block.header)
        + block.nonce.to_bytes(8, "little")
        + encode_compact_size(block.transaction_count)
        + encode_blob(block.coinbase)
        + encode_bloom(block.bloom)
        + encode_iblt(block.iblt)
    )


def decode_reconcile_block(data: bytes, resolve: ParentResolver) -> ReconcileBlock:
    """Parse a RECONCILE_BLOCK."""
    reader = open_message(data, Tag.RECONCILE_BLOCK)
    header = read_compact_header(reader, resolve)
    nonce = reader.uint(8)
    count = reader.compact_size()
    if not 1 <= count <= MAX_BLOCK_TRANSACTIONS:
        raise RelayError(Code.MESSAGE_TOO_LARGE, f"transaction count {count}")
    coinbase = reader.blob(MAX_TRANSACTION_SIZE)
    if not coinbase:
        raise RelayError(Code.MALFORMED_MESSAGE, "an empty coinbase")
    bloom = read_bloom(reader)
    iblt = read_iblt(reader)
    reader.finish()
    return ReconcileBlock(header, nonce, count, coinbase, bloom, iblt)


@dataclass(frozen=True, slots=True)
class Candidates:
    """The receiver's mempool transactions that pass the block's filter."""

    by_short_id: dict[int, bytes]
    """Candidate transactions by short ID (one per short ID)."""
    ambiguous: frozenset[int]
    """Short IDs that two or more candidates share: never trusted, fetched if in the block."""
    hashed: tuple[HashedKey, ...] | None = None
    """The short IDs of ``by_short_id``, in its order, hashed for IBLTs once
    (:func:`~reference.relay.iblt.hash_keys`); ``None``: hashed when a table is built."""


def select_candidates(block: ReconcileBlock, mempool: MempoolView) -> Candidates:
    """Pass the mempool through the block's Bloom filter."""
    key = short_id_key(header_hash(block.header), block.nonce)
    items = list(mempool.items())
    values = keyed_hashes(key, (txid for txid, _ in items))
    by_short_id: dict[int, bytes] = {}
    ambiguous: set[int] = set()
    for index in block.bloom.passing(values):
        sid = values[index] & SHORT_ID_MASK
        if sid in by_short_id:
            ambiguous.add(sid)
        by_short_id[sid] = items[index][1]
    hashed = tuple(hash_keys(by_short_id))
    return Candidates(by_short_id, frozenset(ambiguous), hashed)


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """What the receiver learned from a peeled difference."""

    known: tuple[bytes, ...]
    """Block transactions (not the coinbase) the receiver already holds."""
    missing: tuple[int, ...]
    """Short IDs of block transactions it must fetch, ascending."""


def reconcile(block: ReconcileBlock, iblt: Iblt, candidates: Candidates) -> Reconciliation:
    """Decode the difference between the sender's ``iblt`` and the candidates.

    Raises ``IBLT_DECODE_FAILED`` when the difference does not peel or is inconsistent with
    the candidates or the announced transaction count.
    """
    hashed = candidates.hashed
    mine = build_hashed(
        len(iblt.counts), hash_keys(candidates.by_short_id) if hashed is None else hashed
    )
    only_block, only_candidates = peel(subtract(iblt, mine))
    held = candidates.by_short_id.keys()
    if not only_candidates <= held or only_block & held:
        raise RelayError(Code.IBLT_DECODE_FAILED, "peeled keys contradict the candidates")
    in_block = (held - only_candidates) | only_block
    if len(in_block) != block.transaction_count - 1:
        raise RelayError(
            Code.IBLT_DECODE_FAILED,
            f"decoded {len(in_block)} transactions, block has {block.transaction_count - 1}",
        )
    missing = sorted(only_block | (candidates.ambiguous & in_block))
    missing_set = set(missing)
    known = tuple(candidates.by_short_id[sid] for sid in in_block if sid not in missing_set)
    return Reconciliation(known, tuple(missing))


def larger_iblt_cells(block: ReconcileBlock, mempool_size: int, candidate_count: int) -> int:
    """Cells the receiver asks for after the first IBLT failed to peel.

    With filter rate ``f``, ``z`` candidates and ``m`` mempool transactions, the receiver
    estimates it holds ``x = (z - f m) / (1 - f)`` block transactions (clipped to
    ``[0, min(n, z)]`` for ``n`` non-coinbase transactions), hence a difference of
    ``(n - x) + (z - x)``; it asks for the cells of that difference plus a Poisson margin,
    and at least twice the first table.
    """
    items = block.transaction_count - 1
    rate = block.bloom.false_positive_rate(items)
    if rate >= 1.0:
        held = float(min(items, candidate_count))
    else:
        held = (candidate_count - rate * mempool_size) / (1.0 - rate)
        held = min(max(held, 0.0), float(min(items, candidate_count)))
    difference = (items - held) + (candidate_count - held)
    wanted = max(2 * len(block.iblt.counts), cells_for(_capacity(difference)))
    return min(wanted, MAX_CELLS)


def encode_get_iblt(block_hash: Hash, cell_count: int) -> bytes:
    """Bytes of a GET_IBLT."""
    return bytes([Tag.GET_IBLT]) + block_hash + encode_compact_size(cell_count)


def decode_get_iblt(data: bytes) -> tuple[Hash, int]:
    """Parse a GET_IBLT: ``(block_hash, cell_count)``; the count must be a valid IBLT size."""
    reader = open_message(data, Tag.GET_IBLT)
    block_hash = Hash(reader.take(HASH_SIZE))
    cell_count = reader.compact_size()
    reader.finish()
    if cell_count > MAX_CELLS:
        raise RelayError(Code.MESSAGE_TOO_LARGE, f"{cell_count} IBLT cells requested")
    if cell_count == 0 or cell_count % HASH_COUNT:
        raise RelayError(Code.MALFORMED_MESSAGE, f"bad IBLT size {cell_count}")
    return block_hash, cell_count


def serve_iblt(header: RelayHeader, body: BlockBody, nonce: int, cell_count: int) -> bytes:
    """The sender's IBLT message: the block's short IDs in a table of ``cell_count`` cells."""
    block_hash = header_hash(header)
    key = short_id_key(block_hash, nonce)
    ids = [value & SHORT_ID_MASK for value in keyed_hashes(key, body.txids[1:])]
    return bytes([Tag.IBLT]) + block_hash + encode_iblt(build_iblt(cell_count, ids))


def decode_iblt_message(data: bytes) -> tuple[Hash, Iblt]:
    """Parse an IBLT message."""
    reader = open_message(data, Tag.IBLT)
    block_hash = Hash(reader.take(HASH_SIZE))
    table = read_iblt(reader)
    reader.finish()
    return block_hash, table


def encode_get_by_short_id(block_hash: Hash, short_ids: Sequence[int]) -> bytes:
    """Bytes of a GET_TXN_BY_SHORT_ID (``short_ids`` strictly ascending)."""
    return (
        bytes([Tag.GET_TXN_BY_SHORT_ID])
        + block_hash
        + encode_compact_size(len(short_ids))
        + b"".join(value.to_bytes(SHORT_ID_SIZE, "little") for value in short_ids)
    )


def decode_get_by_short_id(data: bytes) -> tuple[Hash, tuple[int, ...]]:
    """Parse a GET_TXN_BY_SHORT_ID; the short IDs must be strictly ascending."""
    reader = open_message(data, Tag.GET_TXN_BY_SHORT_ID)
    block_hash = Hash(reader.take(HASH_SIZE))
    count = reader.count(SHORT_ID_SIZE, MAX_BLOCK_TRANSACTIONS)
    raw = reader.take(count * SHORT_ID_SIZE)
    reader.finish()
    ids = tuple(
        int.from_bytes(raw[i : i + SHORT_ID_SIZE], "little")
        for i in range(0, len(raw), SHORT_ID_SIZE)
    )
    if any(a >= b for a, b in pairwise(ids)):
        raise RelayError(Code.MALFORMED_MESSAGE, "short IDs must be strictly ascending")
    return block_hash, ids


def serve_by_short_id(
    key: ShortIdKey, block_hash: Hash, body: BlockBody, short_ids: Sequence[int]
) -> BlockTransactions:
    """The sender's answer: the named transactions, in the order asked."""
    by_id = {
        value & SHORT_ID_MASK: tx
        for value, tx in zip(keyed_hashes(key, body.txids), body.transactions, strict=True)
    }
    answer = []
    for value in short_ids:
        transaction = by_id.get(value)
        if transaction is None:
            raise RelayError(Code.MALFORMED_MESSAGE, f"short ID {value:012x} is not in the block")
        answer.append(transaction)
    return BlockTransactions(block_hash, tuple(answer))


@dataclass(frozen=True, slots=True)
class _Received:
    """The ids ``known`` holds, then those of the transactions just received."""

    received: dict[bytes, tuple[Hash, Hash]]
    known: KnownTransactions | None

    def ids_of(self, transaction: bytes) -> tuple[Hash, Hash] | None:
        found = None if self.known is None else self.known.ids_of(transaction)
        return self.received.get(transaction) if found is None else found


def complete_reconciliation(
    block: ReconcileBlock,
    reconciliation: Reconciliation,
    response: BlockTransactions,
    known: KnownTransactions | None = None,
) -> BlockBody:
    """Assemble the body in canonical order and check it against the merkle root.

    Each received transaction is decoded once; those ``known`` holds (the mempool the
    candidates came from) are not decoded at all.
    """
    key = short_id_key(header_hash(block.header), block.nonce)
    if len(response.transactions) != len(reconciliation.missing):
        raise RelayError(Code.MALFORMED_MESSAGE, "answer has the wrong number of transactions")
    received: dict[bytes, tuple[Hash, Hash]] = {}
    for wanted, transaction in zip(reconciliation.missing, response.transactions, strict=True):
        ids = relayed_ids(transaction)
        if short_id(key, ids[0]) != wanted:
            raise RelayError(Code.MALFORMED_MESSAGE, "answer holds a transaction not asked for")
        received[transaction] = ids
    others = (*reconciliation.known, *response.transactions)
    try:
        body = canonical_body(block.coinbase, others, _Received(received, known))
    except RelayError as error:
        raise RelayError(
            Code.BAD_MERKLE_ROOT, f"assembled body invalid: {error.message}"
        ) from error
    if body.merkle_root != block.header.merkle_root:
        raise RelayError(Code.BAD_MERKLE_ROOT, "assembled body does not match the merkle root")
    return body
