"""The full header: its fields' ranges, its hash and its JSON form.

Checked against Kaspa's own data: every header of both json_test runs of rusty-kaspa
(``../shared/anchors/kaspa/json_tests``, 907 headers with genesis) hashes to the ``hash`` Kaspa
wrote beside it, and reads and writes back byte for byte. Hypothesis adds round trips of
arbitrary headers, and a table of malformed objects pins the typed error of each.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from conformance.kaspa import shared_dir
from reference.errors import Code, DagspecError, HeaderHashMismatch, MalformedHeader
from reference.hash import HASH_SIZE, ZERO_HASH, Hash
from reference.header import BlockHeader, header_hash, header_preimage
from reference.header_json import header_from_json, header_to_json

REPOSITORY = Path(__file__).resolve().parent.parent
JSON_TESTS = shared_dir(REPOSITORY) / "anchors" / "kaspa" / "json_tests"
RUNS = ("goref-1060-tx-265-blocks", "goref-custom-params-640-blocks")


@cache
def kaspa_headers() -> tuple[tuple[str, dict[str, Any]], ...]:
    """(raw line, header object) of every block of both runs, genesis included."""
    found = []
    for run in RUNS:
        with gzip.open(JSON_TESTS / run / "blocks.json.gz", "rt", encoding="utf-8") as handle:
            lines = handle.read().splitlines()
        # Line 1 holds the run's parameters; every later line is one block.
        found += [(line, json.loads(line)["header"]) for line in lines[1:]]
    return tuple(found)


def uint(bits: int) -> st.SearchStrategy[int]:
    """Unsigned ``bits``-bit integers, the two ends drawn often."""
    top = (1 << bits) - 1
    return st.one_of(st.sampled_from([0, 1, top]), st.integers(0, top))


hashes = st.binary(min_size=HASH_SIZE, max_size=HASH_SIZE).map(Hash)
levels = st.lists(st.lists(hashes, max_size=3).map(tuple), max_size=4).map(tuple)
headers = st.builds(
    BlockHeader,
    version=uint(16),
    parents_by_level=levels,
    hash_merkle_root=hashes,
    accepted_id_merkle_root=hashes,
    utxo_commitment=hashes,
    timestamp=uint(64),
    bits=uint(32),
    nonce=uint(64),
    daa_score=uint(64),
    blue_work=uint(192),
    blue_score=uint(64),
    pruning_point=hashes,
)
"""Arbitrary valid headers."""


def _blake2b_block_hash(preimage: bytes) -> bytes:
    return hashlib.blake2b(preimage, digest_size=32, key=b"BlockHash").digest()


def test_both_runs_are_read() -> None:
    assert len(kaspa_headers()) == 266 + 641


def test_every_kaspa_header_hashes_to_its_hash() -> None:
    for _, obj in kaspa_headers():
        raw = {key: value for key, value in obj.items() if key != "hash"}
        assert header_hash(header_from_json(raw)).hex() == obj["hash"]


def test_every_kaspa_header_round_trips_byte_for_byte() -> None:
    for line, obj in kaspa_headers():
        header = header_from_json(obj)
        written = header_to_json(header)
        assert written == obj
        assert list(written) == list(obj)  # Kaspa's key order
        assert json.dumps(written, separators=(",", ":")) in line
        raw = header_to_json(header, with_hash=False)
        assert raw == {key: value for key, value in obj.items() if key != "hash"}
        assert header_from_json(raw) == header


@given(headers)
def test_json_round_trip(header: BlockHeader) -> None:
    text = json.dumps(header_to_json(header))
    assert header_from_json(json.loads(text)) == header
    raw = header_to_json(header, with_hash=False)
    assert "hash" not in raw
    assert header_from_json(raw) == header


@given(headers)
def test_hash_is_keyed_blake2b_of_the_fields(header: BlockHeader) -> None:
    # A second writing of node.md section H, field by field with struct-free byte maths.
    def u64(value: int) -> bytes:
        return value.to_bytes(8, "little")

    data = header.version.to_bytes(2, "little") + u64(len(header.parents_by_level))
    for level in header.parents_by_level:
        data += u64(len(level)) + b"".join(level)
    work = header.blue_work.to_bytes(24, "big").lstrip(b"\0")
    data += header.hash_merkle_root + header.accepted_id_merkle_root + header.utxo_commitment
    data += u64(header.timestamp) + header.bits.to_bytes(4, "little") + u64(header.nonce)
    data += u64(header.daa_score) + u64(header.blue_score) + u64(len(work)) + work
    data += header.pruning_point
    assert header_preimage(header) == data
    assert header_hash(header) == _blake2b_block_hash(data)


def _genesis() -> dict[str, Any]:
    return dict(kaspa_headers()[0][1])


def test_blue_work_digits() -> None:
    block = dict(kaspa_headers()[1][1])
    assert block["blueWork"] == "0000000000000000000000000000000000000000000796ae"
    unpadded = dict(block, blueWork="796ae")  # odd length, as Kaspa's gRPC form writes it
    assert header_from_json(unpadded) == header_from_json(block)
    top = dict(block, blueWork="f" * 48)
    del top["hash"]
    assert header_from_json(top).blue_work == 2**192 - 1
    del block["hash"]
    assert header_to_json(header_from_json(dict(block, blueWork="0")))["blueWork"] == "0" * 48


def _without(key: str) -> dict[str, Any]:
    obj = _genesis()
    del obj[key]
    return obj


def _with(**changes: object) -> dict[str, Any]:
    obj = _genesis()
    obj.pop("hash")
    obj.update(changes)
    return obj


BAD = "ab" * 31
MALFORMED: list[tuple[str, object, str]] = [
    ("not an object", [], "header"),
    ("a string", "{}", "header"),
    ("null", None, "header"),
    ("unknown field", {**_with(), "extra": 1}, "extra"),
    ("version is true", _with(version=True), "version"),
    ("version is a float", _with(version=0.0), "version"),
    ("version is a string", _with(version="0"), "version"),
    ("version negative", _with(version=-1), "version"),
    ("version 2^16", _with(version=1 << 16), "version"),
    ("bits 2^32", _with(bits=1 << 32), "bits"),
    ("nonce 2^64", _with(nonce=1 << 64), "nonce"),
    ("timestamp negative", _with(timestamp=-1), "timestamp"),
    ("timestamp a string", _with(timestamp="1231006505000"), "timestamp"),
    ("daaScore 2^64", _with(daaScore=1 << 64), "daaScore"),
    ("blueScore false", _with(blueScore=False), "blueScore"),
    ("blueScore null", _with(blueScore=None), "blueScore"),
    ("blueWork 49 digits", _with(blueWork="1" + "0" * 48), "blueWork"),
    ("blueWork empty", _with(blueWork=""), "blueWork"),
    ("blueWork 0x prefix", _with(blueWork="0x12"), "blueWork"),
    ("blueWork uppercase", _with(blueWork="ABC"), "blueWork"),
    ("blueWork a number", _with(blueWork=12), "blueWork"),
    ("hashMerkleRoot short", _with(hashMerkleRoot=BAD), "hashMerkleRoot"),
    (
        "acceptedIdMerkleRoot uppercase",
        _with(acceptedIdMerkleRoot="AB" * 32),
        "acceptedIdMerkleRoot",
    ),
    ("utxoCommitment not hex", _with(utxoCommitment="zz" * 32), "utxoCommitment"),
    ("pruningPoint a number", _with(pruningPoint=0), "pruningPoint"),
    ("parentsByLevel an object", _with(parentsByLevel={}), "parentsByLevel"),
    ("parentsByLevel flat", _with(parentsByLevel=["00" * 32]), "parentsByLevel[0]"),
    ("a parent malformed", _with(parentsByLevel=[["00" * 32], [BAD]]), "parentsByLevel[1]"),
    ("a parent null", _with(parentsByLevel=[[None]]), "parentsByLevel[0]"),
    ("hash malformed", {**_genesis(), "hash": BAD}, "hash"),
    ("hash a number", {**_genesis(), "hash": 7}, "hash"),
] + [(f"{key} missing", _without(key), key) for key in _genesis() if key != "hash"]


@pytest.mark.parametrize(("case", "obj", "field"), MALFORMED, ids=[c[0] for c in MALFORMED])
def test_malformed_json_names_the_field(case: str, obj: object, field: str) -> None:
    with pytest.raises(MalformedHeader) as caught:
        header_from_json(obj)
    assert caught.value.code is Code.MALFORMED_HEADER
    assert caught.value.field == field, case


def test_a_wrong_hash_is_a_hash_mismatch() -> None:
    obj = _genesis()
    obj["nonce"] += 1
    with pytest.raises(HeaderHashMismatch) as caught:
        header_from_json(obj)
    assert caught.value.code is Code.HASH_MISMATCH
    assert caught.value.claimed == Hash.from_hex(obj["hash"])
    assert caught.value.computed == header_hash(header_from_json(_with(nonce=obj["nonce"])))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=70),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)


@given(st.sampled_from(sorted(_genesis())), json_values)
@example("blueWork", "0")
def test_any_json_value_in_any_field_gives_a_header_or_a_typed_error(
    key: str, value: object
) -> None:
    obj = {**_genesis(), key: value}
    try:
        header = header_from_json(obj)
    except DagspecError as error:
        assert error.code in {Code.MALFORMED_HEADER, Code.HASH_MISMATCH}
    else:
        # The given hash still matched: the object denotes genesis itself (e.g. blueWork "0").
        assert header == header_from_json(_genesis())


BLOCK_HEADER_FIELDS = {
    "version": 0,
    "parents_by_level": (),
    "hash_merkle_root": ZERO_HASH,
    "accepted_id_merkle_root": ZERO_HASH,
    "utxo_commitment": ZERO_HASH,
    "timestamp": 0,
    "bits": 0,
    "nonce": 0,
    "daa_score": 0,
    "blue_work": 0,
    "blue_score": 0,
    "pruning_point": ZERO_HASH,
}
CONSTRUCTION: list[tuple[str, object, str]] = [
    ("blue_work", 1 << 192, "blue_work"),
    ("blue_work", -1, "blue_work"),
    ("version", True, "version"),
    ("bits", 1 << 32, "bits"),
    ("timestamp", 1 << 64, "timestamp"),
    ("pruning_point", bytes(32), "pruning_point"),
    ("hash_merkle_root", "00" * 32, "hash_merkle_root"),
    ("parents_by_level", [(ZERO_HASH,)], "parents_by_level"),
    ("parents_by_level", ([ZERO_HASH],), "parents_by_level[0]"),
    ("parents_by_level", ((ZERO_HASH,), (bytes(32),)), "parents_by_level[1]"),
]


@pytest.mark.parametrize(("name", "value", "field"), CONSTRUCTION)
def test_a_header_cannot_hold_an_out_of_range_field(name: str, value: object, field: str) -> None:
    BlockHeader(**BLOCK_HEADER_FIELDS)  # type: ignore[arg-type]  # the valid baseline
    with pytest.raises(MalformedHeader) as caught:
        BlockHeader(**{**BLOCK_HEADER_FIELDS, name: value})  # type: ignore[arg-type]
    assert caught.value.field == field
