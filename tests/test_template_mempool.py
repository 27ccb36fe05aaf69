"""The mempool templates draw from: what it takes, what it refuses, its order."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reference.coinbase import build_coinbase
from reference.errors import Code, MempoolRejected
from reference.hash import Hash
from reference.mining.mempool import NodeMempool
from reference.relay.body import MAX_TRANSACTION_SIZE
from reference.transaction.encoding import encode_transaction, transaction_hash, transaction_id
from reference.transaction.model import (
    SUBNETWORK_ID_NATIVE,
    Outpoint,
    ScriptPublicKey,
    Transaction,
    TransactionInput,
)


def transfer(seed: int, payload: int = 40) -> Transaction:
    rng = random.Random(seed)
    spend = TransactionInput(Outpoint(Hash(rng.randbytes(32)), 0), b"", 0, 0, 1)
    return Transaction(1, (spend,), (), 0, SUBNETWORK_ID_NATIVE, 0, rng.randbytes(payload), 0)


@given(st.lists(st.tuples(st.booleans(), st.integers(0, 30)), max_size=60))
def test_entries_stay_in_id_order_through_adds_and_removes(steps: list[tuple[bool, int]]) -> None:
    pool = NodeMempool()
    held: dict[bytes, Transaction] = {}
    for add, seed in steps:
        tx = transfer(seed)
        version = pool.version
        if add:
            assert pool.add(tx) == transaction_id(tx)
            changed = transaction_id(tx) not in held
            held[transaction_id(tx)] = tx
        else:
            changed = pool.remove([transaction_id(tx)]) == 1
            assert changed == (held.pop(transaction_id(tx), None) is not None)
        assert (pool.version != version) == changed
        entries = pool.entries()
        assert [e.id for e in entries] == sorted(held)
        assert [e.transaction for e in entries] == [held[key] for key in sorted(held)]
    for entry in pool.entries():
        assert entry.hash == transaction_hash(entry.transaction)
        assert entry.size == len(encode_transaction(entry.transaction))
    assert len(pool) == len(held) and set(pool) == set(held)


def test_coinbase_oversize_and_non_transactions_are_refused() -> None:
    pool = NodeMempool()
    coinbase = build_coinbase(1, ScriptPublicKey(0, b""), 0)
    fits = transfer(1, MAX_TRANSACTION_SIZE - len(encode_transaction(transfer(1, 0))))
    assert len(encode_transaction(fits)) == MAX_TRANSACTION_SIZE
    pool.add(fits)
    for bad in (coinbase, transfer(2, MAX_TRANSACTION_SIZE), b"\x00" * 10, None):
        with pytest.raises(MempoolRejected) as caught:
            pool.add(bad)  # type: ignore[arg-type]
        assert caught.value.code is Code.MEMPOOL_REJECTED
    assert len(pool) == 1 and pool.get(transaction_id(fits)) is not None


def test_two_signings_of_one_transaction_share_an_entry() -> None:
    # The id leaves out signature scripts: the second signing is the same transaction.
    tx = transfer(5)
    resigned = Transaction(
        tx.version,
        (TransactionInput(tx.inputs[0].previous_outpoint, b"other signature", 0, 0, 1),),
        tx.outputs,
        tx.lock_time,
        tx.subnetwork_id,
        tx.gas,
        tx.payload,
        tx.storage_mass,
    )
    pool = NodeMempool([tx])
    assert pool.add(resigned) == transaction_id(tx) and len(pool) == 1
    entry = pool.get(transaction_id(tx))
    assert entry is not None and entry.transaction == tx
