"""Capability ``reachability``: reflexive DAG and selected-chain ancestry.

Methods ``is_dag_ancestor`` / ``is_chain_ancestor`` ``{"ancestor": H, "descendant": H}`` →
``true`` / ``false``; both are reflexive; an unknown block is ``UNKNOWN_BLOCK``.

Vectors: seeded DAGs grown block by block with queries interleaved (so an implementation that
reorganises its index, as interval reachability does, is queried before and after), mixing
reflexive pairs, true ancestors found by walking parent links, and random pairs. The larger
DAGs carry small ``reindex_depth`` / ``reindex_slack`` overrides: they change no answer, and
they make the reference exercise its reindexing; implementations without those parameters
ignore them. Every file comes in both target forms (``…-bits.json`` for compact bits).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from conformance.dags import DagShape, SeededBlock, seeded_dag
from conformance.kaspa import (
    LICENSE,
    SOURCE_REPOSITORY,
    STRESS_FILES,
    STRESS_FOLDER,
    load_stress_dag,
)
from conformance.protocol import JsonObject, JsonValue, check_keys, decode_hash, encode_hash
from conformance.session import Session
from conformance.suites import Capability, GenerationContext, VectorFile
from conformance.suites.dag import (
    DAG_METHODS,
    FORMS,
    Script,
    TargetForm,
    bits_of,
    block_params,
    consensus_overrides,
    form_path,
    require,
    reset_params,
    script_file,
)
from reference.hash import Hash

_PAIR = frozenset({"ancestor", "descendant"})


def _pair(params: JsonObject) -> tuple[Hash, Hash]:
    check_keys(params, "params", _PAIR)
    return (
        decode_hash(params["ancestor"], "params.ancestor"),
        decode_hash(params["descendant"], "params.descendant"),
    )


def is_dag_ancestor(session: Session, params: JsonObject) -> JsonValue:
    """``ancestor`` is in the past of ``descendant`` (reflexive)."""
    ancestor, descendant = _pair(params)
    return session.dag().is_dag_ancestor_of(ancestor, descendant)


def is_chain_ancestor(session: Session, params: JsonObject) -> JsonValue:
    """``ancestor`` is on the selected chain of ``descendant`` (reflexive)."""
    ancestor, descendant = _pair(params)
    return session.dag().is_chain_ancestor_of(ancestor, descendant)


def _walk_up(block: SeededBlock, by_hash: dict[Hash, SeededBlock], rng: random.Random) -> Hash:
    current = block
    for _ in range(rng.randint(1, 12)):
        if not current.parents:
            break
        current = by_hash[rng.choice(current.parents)]
    return current.hash


def _queries(script: Script, known: Sequence[SeededBlock], rng: random.Random, count: int) -> None:
    by_hash = {block.hash: block for block in known}
    for _ in range(count):
        descendant = rng.choice(known)
        roll = rng.random()
        if roll < 0.15:
            ancestor = descendant.hash
        elif roll < 0.6:
            ancestor = _walk_up(descendant, by_hash, rng)
        else:
            ancestor = rng.choice(known).hash
        pair: JsonObject = {
            "ancestor": encode_hash(ancestor),
            "descendant": encode_hash(descendant.hash),
        }
        script.call("is_dag_ancestor", pair)
        script.call("is_chain_ancestor", pair)


_DAGS = (
    # (blocks, max_width, max_delay, max_parents, reindex overrides)
    (60, 2, 1, 4, None),
    (60, 4, 2, 6, None),
    (80, 6, 3, 8, None),
    (120, 3, 2, 5, (4, 8)),
    (200, 5, 2, 8, (4, 8)),
    (300, 2, 1, 3, (3, 4)),
)


def _stress_cases(context: GenerationContext, form: TargetForm) -> list[JsonObject]:
    """Kaspa's two stress DAGs, queried every 250 blocks and 400 times at the end."""
    if context.shared_dir is None:
        raise FileNotFoundError("the Kaspa stress DAGs need the shared anchors folder")
    cases: list[JsonObject] = []
    for file_name in STRESS_FILES:
        dag = load_stress_dag(context.shared_dir, file_name)
        blocks = [SeededBlock(block, parents, 1) for block, parents in dag]
        rng = context.rng(f"reachability/kaspa/{file_name}")
        name = file_name.removesuffix(".json.gz")
        script = Script(name)
        # Small reindex parameters make the reference re-lay its intervals often; they change
        # no answer, and implementations without them ignore them.
        overrides = consensus_overrides(18, 10, 180)
        overrides["reindex_depth"], overrides["reindex_slack"] = 16, 64
        reset = reset_params(blocks[0], overrides, "kaspa-1bps", form)
        require(script.call("reset", reset), {}, name)
        for position, block in enumerate(blocks[1:], start=2):
            params = block_params(block, form=form)
            require(script.call("add_block", params), {"status": "accepted"}, name)
            if position % 250 == 0:
                _queries(script, blocks[:position], rng, 10)
        _queries(script, blocks, rng, 200)
        cases.append(script.case())
    return cases


