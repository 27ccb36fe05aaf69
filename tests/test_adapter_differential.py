"""Differential: the reference consensus in-process against the adapter over the wire.

A Hypothesis state machine offers headers (valid ones, and headers with unknown, duplicate or
related parents, bad difficulties and wrong claims), and asks GHOSTDAG, ancestry and virtual
questions; every reply of the ``dagspec adapter`` process must equal what the in-process
``Consensus`` answers, encoded here independently as ``spec/adapter.md`` specifies.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
)

from conformance.client import AdapterProcess
from conformance.protocol import encode_line
from reference.block import Header
from reference.consensus import Consensus
from reference.errors import BlockRejected
from reference.hash import HASH_SIZE, Hash
from reference.presets import get_preset
from reference.processes.ghostdag.data import GhostdagData
from reference.work import target_from_difficulty

_ADAPTER: list[AdapterProcess] = []


@pytest.fixture(autouse=True, scope="module")
def _close_adapter() -> Iterator[None]:
    yield
    while _ADAPTER:
        _ADAPTER.pop().close()


def _adapter() -> AdapterProcess:
    if not _ADAPTER or not _ADAPTER[0].alive():
        _ADAPTER[:] = [AdapterProcess([sys.executable, "-m", "conformance.cli", "adapter"], 60)]
    return _ADAPTER[0]


def _hex(block: Hash) -> str:
    return bytes(block).hex()


def _big(value: int) -> str:
    return "0x" + format(value, "x")


def _ghostdag_json(data: GhostdagData) -> dict[str, Any]:
    parent = data.selected_parent
    return {
        "selected_parent": None if parent is None else _hex(parent),
        "mergeset_blues": [_hex(b) for b in data.mergeset_blues],
        "mergeset_reds": [_hex(r) for r in data.mergeset_reds],
        "blue_score": data.blue_score,
        "blue_work": _big(data.blue_work),
        "blues_anticone_sizes": {_hex(b): n for b, n in data.blues_anticone_sizes.items()},
    }


def _name(number: int) -> Hash:
    # Two-byte names: collisions (DUPLICATE_BLOCK) and hash ties happen.
    return Hash(number.to_bytes(2, "big") + bytes(HASH_SIZE - 2))


class AdapterAgainstReference(RuleBasedStateMachine):
    """One DAG held twice: by ``Consensus`` here and by the adapter process."""

    blocks = Bundle("blocks")

    def __init__(self) -> None:
        super().__init__()
        self.consensus: Consensus | None = None
        self.next_id = 0

    def call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        adapter = _adapter()
        self.next_id += 1
        adapter.send(encode_line({"id": self.next_id, "method": method, "params": params}))
        reply: dict[str, Any] = adapter.receive()
        assert reply["id"] == self.next_id
        return reply

    def dag(self) -> Consensus:
        assert self.consensus is not None
        return self.consensus

    @initialize(target=blocks, k=st.integers(0, 2), difficulty=st.integers(1, 3))
    def reset(self, k: int, difficulty: int) -> Hash:
        overrides = {"k": k, "max_block_parents": 4, "mergeset_size_limit": max(k + 1, 8)}
        genesis = _name(0)
        self.consensus = Consensus(
            get_preset("minimal", overrides), genesis, target_from_difficulty(difficulty)
        )
        params = {
            "preset": "minimal",
            "overrides": overrides,
            "genesis": {"hash": _hex(genesis), "difficulty": _big(difficulty)},
        }
        assert self.call("reset", params) == {"id": self.next_id, "result": {}}
        return genesis

    def _offer(self, header: Header, difficulty: int, claims: dict[str, Any] | None) -> bool:
        try:
            self.dag().add_block(header)
            expected: dict[str, Any] = {"status": "accepted"}
        except BlockRejected as rejection:
            expected = {"status": "rejected", "error": str(rejection.code)}
        params: dict[str, Any] = {
            "hash": _hex(header.hash),
            "parents": [_hex(p) for p in header.parents],
            "difficulty": _big(difficulty),
        }
        if claims is not None:
            params["claims"] = claims
        assert self.call("add_block", params)["result"] == expected
        return bool(expected["status"] == "accepted")

    @rule(target=blocks, data=st.data(), name=st.integers(1, 300), difficulty=st.integers(1, 3))
    def add_block_on_tips(self, data: st.DataObject, name: int, difficulty: int) -> Any:
        # Tips are an antichain: a block over several of them is valid unless its mergeset is
        # too big, so this rule grows wide DAGs where colouring and tie-breaks matter.
        tips = sorted(self.dag().tips())
        parents = data.draw(st.lists(st.sampled_from(tips), min_size=1, max_size=4, unique=True))
        header = Header(_name(name), tuple(parents), target_from_difficulty(difficulty))
        accepted = self._offer(header, difficulty, None)
        return multiple(header.hash) if accepted else multiple()

    @rule(
        target=blocks,
        parents=st.lists(blocks, min_size=1, max_size=5),
        name=st.integers(1, 300),
        difficulty=st.integers(0, 3),
    )
    def add_block(self, parents: list[Hash], name: int, difficulty: int) -> Any:
        target = target_from_difficulty(difficulty) if difficulty else 0
        header = Header(_name(name), tuple(parents), target)
        accepted = self._offer(header, difficulty, None)
        return multiple(header.hash) if accepted else multiple()

    @rule(
        target=blocks,
        name=st.integers(1, 300),
        score_off=st.integers(-1, 1),
        work_off=st.integers(-1, 1),
    )
    def add_block_with_claims(self, name: int, score_off: int, work_off: int) -> Any:
        dag = self.dag()
        parents = tuple(sorted(dag.tips()))[:4]
        sink = dag.ghostdag_data(dag.sink())
        # Claims around the sink's values: right only by accident, which is the point.
        blue_score = sink.blue_score + 1 + score_off
        blue_work = sink.blue_work + 1 + work_off
        claims = {"blue_score": blue_score, "blue_work": _big(blue_work)}
        header = Header(
            _name(name),
            parents,
            target_from_difficulty(1),
            blue_score=blue_score,
            blue_work=blue_work,
        )
        accepted = self._offer(header, 1, claims)
        return multiple(header.hash) if accepted else multiple()

    @rule(name=st.integers(301, 400))
    def add_block_with_unknown_parent(self, name: int) -> None:
        header = Header(_name(name), (self.dag().sink(), _name(name)), target_from_difficulty(1))
        assert not self._offer(header, 1, None)

    @rule(block=blocks)
    def ghostdag(self, block: Hash) -> None:
        reply = self.call("ghostdag", {"hash": _hex(block)})
        assert reply["result"] == _ghostdag_json(self.dag().ghostdag_data(block))

    @rule(ancestor=blocks, descendant=blocks)
    def ancestry(self, ancestor: Hash, descendant: Hash) -> None:
        pair = {"ancestor": _hex(ancestor), "descendant": _hex(descendant)}
        dag = self.dag()
        assert self.call("is_dag_ancestor", pair)["result"] is dag.is_dag_ancestor_of(
            ancestor, descendant
        )
        assert self.call("is_chain_ancestor", pair)["result"] is dag.is_chain_ancestor_of(
            ancestor, descendant
        )

    @rule(block=blocks)
    def query_unknown(self, block: Hash) -> None:
        unknown = bytes(block)[:2] + b"\xff" * (HASH_SIZE - 2)
        reply = self.call("ghostdag", {"hash": unknown.hex()})
        assert reply["error"]["code"] == "UNKNOWN_BLOCK"

    @invariant()
    def virtual_agrees(self) -> None:
        if self.consensus is None:
            return
        state = self.consensus.virtual_state()
        assert self.call("virtual", {})["result"] == {
            "parents": [_hex(p) for p in state.parents],
            "selected_parent": _hex(state.selected_parent),
            "blue_score": state.blue_score,
            "blue_work": _big(state.blue_work),
            "mergeset_blues": [_hex(b) for b in state.mergeset_blues],
            "mergeset_reds": [_hex(r) for r in state.mergeset_reds],
        }


AdapterAgainstReference.TestCase.settings = settings(
    max_examples=40, stateful_step_count=40, deadline=None
)
TestAdapterAgainstReference = AdapterAgainstReference.TestCase
