"""A node killed with SIGKILL at random moments keeps every block it acknowledged.

A child process (``tests/store_child.py``) grows a DAG in a durable store and prints each
block's hash once ``add_full_header`` has returned. The test kills it at a random moment, a
dozen times over the same store, and after each kill, before anything reopens the file for
writing: the store is consistent (:func:`~reference.stores.sqlite.check.check_store`: no
block half-written, every reference resolves), and it holds every acknowledged block. At the
end the store is replayed, in the order it accepted its blocks, into an in-memory consensus
that was never interrupted: both answer alike, and the reopened store keeps accepting blocks.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from reference.consensus import Consensus
from reference.hash import Hash
from reference.header import header_hash
from reference.header_wire import header_from_wire
from reference.stores.sqlite.check import check_store
from reference.stores.sqlite.engine import open_consensus
from tests.store_dags import GENESIS, PRESET, next_header, offer, recent_blocks

REPOSITORY = Path(__file__).resolve().parent.parent
KILLS = 12


def run_and_kill(path: Path, seed: int, rng: random.Random) -> list[Hash]:
    """Start the child and kill it at a random moment: usually while it adds blocks, one time
    in four anywhere from its start (opening and reading the store included); the blocks it
    acknowledged."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.store_child", str(path), str(seed)],
        cwd=REPOSITORY,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY)},
    )
    assert child.stdout is not None
    if rng.random() < 0.25:
        time.sleep(rng.uniform(0.0, 1.0))
    else:
        ready = child.stdout.readline()
        assert ready == b"ready\n", child.stderr.read() if child.stderr else ready
        time.sleep(rng.uniform(0.02, 0.6))
    child.send_signal(signal.SIGKILL)
    output, errors = child.communicate()
    assert child.returncode == -signal.SIGKILL, errors
    lines = output.split(b"\n")
    # The last line may have been cut by the kill: only complete lines were acknowledged.
    return [Hash(bytes.fromhex(line.decode())) for line in lines[:-1] if line != b"ready"]


def test_kill_9_at_random_moments_loses_no_acknowledged_block(tmp_path: Path) -> None:
    path = tmp_path / "node.db"
    rng = random.Random(2024)
    acknowledged: list[Hash] = []
    for kill in range(KILLS):
        acknowledged += run_and_kill(path, seed=kill, rng=rng)
        assert check_store(path) == [], f"after kill {kill}"
        consensus = open_consensus(path, PRESET, GENESIS)
        try:
            missing = [block for block in acknowledged if not consensus.has_block(block)]
            assert not missing, f"after kill {kill}: {len(missing)} acknowledged blocks lost"
        finally:
            consensus.close()
    assert len(acknowledged) > 5 * KILLS, "the child must get to add blocks between kills"
    durable = open_consensus(path, PRESET, GENESIS)
    try:
        replayed = replay(path)
        assert durable.tips() == replayed.tips()
        assert durable.virtual_state() == replayed.virtual_state()
        for block in acknowledged:
            assert durable.ghostdag_data(block) == replayed.ghostdag_data(block)
            assert durable.block_info(block) == replayed.block_info(block)
        rng = random.Random(99)
        accepted: list[Hash] = []
        while len(accepted) < 10:
            header = next_header(durable, rng, recent_blocks(durable, accepted))
            if offer(durable, header) is None:
                accepted.append(header_hash(header))
    finally:
        durable.close()
    assert check_store(path) == []


def replay(path: Path) -> Consensus:
    """An in-memory consensus fed the stored headers in the order the store accepted them."""
    memory = Consensus.from_genesis_header(PRESET, GENESIS)
    uri = path.resolve().as_uri() + "?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as db:
        rows = db.execute("SELECT wire FROM headers WHERE ordinal > 0 ORDER BY ordinal")
        for (wire,) in rows:
            header = header_from_wire(wire)
            memory.add_full_header(header, now_ms=header.timestamp)
    return memory
