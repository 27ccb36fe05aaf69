"""SipHash-2-4 (Aumasson and Bernstein), the keyed hash behind short transaction IDs.

Two compression rounds per 8-byte message word, four finalisation rounds, a 128-bit key given
as two little-endian 64-bit words, a 64-bit output. :func:`siphash24` takes any message and is
the readable definition; :func:`siphash24_32` is the same function unrolled for the 32-byte
transaction IDs. Relay hashes every mempool transaction once per block it receives (10,000 and
more per block), which in pure Python costs tens of microseconds each, so
:func:`siphash24_many` runs the same function in C (the ``siphashc`` package, about 0.1
microsecond each); tests keep all three equal on the published vectors and random inputs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from siphashc import siphash as _siphash_c

_MASK: Final = 0xFFFFFFFFFFFFFFFF


def _rotl(value: int, shift: int) -> int:
    return ((value << shift) | (value >> (64 - shift))) & _MASK


def _sip_round(v0: int, v1: int, v2: int, v3: int) -> tuple[int, int, int, int]:
    v0 = (v0 + v1) & _MASK
    v1 = _rotl(v1, 13) ^ v0
    v0 = _rotl(v0, 32)
    v2 = (v2 + v3) & _MASK
    v3 = _rotl(v3, 16) ^ v2
    v0 = (v0 + v3) & _MASK
    v3 = _rotl(v3, 21) ^ v0
    v2 = (v2 + v1) & _MASK
    v1 = _rotl(v1, 17) ^ v2
    v2 = _rotl(v2, 32)
    return v0, v1, v2, v3


def siphash24(k0: int, k1: int, message: bytes) -> int:
    """SipHash-2-4 of ``message`` under the key ``(k0, k1)`` (each ``0 <= k < 2^64``)."""
    v0 = k0 ^ 0x736F6D6570736575
    v1 = k1 ^ 0x646F72616E646F6D
    v2 = k0 ^ 0x6C7967656E657261
    v3 = k1 ^ 0x7465646279746573
    length = len(message)
    full = length - length % 8
    for offset in range(0, full, 8):
        word = int.from_bytes(message[offset : offset + 8], "little")
        v3 ^= word
        v0, v1, v2, v3 = _sip_round(v0, v1, v2, v3)
        v0, v1, v2, v3 = _sip_round(v0, v1, v2, v3)
        v0 ^= word
    # The last word holds the remaining bytes and, in its top byte, the length mod 256.
    last = int.from_bytes(message[full:], "little") | ((length & 0xFF) << 56)
    v3 ^= last
    v0, v1, v2, v3 = _sip_round(v0, v1, v2, v3)
    v0, v1, v2, v3 = _sip_round(v0, v1, v2, v3)
    v0 ^= last
    v2 ^= 0xFF
    for _ in range(4):
        v0, v1, v2, v3 = _sip_round(v0, v1, v2, v3)
    return v0 ^ v1 ^ v2 ^ v3


def siphash24_32(k0: int, k1: int, message: bytes) -> int:
    """:func:`siphash24` for a message of exactly 32 bytes, unrolled for speed."""
    mask = _MASK
    v0 = k0 ^ 0x736F6D6570736575
    v1 = k1 ^ 0x646F72616E646F6D
    v2 = k0 ^ 0x6C7967656E657261
    v3 = k1 ^ 0x7465646279746573
    words = (
        int.from_bytes(message[0:8], "little"),
        int.from_bytes(message[8:16], "little"),
        int.from_bytes(message[16:24], "little"),
        int.from_bytes(message[24:32], "little"),
        32 << 56,
    )
    for word in words:
        v3 ^= word
        for _ in range(2):
            v0 = (v0 + v1) & mask
            v1 = ((v1 << 13) | (v1 >> 51)) & mask ^ v0
            v0 = ((v0 << 32) | (v0 >> 32)) & mask
            v2 = (v2 + v3) & mask
            v3 = ((v3 << 16) | (v3 >> 48)) & mask ^ v2
            v0 = (v0 + v3) & mask
            v3 = ((v3 << 21) | (v3 >> 43)) & mask ^ v0
            v2 = (v2 + v1) & mask
            v1 = ((v1 << 17) | (v1 >> 47)) & mask ^ v2
            v2 = ((v2 << 32) | (v2 >> 32)) & mask
        v0 ^= word
    v2 ^= 0xFF
    for _ in range(4):
        v0 = (v0 + v1) & mask
        v1 = ((v1 << 13) | (v1 >> 51)) & mask ^ v0
        v0 = ((v0 << 32) | (v0 >> 32)) & mask
        v2 = (v2 + v3) & mask
        v3 = ((v3 << 16) | (v3 >> 48)) & mask ^ v2
        v0 = (v0 + v3) & mask
        v3 = ((v3 << 21) | (v3 >> 43)) & mask ^ v0
        v2 = (v2 + v1) & mask
        v1 = ((v1 << 17) | (v1 >> 47)) & mask ^ v2
        v2 = ((v2 << 32) | (v2 >> 32)) & mask
    return v0 ^ v1 ^ v2 ^ v3


def siphash_key(k0: int, k1: int) -> bytes:
    """The 16 key bytes of ``(k0, k1)``: each word little-endian, ``k0`` first."""
    return k0.to_bytes(8, "little") + k1.to_bytes(8, "little")


def siphash24_many(k0: int, k1: int, messages: Iterable[bytes]) -> list[int]:
    """:func:`siphash24` of each message under one key, in order, computed in C."""
    key = siphash_key(k0, k1)
    return [_siphash_c(key, message) for message in messages]
