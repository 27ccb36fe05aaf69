"""The node's benchmarks run end to end at small sizes (smoke tests, not timings): blocks into
the durable store by both paths (headers, and ``Node.submit_block``), and the RPC under load."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from benchmarks import rpc, store
from conformance.vectors import REPOSITORY_ROOT
from reference.node.node import Node

ROW = re.compile(r"^ *([\d,]+) +[\d,]+ +[\d,]+ +[\d.]+x +[\d,]+ +[\d,]+ +[\d.]+ +[\d,]+ +[\d.]+")
"""A row of the store benchmark's tables: blocks, then the rates, ratio, size and reopen time."""


def test_store_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert store.main(["--quick", "--exponents", "6", "7"]) == 0
    lines = capsys.readouterr().out.splitlines()
    headers = lines.index("headers: Consensus.add_full_header")
    node = lines.index("node: Node.submit_block, coinbase-only blocks, data directory")
    assert headers < node
    for start, what in ((headers, "headers"), (node, "node")):
        rows = lines[start + 2 : start + 4]
        assert [match.group(1) for match in map(ROW.match, rows) if match] == ["64", "128"], rows
        assert lines[start + 4].startswith(f"{what} store cost per block 2^7 / 2^6: ")
    assert any(line.startswith("first 64 blocks: synchronous=NORMAL ") for line in lines)
    assert any(line.startswith("first 64 blocks, node: synchronous=NORMAL ") for line in lines)
    assert lines[-1].startswith("load average after: ")


def test_store_benchmark_blocks_are_accepted_by_a_node() -> None:
    """The generated blocks are what a node takes as blocks: every one is accepted with its
    body, and each body is the coinbase alone, of the block's blue score."""
    network = store.bench_network()
    blocks = store.generate(network.preset, network.genesis, 40, seed=3)
    node = Node(network)
    for header, body in blocks:
        node.submit_block(header, body)
    info = node.dag_info()
    assert (info.header_count, info.block_count) == (41, 41)
    for header, body in blocks:
        assert len(body) == 1 and body[0].inputs == ()
        assert int.from_bytes(body[0].payload[:8], "little") == header.blue_score


def test_rpc_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert rpc.main(["--quick"]) == 0
    output = capsys.readouterr().out
    assert re.search(r"^baseline: bare aiohttp reply +[\d,]+ req/s +p50 ", output, re.M)
    for method in ("get_blue_score", "get_block"):
        pattern = rf"^JSON-RPC {method} \(8 clients\) +[\d,]+ req/s \([\d.]+x baseline\) +p50 "
        assert re.search(pattern, output, re.M)
    assert re.search(r"^baseline: bare push to 100 sockets +200 frames +p50 ", output, re.M)
    assert re.search(r"^GetWork job fan-out to 100 connections +200 jobs +p50 ", output, re.M)


@pytest.mark.parametrize("name", ["rpc", "store"])
def test_benchmark_runs_as_a_module(name: str) -> None:
    """``python -m benchmarks.NAME`` runs the benchmark (here, its usage)."""
    result = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{name}", "--help"],
        cwd=REPOSITORY_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.startswith(f"usage: python -m benchmarks.{name} ")
    assert "--quick" in result.stdout
