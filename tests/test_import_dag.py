"""``dagspec import-dag``: a DAG shape mined into a node's data directory.

The shapes are built here in rounds: every block of a round names every block of the round
before, so each block's past is genesis plus every earlier round. With rounds narrower than
K every block is blue, and a block's blue score is the size of its past — what the test
expects, counted from the shape without the reference.
"""

from __future__ import annotations

import gzip
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from reference.errors import InvalidParameter
from reference.node.data_dir import open_data_dir, store_path
from reference.node.dev_networks import NODE_NETWORKS
from reference.node.import_dag import import_shape, parse_shape
from reference.node.node import Node
from reference.stores.sqlite.check import check_store

ROOT = Path(__file__).resolve().parent.parent
NETWORK = NODE_NETWORKS["devnet-skip-pow"]


def round_shape(rounds: int, seed: int) -> tuple[list[dict[str, object]], list[list[str]]]:
    """A shape of ``rounds`` rounds of 1 to 3 blocks after genesis, and its rounds."""
    rng = random.Random(seed)
    shape: list[dict[str, object]] = [{"id": "0", "parents": None}]
    layers = [["0"]]
    for _ in range(rounds):
        layer = [str(len(shape) + i) for i in range(rng.randint(1, 3))]
        for block in layer:
            shape.append({"id": block, "parents": list(layers[-1])})
        layers.append(layer)
    return shape, layers


def dagspec(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "conformance.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_import_dag_mines_the_shape_and_a_second_import_adds_nothing(tmp_path: Path) -> None:
    shape, layers = round_shape(60, seed=3)
    assert max(len(layer) for layer in layers) < NETWORK.preset.k
    file = tmp_path / "shape.json.gz"
    file.write_bytes(gzip.compress(json.dumps(shape).encode()))
    data_dir = tmp_path / "node"
    expected_score = sum(len(layer) for layer in layers[:-1])  # the sink's past: all blue
    first = dagspec("import-dag", str(file), "--data-dir", str(data_dir))
    assert first.returncode == 0, first.stderr
    assert f"{len(shape) - 1} blocks ({len(shape) - 1} new)" in first.stdout
    assert f"at blue score {expected_score}" in first.stdout
    again = dagspec("import-dag", str(file), "--data-dir", str(data_dir))
    assert again.returncode == 0, again.stderr
    assert f"{len(shape) - 1} blocks (0 new)" in again.stdout
    assert first.stdout.split("sink ")[1] == again.stdout.split("sink ")[1]
    assert check_store(store_path(data_dir)) == []


def test_imported_blocks_have_the_shapes_parents_and_blue_scores(tmp_path: Path) -> None:
    shape, layers = round_shape(40, seed=5)
    consensus = open_data_dir(tmp_path / "node", NETWORK)
    try:
        result = import_shape(Node(NETWORK, consensus=consensus), parse_shape(shape))
        assert result.added == result.blocks == len(shape) - 1
        past = 0
        for layer, before in zip(layers[1:], layers, strict=False):
            past += len(before)
            for block in layer:
                held = consensus.header(result.hashes[block]).parents
                assert set(held) == {result.hashes[p] for p in before}
                assert consensus.ghostdag_data(result.hashes[block]).blue_score == past
                assert consensus.body(result.hashes[block]) is not None
        assert len(consensus.tips()) == len(layers[-1])
    finally:
        consensus.close()


@pytest.mark.parametrize(
    ("shape", "fault"),
    [
        ({"id": "0"}, "array"),
        ([], "array"),
        ([{"id": "0", "parents": ["1"]}], "genesis has no parents"),
        ([{"id": "0", "parents": []}, {"id": "1", "parents": []}], "only genesis"),
        ([{"id": "0", "parents": []}, {"id": "1", "parents": ["2"]}], "not listed before"),
        ([{"id": "0", "parents": []}, {"id": "0", "parents": ["0"]}], "listed twice"),
        ([{"id": "0", "parents": []}, {"id": "1", "parents": ["0", "0"]}], "named twice"),
        ([{"id": 1.5, "parents": []}], "string or an integer"),
        ([{"id": "0", "parents": "x"}], "list of ids"),
    ],
)
def test_a_malformed_shape_is_refused_with_its_fault(shape: object, fault: str) -> None:
    with pytest.raises(InvalidParameter, match=fault):
        parse_shape(shape)


def test_a_shape_breaking_a_rule_or_a_data_dir_of_another_network_is_refused(
    tmp_path: Path,
) -> None:
    # Block 2 names genesis and its own parent: parents that are not an antichain.
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"id": 0}, {"id": 1, "parents": [0]}, {"id": 2, "parents": [0, 1]}]))
    refused = dagspec("import-dag", str(bad), "--data-dir", str(tmp_path / "a"))
    assert refused.returncode == 1
    assert "PARENTS_NOT_ANTICHAIN" in refused.stderr and "shape id 2" in refused.stderr
    assert check_store(store_path(tmp_path / "a")) == []  # block 1 stays, whole
    devnet = NODE_NETWORKS["devnet"]
    open_data_dir(tmp_path / "b", devnet).close()
    good = tmp_path / "good.json"
    good.write_text(json.dumps(round_shape(2, seed=1)[0]))
    mismatch = dagspec("import-dag", str(good), "--data-dir", str(tmp_path / "b"))
    assert mismatch.returncode == 1
    assert "another network than devnet-skip-pow" in mismatch.stderr
