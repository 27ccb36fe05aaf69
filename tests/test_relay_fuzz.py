"""Every relay decoder, fed random and mutated bytes: a typed error or a valid value, never a
crash, and bounded work."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.relay import Scenario, build_case
from reference.errors import Code, RelayError
from reference.relay.compact import (
    GetBlockTransactions,
    complete_block,
    decode_compact_block,
    decode_get_block_transactions,
    encode_compact_block,
    encode_get_block_transactions,
    make_compact_block,
    match_mempool,
)
from reference.relay.header import header_hash
from reference.relay.known import KnownBlocks
from reference.relay.mempool import Mempool
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
    complete_reconciliation,
    decode_get_by_short_id,
    decode_get_iblt,
    decode_iblt_message,
    decode_reconcile_block,
    encode_get_by_short_id,
    encode_get_iblt,
    encode_reconcile_block,
    make_reconcile_block,
    reconcile,
    select_candidates,
    serve_iblt,
)
from reference.relay.wire import MAX_MESSAGE_SIZE


@cache
def _fixture() -> tuple[dict[str, bytes], Mempool, KnownBlocks]:
    header, body, mempool, known = build_case(Scenario(12, 1.5, 0.75, 4), 5)
    block_hash = header_hash(header)
    messages = {
        "request": encode_block_request(BlockRequest(block_hash, Mode.RECONCILE, 99)),
        "full": encode_full_block(header, body),
        "block_txn": encode_block_transactions(BlockTransactions(block_hash, body.transactions)),
        "compact": encode_compact_block(make_compact_block(header, body, 3)),
        "get_block_txn": encode_get_block_transactions(GetBlockTransactions(block_hash, (1, 4, 5))),
        "reconcile": encode_reconcile_block(make_reconcile_block(header, body, 3, len(mempool))),
        "get_iblt": encode_get_iblt(block_hash, 64),
        "iblt": serve_iblt(header, body, 3, 24),
        "get_by_short_id": encode_get_by_short_id(block_hash, (5, 9, 2**40)),
    }
    return messages, mempool, known


def _receive_compact(data: bytes) -> object:
    _, mempool, known = _fixture()
    block = decode_compact_block(data, known.resolve)
    partial = match_mempool(block, mempool)
    filler = BlockTransactions(block.header.merkle_root, tuple(b"x" for _ in partial.missing))
    return complete_block(block, partial, filler)


def _receive_reconcile(data: bytes) -> object:
    _, mempool, known = _fixture()
    block = decode_reconcile_block(data, known.resolve)
    found = reconcile(block, block.iblt, select_candidates(block, mempool))
    filler = BlockTransactions(block.header.merkle_root, tuple(b"x" for _ in found.missing))
    return complete_reconciliation(block, found, filler)


DECODERS: dict[str, Callable[[bytes], object]] = {
    "request": decode_block_request,
    "full": decode_full_block,
    "block_txn": decode_block_transactions,
    "compact": _receive_compact,
    "get_block_txn": decode_get_block_transactions,
    "reconcile": _receive_reconcile,
    "get_iblt": decode_get_iblt,
    "iblt": decode_iblt_message,
    "get_by_short_id": decode_get_by_short_id,
}


def _only_typed_errors(decode: Callable[[bytes], object], data: bytes) -> None:
    # Relay decoders raise RelayError and nothing else; any other exception fails the test.
    with contextlib.suppress(RelayError):
        decode(data)


def test_every_fixture_message_decodes() -> None:
    messages, _, _ = _fixture()
    for name, decode in DECODERS.items():
        if name in ("compact", "reconcile"):
            # Receivers missing transactions get junk fillers: the merkle root must object.
            with pytest.raises(RelayError) as caught:
                decode(messages[name])
            assert caught.value.code in (Code.BAD_MERKLE_ROOT, Code.MALFORMED_MESSAGE)
        else:
            decode(messages[name])


@settings(max_examples=150)
@given(st.sampled_from(sorted(DECODERS)), st.binary(max_size=300))
def test_random_bytes_never_crash(name: str, data: bytes) -> None:
    _only_typed_errors(DECODERS[name], data)


@settings(max_examples=250)
@given(
    st.sampled_from(sorted(DECODERS)),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=4),
    st.integers(0, 10_000),
    st.binary(max_size=12),
)
def test_mutated_messages_never_crash(
    name: str, flips: list[tuple[int, int]], cut: int, tail: bytes
) -> None:
    messages, _, _ = _fixture()
    data = bytearray(messages[name])
    for position, value in flips:
        data[position % len(data)] = value
    mutated = bytes(data[: max(1, len(data) - cut % 8)]) + tail
    _only_typed_errors(DECODERS[name], mutated)


@pytest.mark.parametrize("name", sorted(DECODERS))
def test_truncated_messages_are_malformed(name: str) -> None:
    messages, _, _ = _fixture()
    whole = messages[name]
    for end in range(0, len(whole), max(1, len(whole) // 40)):
        with pytest.raises(RelayError):
            DECODERS[name](whole[:end])


@pytest.mark.parametrize("name", sorted(DECODERS))
def test_oversized_message_refused_unread(name: str) -> None:
    with pytest.raises(RelayError) as caught:
        DECODERS[name](bytes(MAX_MESSAGE_SIZE + 1))
    assert caught.value.code == Code.MESSAGE_TOO_LARGE


def test_counts_that_would_allocate_huge_memory_are_refused() -> None:
    messages, _, _ = _fixture()
    block_hash = messages["get_iblt"][1:33]
    huge_count = b"\xfe\xff\xff\xff\x7f"
    with pytest.raises(RelayError):
        decode_block_transactions(bytes([0x05]) + block_hash + huge_count)
    with pytest.raises(RelayError):
        decode_get_by_short_id(bytes([0x09]) + block_hash + huge_count)
    with pytest.raises(RelayError) as caught:
        decode_iblt_message(bytes([0x08]) + block_hash + huge_count)
    assert caught.value.code == Code.MESSAGE_TOO_LARGE
