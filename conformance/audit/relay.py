"""Relay vectors: a second decoder of the relay messages, written from ``spec/relay.md``.

Every relay method is answered again from the byte layouts and rules of the relay chapter and
of the transactions chapter, by code that shares nothing with ``reference/relay`` or
``reference/transaction``:

- SipHash-2-4 from its paper (the published outputs are in the vectors as facts), short-ID keys
  from BLAKE2b, CompactSize with only the shortest form, BIP152 differential index lists;
- Kaspa's transactions: the encoding read field by field, the hash (BLAKE2b keyed
  ``TransactionHash``), the id (scripts and mass left out; BLAKE2b keyed ``TransactionID`` for
  version 0, the BLAKE3 construction for version 1 and later), the hash merkle root over the
  hashes with a zero hash pairing an odd node;
- the compact header with its parent prefixes resolved among the known blocks and its hash
  recomputed; mode 1's short IDs, prefilled transactions and mempool matching (a short ID two
  mempool transactions share is missing, not guessed); mode 2's Bloom filter, the IBLT of the
  candidates subtracted from the sender's and peeled, the consistency checks, the answer's
  short IDs; the filled body in canonical order and its merkle root.

Each failure carries the relay error code the chapter assigns; where several rules could fire,
the order is the chapter's (params, then the mempool's transactions, then the message in byte
order, then matching, then the body).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Final

import blake3

from conformance.audit.common import Finding, Outcome, Tally, Unjudgeable, hex_int, judge

MAX_MESSAGE: Final = 4_000_000
MAX_TRANSACTIONS: Final = 100_000
MAX_TRANSACTION_BYTES: Final = 100_000
MAX_BLOOM_BITS: Final = 16_000_000
MAX_HASHES: Final = 32
MAX_CELLS: Final = 300_000
MAX_LIST: Final = 100_000
SID_BYTES: Final = 6
SID_MASK: Final = (1 << 48) - 1
PREFIX_BYTES: Final = 6
ZERO: Final = bytes(32)
_HEX: Final = re.compile(r"(?:[0-9a-f]{2})*")
_HASH: Final = re.compile(r"[0-9a-f]{64}")
_BIGINT: Final = re.compile(r"0x(?:0|[1-9a-f][0-9a-f]{0,127})")
_M64: Final = (1 << 64) - 1


class Refused(Exception):
    """The answer is an error with this code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# ---------------------------------------------------------------------------- SipHash-2-4


def _rotl(value: int, bits: int) -> int:
    return ((value << bits) | (value >> (64 - bits))) & _M64


def siphash(k0: int, k1: int, message: bytes) -> int:
    """SipHash-2-4 (Aumasson and Bernstein): 2 rounds per word, 4 to finish."""
    v = [k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D]
    v += [k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573]

    def rounds(count: int) -> None:
        for _ in range(count):
            v[0] = (v[0] + v[1]) & _M64
            v[1] = _rotl(v[1], 13) ^ v[0]
            v[0] = _rotl(v[0], 32)
            v[2] = (v[2] + v[3]) & _M64
            v[3] = _rotl(v[3], 16) ^ v[2]
            v[0] = (v[0] + v[3]) & _M64
            v[3] = _rotl(v[3], 21) ^ v[0]
            v[2] = (v[2] + v[1]) & _M64
            v[1] = _rotl(v[1], 17) ^ v[2]
            v[2] = _rotl(v[2], 32)

    full = len(message) - len(message) % 8
    words = [int.from_bytes(message[i : i + 8], "little") for i in range(0, full, 8)]
    # The last word: the leftover bytes, and the length mod 256 in its top byte.
    words.append(int.from_bytes(message[full:], "little") | (len(message) & 0xFF) << 56)
    for word in words:
        v[3] ^= word
        rounds(2)
        v[0] ^= word
    v[2] ^= 0xFF
    rounds(4)
    return v[0] ^ v[1] ^ v[2] ^ v[3]


@dataclass(frozen=True, slots=True)
class _Key:
    k0: int
    k1: int

    def keyed(self, txid: bytes) -> int:
        return siphash(self.k0, self.k1, txid)

    def sid(self, txid: bytes) -> int:
        return self.keyed(txid) & SID_MASK


