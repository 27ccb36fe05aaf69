"""Relay primitives: SipHash-2-4, CompactSize, differential indexes, txids, merkle roots."""

from __future__ import annotations

import hashlib
import random
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.transactions import random_coinbase, random_transaction
from reference.errors import Code, RelayError
from reference.hash import Hash
from reference.merkle import merkle_root
from reference.relay.body import canonical_order, make_body, txid
from reference.relay.header import RelayHeader, encode_compact_header, encode_header
from reference.relay.indexes import decode_indexes, encode_indexes
from reference.relay.shortid import short_id_key
from reference.relay.siphash import siphash24, siphash24_32, siphash24_many, siphash_key
from reference.relay.wire import Reader, encode_compact_size
from reference.transaction.encoding import decode_transaction, encode_transaction, transaction_id

_KEY = (int.from_bytes(bytes(range(8)), "little"), int.from_bytes(bytes(range(8, 16)), "little"))

# Published SipHash-2-4 vectors: key 00..0f, message 00..len-1.
SIPHASH_VECTORS = {
    0: 0x726FDB47DD0E0E31,
    1: 0x74F839C593DC67FD,
    8: 0x93F5F5799A932462,
    15: 0xA129CA6149BE45E5,
    32: 0x7127512F72F27CCE,
    63: 0x958A324CEB064572,
}


@pytest.mark.parametrize(("length", "expected"), sorted(SIPHASH_VECTORS.items()))
def test_siphash_published_vectors(length: int, expected: int) -> None:
    assert siphash24(*_KEY, bytes(range(length))) == expected


def test_unrolled_siphash_matches_published_vector() -> None:
    assert siphash24_32(*_KEY, bytes(range(32))) == SIPHASH_VECTORS[32]


@settings(max_examples=60)
@given(st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1), st.binary(min_size=32, max_size=32))
def test_unrolled_siphash_equals_general(k0: int, k1: int, message: bytes) -> None:
    assert siphash24_32(k0, k1, message) == siphash24(k0, k1, message)


@pytest.mark.parametrize(("length", "expected"), sorted(SIPHASH_VECTORS.items()))
def test_c_siphash_published_vectors(length: int, expected: int) -> None:
    assert siphash24_many(*_KEY, [bytes(range(length))]) == [expected]


def test_siphash_key_bytes_are_the_published_key() -> None:
    assert siphash_key(*_KEY) == bytes(range(16))


@settings(max_examples=200)
@given(
    st.integers(0, 2**64 - 1),
    st.integers(0, 2**64 - 1),
    st.lists(st.binary(max_size=80), max_size=8),
)
def test_c_siphash_equals_the_python_definition(k0: int, k1: int, messages: list[bytes]) -> None:
    assert siphash24_many(k0, k1, messages) == [siphash24(k0, k1, m) for m in messages]


def test_c_siphash_equals_the_python_definition_on_txids() -> None:
    rng = random.Random(11)
    k0, k1 = rng.randrange(1 << 64), rng.randrange(1 << 64)
    ids = [Hash(rng.randbytes(32)) for _ in range(500)]
    assert siphash24_many(k0, k1, ids) == [siphash24_32(k0, k1, item) for item in ids]


def _read_compact(data: bytes) -> int:
    reader = Reader(data)
    value = reader.compact_size()
    reader.finish()
    return value


@settings(max_examples=60)
@given(st.integers(0, 2**64 - 1))
def test_compact_size_round_trip_and_shortest(value: int) -> None:
    encoded = encode_compact_size(value)
    assert _read_compact(encoded) == value
    # Oracle: the size classes of the format.
    expected = 1 if value < 0xFD else 3 if value <= 0xFFFF else 5 if value < 2**32 else 9
    assert len(encoded) == expected


@pytest.mark.parametrize(
    "data", [b"\xfd\xfc\x00", b"\xfe\xff\xff\x00\x00", b"\xff" + (2**32 - 1).to_bytes(8, "little")]
)
def test_non_canonical_compact_size_rejected(data: bytes) -> None:
    with pytest.raises(RelayError) as caught:
        _read_compact(data)
    assert caught.value.code == Code.MALFORMED_MESSAGE


@pytest.mark.parametrize(
    ("wire", "absolute"), [([4, 0, 5, 1, 10], [0, 6, 8, 19]), ([3, 1, 1, 1], [1, 3, 5])]
)
def test_bip152_index_encoding_facts(wire: list[int], absolute: list[int]) -> None:
    assert encode_indexes(absolute) == bytes(wire)
    assert decode_indexes(bytes(wire), 100) == absolute


@settings(max_examples=60)
@given(st.sets(st.integers(0, 70_000), max_size=30))
def test_indexes_round_trip(indexes: set[int]) -> None:
    ordered = sorted(indexes)
    assert decode_indexes(encode_indexes(ordered), 70_001) == ordered


