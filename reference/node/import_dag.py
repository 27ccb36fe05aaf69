"""``dagspec import-dag FILE --data-dir D [--preset P]``: a DAG shape mined into a node's store.

A *shape* is a JSON array (gzipped when the file name ends in ``.gz``) of
``{"id": ID, "parents": [ID, ...]}`` in topological order — kaspad's netsync files: ids are
strings or integers, the first entry is genesis with ``parents`` empty or ``null``, and every
other entry names at least one parent listed before it. Each entry after genesis becomes a block
over its parents' blocks, in the order given:

- the network is a skip-PoW network (``devnet-skip-pow`` by default): no nonce is searched;
- the header is the one every rule accepts over those parents (``Consensus.build_header``),
  with timestamp ``genesis + i · target_time_per_block`` for the ``i``-th entry (raised to
  the parents' past median time + 1 if need be), so the DAG runs at the target rate and the
  difficulty adjustment stays where genesis put it;
- the body is a coinbase alone, paying nothing, whose extra data is the entry's position,
  so two entries over the same parents are two blocks.

Every block is submitted to the node over the data directory's store (``submit_block``: all
rules run, each block is committed on its own). The blocks are a function of the shape alone,
so importing a shape again — or after an interrupted import — adds only what is missing. The
command prints the number of blocks, how many were new, and the sink with its blue score.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from reference.coinbase import build_coinbase
from reference.errors import BlockRejected, DagspecError, InvalidParameter, StoreError
from reference.hash import Hash
from reference.header import header_hash
from reference.merkle import hash_merkle_root
from reference.node.data_dir import open_data_dir
from reference.node.dev_networks import NODE_NETWORKS
from reference.node.node import Node
from reference.transaction.model import ScriptPublicKey

DEFAULT_NETWORK: Final = "devnet-skip-pow"
"""The network a shape is imported into unless ``--preset`` names another."""

MAX_SHAPE_BYTES: Final = 1 << 30
"""Largest shape file read (after decompression)."""


@dataclass(frozen=True, slots=True)
class ShapeEntry:
    """One block of a shape."""

    id: str
    """Its id (an integer id is read as its decimal string)."""
    parents: tuple[str, ...]
    """The ids of its parents, as listed (empty for genesis)."""


@dataclass(frozen=True, slots=True)
class Imported:
    """What an import did."""

    blocks: int
    """Blocks of the shape, genesis left out."""
    added: int
    """Blocks the store did not hold before."""
    sink: Hash
    """The node's sink afterwards."""
    sink_blue_score: int
    """Its blue score."""
    hashes: dict[str, Hash]
    """Each id's block."""


def parse_shape(value: object) -> list[ShapeEntry]:
    """The entries of a decoded shape; ``BAD_PARAMETER`` naming the first fault."""
    if not isinstance(value, list) or not value:
        raise InvalidParameter("shape", type(value).__name__, "a non-empty JSON array")
    entries: list[ShapeEntry] = []
    seen: set[str] = set()
    for position, item in enumerate(value):
        where = f"shape[{position}]"
        if not isinstance(item, dict) or "id" not in item:
            raise InvalidParameter(where, item, 'an object with an "id"')
        block_id = _id(item["id"], f"{where}.id")
        if block_id in seen:
            raise InvalidParameter(f"{where}.id", block_id, "listed twice")
        raw_parents = item.get("parents")
        if raw_parents is None:
            raw_parents = []
        if not isinstance(raw_parents, list):
            raise InvalidParameter(f"{where}.parents", raw_parents, "a list of ids or null")
        parents = tuple(_id(p, f"{where}.parents") for p in raw_parents)
        if position == 0 and parents:
            raise InvalidParameter(f"{where}.parents", raw_parents, "genesis has no parents")
        if position > 0 and not parents:
            raise InvalidParameter(f"{where}.parents", raw_parents, "only genesis is parentless")
        for parent in parents:
            if parent not in seen:
                raise InvalidParameter(f"{where}.parents", parent, "not listed before")
        if len(set(parents)) != len(parents):
            raise InvalidParameter(f"{where}.parents", raw_parents, "a parent named twice")
        seen.add(block_id)
        entries.append(ShapeEntry(block_id, parents))
    return entries


