"""Capability ``work``: target and work of a difficulty (the ``work`` method).

``{"difficulty": "0x…"}`` → ``{"target": "0x…", "work": "0x…"}`` with
``target = (2^256 - 1) // difficulty`` and ``work = 2^256 // (target + 1)``; a difficulty of 0
or of 2^256 and more is ``INVALID_DIFFICULTY``. The same method answers ``{"bits": n}`` for
the ``bits`` capability.

Vectors: the published TOS facts (work of difficulty 1, 2, 200, 1000), the edges of the
range, every power of two and its neighbours, and seeded random difficulties of every length.
"""

from __future__ import annotations

from conformance.protocol import (
    JsonObject,
    JsonValue,
    bad_request,
    check_keys,
    decode_count,
    decode_int,
    encode_int,
)
from conformance.session import Session
from conformance.suites import Capability, GenerationContext, VectorFile
from conformance.suites.dag import Script, script_file
from reference.bits import target_from_bits
from reference.work import MAX_UINT256, target_from_difficulty, work_from_target


def work(session: Session, params: JsonObject) -> JsonValue:
    """``{"difficulty": "0x…"}`` or ``{"bits": n}`` → ``{"target", "work"}``."""
    check_keys(params, "params", optional=frozenset({"difficulty", "bits"}))
    if len(params) != 1:
        raise bad_request("params needs exactly one of difficulty, bits")
    if "difficulty" in params:
        target = target_from_difficulty(decode_int(params["difficulty"], "params.difficulty"))
    else:
        target = target_from_bits(decode_count(params["bits"], "params.bits"))
    return {"target": encode_int(target), "work": encode_int(work_from_target(target))}


TOS_FACTS = (1, 2, 200, 1000)
"""Difficulties whose work TOS publishes (1, 2, 199, 999)."""


def _difficulties(context: GenerationContext) -> list[int]:
    rng = context.rng("work/difficulty")
    values = [*TOS_FACTS, 3, 4, 255, 256, MAX_UINT256, MAX_UINT256 - 1, 1 << 255]
    for bits in (8, 16, 32, 53, 64, 128, 192, 255):
        values += [(1 << bits) - 1, 1 << bits, (1 << bits) + 1]
    values += [rng.randrange(1, 1 << rng.randint(1, 256)) | 1 for _ in range(60)]
    values += [0, MAX_UINT256 + 1, 1 << 300]
    return list(dict.fromkeys(values))


def generate(context: GenerationContext) -> list[VectorFile]:
    """``work/difficulty.json``: one case per difficulty."""
    cases: list[JsonObject] = []
    for difficulty in _difficulties(context):
        script = Script(f"difficulty {encode_int(difficulty)}")
        script.call("work", {"difficulty": encode_int(difficulty)})
        cases.append(script.case())
    description = (
        "Target and work of a difficulty: target = (2^256-1) // d, work = 2^256 // (target+1). "
        "Includes the TOS facts work(1)=1, work(2)=2, work(200)=199, work(1000)=999 and the "
        "invalid difficulties 0 and >= 2^256."
    )
    return [VectorFile("work/difficulty.json", script_file("work", ["work"], description, cases))]


CAPABILITY = Capability(name="work", methods={"work": work}, generate=generate)