def _key(block_hash: bytes, nonce: int) -> _Key:
    digest = hashlib.blake2b(
        block_hash + nonce.to_bytes(8, "little"), digest_size=32, person=b"dagspec-shortid"
    ).digest()
    return _Key(int.from_bytes(digest[:8], "little"), int.from_bytes(digest[8:16], "little"))


# ---------------------------------------------------------------------------- bytes


class _Bytes:
    """A cursor that refuses, with a relay code, anything the layouts do not allow."""

    def __init__(self, data: bytes, code: str = "MALFORMED_MESSAGE") -> None:
        if len(data) > MAX_MESSAGE:
            raise Refused("MESSAGE_TOO_LARGE")
        self.data, self.at, self.code = data, 0, code

    def left(self) -> int:
        return len(self.data) - self.at

    def take(self, size: int) -> bytes:
        if size > self.left():
            raise Refused(self.code)
        self.at += size
        return self.data[self.at - size : self.at]

    def uint(self, size: int) -> int:
        return int.from_bytes(self.take(size), "little")

    def compact(self) -> int:
        first = self.uint(1)
        widths = {0xFD: (2, 0xFD), 0xFE: (4, 1 << 16), 0xFF: (8, 1 << 32)}
        if first not in widths:
            return first
        width, least = widths[first]
        value = self.uint(width)
        if value < least:
            raise Refused(self.code)
        return value

    def count(self, item_bytes: int, limit: int) -> int:
        value = self.compact()
        if value > limit:
            raise Refused("MESSAGE_TOO_LARGE")
        if value * item_bytes > self.left():
            raise Refused(self.code)
        return value

    def blob(self, limit: int) -> bytes:
        return self.take(self.count(1, limit))

    def done(self) -> None:
        if self.left():
            raise Refused(self.code)


def _cs(value: int) -> bytes:
    if value < 0xFD:
        return bytes([value])
    for marker, width in ((0xFD, 2), (0xFE, 4), (0xFF, 8)):
        if value < 1 << (8 * width):
            return bytes([marker]) + value.to_bytes(width, "little")
    raise Refused("MALFORMED_MESSAGE")


# ---------------------------------------------------------------------------- transactions


@dataclass(frozen=True, slots=True)
class _Tx:
    raw: bytes
    txid: bytes
    hash: bytes


def _b3(key: bytes, data: bytes) -> bytes:
    return blake3.blake3(data, key=key.ljust(32, b"\0")).digest()


def transaction(raw: bytes) -> _Tx:
    """A relayed transaction read field by field, with its id and hash; bytes that are not
    exactly one transaction's encoding are ``MALFORMED_MESSAGE``."""
    reader = _Bytes(raw)
    version_bytes = reader.take(2)
    budgeted = int.from_bytes(version_bytes, "little") >= 1
    # The id's preimage: signature scripts empty (no sig-op count), no budgets, no mass.
    rest = [version_bytes]
    inputs = reader.uint(8)
    if inputs * (32 + 4 + 8 + 8) > reader.left():
        raise Refused("MALFORMED_MESSAGE")
    rest.append(inputs.to_bytes(8, "little"))
    for _ in range(inputs):
        outpoint = reader.take(36)
        reader.take(reader.uint(8))  # the signature script
        if not budgeted:
            reader.take(1)  # sig-op count
        sequence = reader.take(8)
        if budgeted:
            reader.take(2)  # compute budget
        rest += [outpoint, bytes(8), sequence]
    outputs = reader.uint(8)
    if outputs * (8 + 2 + 8) > reader.left():
        raise Refused("MALFORMED_MESSAGE")
    rest.append(outputs.to_bytes(8, "little"))
    for _ in range(outputs):
        value_and_version = reader.take(10)
        length = reader.uint(8)
        script = reader.take(length)
        rest += [value_and_version, length.to_bytes(8, "little"), script]
        if budgeted:
            flag = reader.uint(1)
            if flag > 1:
                raise Refused("MALFORMED_MESSAGE")
            rest.append(bytes([flag]) + (reader.take(34) if flag else b""))
    rest.append(reader.take(8 + 20 + 8))  # lock time, subnetwork id, gas
    payload = reader.take(reader.uint(8))
    # The storage mass: always there from version 1 on; version 0 writes only a non-zero one.
    if (budgeted or reader.left()) and reader.uint(8) == 0 and not budgeted:
        raise Refused("MALFORMED_MESSAGE")
    reader.done()
    if budgeted:
        main = b"".join(rest) + bytes(8)
        txid = _b3(
            b"TransactionV1Id", _b3(b"PayloadDigest", payload) + _b3(b"TransactionRest", main)
        )
    else:
        main = b"".join(rest) + len(payload).to_bytes(8, "little") + payload
        txid = hashlib.blake2b(main, digest_size=32, key=b"TransactionID").digest()
    tx_hash = hashlib.blake2b(raw, digest_size=32, key=b"TransactionHash").digest()
    return _Tx(raw, txid, tx_hash)


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """Kaspa's tree: keyed BLAKE2b ``MerkleBranchHash`` of pairs, an odd node paired with zero."""
    level = list(leaves)
    if not level:
        return ZERO
    while len(level) > 1:
        if len(level) % 2:
            level.append(ZERO)
        level = [
            hashlib.blake2b(
                level[i] + level[i + 1], digest_size=32, key=b"MerkleBranchHash"
            ).digest()
            for i in range(0, len(level), 2)
        ]
    return level[0]


