"""A transaction's JSON form: Kaspa's RPC transaction object (rusty-kaspa
``rpc/core/src/model/tx.rs``), as Kaspa's json_test files and its wRPC JSON carry it::

    {"version": 0,
     "inputs": [{"previousOutpoint": {"transactionId": H, "index": 0},
                 "signatureScript": HEX, "sequence": 0, "sigOpCount": 1,
                 "computeBudget": 0, "verboseData": null}],
     "outputs": [{"value": 1, "scriptPublicKey": HEX, "verboseData": null,
                  "covenant": null | {"authorizingInput": 0, "covenantId": H}}],
     "lockTime": 0, "subnetworkId": HEX40, "gas": 0, "payload": HEX,
     "storageMass": 0, "mass": 0, "verboseData": null}

Byte strings are lowercase hexadecimal. ``scriptPublicKey`` is the script's version as two
*big-endian* bytes followed by the script (``"0000" + script``), Kaspa's human-readable form.
Integers are JSON integers in their field's range. ``mass`` is Kaspa's older name for
``storageMass``: either may be left out, and when both are given they must be equal; likewise
``computeBudget`` may be left out (it is then 0), as Kaspa's parser allows. Verbose data is
what a node adds when it reports a transaction, never part of the transaction: it must be
``null``. Any other missing or extra key, wrong type or value out of range raises
:class:`~reference.errors.MalformedTransaction` naming the offending field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from reference.errors import MalformedTransaction
from reference.hash import HASH_SIZE, Hash
from reference.transaction.model import (
    SUBNETWORK_ID_SIZE,
    CovenantBinding,
    Outpoint,
    ScriptPublicKey,
    Transaction,
    TransactionInput,
    TransactionOutput,
)

_HEX: Final = frozenset("0123456789abcdef")
_TX_KEYS: Final = (
    "version",
    "inputs",
    "outputs",
    "lockTime",
    "subnetworkId",
    "gas",
    "payload",
    "storageMass",
    "mass",
    "verboseData",
)
_INPUT_KEYS: Final = (
    "previousOutpoint",
    "signatureScript",
    "sequence",
    "sigOpCount",
    "computeBudget",
    "verboseData",
)
_OUTPUT_KEYS: Final = ("value", "scriptPublicKey", "verboseData", "covenant")
_OUTPOINT_KEYS: Final = ("transactionId", "index")
_COVENANT_KEYS: Final = ("authorizingInput", "covenantId")


def _object(
    value: object, where: str, keys: tuple[str, ...], optional: frozenset[str]
) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise MalformedTransaction(value, f"{where} must be an object")
    present = set(value)
    missing = [key for key in keys if key not in present and key not in optional]
    if missing:
        raise MalformedTransaction(value, f"{where} lacks {', '.join(missing)}")
    extra = sorted(str(key) for key in present.difference(keys))
    if extra:
        raise MalformedTransaction(value, f"{where} has unknown keys {', '.join(extra)}")
    return value


def _uint(value: object, where: str, bits: int) -> int:
    if type(value) is not int or not 0 <= value < 1 << bits:
        raise MalformedTransaction(value, f"{where} must be an integer in [0, 2^{bits})")
    return value


def _hex(value: object, where: str) -> bytes:
    if not isinstance(value, str) or len(value) % 2 or not _HEX.issuperset(value):
        raise MalformedTransaction(value, f"{where} must be lowercase hex of whole bytes")
    return bytes.fromhex(value)


def _hash(value: object, where: str) -> Hash:
    raw = _hex(value, where)
    if len(raw) != HASH_SIZE:
        raise MalformedTransaction(value, f"{where} must be {HASH_SIZE} bytes")
    return Hash(raw)


def _null(value: object, where: str) -> None:
    if value is not None:
        raise MalformedTransaction(value, f"{where} must be null")


def _input(value: object, where: str) -> TransactionInput:
    obj = _object(value, where, _INPUT_KEYS, frozenset({"computeBudget"}))
    outpoint = _object(
        obj["previousOutpoint"], f"{where}.previousOutpoint", _OUTPOINT_KEYS, frozenset()
    )
    _null(obj["verboseData"], f"{where}.verboseData")
    return TransactionInput(
        Outpoint(
            _hash(outpoint["transactionId"], f"{where}.previousOutpoint.transactionId"),
            _uint(outpoint["index"], f"{where}.previousOutpoint.index", 32),
        ),
        _hex(obj["signatureScript"], f"{where}.signatureScript"),
        _uint(obj["sequence"], f"{where}.sequence", 64),
        _uint(obj["sigOpCount"], f"{where}.sigOpCount", 8),
        _uint(obj.get("computeBudget", 0), f"{where}.computeBudget", 16),
    )


def _output(value: object, where: str) -> TransactionOutput:
    obj = _object(value, where, _OUTPUT_KEYS, frozenset())
    _null(obj["verboseData"], f"{where}.verboseData")
    raw = _hex(obj["scriptPublicKey"], f"{where}.scriptPublicKey")
    if len(raw) < 2:
        raise MalformedTransaction(raw, f"{where}.scriptPublicKey starts with a 2-byte version")
    covenant = None
    if obj["covenant"] is not None:
        binding = _object(obj["covenant"], f"{where}.covenant", _COVENANT_KEYS, frozenset())
        covenant = CovenantBinding(
            _uint(binding["authorizingInput"], f"{where}.covenant.authorizingInput", 16),
            _hash(binding["covenantId"], f"{where}.covenant.covenantId"),
        )
    return TransactionOutput(
        _uint(obj["value"], f"{where}.value", 64),
        ScriptPublicKey(int.from_bytes(raw[:2], "big"), raw[2:]),
        covenant,
    )


def _list(value: object, where: str) -> list[object]:
    if not isinstance(value, list):
        raise MalformedTransaction(value, f"{where} must be an array")
    return value


def transaction_from_json(value: object) -> Transaction:
    """Parse Kaspa's RPC transaction object strictly (module text)."""
    obj = _object(value, "transaction", _TX_KEYS, frozenset({"storageMass", "mass"}))
    masses = {
        key: _uint(obj[key], f"transaction.{key}", 64)
        for key in ("storageMass", "mass")
        if key in obj
    }
    if not masses:
        raise MalformedTransaction(value, "transaction lacks storageMass")
    if len(set(masses.values())) > 1:
        raise MalformedTransaction(value, "transaction.storageMass and .mass differ")
    _null(obj["verboseData"], "transaction.verboseData")
    subnetwork_id = _hex(obj["subnetworkId"], "transaction.subnetworkId")
    if len(subnetwork_id) != SUBNETWORK_ID_SIZE:
        raise MalformedTransaction(value, f"transaction.subnetworkId is {SUBNETWORK_ID_SIZE} bytes")
    return Transaction(
        _uint(obj["version"], "transaction.version", 16),
        tuple(
            _input(item, f"transaction.inputs[{i}]")
            for i, item in enumerate(_list(obj["inputs"], "transaction.inputs"))
        ),
        tuple(
            _output(item, f"transaction.outputs[{i}]")
            for i, item in enumerate(_list(obj["outputs"], "transaction.outputs"))
        ),
        _uint(obj["lockTime"], "transaction.lockTime", 64),
        subnetwork_id,
        _uint(obj["gas"], "transaction.gas", 64),
        _hex(obj["payload"], "transaction.payload"),
        next(iter(masses.values())),
    )


