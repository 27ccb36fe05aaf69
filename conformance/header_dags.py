"""Header-mode vector cases: Kaspa's own DAA, median-time and merge-depth tests, and generated
DAGs that reach every header rule.

Each case grows a DAG of complete headers through a :class:`~conformance.suites.dag.Script`:
:class:`HeaderDag` builds each header over chosen parents with the reference's
:meth:`~reference.consensus.Consensus.build_header` (so every derived field is what a node must
compute), optionally changes fields, and offers it. Where a case reproduces a Kaspa test, the
verdicts and values it requires are the ones Kaspa's test states (written here from the test,
not read from the reference); the generator stops when the reference disagrees. Every other
recorded value is checked against the independent oracle of ``tests/test_header_vectors.py``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Final

from conformance.protocol import JsonObject, encode_hash
from conformance.suites.dag import Script, hash_params, require
from conformance.suites.headers import (
    ACCEPTED,
    header_json,
    header_params,
    header_reset_params,
    rejected,
)
from reference.consensus import Consensus
from reference.hash import Hash
from reference.header import BlockHeader, genesis_header, header_hash
from reference.presets import Preset, get_preset
from reference.processes.pow.miner import mine
from reference.processes.pow.state import PowState

GENESIS_TIME: Final = 1_700_000_000_000
"""Timestamp of every generated genesis (ms): a fixed date, so vectors never age."""

EASIEST_BITS: Final = 0x207FFFFF
"""Compact bits of the easiest target Kaspa's test networks use (about 2^255)."""

SECOND: Final = 1000


class HeaderDag:
    """One header-mode case under construction."""

    def __init__(
        self,
        name: str,
        preset: Preset,
        *,
        base: str = "minimal",
        genesis_label: int | None = None,
    ) -> None:
        self.script = Script(name)
        """The case's steps."""
        self.preset = preset
        """The parameters of the case (all sent in ``reset``)."""
        genesis = genesis_header(
            version=preset.block_version, timestamp=GENESIS_TIME, bits=EASIEST_BITS
        )
        if genesis_label is not None:
            genesis = _grind(genesis, genesis_label)
        self.genesis = header_hash(genesis)
        """The genesis hash."""
        self.headers: dict[Hash, BlockHeader] = {self.genesis: genesis}
        """Every accepted header by hash."""
        self._built = 0
        reset = header_reset_params(preset, genesis, base)
        require(self.script.call("reset", reset), {}, name)

    @property
    def reference(self) -> Consensus:
        """The reference DAG behind the case."""
        return self.script.reference()

    def build(
        self, parents: Sequence[Hash], timestamp: int | None = None, label: int | None = None
    ) -> BlockHeader:
        """A header every rule accepts over ``parents`` (by default a second after the latest
        parent); with ``label``, a nonce making the hash's first byte ``label``."""
        if timestamp is None:
            timestamp = max(self.headers[parent].timestamp for parent in parents) + SECOND
        # A fresh nonce per header keeps siblings with equal fields apart.
        self._built += 1
        header = self.reference.build_header(parents, timestamp=timestamp, nonce=self._built)
        if label is not None:
            return _grind(header, label)
        if self.preset.skip_proof_of_work:
            return header
        mined = mine(header, self.preset, 1 << 16)
        if mined is None:
            raise RuntimeError(f"{self.script.name}: no nonce found")
        return mined

    def offer(
        self, header: BlockHeader, expect: JsonObject = ACCEPTED, now: int | None = None
    ) -> Hash:
        """Offer ``header`` (arriving at its own timestamp unless ``now``); its hash."""
        arrival = header.timestamp if now is None else now
        reply = self.script.call("add_block", header_params(header, arrival))
        require(reply, expect, f"{self.script.name}: {header_hash(header)}")
        block = header_hash(header)
        if expect == ACCEPTED:
            self.headers[block] = header
        return block

    def add(
        self, parents: Sequence[Hash], timestamp: int | None = None, label: int | None = None
    ) -> Hash:
        """Build and offer an accepted header; its hash."""
        return self.offer(self.build(parents, timestamp, label))

    def chain(self, start: Hash, length: int, step: int = SECOND) -> list[Hash]:
        """``length`` blocks, each the only child of the previous, ``step`` ms apart."""
        blocks = []
        tip = start
        for _ in range(length):
            tip = self.add([tip], self.headers[tip].timestamp + step)
            blocks.append(tip)
        return blocks

    def info(self, block: Hash) -> JsonObject:
        """Record ``block_info`` of ``block``; its result."""
        reply = self.script.call("block_info", hash_params(block))
        result = reply.get("result")
        if not isinstance(result, dict):
            raise RuntimeError(f"{self.script.name}: block_info failed: {reply!r}")
        return result

    def past_median_time_over(self, parents: Sequence[Hash]) -> int:
        """The past median time a child of ``parents`` gets (as its validation computes it)."""
        return self.reference.past_median_time_of_parents(parents)


