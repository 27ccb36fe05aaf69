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
    Script,
    block_params,
    consensus_overrides,
    hash_params,
    require,
    reset_params,
    script_file,
)
from reference.hash import Hash
from reference.processes.ghostdag.data import GhostdagData

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


def ghostdag_case(name: str, k: int, blocks: Sequence[SeededBlock]) -> Script:
    """Reset, then each block added and its GHOSTDAG data queried; genesis queried first."""
    script = Script(name)
    overrides = consensus_overrides(k, 32, _LIMIT)
    require(script.call("reset", reset_params(blocks[0], overrides)), {}, name)
    script.call("ghostdag", hash_params(blocks[0].hash))
    for block in blocks[1:]:
        require(script.call("add_block", block_params(block)), ACCEPTED, name)
        script.call("ghostdag", hash_params(block.hash))
    script.call("ghostdag", hash_params(Hash(bytes(32))))  # unknown block
    return script


_KASPA_FIELDS = ("selected_parent", "mergeset_blues", "mergeset_reds", "blue_score", "blue_work")


def kaspa_case(dag: KaspaDag, blocks: Sequence[KaspaBlock], name: str) -> JsonObject:
    """Kaspa's expectations for ``blocks`` (one topological order of ``dag``)."""
    script = Script(name)
    overrides = consensus_overrides(dag.k, 10, 180)
    script.expect(
        "reset",
        {
            "preset": "kaspa-1bps",
            "overrides": overrides,
            "genesis": {"hash": encode_hash(dag.genesis), "bits": KASPA_GENESIS_BITS},
        },
        {"result": {}},
    )
    for block in blocks:
        params: JsonObject = {
            "hash": encode_hash(block.hash),
            "parents": [encode_hash(parent) for parent in block.parents],
            "bits": KASPA_GENESIS_BITS,
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


def _kaspa_source(dag_name: str) -> JsonObject:
    return {
        "repository": SOURCE_REPOSITORY,
        "path": f"{SOURCE_FOLDER}/{dag_name}.json",
        "mirror": MIRROR,
        "license": LICENSE,
        "conversion": (
            "hash = ID's ASCII bytes right-padded with zero bytes to 32 bytes; every block and "
            "genesis carry bits 0x1d02ca33 (work W = 1539502703); blue_work = W * "
            "ExpectedScore; blues and reds kept as ordered lists; the top-level ExpectedReds "
            "of dag0/dag2 is not checked by either Kaspa harness and is left out"
        ),
    }


def _reordered_kaspa(dag: KaspaDag, context: GenerationContext, round_: int) -> list[KaspaBlock]:
    by_hash = {block.hash: block for block in dag.blocks}
    genesis = SeededBlock(dag.genesis, (), 1)
    seeded = [genesis] + [SeededBlock(b.hash, b.parents, 1) for b in dag.blocks]
    order = reorder(seeded, context.rng(f"orders/kaspa/{dag.name}/{round_}"))
    return [by_hash[block.hash] for block in order[1:]]


def generate(context: GenerationContext) -> list[VectorFile]:
    """``ghostdag/generated.json``, ``kaspa/dag0..5.json``, ``orders/*.json``."""
    files: list[VectorFile] = []
    dags = generated_dags(context)
    scripts = [ghostdag_case(name, k, blocks) for name, k, blocks in dags]
    cases = [script.case() for script in scripts]
    files.append(
        VectorFile(
            "ghostdag/generated.json",
            script_file(
                "ghostdag",
                ["ghostdag"],
                "Seeded layered network-delay DAGs over K = 0..8; every block's full GHOSTDAG "
                "data right after it is accepted, genesis first, then one unknown block.",
                cases,
            ),
        )
    )
    if context.shared_dir is None:
        raise FileNotFoundError("the Kaspa DAG files need the shared anchors folder")
    kaspa = load_kaspa_dags(context.shared_dir)
    for dag in kaspa:
        case = kaspa_case(dag, dag.blocks, f"{dag.name} (K={dag.k}, {len(dag.blocks)} blocks)")
        files.append(
            VectorFile(
                f"kaspa/{dag.name}.json",
                script_file(
                    "kaspa",
                    ["ghostdag", "bits"],
                    f"Kaspa's GHOSTDAG vector {dag.name}, converted: selected parent, ordered "
                    "blues and reds, blue score and blue work of every block.",
                    [case],
                    source=_kaspa_source(dag.name),
                ),
            )
        )
    orders = [
        kaspa_case(dag, _reordered_kaspa(dag, context, round_), f"{dag.name} order {round_}")
        for dag in kaspa
        for round_ in (1, 2)
    ]
    files.append(
        VectorFile(
            "orders/kaspa.json",
            script_file(
                "orders",
                ["ghostdag", "bits"],
                "Kaspa's six DAGs delivered in two other seeded topological orders each; the "
                "expectations are Kaspa's, which do not depend on the order.",
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
    generated_orders: list[JsonObject] = []
    for (name, _, blocks), first in zip(dags[:6], scripts, strict=False):
        for round_ in (1, 2):
            order = reorder(blocks, context.rng(f"orders/{name}/{round_}"))
            generated_orders.append(_same_answers(first, order, f"{name} order {round_}"))
    files.append(
        VectorFile(
            "orders/generated.json",
            script_file(
                "orders",
                ["ghostdag"],
                "Seeded DAGs of the ghostdag suite in two other topological orders each; every "
                "block's GHOSTDAG data must equal its data in the first order.",
                generated_orders,
            ),
        )
    )
    return files


def _same_answers(first: Script, order: Sequence[SeededBlock], name: str) -> JsonObject:
    """A case adding ``order``, each block expected to get its answer from ``first``."""
    expected = first.expectations("ghostdag", "hash")
    script = Script(name)
    script.steps.append(first.steps[0])
    for block in order[1:]:
        script.expect("add_block", block_params(block), {"result": ACCEPTED})
        key = encode_hash(block.hash)
        script.expect("ghostdag", hash_params(block.hash), expected[key])
    return script.case()


CAPABILITY = Capability(
    name="ghostdag",
    methods={**DAG_METHODS, "ghostdag": ghostdag},
    generate=generate,
)
