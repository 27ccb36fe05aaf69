"""``dagspec node --data-dir``: a node process over the durable store, killed and restarted.

A devnet node process (every rule on, proof of work included) is fed blocks mined here over
JSON-RPC (``get_block_template``, a nonce searched with the reference's proof of work,
``submit_block``) and killed with SIGKILL at a random moment, several times. After every
restart, each block whose ``submit_block`` had returned a result is there and answers as it
did before the kill, the sink and its blue score are where the acknowledged blocks left them,
and the store file passes the consistency checker. A data directory of another network is
refused.
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
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from reference.header_json import header_from_json
from reference.mining.address import Address, AddressPrefix, AddressVersion, encode_address
from reference.node.data_dir import store_path
from reference.processes.pow.state import PowState
from reference.stores.sqlite.check import check_store

ROOT = Path(__file__).resolve().parent.parent
ADDRESS = encode_address(Address(AddressPrefix.DEVNET, AddressVersion.PUBKEY, bytes(32)))
KILLS = 6
"""SIGKILLs of the loop."""

# What get_block reports that no later block can change (children and chain membership can).
STABLE = ("hash", "header", "blue_score", "blue_work", "selected_parent", "mergeset_blues")


def node_command(data_dir: Path, *extra: str) -> list[str]:
    """``dagspec node`` over ``data_dir`` on ports the system chooses."""
    return [
        *(sys.executable, "-m", "conformance.cli", "node", "--data-dir", str(data_dir)),
        *("--rpc-port", "0", "--wrpc-json-port", "0", *extra),
    ]


def start_node(data_dir: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    """A node process over ``data_dir`` and its JSON-RPC URL, once it serves."""
    process = subprocess.Popen(
        node_command(data_dir, *extra),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        found = re.fullmatch(r"json-rpc: (http://127\.0\.0\.1:\d+/json_rpc)", line.strip())
        if found:
            return process, found.group(1)
    process.kill()
    raise AssertionError(f"the node did not start: {process.stdout.read()}")


@contextmanager
def running(data_dir: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    process, url = start_node(data_dir)
    try:
        yield process, url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def call(url: str, method: str, **params: Any) -> Any:
    request = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
    data = json.dumps(request).encode()
    post = urllib.request.Request(url, data, {"Content-Type": "application/json"})
    with urllib.request.urlopen(post, timeout=10) as response:
        reply = json.loads(response.read())
    assert "result" in reply, reply
    return reply["result"]


def mine_one(url: str) -> str:
    """Mine a block on the node's template; its hash once ``submit_block`` returned."""
    template = call(url, "get_block_template", address=ADDRESS)
    block = template["block"]
    state = PowState(header_from_json(block["header"]))
    block["header"]["nonce"] = next(n for n in range(100_000) if state.meets_target(n))
    result: str = call(url, "submit_block", block=block)["hash"]
    return result


def stable(view: dict[str, Any]) -> dict[str, Any]:
    return {key: view[key] for key in STABLE}


def test_a_node_killed_at_random_moments_keeps_every_acknowledged_block(tmp_path: Path) -> None:
    rng = random.Random(20261129)
    data_dir = tmp_path / "node"
    acknowledged: list[str] = []
    seen: dict[str, dict[str, Any]] = {}  # get_block of acknowledged blocks, read before a kill
    unacknowledged = 0  # blocks committed by a node killed before it could answer
    tip = ""  # the block the last acknowledged block or restart left as the sink
    for _ in range(KILLS):
        with running(data_dir) as (process, url):
            unacknowledged, tip = check_restart(url, acknowledged, seen, unacknowledged, tip)
            for block in acknowledged[-20:]:  # record how blocks of this run answer
                seen.setdefault(block, stable(call(url, "get_block", hash=block)))
            # Mine until the kill lands: a block counts once submit_block has answered.
            killer = threading.Timer(
                rng.uniform(0.3, 1.5), os.killpg, (process.pid, signal.SIGKILL)
            )
            killer.start()
            try:
                while True:
                    tip = mine_one(url)
                    acknowledged.append(tip)
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            finally:
                killer.join()
            process.wait()
        assert check_store(store_path(data_dir)) == []
    with running(data_dir) as (process, url):
        check_restart(url, acknowledged, seen, unacknowledged, tip)
        os.killpg(process.pid, signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    assert check_store(store_path(data_dir)) == []
    assert len(acknowledged) >= KILLS, "the kills left too little time to mine"


def check_restart(
    url: str,
    acknowledged: list[str],
    seen: dict[str, dict[str, Any]],
    unacknowledged: int,
    tip: str,
) -> tuple[int, str]:
    """Every acknowledged block is held and answers as before; the sink is ``tip`` (the last
    block acknowledged, or the sink found at the last restart), or a block submitted on it
    but not acknowledged when the node was killed (at most one per kill). Returns the number
    of blocks held but never acknowledged, and the sink."""
    info = call(url, "get_dag_info")
    held = info["header_count"] - 1  # genesis
    expected = len(acknowledged) + unacknowledged
    assert held in (expected, expected + 1), (held, expected)
    assert info["block_count"] == info["header_count"]
    for block in acknowledged:
        view = call(url, "get_block", hash=block, include_transactions=False)
        if block in seen:
            assert stable(view) == seen[block]
    sink = call(url, "get_block", hash=info["sink"], include_transactions=False)
    if not tip:
        assert held == 0 and sink["blue_score"] == 0  # genesis alone
    elif held == expected:
        # Each template builds on the whole virtual: the last block mined is the sink.
        assert info["sink"] == tip
    else:
        # One more block, committed as the kill came: it was built on the sink.
        assert sink["selected_parent"] == tip
    assert call(url, "get_blue_score") == sink["blue_score"]
    assert call(url, "get_info")["blue_score"] == sink["blue_score"]
    return held - len(acknowledged), info["sink"]


def test_a_data_dir_of_another_network_is_refused(tmp_path: Path) -> None:
    data_dir = tmp_path / "node"
    with running(data_dir) as (_, url):
        genesis = call(url, "get_dag_info")["sink"]
    refused = subprocess.run(
        node_command(data_dir, "--preset", "devnet-skip-pow"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert refused.returncode != 0
    assert "another network than devnet-skip-pow" in refused.stderr
    assert "skip_proof_of_work" in refused.stderr
    with running(data_dir) as (_, url):  # the refusal changed nothing
        assert call(url, "get_dag_info")["sink"] == genesis
    assert check_store(store_path(data_dir)) == []