def _grind(header: BlockHeader, label: int) -> BlockHeader:
    """``header`` with the first nonce whose hash starts with the byte ``label``."""
    for nonce in range(1 << 20):
        candidate = dataclasses.replace(header, nonce=nonce)
        if header_hash(candidate)[0] == label:
            return candidate
    raise RuntimeError("no nonce found for the label")


def small_preset(**overrides: object) -> Preset:
    """``minimal`` with small windows and depths, proof of work skipped, and ``overrides``."""
    values: dict[str, object] = {
        "k": 3,
        "max_block_parents": 8,
        "mergeset_size_limit": 24,
        "difficulty_window_size": 10,
        "difficulty_sample_rate": 2,
        "min_difficulty_window_size": 4,
        "past_median_time_window_size": 5,
        "past_median_time_sample_rate": 1,
        "timestamp_deviation_tolerance": 20,
        "merge_depth": 40,
        "finality_depth": 80,
        "skip_proof_of_work": True,
    }
    values.update(overrides)
    return get_preset("minimal", values)


# ---------------------------------------------------------------------------- Kaspa's tests


def block_window_case() -> JsonObject:
    """rusty-kaspa's ``block_window_test``: K = 1, a full window of 10 (sample rate 1); block
    IDs are letters, and each hash is ground so that its first byte is its letter, so hashes
    order as the letters do, as in Kaspa's test. Windows in descending ``(blue_work, hash)``."""
    preset = small_preset(
        k=1,
        difficulty_window_size=10,
        difficulty_sample_rate=1,
        min_difficulty_window_size=10,
    )
    dag = HeaderDag("rusty-kaspa block_window_test", preset, genesis_label=ord("A"))
    ids = {"A": dag.genesis}
    shape = (
        ("B", "A"),
        ("C", "B"),
        ("D", "B"),
        ("E", "D C"),
        ("F", "D C"),
        ("G", "A"),
        ("H", "G"),
        ("I", "H F"),
        ("J", "I"),
        ("K", "J"),
        ("L", "K"),
        ("M", "L"),
        ("N", "M"),
        ("O", "N"),
    )
    expected = {
        "B": "",
        "C": "B",
        "D": "B",
        "E": "D C B",
        "F": "D C B",
        "G": "",
        "H": "G",
        "I": "F H D C G B",
        "J": "I F H D C G B",
        "K": "J I F H D C G B",
        "L": "K J I F H D C G B",
        "M": "L K J I F H D C G B",
        "N": "M L K J I F H D C G",
        "O": "N M L K J I F H D C",
    }
    for name, parents in shape:
        ids[name] = dag.add([ids[p] for p in parents.split()], label=ord(name))
    for name, window in expected.items():
        info = dag.info(ids[name])
        wanted = [encode_hash(ids[letter]) for letter in window.split()]
        if info["daa_window"] != wanted:
            raise RuntimeError(f"block window of {name}: {info['daa_window']} != {wanted}")
    return dag.script.case()


