"""Capability ``ghostdag``: each block's selected parent, colouring, blue score and blue work.

Method ``ghostdag`` ``{"hash": H}`` → ``{"selected_parent", "mergeset_blues",
"mergeset_reds", "blue_score", "blue_work", "blues_anticone_sizes"}``; genesis answers
``selected_parent: null``, empty lists and maps, score 0 and work ``"0x0"``.

Suites:

- ``ghostdag`` — seeded layered DAGs over K = 0…8 and small difficulty sets (so blue-work
  ties and hash tie-breaks happen), each block's full GHOSTDAG data queried right after it is
  accepted;
- ``kaspa`` — Kaspa's six DAG files, converted with their expectations (no anticone sizes:
  Kaspa publishes none, so only the published fields are expected);
- ``orders`` — the same DAGs delivered in other topological orders: every answer must be the
  one of the first order.

Every file comes in both target forms (``conformance.suites.dag.FORMS``): the seeded DAGs with
``difficulty`` (``ghostdag/generated.json``) and with ``bits`` (``…-bits.json``); Kaspa's
DAGs with Kaspa's ``bits`` (``kaspa/dag0.json``) and with the difficulty of the same work
(``…-difficulty.json``), so Kaspa's expectations hold unchanged in both.
"""

from __future__ import annotations

from collections.abc import Sequence

from conformance.dags import DagShape, SeededBlock, reorder, seeded_dag
from conformance.kaspa import (
    KASPA_GENESIS_BITS,
    LICENSE,
    MIRROR,
    SOURCE_FOLDER,
    SOURCE_REPOSITORY,
    KaspaBlock,
    KaspaDag,
    load_kaspa_dags,
)
from conformance.protocol import (
    JsonObject,
    JsonValue,
    check_keys,
    decode_hash,
    encode_hash,
    encode_int,
)
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
    hash_params,
    require,
    reset_params,
    script_file,
)
from reference.hash import Hash
from reference.processes.ghostdag.data import GhostdagData
from reference.work import target_from_difficulty, work_from_target

ACCEPTED: JsonValue = {"status": "accepted"}
"""The reply of an accepted block."""


def encode_ghostdag(data: GhostdagData) -> JsonObject:
    """GHOSTDAG data on the wire."""
    sizes: JsonObject = {
        encode_hash(block): size for block, size in sorted(data.blues_anticone_sizes.items())
    }
    return {
        "selected_parent": None
        if data.selected_parent is None
        else encode_hash(data.selected_parent),
        "mergeset_blues": [encode_hash(block) for block in data.mergeset_blues],
        "mergeset_reds": [encode_hash(block) for block in data.mergeset_reds],
        "blue_score": data.blue_score,
        "blue_work": encode_int(data.blue_work),
        "blues_anticone_sizes": sizes,
    }


def ghostdag(session: Session, params: JsonObject) -> JsonValue:
    """``{"hash": H}`` → the block's GHOSTDAG data; ``UNKNOWN_BLOCK`` when absent."""
    check_keys(params, "params", frozenset({"hash"}))
    block = decode_hash(params["hash"], "params.hash")
    return encode_ghostdag(session.dag().ghostdag_data(block))


# ---------------------------------------------------------------------------- generation

_SHAPES = (
    # (k, max_width, max_delay, max_parents, difficulties)
    (0, 2, 1, 3, (1,)),
    (1, 3, 1, 4, (1, 2)),
    (2, 3, 2, 4, (1, 2, 3)),
    (3, 4, 2, 5, (1, 2, 3)),
    (3, 5, 3, 6, (1,)),
    (4, 5, 2, 6, (1, 2, 3, 5)),
    (5, 6, 3, 8, (2, 3)),
    (8, 6, 3, 8, (1, 2, 3)),
    (2, 4, 1, 4, (1 << 60, (1 << 60) + 1, 1 << 61)),
    (3, 4, 2, 5, (1, 1000, 1 << 64)),
)
_BLOCKS_PER_DAG = 40
_LIMIT = 1000  # mergeset size limit far above what these DAGs merge: no rejections here


def generated_dags(context: GenerationContext) -> list[tuple[str, int, list[SeededBlock]]]:
    """``(name, k, blocks)`` of every seeded GHOSTDAG DAG (two per shape)."""
    dags: list[tuple[str, int, list[SeededBlock]]] = []
    for index, (k, width, delay, parents, difficulties) in enumerate(_SHAPES * 2):
        shape = DagShape(_BLOCKS_PER_DAG, width, delay, parents, difficulties)
        name = f"dag{index:02d} k={k} width<={width} delay<={delay}"
        dags.append((name, k, seeded_dag(context.rng(f"ghostdag/{index}"), shape)))
    return dags


