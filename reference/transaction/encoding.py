"""A transaction's bytes, its hash and its id (rusty-kaspa ``consensus/core/src/hashing/tx.rs``).

**The encoding.** All integers are little-endian; a *length* is a u64; *var bytes* are a length
then the bytes::

    version                      u16
    input count                  length
    per input:  outpoint id      32 bytes
                outpoint index   u32
                signature_script var bytes
                sig_op_count     u8     (version 0 only)
                sequence         u64
                compute_budget   u16    (version >= 1 only)
    output count                 length
    per output: value            u64
                script version   u16
                script           var bytes
                has covenant     u8 0 or 1                     (version >= 1 only)
                covenant         u16 authorizing_input, 32-byte covenant_id (if present)
    lock_time                    u64
    subnetwork_id                20 bytes
    gas                          u64
    payload                      var bytes
    storage_mass                 u64   (version >= 1: always; version 0: only if non-zero)

This is exactly the data Kaspa's transaction hash hashes, and it is the form relay carries:
:func:`decode_transaction` inverts :func:`encode_transaction` and accepts nothing else (a
version 0 transaction that writes a zero storage mass is refused, since it would have two
encodings).

**The hash** is BLAKE2b-256 keyed with ``TransactionHash`` over the encoding. **The id** leaves
out what a signer cannot commit to or what the miner decides: signature scripts (each written
as an empty var bytes, with no ``sig_op_count``), the compute budgets and the storage mass. A
version 0 id is BLAKE2b-256 keyed with ``TransactionID`` over that. A version >= 1 id also
leaves the payload out of the main part (written as an empty var bytes) and hashes it apart, so
a long payload can be proved without the rest: with BLAKE3 keyed by the ASCII name padded with
zero bytes to 32, ``id = BLAKE3[TransactionV1Id](BLAKE3[PayloadDigest](payload) ||
BLAKE3[TransactionRest](main part))``. The coinbase has no special case: only the version
selects the formula.
"""

from __future__ import annotations

import hashlib
from typing import Final

import blake3

from reference.errors import MalformedTransaction
from reference.hash import HASH_SIZE, Hash
from reference.transaction.model import (
    SUBNETWORK_ID_SIZE,
    TX_VERSION_TOCCATA,
    CovenantBinding,
    Outpoint,
    ScriptPublicKey,
    Transaction,
    TransactionInput,
    TransactionOutput,
)

TRANSACTION_HASH_KEY: Final = b"TransactionHash"
"""BLAKE2b key of the transaction hash."""
TRANSACTION_ID_KEY: Final = b"TransactionID"
"""BLAKE2b key of the version 0 transaction id."""
PAYLOAD_DIGEST_KEY: Final = b"PayloadDigest"
"""BLAKE3 key (zero-padded to 32 bytes) of the payload digest of a version >= 1 id."""
TRANSACTION_REST_KEY: Final = b"TransactionRest"
"""BLAKE3 key (zero-padded) of the main-part digest of a version >= 1 id."""
TRANSACTION_V1_ID_KEY: Final = b"TransactionV1Id"
"""BLAKE3 key (zero-padded) that joins the two digests into a version >= 1 id."""


def _u16(value: int) -> bytes:
    return value.to_bytes(2, "little")


def _u64(value: int) -> bytes:
    return value.to_bytes(8, "little")


def _var_bytes(data: bytes) -> bytes:
    return _u64(len(data)) + data


def _write(tx: Transaction, *, scripts: bool, mass: bool, payload: bool) -> bytes:
    """The encoding with Kaspa's exclusion flags: ``scripts=False`` empties the signature
    scripts (and drops ``sig_op_count``), ``mass=False`` drops the compute budgets and the
    storage mass, ``payload=False`` empties the payload."""
    budgeted = tx.version >= TX_VERSION_TOCCATA
    parts = [_u16(tx.version), _u64(len(tx.inputs))]
    for item in tx.inputs:
        parts.append(item.previous_outpoint.transaction_id)
        parts.append(item.previous_outpoint.index.to_bytes(4, "little"))
        if scripts:
            parts.append(_var_bytes(item.signature_script))
            if not budgeted:
                parts.append(bytes([item.sig_op_count]))
        else:
            parts.append(_u64(0))
        parts.append(_u64(item.sequence))
        if mass and budgeted:
            parts.append(_u16(item.compute_budget))
    parts.append(_u64(len(tx.outputs)))
    for output in tx.outputs:
        parts.append(_u64(output.value))
        parts.append(_u16(output.script_public_key.version))
        parts.append(_var_bytes(output.script_public_key.script))
        if budgeted:
            covenant = output.covenant
            if covenant is None:
                parts.append(b"\x00")
            else:
                parts.append(b"\x01" + _u16(covenant.authorizing_input) + covenant.covenant_id)
    parts.append(_u64(tx.lock_time))
    parts.append(tx.subnetwork_id)
    parts.append(_u64(tx.gas))
    parts.append(_var_bytes(tx.payload if payload else b""))
    # Version 0 commits to a zero mass by writing nothing, so a pre-mass hash stays valid;
    # later versions always write it, which keeps the encoding invertible.
    if mass and (budgeted or tx.storage_mass):
        parts.append(_u64(tx.storage_mass))
    return b"".join(parts)