def daa_score_case() -> JsonObject:
    """kaspad's ``TestDAAScore``: window 86 at sample rate 1, K = 18. X merges two children
    of genesis (DAA score + 2: genesis is never a DAA block); a chain adds 1 per block; T merges
    the tip, a block off the chain 85 blocks down (in the window) and one off the chain 95 down
    (outside it): + 2."""
    preset = small_preset(
        k=18,
        max_block_parents=10,
        mergeset_size_limit=180,
        difficulty_window_size=86,
        difficulty_sample_rate=1,
        min_difficulty_window_size=86,
        merge_depth=3600,
        finality_depth=86400,
    )
    dag = HeaderDag("kaspad TestDAAScore", preset)
    genesis_score = dag.headers[dag.genesis].daa_score
    split1 = dag.add([dag.genesis])
    b = dag.add([dag.genesis])
    x = dag.add([split1, b])
    _require_score(dag, x, genesis_score + 2)
    tip = x
    for _ in range(10):
        below = dag.headers[tip].daa_score
        tip = dag.add([tip])
        _require_score(dag, tip, below + 1)
    split2 = tip
    for _ in range(85):
        below = dag.headers[tip].daa_score
        tip = dag.add([tip])
        _require_score(dag, tip, below + 1)
    a1 = dag.add([split1])
    a2 = dag.add([split2])
    t = dag.add([a1, a2, tip])
    _require_score(dag, t, dag.headers[tip].daa_score + 2)
    dag.info(t)
    return dag.script.case()


def _require_score(dag: HeaderDag, block: Hash, score: int) -> None:
    if dag.headers[block].daa_score != score:
        raise RuntimeError(
            f"{dag.script.name}: DAA score {dag.headers[block].daa_score} != {score}"
        )


def past_median_time_case() -> JsonObject:
    """kaspad's ``TestPastMedianTime``: a chain of 300 blocks one second apart, a window of 263
    at sample rate 1. kaspad's values (upper median of the whole window) for blocks 263, 271
    and 241 are 132, 139 and 121 s after genesis; the sampled rule of this specification (the
    rounded mean of the 11 middle samples) gives the same on an evenly spaced chain. Block 5's
    window holds four samples, where the two rules differ (kaspad: 3 s; here: 2.5 s)."""
    preset = small_preset(
        k=18,
        max_block_parents=10,
        mergeset_size_limit=180,
        past_median_time_window_size=263,
        past_median_time_sample_rate=1,
        merge_depth=3600,
        finality_depth=86400,
    )
    dag = HeaderDag("kaspad TestPastMedianTime", preset)
    chain = [dag.genesis, *dag.chain(dag.genesis, 300)]
    for index, seconds in ((263, 132_000), (271, 139_000), (241, 121_000), (5, 2_500)):
        info = dag.info(chain[index])
        if info["past_median_time"] != GENESIS_TIME + seconds:
            raise RuntimeError(f"past median time of block {index}: {info['past_median_time']}")
    return dag.script.case()


def median_time_case() -> JsonObject:
    """rusty-kaspa's ``median_time_test``: tolerance 120, a past-median-time window of
    (2 * 120 - 1) // 3 = 79 samples at rate 3, and a chain of 79 * 3 = 237 blocks, block i at
    genesis + i ms. A child of the tip at genesis + 237 - 120 - 1 ms is too old, and so is one at
    genesis + 237 - 120 ms (the median itself); one at genesis + 120 + 1 ms is accepted."""
    tolerance = 120
    preset = small_preset(
        timestamp_deviation_tolerance=tolerance,
        past_median_time_window_size=(2 * tolerance - 1) // 3,
        past_median_time_sample_rate=3,
    )
    dag = HeaderDag("rusty-kaspa median_time_test", preset)
    blocks = (2 * tolerance - 1) // 3 * 3
    tip = dag.chain(dag.genesis, blocks, step=1)[-1]
    too_old = rejected("TIME_TOO_OLD")
    dag.offer(dag.build([tip], GENESIS_TIME + blocks - tolerance - 1), too_old)
    dag.offer(dag.build([tip], GENESIS_TIME + blocks - tolerance), too_old)
    dag.add([tip], GENESIS_TIME + tolerance + 1)
    return dag.script.case()


