"""Capability ``bits``: target and work of Kaspa's compact ``bits`` (the ``work`` method).

``{"bits": n}`` → ``{"target": "0x…", "work": "0x…"}``. The target is the integer the compact
value denotes; a value outside u32, a zero or "negative" mantissa (target 0) and a value of
2^256 or more are ``INVALID_DIFFICULTY``.

Vectors: Kaspa's published facts (the work of mainnet genesis bits 0x1d02ca33 and three more;
the decode table of kaspad's unit tests), range edges, and seeded random compact values.
"""

from __future__ import annotations

from conformance.protocol import JsonObject
from conformance.suites import Capability, GenerationContext, VectorFile
from conformance.suites.dag import Script, script_file
from conformance.suites.work import work
from reference.bits import encode_bits

KASPA_WORK_FACTS = (0x1D02CA33, 0x1E7FFFFF, 0x207FFFFF, 0x1E21BC1C)
"""Bits whose work Kaspa publishes (1,539,502,703; 131,072; 2; 497,326)."""

KASPA_DECODE_FACTS = (
    0x01123456,
    0x02008000,
    0x02123456,
    0x03123456,
    0x04123456,
    0x05009234,
    0x00123456,
    0x01003456,
    0x02000056,
    0x03000000,
    0x04000000,
)
"""Bits from kaspad's compact-decode tests (the last five decode to 0: invalid targets)."""


def _bits_values(context: GenerationContext) -> list[int]:
    rng = context.rng("bits/values")
    values = [*KASPA_WORK_FACTS, *KASPA_DECODE_FACTS]
    values += [0, 0x01800000, 0x04923456, 0x1D800000, 0x20010000, 0x20FFFFFF, 0x21008000]
    values += [0x22000001, 0xFFFFFFFF, 1 << 32]
    values += [encode_bits(rng.randrange(1, 1 << rng.randint(1, 255))) for _ in range(30)]
    values += [rng.randrange(0, 1 << 32) for _ in range(10)]
    return list(dict.fromkeys(values))


def generate(context: GenerationContext) -> list[VectorFile]:
    """``bits/compact.json``: one case per compact value."""
    cases: list[JsonObject] = []
    for bits in _bits_values(context):
        script = Script(f"bits {bits:#010x}")
        script.call("work", {"bits": bits})
        cases.append(script.case())
    description = (
        "Target and work of Kaspa compact bits. Includes Kaspa's facts (0x1d02ca33 -> work "
        "1539502703, 0x1e7fffff -> 131072, 0x207fffff -> 2, 0x1e21bc1c -> 497326), kaspad's "
        "decode table, negative mantissas, values >= 2^256 and bits outside u32."
    )
    return [VectorFile("bits/compact.json", script_file("bits", ["bits"], description, cases))]


CAPABILITY = Capability(name="bits", methods={"work": work}, generate=generate)
