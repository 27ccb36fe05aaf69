"""``dagspec node --p2p-port`` / ``--connect``: node processes syncing over loopback.

One node process serves a DAG imported into its data directory (``dagspec import-dag``'s
``import_shape``); another, started empty with ``--connect``, syncs it: both then report the
same sink and block count, ``get_peers`` shows each side's connection, ``get_sync_status``
the finished IBD, and the syncing node printed its progress line. A syncing node with a data
directory killed during its IBD resumes after a restart and completes.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from reference.consensus import Consensus
from reference.hash import Hash
from reference.node.data_dir import open_data_dir, store_path
from reference.node.dev_networks import NODE_NETWORKS
from reference.node.import_dag import import_shape, parse_shape
from reference.node.node import Node
from reference.stores.sqlite.check import check_store
from tests.test_node_data_dir import call

ROOT = Path(__file__).resolve().parent.parent
NETWORK = NODE_NETWORKS["devnet-skip-pow"]
SCHEMA = json.loads((ROOT / "conformance/schemas/rpc.schema.json").read_text())


def check_schema(method: str, result: Any) -> None:
    """``result`` is a reply of ``method`` as the published schema describes it."""
    schema = {"$defs": SCHEMA["$defs"], "$ref": f"#/$defs/results/{method}"}
    Draft202012Validator(schema).validate(result)


class NodeProcess:
    """A ``dagspec node`` process whose output lines are collected as they come."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "conformance.cli", "node", "--preset", NETWORK.name),
                *("--rpc-port", "0", "--wrpc-json-port", "0", *args),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        wait_until(lambda: any(line.startswith("wrpc-json:") for line in self.lines), 60)
        (rpc,) = [line for line in self.lines if line.startswith("json-rpc:")]
        self.url = rpc.split(": ", 1)[1]
        p2p = [line for line in self.lines if line.startswith("p2p:")]
        self.p2p = p2p[0].split(": ", 1)[1] if p2p else ""

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def call(self, method: str, **params: Any) -> Any:
        return call(self.url, method, **params)

    def kill(self, signum: int = signal.SIGKILL) -> int:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signum)
        return self.process.wait(timeout=15)


@contextmanager
def node_process(*args: str) -> Iterator[NodeProcess]:
    node = NodeProcess(*args)
    try:
        yield node
    except BaseException:
        # The node's own lines (IBD progress, peer errors) say why a wait timed out.
        print(f"--- output of dagspec node {' '.join(args)} ---", *node.lines[-40:], sep="\n")
        raise
    finally:
        node.kill()


def wait_until(predicate: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def wide_shape(blocks: int, seed: int) -> list[dict[str, object]]:
    """A shape of ``blocks`` blocks after genesis, each over 1 to 3 of the current tips."""
    rng = random.Random(seed)
    shape: list[dict[str, object]] = [{"id": 0, "parents": []}]
    tips = [0]
    for block in range(1, blocks + 1):
        parents = rng.sample(tips, min(len(tips), rng.choice((1, 2, 3))))
        # Tips not taken stay tips: the DAG keeps a width of a few blocks.
        tips = [tip for tip in tips if tip not in parents] + [block]
        shape.append({"id": block, "parents": parents})
    return shape


def syncer_dir(tmp_path: Path, blocks: int) -> tuple[Path, str]:
    """A data directory holding a DAG of ``blocks`` blocks; its sink."""
    data_dir = tmp_path / "syncer"
    consensus = open_data_dir(data_dir, NETWORK)
    try:
        result = import_shape(
            Node(NETWORK, consensus=consensus), parse_shape(wide_shape(blocks, 7))
        )
    finally:
        consensus.close()
    return data_dir, result.sink.hex()


def test_a_node_started_with_connect_syncs_an_imported_dag(tmp_path: Path) -> None:
    data_dir, sink = syncer_dir(tmp_path, 300)
    with node_process("--data-dir", str(data_dir), "--p2p-port", "0") as syncer:
        assert re.fullmatch(r"127\.0\.0\.1:\d+", syncer.p2p)
        assert syncer.call("get_sync_status")["p2p"] is True
        with node_process("--connect", syncer.p2p) as syncee:
            # Headers first (the sink moves with them), then the bodies.
            wait_until(lambda: syncee.call("get_dag_info")["block_count"] == 301, 120)
            assert syncee.call("get_dag_info")["sink"] == sink
            theirs, ours = syncer.call("get_dag_info"), syncee.call("get_dag_info")
            assert ours["block_count"] == theirs["block_count"] == 301
            assert ours["tips"] == theirs["tips"]
            (peer,) = syncee.call("get_peers")
            assert peer["address"] == syncer.p2p and peer["inbound"] is False
            assert peer["listen_port"] == int(syncer.p2p.rsplit(":", 1)[1])
            (back,) = syncer.call("get_peers")
            assert back["inbound"] is True and back["ban_score"] == 0
            wait_until(lambda: syncee.call("get_sync_status")["phase"] == "done", 10)
            status = syncee.call("get_sync_status")
            check_schema("get_sync_status", status)
            check_schema("get_peers", [peer])
            assert status["syncing"] is False and status["peers"] == 1
            assert status["headers"] == status["bodies"] == 300
            assert any(line.startswith(f"sync: IBD from {syncer.p2p}") for line in syncee.lines), (
                syncee.lines
            )
    # A node without peers says so.
    with node_process() as alone:
        assert alone.call("get_peers") == []
        idle = alone.call("get_sync_status")
        check_schema("get_sync_status", idle)
        assert idle["p2p"] is False and idle["phase"] == "idle"


def test_a_syncing_node_killed_mid_ibd_resumes_after_restart(tmp_path: Path) -> None:
    data_dir, sink = syncer_dir(tmp_path, 2000)
    syncee_dir = tmp_path / "syncee"
    with node_process("--data-dir", str(data_dir), "--p2p-port", "0") as syncer:
        syncee = NodeProcess("--data-dir", str(syncee_dir), "--connect", syncer.p2p)
        try:
            # Killed once bodies are being accepted, well before the last.
            # Generous bounds: the machine running the tests may be loaded.
            wait_until(lambda: syncee.call("get_dag_info")["block_count"] > 100, 180)
            syncee.kill()
        finally:
            syncee.kill()
        assert check_store(store_path(syncee_dir)) == []
        consensus = open_data_dir(syncee_dir, NETWORK)
        try:
            held = list(_blocks(consensus))
            kept = sum(consensus.body(block) is not None for block in held)
        finally:
            consensus.close()
        # Headers are validated and stored first, then bodies: the kill landed among bodies.
        assert len(held) == 2001
        assert 100 < kept < 2001
        with node_process("--data-dir", str(syncee_dir), "--connect", syncer.p2p) as again:
            assert again.call("get_dag_info")["block_count"] >= kept
            wait_until(lambda: again.call("get_dag_info")["block_count"] == 2001, 180)
            assert again.call("get_dag_info")["sink"] == sink
            assert again.call("get_dag_info")["tips"] == syncer.call("get_dag_info")["tips"]
            assert again.call("get_dag_info")["block_count"] == 2001
    assert check_store(store_path(syncee_dir)) == []


def _blocks(consensus: Consensus) -> Iterator[Hash]:
    """Every block of ``consensus``, found from its tips through parents."""
    seen = set(consensus.tips())
    stack = list(seen)
    while stack:
        block = stack.pop()
        yield block
        for parent in consensus.header(block).parents:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