def bounded_merge_depth_case() -> JsonObject:
    """rusty-kaspa's ``bounded_merge_depth_test``: K = 5, merge depth 7. A main chain of 9 and
    a side chain of 8 blocks off genesis. Merging the side chain's first block or its tip into
    the main tip violates the merge depth; a block merging the third-last blocks of both chains
    ("kosherizing") is fine, and so is merging it with the main tip; after the main chain grows
    by K = 5 blocks, merging the kosherizing block (now red) with the main tip violates, while
    merging the block built on it does not."""
    preset = small_preset(
        k=5, max_block_parents=10, mergeset_size_limit=60, merge_depth=7, finality_depth=70
    )
    dag = HeaderDag("rusty-kaspa bounded_merge_depth_test", preset)
    main = dag.chain(dag.genesis, 9)
    side = dag.chain(dag.genesis, 8, step=SECOND + 1)
    violating = rejected("VIOLATING_MERGE_DEPTH")
    dag.offer(dag.build([side[0], main[-1]]), violating)
    dag.offer(dag.build([side[-1], main[-1]]), violating)
    kosherizing = dag.add([side[-3], main[-3]])
    point_to_kosherizing = dag.add([kosherizing, main[-1]])
    main += dag.chain(main[-1], 5)
    dag.offer(dag.build([kosherizing, main[-1]]), violating)
    dag.add([point_to_kosherizing, main[-1]])
    return dag.script.case()


# ---------------------------------------------------------------------------- rule cases


def isolation_case() -> JsonObject:
    """Version, future timestamp at and past the bound, parent levels, invalid bits, a hash
    that is not the header's, and malformed header objects."""
    preset = small_preset()
    dag = HeaderDag("isolation rules", preset)
    tip = dag.chain(dag.genesis, 6)[-1]
    header = dag.build([tip])
    dag.offer(dataclasses.replace(header, version=header.version + 1), rejected("BAD_VERSION"))
    tolerance = preset.timestamp_deviation_tolerance * SECOND
    late = dag.build([tip], header.timestamp + tolerance + 1)
    dag.offer(late, rejected("TIME_TOO_FAR_IN_FUTURE"), now=header.timestamp)
    levels = dataclasses.replace(header, parents_by_level=(*header.parents_by_level, (tip,)))
    dag.offer(levels, rejected("TOO_MANY_PARENT_LEVELS"))
    dag.offer(dataclasses.replace(header, bits=0), rejected("INVALID_DIFFICULTY"))
    dag.offer(dataclasses.replace(header, bits=0x04923456), rejected("INVALID_DIFFICULTY"))
    wrong_hash = {**header_json(header), "hash": encode_hash(tip)}
    reply = dag.script.call("add_block", header_params(wrong_hash, header.timestamp))
    require(reply, rejected("HASH_MISMATCH"), "hash mismatch")
    good = header_json(header)
    malformed: list[JsonObject] = [
        {key: value for key, value in good.items() if key != "bits"},
        {**good, "extra": 1},
        {**good, "nonce": True},
        {**good, "blueScore": -1},
        {**good, "timestamp": 1 << 64},
        {**good, "bits": "0x207fffff"},
        {**good, "blueWork": "1" * 49},
        {**good, "pruningPoint": "00"},
        {**good, "parentsByLevel": [["zz"]]},
    ]
    for obj in malformed:
        dag.script.call("add_block", header_params(obj, header.timestamp))
    at_bound = dag.build([tip], header.timestamp + tolerance)
    dag.offer(at_bound, now=header.timestamp)
    dag.offer(header)
    return dag.script.case()


def proof_of_work_case() -> JsonObject:
    """Proof of work on, at the easiest bits: mined headers pass; a nonce whose value exceeds
    the target fails with INVALID_POW, and the same header with a passing nonce is accepted."""
    preset = small_preset(skip_proof_of_work=False)
    dag = HeaderDag("proof of work", preset)
    tip = dag.chain(dag.genesis, 3)[-1]
    header = dag.build([tip])
    state = PowState(header)
    failing = next(n for n in range(1 << 16) if not state.meets_target(n))
    dag.offer(dataclasses.replace(header, nonce=failing), rejected("INVALID_POW"))
    dag.offer(header)
    return dag.script.case()