def _generated_cases(context: GenerationContext, form: TargetForm) -> list[JsonObject]:
    cases: list[JsonObject] = []
    for index, (size, width, delay, parents, reindex) in enumerate(_DAGS):
        rng = context.rng(f"reachability/{index}")
        blocks = seeded_dag(rng, DagShape(size, width, delay, parents, (1, 2, 3)))
        name = f"dag{index} {size} blocks width<={width} delay<={delay}"
        script = Script(name)
        overrides = consensus_overrides(3, 32, 1000)
        if reindex is not None:
            overrides["reindex_depth"], overrides["reindex_slack"] = reindex
        require(script.call("reset", reset_params(blocks[0], overrides, form=form)), {}, name)
        for position, block in enumerate(blocks[1:], start=2):
            params = block_params(block, form=form)
            require(script.call("add_block", params), {"status": "accepted"}, name)
            if position % 20 == 0:
                _queries(script, blocks[:position], rng, 10)
        _queries(script, blocks, rng, 60)
        unknown: JsonObject = {"ancestor": "11" * 32, "descendant": encode_hash(blocks[0].hash)}
        script.call("is_dag_ancestor", unknown)
        script.call(
            "is_chain_ancestor", {"ancestor": unknown["descendant"], "descendant": "11" * 32}
        )
        cases.append(script.case())
    return cases


def generate(context: GenerationContext) -> list[VectorFile]:
    """``reachability/generated.json`` and ``reachability/kaspa-stress.json``, each in both
    target forms."""
    files: list[VectorFile] = []
    for form in FORMS:
        description = (
            "Seeded DAGs grown block by block; DAG and chain ancestry queries interleaved "
            f"(reflexive pairs, true ancestors, random pairs) and unknown blocks (targets as "
            f"{form})."
        )
        target = "difficulty 1" if form == "difficulty" else f"bits {bits_of(1):#x} (work 1)"
        stress = script_file(
            "reachability",
            ["reachability", form],
            "Kaspa's two 4,091-block reachability stress DAGs (K = 18; 'attack' is shaped to "
            "force reindexing), grown block by block with ancestry queries every 250 blocks and "
            "at the end. Kaspa publishes no expectations for them; these are the "
            "specification's answers, checked against independent past sets and selected "
            f"chains (targets as {form}).",
            _stress_cases(context, form),
            source={
                "repository": SOURCE_REPOSITORY,
                "path": f"{STRESS_FOLDER}/{{{','.join(STRESS_FILES)}}}",
                "mirror": "https://github.com/kaspanet/kaspad (same files)",
                "license": LICENSE,
                "conversion": "block hash = the ID's ASCII bytes right-padded with zero bytes; "
                f"every block {target}; topology unchanged",
            },
        )
        files.append(
            VectorFile(
                form_path("reachability/generated.json", form),
                script_file(
                    "reachability",
                    ["reachability", form],
                    description,
                    _generated_cases(context, form),
                ),
            )
        )
        files.append(VectorFile(form_path("reachability/kaspa-stress.json", form), stress))
    return files


CAPABILITY = Capability(
    name="reachability",
    methods={
        **DAG_METHODS,
        "is_dag_ancestor": is_dag_ancestor,
        "is_chain_ancestor": is_chain_ancestor,
    },
    generate=generate,
)
