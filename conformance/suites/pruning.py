"""Capability ``pruning``: pruning points by blue score (adapter protocol 3).

The method ``pruning_point`` answers the node's current pruning point and every pruning point it
has had (``past``, genesis first, the current one last); ``block_info`` of the ``headers``
capability reports each block's expected pruning point. In header mode both pruning rules
apply: ``PRUNING_VIOLATION`` (no parent in the future of the node's pruning point) and
``BAD_PRUNING_POINT`` (a header's pruning point is not its block's expected one).

Vectors: header-mode DAGs with small finality and pruning depths — a chain whose pruning point
moves epoch after epoch; the DAG in which the sample clamp decides one block's pruning point and
the selected-parent clamp its child's (the pruning point would move back without them); a sink
that jumps several epochs at once, so several samples become pruning points in one step; a
random DAG of one block per second with network delays; blocks violating the pruning point, and
headers claiming wrong pruning points. Every ``block_info`` and ``pruning_point`` reply is
recorded, and after every move of the pruning point the virtual's parents and what the node
keeps (``retention``); ``tests/test_header_vectors.py`` checks each against the definitions,
brute force.
"""

from __future__ import annotations

import dataclasses
import random
from typing import Final

from conformance.arrivals import Arrivals
from conformance.header_dags import SECOND, HeaderDag, small_preset
from conformance.protocol import JsonObject, JsonValue, check_keys, encode_hash
from conformance.session import Session
from conformance.suites import Capability, GenerationContext, VectorFile
from conformance.suites.dag import script_file
from conformance.suites.headers import header_dag, rejected
from reference.hash import Hash
from reference.header import header_hash

CAPABILITIES: Final = ["headers", "pruning", "virtual"]
"""What the pruning vectors use: header mode, the pruning methods, and the virtual's parents
when the pruning point moves (the anticone kept is the one the virtual merged)."""


def pruning_point(session: Session, params: JsonObject) -> JsonValue:
    """``pruning_point {}``: the node's current pruning point and every past one."""
    check_keys(params, "params", frozenset())
    consensus = header_dag(session)
    return {
        "current": encode_hash(consensus.pruning_point()),
        "past": [encode_hash(point) for point in consensus.past_pruning_points()],
    }


def retention(session: Session, params: JsonObject) -> JsonValue:
    """``retention {}``: what the node keeps below its pruning point, decided when it moved
    there — the anticone kept in full (the pruning point first), the blocks kept without bodies
    (ascending hashes), and the past pruning points."""
    check_keys(params, "params", frozenset())
    kept = header_dag(session).retention()
    return {
        "anticone": [encode_hash(block) for block in kept.anticone],
        "history": [encode_hash(block) for block in sorted(kept.history)],
        "headers": [encode_hash(block) for block in kept.headers],
    }


def _record_pruning_point(dag: HeaderDag) -> None:
    dag.script.call("pruning_point", {})


def _add(dag: HeaderDag, parents: list[Hash], timestamp: int | None = None) -> Hash:
    """Add a block; when it moved the pruning point, record the virtual's parents then and
    what the node now keeps."""
    before = dag.reference.pruning_point()
    block = dag.add(parents, timestamp)
    if dag.reference.pruning_point() != before:
        dag.script.call("virtual", {})
        dag.script.call("retention", {})
    return block


def _chain(dag: HeaderDag, start: Hash, length: int) -> list[Hash]:
    blocks = []
    tip = start
    for _ in range(length):
        tip = _add(dag, [tip], dag.headers[tip].timestamp + SECOND)
        blocks.append(tip)
    return blocks


def chain_case() -> JsonObject:
    """F = 5, P = 12: a chain of 40 blocks. Every block's pruning point, and the node's after
    every fifth block: it moves one epoch at a time once the sink is 12 above a sample."""
    dag = HeaderDag("chain", small_preset(finality_depth=5, merge_depth=3, pruning_depth=12))
    tip = dag.genesis
    for height in range(1, 41):
        tip = _add(dag, [tip])
        dag.info(tip)
        if height % 5 == 0:
            _record_pruning_point(dag)
    return dag.script.case()


def clamps_case() -> JsonObject:
    """F = 6, P = 15 (three sample links), K = 8. A chain to blue score 16, six parallel blocks
    at 17, ``J`` merging them (blue score 23), then a chain of 14 from ``J``. Its 13th block
    starts an epoch at blue score 36: without the sample clamp its walk would pass ``J``
    (23 + 15 > 36) down to the chain block at 12; the clamp stops it at ``J``. The 14th block,
    no sample, is stopped at ``J`` by its selected parent's pruning point."""
    preset = small_preset(
        k=8, mergeset_size_limit=40, finality_depth=6, merge_depth=4, pruning_depth=15
    )
    dag = HeaderDag("each clamp decides", preset)
    tip = _chain(dag, dag.genesis, 16)[-1]
    parallel = [_add(dag, [tip]) for _ in range(6)]
    merged = _add(dag, parallel)
    dag.info(merged)
    for block in _chain(dag, merged, 14):
        dag.info(block)
    _record_pruning_point(dag)
    return dag.script.case()


