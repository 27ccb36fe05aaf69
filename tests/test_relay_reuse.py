"""A receiver decodes each relayed transaction at most once and reuses its mempool's ids.

The ids a mempool keeps and the hashes taken over relayed bytes are checked against the
transaction module's own functions (decode, re-encode, hash); the bodies built from them
against the plain decoding path.
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.relay import Scenario, build_case
from conformance.transactions import random_coinbase, random_transaction, transactions
from reference.errors import Code, RelayError
from reference.hash import Hash
from reference.relay import body as body_module
from reference.relay.body import canonical_body, canonical_order, make_body, relayed_ids, txid
from reference.relay.mempool import Mempool
from reference.relay.messages import Mode
from reference.relay.session import relay_block
from reference.transaction.encoding import (
    decode_transaction,
    encode_transaction,
    transaction_hash,
    transaction_id,
)
from reference.transaction.model import Transaction


@settings(max_examples=150)
@given(transactions())
def test_relayed_ids_are_the_transaction_modules_id_and_hash(tx: Transaction) -> None:
    data = encode_transaction(tx)
    assert relayed_ids(data) == (transaction_id(tx), transaction_hash(tx))
    assert relayed_ids(data) == (txid(data), transaction_hash(decode_transaction(data)))


def test_relayed_ids_refuse_what_is_not_a_transaction() -> None:
    data = encode_transaction(random_transaction(random.Random(3)))
    for bad in (b"\x00", data + b"\x00", data[:-1]):
        with pytest.raises(RelayError) as caught:
            relayed_ids(bad)
        assert caught.value.code == Code.MALFORMED_MESSAGE


def test_mempool_keeps_the_ids_of_exactly_the_bytes_it_holds() -> None:
    rng = random.Random(5)
    tx = random_transaction(rng)
    first = encode_transaction(tx)
    # Another signing: same txid, other bytes and hash.
    inputs = tuple(
        replace(item, signature_script=b"\x01" + item.signature_script) for item in tx.inputs
    )
    resigned = encode_transaction(replace(tx, inputs=inputs))
    assert txid(first) == txid(resigned) and first != resigned
    pool = Mempool([first])
    assert pool.ids_of(first) == (txid(first), transaction_hash(tx))
    pool.add(resigned)
    assert pool.ids_of(first) is None and pool.get(txid(first)) == resigned
    assert pool.ids_of(resigned) == (txid(first), transaction_hash(decode_transaction(resigned)))
    pool.remove(txid(first))
    assert pool.ids_of(resigned) is None and len(pool) == 0


@settings(max_examples=40)
@given(st.integers(0, 2**32), st.integers(0, 30), st.integers(0, 3))
def test_canonical_body_is_make_body_of_canonical_order(seed: int, count: int, held: int) -> None:
    rng = random.Random(seed)
    coinbase = encode_transaction(random_coinbase(rng, rng.randrange(1 << 40)))
    others = [encode_transaction(random_transaction(rng, rng.randint(0, 70))) for _ in range(count)]
    pool = Mempool(others[: held * count // 3])
    expected = make_body(canonical_order(coinbase, others))
    assert canonical_body(coinbase, others) == expected
    assert canonical_body(coinbase, others, pool) == expected
    assert make_body(expected.transactions, pool) == expected
    if others:
        with pytest.raises(RelayError) as caught:
            canonical_body(coinbase, [*others, others[0]], pool)
        assert caught.value.code == Code.MALFORMED_MESSAGE


def _count_decodes(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    decoded: list[bytes] = []
    real = body_module.decode_relayed

    def counting(transaction: bytes) -> Transaction:
        decoded.append(transaction)
        return real(transaction)

    monkeypatch.setattr(body_module, "decode_relayed", counting)
    return decoded


@pytest.mark.parametrize("mode", [Mode.COMPACT, Mode.RECONCILE])
@pytest.mark.parametrize("overlap", [1.0, 0.9])
def test_receiver_decodes_only_the_transactions_it_received(
    monkeypatch: pytest.MonkeyPatch, mode: Mode, overlap: float
) -> None:
    header, body, mempool, known = build_case(Scenario(60, 2.0, overlap, 3), 2)
    decoded = _count_decodes(monkeypatch)
    outcome = relay_block(header, body, mempool, known.resolve, mode)
    assert outcome.body == body and outcome.stage in ("compact", "reconcile")
    received = {tx for tx in body.transactions if mempool.ids_of(tx) is None}
    assert body.transactions[0] in received
    assert len(decoded) == len(received) and set(decoded) == received


def test_a_known_transaction_with_a_forged_id_cannot_pass_the_merkle_root() -> None:
    # A KnownTransactions that lies about a hash makes a body whose root is not the header's.
    header, body, mempool, _ = build_case(Scenario(10, 2.0, 1.0, 1), 3)

    class Lying:
        def ids_of(self, transaction: bytes) -> tuple[Hash, Hash] | None:
            ids = mempool.ids_of(transaction)
            return None if ids is None else (ids[0], Hash(bytes(32)))

    forged = make_body(body.transactions, Lying())
    assert forged.txids == body.txids and forged.merkle_root != header.merkle_root