def encode_transaction(tx: Transaction) -> bytes:
    """The bytes of ``tx``: the preimage of its hash, and its wire form."""
    return _write(tx, scripts=True, mass=True, payload=True)


def transaction_hash(tx: Transaction) -> Hash:
    """Kaspa's transaction hash: keyed BLAKE2b-256 over :func:`encode_transaction`.

    The block's hash merkle root commits to these (``reference.merkle``).
    """
    digest = hashlib.blake2b(encode_transaction(tx), digest_size=32, key=TRANSACTION_HASH_KEY)
    return Hash(digest.digest())


def _blake3(key: bytes, data: bytes) -> bytes:
    return blake3.blake3(data, key=key.ljust(32, b"\0")).digest()


def transaction_id(tx: Transaction) -> Hash:
    """Kaspa's transaction id: the hash of the transaction without its signature scripts and
    mass commitments; for version >= 1 the payload is hashed apart (module text)."""
    if tx.version < TX_VERSION_TOCCATA:
        main = _write(tx, scripts=False, mass=False, payload=True)
        return Hash(hashlib.blake2b(main, digest_size=32, key=TRANSACTION_ID_KEY).digest())
    rest = _blake3(TRANSACTION_REST_KEY, _write(tx, scripts=False, mass=False, payload=False))
    return Hash(_blake3(TRANSACTION_V1_ID_KEY, _blake3(PAYLOAD_DIGEST_KEY, tx.payload) + rest))


class _Reader:
    """A bounds-checked cursor; every failure is a :class:`MalformedTransaction`."""

    __slots__ = ("_data", "_offset")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._offset = 0

    @property
    def remaining(self) -> int:
        return len(self._data) - self._offset

    def take(self, size: int) -> bytes:
        if size > self.remaining:
            raise MalformedTransaction(
                self._data, f"truncated at byte {self._offset}: need {size}, have {self.remaining}"
            )
        chunk = self._data[self._offset : self._offset + size]
        self._offset += size
        return chunk

    def uint(self, size: int) -> int:
        return int.from_bytes(self.take(size), "little")

    def count(self, item_min_size: int) -> int:
        # A count is refused before anything is allocated for it when the bytes left cannot
        # hold that many items.
        value = self.uint(8)
        if value * item_min_size > self.remaining:
            raise MalformedTransaction(
                self._data, f"count {value} cannot fit in the {self.remaining} bytes left"
            )
        return value

    def var_bytes(self) -> bytes:
        return self.take(self.count(1))


_MIN_INPUT_SIZE: Final = HASH_SIZE + 4 + 8 + 8
_MIN_OUTPUT_SIZE: Final = 8 + 2 + 8


def _read_input(reader: _Reader, budgeted: bool) -> TransactionInput:
    outpoint = Outpoint(Hash(reader.take(HASH_SIZE)), reader.uint(4))
    script = reader.var_bytes()
    sig_op_count = 0 if budgeted else reader.uint(1)
    sequence = reader.uint(8)
    compute_budget = reader.uint(2) if budgeted else 0
    return TransactionInput(outpoint, script, sequence, sig_op_count, compute_budget)


def _read_output(reader: _Reader, budgeted: bool) -> TransactionOutput:
    value = reader.uint(8)
    script_public_key = ScriptPublicKey(reader.uint(2), reader.var_bytes())
    covenant = None
    if budgeted:
        flag = reader.uint(1)
        if flag > 1:
            raise MalformedTransaction(flag, f"a covenant flag is 0 or 1, got {flag}")
        if flag:
            covenant = CovenantBinding(reader.uint(2), Hash(reader.take(HASH_SIZE)))
    return TransactionOutput(value, script_public_key, covenant)


def decode_transaction(data: bytes) -> Transaction:
    """The transaction whose :func:`encode_transaction` is exactly ``data``.

    Raises :class:`~reference.errors.MalformedTransaction` for anything else: truncated data,
    trailing bytes, counts the data cannot hold, a covenant flag other than 0 or 1, or a
    version 0 transaction that writes a zero storage mass.
    """
    if type(data) is not bytes:
        raise MalformedTransaction(data, f"a transaction is bytes, not {type(data).__name__}")
    reader = _Reader(data)
    version = reader.uint(2)
    budgeted = version >= TX_VERSION_TOCCATA
    inputs = tuple(_read_input(reader, budgeted) for _ in range(reader.count(_MIN_INPUT_SIZE)))
    outputs = tuple(_read_output(reader, budgeted) for _ in range(reader.count(_MIN_OUTPUT_SIZE)))
    lock_time = reader.uint(8)
    subnetwork_id = reader.take(SUBNETWORK_ID_SIZE)
    gas = reader.uint(8)
    payload = reader.var_bytes()
    if budgeted or reader.remaining:
        storage_mass = reader.uint(8)
        if not budgeted and storage_mass == 0:
            raise MalformedTransaction(data, "a version 0 transaction never writes a zero mass")
    else:
        storage_mass = 0
    if reader.remaining:
        raise MalformedTransaction(data, f"{reader.remaining} trailing bytes")
    return Transaction(
        version, inputs, outputs, lock_time, subnetwork_id, gas, payload, storage_mass
    )
