"""Kaspa's compact ``bits`` target encoding.

A 32-bit ``bits`` value is an exponent byte ``e`` and a 24-bit mantissa ``m``; its value is
``m >> 8*(3-e)`` when ``e <= 3`` and ``m << 8*(e-3)`` otherwise. A mantissa above ``0x7fffff``
is "negative" and decodes to 0 (Kaspa's rule). Where Kaspa would silently truncate a value of
2^256 or more, the spec rejects it.
"""

from __future__ import annotations

from typing import Final

from reference.errors import InvalidDifficulty
from reference.work import MAX_UINT256, Target, Work, work_from_target

MAX_BITS: Final = (1 << 32) - 1
"""Largest compact value (bits are a u32)."""

_MANTISSA_MASK: Final = 0xFFFFFF
_SIGN_BIT: Final = 0x800000


def decode_bits(bits: int) -> int:
    """The integer a compact value denotes (0 for a negative mantissa).

    Rejects values outside u32 and values of 2^256 or more.

    pre: 0 <= bits <= MAX_BITS
    raises: InvalidDifficulty
    post: 0 <= __return__ <= MAX_UINT256
    """
    if not isinstance(bits, int) or isinstance(bits, bool):
        raise InvalidDifficulty(bits, f"bits is an integer, not {type(bits).__name__}")
    if bits < 0 or bits > MAX_BITS:
        raise InvalidDifficulty(bits, "bits must be a 32-bit unsigned integer")
    exponent = bits >> 24
    mantissa = bits & _MANTISSA_MASK
    if exponent <= 3:
        mantissa >>= 8 * (3 - exponent)
        value = mantissa
    else:
        value = mantissa << (8 * (exponent - 3))
    if mantissa & _SIGN_BIT:
        return 0
    if value > MAX_UINT256:
        raise InvalidDifficulty(bits, "bits denote a value of 2^256 or more")
    return value


def encode_bits(value: int) -> int:
    """The compact encoding of ``value`` (0 <= value < 2^256), truncating low bits.

    pre: 0 <= value <= MAX_UINT256
    post: 0 <= __return__ <= MAX_BITS and decode_bits(__return__) <= value
    """
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidDifficulty(value, f"a target is an integer, not {type(value).__name__}")
    if value < 0 or value > MAX_UINT256:
        raise InvalidDifficulty(value, "a target must satisfy 0 <= t < 2^256")
    size = (value.bit_length() + 7) // 8
    compact = value << 8 * (3 - size) if size <= 3 else value >> 8 * (size - 3)
    if compact & _SIGN_BIT:
        compact >>= 8
        size += 1
    return compact | (size << 24)


def target_from_bits(bits: int) -> Target:
    """The target of a compact value; a target of 0 can never be met and is rejected."""
    target = decode_bits(bits)
    if target == 0:
        raise InvalidDifficulty(bits, "bits decode to target 0 (zero or negative mantissa)")
    return Target(target)


def work_from_bits(bits: int) -> Work:
    """The work of a block whose header carries ``bits``."""
    return work_from_target(target_from_bits(bits))
