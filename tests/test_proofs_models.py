"""The Z3 models in ``proofs/`` compute exactly what the reference computes.

A proof is about a Z3 model of a reference formula. These tests evaluate each model on
concrete inputs and compare it with the reference function it stands for, so a change to the
reference that the model no longer matches (or the reverse) fails here, and the proofs keep
being about the reference's formula.
"""

from __future__ import annotations

import itertools

import z3
from hypothesis import example, given, settings
from hypothesis import strategies as st

from conformance.strategies import GeneratedDag, layered_dags
from proofs import bits as bits_model
from proofs import interval as interval_model
from proofs import work as work_model
from proofs.obligation import evaluate, is_true
from reference.bits import MAX_BITS, decode_bits, encode_bits
from reference.errors import InvalidDifficulty
from reference.hash import HASH_SIZE, Hash
from reference.processes.reachability.interval import Interval
from reference.processes.reachability.store import ReachabilityStore
from reference.processes.reachability.tree import add_tree_block
from reference.work import MAX_UINT256, target_from_difficulty, work_from_target
from tests.ghostdag_helpers import build, roomy_preset, work_of

uint256 = st.integers(min_value=0, max_value=MAX_UINT256)
# Values of every byte length, so every branch of the encode model is exercised.
sized_values = st.integers(0, 32).flatmap(
    lambda size: st.integers(256 ** (size - 1) if size else 0, 256**size - 1)
)
small = st.integers(-(10**6), 10**6)


def _interval(model: interval_model.IntervalModel) -> Interval:
    return Interval(evaluate(model.start), evaluate(model.end))


def _model_of(interval: Interval) -> interval_model.IntervalModel:
    return interval_model.IntervalModel(z3.IntVal(interval.start), z3.IntVal(interval.end))


# --- work -----------------------------------------------------------------------------------


@given(uint256)
@settings(max_examples=200)
@example(0)
@example(1)
@example(MAX_UINT256)
@example(MAX_UINT256 - 1)
def test_work_model_is_work_from_target(target: int) -> None:
    assert evaluate(work_model.work_model(z3.IntVal(target))) == work_from_target(target)


@given(st.integers(1, MAX_UINT256))
@settings(max_examples=200)
@example(1)
@example(2)
@example(MAX_UINT256)
def test_target_model_is_target_from_difficulty(difficulty: int) -> None:
    expected = target_from_difficulty(difficulty)
    assert evaluate(work_model.target_model(z3.IntVal(difficulty))) == expected


@given(layered_dags(max_layers=5), st.integers(0, 3))
@settings(max_examples=25)
def test_blue_work_model_is_ghostdag_blue_work(dag: GeneratedDag, k: int) -> None:
    consensus = build(dag, roomy_preset(k))
    own_work = work_of(dag)
    for block in dag.blocks:
        data = consensus.ghostdag_data(block.hash)
        if data.selected_parent is None:
            continue
        parent = consensus.ghostdag_data(data.selected_parent)
        assert data.mergeset_blues[0] == data.selected_parent
        blue_works = [z3.IntVal(own_work[blue]) for blue in data.mergeset_blues]
        modelled = work_model.blue_work_model(z3.IntVal(parent.blue_work), blue_works)
        assert evaluate(modelled) == data.blue_work


# --- compact bits ---------------------------------------------------------------------------


@given(sized_values)
@settings(max_examples=150)
@example(0)
@example(0x7FFFFF)
@example(0x800000)
@example(MAX_UINT256)
def test_encode_model_is_encode_bits(value: int) -> None:
    assert evaluate(bits_model.encode_model(z3.IntVal(value))) == encode_bits(value)
    size = (value.bit_length() + 7) // 8
    assert evaluate(bits_model.byte_length_model(z3.IntVal(value))) == size


@given(st.integers(0, 40).flatmap(lambda e: st.integers(e << 24, (e << 24) | 0xFFFFFF)))
@settings(max_examples=200)
@example(0x1D02CA33)
@example(0x227FFFFF)
@example(0x22000001)
@example(0xFF800000)
@example(0x23000000)
@example(MAX_BITS)
def test_decode_model_is_decode_bits(bits: int) -> None:
    value, rejected = bits_model.decode_model(z3.IntVal(bits))
    try:
        expected = decode_bits(bits)
    except InvalidDifficulty:
        assert is_true(rejected)
    else:
        assert not is_true(rejected)
        assert evaluate(value) == expected


# --- intervals ------------------------------------------------------------------------------


@given(small, st.integers(0, 10**6))
@settings(max_examples=200)
@example(0, 0)
@example(1, 1)
def test_split_half_model_is_split_half(start: int, size: int) -> None:
    whole = Interval(start, start + size - 1)
    left, right = interval_model.split_half_model(_model_of(whole))
    assert (_interval(left), _interval(right)) == whole.split_half()
    assert evaluate(interval_model.size_model(_model_of(whole))) == whole.size()
    assert is_true(interval_model.is_empty_model(_model_of(whole))) == whole.is_empty()


@given(small, st.lists(st.integers(0, 50), max_size=8))
@settings(max_examples=150)
def test_split_exact_steps_are_split_exact(start: int, sizes: list[int]) -> None:
    whole = Interval(start, start + sum(sizes) - 1)
    cursor = z3.IntVal(start)
    parts = []
    for size in sizes:
        part, cursor = interval_model.split_exact_step_model(cursor, z3.IntVal(size))
        parts.append(_interval(part))
    assert parts == whole.split_exact(sizes)


@given(small, st.integers(0, 20), small, st.integers(0, 20))
@settings(max_examples=200)
@example(0, 3, 0, 3)
@example(0, 0, 0, 0)
def test_containment_models_are_containment(a0: int, a_size: int, b0: int, b_size: int) -> None:
    a, b = Interval(a0, a0 + a_size - 1), Interval(b0, b0 + b_size - 1)
    for outer, inner in itertools.permutations((a, b)):
        contains = interval_model.contains_model(_model_of(outer), _model_of(inner))
        strictly = interval_model.strictly_contains_model(_model_of(outer), _model_of(inner))
        assert is_true(contains) == outer.contains(inner)
        assert is_true(strictly) == outer.strictly_contains(inner)


@given(small, st.integers(1, 10**4), st.integers(1, 12))
@settings(max_examples=100)
@example(0, 1, 1)
@example(1, 2, 3)
def test_insertion_model_is_add_tree_block(start: int, size: int, children: int) -> None:
    parent_interval = Interval(start, start + size - 1)
    store = ReachabilityStore(Hash(bytes(HASH_SIZE)), parent_interval)
    parent = store.genesis
    for number in range(1, children + 1):
        last_child_end = parent.children[-1].end if parent.children else 0
        remaining = interval_model.remaining_after_model(
            _model_of(parent_interval), z3.BoolVal(bool(parent.children)), z3.IntVal(last_child_end)
        )
        if is_true(interval_model.is_empty_model(remaining)):
            break  # no room: the reference reindexes, which the model does not cover
        child, _ = interval_model.split_half_model(remaining)
        block = Hash(number.to_bytes(HASH_SIZE, "big"))
        inserted = add_tree_block(store, block, parent, reindex_slack=1)
        assert inserted.interval() == _interval(child)
