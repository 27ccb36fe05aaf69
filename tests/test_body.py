"""Body rules: every goref block passes; each broken rule gives its own code, first rule
first; the coinbase builder and payload agree with Kaspa's payload layout."""

from __future__ import annotations

import dataclasses
import hashlib
import random
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.transactions import random_coinbase, random_transaction
from reference.coinbase import (
    MAX_COINBASE_PAYLOAD_LEN,
    CoinbasePayload,
    build_coinbase,
    decode_coinbase_payload,
    encode_coinbase_payload,
)
from reference.errors import BlockRejected, Code, MalformedTransaction
from reference.hash import Hash
from reference.header import BlockHeader, header_hash
from reference.pipeline.body_validation import (
    BODY_RULE_ORDER,
    MAX_BLOCK_SIZE,
    body_size,
    check_body_in_context,
    check_body_in_isolation,
)
from reference.transaction.encoding import encode_transaction
from reference.transaction.json_form import transaction_from_json
from reference.transaction.model import ScriptPublicKey, Transaction
from tests.kaspa_blocks import goref_blocks, header_of


def _root(transactions: Sequence[Transaction]) -> Hash:
    """The merkle root from the tests' own pieces: keyed BLAKE2b of the encodings, then
    Kaspa's tree padded with zero hashes."""
    level = [
        hashlib.blake2b(encode_transaction(tx), digest_size=32, key=b"TransactionHash").digest()
        for tx in transactions
    ]
    if not level:
        return Hash(bytes(32))
    while len(level) > 1:
        level += [bytes(32)] * (len(level) % 2)
        level = [
            hashlib.blake2b(
                level[i] + level[i + 1], digest_size=32, key=b"MerkleBranchHash"
            ).digest()
            for i in range(0, len(level), 2)
        ]
    return Hash(level[0])


def _check(
    header: BlockHeader, transactions: Sequence[Transaction], limit: int = MAX_BLOCK_SIZE
) -> None:
    check_body_in_isolation(header, transactions, limit)
    check_body_in_context(header, transactions)


def _code(
    header: BlockHeader, transactions: Sequence[Transaction], limit: int = MAX_BLOCK_SIZE
) -> Code:
    with pytest.raises(BlockRejected) as caught:
        _check(header, transactions, limit)
    assert caught.value.block == header_hash(header)
    return caught.value.code


def test_every_goref_body_passes() -> None:
    for block in goref_blocks():
        txs = [transaction_from_json(item) for item in block["transactions"]]
        _check(header_of(block), txs)


def _block(
    rng: random.Random, count: int, blue_score: int = 77
) -> tuple[BlockHeader, list[Transaction]]:
    txs = [random_coinbase(rng, blue_score), *(random_transaction(rng) for _ in range(count))]
    header = dataclasses.replace(
        header_of(goref_blocks()[5]), blue_score=blue_score, hash_merkle_root=_root(txs)
    )
    return header, txs


def _recommit(header: BlockHeader, txs: Sequence[Transaction]) -> BlockHeader:
    return dataclasses.replace(header, hash_merkle_root=_root(txs))


def test_each_rule_and_its_code() -> None:
    rng = random.Random(13)
    header, txs = _block(rng, 4)
    _check(header, txs)
    assert _code(_recommit(header, []), []) == Code.NO_TRANSACTIONS
    assert _code(header, txs[:-1]) == Code.BAD_MERKLE_ROOT
    assert _code(_recommit(header, txs[1:]), txs[1:]) == Code.FIRST_TX_NOT_COINBASE
    second = random_coinbase(rng, 77)
    assert _code(_recommit(header, [*txs, second]), [*txs, second]) == Code.MULTIPLE_COINBASES
    size = sum(len(encode_transaction(tx)) for tx in txs)
    assert body_size(txs) == size
    _check(header, txs, size)
    assert _code(header, txs, size - 1) == Code.BLOCK_TOO_LARGE
    again = dataclasses.replace(
        txs[2], inputs=(dataclasses.replace(txs[2].inputs[0], signature_script=b"other"),)
    )
    doubled = [*txs, again]
    assert _code(_recommit(header, doubled), doubled) == Code.DUPLICATE_TRANSACTION
    wrong = build_coinbase(78, ScriptPublicKey(0, b"\x51"), 5)
    assert (
        _code(_recommit(header, [wrong, *txs[1:]]), [wrong, *txs[1:]])
        == Code.BAD_COINBASE_BLUE_SCORE
    )
    short = dataclasses.replace(txs[0], payload=txs[0].payload[:18])
    assert (
        _code(_recommit(header, [short, *txs[1:]]), [short, *txs[1:]]) == Code.BAD_COINBASE_PAYLOAD
    )


