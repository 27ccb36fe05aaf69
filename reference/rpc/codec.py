"""The JSON forms both interfaces share: reading parameters, blocks in and blocks out.

A block travels as Kaspa's RPC block object ``{"header": H, "transactions": [T, ...]}``:
``H`` is the header's JSON form (:mod:`reference.header_json`; with or without ``hash``, which
must then match) and each ``T`` a transaction's JSON form (:mod:`reference.transaction.json_form`).
Reading is strict and bounded: the transaction list is refused past the block's transaction
limit before any transaction is decoded, and every failure is a typed error naming the field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from reference.errors import MalformedHash, MalformedHeader, MalformedTransaction
from reference.hash import Hash
from reference.header import BlockHeader
from reference.header_json import header_from_json, header_to_json
from reference.relay.body import MAX_BLOCK_TRANSACTIONS
from reference.rpc.errors import RpcCode, RpcError, invalid_params
from reference.transaction.json_form import transaction_from_json, transaction_to_json
from reference.transaction.model import Transaction

MAX_UINT64: Final = (1 << 64) - 1
"""The largest value of an unsigned 64-bit parameter."""


class Params:
    """The parameters of one request, read field by field.

    Each accessor raises ``INVALID_PARAMS`` (an :class:`~reference.rpc.errors.RpcError`)
    naming the field when it is missing or of the wrong type. With ``strict``, :meth:`done`
    refuses fields no accessor asked for (JSON-RPC); without it they are ignored, as Kaspa's
    serde types ignore them (wRPC).
    """

    __slots__ = ("_read", "_strict", "_values")

    def __init__(self, value: object, *, strict: bool) -> None:
        if value is None:
            value = {}
        if not isinstance(value, Mapping):
            raise invalid_params("params must be a JSON object")
        self._values: Mapping[str, object] = value
        self._read: set[str] = set()
        self._strict = strict

    def has(self, name: str) -> bool:
        """Whether ``name`` is given (``null`` counts as not given)."""
        return self._values.get(name) is not None

    def raw(self, name: str) -> object:
        """The JSON value of ``name`` as given; missing is an error."""
        self._read.add(name)
        if name not in self._values:
            raise invalid_params(f"missing parameter {name!r}")
        return self._values[name]

    def optional(self, name: str) -> object | None:
        """The JSON value of ``name``, or ``None`` when absent or ``null``."""
        self._read.add(name)
        return self._values.get(name)

    def string(self, name: str, *, max_length: int = 1024) -> str:
        """A string of at most ``max_length`` characters."""
        value = self.raw(name)
        if not isinstance(value, str):
            raise invalid_params(f"{name!r} must be a string")
        if len(value) > max_length:
            raise invalid_params(f"{name!r} is longer than {max_length} characters")
        return value

    def uint(self, name: str, *, maximum: int = MAX_UINT64, default: int | None = None) -> int:
        """A JSON integer in ``0 ..= maximum`` (``true`` is not an integer)."""
        value = self.optional(name) if default is not None else self.raw(name)
        if value is None and default is not None:
            return default
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= maximum:
            raise invalid_params(f"{name!r} must be an integer in 0..{maximum}")
        return value

    def boolean(self, name: str, *, default: bool | None = None) -> bool:
        """A JSON ``true`` or ``false``."""
        value = self.optional(name) if default is not None else self.raw(name)
        if value is None and default is not None:
            return default
        if not isinstance(value, bool):
            raise invalid_params(f"{name!r} must be true or false")
        return value

    def hash(self, name: str) -> Hash:
        """A block hash: 64 lowercase hexadecimal characters (``MALFORMED_HASH`` otherwise)."""
        value = self.raw(name)
        try:
            return Hash.from_hex(value)  # type: ignore[arg-type]  # from_hex checks the type
        except MalformedHash as error:
            raise MalformedHash(value, f"{name}: {error.message}") from None

    def done(self) -> None:
        """With ``strict``, refuse any parameter no accessor read."""
        if self._strict:
            unknown = sorted(str(key) for key in self._values if key not in self._read)
            if unknown:
                raise invalid_params(f"unknown parameter {unknown[0]!r}")


def block_from_json(
    value: object, *, allow_verbose: bool = False
) -> tuple[BlockHeader, tuple[Transaction, ...]]:
    """The header and transactions of a JSON block object (module text).

    ``allow_verbose`` accepts a ``verboseData`` key (only ``null``), which Kaspa's client
    types carry. Raises :class:`~reference.errors.MalformedHeader`,
    :class:`~reference.errors.HeaderHashMismatch` or
    :class:`~reference.errors.MalformedTransaction`.
    """
    if not isinstance(value, Mapping):
        raise MalformedHeader("block", value, "a JSON object with header and transactions")
    keys = {"header", "transactions"} | ({"verboseData"} if allow_verbose else set())
    for key in value:
        if key not in keys:
            raise MalformedHeader(str(key), value[key], "unknown field of a block")
    if value.get("verboseData") is not None:
        raise MalformedHeader("verboseData", value["verboseData"], "must be null in a request")
    if "header" not in value:
        raise MalformedHeader("header", None, "missing field")
    header = header_from_json(value["header"])
    transactions = value.get("transactions")
    if not isinstance(transactions, list):
        raise MalformedTransaction(transactions, "transactions must be an array")
    if len(transactions) > MAX_BLOCK_TRANSACTIONS:
        raise MalformedTransaction(
            len(transactions), f"more than {MAX_BLOCK_TRANSACTIONS} transactions"
        )
    return header, tuple(transaction_from_json(item) for item in transactions)


def block_to_json(
    header: BlockHeader, transactions: Iterable[Transaction] | None, *, with_hash: bool
) -> dict[str, object]:
    """A block's JSON object; ``transactions`` ``None`` writes an empty list."""
    return {
        "header": header_to_json(header, with_hash=with_hash),
        "transactions": [transaction_to_json(tx) for tx in transactions or ()],
    }


def hashes(blocks: Sequence[Hash]) -> list[str]:
    """Hashes as their hex strings, in the order given."""
    return [block.hex() for block in blocks]


def parse_json(data: bytes | str) -> object:
    """One JSON value from UTF-8 bytes or text, or ``MALFORMED_JSON``.

    Stricter than :func:`json.loads` where a hostile peer could hurt: ``NaN`` and
    ``Infinity`` are refused, and nesting too deep for the parser or an integer too long to
    convert is a malformed message, not a crash.
    """
    try:
        return json.loads(data, parse_constant=_refuse_constant)
    except (ValueError, RecursionError, UnicodeDecodeError) as error:
        raise RpcError(RpcCode.MALFORMED_JSON, f"not JSON: {str(error)[:200]}") from None


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def dump_json(value: object) -> str:
    """The compact JSON text of ``value``."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False)
