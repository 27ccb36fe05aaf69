"""The fields of a Kaspa transaction.

Every class is a frozen, slotted dataclass that checks its ranges when it is built, so a
:class:`Transaction` that exists can always be encoded and hashed: a value out of range raises
:class:`~reference.errors.MalformedTransaction`, never a crash later.

Version 0 inputs commit to a signature-operation count (``sig_op_count``), inputs of version 1
and later to a compute budget (``compute_budget``); the field the version does not use must be
zero (rusty-kaspa ``ComputeCommit``). Outputs of version 1 and later may carry a covenant
binding; the hash of a version 0 transaction ignores it, so version 0 outputs must not have one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from reference.errors import MalformedTransaction
from reference.hash import Hash

SUBNETWORK_ID_SIZE: Final = 20
"""Bytes of a subnetwork id."""
SUBNETWORK_ID_NATIVE: Final = bytes(SUBNETWORK_ID_SIZE)
"""The subnetwork of ordinary transactions: twenty zero bytes."""
SUBNETWORK_ID_COINBASE: Final = b"\x01" + bytes(SUBNETWORK_ID_SIZE - 1)
"""The subnetwork that marks the coinbase: ``01`` then nineteen zero bytes."""
TX_VERSION_TOCCATA: Final = 1
"""The first transaction version with compute budgets, covenants and the two-part id."""

_U8: Final = 1 << 8
_U16: Final = 1 << 16
_U32: Final = 1 << 32
_U64: Final = 1 << 64


def _check_uint(owner: object, name: str, value: object, bound: int) -> None:
    # bool is an int in Python; a flag is never a count.
    if type(value) is not int or not 0 <= value < bound:
        raise MalformedTransaction(
            owner, f"{name} must be an integer in [0, {bound}), got {value!r}"
        )


def _check_bytes(owner: object, name: str, value: object) -> None:
    if type(value) is not bytes:
        raise MalformedTransaction(owner, f"{name} must be bytes, got {type(value).__name__}")


def _check_hash(owner: object, name: str, value: object) -> None:
    if not isinstance(value, Hash):
        raise MalformedTransaction(owner, f"{name} must be a Hash, got {type(value).__name__}")


@dataclass(frozen=True, slots=True)
class Outpoint:
    """One output of an earlier transaction, named by that transaction's id and its index."""

    transaction_id: Hash
    """The id (:func:`~reference.transaction.encoding.transaction_id`) of the transaction."""
    index: int
    """The output's position in that transaction, an unsigned 32-bit integer."""

    def __post_init__(self) -> None:
        _check_hash(self, "transaction_id", self.transaction_id)
        _check_uint(self, "index", self.index, _U32)


@dataclass(frozen=True, slots=True)
class TransactionInput:
    """A reference to the output a transaction spends, with its unlocking data."""

    previous_outpoint: Outpoint
    """The output spent."""
    signature_script: bytes
    """The unlocking script (excluded from the transaction id)."""
    sequence: int
    """Sequence number, an unsigned 64-bit integer."""
    sig_op_count: int
    """Signature operations the script may run, an unsigned 8-bit integer (version 0 only;
    zero in later versions)."""
    compute_budget: int
    """Compute budget of the script, an unsigned 16-bit integer (version 1 and later; zero in
    version 0)."""

    def __post_init__(self) -> None:
        if not isinstance(self.previous_outpoint, Outpoint):
            raise MalformedTransaction(self, "previous_outpoint must be an Outpoint")
        _check_bytes(self, "signature_script", self.signature_script)
        _check_uint(self, "sequence", self.sequence, _U64)
        _check_uint(self, "sig_op_count", self.sig_op_count, _U8)
        _check_uint(self, "compute_budget", self.compute_budget, _U16)


@dataclass(frozen=True, slots=True)
class ScriptPublicKey:
    """A locking script and the version of the script language it is written in."""

    version: int
    """Script language version, an unsigned 16-bit integer."""
    script: bytes
    """The script."""

    def __post_init__(self) -> None:
        _check_uint(self, "version", self.version, _U16)
        _check_bytes(self, "script", self.script)


