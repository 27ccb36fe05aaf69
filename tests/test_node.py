"""The node: blocks with bodies, templates mined and submitted, queries and listeners."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from typing import Any

import pytest

from reference.coinbase import build_coinbase, decode_coinbase_payload
from reference.consensus import Consensus
from reference.errors import (
    BlockRejected,
    Code,
    DagspecError,
    InvalidAddress,
    InvalidDifficulty,
    InvalidParameter,
    UnknownBlock,
)
from reference.hash import Hash
from reference.header import BlockHeader, header_hash
from reference.merkle import hash_merkle_root
from reference.mining.address import Address, AddressPrefix, AddressVersion, encode_address
from reference.node.network import DEVNET_NETWORK, EASIEST_BITS, Network, devnet_network
from reference.node.node import Node, difficulty_of_bits
from reference.presets import DEVNET, TOS
from reference.processes.difficulty import MAX_DIFFICULTY_TARGET
from reference.processes.pow.miner import mine
from reference.processes.pow.state import check_proof_of_work, pow_target
from reference.stores.statuses import BlockStatus
from reference.transaction.model import (
    SUBNETWORK_ID_NATIVE,
    Outpoint,
    ScriptPublicKey,
    Transaction,
    TransactionInput,
    TransactionOutput,
)

MINER = encode_address(Address(AddressPrefix.DEVNET, AddressVersion.PUBKEY, bytes(range(32))))


class FakeClock:
    """A clock the test moves: one second per block keeps the devnet target at its easiest."""

    def __init__(self, start: int) -> None:
        self.now = start

    def __call__(self) -> int:
        return self.now


def _node() -> tuple[Node, FakeClock]:
    clock = FakeClock(DEVNET_NETWORK.genesis.timestamp + 1000)
    return Node(DEVNET_NETWORK, clock=clock), clock


def _mine_one(node: Node, clock: FakeClock, extra: bytes = b"") -> Hash:
    template = node.block_template(MINER, extra)
    header = mine(template.header, DEVNET_NETWORK.preset, 10_000)
    assert header is not None
    block = node.submit_block(header, template.transactions)
    clock.now += 1000
    return block


def test_mined_templates_are_accepted_and_extend_the_chain() -> None:
    node, clock = _node()
    blocks = [_mine_one(node, clock) for _ in range(5)]
    info = node.dag_info()
    assert info.sink == blocks[-1] and info.tips == (blocks[-1],)
    assert (info.header_count, info.block_count, info.sink_blue_score) == (6, 6, 5)
    assert node.sink_blue_score() == 5
    for score, block in enumerate(blocks, start=1):
        view = node.get_block(block)
        assert view.status is BlockStatus.BODY_VALID and view.is_chain_block
        assert view.ghostdag.blue_score == score == view.header.blue_score
        assert node.blocks_at_blue_score(score) == (block,)
        assert view.transactions is not None and view.transactions[0].is_coinbase()


def test_listeners_hear_every_accepted_block() -> None:
    node, clock = _node()
    heard: list[tuple[str, object]] = []
    node.on_block_added(lambda block: heard.append(("added", block)))
    node.on_sink_blue_score_changed(lambda score: heard.append(("score", score)))
    stop = node.on_new_block_template(lambda: heard.append(("template", None)))
    first = _mine_one(node, clock)
    stop()
    second = _mine_one(node, clock)
    assert heard == [
        ("added", first),
        ("template", None),
        ("score", 1),
        ("added", second),
        ("score", 2),
    ]


def test_rejected_block_changes_nothing() -> None:
    node, _ = _node()
    template = node.block_template(MINER)
    header = mine(template.header, DEVNET_NETWORK.preset, 10_000)
    assert header is not None
    with pytest.raises(BlockRejected) as caught:
        node.submit_block(header, template.transactions[:0])
    assert caught.value.code is Code.NO_TRANSACTIONS
    with pytest.raises(UnknownBlock):
        node.get_block(header_hash(header))
    assert node.dag_info().header_count == 1
    assert node.submit_block(header, template.transactions) == header_hash(header)


def test_wrong_network_address_is_refused() -> None:
    node, _ = _node()
    mainnet = encode_address(Address(AddressPrefix.MAINNET, AddressVersion.PUBKEY, bytes(32)))
    with pytest.raises(InvalidAddress) as caught:
        node.block_template(mainnet)
    assert caught.value.code is Code.WRONG_NETWORK


# -- a rejected block changes nothing ---------------------------------------------------------


def _snapshot(node: Node) -> object:
    consensus = node.consensus
    return (
        node.dag_info(),
        consensus.virtual_state(),
        consensus.tips(),
        sorted(node.mempool),
        [node.blocks_at_blue_score(score) for score in range(4)],
    )


def _remine(header: BlockHeader, transactions: list[Transaction]) -> BlockHeader:
    draft = dataclasses.replace(header, hash_merkle_root=hash_merkle_root(transactions))
    mined = mine(draft, DEVNET_NETWORK.preset, 10_000)
    assert mined is not None
    return mined


def _transfer(seed: int, payload: int = 50) -> Transaction:
    rng = random.Random(seed)
    spend = TransactionInput(Outpoint(Hash(rng.randbytes(32)), 0), b"sig", 0, 0, 1)
    output = TransactionOutput(5, ScriptPublicKey(0, rng.randbytes(34)), None)
    return Transaction(
        1, (spend,), (output,), 0, SUBNETWORK_ID_NATIVE, 0, rng.randbytes(payload), 0
    )


def _bodies(coinbase: Transaction, blue_score: int) -> list[tuple[Code, list[Transaction]]]:
    script = coinbase.outputs[0].script_public_key
    tx, big = _transfer(1), _transfer(2, 95_000)
    wrong_score = build_coinbase(blue_score + 1, script, 5)
    short_payload = dataclasses.replace(coinbase, payload=b"\x00" * 18)
    return [
        (Code.FIRST_TX_NOT_COINBASE, [tx, coinbase]),
        (Code.MULTIPLE_COINBASES, [coinbase, tx, wrong_score]),
        (
            Code.BLOCK_TOO_LARGE,
            [coinbase, *(dataclasses.replace(big, lock_time=i) for i in range(14))],
        ),
        (Code.DUPLICATE_TRANSACTION, [coinbase, tx, tx]),
        (Code.BAD_COINBASE_PAYLOAD, [short_payload, tx]),
        (Code.BAD_COINBASE_BLUE_SCORE, [wrong_score, tx]),
    ]


def test_every_body_rule_rejects_and_changes_nothing() -> None:
    node, clock = _node()
    _mine_one(node, clock)
    node.submit_transaction(_transfer(99))
    template = node.block_template(MINER)
    coinbase = template.transactions[0]
    before = _snapshot(node)
    mined = mine(template.header, DEVNET_NETWORK.preset, 10_000)
    assert mined is not None
    cases = [
        (Code.NO_TRANSACTIONS, _remine(template.header, []), []),
        (Code.BAD_MERKLE_ROOT, mined, [coinbase, _transfer(3)]),
    ]
    cases += [
        (code, _remine(template.header, body), body)
        for code, body in _bodies(coinbase, template.header.blue_score)
    ]
    for code, header, body in cases:
        with pytest.raises(BlockRejected) as caught:
            node.submit_block(header, body)
        assert caught.value.code is code, code
        assert node.consensus.status(header_hash(header)) is None
        assert _snapshot(node) == before
    node.submit_block(mined, template.transactions)
    assert len(node.mempool) == 0


def test_header_rules_come_before_body_rules() -> None:
    node, _ = _node()
    template = node.block_template(MINER)
    wrong_score = dataclasses.replace(template.header, blue_score=template.header.blue_score + 1)
    # The coinbase agrees with the wrong header, so only the header rule can fail.
    coinbase = build_coinbase(
        wrong_score.blue_score, template.transactions[0].outputs[0].script_public_key, 1
    )
    header = _remine(wrong_score, [coinbase])
    before = _snapshot(node)
    with pytest.raises(BlockRejected) as caught:
        node.submit_block(header, [])
    assert caught.value.code is Code.BAD_BLUE_SCORE  # a header rule, although the body is empty
    assert node.consensus.status(header_hash(header)) is BlockStatus.INVALID
    with pytest.raises(BlockRejected) as caught:
        node.submit_block(header, [coinbase])
    assert caught.value.code is Code.KNOWN_INVALID
    assert _snapshot(node) == before
    bad_pow = dataclasses.replace(template.header, nonce=1)
    while True:  # a nonce that fails the target: the proof of work is checked before the body
        try:
            check_proof_of_work(bad_pow, DEVNET_NETWORK.preset)
        except BlockRejected:
            break
        bad_pow = dataclasses.replace(bad_pow, nonce=bad_pow.nonce + 1)
    with pytest.raises(BlockRejected) as caught:
        node.submit_block(bad_pow, [])
    assert caught.value.code is Code.INVALID_POW


def test_duplicate_submission_is_refused() -> None:
    node, _ = _node()
    template = node.block_template(MINER)
    mined = mine(template.header, DEVNET_NETWORK.preset, 10_000)
    assert mined is not None
    node.submit_block(mined, template.transactions)
    with pytest.raises(BlockRejected) as caught:
        node.submit_block(mined, template.transactions)
    assert caught.value.code is Code.DUPLICATE_BLOCK
    assert node.dag_info().header_count == 2


# -- queries ---------------------------------------------------------------------------------


def test_parallel_blocks_children_chain_and_blue_score_index() -> None:
    node, clock = _node()
    genesis = DEVNET_NETWORK.genesis_hash
    left = _mine_one(node, clock, b"left")
    sibling_template = node.consensus.build_header((genesis,))  # a sibling of ``left``
    coinbase = build_coinbase(1, ScriptPublicKey(0, b"\x51"), 0, b"right")
    right = node.submit_block(_remine(sibling_template, [coinbase]), [coinbase])
    clock.now += 1000
    merge = _mine_one(node, clock)
    assert set(node.get_block(genesis).children) == {left, right}
    assert node.get_block(left).children == node.get_block(right).children == (merge,)
    selected = node.get_block(merge).ghostdag.selected_parent
    assert selected is not None
    other = right if selected == left else left
    # Ascending sort_key: the merge block selected the larger of the two.
    assert node.blocks_at_blue_score(1) == (other, selected)
    assert node.get_block(selected).is_chain_block and not node.get_block(other).is_chain_block
    assert node.get_block(merge).is_chain_block and node.get_block(genesis).is_chain_block
    # The merge block's mergeset is both blocks, both blue: blue score 1 + 2.
    assert node.blocks_at_blue_score(2) == () and node.blocks_at_blue_score(3) == (merge,)
    with pytest.raises(UnknownBlock):
        node.get_block(Hash(bytes(32)))


def test_dag_info_describes_the_virtual() -> None:
    node, clock = _node()
    for _ in range(3):
        _mine_one(node, clock)
    info = node.dag_info()
    virtual = node.consensus.virtual_state()
    assert info.network == "devnet" and info.pruning_point == DEVNET_NETWORK.genesis_hash
    assert info.virtual_parents == virtual.parents and info.sink == virtual.sink
    # On a chain the virtual merges only the sink, a DAA block.
    assert info.virtual_daa_score == node.get_block(info.sink).header.daa_score + 1
    assert info.bits == EASIEST_BITS and info.difficulty == pytest.approx(1.0)
    sink_header = node.get_block(info.sink).header
    assert info.past_median_time <= sink_header.timestamp


def test_a_node_over_an_existing_consensus_indexes_every_block() -> None:
    node, clock = _node()
    for tag in (b"a", b"b", b"c"):
        _mine_one(node, clock, tag)
    again = Node(DEVNET_NETWORK, consensus=node.consensus)
    assert again.dag_info() == node.dag_info()
    assert [again.blocks_at_blue_score(s) for s in range(5)] == [
        node.blocks_at_blue_score(s) for s in range(5)
    ]
    with pytest.raises(InvalidParameter):
        Node(DEVNET_NETWORK, consensus=node.consensus, clock=clock)
    other = dataclasses.replace(DEVNET_NETWORK.genesis, timestamp=1)
    foreign = Consensus.from_genesis_header(DEVNET_NETWORK.preset, other)
    with pytest.raises(InvalidParameter):
        Node(DEVNET_NETWORK, consensus=foreign)


def test_a_failing_listener_does_not_undo_the_block(caplog: pytest.LogCaptureFixture) -> None:
    node, clock = _node()
    heard: list[Hash] = []

    def broken(block: Hash) -> None:
        raise ValueError("listener bug")

    node.on_block_added(broken)
    node.on_block_added(heard.append)
    block = _mine_one(node, clock)
    assert heard == [block] and node.has_block(block)
    assert "listener failed" in caplog.text


# -- the devnet ----------------------------------------------------------------------------------


def test_devnet_genesis_is_the_easiest_target() -> None:
    genesis = DEVNET_NETWORK.genesis
    assert pow_target(genesis.bits) == 0x7FFFFF << 232 == MAX_DIFFICULTY_TARGET - (1 << 232) + 1
    assert pow_target(genesis.bits) > 1 << 254  # a nonce passes with probability above 1/2
    assert DEVNET_NETWORK.preset.parameters() == TOS.parameters()
    assert not DEVNET_NETWORK.preset.skip_proof_of_work
    assert genesis.hash_merkle_root == hash_merkle_root(DEVNET_NETWORK.genesis_transactions)
    assert DEVNET_NETWORK.genesis_hash == header_hash(genesis)
    assert decode_coinbase_payload(DEVNET_NETWORK.genesis_transactions[0].payload).blue_score == 0


def _small_window_network() -> Network:
    # The devnet with a DAA window of 8 blocks (warm-up 4): the same rules, reached in seconds.
    preset = DEVNET.with_overrides(
        {"difficulty_window_size": 8, "min_difficulty_window_size": 4, "difficulty_sample_rate": 1}
    )
    return devnet_network(preset)


def test_one_second_spacing_keeps_the_easiest_target_and_faster_blocks_raise_it() -> None:
    network = _small_window_network()
    clock = FakeClock(network.genesis.timestamp + 1000)
    node = Node(network, clock=clock)
    for _ in range(12):
        template = node.block_template(MINER)
        assert template.header.bits == EASIEST_BITS
        mined = mine(template.header, network.preset, 10_000)
        assert mined is not None
        node.submit_block(mined, template.transactions)
        clock.now += 1000
    targets = []
    for _ in range(10):  # ten blocks a second
        template = node.block_template(MINER)
        targets.append(pow_target(template.header.bits))
        mined = mine(template.header, network.preset, 100_000)
        assert mined is not None
        node.submit_block(mined, template.transactions)
        clock.now += 100
    assert targets[0] == pow_target(EASIEST_BITS)
    # Once the window holds only fast blocks, the target is about a tenth of the easiest.
    assert targets[-1] < pow_target(EASIEST_BITS) // 5
    assert targets == sorted(targets, reverse=True)


def test_hostile_arguments_get_typed_errors() -> None:
    node, _ = _node()
    template = node.block_template(MINER)
    loose: Any = node  # the calls below break the signatures on purpose
    calls: list[tuple[Callable[[], object], Code]] = [
        (lambda: loose.submit_block("header", template.transactions), Code.MALFORMED_HEADER),
        (lambda: loose.submit_block(template.header, [b"tx"]), Code.MALFORMED_TRANSACTION),
        (lambda: loose.submit_block(template.header, None), Code.MALFORMED_TRANSACTION),
        (lambda: loose.block_template(None), Code.MALFORMED_ADDRESS),
        (lambda: loose.block_template("kaspadev:"), Code.MALFORMED_ADDRESS),
        (lambda: loose.block_template(MINER, "text"), Code.BAD_PARAMETER),
        (lambda: loose.get_block(b"\x00" * 32), Code.UNKNOWN_BLOCK),
        (lambda: loose.get_block("nonsense"), Code.UNKNOWN_BLOCK),
    ]
    before = _snapshot(node)
    for call, code in calls:
        with pytest.raises(DagspecError) as caught:
            call()
        assert caught.value.code is code
    assert _snapshot(node) == before
    assert node.blocks_at_blue_score(-1) == node.blocks_at_blue_score(10**30) == ()


def test_devnet_identity_runs_any_preset() -> None:
    network = devnet_network(TOS)
    assert (network.name, network.network_id, network.address_prefix) == (
        "tos",
        "devnet",
        AddressPrefix.DEVNET,
    )
    assert network.genesis_hash == DEVNET_NETWORK.genesis_hash and network.preset is TOS
    clock = FakeClock(network.genesis.timestamp + 1000)
    node = Node(network, clock=clock)
    template = node.block_template(MINER)
    mined = mine(template.header, TOS, 10_000)
    assert mined is not None
    assert node.get_block(node.submit_block(mined, template.transactions)).is_chain_block


@pytest.mark.parametrize(
    ("bits", "expected"),
    [
        # (2^255 - 1) / target, the target written out from the compact form by hand.
        (0x207FFFFF, ((1 << 255) - 1) / (0x7FFFFF << 232)),
        (0x1D00FFFF, ((1 << 255) - 1) / (0xFFFF << 208)),
        (0x1E7FFFFF, ((1 << 255) - 1) / (0x7FFFFF << 216)),
    ],
)
def test_difficulty_of_bits(bits: int, expected: float) -> None:
    assert difficulty_of_bits(bits) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("bits", [0, 0x03800000, 0xFF7FFFFF])
def test_difficulty_of_bits_without_a_target(bits: int) -> None:
    with pytest.raises(InvalidDifficulty):
        difficulty_of_bits(bits)


def test_a_block_that_leaves_the_sink_in_place_changes_no_blue_score() -> None:
    node, clock = _node()
    _mine_one(node, clock)
    _mine_one(node, clock)
    heard: list[tuple[str, object]] = []
    node.on_block_added(lambda block: heard.append(("added", block)))
    node.on_new_block_template(lambda: heard.append(("template", None)))
    node.on_sink_blue_score_changed(lambda score: heard.append(("score", score)))
    # A block on genesis has less blue work than the sink at blue score 2: a side block.
    draft = node.consensus.build_header((DEVNET_NETWORK.genesis_hash,))
    coinbase = build_coinbase(1, ScriptPublicKey(0, b""), 0, b"side")
    side = node.submit_block(_remine(draft, [coinbase]), [coinbase])
    assert heard == [("added", side), ("template", None)]
    assert node.sink_blue_score() == 2 and not node.get_block(side).is_chain_block