def ghostdag_case(
    name: str, k: int, blocks: Sequence[SeededBlock], form: TargetForm = "difficulty"
) -> Script:
    """Reset, then each block added and its GHOSTDAG data queried; genesis queried first."""
    script = Script(name)
    overrides = consensus_overrides(k, 32, _LIMIT)
    require(script.call("reset", reset_params(blocks[0], overrides, form=form)), {}, name)
    script.call("ghostdag", hash_params(blocks[0].hash))
    for block in blocks[1:]:
        require(script.call("add_block", block_params(block, form=form)), ACCEPTED, name)
        script.call("ghostdag", hash_params(block.hash))
    script.call("ghostdag", hash_params(Hash(bytes(32))))  # unknown block
    return script


_KASPA_FIELDS = ("selected_parent", "mergeset_blues", "mergeset_reds", "blue_score", "blue_work")


def kaspa_difficulty(work: int) -> int:
    """The difficulty whose work is ``work``: how the difficulty form of Kaspa's DAGs keeps
    Kaspa's blue work (``W × ExpectedScore``) unchanged."""
    for difficulty in range(max(work - 2, 1), work + 3):
        if work_from_target(target_from_difficulty(difficulty)) == work:
            return difficulty
    raise RuntimeError(f"vector generation: no difficulty has work {work}")


def _kaspa_target(dag: KaspaDag, form: TargetForm) -> JsonObject:
    if form == "bits":
        return {"bits": KASPA_GENESIS_BITS}
    return {"difficulty": encode_int(kaspa_difficulty(dag.work))}


def kaspa_case(
    dag: KaspaDag, blocks: Sequence[KaspaBlock], name: str, form: TargetForm = "bits"
) -> JsonObject:
    """Kaspa's expectations for ``blocks`` (one topological order of ``dag``)."""
    script = Script(name)
    overrides = consensus_overrides(dag.k, 10, 180)
    target = _kaspa_target(dag, form)
    script.expect(
        "reset",
        {
            "preset": "kaspa-1bps",
            "overrides": overrides,
            "genesis": {"hash": encode_hash(dag.genesis), **target},
        },
        {"result": {}},
    )
    for block in blocks:
        params: JsonObject = {
            "hash": encode_hash(block.hash),
            "parents": [encode_hash(parent) for parent in block.parents],
            **target,
        }
        script.expect("add_block", params, {"result": ACCEPTED})
        fields: JsonObject = {
            "selected_parent": encode_hash(block.selected_parent),
            "mergeset_blues": [encode_hash(blue) for blue in block.blues],
            "mergeset_reds": [encode_hash(red) for red in block.reds],
            "blue_score": block.blue_score,
            "blue_work": encode_int(dag.work * block.blue_score),
        }
        script.expect("ghostdag", hash_params(block.hash), {"fields": fields})
    return script.case()


def _kaspa_source(dag: KaspaDag, form: TargetForm) -> JsonObject:
    target = f"every block and genesis carry bits {KASPA_GENESIS_BITS:#x} (work W = {dag.work})"
    if form == "difficulty":
        target = (
            f"every block and genesis carry difficulty {kaspa_difficulty(dag.work)}, whose work "
            f"is W = {dag.work}, the work of Kaspa's bits {KASPA_GENESIS_BITS:#x}"
        )
    return {
        "repository": SOURCE_REPOSITORY,
        "path": f"{SOURCE_FOLDER}/{dag.name}.json",
        "mirror": MIRROR,
        "license": LICENSE,
        "conversion": (
            f"hash = ID's ASCII bytes right-padded with zero bytes to 32 bytes; {target}; "
            "blue_work = W * ExpectedScore; blues and reds kept as ordered lists; the top-level "
            "ExpectedReds of dag0/dag2 is not checked by either Kaspa harness and is left out"
        ),
    }


def _reordered_kaspa(dag: KaspaDag, context: GenerationContext, round_: int) -> list[KaspaBlock]:
    by_hash = {block.hash: block for block in dag.blocks}
    genesis = SeededBlock(dag.genesis, (), 1)
    seeded = [genesis] + [SeededBlock(b.hash, b.parents, 1) for b in dag.blocks]
    order = reorder(seeded, context.rng(f"orders/kaspa/{dag.name}/{round_}"))
    return [by_hash[block.hash] for block in order[1:]]


