"""xoshiro256++, the pseudo-random generator that fills the PoW matrix.

The state is four unsigned 64-bit words, seeded from a 32-byte hash read as four
little-endian words. Each step returns ``rotl(s0 + s3, 23) + s0`` (mod 2^64) and advances the
state (Blackman and Vigna's xoshiro256++ 1.0).
"""

from __future__ import annotations

from typing import Final

XoshiroState = tuple[int, int, int, int]
"""The generator's four 64-bit state words ``(s0, s1, s2, s3)``."""

_MASK: Final = (1 << 64) - 1


def _rotl(value: int, shift: int) -> int:
    return ((value << shift) | (value >> (64 - shift))) & _MASK


def xoshiro_seed(seed: bytes) -> XoshiroState:
    """The state seeded from 32 bytes: four little-endian u64 words, in order."""
    s0, s1, s2, s3 = (int.from_bytes(seed[i : i + 8], "little") for i in range(0, 32, 8))
    return s0, s1, s2, s3


def xoshiro_next(state: XoshiroState) -> tuple[int, XoshiroState]:
    """The next 64-bit output and the state after it."""
    s0, s1, s2, s3 = state
    result = (_rotl((s0 + s3) & _MASK, 23) + s0) & _MASK
    t = (s1 << 17) & _MASK
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    return result, (s0, s1, s2, s3)
