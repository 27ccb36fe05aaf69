"""Every expectation of the header-mode vectors, checked by an oracle independent of the reference.

The vectors (``conformance/vectors/headers``) were recorded from the reference. Here each case
is replayed without it: headers are read and hashed by code written in this file, GHOSTDAG by
the brute-force :func:`conformance.oracle.ghostdag_oracle`, DAA scores, windows, bits and past
median times by :mod:`tests.daa_oracle` (whole past sets, no cache), merge-depth roots and
finality points by their closed form (the highest selected-chain block below the depth, above
the node's pruning point), bad merges by whole past sets, and expected pruning points by their
definition over whole selected chains (:class:`tests.test_pruning_harness.PruningDefinition`).
The oracle keeps its own node pruning point: after each accepted header the sink is the tip of
highest ``(blue_work, hash)`` (no case lets a tip violate finality), and the pruning point
moves to the sink's expected one, through every sample between, once it is ``P`` below the
sink. For every offered header the first broken rule, in the spec's table order, must be the
recorded verdict; every ``block_info`` and ``pruning_point`` must equal the oracle's.
The vectors of ``headers`` and of ``pruning`` are replayed.

Only the proof-of-work value is taken from the reference (``PowState``), for the one case that
checks proof of work: kHeavyHash is checked on Kaspa's own vectors in ``tests/test_pow*.py``.
A ``virtual`` step is checked as a block over the parents it reports (GHOSTDAG, DAA score, bits,
past median time); which tips the virtual takes as parents is checked by the protocol-1
``virtual`` suites' audit, not here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from conformance.oracle import ghostdag_oracle, transitive_past
from reference.hash import Hash
from reference.processes.ghostdag.data import GhostdagData
from tests.daa_oracle import DaaOracle, OracleBlock, Params, compact_to_target
from tests.test_pruning_harness import PruningDefinition

VECTORS = Path(__file__).resolve().parents[1] / "conformance" / "vectors"
FOLDERS = ("headers", "pruning")
"""The suites replayed here: ``vectors/headers`` and ``vectors/pruning``."""
ORIGIN = Hash(b"\xfe" * 32)
"""The merge-depth root and finality point of a block whose depth reaches below the pruning
point (node.md §4.1), written again here."""

FIELDS = (
    "version",
    "parentsByLevel",
    "hashMerkleRoot",
    "acceptedIdMerkleRoot",
    "utxoCommitment",
    "timestamp",
    "bits",
    "nonce",
    "daaScore",
    "blueWork",
    "blueScore",
    "pruningPoint",
)

POST_POW = (
    "BAD_BLUE_SCORE",
    "BAD_BLUE_WORK",
    "TIME_TOO_OLD",
    "MERGESET_TOO_BIG",
    "VIOLATING_MERGE_DEPTH",
    "BAD_PRUNING_POINT",
)


def _u64(value: int) -> bytes:
    return value.to_bytes(8, "little")


def _hash_of(h: Mapping[str, object]) -> Hash:
    """Kaspa's header hash (anchors node.md §H), written again from the text."""
    blake = hashlib.blake2b(digest_size=32, key=b"BlockHash")
    levels = h["parentsByLevel"]
    assert isinstance(levels, list)
    blake.update(int(h["version"]).to_bytes(2, "little"))  # type: ignore[call-overload]
    blake.update(_u64(len(levels)))
    for level in levels:
        blake.update(_u64(len(level)))
        for parent in level:
            blake.update(bytes.fromhex(parent))
    for key in ("hashMerkleRoot", "acceptedIdMerkleRoot", "utxoCommitment"):
        blake.update(bytes.fromhex(str(h[key])))
    blake.update(_u64(int(h["timestamp"])))  # type: ignore[call-overload]
    blake.update(int(h["bits"]).to_bytes(4, "little"))  # type: ignore[call-overload]
    for key in ("nonce", "daaScore", "blueScore"):
        blake.update(_u64(int(h[key])))  # type: ignore[call-overload]
    work = bytes.fromhex(str(h["blueWork"]).rjust(48, "0")).lstrip(b"\0")
    blake.update(_u64(len(work)) + work)
    blake.update(bytes.fromhex(str(h["pruningPoint"])))
    return Hash(blake.digest())


