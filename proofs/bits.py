"""Z3 proofs about the compact ``bits`` functions of ``reference/bits.py`` themselves.

Each proof calls ``encode_bits`` and ``decode_bits`` (looked up in ``reference.bits`` when the
proof runs) on a :class:`~proofs.symbolic.SymbolicInt`. The functions' shifts, masks and the
sign adjustment of ``encode_bits`` run on Z3 terms; ``value.bit_length()`` splits the inputs
by byte length (33 classes), and the sign test ``compact & 0x800000`` splits most of them
again, so an exploration has about 65 paths, on each of which every shift count and exponent
is a known number. On every path the claim is proved for all the values the path allows.

What is proved is the round trip within the valid range, ``0 <= v < 2^256``: ``encode(v)``
is a u32 that ``decode`` accepts, decodes to at most ``v``, loses only the bits below the
unit of its mantissa, is zero only for zero, and is canonical (``encode(decode(encode(v)))
== encode(v)``); and ``encode`` rejects every integer outside that range. The same fact for
*every* valid compact value, canonical or not (``decode(encode(decode(b))) == decode(b)``),
is left to the Hypothesis property ``test_bits_decode_then_encode_is_stable``.
"""

from __future__ import annotations

from typing import Any, Final

import z3

from proofs.obligation import DEFAULT_Z3_TIMEOUT_MS, Obligation, Outcome
from proofs.symbolic import Ending, Explorer, Raised, Returned, SymbolicInt, term_of
from reference import bits
from reference.errors import InvalidDifficulty

TWO_256: Final = 1 << 256
MAX_UINT256: Final = TWO_256 - 1
MAX_BITS: Final = (1 << 32) - 1


def _round_trip(v: SymbolicInt) -> tuple[int, int | InvalidDifficulty]:
    """``encode_bits(v)`` and what ``decode_bits`` makes of it (the error it raises, if any)."""
    encoded = bits.encode_bits(v)
    try:
        return encoded, bits.decode_bits(encoded)
    except InvalidDifficulty as error:
        return encoded, error


def _decoded(ending: Ending) -> tuple[Any, Any] | None:
    """``(encoded, decoded)`` terms of a path where both functions returned, else ``None``."""
    if not isinstance(ending, Returned):
        return None
    encoded, decoded = ending.value
    if isinstance(decoded, Exception):
        return None
    return term_of(encoded), term_of(decoded)


def _unit(encoded: int) -> Any:
    """``256^(e - 3)`` for the exponent ``e = encoded >> 24`` when ``e > 3``, else 1: the value
    of one step of the mantissa."""
    exponent = encoded >> 24  # a known number on each path (the wrapper's bounds pin it)
    if isinstance(exponent, SymbolicInt):
        term = exponent.term
        unit: Any = z3.IntVal(1)
        for e in range(4, 256):
            unit = z3.If(term == e, 256 ** (e - 3), unit)
        return unit
    return 1 if exponent <= 3 else 256 ** (exponent - 3)


def prove_encoding_is_valid(timeout_ms: int = 0) -> Outcome:
    """For every integer ``v``: when ``0 <= v < 2^256``, ``encode_bits(v)`` is a u32 that
    ``decode_bits`` accepts; otherwise ``encode_bits`` raises ``InvalidDifficulty``."""
    explorer = Explorer(_ms(timeout_ms))
    v = explorer.integer("v")

    def claim(ending: Ending) -> Any:
        valid = z3.And(v.term >= 0, v.term <= MAX_UINT256)
        if isinstance(ending, Raised):
            return z3.And(z3.Not(valid), isinstance(ending.error, InvalidDifficulty))
        both = _decoded(ending)
        if both is None:  # decode_bits rejected what encode_bits produced
            return False
        encoded, _ = both
        return z3.And(valid, encoded >= 0, encoded <= MAX_BITS)

    return explorer.prove(lambda: _round_trip(v), claim)


def prove_round_trip_truncates(timeout_ms: int = 0) -> Outcome:
    """For every ``0 <= v < 2^256``: ``decode(encode(v)) <= v < decode(encode(v)) + unit``,
    ``unit`` the value of one mantissa step of ``encode(v)`` (``256^(e-3)`` for exponent
    ``e > 3``, else 1: nothing is lost when ``e <= 3``)."""
    explorer = Explorer(_ms(timeout_ms))
    v = explorer.integer("v", 0, MAX_UINT256)

    def claim(ending: Ending) -> Any:
        both = _decoded(ending)
        if both is None or not isinstance(ending, Returned):
            return False
        decoded = both[1]
        return z3.And(decoded <= v.term, v.term < decoded + _unit(ending.value[0]))

    return explorer.prove(lambda: _round_trip(v), claim)


def prove_round_trip_keeps_nonzero(timeout_ms: int = 0) -> Outcome:
    """For every ``0 <= v < 2^256``: ``decode(encode(v)) == 0`` only when ``v == 0``, so a
    re-encoded non-zero target is never the unmeetable target 0."""
    explorer = Explorer(_ms(timeout_ms))
    v = explorer.integer("v", 0, MAX_UINT256)

    def claim(ending: Ending) -> Any:
        both = _decoded(ending)
        return both is not None and (both[1] == 0) == (v.term == 0)

    return explorer.prove(lambda: _round_trip(v), claim)


def prove_encoding_is_canonical(timeout_ms: int = 0) -> Outcome:
    """For every ``0 <= v < 2^256``: ``encode(decode(encode(v))) == encode(v)``: every
    compact value the encoder produces is canonical, so re-encoding a decoded target gives
    the same bits back."""
    explorer = Explorer(_ms(timeout_ms))
    v = explorer.integer("v", 0, MAX_UINT256)

    def run() -> tuple[int, int]:
        encoded = bits.encode_bits(v)
        return encoded, bits.encode_bits(bits.decode_bits(encoded))

    def claim(ending: Ending) -> Any:
        if not isinstance(ending, Returned):
            return False
        encoded, again = ending.value
        return term_of(again) == term_of(encoded)

    return explorer.prove(run, claim)


def _ms(timeout_ms: int) -> int:
    return timeout_ms or DEFAULT_Z3_TIMEOUT_MS


def obligations(timeout_ms: int = 0) -> list[Obligation]:
    """The compact-bits obligations, each with the spec section it backs and what it covers."""
    return [
        Obligation(
            "bits-encoding-valid",
            "inv-bits-round-trip",
            "z3",
            lambda: prove_encoding_is_valid(timeout_ms),
            "encode_bits, decode_bits, every integer v",
        ),
        Obligation(
            "bits-round-trip-truncates",
            "inv-bits-round-trip",
            "z3",
            lambda: prove_round_trip_truncates(timeout_ms),
            "encode_bits, decode_bits, 0 <= v < 2^256",
        ),
        Obligation(
            "bits-encoding-canonical",
            "inv-bits-round-trip",
            "z3",
            lambda: prove_encoding_is_canonical(timeout_ms),
            "encode_bits, decode_bits, 0 <= v < 2^256",
        ),
        Obligation(
            "bits-round-trip-keeps-nonzero",
            "inv-bits-round-trip",
            "z3",
            lambda: prove_round_trip_keeps_nonzero(timeout_ms),
            "encode_bits, decode_bits, 0 <= v < 2^256",
        ),
    ]