def _id(value: object, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidParameter(where, value, "an id is a string or an integer")
    return str(value)


def read_shape(path: str | Path) -> list[ShapeEntry]:
    """The shape in the file at ``path`` (``.gz``: gzipped); ``BAD_PARAMETER`` if unreadable."""
    file = Path(path)
    try:
        with gzip.open(file) if file.suffix == ".gz" else file.open("rb") as stream:
            data = stream.read(MAX_SHAPE_BYTES + 1)
    except OSError as error:
        raise InvalidParameter("FILE", str(file), f"cannot read: {error}") from None
    if len(data) > MAX_SHAPE_BYTES:
        raise InvalidParameter("FILE", str(file), f"larger than {MAX_SHAPE_BYTES} bytes")
    try:
        value = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidParameter("FILE", str(file), f"not JSON: {error}") from None
    return parse_shape(value)


def import_shape(node: Node, shape: Sequence[ShapeEntry]) -> Imported:
    """Mine ``shape`` into ``node`` (whose network must skip the proof of work)."""
    consensus = node.consensus
    preset = consensus.preset
    if not preset.skip_proof_of_work:
        raise InvalidParameter("preset", preset.name, "import-dag needs a skip-PoW network")
    start = node.network.genesis.timestamp
    hashes = {shape[0].id: consensus.genesis}
    added = 0
    for position, entry in enumerate(shape[1:], start=1):
        parents = [hashes[parent] for parent in entry.parents]
        timestamp = max(
            start + position * preset.target_time_per_block_ms,
            consensus.past_median_time_of_parents(parents) + 1,
        )
        draft = consensus.build_header(parents, timestamp=timestamp)
        body = (
            build_coinbase(
                draft.blue_score, ScriptPublicKey(0, b""), 0, position.to_bytes(8, "little")
            ),
        )
        header = dataclasses.replace(draft, hash_merkle_root=hash_merkle_root(body))
        block_hash = header_hash(header)
        if not node.has_block(block_hash):
            try:
                node.submit_block(header, body)
            except BlockRejected as rejection:
                raise BlockRejected(
                    rejection.code, block_hash, f"shape id {entry.id}: {rejection.message}"
                ) from None
            added += 1
        hashes[entry.id] = block_hash
    sink = consensus.sink()
    return Imported(
        blocks=len(shape) - 1,
        added=added,
        sink=sink,
        sink_blue_score=consensus.ghostdag_data(sink).blue_score,
        hashes=hashes,
    )


def configure(parser: argparse.ArgumentParser) -> None:
    """The command's options."""
    parser.add_argument("file", metavar="FILE", help="the DAG shape (JSON, or .json.gz)")
    parser.add_argument("--data-dir", required=True, help="the node's data directory")
    parser.add_argument(
        "--preset",
        default=DEFAULT_NETWORK,
        choices=sorted(
            name for name, net in NODE_NETWORKS.items() if net.preset.skip_proof_of_work
        ),
        help="the (skip-PoW) network of the store",
    )


def run(args: argparse.Namespace) -> int:
    """Import the shape; 0 on success, 1 with the reason on stderr."""
    network = NODE_NETWORKS[args.preset]
    try:
        shape = read_shape(args.file)
        consensus = open_data_dir(args.data_dir, network)
    except (InvalidParameter, StoreError) as error:
        print(f"dagspec import-dag: {error.message}", file=sys.stderr)
        return 1
    try:
        result = import_shape(Node(network, consensus=consensus), shape)
    except DagspecError as error:
        print(f"dagspec import-dag: {error}", file=sys.stderr)
        return 1
    finally:
        consensus.close()
    print(
        f"dagspec import-dag: {result.blocks} blocks ({result.added} new) into {args.data_dir}, "
        f"sink {result.sink.hex()} at blue score {result.sink_blue_score}"
    )
    return 0