def past_median_time_rule_case(window: int) -> JsonObject:
    """Timestamps equal to and one above the past median time, with a window of ``window``
    samples (odd and even sizes take the middle differently); irregular spacing, so that the
    median is not a block's own timestamp."""
    preset = small_preset(past_median_time_window_size=window)
    dag = HeaderDag(f"past median time, window {window}", preset)
    tip = dag.genesis
    for step in (700, 1900, 300, 2600, 1100, 400, 3100, 900, 1500, 200, 2200):
        tip = dag.add([tip], dag.headers[tip].timestamp + step)
    median = dag.past_median_time_over([tip])
    equal = dag.build([tip], median)
    dag.offer(equal, rejected("TIME_TOO_OLD"))
    dag.offer(equal, rejected("KNOWN_INVALID"))
    child = dag.build([tip], median + 5 * SECOND)
    orphan = dataclasses.replace(child, parents_by_level=((header_hash(equal),),))
    dag.offer(orphan, rejected("INVALID_PARENT"))
    above = dag.add([tip], median + 1)
    dag.info(above)
    return dag.script.case()


def difficulty_case() -> JsonObject:
    """A chain whose bits adjust (window 10 at rate 2, warm-up 4), blocks faster then slower
    than the target; each block's DAA score and bits off by one are rejected first."""
    preset = small_preset()
    dag = HeaderDag("DAA score and bits", preset)
    tip = dag.genesis
    steps = [400] * 20 + [2500] * 20 + [1000] * 10
    for index, step in enumerate(steps):
        header = dag.build([tip], dag.headers[tip].timestamp + step)
        if index % 5 == 4:
            dag.offer(
                dataclasses.replace(header, daa_score=header.daa_score + 1),
                rejected("BAD_DAA_SCORE"),
            )
            wrong_bits = dataclasses.replace(header, bits=header.bits - 1)
            dag.offer(wrong_bits, rejected("UNEXPECTED_DIFFICULTY"))
        tip = dag.offer(header)
        dag.info(tip)
    dag.script.call("virtual", {})
    return dag.script.case()


def non_daa_case() -> JsonObject:
    """Blocks below the DAA threshold inside a mergeset: a side chain off genesis merged 30
    blocks later holds blocks whose blue score is below ``blue_score - window * rate`` (non-DAA:
    they do not count in the DAA score) next to blocks above it (they count)."""
    preset = small_preset(k=4, merge_depth=200, finality_depth=400)
    dag = HeaderDag("non-DAA blocks in a mergeset", preset)
    main = dag.chain(dag.genesis, 30)
    side = dag.chain(main[1], 3, step=SECOND + 7)
    late = dag.chain(main[12], 2, step=SECOND + 3)
    merge = dag.add([main[-1], side[-1], late[-1]])
    dag.info(merge)
    dag.script.call("virtual", {})
    dag.add([merge])
    dag.script.call("virtual", {})
    return dag.script.case()


def merge_depth_case() -> JsonObject:
    """Bad merges and a kosherizing blue with red blocks (K = 3, merge depth 5), and the
    merge-depth root of each chain block around the boundary blue score = merge depth.

    A main chain of 7 and a side chain of 6 off genesis. Merging the side tip into the main tip
    merges reds without the merge-depth root (main[2]) in their past: violating. A block over
    main[4] and side[2] merges the side chain while its own root is still genesis; merged with
    the main tip it is blue, has main[2] on its chain, and has the side blocks in its past, so
    it kosherizes them: accepted."""
    depth = 5
    preset = small_preset(k=3, merge_depth=depth, finality_depth=2 * depth)
    dag = HeaderDag("merge depth", preset)
    main = dag.chain(dag.genesis, depth + 2)
    for block in main:
        dag.info(block)
    side = dag.chain(dag.genesis, 6, step=SECOND + 11)
    dag.offer(dag.build([main[-1], side[-1]]), rejected("VIOLATING_MERGE_DEPTH"))
    kosher = dag.add([main[-3], side[-4]])
    merged = dag.add([kosher, main[-1]])
    dag.info(merged)
    return dag.script.case()


def kaspa_test_cases() -> list[JsonObject]:
    """Kaspa's own DAA, window, median-time and merge-depth tests in header mode."""
    return [
        block_window_case(),
        daa_score_case(),
        past_median_time_case(),
        median_time_case(),
        bounded_merge_depth_case(),
    ]


def rule_cases() -> list[JsonObject]:
    """Generated DAGs reaching every header-mode rule."""
    return [
        isolation_case(),
        proof_of_work_case(),
        past_median_time_rule_case(5),
        past_median_time_rule_case(6),
        difficulty_case(),
        non_daa_case(),
        merge_depth_case(),
    ]