def _generated_files(context: GenerationContext, form: TargetForm) -> list[VectorFile]:
    """``ghostdag/generated.json`` and ``orders/generated.json`` in one target form."""
    dags = generated_dags(context)
    scripts = [ghostdag_case(name, k, blocks, form) for name, k, blocks in dags]
    generated_orders: list[JsonObject] = []
    for (name, _, blocks), first in zip(dags[:6], scripts, strict=False):
        for round_ in (1, 2):
            order = reorder(blocks, context.rng(f"orders/{name}/{round_}"))
            generated_orders.append(_same_answers(first, order, f"{name} order {round_}", form))
    return [
        VectorFile(
            form_path("ghostdag/generated.json", form),
            script_file(
                "ghostdag",
                ["ghostdag", form],
                "Seeded layered network-delay DAGs over K = 0..8; every block's full GHOSTDAG "
                f"data right after it is accepted, genesis first, then one unknown block "
                f"(targets as {form}).",
                [script.case() for script in scripts],
            ),
        ),
        VectorFile(
            form_path("orders/generated.json", form),
            script_file(
                "orders",
                ["ghostdag", form],
                "Seeded DAGs of the ghostdag suite in two other topological orders each; every "
                "block's GHOSTDAG data must equal its data in the first order "
                f"(targets as {form}).",
                generated_orders,
            ),
        ),
    ]


def _kaspa_files(context: GenerationContext, form: TargetForm) -> list[VectorFile]:
    """``kaspa/dag0..5.json`` and ``orders/kaspa.json`` in one target form."""
    if context.shared_dir is None:
        raise FileNotFoundError("the Kaspa DAG files need the shared anchors folder")
    kaspa = load_kaspa_dags(context.shared_dir)
    files: list[VectorFile] = []
    for dag in kaspa:
        case = kaspa_case(
            dag, dag.blocks, f"{dag.name} (K={dag.k}, {len(dag.blocks)} blocks)", form
        )
        files.append(
            VectorFile(
                form_path(f"kaspa/{dag.name}.json", form, plain="bits"),
                script_file(
                    "kaspa",
                    ["ghostdag", form],
                    f"Kaspa's GHOSTDAG vector {dag.name}, converted: selected parent, ordered "
                    f"blues and reds, blue score and blue work of every block (targets as {form}).",
                    [case],
                    source=_kaspa_source(dag, form),
                ),
            )
        )
    orders = [
        kaspa_case(dag, _reordered_kaspa(dag, context, round_), f"{dag.name} order {round_}", form)
        for dag in kaspa
        for round_ in (1, 2)
    ]
    files.append(
        VectorFile(
            form_path("orders/kaspa.json", form, plain="bits"),
            script_file(
                "orders",
                ["ghostdag", form],
                "Kaspa's six DAGs delivered in two other seeded topological orders each; the "
                f"expectations are Kaspa's, which do not depend on the order (targets as {form}).",
                orders,
                source={
                    "repository": SOURCE_REPOSITORY,
                    "path": f"{SOURCE_FOLDER}/dag0.json … dag5.json",
                    "mirror": MIRROR,
                    "license": LICENSE,
                },
            ),
        )
    )
    return files


def generate(context: GenerationContext) -> list[VectorFile]:
    """``ghostdag/generated*.json``, ``kaspa/dag0..5*.json``, ``orders/*.json``: each in
    both target forms."""
    files: list[VectorFile] = []
    for form in FORMS:
        generated = _generated_files(context, form)
        files += [generated[0], *_kaspa_files(context, form), generated[1]]
    return files


def _same_answers(
    first: Script, order: Sequence[SeededBlock], name: str, form: TargetForm
) -> JsonObject:
    """A case adding ``order``, each block expected to get its answer from ``first``."""
    expected = first.expectations("ghostdag", "hash")
    script = Script(name)
    script.steps.append(first.steps[0])
    for block in order[1:]:
        script.expect("add_block", block_params(block, form=form), {"result": ACCEPTED})
        key = encode_hash(block.hash)
        script.expect("ghostdag", hash_params(block.hash), expected[key])
    return script.case()


CAPABILITY = Capability(
    name="ghostdag",
    methods={**DAG_METHODS, "ghostdag": ghostdag},
    generate=generate,
)