def body(raws: Sequence[bytes], code: str) -> tuple[list[_Tx], bytes]:
    """A rebuilt body checked as a body (count, sizes, each a transaction, coinbase then
    strictly ascending ids, coinbase not repeated); anything wrong is ``code``."""
    if not 1 <= len(raws) <= MAX_TRANSACTIONS:
        raise Refused(code)
    txs = []
    for raw in raws:
        if not 1 <= len(raw) <= MAX_TRANSACTION_BYTES:
            raise Refused(code)
        try:
            txs.append(transaction(raw))
        except Refused:
            raise Refused(code) from None
    ids = [tx.txid for tx in txs]
    if any(a >= b for a, b in pairwise(ids[1:])) or ids[0] in ids[1:]:
        raise Refused(code)
    return txs, merkle_root([tx.hash for tx in txs])


# ---------------------------------------------------------------------------- headers


@dataclass(frozen=True, slots=True)
class _Header:
    hash: bytes
    merkle_root: bytes


def compact_header(reader: _Bytes, known: Sequence[bytes]) -> _Header:
    """The compact header: read whole, then each parent prefix resolved among ``known`` and
    the full header's hash compared with the announced one."""
    announced = reader.take(32)
    version = reader.take(2)
    count = reader.uint(1)
    if count == 0:
        raise Refused("MALFORMED_MESSAGE")
    prefixes = [reader.take(PREFIX_BYTES) for _ in range(count)]
    start = reader.at
    reader.take(8)  # blue score
    length = reader.uint(1)  # blue work: TOS VarUint, canonical only
    if length > 32:
        raise Refused("MALFORMED_MESSAGE")
    payload = reader.take(length)
    if payload and payload[-1] == 0:
        raise Refused("MALFORMED_MESSAGE")
    reader.take(8 + 8 + 4)  # timestamp, nonce, bits
    root = reader.take(32)
    tail = reader.data[start : reader.at]
    parents = []
    for prefix in prefixes:
        matches = [block for block in known if block.startswith(prefix)]
        if len(matches) != 1:
            raise Refused("UNKNOWN_PARENT_REFERENCE")
        parents.append(matches[0])
    full = version + bytes([count]) + b"".join(parents) + tail
    if hashlib.blake2b(full, digest_size=32, person=b"dagspec-header").digest() != announced:
        raise Refused("UNKNOWN_PARENT_REFERENCE")
    return _Header(announced, root)


# ---------------------------------------------------------------------------- IBLT


def _cells(key: int, width: int) -> tuple[int, list[int]]:
    digest = hashlib.blake2b(key.to_bytes(6, "little"), digest_size=18, person=b"dagspec-iblt")
    raw = digest.digest()
    check = int.from_bytes(raw[:2], "little")
    cells = [
        j * width + int.from_bytes(raw[2 + 4 * j : 6 + 4 * j], "little") % width for j in range(4)
    ]
    return check, cells


def _read_table(reader: _Bytes) -> list[list[int]]:
    cells = reader.count(9, MAX_CELLS)
    if cells == 0 or cells % 4:
        raise Refused("MALFORMED_MESSAGE")
    table = []
    for _ in range(cells):
        cell = reader.take(9)
        table.append(
            [cell[0], int.from_bytes(cell[1:7], "little"), int.from_bytes(cell[7:], "little")]
        )
    return table


