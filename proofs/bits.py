"""Z3 proofs of the compact ``bits`` encoding (``reference/bits.py``).

The encoding is modelled over Z3 ``Int``, not ``BitVec``: the value side is 256 bits wide (280
with the overflow a large exponent produces), and 280-bit vectors with shifts selected by a
symbolic exponent did not finish in 60 s per property, while the integer model proves each
property in about a second. Every shift in the reference is by a multiple of 8 chosen by the
exponent, so the model selects among constant powers of two with an ``If`` chain (linear
arithmetic: multiplication and division by constants only), and ``x & 0xFFFFFF`` / ``x >> 24``
become ``x % 2^24`` / ``x / 2^24`` on the non-negative range. The round-trip proofs split
the values by byte length and by the sign adjustment of ``encode_bits`` (66 cases); in each
case the exponent is a known number, so decoding is straight-line, and each case also proves
that the one encode model agrees with the case. Stated over all values at once, the same
claims took 2 to 15 s each on a loaded machine and twice hit the 20 s limit.

What is proved is the round trip within the valid range, ``0 <= v < 2^256``: ``encode(v)``
is a u32 that ``decode`` accepts, decodes to at most ``v``, loses only the bits below the
unit of its mantissa, is zero only for zero, and is canonical (``encode(decode(encode(v)))
== encode(v)``). The same fact for *every* valid compact value, canonical or not
(``decode(encode(decode(b))) == decode(b)``), needs a case split over the exponent of ``b``
on top of this one; split per exponent alone it took about 50 s of Z3 time, over the CI
budget of ``dagspec prove``, so it is left to the Hypothesis property
``test_bits_decode_then_encode_is_stable``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final, NamedTuple

import z3

from proofs.obligation import DEFAULT_Z3_TIMEOUT_MS, Obligation, Outcome, z3_prove_all

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
    """``table[index]``, ``default`` off the table; an ``If`` chain for a symbolic ``index``,
    a plain lookup for a known one (so a case with a known exponent stays straight-line)."""
    if isinstance(index, int):
        return dict(table).get(index, default)
    result = default
    for key, value in reversed(table):
        result = z3.If(index == key, value, result)
    return result


def decode_model(bits: Any) -> tuple[Any, Any]:
    """Model of :func:`reference.bits.decode_bits` for ``0 <= bits < 2^32``.

    Returns ``(value, rejected)``: the decoded integer, and whether the reference raises
    (the value is ``2^256`` or more and the mantissa is not negative).
    """
    return decode_fields_model(bits / _MANTISSA_LIMIT, bits % _MANTISSA_LIMIT)


def decode_fields_model(exponent: Any, mantissa: Any) -> tuple[Any, Any]:
    """:func:`decode_model` of the exponent byte and the 24-bit mantissa."""
    shifted_right = _select(exponent, [(e, mantissa / 256 ** (3 - e)) for e in range(4)], mantissa)
    shifted_left = _select(
        exponent,
        [(e, mantissa * 256 ** (e - 3)) for e in range(4, _LARGEST_FITTING_EXPONENT + 1)],
        z3.If(mantissa == 0, 0, TWO_256),
    )
    small = exponent <= 3
    value = z3.If(small, shifted_right, shifted_left)
    # The reference tests the sign on the mantissa after the right shift (exponent <= 3).
    negative = z3.If(small, shifted_right, mantissa) >= _SIGN_BIT
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


class _Case(NamedTuple):
    """One case of the round trip: values of one byte length, sign adjustment or not."""

    hypotheses: list[Any]
    """The case: ``256^(k-1) <= v < 256^k`` and whether the 24-bit window is "negative"."""
    link: Any
    """In this case ``encode(v)`` is ``mantissa + exponent * 2^24`` with a 24-bit mantissa,
    so ``decode(encode(v))`` is ``decode_fields(exponent, mantissa)``."""
    encoded: Any
    """``encode(v)`` (one expression shared by all cases)."""
    exponent: int
    """The exponent byte ``encode(v)`` has in this case."""
    decoded: Any
    """``decode(encode(v))``."""
    rejected: Any
    """Whether ``decode`` rejects ``encode(v)``."""


def _round_trip_cases(value: Any, encode: EncodeModel) -> list[_Case]:
    # Split by byte length k (33 cases) and by the sign adjustment (2): in each case the
    # exponent is a known number, so decoding is straight-line and each query takes
    # milliseconds. The link obligation ties every case back to the one encode model.
    encoded = encode(value)
    length = byte_length_model(value)
    cases = []
    for k in range(33):
        window = value * 256 ** (3 - k) if k <= 3 else value / 256 ** (k - 3)
        for adjusted in (False, True):
            mantissa = window / 256 if adjusted else window
            exponent = k + 1 if adjusted else k
            hypotheses = [
                value >= (256 ** (k - 1) if k else 0),
                value < 256**k,
                (window >= _SIGN_BIT) == adjusted,
            ]
            link = z3.And(
                length == k,
                encoded == mantissa + exponent * _MANTISSA_LIMIT,
                mantissa >= 0,
                mantissa < _MANTISSA_LIMIT,
            )
            decoded, rejected = decode_fields_model(exponent, mantissa)
            cases.append(_Case(hypotheses, link, encoded, exponent, decoded, rejected))
    return cases


def _prove_round_trip(
    encode: EncodeModel, claim: Callable[[Any, _Case], Any], timeout_ms: int
) -> Outcome:
    v = z3.Int("v")
    return z3_prove_all(
        (
            (case.hypotheses, z3.And(case.link, claim(v, case)))
            for case in _round_trip_cases(v, encode)
        ),
        timeout_ms or DEFAULT_Z3_TIMEOUT_MS,
    )


def prove_encoding_is_valid(encode: EncodeModel = encode_model, timeout_ms: int = 0) -> Outcome:
    """For every ``0 <= v < 2^256``, ``encode(v)`` is a u32 that ``decode`` accepts."""
    return _prove_round_trip(
        encode,
        lambda v, case: z3.And(case.encoded >= 0, case.encoded <= MAX_BITS, z3.Not(case.rejected)),
        timeout_ms,
    )


def prove_round_trip_truncates(encode: EncodeModel = encode_model, timeout_ms: int = 0) -> Outcome:
    """For every ``0 <= v < 2^256``: ``decode(encode(v)) <= v < decode(encode(v)) + unit``.

    ``unit`` is the value of one mantissa step of ``encode(v)``, ``256^(e-3)`` for exponent
    ``e > 3``; the encoding loses only the bits below it, and loses nothing
    (``decode(encode(v)) == v``) when the exponent is <= 3.
    """

    def claim(v: Any, case: _Case) -> Any:
        unit = 1 if case.exponent <= 3 else 256 ** (case.exponent - 3)
        return z3.And(case.decoded <= v, v < case.decoded + unit)

    return _prove_round_trip(encode, claim, timeout_ms)


def prove_round_trip_keeps_nonzero(
    encode: EncodeModel = encode_model, timeout_ms: int = 0
) -> Outcome:
    """For every ``0 <= v < 2^256``: ``decode(encode(v)) == 0`` only when ``v == 0``, so a
    re-encoded non-zero target is never the unmeetable target 0."""
    return _prove_round_trip(encode, lambda v, case: (case.decoded == 0) == (v == 0), timeout_ms)


def prove_encoding_is_canonical(encode: EncodeModel = encode_model, timeout_ms: int = 0) -> Outcome:
    """For every ``0 <= v < 2^256``: ``encode(decode(encode(v))) == encode(v)``.

    Every compact value the encoder produces is canonical: decoding it and encoding the result
    gives the same bits back, so a value has one encoding and re-encoding a header's target
    is stable. Per case, ``decode(encode(v))`` is the straight-line ``case.decoded``; it is
    named ``y`` and encoded with the same model (built once for all cases).
    """
    y = z3.Int("y")
    encoded_again = encode(y)

    def claim(v: Any, case: _Case) -> Any:
        return encoded_again == case.encoded

    v = z3.Int("v")
    return z3_prove_all(
        (
            ([*case.hypotheses, y == case.decoded], z3.And(case.link, claim(v, case)))
            for case in _round_trip_cases(v, encode)
        ),
        timeout_ms or DEFAULT_Z3_TIMEOUT_MS,
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
            "bits-encoding-canonical",
            "inv-bits-round-trip",
            "z3",
            lambda: prove_encoding_is_canonical(encode_model, timeout_ms),
        ),
        Obligation(
            "bits-round-trip-keeps-nonzero",
            "inv-bits-round-trip",
            "z3",
            lambda: prove_round_trip_keeps_nonzero(encode_model, timeout_ms),
        ),
    ]
