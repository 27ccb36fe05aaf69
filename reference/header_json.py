"""A header's JSON form: Kaspa's RPC header object, field for field.

The object has exactly the keys of :data:`JSON_FIELDS` (Kaspa's RPC names), plus an optional
``hash``. Without ``hash`` it is Kaspa's *raw* header (``RpcRawHeader``, the form of
``getBlockTemplate`` and ``submitBlock``); with it, the full RPC header, whose ``hash`` must be
the hash of the other fields. Decoding is strict: a missing or unknown key, a value of the
wrong JSON type (``true`` is not a number, ``"5"`` is not a number), an integer outside its
field's range or a malformed hash raises :class:`~reference.errors.MalformedHeader` naming the
key as the JSON spells it.

``blueWork`` is big-endian hexadecimal, 1 to 48 lowercase digits (any length, odd included, so
both Kaspa's zero-padded form and the unpadded gRPC form are read); it is always written with
48 digits, as Kaspa's RPC writes it, so a header read from Kaspa's files is written back
byte for byte.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from reference.errors import HeaderHashMismatch, MalformedHash, MalformedHeader
from reference.hash import Hash
from reference.header import BLUE_WORK_BITS, BlockHeader, check_uint, header_hash

JSON_FIELDS: Final = (
    ("version", "version"),
    ("parentsByLevel", "parents_by_level"),
    ("hashMerkleRoot", "hash_merkle_root"),
    ("acceptedIdMerkleRoot", "accepted_id_merkle_root"),
    ("utxoCommitment", "utxo_commitment"),
    ("timestamp", "timestamp"),
    ("bits", "bits"),
    ("nonce", "nonce"),
    ("daaScore", "daa_score"),
    ("blueWork", "blue_work"),
    ("blueScore", "blue_score"),
    ("pruningPoint", "pruning_point"),
)
"""JSON key and :class:`BlockHeader` field of every header field, in Kaspa's order."""

HASH_KEY: Final = "hash"
"""The optional key holding the header's hash (absent in the raw form)."""

BLUE_WORK_DIGITS: Final = BLUE_WORK_BITS // 4
"""Hexadecimal digits of blue work: at most 48 are read, exactly 48 are written."""

_KEYS: Final = frozenset(key for key, _ in JSON_FIELDS) | {HASH_KEY}
_HEX_DIGITS: Final = frozenset("0123456789abcdef")


def _hash(key: str, value: object) -> Hash:
    try:
        return Hash.from_hex(value)  # type: ignore[arg-type]  # from_hex checks the type
    except MalformedHash as error:
        raise MalformedHeader(key, value, error.message) from error


def _parents(value: object) -> tuple[tuple[Hash, ...], ...]:
    if not isinstance(value, list):
        raise MalformedHeader("parentsByLevel", value, "a list of levels is expected")
    levels = []
    for index, level in enumerate(value):
        if not isinstance(level, list):
            raise MalformedHeader(f"parentsByLevel[{index}]", level, "a list of hashes is expected")
        levels.append(tuple(_hash(f"parentsByLevel[{index}]", parent) for parent in level))
    return tuple(levels)


def parse_blue_work(value: object) -> int:
    """``blueWork``: 1 to 48 lowercase big-endian hexadecimal digits."""
    if not isinstance(value, str):
        raise MalformedHeader("blueWork", value, "a hexadecimal string is expected")
    if not 1 <= len(value) <= BLUE_WORK_DIGITS or not _HEX_DIGITS.issuperset(value):
        raise MalformedHeader(
            "blueWork", value, f"1 to {BLUE_WORK_DIGITS} lowercase hexadecimal digits expected"
        )
    return int(value, 16)


def header_from_json(obj: object) -> BlockHeader:
    """The header a JSON object (already parsed) denotes; ``hash``, when given, must match.

    Raises :class:`MalformedHeader` for a malformed object and
    :class:`~reference.errors.HeaderHashMismatch` for a well-formed header whose given ``hash``
    is not its hash.
    """
    if not isinstance(obj, Mapping):
        raise MalformedHeader("header", obj, "a JSON object is expected")
    for key in obj:
        if key not in _KEYS:
            raise MalformedHeader(str(key), obj[key], "unknown field")
    for key, _ in JSON_FIELDS:
        if key not in obj:
            raise MalformedHeader(key, None, "missing field")
    # Keyword arguments are evaluated in order: the first malformed field in Kaspa's order is
    # the one reported.
    header = BlockHeader(
        version=check_uint("version", obj["version"], 16),
        parents_by_level=_parents(obj["parentsByLevel"]),
        hash_merkle_root=_hash("hashMerkleRoot", obj["hashMerkleRoot"]),
        accepted_id_merkle_root=_hash("acceptedIdMerkleRoot", obj["acceptedIdMerkleRoot"]),
        utxo_commitment=_hash("utxoCommitment", obj["utxoCommitment"]),
        timestamp=check_uint("timestamp", obj["timestamp"], 64),
        bits=check_uint("bits", obj["bits"], 32),
        nonce=check_uint("nonce", obj["nonce"], 64),
        daa_score=check_uint("daaScore", obj["daaScore"], 64),
        blue_work=parse_blue_work(obj["blueWork"]),
        blue_score=check_uint("blueScore", obj["blueScore"], 64),
        pruning_point=_hash("pruningPoint", obj["pruningPoint"]),
    )
    if HASH_KEY in obj:
        claimed = _hash(HASH_KEY, obj[HASH_KEY])
        computed = header_hash(header)
        if claimed != computed:
            raise HeaderHashMismatch(claimed, computed)
    return header


def header_to_json(header: BlockHeader, *, with_hash: bool = True) -> dict[str, object]:
    """The JSON object of a header, keys in Kaspa's order; the raw form when not ``with_hash``."""
    obj: dict[str, object] = {HASH_KEY: header_hash(header).hex()} if with_hash else {}
    obj["version"] = header.version
    obj["parentsByLevel"] = [
        [parent.hex() for parent in level] for level in header.parents_by_level
    ]
    obj["hashMerkleRoot"] = header.hash_merkle_root.hex()
    obj["acceptedIdMerkleRoot"] = header.accepted_id_merkle_root.hex()
    obj["utxoCommitment"] = header.utxo_commitment.hex()
    obj["timestamp"] = header.timestamp
    obj["bits"] = header.bits
    obj["nonce"] = header.nonce
    obj["daaScore"] = header.daa_score
    obj["blueWork"] = format(header.blue_work, f"0{BLUE_WORK_DIGITS}x")
    obj["blueScore"] = header.blue_score
    obj["pruningPoint"] = header.pruning_point.hex()
    return obj
