"""Z3 proofs of the compact ``bits`` encoding (``reference/bits.py``).

The encoding is modelled over Z3 ``Int``, not ``BitVec``: the value side is 256 bits wide (280
with the overflow a large exponent produces), and 280-bit vectors with shifts selected by a
symbolic exponent did not finish in 60 s per property, while the integer model proves each
property in one to two seconds. Every shift in the reference is by a multiple of 8 chosen by
the exponent, so the model selects among constant powers of two with an ``If`` chain (linear
arithmetic: multiplication and division by constants only), and ``x & 0xFFFFFF`` / ``x >> 24``
become ``x % 2^24`` / ``x / 2^24`` on the non-negative range.

What is proved is the round trip within the valid range, ``0 <= v < 2^256``: ``encode(v)``
is a u32 that ``decode`` accepts, decodes to at most ``v``, loses only the bits below the
unit of its mantissa, and is zero only for zero. The stronger canonical-form facts
(``decode(encode(decode(b))) == decode(b)``) compose the model with itself; split per
exponent they need about 50 s of Z3 time, over the CI budget of ``dagspec prove``, so they
are left to the Hypothesis property ``test_bits_decode_then_encode_is_stable``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

import z3

from proofs.obligation import DEFAULT_Z3_TIMEOUT_MS, Obligation, Outcome, z3_prove

TWO_256: Final = 1 << 256
MAX_UINT256: Final = TWO_256 - 1
MAX_BITS: Final = (1 << 32) - 1
_MANTISSA_LIMIT: Final = 1 << 24
_SIGN_BIT: Final = 1 << 23
_LARGEST_FITTING_EXPONENT: Final = 35
"""Exponent 35 shifts a mantissa left by 256 bits; any larger exponent with a non-zero
mantissa denotes a value of 2^256 or more, which the model marks with :data:`TWO_256`."""

EncodeModel = Callable[[Any], Any]
"""A Z3 model of ``encode_bits``: value expression -> bits expression."""


def _select(index: Any, table: Sequence[tuple[int, Any]], default: Any) -> Any:
    """``table[index]`` for a symbolic ``index`` (an ``If`` chain), ``default`` off the table."""
    result = default
    for key, value in reversed(table):
        result = z3.If(index == key, value, result)
    return result


def decode_model(bits: Any) -> tuple[Any, Any]:
    """Model of :func:`reference.bits.decode_bits` for ``0 <= bits < 2^32``.

    Returns ``(value, rejected)``: the decoded integer, and whether the reference raises
    (the value is ``2^256`` or more and the mantissa is not negative).
    """
    exponent = bits / _MANTISSA_LIMIT
    mantissa = bits % _MANTISSA_LIMIT
    shifted_right = _select(exponent, [(e, mantissa / 256 ** (3 - e)) for e in range(4)], mantissa)
    shifted_left = _select(
        exponent,
        [(e, mantissa * 256 ** (e - 3)) for e in range(4, _LARGEST_FITTING_EXPONENT + 1)],
        z3.If(mantissa == 0, 0, TWO_256),
    )
    value = z3.If(exponent <= 3, shifted_right, shifted_left)
    # The reference tests the sign on the mantissa after the right shift (exponent <= 3).
    negative = z3.If(exponent <= 3, shifted_right, mantissa) >= _SIGN_BIT
    return z3.If(negative, 0, value), z3.And(z3.Not(negative), value > MAX_UINT256)


def byte_length_model(value: Any) -> Any:
    """``(value.bit_length() + 7) // 8`` for ``0 <= value < 2^256``: how many of the
    thresholds ``256^0 .. 256^31`` the value reaches."""
    return z3.Sum([z3.If(value >= 256**k, 1, 0) for k in range(32)])


def encode_model(value: Any) -> Any:
    """Model of :func:`reference.bits.encode_bits` for ``0 <= value < 2^256``."""
    size = byte_length_model(value)
    widened = _select(size, [(s, value * 256 ** (3 - s)) for s in range(4)], 0)
    narrowed = _select(size, [(s, value / 256 ** (s - 3)) for s in range(4, 33)], 0)
    compact = z3.If(size <= 3, widened, narrowed)
    negative = compact >= _SIGN_BIT
    compact = z3.If(negative, compact / 256, compact)
    size = z3.If(negative, size + 1, size)
    return compact + size * _MANTISSA_LIMIT


def mantissa_unit_model(bits: Any) -> Any:
    """The value of one unit of the mantissa of ``bits``: ``256^(e-3)``, or 1 when ``e <= 3``."""
    exponent = bits / _MANTISSA_LIMIT
    units = [(e, 256 ** (e - 3)) for e in range(4, _LARGEST_FITTING_EXPONENT + 1)]
    return z3.If(exponent <= 3, 1, _select(exponent, units, TWO_256))


def _value_range(value: Any) -> Any:
    return z3.And(value >= 0, value <= MAX_UINT256)


def prove_encoding_is_valid(encode: EncodeModel = encode_model, timeout_ms: int = 0) -> Outcome:
    """For every ``0 <= v < 2^256``, ``encode(v)`` is a u32 that ``decode`` accepts."""
    v = z3.Int("v")
    bits = encode(v)
    _, rejected = decode_model(bits)
    claim = z3.And(bits >= 0, bits <= MAX_BITS, z3.Not(rejected))
    return z3_prove([_value_range(v)], claim, timeout_ms or DEFAULT_Z3_TIMEOUT_MS)


def prove_round_trip_truncates(encode: EncodeModel = encode_model, timeout_ms: int = 0) -> Outcome:
    """For every ``0 <= v < 2^256``: ``decode(encode(v)) <= v < decode(encode(v)) + unit``.

    ``unit`` is the value of one mantissa step of ``encode(v)``; the encoding loses only the
    bits below it, and loses nothing (``decode(encode(v)) == v``) when the exponent is <= 3.
    """
    v = z3.Int("v")
    bits = encode(v)
    decoded, _ = decode_model(bits)
    claim = z3.And(decoded <= v, v < decoded + mantissa_unit_model(bits))
    return z3_prove([_value_range(v)], claim, timeout_ms or DEFAULT_Z3_TIMEOUT_MS)


def prove_round_trip_keeps_nonzero(
    encode: EncodeModel = encode_model, timeout_ms: int = 0
) -> Outcome:
    """For every ``0 <= v < 2^256``: ``decode(encode(v)) == 0`` only when ``v == 0``, so a
    re-encoded non-zero target is never the unmeetable target 0."""
    v = z3.Int("v")
    decoded, _ = decode_model(encode(v))
    return z3_prove(
        [_value_range(v)], (decoded == 0) == (v == 0), timeout_ms or DEFAULT_Z3_TIMEOUT_MS
    )


def obligations(timeout_ms: int = 0) -> list[Obligation]:
    """The compact-bits obligations, each with the spec section it backs."""
    return [
        Obligation(
            "bits-encoding-valid",
            "inv-bits-round-trip",
            "z3",
            lambda: prove_encoding_is_valid(encode_model, timeout_ms),
        ),
        Obligation(
            "bits-round-trip-truncates",
            "inv-bits-round-trip",
            "z3",
            lambda: prove_round_trip_truncates(encode_model, timeout_ms),
        ),
        Obligation(
            "bits-round-trip-keeps-nonzero",
            "inv-bits-round-trip",
            "z3",
            lambda: prove_round_trip_keeps_nonzero(encode_model, timeout_ms),
        ),
    ]
