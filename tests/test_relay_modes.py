"""Both relay modes end to end, every step of the recovery ladder, and collision handling."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.relay import Scenario, build_case
from benchmarks.relay import main as benchmark_main
from conformance.transactions import random_coinbase, random_transaction
from reference.errors import Code, RelayError
from reference.hash import Hash
from reference.relay import session
from reference.relay.body import BlockBody, canonical_order, make_body, txid
from reference.relay.compact import (
    CompactBlock,
    PartialBlock,
    _match,
    complete_block,
    decode_compact_block,
    encode_compact_block,
    make_compact_block,
    match_mempool,
)
from reference.relay.header import (
    RelayHeader,
    encode_compact_header,
    encode_header,
    header_hash,
    read_compact_header,
    read_header,
)
from reference.relay.known import KnownBlocks
from reference.relay.mempool import Mempool
from reference.relay.messages import BlockTransactions, Mode
from reference.relay.reconcile import (
    Candidates,
    decode_reconcile_block,
    encode_reconcile_block,
    make_reconcile_block,
    reconcile,
    select_candidates,
)
from reference.relay.session import relay_block
from reference.relay.shortid import short_id, short_id_key
from reference.relay.wire import Reader
from reference.transaction.encoding import encode_transaction


def _case(
    transactions: int = 40,
    factor: float = 2.0,
    overlap: float = 1.0,
    parents: int = 3,
    seed: int = 1,
) -> tuple[RelayHeader, BlockBody, Mempool, KnownBlocks]:
    return build_case(Scenario(transactions, factor, overlap, parents), seed)


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize("overlap", [1.0, 0.9, 0.0])
def test_every_mode_reconstructs_the_block_exactly(mode: Mode, overlap: float) -> None:
    header, body, mempool, known = build_case(Scenario(40, 2.0, overlap, 3), 11)
    outcome = relay_block(header, body, mempool, known.resolve, mode)
    assert outcome.body == body
    assert outcome.body is not None and outcome.body.merkle_root == header.merkle_root
    if mode == Mode.FULL:
        assert outcome.round_trips == 1 and outcome.stage == "full"
    elif overlap == 1.0:
        assert outcome.round_trips == 1, outcome.failures
        assert outcome.stage == ("compact" if mode == Mode.COMPACT else "reconcile")
    if overlap == 1.0 and mode != Mode.FULL:
        full = relay_block(header, body, mempool, known.resolve, Mode.FULL)
        assert outcome.total_bytes < full.total_bytes


@settings(max_examples=12)
@given(
    st.integers(1, 30),
    st.sampled_from([0.5, 1.1, 3.0]),
    st.sampled_from([1.0, 0.8, 0.3]),
    st.integers(1, 32),
    st.integers(0, 2**32),
)
def test_reconcile_mode_always_ends_with_the_exact_block(
    transactions: int, factor: float, overlap: float, parents: int, seed: int
) -> None:
    header, body, mempool, known = build_case(
        Scenario(transactions, factor, overlap, parents), seed
    )
    outcome = relay_block(header, body, mempool, known.resolve, Mode.RECONCILE)
    assert outcome.body == body


def test_header_round_trips_full_and_compact() -> None:
    header, _, _, known = _case(parents=32)
    reader = Reader(encode_header(header))
    assert read_header(reader) == header
    reader.finish()
    reader = Reader(encode_compact_header(header))
    assert read_compact_header(reader, known.resolve) == header
    reader.finish()


def test_unknown_or_ambiguous_parent_reference() -> None:
    header, _, _, _ = _case(parents=2)
    stranger = KnownBlocks([header.parents[0]])
    with pytest.raises(RelayError) as caught:
        read_compact_header(Reader(encode_compact_header(header)), stranger.resolve)
    assert caught.value.code == Code.UNKNOWN_PARENT_REFERENCE
    twin = Hash(header.parents[1][:6] + bytes(26))
    confused = KnownBlocks([*header.parents, twin])
    with pytest.raises(RelayError) as caught:
        read_compact_header(Reader(encode_compact_header(header)), confused.resolve)
    assert caught.value.code == Code.UNKNOWN_PARENT_REFERENCE
    # A unique but wrong match is caught by the header hash.
    impostor = KnownBlocks([header.parents[0], twin])
    with pytest.raises(RelayError) as caught:
        read_compact_header(Reader(encode_compact_header(header)), impostor.resolve)
    assert caught.value.code == Code.UNKNOWN_PARENT_REFERENCE


def test_unknown_parent_falls_back_to_the_full_block() -> None:
    header, body, mempool, _ = _case()
    outcome = relay_block(header, body, mempool, KnownBlocks().resolve, Mode.RECONCILE)
    assert outcome.body == body
    assert outcome.stage == "full"
    assert outcome.failures == (Code.UNKNOWN_PARENT_REFERENCE,) * 2
    assert outcome.round_trips == 3


def test_reconcile_failure_falls_back_to_compact(monkeypatch: pytest.MonkeyPatch) -> None:
    header, body, mempool, known = _case()

    def never_peels(*_: object) -> object:
        raise RelayError(Code.IBLT_DECODE_FAILED, "forced")

    monkeypatch.setattr(session, "reconcile", never_peels)
    outcome = relay_block(header, body, mempool, known.resolve, Mode.RECONCILE)
    assert outcome.body == body
    assert outcome.stage == "compact"
    assert outcome.failures == (Code.IBLT_DECODE_FAILED,) * 2
    kinds = [kind for kind, _ in outcome.messages]
    assert kinds[:4] == ["BLOCK_REQUEST", "RECONCILE_BLOCK", "GET_IBLT", "IBLT"]
    assert kinds[4:6] == ["BLOCK_REQUEST", "COMPACT_BLOCK"]


def test_a_receiver_missing_most_transactions_asks_for_a_larger_iblt() -> None:
    header, body, mempool, known = _case(transactions=60, factor=0.5, overlap=0.2)
    outcome = relay_block(header, body, mempool, known.resolve, Mode.RECONCILE)
    assert outcome.body == body
    assert outcome.stage == "reconcile-larger"
    assert [kind for kind, _ in outcome.messages][2:4] == ["GET_IBLT", "IBLT"]


def test_compact_block_with_repeated_short_id_is_a_collision() -> None:
    header, body, _, known = _case()
    block = make_compact_block(header, body, 0)
    repeated = CompactBlock(header, 0, (block.short_ids[0], *block.short_ids[:-1]), block.prefilled)
    with pytest.raises(RelayError) as caught:
        decode_compact_block(encode_compact_block(repeated), known.resolve)
    assert caught.value.code == Code.SHORT_ID_COLLISION


def test_two_mempool_transactions_on_one_short_id_make_the_slot_missing() -> None:
    header, body, mempool, _ = _case(transactions=5)
    block = make_compact_block(header, body, 0)
    target = block.short_ids[2]
    impostor = encode_transaction(random_transaction(random.Random(99)))
    # Crafted pairs: the impostor claims the short ID of slot 3 (a real 48-bit collision).
    key = short_id_key(header_hash(header), 0)
    pairs = [(short_id(key, item), mempool.get(item) or b"") for item in mempool]
    partial = _match(block, [*pairs, (target, impostor)])
    assert partial.missing == (3,)
    filled = complete_block(
        block, partial, BlockTransactions(header_hash(header), (body.transactions[3],))
    )
    assert filled == body


def test_wrong_transaction_behind_a_short_id_fails_the_merkle_root() -> None:
    header, body, mempool, _ = _case(transactions=5)
    block = make_compact_block(header, body, 0)
    partial = match_mempool(block, mempool)
    assert partial.missing == ()
    slots = list(partial.slots)
    slots[2] = encode_transaction(random_transaction(random.Random(98)))
    with pytest.raises(RelayError) as caught:
        complete_block(
            block, PartialBlock(tuple(slots), ()), BlockTransactions(Hash(bytes(32)), ())
        )
    assert caught.value.code == Code.BAD_MERKLE_ROOT


def test_ambiguous_candidate_in_the_block_is_fetched() -> None:
    header, body, mempool, known = _case(transactions=8)
    block = decode_reconcile_block(
        encode_reconcile_block(make_reconcile_block(header, body, 0, len(mempool))), known.resolve
    )
    candidates = select_candidates(block, mempool)
    key = short_id_key(header_hash(header), 0)
    shared = short_id(key, body.txids[4])
    # Crafted: a second candidate with the same short ID (the reference keeps one, marks both).
    crafted = Candidates(candidates.by_short_id, frozenset({shared}))
    found = reconcile(block, block.iblt, crafted)
    assert found.missing == (shared,)
    assert len(found.known) == len(body.transactions) - 2


def test_sender_skips_a_nonce_with_colliding_short_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    header, body, mempool, known = _case()
    real = make_compact_block
    tried: list[int] = []

    def collide_first(h: RelayHeader, b: BlockBody, nonce: int) -> CompactBlock:
        tried.append(nonce)
        if nonce == 0:
            raise RelayError(Code.SHORT_ID_COLLISION, "forced")
        return real(h, b, nonce)

    monkeypatch.setattr(session, "make_compact_block", collide_first)
    outcome = relay_block(header, body, mempool, known.resolve, Mode.COMPACT)
    assert outcome.body == body and tried == [0, 1] and outcome.stage == "compact"


def test_mempool_store() -> None:
    rng = random.Random(4)
    a, b = (encode_transaction(random_transaction(rng)) for _ in range(2))
    c = encode_transaction(random_coinbase(rng, 3))
    pool = Mempool([a, b, a])
    assert len(pool) == 2 and txid(a) in pool
    pool.remove(txid(a))
    assert pool.get(txid(a)) is None and txid(b) in set(pool)
    assert make_body(canonical_order(c, [b])).transactions[0] == c
    with pytest.raises(RelayError):
        pool.add(b"not a transaction")


def test_benchmark_quick_run_reconstructs_every_block(capsys: pytest.CaptureFixture[str]) -> None:
    assert benchmark_main(["--quick"]) == 0
    assert "every block reconstructed exactly" in capsys.readouterr().out