def _well_formed(h: object) -> bool:
    """The header JSON rules of ``spec/header.md``, written again from the text."""
    if not isinstance(h, dict) or set(h) - {"hash"} != set(FIELDS):
        return False

    def uint(value: object, bits: int) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1 << bits

    def hex_hash(value: object) -> bool:
        return isinstance(value, str) and len(value) == 64 and set(value) <= set("0123456789abcdef")

    levels = h["parentsByLevel"]
    work = h["blueWork"]
    return (
        uint(h["version"], 16)
        and isinstance(levels, list)
        and all(isinstance(level, list) and all(map(hex_hash, level)) for level in levels)
        and all(hex_hash(h[k]) for k in ("hashMerkleRoot", "acceptedIdMerkleRoot"))
        and hex_hash(h["utxoCommitment"])
        and hex_hash(h["pruningPoint"])
        and all(uint(h[k], 64) for k in ("timestamp", "nonce", "daaScore", "blueScore"))
        and uint(h["bits"], 32)
        and isinstance(work, str)
        and 1 <= len(work) <= 48
        and set(work) <= set("0123456789abcdef")
        and ("hash" not in h or hex_hash(h["hash"]))
    )


@dataclass
class Offered:
    """One header as the oracle reads it."""

    hash: Hash
    fields: dict[str, object]
    parents: tuple[Hash, ...]

    def int(self, key: str) -> int:
        value = self.fields[key]
        assert isinstance(value, int)
        return value


def _offered(h: dict[str, object]) -> Offered:
    levels = h["parentsByLevel"]
    assert isinstance(levels, list)
    parents = tuple(Hash.from_hex(p) for p in levels[0]) if levels else ()
    return Offered(_hash_of(h), h, parents)


def _work(bits: int) -> int:
    target = compact_to_target(bits)
    return (1 << 256) // (target + 1) if 0 < target < 1 << 256 else 1


