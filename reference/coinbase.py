"""The coinbase: the block's first transaction, and the payload that ties it to the block.

Kaspa's coinbase payload (rusty-kaspa ``consensus/src/processes/coinbase.rs``), integers
little-endian::

    blue_score       u64   the block's blue score
    subsidy          u64   the block reward the miner claims, in sompi
    script version   u16   the miner's script public key: version,
    script length    u8    length (at most 150),
    script           ...   and bytes
    extra data       ...   the rest (miner's software version and free text)

and the whole payload is 19 to :data:`MAX_COINBASE_PAYLOAD_LEN` (204) bytes. The body rule in
context checks the blue score (``reference.pipeline.body_validation``). The subsidy is the
reward schedule's business: TOS's reward model is not Kaspa's (``node.md`` §3.3), and rewards
are execution, which this specification does not do, so no rule here checks the subsidy or the
outputs' values. :func:`build_coinbase` writes the amount its caller chooses into both the
payload's subsidy field and the single output, so the coinbase is internally consistent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from reference.errors import MalformedTransaction
from reference.transaction.model import (
    SUBNETWORK_ID_COINBASE,
    TX_VERSION_TOCCATA,
    ScriptPublicKey,
    Transaction,
    TransactionOutput,
)

MAX_COINBASE_PAYLOAD_LEN: Final = 204
"""Longest coinbase payload in bytes (Kaspa's ``max_coinbase_payload_len``)."""
MAX_COINBASE_SCRIPT_LEN: Final = 150
"""Longest miner script in the payload (Kaspa's ``coinbase_payload_script_public_key_max_len``)."""
MIN_COINBASE_PAYLOAD_LEN: Final = 8 + 8 + 2 + 1
"""The fixed part of the payload: blue score, subsidy, script version, script length."""


@dataclass(frozen=True, slots=True)
class CoinbasePayload:
    """What a coinbase payload says."""

    blue_score: int
    """The blue score of the block holding the coinbase, unsigned 64-bit."""
    subsidy: int
    """The reward claimed, in sompi, unsigned 64-bit (not checked here: module text)."""
    script_public_key: ScriptPublicKey
    """The miner's script, at most :data:`MAX_COINBASE_SCRIPT_LEN` bytes."""
    extra_data: bytes
    """Whatever follows the script."""


def encode_coinbase_payload(payload: CoinbasePayload) -> bytes:
    """The payload's bytes; raises ``MALFORMED_TRANSACTION`` if they would break a limit."""
    script = payload.script_public_key.script
    if len(script) > MAX_COINBASE_SCRIPT_LEN:
        raise MalformedTransaction(
            payload, f"a coinbase script is at most {MAX_COINBASE_SCRIPT_LEN} bytes"
        )
    for name, value in (("blue_score", payload.blue_score), ("subsidy", payload.subsidy)):
        if type(value) is not int or not 0 <= value < 1 << 64:
            raise MalformedTransaction(payload, f"{name} is an unsigned 64-bit integer")
    data = (
        payload.blue_score.to_bytes(8, "little")
        + payload.subsidy.to_bytes(8, "little")
        + payload.script_public_key.version.to_bytes(2, "little")
        + bytes([len(script)])
        + script
        + payload.extra_data
    )
    if len(data) > MAX_COINBASE_PAYLOAD_LEN:
        raise MalformedTransaction(
            payload, f"a coinbase payload is at most {MAX_COINBASE_PAYLOAD_LEN} bytes"
        )
    return data


def decode_coinbase_payload(data: bytes) -> CoinbasePayload:
    """Parse a coinbase payload; raises ``MALFORMED_TRANSACTION`` with Kaspa's reason (too
    short, too long, a script longer than allowed or than the payload holds)."""
    if len(data) < MIN_COINBASE_PAYLOAD_LEN:
        raise MalformedTransaction(
            data,
            f"payload of {len(data)} bytes is below the minimum {MIN_COINBASE_PAYLOAD_LEN}",
        )
    if len(data) > MAX_COINBASE_PAYLOAD_LEN:
        raise MalformedTransaction(
            data,
            f"payload of {len(data)} bytes is above the maximum {MAX_COINBASE_PAYLOAD_LEN}",
        )
    script_len = data[18]
    if script_len > MAX_COINBASE_SCRIPT_LEN:
        raise MalformedTransaction(
            data,
            f"script length {script_len} is above the maximum {MAX_COINBASE_SCRIPT_LEN}",
        )
    end = MIN_COINBASE_PAYLOAD_LEN + script_len
    if len(data) < end:
        raise MalformedTransaction(
            data,
            f"payload of {len(data)} bytes cannot hold a {script_len}-byte script",
        )
    return CoinbasePayload(
        int.from_bytes(data[0:8], "little"),
        int.from_bytes(data[8:16], "little"),
        ScriptPublicKey(int.from_bytes(data[16:18], "little"), data[MIN_COINBASE_PAYLOAD_LEN:end]),
        data[end:],
    )


def build_coinbase(
    blue_score: int, script_public_key: ScriptPublicKey, amount: int, extra_data: bytes = b""
) -> Transaction:
    """A coinbase for a block of ``blue_score`` paying ``amount`` sompi to ``script_public_key``.

    Kaspa's current coinbase form: version 1, no inputs, the coinbase subnetwork, lock time,
    gas and storage mass 0. It has one output of ``amount`` to the miner's script, or none when
    ``amount`` is 0 (Kaspa never writes a zero-value output), and the payload names the same
    script with ``amount`` as its subsidy.
    """
    payload = encode_coinbase_payload(
        CoinbasePayload(blue_score, amount, script_public_key, extra_data)
    )
    outputs = (TransactionOutput(amount, script_public_key, None),) if amount else ()
    return Transaction(TX_VERSION_TOCCATA, (), outputs, 0, SUBNETWORK_ID_COINBASE, 0, payload, 0)