def transaction_to_json(tx: Transaction) -> dict[str, object]:
    """The JSON object of ``tx``, every key present, in the order Kaspa writes them."""
    return {
        "version": tx.version,
        "inputs": [
            {
                "previousOutpoint": {
                    "transactionId": item.previous_outpoint.transaction_id.hex(),
                    "index": item.previous_outpoint.index,
                },
                "signatureScript": item.signature_script.hex(),
                "sequence": item.sequence,
                "sigOpCount": item.sig_op_count,
                "computeBudget": item.compute_budget,
                "verboseData": None,
            }
            for item in tx.inputs
        ],
        "outputs": [
            {
                "value": output.value,
                "scriptPublicKey": output.script_public_key.version.to_bytes(2, "big").hex()
                + output.script_public_key.script.hex(),
                "verboseData": None,
                "covenant": None
                if output.covenant is None
                else {
                    "authorizingInput": output.covenant.authorizing_input,
                    "covenantId": output.covenant.covenant_id.hex(),
                },
            }
            for output in tx.outputs
        ],
        "lockTime": tx.lock_time,
        "subnetworkId": tx.subnetwork_id.hex(),
        "gas": tx.gas,
        "payload": tx.payload.hex(),
        "storageMass": tx.storage_mass,
        "mass": tx.storage_mass,
        "verboseData": None,
    }