class Replay:
    """The oracle's view of one case."""

    def __init__(self, reset: Mapping[str, object], offers: Sequence[Offered]) -> None:
        overrides = reset["overrides"]
        genesis = reset["genesis"]
        assert isinstance(overrides, dict) and isinstance(genesis, dict)
        self.p = overrides
        self.genesis = _offered(genesis["header"])
        everything = {self.genesis.hash: self.genesis}
        for offer in offers:
            everything.setdefault(offer.hash, offer)
        # GHOSTDAG of a block depends on its past only: one brute-force run over every header
        # whose parents all appear covers every header that reaches the GHOSTDAG stage.
        closed: dict[Hash, tuple[Hash, ...]] = {}
        for block, offer in everything.items():
            is_genesis = block == self.genesis.hash
            known = all(p in closed for p in offer.parents)
            distinct = len(set(offer.parents)) == len(offer.parents)
            if is_genesis or (known and distinct and offer.parents):
                closed[block] = offer.parents
        self.headers = everything
        self.parents = closed
        self.past = transitive_past(closed)
        work = {b: _work(everything[b].int("bits")) for b in closed}
        self.ghostdag: dict[Hash, GhostdagData] = ghostdag_oracle(closed, work, int(self.p["k"]))
        self.daa = DaaOracle(
            Params(
                int(self.p["difficulty_window_size"]),
                int(self.p["difficulty_sample_rate"]),
                int(self.p["min_difficulty_window_size"]),
                int(self.p["past_median_time_window_size"]),
                int(self.p["past_median_time_sample_rate"]),
                int(self.p["target_time_per_block_ms"]),
            ),
            self.genesis.hash,
            self.genesis.int("daaScore"),
            {
                b: OracleBlock(
                    closed[b],
                    self.ghostdag[b].selected_parent,
                    self.ghostdag[b].blue_score,
                    self.ghostdag[b].blue_work,
                    everything[b].int("timestamp"),
                    everything[b].int("bits"),
                )
                for b in closed
            },
        )
        self.accepted: set[Hash] = {self.genesis.hash}
        self.invalid: set[Hash] = set()
        finality = self.p["finality_depth"]
        self.pruning = PruningDefinition(
            self.ghostdag, None if finality is None else int(finality), int(self.p["pruning_depth"])
        )
        self.pruning_points = [self.genesis.hash]
        self.virtual_parents: tuple[Hash, ...] = (self.genesis.hash,)
        self.tips = {self.genesis.hash}
        self.depth: dict[Hash, tuple[Hash, Hash]] = {
            self.genesis.hash: (self.genesis.hash, self.genesis.hash)
        }

    def chain(self, block: Hash) -> list[Hash]:
        chain = [block]
        while (parent := self.ghostdag[chain[-1]].selected_parent) is not None:
            chain.append(parent)
        return chain

    def block_at_depth(self, block: Hash, depth: int | None, kind: int) -> Hash:
        """node.md §4.1 in closed form, under the oracle's current pruning point ``pp``:
        genesis without a bound or below it; ORIGIN when the block is less than ``depth``
        above ``pp`` or ``pp`` is off its selected parent's chain; else the highest block of
        that chain with blue score below ``blue_score - depth``, but never below the value
        stored for the selected parent (``kind`` 0: merge-depth root, 1: finality point), or
        below ``pp`` when that value is ORIGIN."""
        data = self.ghostdag[block]
        parent = data.selected_parent
        if depth is None or parent is None or data.blue_score < depth:
            return self.genesis.hash
        point = self.pruning_points[-1]
        chain = self.chain(parent)
        if data.blue_score < self.ghostdag[point].blue_score + depth or point not in chain:
            return ORIGIN
        start = self.depth[parent][kind]
        if start == ORIGIN:
            start = point
        for chain_block in chain:  # downwards: the first hit is the highest
            if chain_block == start or self.ghostdag[chain_block].blue_score < (
                data.blue_score - depth
            ):
                return chain_block
        raise AssertionError(f"{start} is not on the chain of {parent}")

    def block_depth(self, block: Hash) -> tuple[Hash, Hash]:
        merge, finality = self.p["merge_depth"], self.p["finality_depth"]
        return (
            self.block_at_depth(block, None if merge is None else int(merge), 0),
            self.block_at_depth(block, None if finality is None else int(finality), 1),
        )

    def bad_merge(self, block: Hash) -> bool:
        root = self.block_depth(block)[0]
        if root == ORIGIN:  # ORIGIN is in the past of every block
            return False
        data = self.ghostdag[block]
        kosher = [b for b in data.mergeset_blues if root in self.chain(b)]
        return any(
            root not in self.past[red] and not any(red in self.past[b] for b in kosher)
            for red in data.mergeset_reds
        )

    def accept(self, block: Hash) -> None:
        """Record an accepted header: its depth data, the tips, and the node's pruning point
        moved from the new sink."""
        self.depth[block] = self.block_depth(block)
        self.accepted.add(block)
        self.tips -= set(self.parents[block])
        self.tips.add(block)
        sink = max(self.tips, key=lambda tip: (self.ghostdag[tip].blue_work, bytes(tip)))
        current = self.pruning_points[-1]
        score = self.ghostdag[sink].blue_score
        target = self.pruning.pruning_point(sink)
        if self.ghostdag[current].blue_score + self.pruning.p > score:
            return
        if self.ghostdag[target].blue_score <= self.ghostdag[current].blue_score:
            return
        passed = [
            sample
            for sample in self.pruning.samples_below(sink)
            if self.ghostdag[current].blue_score
            < self.ghostdag[sample].blue_score
            <= self.ghostdag[target].blue_score
        ]
        self.pruning_points.extend(reversed(passed))

    def verdict(self, offer: Offered, now: int | None) -> str | None:
        """The first rule ``offer`` breaks, in the order of spec/validation.md."""
        p, h, block = self.p, offer.fields, offer.hash
        parents = offer.parents
        levels = h["parentsByLevel"]
        assert isinstance(levels, list)
        target = compact_to_target(offer.int("bits"))
        tolerance = int(p["timestamp_deviation_tolerance"]) * 1000
        checks: list[tuple[str, bool]] = [
            ("DUPLICATE_BLOCK", block in self.accepted),
            ("KNOWN_INVALID", block in self.invalid),
            ("BAD_VERSION", offer.int("version") != p["block_version"]),
            (
                "TIME_TOO_FAR_IN_FUTURE",
                now is not None and offer.int("timestamp") > now + tolerance,
            ),
            ("NO_PARENTS", not parents),
            ("TOO_MANY_PARENTS", len(parents) > int(p["max_block_parents"])),
            ("DUPLICATE_PARENT", len(set(parents)) != len(parents)),
            ("TOO_MANY_PARENT_LEVELS", len(levels) > int(p["max_parent_levels"])),
            ("INVALID_DIFFICULTY", not 0 < target < 1 << 256),
        ]
        for code, broken in checks:
            if broken:
                return code
        if not p["skip_proof_of_work"] and not _pow_passes(offer):
            return "INVALID_POW"
        if any(parent in self.invalid for parent in parents):
            return "INVALID_PARENT"
        if any(parent not in self.accepted for parent in parents):
            return "UNKNOWN_PARENT"
        if any(a != b and a in self.past[b] for a in parents for b in parents):
            return "PARENTS_NOT_ANTICHAIN"
        if not any(self.pruning_points[-1] in self.past[parent] for parent in parents):
            return "PRUNING_VIOLATION"
        data = self.ghostdag[block]
        assert data.selected_parent is not None
        args = (parents, data.selected_parent, data.blue_score)
        late: list[tuple[str, bool]] = [
            ("BAD_DAA_SCORE", offer.int("daaScore") != self.daa.daa_score_of(*args)),
            ("UNEXPECTED_DIFFICULTY", offer.int("bits") != self.daa.bits(*args)),
            ("BAD_BLUE_SCORE", offer.int("blueScore") != data.blue_score),
            ("BAD_BLUE_WORK", int(str(h["blueWork"]), 16) != data.blue_work),
            ("TIME_TOO_OLD", offer.int("timestamp") <= self.daa.past_median_time(*args)),
            (
                "MERGESET_TOO_BIG",
                len(data.mergeset_blues) + len(data.mergeset_reds) > int(p["mergeset_size_limit"]),
            ),
            ("VIOLATING_MERGE_DEPTH", self.bad_merge(block)),
            (
                "BAD_PRUNING_POINT",
                Hash.from_hex(str(h["pruningPoint"])) != self.pruning.pruning_point(block),
            ),
        ]
        for code, broken in late:
            if broken:
                return code
        return None

    def virtual(self, recorded: Mapping[str, object]) -> dict[str, object]:
        """The virtual's GHOSTDAG and header-mode fields over the parents it reports."""
        reported = recorded["parents"]
        assert isinstance(reported, list)
        parents = tuple(Hash.from_hex(p) for p in reported)
        assert all(parent in self.accepted for parent in parents)
        self.virtual_parents = parents
        pseudo = Hash(b"\xed" * 32)
        extended = {**self.parents, pseudo: parents}
        work = {b: _work(self.headers[b].int("bits")) for b in self.parents}
        data = ghostdag_oracle(extended, {**work, pseudo: 0}, int(self.p["k"]))[pseudo]
        assert data.selected_parent is not None
        args = (parents, data.selected_parent, data.blue_score)
        return {
            "parents": list(reported),
            "selected_parent": data.selected_parent.hex(),
            "blue_score": data.blue_score,
            "blue_work": hex(data.blue_work),
            "mergeset_blues": [b.hex() for b in data.mergeset_blues],
            "mergeset_reds": [b.hex() for b in data.mergeset_reds],
            "daa_score": self.daa.daa_score_of(*args),
            "bits": self.daa.bits(*args),
            "past_median_time": self.daa.past_median_time(*args),
        }

    def info(self, block: Hash) -> dict[str, object]:
        data = self.ghostdag[block]
        assert data.selected_parent is not None
        args = (self.parents[block], data.selected_parent, data.blue_score)
        merge_depth_root, finality_point = self.depth[block]
        return {
            "status": "header_only",
            "daa_score": self.headers[block].int("daaScore"),
            "bits": self.headers[block].int("bits"),
            "past_median_time": self.daa.past_median_time(*args),
            "merge_depth_root": merge_depth_root.hex(),
            "finality_point": finality_point.hex(),
            "daa_window": [b.hex() for b in self.daa.daa_window(*args)],
            "pruning_point": self.pruning.pruning_point(block).hex(),
        }

    def retention(self) -> dict[str, object]:
        """What the node keeps below its pruning point, by node.md §6's rules over whole past
        sets, given the virtual's parents the last ``virtual`` step reported."""
        point = self.pruning_points[-1]
        gd = self.ghostdag
        merged = set().union(*(self.past[parent] for parent in self.virtual_parents))
        beside = [b for b in merged if point not in self.past[b] and b not in self.past[point]]
        anticone = [point, *sorted(beside, key=lambda b: (gd[b].blue_work, bytes(b)))]
        spanned: set[Hash] = set()
        k = int(self.p["k"])
        for block in anticone:
            data = gd[block]
            if data.selected_parent is not None:
                args = (self.parents[block], data.selected_parent, data.blue_score)
                spanned.update(self.daa.daa_window(*args), self.daa.median_time_window(*args))
            spanned.update(self.chain(block)[: k + 1])
        spanned.discard(self.genesis.hash)
        least = min((gd[b].blue_work for b in spanned), default=0)
        history: set[Hash] = set()
        queue = list(anticone)
        while queue:
            for parent in self.parents[queue.pop()]:
                if parent in anticone or parent in history:
                    continue
                if parent != self.genesis.hash and gd[parent].blue_work < least:
                    continue
                history.add(parent)
                queue.append(parent)
        for block in anticone:
            for chain_block in self.chain(block):
                if chain_block != block and gd[chain_block].blue_work < least:
                    break
                history.update(gd[chain_block].mergeset_blues, gd[chain_block].mergeset_reds)
        history.difference_update(anticone)
        return {
            "anticone": [b.hex() for b in anticone],
            "history": sorted(b.hex() for b in history),
            "headers": [b.hex() for b in self.pruning_points],
        }

    def pruning_point(self) -> dict[str, object]:
        return {
            "current": self.pruning_points[-1].hex(),
            "past": [point.hex() for point in self.pruning_points],
        }