@dataclass(frozen=True, slots=True)
class CovenantBinding:
    """Binds an output to a covenant and to the input that authorises creating it."""

    authorizing_input: int
    """Index of the authorising input, an unsigned 16-bit integer."""
    covenant_id: Hash
    """The covenant's id."""

    def __post_init__(self) -> None:
        _check_uint(self, "authorizing_input", self.authorizing_input, _U16)
        _check_hash(self, "covenant_id", self.covenant_id)


@dataclass(frozen=True, slots=True)
class TransactionOutput:
    """An amount locked by a script."""

    value: int
    """Amount in sompi, an unsigned 64-bit integer."""
    script_public_key: ScriptPublicKey
    """The locking script."""
    covenant: CovenantBinding | None
    """The covenant binding, or ``None`` (always ``None`` in version 0)."""

    def __post_init__(self) -> None:
        _check_uint(self, "value", self.value, _U64)
        if not isinstance(self.script_public_key, ScriptPublicKey):
            raise MalformedTransaction(self, "script_public_key must be a ScriptPublicKey")
        if self.covenant is not None and not isinstance(self.covenant, CovenantBinding):
            raise MalformedTransaction(self, "covenant must be a CovenantBinding or None")


@dataclass(frozen=True, slots=True)
class Transaction:
    """A Kaspa transaction, every field that its hash commits to."""

    version: int
    """Transaction version, an unsigned 16-bit integer; it selects the encoding of inputs,
    outputs and the mass commitment, and the id formula."""
    inputs: tuple[TransactionInput, ...]
    """The outputs spent (none for a coinbase)."""
    outputs: tuple[TransactionOutput, ...]
    """The outputs created."""
    lock_time: int
    """Earliest DAA score or time the transaction may be accepted at, unsigned 64-bit."""
    subnetwork_id: bytes
    """Twenty bytes; :data:`SUBNETWORK_ID_COINBASE` marks the coinbase."""
    gas: int
    """Gas, an unsigned 64-bit integer."""
    payload: bytes
    """Free data; the coinbase's payload carries the block's blue score (``reference.coinbase``)."""
    storage_mass: int
    """The storage-mass commitment (KIP-9), an unsigned 64-bit integer: committed to by the
    transaction hash, not by the id (the JSON form also calls it ``mass``)."""

    def __post_init__(self) -> None:
        _check_uint(self, "version", self.version, _U16)
        if type(self.inputs) is not tuple or not all(
            isinstance(item, TransactionInput) for item in self.inputs
        ):
            raise MalformedTransaction(self, "inputs must be a tuple of TransactionInput")
        if type(self.outputs) is not tuple or not all(
            isinstance(item, TransactionOutput) for item in self.outputs
        ):
            raise MalformedTransaction(self, "outputs must be a tuple of TransactionOutput")
        _check_uint(self, "lock_time", self.lock_time, _U64)
        _check_bytes(self, "subnetwork_id", self.subnetwork_id)
        if len(self.subnetwork_id) != SUBNETWORK_ID_SIZE:
            raise MalformedTransaction(self, f"subnetwork_id is {SUBNETWORK_ID_SIZE} bytes")
        _check_uint(self, "gas", self.gas, _U64)
        _check_bytes(self, "payload", self.payload)
        _check_uint(self, "storage_mass", self.storage_mass, _U64)
        _check_version_fields(self)

    def is_coinbase(self) -> bool:
        """Whether this is a coinbase: its subnetwork is :data:`SUBNETWORK_ID_COINBASE`."""
        return self.subnetwork_id == SUBNETWORK_ID_COINBASE


def _check_version_fields(tx: Transaction) -> None:
    """The compute commitment and covenant fields the version does not use are empty."""
    budgeted = tx.version >= TX_VERSION_TOCCATA
    for position, item in enumerate(tx.inputs):
        unused = item.sig_op_count if budgeted else item.compute_budget
        if unused:
            field = "sig_op_count" if budgeted else "compute_budget"
            raise MalformedTransaction(
                tx, f"input {position}: {field} must be 0 in a version {tx.version} transaction"
            )
    if not budgeted:
        for position, output in enumerate(tx.outputs):
            if output.covenant is not None:
                raise MalformedTransaction(
                    tx, f"output {position}: a version 0 output has no covenant"
                )