def jump_case() -> JsonObject:
    """F = 2, P = 5, K = 8: a chain to blue score 10, six parallel blocks, then ``J`` merging
    them at blue score 17. The node's pruning point jumps from the sample at 6 to the one at
    10, and the sample at 8 between them becomes a past pruning point on the way."""
    preset = small_preset(
        k=8, mergeset_size_limit=40, finality_depth=2, merge_depth=1, pruning_depth=5
    )
    dag = HeaderDag("the sink jumps several epochs", preset)
    tip = _chain(dag, dag.genesis, 10)[-1]
    parallel = [_add(dag, [tip]) for _ in range(6)]
    _record_pruning_point(dag)
    merged = _add(dag, parallel)
    dag.info(merged)
    _record_pruning_point(dag)
    return dag.script.case()


def random_dag_case(seed: int) -> JsonObject:
    """F = 8, P = 20, K = 4: 120 blocks of one block per second with up to 2 s of network
    delay (each block takes the tips of the DAG as it was that long before). Every block's
    pruning point; the node's every ten blocks."""
    preset = small_preset(k=4, finality_depth=8, merge_depth=6, pruning_depth=20)
    dag = HeaderDag(f"random DAG, seed {seed}", preset)
    arrivals = Arrivals(seed, dag.headers[dag.genesis].timestamp, 2000, preset.max_block_parents)
    hashes = [dag.genesis]
    for number in range(1, 121):
        now, tips = arrivals.next()
        parents = [hashes[index] for index in tips]
        timestamp = max(now, dag.past_median_time_over(parents) + 1)
        block = _add(dag, parents, timestamp)
        hashes.append(block)
        arrivals.created(tips)
        dag.info(block)
        if number % 10 == 0:
            _record_pruning_point(dag)
    return dag.script.case()


def violation_case() -> JsonObject:
    """F = 4, P = 8: a chain of 30 blocks moves the node's pruning point off genesis. A block
    over genesis alone, or over a chain block below the pruning point, violates it — offered
    twice, it is refused twice the same way (the verdict depends on the node, so it is not
    remembered). A block over the pruning point itself is in its future: accepted."""
    dag = HeaderDag(
        "pruning violation", small_preset(finality_depth=4, merge_depth=2, pruning_depth=8)
    )
    chain = [dag.genesis, *dag.chain(dag.genesis, 30)]
    _record_pruning_point(dag)
    point = dag.reference.pruning_point()
    below = chain[chain.index(point) - 1]
    violation = rejected("PRUNING_VIOLATION")
    for parents in ([dag.genesis], [dag.genesis], [below]):
        timestamp = dag.headers[chain[-1]].timestamp + SECOND
        dag.offer(dag.build(parents, timestamp), violation)
    dag.add([point], dag.headers[chain[-1]].timestamp + SECOND)
    _record_pruning_point(dag)
    return dag.script.case()


def bad_pruning_point_case() -> JsonObject:
    """F = 4, P = 8: headers claiming another pruning point than their expected one are
    rejected with BAD_PRUNING_POINT and remembered invalid (KNOWN_INVALID when offered again,
    INVALID_PARENT for a child); the zero hash, genesis after the pruning point moved, the
    selected parent, and a block of the chain one sample too high."""
    dag = HeaderDag(
        "bad pruning point", small_preset(finality_depth=4, merge_depth=2, pruning_depth=8)
    )
    chain = [dag.genesis, *dag.chain(dag.genesis, 6)]
    early = dag.build([chain[-1]])
    for index, claim in enumerate((Hash(bytes(32)), chain[-1])):
        header = dataclasses.replace(early, pruning_point=claim, nonce=early.nonce + index)
        dag.offer(header, rejected("BAD_PRUNING_POINT"))
    chain += dag.chain(chain[-1], 20)
    late = dag.build([chain[-1]])
    expected = late.pruning_point
    higher = chain[chain.index(expected) + 4]
    wrong = [
        dataclasses.replace(late, pruning_point=claim, nonce=late.nonce + index)
        for index, claim in enumerate((dag.genesis, chain[-1], higher), start=1)
    ]
    for header in wrong:
        dag.offer(header, rejected("BAD_PRUNING_POINT"))
    dag.offer(wrong[-1], rejected("KNOWN_INVALID"))
    child = dataclasses.replace(late, parents_by_level=((header_hash(wrong[-1]),),))
    dag.offer(child, rejected("INVALID_PARENT"))
    dag.offer(late)
    _record_pruning_point(dag)
    return dag.script.case()


def generate(context: GenerationContext) -> list[VectorFile]:
    """The pruning vectors: one file of header-mode cases."""
    seeds = random.Random(f"{context.seed}/pruning").sample(range(1 << 16), 2)
    cases = [
        chain_case(),
        clamps_case(),
        jump_case(),
        *(random_dag_case(seed) for seed in seeds),
        violation_case(),
        bad_pruning_point_case(),
    ]
    document = script_file(
        "pruning",
        CAPABILITIES,
        "Header-mode DAGs with small finality and pruning depths: each block's expected "
        "pruning point (block_info), the node's pruning point and past pruning points, both "
        "clamps of the expected pruning point deciding an answer, a sink jumping several "
        "epochs, random 1-block/s DAGs, pruning violations and wrong header pruning points.",
        cases,
    )
    return [VectorFile("pruning/rules.json", document)]


CAPABILITY = Capability(
    name="pruning",
    methods={"pruning_point": pruning_point, "retention": retention},
    generate=generate,
)