def difference(sender: list[list[int]], keys: Iterable[int]) -> tuple[set[int], set[int]]:
    """``(keys only the sender's table holds, keys only ``keys`` hold)``, by peeling the
    sender's table minus a table of ``keys``; ``IBLT_DECODE_FAILED`` when it does not empty."""
    size = len(sender)
    width = size // 4
    table = [list(cell) for cell in sender]
    for key in keys:
        check, cells = _cells(key, width)
        for index in cells:
            table[index] = [
                (table[index][0] - 1) % 256,
                table[index][1] ^ key,
                table[index][2] ^ check,
            ]
    found: dict[int, int] = {}
    while True:
        pure = None
        for index, (count, key, check_sum) in enumerate(table):
            if count in (1, 255):
                check, cells = _cells(key, width)
                if check == check_sum and index in cells:
                    pure = (index, count, key, check, cells)
                    break
        if pure is None:
            break
        _, count, key, check, cells = pure
        if key in found or len(found) >= size:
            raise Refused("IBLT_DECODE_FAILED")
        found[key] = count
        for index in cells:
            table[index] = [
                (table[index][0] - count) % 256,
                table[index][1] ^ key,
                table[index][2] ^ check,
            ]
    if any(any(cell) for cell in table):
        raise Refused("IBLT_DECODE_FAILED")
    return {k for k, c in found.items() if c == 1}, {k for k, c in found.items() if c == 255}


# ---------------------------------------------------------------------------- methods


def _hex(value: object) -> bytes:
    if not isinstance(value, str) or _HEX.fullmatch(value) is None:
        raise Refused("BAD_REQUEST")
    return bytes.fromhex(value)


def _hex_list(value: object) -> list[bytes]:
    if not isinstance(value, list) or len(value) > MAX_LIST:
        raise Refused("BAD_REQUEST")
    return [_hex(item) for item in value]


def _hash(value: object) -> bytes:
    if not isinstance(value, str) or _HASH.fullmatch(value) is None:
        raise Refused("BAD_REQUEST")
    return bytes.fromhex(value)


def _count(value: object) -> int:
    if type(value) is not int or not 0 <= value < 1 << 53:
        raise Refused("BAD_REQUEST")
    return value


def _keys(
    params: Mapping[str, Any], required: set[str], optional: frozenset[str] = frozenset()
) -> None:
    if not required <= params.keys() or params.keys() - required - optional:
        raise Refused("BAD_REQUEST")


def _siphash(params: Mapping[str, Any]) -> Any:
    _keys(params, {"key", "message"})
    key = _hex(params["key"])
    if len(key) != 16:
        raise Refused("BAD_REQUEST")
    k0, k1 = int.from_bytes(key[:8], "little"), int.from_bytes(key[8:], "little")
    return {"hash": hex_int(siphash(k0, k1, _hex(params["message"])))}


def _short_ids(params: Mapping[str, Any]) -> Any:
    _keys(params, {"block_hash", "nonce", "txids"})
    nonce = params["nonce"]
    if not isinstance(nonce, str) or _BIGINT.fullmatch(nonce) is None or int(nonce, 16) >> 64:
        raise Refused("BAD_REQUEST")
    key = _key(_hash(params["block_hash"]), int(nonce, 16))
    if not isinstance(params["txids"], list):
        raise Refused("BAD_REQUEST")
    return {"short_ids": [key.sid(_hash(t)).to_bytes(6, "little").hex() for t in params["txids"]]}


def _encode_indexes(params: Mapping[str, Any]) -> Any:
    _keys(params, {"indexes"})
    raw = params["indexes"]
    if not isinstance(raw, list) or len(raw) > MAX_LIST:
        raise Refused("BAD_REQUEST")
    indexes = [_count(item) for item in raw]
    if any(a >= b for a, b in pairwise(indexes)):
        raise Refused("MALFORMED_MESSAGE")
    gaps = [b - a - 1 for a, b in zip([-1, *indexes], indexes, strict=False)]
    return {"data": (_cs(len(indexes)) + b"".join(map(_cs, gaps))).hex()}


