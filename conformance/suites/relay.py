"""The ``relay`` capability: short IDs, index lists and compact-block decoding.

Methods (all stateless; none needs ``reset``):

- ``relay_siphash`` ``{"key": 32 hex chars (16 bytes), "message": hex}`` → ``{"hash": "0x…"}``
  — SipHash-2-4, key words little-endian.
- ``relay_short_ids`` ``{"block_hash": H, "nonce": "0x…", "txids": [H…]}`` →
  ``{"short_ids": [12 hex chars…]}`` — each short ID as its 6 wire bytes.
- ``relay_encode_indexes`` ``{"indexes": [n…]}`` → ``{"data": hex}``;
  ``relay_decode_indexes`` ``{"data": hex, "bound": n}`` → ``{"indexes": [n…]}`` — BIP152
  differential index lists.
- ``relay_decode_block`` ``{"message": hex, "mempool": [tx hex…], "known_blocks": [H…]}`` with
  optional ``"answer": [tx hex…]`` (the transactions a receiver was sent after asking) and,
  for mode 2, optional ``"iblt": hex`` (an IBLT message replacing the block's own table) →
  ``{"mode": 1|2, "status": "missing", "block_hash": H, "missing": [...]}`` (body positions in
  mode 1, short IDs as 12 hex chars in mode 2), or
  ``{"mode": 1|2, "status": "complete", "block_hash": H, "merkle_root": H, "txids": [H…]}``,
  or a relay error code.

Every transaction and message travels as lowercase hex of its bytes (``spec/relay.md``).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from typing import Final

from conformance.protocol import (
    JsonObject,
    JsonValue,
    bad_request,
    check_keys,
    decode_count,
    decode_hash,
    decode_hash_list,
    decode_int,
    encode_hash,
    encode_int,
)
from conformance.session import Session
from conformance.suites import Capability, GenerationContext, VectorFile
from conformance.suites.dag import Script, script_file
from conformance.transactions import random_coinbase, random_transaction
from reference.errors import Code, RelayError
from reference.hash import Hash
from reference.relay.body import canonical_order, make_body, txid
from reference.relay.compact import (
    CompactBlock,
    complete_block,
    decode_compact_block,
    encode_compact_block,
    make_compact_block,
    match_mempool,
)
from reference.relay.header import RelayHeader, header_hash
from reference.relay.iblt import Iblt, encode_iblt
from reference.relay.indexes import decode_indexes, encode_indexes
from reference.relay.known import KnownBlocks
from reference.relay.mempool import Mempool
from reference.relay.messages import BlockTransactions, Tag
from reference.relay.reconcile import (
    ReconcileBlock,
    complete_reconciliation,
    decode_iblt_message,
    decode_reconcile_block,
    encode_reconcile_block,
    make_reconcile_block,
    reconcile,
    select_candidates,
    serve_iblt,
)
from reference.relay.shortid import SHORT_ID_SIZE, short_id, short_id_key
from reference.relay.siphash import siphash24
from reference.transaction.encoding import encode_transaction
from reference.transaction.model import SUBNETWORK_ID_NATIVE, Transaction

_HEX_RE: Final = re.compile(r"(?:[0-9a-f]{2})*")
_MAX_LIST: Final = 100_000


def _hex(value: object, where: str) -> bytes:
    if not isinstance(value, str) or _HEX_RE.fullmatch(value) is None:
        raise bad_request(f"{where} must be lowercase hex of whole bytes")
    return bytes.fromhex(value)


def _hex_list(value: object, where: str) -> list[bytes]:
    if not isinstance(value, list) or len(value) > _MAX_LIST:
        raise bad_request(f"{where} must be an array of at most {_MAX_LIST} hex strings")
    return [_hex(item, f"{where}[{i}]") for i, item in enumerate(value)]


def _sid(value: int) -> str:
    return value.to_bytes(SHORT_ID_SIZE, "little").hex()


def relay_siphash(session: Session, params: JsonObject) -> JsonValue:
    """SipHash-2-4 of a message under a 16-byte key."""
    check_keys(params, "params", frozenset({"key", "message"}))
    key = _hex(params["key"], "key")
    if len(key) != 16:
        raise bad_request("key must be 16 bytes")
    k0, k1 = int.from_bytes(key[:8], "little"), int.from_bytes(key[8:], "little")
    return {"hash": encode_int(siphash24(k0, k1, _hex(params["message"], "message")))}


def relay_short_ids(session: Session, params: JsonObject) -> JsonValue:
    """Short IDs of txids under the key of a block hash and nonce."""
    check_keys(params, "params", frozenset({"block_hash", "nonce", "txids"}))
    nonce = decode_int(params["nonce"], "nonce")
    if nonce >= 1 << 64:
        raise bad_request("nonce must be below 2^64")
    key = short_id_key(decode_hash(params["block_hash"], "block_hash"), nonce)
    txids = decode_hash_list(params["txids"], "txids")
    return {"short_ids": [_sid(short_id(key, item)) for item in txids]}


def relay_encode_indexes(session: Session, params: JsonObject) -> JsonValue:
    """The differential encoding of ascending indexes."""
    check_keys(params, "params", frozenset({"indexes"}))
    raw = params["indexes"]
    if not isinstance(raw, list) or len(raw) > _MAX_LIST:
        raise bad_request("indexes must be an array")
    indexes = [decode_count(item, f"indexes[{i}]") for i, item in enumerate(raw)]
    return {"data": encode_indexes(indexes).hex()}


def relay_decode_indexes(session: Session, params: JsonObject) -> JsonValue:
    """Decode a differential index list whose indexes must stay below ``bound``."""
    check_keys(params, "params", frozenset({"data", "bound"}))
    data = _hex(params["data"], "data")
    indexes = decode_indexes(data, decode_count(params["bound"], "bound"))
    return {"indexes": list(indexes)}


def _complete(block_hash: Hash, mode: int, txids: Sequence[Hash], root: Hash) -> JsonObject:
    return {
        "mode": mode,
        "status": "complete",
        "block_hash": encode_hash(block_hash),
        "merkle_root": encode_hash(root),
        "txids": [encode_hash(item) for item in txids],
    }


def relay_decode_block(session: Session, params: JsonObject) -> JsonValue:
    """Decode a COMPACT_BLOCK or RECONCILE_BLOCK against a mempool (see module docstring)."""
    check_keys(
        params,
        "params",
        frozenset({"message", "mempool", "known_blocks"}),
        frozenset({"answer", "iblt"}),
    )
    message = _hex(params["message"], "message")
    mempool = Mempool(_hex_list(params["mempool"], "mempool"))
    known = KnownBlocks(decode_hash_list(params["known_blocks"], "known_blocks"))
    answer = None if "answer" not in params else tuple(_hex_list(params["answer"], "answer"))
    tag = message[0] if message else None
    if tag == Tag.COMPACT_BLOCK:
        if "iblt" in params:
            raise bad_request("iblt applies to mode 2 only")
        block = decode_compact_block(message, known.resolve)
        block_hash = header_hash(block.header)
        partial = match_mempool(block, mempool)
        if partial.missing and answer is None:
            return {
                "mode": 1,
                "status": "missing",
                "block_hash": encode_hash(block_hash),
                "missing": list(partial.missing),
            }
        body = complete_block(block, partial, BlockTransactions(block_hash, answer or ()))
        return _complete(block_hash, 1, body.txids, body.merkle_root)
    if tag == Tag.RECONCILE_BLOCK:
        reconcile_block = decode_reconcile_block(message, known.resolve)
        block_hash = header_hash(reconcile_block.header)
        table = reconcile_block.iblt
        if "iblt" in params:
            table_hash, table = decode_iblt_message(_hex(params["iblt"], "iblt"))
            if table_hash != block_hash:
                raise RelayError(Code.MALFORMED_MESSAGE, "IBLT message for another block")
        found = reconcile(reconcile_block, table, select_candidates(reconcile_block, mempool))
        if found.missing and answer is None:
            return {
                "mode": 2,
                "status": "missing",
                "block_hash": encode_hash(block_hash),
                "missing": [_sid(value) for value in found.missing],
            }
        body = complete_reconciliation(
            reconcile_block, found, BlockTransactions(block_hash, answer or ())
        )
        return _complete(block_hash, 2, body.txids, body.merkle_root)
    raise RelayError(Code.MALFORMED_MESSAGE, "not a COMPACT_BLOCK or RECONCILE_BLOCK message")


# ----------------------------------------------------------------------------- vectors

# Published SipHash-2-4 outputs (key bytes 00..0f, message bytes 00..len-1).
_SIPHASH_FACTS: Final = (
    (0, 0x726FDB47DD0E0E31),
    (1, 0x74F839C593DC67FD),
    (8, 0x93F5F5799A932462),
    (15, 0xA129CA6149BE45E5),
    (32, 0x7127512F72F27CCE),
    (63, 0x958A324CEB064572),
)
# BIP152 getblocktxn index encoding: wire bytes <-> absolute indexes.
_INDEX_FACTS: Final = (([4, 0, 5, 1, 10], [0, 6, 8, 19]), ([3, 1, 1, 1], [1, 3, 5]))


def _anchor_cases() -> list[JsonObject]:
    siphash = Script("siphash-2-4 published vectors")
    for length, expected in _SIPHASH_FACTS:
        siphash.expect(
            "relay_siphash",
            {"key": bytes(range(16)).hex(), "message": bytes(range(length)).hex()},
            {"result": {"hash": encode_int(expected)}},
        )
    indexes = Script("bip152 differential indexes")
    for wire, absolute in _INDEX_FACTS:
        indexes.expect(
            "relay_encode_indexes",
            {"indexes": list(absolute)},
            {"result": {"data": bytes(wire).hex()}},
        )
        indexes.expect(
            "relay_decode_indexes",
            {"data": bytes(wire).hex(), "bound": 100},
            {"result": {"indexes": list(absolute)}},
        )
    # Differences whose running sum passes the bound (and would overflow a u16).
    overflow = bytes([2, 0xFD, 0xFF, 0xFF, 0xFD, 0xFF, 0xFF]).hex()
    indexes.expect(
        "relay_decode_indexes", {"data": overflow, "bound": 100_000}, {"error": "INDEX_OVERFLOW"}
    )
    indexes.expect(
        "relay_decode_indexes", {"data": "0400050a", "bound": 100}, {"error": "MALFORMED_MESSAGE"}
    )
    indexes.expect(
        "relay_decode_indexes",
        {"data": "feffffff7f", "bound": 2**40},
        {"error": "MALFORMED_MESSAGE"},
    )
    return [siphash.case(), indexes.case()]


def _require(reply: JsonObject, expected: str) -> None:
    """Stop generation when the reference does not answer what a case was built for."""
    error = reply.get("error")
    result = reply.get("result")
    found = error.get("code") if isinstance(error, dict) else None
    if found is None and isinstance(result, dict):
        found = str(result.get("status"))
    if found != expected:
        raise RuntimeError(f"relay vector generation: expected {expected}, got {reply!r}")


def _transaction(rng: random.Random) -> bytes:
    return encode_transaction(random_transaction(rng, rng.randint(0, 8)))


def _block(
    rng: random.Random, count: int, parents: int
) -> tuple[RelayHeader, list[bytes], list[Hash]]:
    others = [_transaction(rng) for _ in range(count)]
    blue_score = rng.randrange(1 << 40)
    body = make_body(canonical_order(encode_transaction(random_coinbase(rng, blue_score)), others))
    parent_hashes = [Hash(rng.randbytes(32)) for _ in range(parents)]
    header = RelayHeader(
        version=1,
        parents=tuple(parent_hashes),
        blue_score=blue_score,
        blue_work=rng.randrange(1, 1 << 100),
        timestamp=1_760_000_000_000 + rng.randrange(1 << 30),
        nonce=rng.randrange(1 << 64),
        bits=0x1D02CA33,
        merkle_root=body.merkle_root,
    )
    return header, list(body.transactions), parent_hashes


def _params(message: bytes, mempool: Sequence[bytes], known: Sequence[Hash]) -> JsonObject:
    return {
        "message": message.hex(),
        "mempool": [tx.hex() for tx in mempool],
        "known_blocks": [encode_hash(item) for item in known],
    }


def _compact_cases(rng: random.Random) -> list[JsonObject]:
    header, transactions, parents = _block(rng, 24, 3)
    body = make_body(transactions)
    block = make_compact_block(header, body, rng.randrange(1 << 64))
    message = encode_compact_block(block)
    outsiders = [_transaction(rng) for _ in range(10)]
    everything = [*transactions[1:], *outsiders]
    held = [tx for i, tx in enumerate(transactions[1:]) if i % 5 != 2] + outsiders
    missing = [tx for i, tx in enumerate(transactions[1:]) if i % 5 == 2]

    short_ids = Script("mode 1 short ids")
    short_ids.call(
        "relay_short_ids",
        {
            "block_hash": encode_hash(header_hash(header)),
            "nonce": encode_int(block.nonce),
            "txids": [encode_hash(item) for item in body.txids],
        },
    )
    complete, partial, wrong = _mempool_scripts(
        "mode 1",
        "wrong answer fails the merkle root",
        message=message,
        everything=everything,
        held=held,
        missing=missing,
        outsider=outsiders[0],
        parents=parents,
    )
    # A message whose short ID for position 1 names an outsider: an unnoticed collision.
    key = short_id_key(header_hash(header), block.nonce)
    forged = CompactBlock(
        header,
        block.nonce,
        (
            short_id(key, txid(outsiders[1])),
            *block.short_ids[1:],
        ),
        block.prefilled,
    )
    collision = Script("mode 1 short id collision")
    _require(
        collision.call(
            "relay_decode_block", _params(encode_compact_block(forged), everything, parents)
        ),
        "BAD_MERKLE_ROOT",
    )
    repeated = CompactBlock(
        header, block.nonce, (block.short_ids[0], *block.short_ids[:-1]), block.prefilled
    )
    collision.call(
        "relay_decode_block", _params(encode_compact_block(repeated), everything, parents)
    )
    bad = Script("mode 1 malformed messages")
    bad.call("relay_decode_block", _params(message[:-3], everything, parents))
    bad.call("relay_decode_block", _params(message + b"\x00", everything, parents))
    bad.call("relay_decode_block", _params(message, everything, parents[1:]))
    overflow = CompactBlock(
        header, block.nonce, block.short_ids, ((len(transactions), transactions[0]),)
    )
    bad.call("relay_decode_block", _params(encode_compact_block(overflow), everything, parents))
    return [c.case() for c in (short_ids, complete, partial, wrong, collision, bad)]


def _mempool_scripts(
    mode: str,
    wrong_title: str,
    *,
    message: bytes,
    everything: Sequence[bytes],
    held: Sequence[bytes],
    missing: Sequence[bytes],
    outsider: bytes,
    parents: Sequence[Hash],
) -> tuple[Script, Script, Script]:
    """The three mempool cases every mode has: complete, missing then answered, and a wrong
    answer (``missing`` in the order the receiver asks for them)."""
    complete = Script(f"{mode} complete from the mempool")
    _require(complete.call("relay_decode_block", _params(message, everything, parents)), "complete")
    partial = Script(f"{mode} missing transactions, then the answer")
    _require(partial.call("relay_decode_block", _params(message, held, parents)), "missing")
    partial.call(
        "relay_decode_block",
        {**_params(message, held, parents), "answer": [tx.hex() for tx in missing]},
    )
    wrong = Script(f"{mode} {wrong_title}")
    wrong.call(
        "relay_decode_block",
        {**_params(message, held, parents), "answer": [outsider.hex()] * len(missing)},
    )
    return complete, partial, wrong


def _reconcile_cases(rng: random.Random) -> list[JsonObject]:
    header, transactions, parents = _block(rng, 40, 32)
    body = make_body(transactions)
    outsiders = [_transaction(rng) for _ in range(40)]
    everything = [*transactions[1:], *outsiders]
    nonce = rng.randrange(1 << 64)
    message = encode_reconcile_block(make_reconcile_block(header, body, nonce, len(everything)))
    held = [tx for i, tx in enumerate(transactions[1:]) if i % 10 != 3] + outsiders
    missing_sorted = sorted(
        (tx for i, tx in enumerate(transactions[1:]) if i % 10 == 3),
        key=lambda tx: short_id(short_id_key(header_hash(header), nonce), txid(tx)),
    )

    complete, partial, wrong = _mempool_scripts(
        "mode 2",
        "answer holds a transaction not asked for",
        message=message,
        everything=everything,
        held=held,
        missing=missing_sorted,
        outsider=outsiders[0],
        parents=parents,
    )
    # A receiver holding a third of the block: the first table cannot carry the difference.
    sparse = transactions[1:14] + outsiders
    larger = Script("mode 2 first IBLT fails, a larger one peels")
    _require(
        larger.call("relay_decode_block", _params(message, sparse, parents)), "IBLT_DECODE_FAILED"
    )
    bigger = serve_iblt(header, body, nonce, 160)
    _require(
        larger.call(
            "relay_decode_block", {**_params(message, sparse, parents), "iblt": bigger.hex()}
        ),
        "missing",
    )
    decoded: ReconcileBlock = decode_reconcile_block(message, KnownBlocks(parents).resolve)
    cells = len(decoded.iblt.counts)
    junk = Iblt(
        tuple(rng.randrange(256) for _ in range(cells)),
        tuple(rng.randrange(1 << 48) for _ in range(cells)),
        tuple(rng.randrange(1 << 16) for _ in range(cells)),
    )
    hostile = Script("mode 2 IBLT that never peels")
    hostile.call(
        "relay_decode_block",
        {
            **_params(message, everything, parents),
            "iblt": (bytes([Tag.IBLT]) + header_hash(header) + encode_iblt(junk)).hex(),
        },
    )
    bad = Script("mode 2 malformed messages")
    bad.call("relay_decode_block", _params(message[:-5], everything, parents))
    bad.call("relay_decode_block", _params(message, everything, []))
    return [c.case() for c in (complete, partial, wrong, larger, hostile, bad)]


# Two transactions whose short IDs collide under the key of the block built by
# ``_collision_cases`` (short-ID nonce 7), found by a cycle-finding (Brent) search over
# :func:`_outsider` of a 6-byte counter; generation re-checks the collision with the reference.
_COLLIDING_COUNTERS: Final = (0x3482D2D7CA79, 0x6AC617D89D13)


def _outsider(counter: int) -> bytes:
    """A transaction with nothing but ``b"outsider:" + counter`` (6 bytes LE) as payload."""
    payload = b"outsider:" + counter.to_bytes(6, "little")
    return encode_transaction(Transaction(0, (), (), 0, SUBNETWORK_ID_NATIVE, 0, payload, 0))


def _collision_cases() -> list[JsonObject]:
    # Its own fixed generator: the colliding pair above belongs to exactly this block.
    rng = random.Random("relay: candidate collision")
    header, transactions, parents = _block(rng, 12, 2)
    nonce = 7
    body = make_body(transactions)
    pair = [_outsider(counter) for counter in _COLLIDING_COUNTERS]
    key = short_id_key(header_hash(header), nonce)
    if short_id(key, txid(pair[0])) != short_id(key, txid(pair[1])):
        raise RuntimeError("relay vector generation: the stored pair no longer collides")
    # Announcing an empty mempool gets no Bloom filter: both colliding transactions are
    # candidates. The receiver counts their short ID once, and the IBLT then reports it as a
    # key outside the block.
    message = encode_reconcile_block(make_reconcile_block(header, body, nonce, 0))
    case = Script("mode 2 two mempool transactions share a short ID")
    _require(
        case.call("relay_decode_block", _params(message, [*transactions[1:], *pair], parents)),
        "complete",
    )
    # Mode 1: a message whose position 3 carries the pair's short ID. Two mempool transactions
    # answer to it, so the receiver must ask for position 3 instead of guessing; the true
    # transaction then completes the block.
    block = make_compact_block(header, body, nonce)
    ids = list(block.short_ids)
    ids[2] = short_id(key, txid(pair[0]))
    forged = encode_compact_block(CompactBlock(header, nonce, tuple(ids), block.prefilled))
    ambiguous = Script("mode 1 two mempool transactions share a short ID")
    params = _params(forged, [*transactions[1:], *pair], parents)
    _require(ambiguous.call("relay_decode_block", params), "missing")
    _require(
        ambiguous.call("relay_decode_block", {**params, "answer": [transactions[3].hex()]}),
        "complete",
    )
    return [case.case(), ambiguous.case()]


def generate(context: GenerationContext) -> list[VectorFile]:
    """The relay vector files."""
    rng = context.rng("relay")
    description = (
        "Compact block relay (spec/relay.md): SipHash-2-4 and BIP152 index facts, short IDs, "
        "mode 1 compact blocks and mode 2 reconciliation decoded against a given mempool, "
        "with missing transactions, collisions and malformed messages."
    )
    cases = [
        *_anchor_cases(),
        *_compact_cases(rng),
        *_reconcile_cases(rng),
        *_collision_cases(),
    ]
    return [VectorFile("relay/relay.json", script_file("relay", ["relay"], description, cases))]


CAPABILITY: Final = Capability(
    name="relay",
    methods={
        "relay_siphash": relay_siphash,
        "relay_short_ids": relay_short_ids,
        "relay_encode_indexes": relay_encode_indexes,
        "relay_decode_indexes": relay_decode_indexes,
        "relay_decode_block": relay_decode_block,
    },
    generate=generate,
)
"""The relay capability."""
