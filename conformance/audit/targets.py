"""Targets and work, derived a second way: from the definitions, not from ``reference.work``.

- A difficulty ``d`` (1 <= d < 2^256) names the target ``floor((2^256 - 1) / d)``.
- Compact bits are an exponent byte ``e`` and a 24-bit mantissa ``m`` denoting
  ``floor(m * 256^e / 256^3)`` — written here as one expression over both cases of the usual
  shift-left / shift-right pair. The mantissa is "negative" (the value is 0) when its top bit
  is set and nothing was shifted out of it, that is when ``e >= 3`` and ``m >= 2^23``
  (rusty-kaspa's rule). Values outside u32, a value of 0 and values of 2^256 and more name no
  target.
- The work of a target ``t`` is ``floor(2^256 / (t + 1))``, computed directly.
"""

from __future__ import annotations

from typing import Final

from conformance.audit.common import MAX_UINT256

_SIGN: Final = 1 << 23


def target_of_difficulty(difficulty: int) -> int | None:
    """The target a difficulty names, or ``None`` when it names none."""
    if not 1 <= difficulty <= MAX_UINT256:
        return None
    return MAX_UINT256 // difficulty


def value_of_bits(bits: int) -> int | None:
    """The integer compact ``bits`` denote (0 when negative), ``None`` outside u32."""
    if not 0 <= bits < 1 << 32:
        return None
    exponent, mantissa = divmod(bits, 1 << 24)
    if exponent >= 3 and mantissa >= _SIGN:
        return 0
    return (mantissa << 8 * exponent) >> 24  # floor(m * 256^e / 256^3)


def target_of_bits(bits: int) -> int | None:
    """The target compact ``bits`` name, or ``None`` when they name none."""
    value = value_of_bits(bits)
    if value is None or not 1 <= value <= MAX_UINT256:
        return None
    return value


def work_of(target: int) -> int:
    """The work of a target: the expected number of hashes to meet it."""
    return (1 << 256) // (target + 1)
