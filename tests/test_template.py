"""Block templates: every template mined and submitted is accepted; fields, body, cache.

The DAGs here are grown through the node itself (every block mined with real proof of work
at the devnet's easiest target). What a template must be is checked against what the node
accepts and against independent re-computations in this file: a brute-force merkle tree, a
greedy selection, relay's canonical-order check.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reference.coinbase import build_coinbase, decode_coinbase_payload
from reference.errors import Code, MalformedTransaction
from reference.hash import ZERO_HASH, Hash
from reference.header import header_hash
from reference.merkle import hash_merkle_root
from reference.mining.address import (
    Address,
    AddressPrefix,
    AddressVersion,
    encode_address,
    pay_to_address_script,
)
from reference.mining.mempool import mempool_entry
from reference.mining.template import (
    COINBASE_RESERVE,
    TEMPLATE_SUBSIDY,
    coinbase_branch,
    root_from_branch,
    select_transactions,
)
from reference.node.network import DEVNET_NETWORK
from reference.node.node import TEMPLATE_LIFETIME_MS, Node
from reference.pipeline.body_validation import MAX_BLOCK_SIZE, body_size
from reference.processes.pow.miner import mine
from reference.relay.body import make_body
from reference.transaction.encoding import encode_transaction, transaction_id
from reference.transaction.model import (
    SUBNETWORK_ID_NATIVE,
    Outpoint,
    ScriptPublicKey,
    Transaction,
    TransactionInput,
    TransactionOutput,
)

PRESET = DEVNET_NETWORK.preset
ALICE = Address(AddressPrefix.DEVNET, AddressVersion.PUBKEY, bytes(range(32)))
BOB = Address(AddressPrefix.DEVNET, AddressVersion.PUBKEY_ECDSA, bytes(range(100, 133)))


class FakeClock:
    """A clock the test moves."""

    def __init__(self, start: int) -> None:
        self.now = start

    def __call__(self) -> int:
        return self.now


def new_node() -> tuple[Node, FakeClock]:
    clock = FakeClock(DEVNET_NETWORK.genesis.timestamp + 1000)
    return Node(DEVNET_NETWORK, clock=clock), clock


def transfer(seed: int, payload_size: int = 120) -> Transaction:
    """A transaction of about 250 bytes: one input, one output, some payload."""
    rng = random.Random(seed)
    outpoint = Outpoint(Hash(rng.randbytes(32)), rng.randrange(4))
    spend = TransactionInput(outpoint, rng.randbytes(66), 0, 0, 1)
    output = TransactionOutput(rng.randrange(1, 10**9), ScriptPublicKey(0, rng.randbytes(34)), None)
    return Transaction(
        1, (spend,), (output,), 0, SUBNETWORK_ID_NATIVE, 0, rng.randbytes(payload_size), 0
    )


def mine_on(node: Node, parents: tuple[Hash, ...], tag: bytes) -> Hash:
    """A block over ``parents`` (not the virtual's), with a coinbase tagged ``tag``."""
    draft = node.consensus.build_header(parents)
    coinbase = build_coinbase(draft.blue_score, pay_to_address_script(ALICE), 1, tag)
    header = dataclasses.replace(draft, hash_merkle_root=hash_merkle_root([coinbase]))
    mined = mine(header, PRESET, 10_000)
    assert mined is not None
    return node.submit_block(mined, [coinbase])


def mine_template(node: Node, address: Address = ALICE, extra: bytes = b"") -> Hash:
    template = node.block_template(encode_address(address), extra)
    mined = mine(template.header, PRESET, 10_000)
    assert mined is not None
    return node.submit_block(mined, template.transactions)


# -- the merkle root from the coinbase branch --------------------------------------------------


def _brute_force_root(leaves: Sequence[bytes]) -> bytes:
    """Kaspa's tree, written from its description: pad odd levels with zeros, hash pairs."""
    if not leaves:
        return bytes(32)
    level = list(leaves)
    while len(level) > 1:
        if len(level) % 2:
            level.append(bytes(32))
        level = [
            hashlib.blake2b(
                level[i] + level[i + 1], digest_size=32, key=b"MerkleBranchHash"
            ).digest()
            for i in range(0, len(level), 2)
        ]
    return level[0]


@given(st.integers(0, 70), st.randoms(use_true_random=False))
def test_root_from_the_coinbase_branch_is_the_merkle_root(count: int, rng: random.Random) -> None:
    leaves = [Hash(rng.randbytes(32)) for _ in range(count + 1)]
    branch = coinbase_branch(leaves[1:])
    assert root_from_branch(leaves[0], branch) == _brute_force_root(leaves)
    assert len(branch) == (count).bit_length()


# -- selection -----------------------------------------------------------------------------------


def _greedy(sizes: list[int], limit: int) -> list[int]:
    taken, used = [], 0
    for position, size in enumerate(sizes):
        if used + size <= limit:
            taken.append(position)
            used += size
    return taken


@given(st.lists(st.integers(10, 400), max_size=40), st.integers(0, 3000), st.integers(0, 50))
def test_selection_is_the_greedy_walk_in_id_order(
    payloads: list[int], limit: int, max_count: int
) -> None:
    entries = sorted(
        (mempool_entry(transfer(seed, size)) for seed, size in enumerate(payloads)),
        key=lambda entry: entry.id,
    )
    chosen = select_transactions(entries, limit, max_count)
    expected = _greedy([e.size for e in entries], limit)
    expected = expected[:max_count]
    assert [entries.index(e) for e in chosen.entries] == expected
    assert chosen.size == sum(e.size for e in chosen.entries) <= limit


def test_coinbase_reserve_covers_the_largest_coinbase() -> None:
    script = pay_to_address_script(BOB)  # the longest standard script, 35 bytes
    extra = bytes(204 - 19 - len(script.script))
    coinbase = build_coinbase((1 << 64) - 1, script, TEMPLATE_SUBSIDY, extra)
    assert len(encode_transaction(coinbase)) == COINBASE_RESERVE


# -- templates are valid --------------------------------------------------------------------------


def test_template_over_32_of_34_tips_with_mempool_transactions_is_accepted() -> None:
    node, clock = new_node()
    genesis = DEVNET_NETWORK.genesis_hash
    tips = {mine_on(node, (genesis,), bytes([i])) for i in range(34)}
    clock.now += 1000
    pool = [transfer(seed) for seed in range(600)]
    for tx in pool:
        node.submit_transaction(tx)
    template = node.block_template(encode_address(BOB), b"worker-7")
    header, transactions = template.header, template.transactions

    virtual = node.consensus.virtual_state()
    assert header.parents == virtual.parents and len(header.parents) == PRESET.max_block_parents
    assert header.parents[0] == virtual.sink == node.dag_info().sink
    assert set(header.parents) <= tips
    pmt = node.consensus.past_median_time_of_parents(header.parents)
    assert header.timestamp == max(pmt + 1, clock.now)
    assert header.accepted_id_merkle_root == header.utxo_commitment == ZERO_HASH
    assert header.nonce == 0 and header.pruning_point == genesis

    coinbase = decode_coinbase_payload(transactions[0].payload)
    assert coinbase.blue_score == header.blue_score == virtual.blue_score
    assert coinbase.script_public_key == pay_to_address_script(BOB)
    assert coinbase.extra_data == b"worker-7" and coinbase.subsidy == TEMPLATE_SUBSIDY
    assert transactions[0].outputs[0].script_public_key == pay_to_address_script(BOB)
    assert sorted(transactions[1:], key=transaction_id) == list(transactions[1:])
    assert set(transactions[1:]) == set(pool)
    body = make_body([encode_transaction(tx) for tx in transactions])  # relay's order check
    assert body.merkle_root == header.hash_merkle_root == hash_merkle_root(transactions)

    mined = mine(header, PRESET, 10_000)
    assert mined is not None
    block = node.submit_block(mined, transactions)
    assert set(node.dag_info().tips) == {block} | (tips - set(header.parents))
    assert len(node.dag_info().tips) == 3 and node.dag_info().sink == block
    assert len(node.mempool) == 0
    view = node.get_block(block)
    assert len(view.ghostdag.mergeset_blues) + len(view.ghostdag.mergeset_reds) == 32
    assert view.transactions == transactions


def test_full_mempool_fills_the_block_and_keeps_the_rest() -> None:
    node, _ = new_node()
    pool = [transfer(seed, 900) for seed in range(1_500)]  # about 1.5 MB
    for tx in pool:
        node.submit_transaction(tx)
    template = node.block_template(encode_address(ALICE))
    chosen = template.transactions[1:]
    in_order = sorted(pool, key=transaction_id)
    sizes = [len(encode_transaction(tx)) for tx in in_order]
    expected = [in_order[i] for i in _greedy(sizes, MAX_BLOCK_SIZE - COINBASE_RESERVE)]
    assert list(chosen) == expected and len(chosen) < len(pool)
    assert body_size(template.transactions) <= MAX_BLOCK_SIZE
    mined = mine(template.header, PRESET, 10_000)
    assert mined is not None
    node.submit_block(mined, template.transactions)
    assert set(node.mempool) == {transaction_id(tx) for tx in pool} - {
        transaction_id(tx) for tx in chosen
    }
    follow_up = node.block_template(encode_address(ALICE))
    assert set(follow_up.transactions[1:]) == set(pool) - set(chosen)


def test_a_chain_of_templates_on_a_branching_dag() -> None:
    # Parallel blocks, then templates: each template merges what is there and is accepted.
    node, clock = new_node()
    genesis = DEVNET_NETWORK.genesis_hash
    for round_ in range(4):
        sink = node.dag_info().sink
        for i in range(3):
            mine_on(node, (sink,), bytes([round_, i]))
        clock.now += 1000
        before = node.dag_info()
        block = mine_template(node)
        assert node.get_block(block).header.parents == before.virtual_parents
        assert node.dag_info().tips == (block,)
        clock.now += 1000
    assert node.get_block(genesis).status.value == "body_valid"


# -- the cache -----------------------------------------------------------------------------------


def test_cache_shares_the_header_until_the_virtual_moves_or_a_second_passes() -> None:
    node, clock = new_node()
    first = node.block_template(encode_address(ALICE))
    again = node.block_template(encode_address(ALICE))
    assert again == first
    other = node.block_template(encode_address(BOB), b"x")
    assert dataclasses.replace(other.header, hash_merkle_root=ZERO_HASH) == dataclasses.replace(
        first.header, hash_merkle_root=ZERO_HASH
    )
    assert other.header.hash_merkle_root == hash_merkle_root(other.transactions)
    assert other.header.hash_merkle_root != first.header.hash_merkle_root

    # A transaction arriving now reaches templates after the lifetime, not before.
    node.submit_transaction(transfer(1))
    clock.now += TEMPLATE_LIFETIME_MS - 1
    assert node.block_template(encode_address(ALICE)).transactions == first.transactions
    clock.now += 1
    later = node.block_template(encode_address(ALICE))
    assert len(later.transactions) == 2 and later.header.timestamp == clock.now

    # A new block makes every earlier template stale at once.
    mine_template(node)
    after = node.block_template(encode_address(ALICE))
    assert after.header.parents == (node.dag_info().sink,) != later.header.parents


def test_extra_data_beyond_the_payload_limit_is_refused() -> None:
    node, _ = new_node()
    script_len = len(pay_to_address_script(ALICE).script)
    fits = bytes(204 - 19 - script_len)
    assert node.block_template(encode_address(ALICE), fits).transactions[0].payload.endswith(fits)
    with pytest.raises(MalformedTransaction) as caught:
        node.block_template(encode_address(ALICE), fits + b"!")
    assert caught.value.code is Code.MALFORMED_TRANSACTION


def test_template_hash_is_its_header_hash_after_mining() -> None:
    node, _ = new_node()
    template = node.block_template(encode_address(ALICE))
    mined = mine(template.header, PRESET, 10_000)
    assert mined is not None
    assert node.submit_block(mined, template.transactions) == header_hash(mined)