def _decode_indexes(params: Mapping[str, Any]) -> Any:
    _keys(params, {"data", "bound"})
    data, bound = _hex(params["data"]), _count(params["bound"])
    reader = _Bytes(data)
    indexes: list[int] = []
    for _ in range(reader.count(1, bound)):
        indexes.append((indexes[-1] if indexes else -1) + 1 + reader.compact())
        if indexes[-1] >= bound:
            raise Refused("INDEX_OVERFLOW")
    reader.done()
    return {"indexes": indexes}


def _complete(mode: int, block: bytes, txs: Sequence[_Tx], root: bytes) -> Any:
    return {
        "mode": mode,
        "status": "complete",
        "block_hash": block.hex(),
        "merkle_root": root.hex(),
        "txids": [tx.txid.hex() for tx in txs],
    }


def _mode1(
    reader: _Bytes, known: list[bytes], pool: dict[bytes, bytes], answer: list[bytes] | None
) -> Any:
    header = compact_header(reader, known)
    nonce = reader.uint(8)
    ids = [reader.uint(SID_BYTES) for _ in range(reader.count(SID_BYTES, MAX_TRANSACTIONS))]
    if len(set(ids)) != len(ids):
        raise Refused("SHORT_ID_COLLISION")
    prefilled_count = reader.count(2, MAX_TRANSACTIONS - len(ids))
    total = len(ids) + prefilled_count
    if total == 0:
        raise Refused("MALFORMED_MESSAGE")
    prefilled: dict[int, bytes] = {}
    position = -1
    for _ in range(prefilled_count):
        position += 1 + reader.compact()
        if position >= total:
            raise Refused("INDEX_OVERFLOW")
        tx = reader.blob(MAX_TRANSACTION_BYTES)
        if not tx:
            raise Refused("MALFORMED_MESSAGE")
        prefilled[position] = tx
    reader.done()
    key = _key(header.hash, nonce)
    holders: dict[int, set[bytes]] = {}
    for txid, raw in pool.items():
        holders.setdefault(key.sid(txid), set()).add(raw)
    slots: list[bytes | None] = []
    short = iter(ids)
    for index in range(total):
        if index in prefilled:
            slots.append(prefilled[index])
            continue
        found = holders.get(next(short), set())
        slots.append(next(iter(found)) if len(found) == 1 else None)  # ambiguous: missing
    missing = [index for index, slot in enumerate(slots) if slot is None]
    if missing and answer is None:
        return {"mode": 1, "status": "missing", "block_hash": header.hash.hex(), "missing": missing}
    answer = answer or []
    if len(answer) != len(missing):
        raise Refused("MALFORMED_MESSAGE")
    for index, tx in zip(missing, answer, strict=True):
        slots[index] = tx
    txs, root = body([slot for slot in slots if slot is not None], "BAD_MERKLE_ROOT")
    if root != header.merkle_root:
        raise Refused("BAD_MERKLE_ROOT")
    return _complete(1, header.hash, txs, root)


