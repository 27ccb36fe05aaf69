"""Body validation: the rules a block's transactions must pass, in their canonical order.

A body is checked after its header. Rules *in isolation* read only the header and the
transactions; the rule *in context* also needs the block's GHOSTDAG data, which here is the
header's blue score once the header has been validated. As for headers, the first rule broken
decides the code (:data:`BODY_RULE_ORDER`), and a rejected body changes nothing. The order is
Kaspa's (rusty-kaspa ``body_validation_in_isolation.rs``, ``body_validation_in_context.rs``)
restricted to the rules that do not execute transactions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from reference.coinbase import decode_coinbase_payload
from reference.errors import BlockRejected, Code, MalformedTransaction
from reference.header import BlockHeader, header_hash
from reference.merkle import hash_merkle_root
from reference.transaction.encoding import encode_transaction, transaction_id
from reference.transaction.model import Transaction

MAX_BLOCK_SIZE: Final = 1_310_720
"""Largest body in bytes, 1.25 MiB: TOS's ``MAX_BLOCK_SIZE`` (the sum of the transactions'
encodings, ``spec/transactions``)."""

BODY_RULE_ORDER: Final[tuple[Code, ...]] = (
    Code.NO_TRANSACTIONS,
    Code.BAD_MERKLE_ROOT,
    Code.FIRST_TX_NOT_COINBASE,
    Code.MULTIPLE_COINBASES,
    Code.BLOCK_TOO_LARGE,
    Code.DUPLICATE_TRANSACTION,
    Code.BAD_COINBASE_PAYLOAD,
    Code.BAD_COINBASE_BLUE_SCORE,
)
"""Every body rejection code, in the order the rules are checked (isolation, then context)."""


def _reject(code: Code, header: BlockHeader, message: str) -> BlockRejected:
    return BlockRejected(code, header_hash(header), message)


def check_has_transactions(header: BlockHeader, transactions: Sequence[Transaction]) -> None:
    """NO_TRANSACTIONS: a body holds at least its coinbase (Kaspa ``NoTransactions``)."""
    if not transactions:
        raise _reject(Code.NO_TRANSACTIONS, header, "a body holds at least one transaction")


def check_hash_merkle_root(header: BlockHeader, transactions: Sequence[Transaction]) -> None:
    """BAD_MERKLE_ROOT: the header's ``hash_merkle_root`` is the root over the transactions'
    hashes (Kaspa ``BadMerkleRoot``)."""
    computed = hash_merkle_root(transactions)
    if computed != header.hash_merkle_root:
        raise _reject(
            Code.BAD_MERKLE_ROOT,
            header,
            f"header commits to {header.hash_merkle_root}, transactions give {computed}",
        )


def check_single_coinbase(header: BlockHeader, transactions: Sequence[Transaction]) -> None:
    """FIRST_TX_NOT_COINBASE / MULTIPLE_COINBASES: the first transaction and no other is a
    coinbase (Kaspa ``FirstTxNotCoinbase``, ``MultipleCoinbases``)."""
    if not transactions[0].is_coinbase():
        raise _reject(Code.FIRST_TX_NOT_COINBASE, header, "the first transaction is no coinbase")
    for position, tx in enumerate(transactions[1:], start=1):
        if tx.is_coinbase():
            raise _reject(
                Code.MULTIPLE_COINBASES, header, f"transaction {position} is a second coinbase"
            )


def body_size(transactions: Sequence[Transaction]) -> int:
    """The bytes of a body: the sum of its transactions' encodings."""
    return sum(len(encode_transaction(tx)) for tx in transactions)


def check_body_size(
    header: BlockHeader, transactions: Sequence[Transaction], max_block_size: int
) -> None:
    """BLOCK_TOO_LARGE: :func:`body_size` is at most ``max_block_size`` (TOS's size limit in
    place of Kaspa's mass limits, ``spec/transactions``)."""
    size = body_size(transactions)
    if size > max_block_size:
        raise _reject(
            Code.BLOCK_TOO_LARGE, header, f"body of {size} bytes exceeds {max_block_size}"
        )


def check_no_duplicate_transactions(
    header: BlockHeader, transactions: Sequence[Transaction]
) -> None:
    """DUPLICATE_TRANSACTION: no transaction id appears twice (Kaspa
    ``DuplicateTransactions``; ids, so two signings of one transaction count as one)."""
    seen: set[bytes] = set()
    for position, tx in enumerate(transactions):
        key = transaction_id(tx)
        if key in seen:
            raise _reject(
                Code.DUPLICATE_TRANSACTION,
                header,
                f"transaction {position} repeats the id {key.hex()}",
            )
        seen.add(key)


def check_body_in_isolation(
    header: BlockHeader,
    transactions: Sequence[Transaction],
    max_block_size: int = MAX_BLOCK_SIZE,
) -> None:
    """Every rule that needs only the header and the body, in :data:`BODY_RULE_ORDER`."""
    check_has_transactions(header, transactions)
    check_hash_merkle_root(header, transactions)
    check_single_coinbase(header, transactions)
    check_body_size(header, transactions, max_block_size)
    check_no_duplicate_transactions(header, transactions)


def check_coinbase_blue_score(header: BlockHeader, transactions: Sequence[Transaction]) -> None:
    """BAD_COINBASE_PAYLOAD / BAD_COINBASE_BLUE_SCORE: the coinbase payload parses
    (``reference.coinbase``) and starts with the block's blue score (Kaspa
    ``BadCoinbasePayload``, ``BadCoinbasePayloadBlueScore``).

    The header's ``blue_score`` is the block's: header validation has already checked it
    against GHOSTDAG. Requires a body that passed :func:`check_body_in_isolation`.
    """
    try:
        payload = decode_coinbase_payload(transactions[0].payload)
    except MalformedTransaction as error:
        raise _reject(Code.BAD_COINBASE_PAYLOAD, header, error.message) from error
    if payload.blue_score != header.blue_score:
        raise _reject(
            Code.BAD_COINBASE_BLUE_SCORE,
            header,
            f"coinbase says blue score {payload.blue_score}, the block has {header.blue_score}",
        )


def check_body_in_context(header: BlockHeader, transactions: Sequence[Transaction]) -> None:
    """Every rule that needs the block's place in the DAG; run after
    :func:`check_body_in_isolation`."""
    check_coinbase_blue_score(header, transactions)
