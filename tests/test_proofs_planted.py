"""The proofs can fail: a bug planted in the production function is refuted.

Each Z3 obligation gets one planted bug. The test replaces the reference function, in the
module where the proof (and the rest of the reference) looks it up, by a copy with that one
bug; runs the obligation; and checks that it reports a counterexample whose input really
shows the bug: run concretely there, the planted function answers differently from the real
one. The CrossHair contract check gets a planted bug in the production function too, patched
in the checker's own process.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from conformance.cli import main
from proofs import bits as bits_proofs
from proofs import contracts
from proofs import interval as interval_proofs
from proofs import work as work_proofs
from proofs.obligation import Outcome, Verdict
from reference import bits, work
from reference.errors import InvalidDifficulty
from reference.hash import HASH_SIZE, Hash
from reference.processes.ghostdag import protocol
from reference.processes.reachability import interval, tree
from reference.processes.reachability.interval import Interval, IntervalError
from reference.processes.reachability.store import ReachabilityStore

MAX = work.MAX_UINT256

# --- the planted bugs -----------------------------------------------------------------------


def _checked(target: int) -> int:
    if not isinstance(target, int) or target < 0 or target > MAX:
        raise InvalidDifficulty(target, "target must satisfy 0 <= t < 2^256")
    return target


def work_without_plus_one(target: int) -> int:
    """The ``+ 1`` of ``(~t // (t + 1)) + 1`` forgotten."""
    target = _checked(target)
    return (MAX ^ target) // (target + 1)


def work_with_pythons_complement(target: int) -> int:
    """Python's ``~t`` (which is ``-t - 1``) in place of the 256-bit complement."""
    target = _checked(target)
    return ~target // (target + 1) + 1


def work_of_the_complement(target: int) -> int:
    """Work computed from the complement of the target: more work for easier blocks."""
    target = _checked(target)
    return (1 << 256) // (MAX - target + 1)


def _checked_difficulty(difficulty: int) -> int:
    if not isinstance(difficulty, int) or difficulty < 1 or difficulty > MAX:
        raise InvalidDifficulty(difficulty, "difficulty must satisfy 1 <= d < 2^256")
    return difficulty


def target_is_the_difficulty(difficulty: int) -> int:
    """The target set to the difficulty itself, not ``(2^256 - 1) // d``."""
    return _checked_difficulty(difficulty)


def target_from_two_256(difficulty: int) -> int:
    """``2^256 // d``: one too many at difficulty 1 and wherever ``d`` divides ``2^256``."""
    return (1 << 256) // _checked_difficulty(difficulty)


def blue_work_without_selected_parent(context: Any, colouring: Any) -> int:
    """The selected parent's own work left out of the child's blue work."""
    work_of = context.headers.work
    added = sum(work_of(blue) for blue in colouring.blues[1:])
    blue_work: int = context.ghostdag_store.get(colouring.selected_parent).blue_work + added
    return blue_work


def encode_accepting_two_256(value: int) -> int:
    """The range check off by one: ``2^256`` itself is encoded (as a value that decodes to
    ``2^256``, which ``decode_bits`` rejects)."""
    if not isinstance(value, int) or value < 0 or value > 1 << 256:
        raise InvalidDifficulty(value, "a target must satisfy 0 <= t < 2^256")
    size = (value.bit_length() + 7) // 8
    compact = value << 8 * (3 - size) if size <= 3 else value >> 8 * (size - 3)
    if compact & 0x800000:
        compact >>= 8
        size += 1
    return compact | (size << 24)


def encode_without_sign_adjustment_above_3_bytes(value: int) -> int:
    """The sign adjustment skipped for values longer than 3 bytes (issue 12's planted bug)."""
    if not isinstance(value, int) or value < 0 or value > MAX:
        raise InvalidDifficulty(value, "a target must satisfy 0 <= t < 2^256")
    size = (value.bit_length() + 7) // 8
    compact = value << 8 * (3 - size) if size <= 3 else value >> 8 * (size - 3)
    if compact & 0x800000 and size <= 3:
        compact >>= 8
        size += 1
    return compact | (size << 24)


def left_half_rounded_down(start: int, end: int) -> int:
    """The left half gets the smaller half of an odd size."""
    return start + (end - start + 1) // 2 - 1


def split_exact_accepting_short_sizes(self: Interval, sizes: list[int]) -> list[Interval]:
    """Sizes that add up to less than the interval accepted: the parts leave a gap."""
    if any(s < 0 for s in sizes) or sum(sizes) > self.size():
        raise IntervalError(f"sizes {list(sizes)} do not partition {self}")
    parts = []
    start = self.start
    for size in sizes:
        parts.append(Interval(start, start + size - 1))
        start += size
    return parts


def grow_by_uncapped_shares(sizes: list[int], spare: int, shares: list[int]) -> list[int]:
    """Shares no longer capped by the spare room still left."""
    remaining = spare
    grown = []
    for size, share in zip(sizes[:-1], shares, strict=True):
        grown.append(size + share)
        remaining -= share
    grown.append(sizes[-1] + remaining)
    return grown


def add_tree_block_into_the_parents_last_integer(
    store: ReachabilityStore, block: Hash, parent: Any, reindex_slack: int
) -> Any:
    """The parent's own last integer counted as room for its children."""
    start = parent.children[-1].end + 1 if parent.children else parent.start
    end = parent.end
    if start <= end:
        return store.insert(block, parent, start, interval.left_half_end(start, end))
    raise AssertionError("the planted copy does not reindex")


# --- checking a refutation against the real function ----------------------------------------


def _inputs(detail: str) -> dict[str, int]:
    """The counterexample's inputs: ``name = value`` pairs before the first ``;``."""
    return {name: int(value) for name, value in re.findall(r"(\w+) = (-?\d+)", detail)}


def _raises_or(function: Callable[[], Any]) -> Any:
    try:
        return function()
    except (InvalidDifficulty, IntervalError) as error:
        return type(error)


def _hash(number: int) -> Hash:
    return Hash(number.to_bytes(HASH_SIZE, "big"))


def _tree_child(add: Callable[..., Any], found: dict[str, int]) -> tuple[int, int]:
    start, end = found["parent_start"], found["parent_end"]
    store = ReachabilityStore(_hash(0), Interval(start, end))
    child_start = start
    for number in range(4):
        if f"child_{number}_end" not in found:
            break
        store.insert(_hash(number + 1), store.genesis, child_start, found[f"child_{number}_end"])
        child_start = found[f"child_{number}_end"] + 1
    node = add(store, _hash(99), store.genesis, 0)
    return node.start, node.end


def _blue_work(blue_work_of: Callable[..., int], found: dict[str, int]) -> int:
    count = found["blues"]
    blues = [_hash(i) for i in range(1, count + 1)]
    context = SimpleNamespace(
        headers=SimpleNamespace(work=lambda blue: found[f"w_{blues.index(blue)}"]),
        ghostdag_store=SimpleNamespace(
            get=lambda _: SimpleNamespace(blue_work=found["parent_blue_work"])
        ),
    )
    colouring = protocol.MergesetColouring(blues[0])
    colouring.blues.extend(blues[1:])
    return blue_work_of(context, colouring)


def _split_exponential(found: dict[str, int]) -> Any:
    sizes = [found[f"size_{i}"] for i in range(8) if f"size_{i}" in found]
    shares = [found[f"share_{i}"] for i in range(8) if f"share_{i}" in found]
    with interval_proofs._shares_replaced(shares):
        return _raises_or(lambda: Interval(found["start"], found["end"]).split_exponential(sizes))


@dataclass(frozen=True)
class Planted:
    """One planted bug and how to see it at the counterexample's input."""

    obligation: Callable[[], Outcome]
    """Runs the obligation."""
    where: tuple[Any, str]
    """The module (or class) and the name of the production function replaced."""
    bug: Callable[..., Any]
    """The copy with the planted bug."""
    answer: Callable[[dict[str, int]], Any]
    """What the code answers at the counterexample's input (run once with the real
    function, once with the planted one: the two must differ)."""


PLANTED: dict[str, Planted] = {
    "work-identity": Planted(
        work_proofs.prove_work_identity,
        (work, "work_from_target"),
        work_without_plus_one,
        lambda found: _raises_or(lambda: work.work_from_target(found["t"])),
    ),
    "work-bounds": Planted(
        work_proofs.prove_work_bounds,
        (work, "work_from_target"),
        work_with_pythons_complement,
        lambda found: work.work_from_target(found["t"]),
    ),
    "work-non-increasing-in-target": Planted(
        work_proofs.prove_work_non_increasing_in_target,
        (work, "work_from_target"),
        work_of_the_complement,
        lambda found: (work.work_from_target(found["t"]), work.work_from_target(found["u"])),
    ),
    "work-non-decreasing-in-difficulty": Planted(
        work_proofs.prove_work_non_decreasing_in_difficulty,
        (work, "target_from_difficulty"),
        target_is_the_difficulty,
        lambda found: (
            work.work_from_difficulty(found["d"]),
            work.work_from_difficulty(found["e"]),
        ),
    ),
    "target-bounds": Planted(
        work_proofs.prove_target_bounds,
        (work, "target_from_difficulty"),
        target_from_two_256,
        lambda found: _raises_or(lambda: work.target_from_difficulty(found["d"])),
    ),
    "blue-work-grows": Planted(
        work_proofs.prove_blue_work_grows,
        (protocol, "blue_work_of"),
        blue_work_without_selected_parent,
        lambda found: _blue_work(protocol.blue_work_of, found),
    ),
    "bits-encoding-valid": Planted(
        bits_proofs.prove_encoding_is_valid,
        (bits, "encode_bits"),
        encode_accepting_two_256,
        lambda found: _raises_or(lambda: bits.encode_bits(found["v"])),
    ),
    "bits-round-trip-truncates": Planted(
        bits_proofs.prove_round_trip_truncates,
        (bits, "encode_bits"),
        encode_without_sign_adjustment_above_3_bytes,
        lambda found: bits.decode_bits(bits.encode_bits(found["v"])),
    ),
    "bits-encoding-canonical": Planted(
        bits_proofs.prove_encoding_is_canonical,
        (bits, "encode_bits"),
        encode_without_sign_adjustment_above_3_bytes,
        lambda found: bits.encode_bits(found["v"]),
    ),
    "bits-round-trip-keeps-nonzero": Planted(
        bits_proofs.prove_round_trip_keeps_nonzero,
        (bits, "encode_bits"),
        encode_without_sign_adjustment_above_3_bytes,
        lambda found: bits.decode_bits(bits.encode_bits(found["v"])),
    ),
    "interval-split-half": Planted(
        interval_proofs.prove_split_half,
        (interval, "left_half_end"),
        left_half_rounded_down,
        lambda found: _raises_or(lambda: Interval(found["start"], found["end"]).split_half()),
    ),
    "interval-split-exact": Planted(
        interval_proofs.prove_split_exact,
        (Interval, "split_exact"),
        split_exact_accepting_short_sizes,
        lambda found: _raises_or(
            lambda: Interval(found["start"], found["end"]).split_exact(
                [found[f"size_{i}"] for i in range(9) if f"size_{i}" in found]
            )
        ),
    ),
    "interval-split-exponential": Planted(
        interval_proofs.prove_split_exponential,
        (interval, "grow_by_shares"),
        grow_by_uncapped_shares,
        _split_exponential,
    ),
    "interval-insertion": Planted(
        interval_proofs.prove_insertion,
        (tree, "add_tree_block"),
        add_tree_block_into_the_parents_last_integer,
        lambda found: _tree_child(tree.add_tree_block, found),
    ),
}


def test_every_z3_obligation_has_a_planted_bug() -> None:
    z3_obligations = {
        o.name
        for o in (
            *work_proofs.obligations(),
            *bits_proofs.obligations(),
            *interval_proofs.obligations(),
        )
    }
    assert set(PLANTED) == z3_obligations


@pytest.mark.parametrize("name", list(PLANTED))
def test_a_bug_planted_in_the_production_function_is_refuted(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    planted = PLANTED[name]
    owner, attribute = planted.where
    assert planted.obligation().verdict is Verdict.PROVED  # the real function passes
    real_answer_of = planted.answer
    monkeypatch.setattr(owner, attribute, planted.bug)
    outcome = planted.obligation()
    assert outcome.verdict is Verdict.COUNTEREXAMPLE, outcome
    found = _inputs(outcome.detail)
    planted_answer = real_answer_of(found)
    monkeypatch.undo()
    assert real_answer_of(found) != planted_answer, (found, planted_answer)


def test_dagspec_prove_refutes_the_sign_adjustment_bug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 12's bug: ``encode_bits`` skips the sign adjustment for values over 3 bytes."""
    monkeypatch.setattr(bits, "encode_bits", encode_without_sign_adjustment_above_3_bytes)
    assert main(["prove", "--tool", "z3", "--only", "bits"]) == 1
    out = capsys.readouterr().out
    refuted = re.findall(r"^(bits-\S+)\s+z3\s+COUNTEREXAMPLE", out, re.MULTILINE)
    assert set(refuted) == {
        "bits-round-trip-truncates",
        "bits-encoding-canonical",
        "bits-round-trip-keeps-nonzero",
    }
    assert "FAILED" in out


_PLANTED_CROSSHAIR = '''
    """Loads reference.work from its own file with one planted off-by-one, in this process."""

    import importlib.util
    import sys

    import reference

    spec = importlib.util.find_spec("reference.work")
    source = open(spec.origin, encoding="utf-8").read()
    planted = source.replace("complement // (target + 1) + 1", "complement // (target + 2) + 1")
    if planted == source:
        raise SystemExit("the line to plant the bug in is gone")
    module = importlib.util.module_from_spec(spec)
    sys.modules["reference.work"] = reference.work = module
    exec(compile(planted, spec.origin, "exec"), module.__dict__)
'''


def test_crosshair_refutes_a_bug_planted_in_the_production_function(tmp_path: Path) -> None:
    # Python imports sitecustomize from the search path at start-up: the checker's process
    # then checks the reference's own work_from_target, from its own file and with its own
    # contract, but with the bug in it.
    (tmp_path / "sitecustomize.py").write_text(textwrap.dedent(_PLANTED_CROSSHAIR))
    contract = contracts.Contract("reference.work.work_from_target", 1)
    outcome = contracts.check(contract, per_condition_timeout=5, extra_path=[tmp_path])
    assert outcome.verdict is Verdict.COUNTEREXAMPLE, outcome
    found = re.search(r"work_from_target\((\d+)\)", outcome.detail)
    assert found is not None, outcome.detail
    target = int(found.group(1))
    assert (MAX ^ target) // (target + 2) + 1 != work.work_from_target(target)


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