def test_first_broken_rule_decides() -> None:
    rng = random.Random(5)
    header, txs = _block(rng, 3)
    # A second coinbase, duplicated transactions and a bad payload, under a wrong root.
    broken = [dataclasses.replace(txs[0], payload=b""), txs[1], txs[1], random_coinbase(rng, 1)]
    assert _code(header, broken) == Code.BAD_MERKLE_ROOT
    assert _code(_recommit(header, broken), broken) == Code.MULTIPLE_COINBASES
    assert BODY_RULE_ORDER.index(Code.MULTIPLE_COINBASES) < BODY_RULE_ORDER.index(
        Code.DUPLICATE_TRANSACTION
    )
    assert len(set(BODY_RULE_ORDER)) == len(BODY_RULE_ORDER)


@settings(max_examples=200)
@given(
    st.integers(0, 2**64 - 1),
    st.integers(0, 2**64 - 1),
    st.integers(0, 2**16 - 1),
    st.binary(max_size=150),
    st.binary(max_size=40),
)
def test_payload_layout(
    blue_score: int, subsidy: int, version: int, script: bytes, extra: bytes
) -> None:
    payload = CoinbasePayload(blue_score, subsidy, ScriptPublicKey(version, script), extra)
    expected = (
        blue_score.to_bytes(8, "little")
        + subsidy.to_bytes(8, "little")
        + version.to_bytes(2, "little")
        + bytes([len(script)])
        + script
        + extra
    )
    if len(expected) > MAX_COINBASE_PAYLOAD_LEN:
        with pytest.raises(MalformedTransaction):
            encode_coinbase_payload(payload)
        return
    assert encode_coinbase_payload(payload) == expected
    assert decode_coinbase_payload(expected) == payload


def test_goref_coinbase_payloads_carry_the_blue_score() -> None:
    for block in goref_blocks()[1:]:
        coinbase = transaction_from_json(block["transactions"][0])
        payload = decode_coinbase_payload(coinbase.payload)
        assert payload.blue_score == block["header"]["blueScore"]
        # One miner mined the whole run: the blues it pays are paid to its own script.
        for output in coinbase.outputs:
            assert output.script_public_key == payload.script_public_key


def test_bad_payloads() -> None:
    for bad in (
        b"",
        bytes(18),
        bytes(18) + b"\x97" + bytes(151),
        bytes(18) + b"\x05" + bytes(4),
        bytes(205),
    ):
        with pytest.raises(MalformedTransaction):
            decode_coinbase_payload(bad)


def test_builder() -> None:
    script = ScriptPublicKey(0, b"\x20" + bytes(32) + b"\xac")
    tx = build_coinbase(9, script, 123, b"x")
    assert tx.is_coinbase() and not tx.inputs and tx.version == 1 and tx.storage_mass == 0
    assert [(o.value, o.script_public_key) for o in tx.outputs] == [(123, script)]
    assert decode_coinbase_payload(tx.payload) == CoinbasePayload(9, 123, script, b"x")
    assert build_coinbase(9, script, 0).outputs == ()
    with pytest.raises(MalformedTransaction):
        build_coinbase(9, ScriptPublicKey(0, bytes(151)), 1)