def _pow_passes(offer: Offered) -> bool:
    from reference.header_json import header_from_json  # noqa: PLC0415
    from reference.processes.pow.state import PowState  # noqa: PLC0415

    header = header_from_json(offer.fields)
    state = PowState(header)
    return state.pow_value(header.nonce) <= state.target


def _cases() -> list[tuple[str, dict[str, object]]]:
    found = []
    for path in sorted(p for folder in FOLDERS for p in (VECTORS / folder).glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        for case in document["cases"]:
            found.append((f"{path.name}: {case['name']}", case))
    return found


@pytest.mark.parametrize(("name", "case"), _cases(), ids=[name for name, _ in _cases()])
def test_header_vector_expectations_agree_with_the_oracle(
    name: str, case: dict[str, object]
) -> None:
    steps = case["steps"]
    assert isinstance(steps, list)
    reset = steps[0]
    assert reset["method"] == "reset"
    offers = [
        _offered(step["params"]["header"])
        for step in steps
        if step["method"] == "add_block" and _well_formed(step["params"]["header"])
    ]
    replay = Replay(reset["params"], offers)
    checked = 0
    for number, step in enumerate(steps[1:], start=1):
        where = f"{name} step {number}"
        params, expect = step["params"], step["expect"]
        if step["method"] == "add_block":
            h = params["header"]
            if not _well_formed(h):
                assert expect == {"error": "MALFORMED_HEADER"}, where
                continue
            offer = _offered(h)
            if "hash" in h and Hash.from_hex(h["hash"]) != offer.hash:
                assert expect == {"result": {"status": "rejected", "error": "HASH_MISMATCH"}}
                continue
            code = replay.verdict(offer, params.get("now"))
            if code is None:
                assert expect == {"result": {"status": "accepted"}}, where
                replay.accept(offer.hash)
            else:
                assert expect == {"result": {"status": "rejected", "error": code}}, where
                if code in POST_POW:
                    replay.invalid.add(offer.hash)
            checked += 1
        elif step["method"] == "block_info":
            block = Hash.from_hex(params["hash"])
            assert expect == {"result": replay.info(block)}, where
            checked += 1
        elif step["method"] == "pruning_point":
            assert expect == {"result": replay.pruning_point()}, where
            checked += 1
        elif step["method"] == "retention":
            assert expect == {"result": replay.retention()}, where
            checked += 1
        elif step["method"] == "virtual":
            assert expect == {"result": replay.virtual(expect["result"])}, where
            checked += 1
        else:
            pytest.fail(f"{where}: no oracle for {step['method']}")
    assert checked > 0


def test_every_header_rule_is_reached_by_a_vector() -> None:
    seen: set[str] = set()
    for _, case in _cases():
        for step in case["steps"]:  # type: ignore[attr-defined]
            result = step["expect"].get("result")
            if isinstance(result, dict) and result.get("status") == "rejected":
                seen.add(result["error"])
            elif "error" in step["expect"]:
                seen.add(step["expect"]["error"])
    from reference.pipeline.validation import RULE_ORDER  # noqa: PLC0415

    wanted = {code.value for code in RULE_ORDER} - {
        "NO_PARENTS",
        "TOO_MANY_PARENTS",
        "DUPLICATE_PARENT",
        "PARENTS_NOT_ANTICHAIN",
        "MERGESET_TOO_BIG",
        "DUPLICATE_BLOCK",
    } | {"HASH_MISMATCH", "MALFORMED_HEADER"}
    assert wanted <= seen, sorted(wanted - seen)
