"""TOS's VarUint: how a 256-bit difficulty travels on the wire.

Encoding: one length byte ``n``, then the first ``n`` bytes of the value's 32-byte big-endian
form after its *trailing* zero bytes are stripped. The reader pads the ``n`` bytes with zeros
on the right. Small numbers therefore take 33 bytes (``1`` is ``20`` + 31 x ``00`` + ``01``),
and ``2^248`` takes two (``01 01``).

The spec accepts only the canonical form: a payload whose last byte is zero (it would have
been stripped) is rejected, so every value has exactly one encoding.
"""

from __future__ import annotations

from typing import Final

from reference.errors import MalformedEncoding
from reference.work import MAX_UINT256

VARUINT_WIDTH: Final = 32
"""Bytes in the unpacked big-endian buffer."""


def encode_varuint(value: int) -> bytes:
    """Canonical VarUint bytes of ``0 <= value < 2^256``."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_UINT256:
        raise MalformedEncoding(value, "a VarUint holds an integer 0 <= v < 2^256")
    payload = value.to_bytes(VARUINT_WIDTH, "big").rstrip(b"\0")
    return bytes([len(payload)]) + payload


def decode_varuint(data: bytes) -> tuple[int, int]:
    """Decode one VarUint at the start of ``data``: ``(value, bytes consumed)``."""
    if not data:
        raise MalformedEncoding(data, "a VarUint needs its length byte")
    length = data[0]
    if length > VARUINT_WIDTH:
        raise MalformedEncoding(data[:1], f"VarUint length {length} exceeds {VARUINT_WIDTH}")
    end = 1 + length
    if len(data) < end:
        raise MalformedEncoding(data, f"VarUint needs {length} payload bytes, has {len(data) - 1}")
    payload = data[1:end]
    if payload and payload[-1] == 0:
        raise MalformedEncoding(payload, "non-canonical VarUint: payload ends in a zero byte")
    return int.from_bytes(payload.ljust(VARUINT_WIDTH, b"\0"), "big"), end
