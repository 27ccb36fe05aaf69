"""The node: blocks with bodies, templates mined and submitted, queries and listeners."""

from __future__ import annotations

import pytest

from reference.errors import BlockRejected, Code, InvalidAddress, UnknownBlock
from reference.hash import Hash
from reference.header import header_hash
from reference.mining.address import Address, AddressPrefix, AddressVersion, encode_address
from reference.node.network import DEVNET_NETWORK
from reference.node.node import Node
from reference.processes.pow.miner import mine
from reference.stores.statuses import BlockStatus

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
        ("score", 1),
        ("template", None),
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