def test_index_overflow_rejected() -> None:
    # Differences whose running sum passes the bound (and would overflow a u16).
    data = bytes([2]) + encode_compact_size(0xFFFF) + encode_compact_size(0xFFFF)
    with pytest.raises(RelayError) as caught:
        decode_indexes(data, 100_000)
    assert caught.value.code == Code.INDEX_OVERFLOW


def test_huge_index_count_refused_before_allocation() -> None:
    data = b"\xfe" + (2**31).to_bytes(4, "little")
    with pytest.raises(RelayError) as caught:
        decode_indexes(data, 2**40)
    assert caught.value.code == Code.MALFORMED_MESSAGE


def test_txid_is_kaspas_transaction_id() -> None:
    # rusty-kaspa's hashing vector #1: the empty version 0 native transaction.
    empty = bytes(2) + bytes(8) + bytes(8) + bytes(8) + bytes(20) + bytes(8) + bytes(8)
    assert txid(empty).hex() == "2c18d5e59ca8fc4c23d9560da3bf738a8f40935c11c162017fbf2c907b7e665c"


def test_bytes_that_are_no_transaction_are_malformed_messages() -> None:
    for bad in (b"tx", bytes(61), bytes(63)):
        with pytest.raises(RelayError) as caught:
            txid(bad)
        assert caught.value.code == Code.MALFORMED_MESSAGE


def _encoded(seed: int, count: int) -> list[bytes]:
    rng = random.Random(seed)
    return [
        encode_transaction(random_coinbase(rng, 1)),
        *(encode_transaction(random_transaction(rng, rng.randint(0, 70))) for _ in range(count)),
    ]


@settings(max_examples=20)
@given(st.integers(0, 2**32), st.integers(0, 12))
def test_body_merkle_root_is_the_hash_merkle_root(seed: int, count: int) -> None:
    txs = _encoded(seed, count)
    body = make_body(canonical_order(txs[0], txs[1:]))
    leaves = [
        hashlib.blake2b(tx, digest_size=32, key=b"TransactionHash").digest()
        for tx in body.transactions
    ]
    assert body.merkle_root == merkle_root([Hash(leaf) for leaf in leaves])
    assert body.txids == tuple(transaction_id(decode_transaction(tx)) for tx in body.transactions)


@settings(max_examples=20)
@given(st.integers(0, 2**32), st.integers(1, 12))
def test_canonical_order_is_accepted_and_any_other_order_is_not(seed: int, count: int) -> None:
    txs = _encoded(seed, count)
    body = make_body(canonical_order(txs[0], txs[1:]))
    assert body.transactions[0] == txs[0]
    assert list(body.txids[1:]) == sorted(txid(tx) for tx in txs[1:])
    if len(txs) >= 3:
        swapped = list(body.transactions)
        swapped[1], swapped[2] = swapped[2], swapped[1]
        with pytest.raises(RelayError):
            make_body(swapped)


def test_duplicate_and_empty_transactions_rejected() -> None:
    cb, a = _encoded(3, 1)
    resigned = encode_transaction(
        replace(
            decode_transaction(a),
            inputs=(replace(decode_transaction(a).inputs[0], signature_script=b"other"),),
        )
    )
    for bad in ([cb, a, a], [cb, b""], [], [cb, cb], [cb, a, resigned], [cb, b"tx"]):
        with pytest.raises(RelayError) as caught:
            make_body(bad)
        assert caught.value.code == Code.MALFORMED_MESSAGE


_HEADER = RelayHeader(1, (Hash(bytes(32)),), 0, 0, 0, 0, 0, Hash(bytes(32)))
_BROKEN_HEADERS = {
    "version": replace(_HEADER, version=1 << 16),
    "blue_score": replace(_HEADER, blue_score=1 << 64),
    "timestamp": replace(_HEADER, timestamp=-1),
    "nonce": replace(_HEADER, nonce=1 << 64),
    "bits": replace(_HEADER, bits=1 << 32),
    "blue_work": replace(_HEADER, blue_work=1 << 256),
    "no parents": replace(_HEADER, parents=()),
    "256 parents": replace(_HEADER, parents=(Hash(bytes(32)),) * 256),
}


@pytest.mark.parametrize("name", sorted(_BROKEN_HEADERS))
def test_header_fields_out_of_range_are_typed_errors(name: str) -> None:
    for encode in (encode_header, encode_compact_header):
        with pytest.raises(RelayError) as caught:
            encode(_BROKEN_HEADERS[name])
        assert caught.value.code == Code.MALFORMED_MESSAGE


def test_short_id_nonce_must_be_a_u64() -> None:
    with pytest.raises(RelayError):
        short_id_key(Hash(bytes(32)), 1 << 64)
