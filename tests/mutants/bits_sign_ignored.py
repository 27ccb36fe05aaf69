"""Mutant: compact bits with the "negative" mantissa bit decode as positive targets."""

from reference import bits
from tests.mutants._serve import serve


def decode_bits(bits: int) -> int:
    exponent, mantissa = bits >> 24, bits & 0x7FFFFF
    if bits < 0 or bits >= 1 << 32:
        return 0
    decoded = mantissa >> 8 * (3 - exponent) if exponent <= 3 else mantissa << 8 * (exponent - 3)
    return decoded if decoded < 1 << 256 else 0


bits.decode_bits = decode_bits
serve()
