"""Messages both modes share: the block request, the full block, a list of transactions.

Every relay message starts with a one-byte tag naming its kind (:class:`Tag`), so a reader can
never mistake one kind for another. The request names the mode the receiver wants and
announces its mempool size, from which the sender sizes mode 2's Bloom filter::

    BLOCK_REQUEST  = 01 | block_hash (32) | mode u8 (0 full, 1 compact, 2 reconcile)
                     | mempool_size CompactSize
    FULL_BLOCK     = 02 | full header | tx_count CompactSize | tx_count x (CompactSize len | tx)
    BLOCK_TXN      = 05 | block_hash (32) | count CompactSize | count x (CompactSize len | tx)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Final

from reference.errors import Code, RelayError
from reference.hash import HASH_SIZE, Hash
from reference.relay.body import MAX_BLOCK_TRANSACTIONS, MAX_TRANSACTION_SIZE, BlockBody, make_body
from reference.relay.header import RelayHeader, encode_header, read_header
from reference.relay.wire import Reader, encode_blob, encode_compact_size

MAX_MEMPOOL_SIZE: Final = 10_000_000
"""Largest mempool size a request may announce."""


class Tag(IntEnum):
    """The first byte of every relay message."""

    BLOCK_REQUEST = 0x01
    FULL_BLOCK = 0x02
    COMPACT_BLOCK = 0x03
    GET_BLOCK_TXN = 0x04
    BLOCK_TXN = 0x05
    RECONCILE_BLOCK = 0x06
    GET_IBLT = 0x07
    IBLT = 0x08
    GET_TXN_BY_SHORT_ID = 0x09


class Mode(IntEnum):
    """What a block request asks for."""

    FULL = 0
    COMPACT = 1
    RECONCILE = 2


def open_message(data: bytes, tag: Tag) -> Reader:
    """A reader positioned after the tag, which must be ``tag``."""
    reader = Reader(data)
    found = reader.uint(1)
    if found != tag:
        raise RelayError(Code.MALFORMED_MESSAGE, f"expected tag {tag.name}, found {found:#04x}")
    return reader


@dataclass(frozen=True, slots=True)
class BlockRequest:
    """A receiver asks for a block in one mode."""

    block_hash: Hash
    """The block wanted."""
    mode: Mode
    """The representation wanted."""
    mempool_size: int
    """Transactions in the receiver's mempool, 0 <= mempool_size <= MAX_MEMPOOL_SIZE."""


def encode_block_request(request: BlockRequest) -> bytes:
    """Bytes of a BLOCK_REQUEST."""
    return (
        bytes([Tag.BLOCK_REQUEST])
        + request.block_hash
        + bytes([request.mode])
        + encode_compact_size(request.mempool_size)
    )


def decode_block_request(data: bytes) -> BlockRequest:
    """Parse a BLOCK_REQUEST."""
    reader = open_message(data, Tag.BLOCK_REQUEST)
    block_hash = Hash(reader.take(HASH_SIZE))
    mode_byte = reader.uint(1)
    if mode_byte not in set(Mode):
        raise RelayError(Code.MALFORMED_MESSAGE, f"unknown mode {mode_byte}")
    mempool_size = reader.compact_size()
    if mempool_size > MAX_MEMPOOL_SIZE:
        raise RelayError(Code.MESSAGE_TOO_LARGE, f"mempool size {mempool_size} too large")
    reader.finish()
    return BlockRequest(block_hash, Mode(mode_byte), mempool_size)


def _encode_transactions(transactions: Sequence[bytes]) -> bytes:
    return encode_compact_size(len(transactions)) + b"".join(map(encode_blob, transactions))


def read_transactions(reader: Reader, limit: int) -> list[bytes]:
    """A CompactSize count then that many length-prefixed transactions (each 1+ bytes)."""
    count = reader.count(2, limit)
    transactions = []
    for _ in range(count):
        transaction = reader.blob(MAX_TRANSACTION_SIZE)
        if not transaction:
            raise RelayError(Code.MALFORMED_MESSAGE, "an empty transaction")
        transactions.append(transaction)
    return transactions


def encode_full_block(header: RelayHeader, body: BlockBody) -> bytes:
    """Bytes of a FULL_BLOCK."""
    return bytes([Tag.FULL_BLOCK]) + encode_header(header) + _encode_transactions(body.transactions)


def decode_full_block(data: bytes) -> tuple[RelayHeader, BlockBody]:
    """Parse a FULL_BLOCK; the body must be canonical and match the header's merkle root."""
    reader = open_message(data, Tag.FULL_BLOCK)
    header = read_header(reader)
    body = make_body(read_transactions(reader, MAX_BLOCK_TRANSACTIONS))
    reader.finish()
    if body.merkle_root != header.merkle_root:
        raise RelayError(Code.BAD_MERKLE_ROOT, "full block body does not match its merkle root")
    return header, body


@dataclass(frozen=True, slots=True)
class BlockTransactions:
    """Transactions a sender returns for one block (answer to GET_BLOCK_TXN and
    GET_TXN_BY_SHORT_ID), in the order they were asked for."""

    block_hash: Hash
    """The block they belong to."""
    transactions: tuple[bytes, ...]
    """The transactions."""


def encode_block_transactions(message: BlockTransactions) -> bytes:
    """Bytes of a BLOCK_TXN."""
    return bytes([Tag.BLOCK_TXN]) + message.block_hash + _encode_transactions(message.transactions)


def decode_block_transactions(data: bytes) -> BlockTransactions:
    """Parse a BLOCK_TXN."""
    reader = open_message(data, Tag.BLOCK_TXN)
    block_hash = Hash(reader.take(HASH_SIZE))
    transactions = read_transactions(reader, MAX_BLOCK_TRANSACTIONS)
    reader.finish()
    return BlockTransactions(block_hash, tuple(transactions))
