"""Capability ``virtual``: the virtual block over the current tips, after every step.

Method ``virtual`` ``{}`` → ``{"parents", "selected_parent", "blue_score", "blue_work",
"mergeset_blues", "mergeset_reds"}``: the parents in descending ``(blue_work, hash)`` (the
sink first, then other tips greedily while the parent count and the mergeset size limit
allow), and the virtual's GHOSTDAG data over them.

Vectors: seeded DAGs under tight ``max_block_parents`` and ``mergeset_size_limit`` (so the
greedy parent choice skips and stops), the virtual queried after the reset and after every
offered header. ``virtual/generated.json`` offers only headers the rules accept, so it needs
nothing but ``virtual``; ``virtual/rejections.json`` offers every generated header — some
break the mergeset limit, more then have an unknown parent — and so also needs
``validation``: after a rejection the virtual must not have moved. Both come in both target
forms.
"""

from __future__ import annotations

from conformance.dags import DagShape, SeededBlock, seeded_dag
from conformance.protocol import JsonObject, JsonValue, check_keys, encode_hash, encode_int
from conformance.session import Session
from conformance.suites import Capability, GenerationContext, VectorFile
from conformance.suites.dag import (
    DAG_METHODS,
    FORMS,
    Script,
    TargetForm,
    block_params,
    consensus_overrides,
    form_path,
    require,
    reset_params,
    script_file,
)
from reference.hash import HASH_SIZE, Hash

_ACCEPTED: JsonValue = {"status": "accepted"}


def virtual(session: Session, params: JsonObject) -> JsonValue:
    """``{}`` → the virtual block's parents and GHOSTDAG data."""
    check_keys(params, "params")
    consensus = session.dag()
    state = consensus.virtual_state()
    result: JsonObject = {
        "parents": [encode_hash(parent) for parent in state.parents],
        "selected_parent": encode_hash(state.selected_parent),
        "blue_score": state.blue_score,
        "blue_work": encode_int(state.blue_work),
        "mergeset_blues": [encode_hash(block) for block in state.mergeset_blues],
        "mergeset_reds": [encode_hash(block) for block in state.mergeset_reds],
    }
    if consensus.header_mode:
        difficulty = consensus.virtual_difficulty()
        result["daa_score"] = difficulty.daa_score
        result["bits"] = difficulty.bits
        result["past_median_time"] = difficulty.past_median_time
    return result


_SHAPES = (
    # (k, max_block_parents, mergeset_size_limit, blocks, max_width, max_delay)
    (1, 2, 4, 30, 3, 1),
    (2, 3, 5, 30, 4, 2),
    (3, 4, 8, 40, 5, 2),
    (3, 2, 6, 40, 6, 3),
    (4, 6, 10, 40, 6, 3),
    (0, 3, 3, 30, 3, 2),
    (5, 8, 20, 50, 8, 3),
    (2, 16, 12, 40, 6, 2),
)


def _scripts(context: GenerationContext, form: TargetForm) -> tuple[list[Script], list[Script]]:
    """Per shape: the case offering only the headers the reference accepts, and the case
    offering every generated header and an orphan (some rejected)."""
    clean: list[Script] = []
    full: list[Script] = []
    for index, (k, max_parents, limit, size, width, delay) in enumerate(_SHAPES):
        rng = context.rng(f"virtual/{index}")
        shape = DagShape(size, width, delay, max_parents, (1, 2, 3))
        blocks = seeded_dag(rng, shape)
        name = f"dag{index} k={k} max_parents={max_parents} mergeset_limit={limit}"
        reset = reset_params(blocks[0], consensus_overrides(k, max_parents, limit), form=form)
        script = Script(name)
        script.call("reset", reset)
        script.call("virtual", {})
        accepted: list[SeededBlock] = []
        for block in blocks[1:]:
            # Under a tight mergeset limit some generated blocks are rejected, and then so
            # are blocks above them (UNKNOWN_PARENT): the virtual must not move on either.
            reply = script.call("add_block", block_params(block, form=form))
            if reply.get("result") == {"status": "accepted"}:
                accepted.append(block)
            script.call("virtual", {})
        orphan = SeededBlock(Hash(rng.randbytes(HASH_SIZE)), (Hash(rng.randbytes(HASH_SIZE)),), 1)
        script.call("add_block", block_params(orphan, form=form))
        script.call("virtual", {})
        full.append(script)
        valid = Script(name)
        valid.call("reset", reset)
        valid.call("virtual", {})
        for block in accepted:
            require(valid.call("add_block", block_params(block, form=form)), _ACCEPTED, name)
            valid.call("virtual", {})
        clean.append(valid)
    return clean, full


def generate(context: GenerationContext) -> list[VectorFile]:
    """``virtual/generated.json`` and ``virtual/rejections.json``, each in both target forms."""
    files: list[VectorFile] = []
    for form in FORMS:
        clean, full = _scripts(context, form)
        files.append(
            VectorFile(
                form_path("virtual/generated.json", form),
                script_file(
                    "virtual",
                    ["virtual", form],
                    "The virtual block (parents, selected parent, blue score and work, mergeset "
                    "colouring) after the reset and after every accepted header, under tight "
                    f"parent and mergeset limits (targets as {form}).",
                    [script.case() for script in clean],
                ),
            )
        )
        files.append(
            VectorFile(
                form_path("virtual/rejections.json", form),
                script_file(
                    "virtual",
                    ["virtual", "validation", form],
                    "The same DAGs with every generated header offered, including those the "
                    "mergeset limit rejects, the headers above them and an orphan: rejected "
                    f"headers leave the virtual where it was (targets as {form}).",
                    [script.case() for script in full],
                ),
            )
        )
    return files


CAPABILITY = Capability(
    name="virtual", methods={**DAG_METHODS, "virtual": virtual}, generate=generate
)
