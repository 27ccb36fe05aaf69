"""The proofs can fail: planted bugs in copies of the formulas are reported as counterexamples.

Each test hands a proof a deliberately wrong copy of a formula (the real model and the real
reference are untouched) and checks that the checker refutes it with a concrete input on
which the copy really differs from the reference.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import z3

from proofs import bits as bits_proofs
from proofs import contracts
from proofs import interval as interval_proofs
from proofs import work as work_proofs
from proofs.interval import IntervalModel, size_model
from proofs.obligation import Verdict, evaluate
from reference.bits import encode_bits
from reference.work import MAX_UINT256, work_from_target


def _assignment(detail: str, name: str) -> int:
    found = re.search(rf"\b{name} = (-?\d+)", detail)
    assert found is not None, detail
    return int(found.group(1))


def _work_off_by_one(target: Any) -> Any:
    # The planted bug: "+ 1" dropped from the work formula.
    return (MAX_UINT256 - target) / (target + 1)


def _work_wrong_divisor(target: Any) -> Any:
    # The planted bug: dividing by t + 2.
    return (MAX_UINT256 - target) / (target + 2) + 1


def test_work_identity_refutes_an_off_by_one() -> None:
    outcome = work_proofs.prove_work_identity(_work_off_by_one)
    assert outcome.verdict is Verdict.COUNTEREXAMPLE
    target = _assignment(outcome.detail, "t")
    assert evaluate(_work_off_by_one(z3.IntVal(target))) != work_from_target(target)


def test_work_identity_refutes_a_wrong_divisor() -> None:
    outcome = work_proofs.prove_work_identity(_work_wrong_divisor)
    assert outcome.verdict is Verdict.COUNTEREXAMPLE
    target = _assignment(outcome.detail, "t")
    assert evaluate(_work_wrong_divisor(z3.IntVal(target))) != work_from_target(target)


def test_work_bounds_and_blue_work_refute_zero_work() -> None:
    # The off-by-one gives work 0 at target 2^256 - 1: no longer >= 1, and a child whose
    # only blue is its selected parent would not gain blue work.
    bounds = work_proofs.prove_work_bounds(_work_off_by_one)
    assert bounds.verdict is Verdict.COUNTEREXAMPLE
    assert _assignment(bounds.detail, "t") > MAX_UINT256 // 2
    assert work_proofs.prove_blue_work_grows(_work_off_by_one).verdict is Verdict.COUNTEREXAMPLE


def test_work_monotonicity_refutes_an_increasing_formula() -> None:
    outcome = work_proofs.prove_work_non_increasing_in_target(lambda target: target + 1)
    assert outcome.verdict is Verdict.COUNTEREXAMPLE


def _encode_without_sign_adjustment(value: Any) -> Any:
    # The planted bug: a 24-bit window with its top bit set is kept as it is, although
    # decoding reads that bit as a negative sign.
    size = bits_proofs.byte_length_model(value)
    widened = bits_proofs._select(size, [(s, value * 256 ** (3 - s)) for s in range(4)], 0)
    narrowed = bits_proofs._select(size, [(s, value / 256 ** (s - 3)) for s in range(4, 33)], 0)
    return z3.If(size <= 3, widened, narrowed) + size * (1 << 24)


def test_bits_round_trip_refutes_a_missing_sign_adjustment() -> None:
    outcome = bits_proofs.prove_round_trip_keeps_nonzero(_encode_without_sign_adjustment)
    assert outcome.verdict is Verdict.COUNTEREXAMPLE
    value = _assignment(outcome.detail, "v")
    assert value > 0
    bits = evaluate(_encode_without_sign_adjustment(z3.IntVal(value)))
    # The counterexample is a value the planted copy really encodes differently.
    assert bits != encode_bits(value)


def test_split_half_refutes_a_gap_between_halves() -> None:
    def gapped(whole: IntervalModel) -> tuple[IntervalModel, IntervalModel]:
        left_size = (size_model(whole) + 1) / 2
        left = IntervalModel(whole.start, whole.start + left_size - 1)
        return left, IntervalModel(whole.start + left_size + 1, whole.end)

    outcome = interval_proofs.prove_split_half(gapped)
    assert outcome.verdict is Verdict.COUNTEREXAMPLE


def test_insertion_refutes_a_child_that_takes_the_right_half() -> None:
    def right_half_first(whole: IntervalModel) -> tuple[IntervalModel, IntervalModel]:
        left, right = interval_proofs.split_half_model(whole)
        return right, left

    # The right half of a one-integer capacity is empty: the child would get no interval.
    outcome = interval_proofs.prove_insertion_keeps_strict_containment(right_half_first)
    assert outcome.verdict is Verdict.COUNTEREXAMPLE


_PLANTED_WORK = '''
    from reference.work import HASH_BITS, MAX_UINT256


    def work_from_target(target: int) -> int:
        """The reference's contract over a copy with a planted off-by-one.

        pre: 0 <= target <= MAX_UINT256
        post: __return__ == (1 << HASH_BITS) // (target + 1)
        """
        complement = MAX_UINT256 ^ target
        return complement // (target + 2) + 1
'''


def test_crosshair_contract_refutes_a_planted_off_by_one(tmp_path: Path) -> None:
    (tmp_path / "planted_work.py").write_text(textwrap.dedent(_PLANTED_WORK))
    contract = contracts.Contract("planted_work.work_from_target", 1)
    outcome = contracts.check(contract, per_condition_timeout=5, extra_path=[tmp_path])
    assert outcome.verdict is Verdict.COUNTEREXAMPLE, outcome
    assert "work_from_target(" in outcome.detail


def test_crosshair_contract_holds_on_the_reference() -> None:
    contract = contracts.Contract("reference.work.target_from_difficulty", 1)
    outcome = contracts.check(contract, per_condition_timeout=2)
    assert outcome.verdict.passed, outcome


def test_crosshair_report_reading() -> None:
    read = contracts.read_report
    confirmed = "/x/work.py:51: info: Confirmed over all paths.\n"
    bounded = "/x/work.py:52: info: Not confirmed.\n"
    failed = "/x/work.py:53: error: false when calling f(0) (which returns 1)\n"
    crashed = "/x/work.py:53: error: ModuleNotFoundError: No module named 'x'\n"
    vacuous = "/x/work.py:53: info: Unable to meet precondition.\n"
    assert read(confirmed, 1)[0] is Verdict.PROVED
    assert read(confirmed + bounded, 2)[0] is Verdict.BOUNDED
    assert read(bounded + failed, 2)[0] is Verdict.COUNTEREXAMPLE
    assert read(crashed, 1)[0] is Verdict.ERROR
    assert read(vacuous, 1)[0] is Verdict.ERROR
    assert read(confirmed, 2)[0] is Verdict.ERROR  # a condition went unreported
    assert read("", 1)[0] is Verdict.ERROR