def _mode2(
    reader: _Bytes,
    known: list[bytes],
    pool: dict[bytes, bytes],
    answer: list[bytes] | None,
    iblt: bytes | None,
) -> Any:
    header = compact_header(reader, known)
    nonce = reader.uint(8)
    count = reader.compact()
    if not 1 <= count <= MAX_TRANSACTIONS:
        raise Refused("MESSAGE_TOO_LARGE")
    coinbase = reader.blob(MAX_TRANSACTION_BYTES)
    if not coinbase:
        raise Refused("MALFORMED_MESSAGE")
    bit_count = reader.compact()
    if bit_count > MAX_BLOOM_BITS:
        raise Refused("MESSAGE_TOO_LARGE")
    hash_count = reader.uint(1)
    if (hash_count == 0) != (bit_count == 0) or hash_count > MAX_HASHES:
        raise Refused("MALFORMED_MESSAGE")
    bloom = reader.take((bit_count + 7) // 8)
    if bit_count % 8 and bloom[-1] >> (bit_count % 8):
        raise Refused("MALFORMED_MESSAGE")
    table = _read_table(reader)
    reader.done()
    if iblt is not None:
        other = _Bytes(iblt)
        if other.uint(1) != 0x08 or other.take(32) != header.hash:
            raise Refused("MALFORMED_MESSAGE")
        table = _read_table(other)
        other.done()

    def passes(value: int) -> bool:
        low, step = value & 0xFFFFFFFF, (value >> 32) | 1
        return all(
            bloom[(low + i * step) % bit_count // 8] >> ((low + i * step) % bit_count % 8) & 1
            for i in range(hash_count)
        )

    key = _key(header.hash, nonce)
    candidates: dict[int, set[bytes]] = {}
    for txid, raw in pool.items():
        value = key.keyed(txid)
        if bit_count == 0 or passes(value):
            candidates.setdefault(value & SID_MASK, set()).add(raw)
    only_block, only_mine = difference(table, candidates)
    if not only_mine <= candidates.keys() or only_block & candidates.keys():
        raise Refused("IBLT_DECODE_FAILED")
    in_block = (candidates.keys() - only_mine) | only_block
    if len(in_block) != count - 1:
        raise Refused("IBLT_DECODE_FAILED")
    missing = sorted(sid for sid in in_block if sid in only_block or len(candidates[sid]) > 1)
    if missing and answer is None:
        sids = [sid.to_bytes(6, "little").hex() for sid in missing]
        return {"mode": 2, "status": "missing", "block_hash": header.hash.hex(), "missing": sids}
    answer = answer or []
    if len(answer) != len(missing):
        raise Refused("MALFORMED_MESSAGE")
    answered = [transaction(raw) for raw in answer]
    if [key.sid(tx.txid) for tx in answered] != missing:
        raise Refused("MALFORMED_MESSAGE")
    others = [next(iter(candidates[sid])) for sid in in_block if sid not in missing]
    others += answer
    ordered = [coinbase, *sorted(others, key=lambda raw: transaction(raw).txid)]
    txs, root = body(ordered, "BAD_MERKLE_ROOT")
    if root != header.merkle_root:
        raise Refused("BAD_MERKLE_ROOT")
    return _complete(2, header.hash, txs, root)


def _decode_block(params: Mapping[str, Any]) -> Any:
    _keys(params, {"message", "mempool", "known_blocks"}, frozenset({"answer", "iblt"}))
    message = _hex(params["message"])
    pool: dict[bytes, bytes] = {}
    for raw in _hex_list(params["mempool"]):
        pool[transaction(raw).txid] = raw
    if not isinstance(params["known_blocks"], list):
        raise Refused("BAD_REQUEST")
    known = list(dict.fromkeys(_hash(item) for item in params["known_blocks"]))
    answer = _hex_list(params["answer"]) if "answer" in params else None
    if message[:1] == b"\x03":
        if "iblt" in params:
            raise Refused("BAD_REQUEST")
        reader = _Bytes(message)
        reader.take(1)
        return _mode1(reader, known, pool, answer)
    if message[:1] == b"\x06":
        reader = _Bytes(message)
        reader.take(1)
        iblt = _hex(params["iblt"]) if "iblt" in params else None
        return _mode2(reader, known, pool, answer, iblt)
    if len(message) > MAX_MESSAGE:
        raise Refused("MESSAGE_TOO_LARGE")
    raise Refused("MALFORMED_MESSAGE")


METHODS: Final[Mapping[str, Callable[[Mapping[str, Any]], Any]]] = {
    "relay_siphash": _siphash,
    "relay_short_ids": _short_ids,
    "relay_encode_indexes": _encode_indexes,
    "relay_decode_indexes": _decode_indexes,
    "relay_decode_block": _decode_block,
}
"""The relay methods, answered independently."""


def answer(method: str, params: Mapping[str, Any]) -> Outcome:
    """The oracle's outcome of one relay request."""
    handler = METHODS.get(method)
    if handler is None:
        raise Unjudgeable(f"no oracle answers {method}")
    try:
        return ("result", handler(params))
    except Refused as refusal:
        return ("error", refusal.code)


def audit_relay(path: str, document: Mapping[str, Any]) -> Tally:
    """Every expectation of a relay file."""
    tally = Tally()
    for case in document["cases"]:
        for index, step in enumerate(case["steps"]):
            try:
                problem = judge(step["expect"], answer(step["method"], step["params"]))
            except (Unjudgeable, KeyError, TypeError) as error:
                problem = f"no independent check: {type(error).__name__}: {error}"
            tally.checked += 1
            if problem is not None:
                tally.findings.append(Finding(path, case["name"], index, problem))
    return tally
