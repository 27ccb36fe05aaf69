"""The methods every DAG capability shares (``reset``, ``add_block``) and the case builder.

``reset`` makes a fresh DAG holding only genesis; ``add_block`` offers one header and answers
``accepted`` or ``rejected`` with the first broken rule's code. A header whose difficulty or
bits name no valid target is still offered to validation (with target 0), so that a header
breaking an earlier rule gets that rule's code: the rule order decides, not the wire.

:class:`Script` builds a vector case by sending each request to an in-process reference
:class:`~conformance.dispatch.Dispatcher` and recording its reply as the expectation.

Every DAG vector file is published in both *target forms* (:data:`FORMS`): blocks carrying
``difficulty`` (capability ``difficulty``) and the same blocks carrying ``bits`` (capability
``bits``), each block's bits being the compact encoding of its difficulty's target. The two
files hold the same DAGs; their expectations are recorded separately, because compact bits
keep only 23 bits of a target and so can merge two difficulties into one work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final, Literal

from conformance.dags import SeededBlock
from conformance.protocol import (
    JsonObject,
    JsonValue,
    bad_request,
    check_keys,
    decode_count,
    decode_hash,
    decode_hash_list,
    decode_int,
    decode_object,
    decode_string,
    encode_hash,
    encode_int,
)
from conformance.session import Session
from conformance.suites import Handler
from reference.bits import encode_bits, target_from_bits
from reference.block import Header
from reference.consensus import Consensus
from reference.errors import BlockRejected, DagspecError
from reference.hash import Hash
from reference.presets import get_preset
from reference.work import target_from_difficulty

FORMAT_VERSION: Final = 1
"""Version of the vector file formats (``script`` and ``raw``)."""

TargetForm = Literal["difficulty", "bits"]
"""How a DAG vector gives a block's target; each form is the capability of the same name."""

FORMS: Final[tuple[TargetForm, ...]] = ("difficulty", "bits")
"""Both target forms, in the order their files are generated."""


def bits_of(difficulty: int) -> int:
    """The compact bits a bits-form vector gives a block of ``difficulty``: the compact
    encoding of its target (rounded down to the 23-bit mantissa)."""
    return encode_bits(target_from_difficulty(difficulty))


def target_param(difficulty: int, form: TargetForm) -> JsonObject:
    """``{"difficulty": "0x…"}`` or ``{"bits": n}`` for a block of ``difficulty``."""
    if form == "bits":
        return {"bits": bits_of(difficulty)}
    return {"difficulty": encode_int(difficulty)}


def form_path(path: str, form: TargetForm, plain: TargetForm = "difficulty") -> str:
    """The file of ``form``: ``path`` itself for the ``plain`` form, else ``-<form>`` added
    before ``.json`` (``ghostdag/generated-bits.json``)."""
    return path if form == plain else path.removesuffix(".json") + f"-{form}.json"


_DIFFICULTY_OR_BITS: Final = frozenset({"difficulty", "bits"})


def target_of(params: Mapping[str, JsonValue], where: str) -> int:
    """The target named by exactly one of ``difficulty`` / ``bits``; 0 when it names none."""
    present = _DIFFICULTY_OR_BITS & params.keys()
    if len(present) != 1:
        raise bad_request(f"{where} needs exactly one of difficulty, bits")
    try:
        if "difficulty" in present:
            return target_from_difficulty(decode_int(params["difficulty"], f"{where}.difficulty"))
        return target_from_bits(decode_count(params["bits"], f"{where}.bits"))
    except DagspecError:
        return 0


def reset(session: Session, params: JsonObject) -> JsonValue:
    """A fresh DAG: ``{"preset", "overrides", "genesis": {"hash", "difficulty"|"bits"}}``,
    or in header mode ``genesis: {"header": …}`` (capability ``headers``)."""
    check_keys(params, "params", frozenset({"preset", "overrides", "genesis"}))
    preset_name = decode_string(params["preset"], "params.preset")
    overrides: dict[str, object] = {}
    for name, value in decode_object(params["overrides"], "params.overrides").items():
        if value is not None and not isinstance(value, int):
            raise bad_request(f"params.overrides.{name} must be an integer, a boolean or null")
        overrides[name] = value
    genesis = decode_object(params["genesis"], "params.genesis")
    if "header" in genesis:
        from conformance.suites.headers import reset_with_header  # noqa: PLC0415 - a cycle

        return reset_with_header(session, get_preset(preset_name, overrides), genesis)
    check_keys(genesis, "params.genesis", frozenset({"hash"}), _DIFFICULTY_OR_BITS)
    genesis_hash = decode_hash(genesis["hash"], "params.genesis.hash")
    present = _DIFFICULTY_OR_BITS & genesis.keys()
    if len(present) != 1:
        raise bad_request("params.genesis needs exactly one of difficulty, bits")
    if "difficulty" in present:
        target = target_from_difficulty(decode_int(genesis["difficulty"], "genesis.difficulty"))
    else:
        target = target_from_bits(decode_count(genesis["bits"], "params.genesis.bits"))
    preset = get_preset(preset_name, overrides)
    session.consensus = Consensus(preset, genesis_hash, target)
    return {}


def add_block(session: Session, params: JsonObject) -> JsonValue:
    """Offer a header: ``{"hash", "parents", "difficulty"|"bits", "claims"?}``, or in header
    mode ``{"header": …, "now"?}`` (capability ``headers``)."""
    if "header" in params:
        from conformance.suites.headers import add_header  # noqa: PLC0415 - a cycle

        return add_header(session, params)
    check_keys(params, "params", frozenset({"hash", "parents"}), _DIFFICULTY_OR_BITS | {"claims"})
    block = decode_hash(params["hash"], "params.hash")
    parents = decode_hash_list(params["parents"], "params.parents")
    target = target_of(params, "params")
    blue_score: int | None = None
    blue_work: int | None = None
    if "claims" in params:
        claims = decode_object(params["claims"], "params.claims")
        check_keys(claims, "params.claims", optional=frozenset({"blue_score", "blue_work"}))
        if "blue_score" in claims:
            blue_score = decode_count(claims["blue_score"], "params.claims.blue_score")
        if "blue_work" in claims:
            blue_work = decode_int(claims["blue_work"], "params.claims.blue_work")
    consensus = session.dag()
    if consensus.header_mode:
        raise bad_request("the DAG is in header mode: add_block takes a complete header")
    header = Header(block, parents, target, blue_score=blue_score, blue_work=blue_work)
    try:
        consensus.add_block(header)
    except BlockRejected as rejection:
        return {"status": "rejected", "error": str(rejection.code)}
    return {"status": "accepted"}


DAG_METHODS: Final[Mapping[str, Handler]] = {"reset": reset, "add_block": add_block}
"""The methods every DAG capability serves."""


# ---------------------------------------------------------------------------- case building


def consensus_overrides(k: int, max_block_parents: int, mergeset_size_limit: int) -> JsonObject:
    """Every consensus parameter a DAG vector depends on, stated explicitly."""
    return {
        "k": k,
        "max_block_parents": max_block_parents,
        "mergeset_size_limit": mergeset_size_limit,
    }


def reset_params(
    genesis: SeededBlock,
    overrides: JsonObject,
    preset: str = "minimal",
    form: TargetForm = "difficulty",
) -> JsonObject:
    """``reset`` params for a DAG whose genesis is ``genesis``."""
    return {
        "preset": preset,
        "overrides": overrides,
        "genesis": {"hash": encode_hash(genesis.hash), **target_param(genesis.difficulty, form)},
    }


def block_params(
    block: SeededBlock, claims: JsonObject | None = None, form: TargetForm = "difficulty"
) -> JsonObject:
    """``add_block`` params for a generated block."""
    params: JsonObject = {
        "hash": encode_hash(block.hash),
        "parents": [encode_hash(parent) for parent in block.parents],
        **target_param(block.difficulty, form),
    }
    if claims is not None:
        params["claims"] = claims
    return params


def hash_params(block: Hash) -> JsonObject:
    """``{"hash": H}``."""
    return {"hash": encode_hash(block)}


class Script:
    """One vector case: requests sent to the reference, replies recorded as expectations."""

    def __init__(self, name: str) -> None:
        from conformance.dispatch import Dispatcher  # noqa: PLC0415 - dispatch imports suites

        self.name = name
        """The case's name (unique within its file)."""
        self.steps: list[tuple[str, JsonObject, JsonObject]] = []
        """``(method, params, expect)`` of each step so far."""
        self._dispatcher = Dispatcher()

    def call(
        self, method: str, params: JsonObject, fields: Sequence[str] | None = None
    ) -> JsonObject:
        """Send one request; record it with the reference's reply as the expectation.

        With ``fields``, only those fields of an object result are expected (the ``fields``
        rule); otherwise the whole result, or the error code. Returns the reply.
        """
        reply = self._dispatcher.handle(len(self.steps), method, params)
        error = reply.get("error")
        result = reply.get("result")
        expect: JsonObject
        if isinstance(error, dict):
            expect = {"error": error["code"]}
        elif fields is not None and isinstance(result, dict):
            expect = {"fields": {name: result[name] for name in fields}}
        else:
            expect = {"result": result}
        self.steps.append((method, params, expect))
        return reply

    def expect(self, method: str, params: JsonObject, expect: JsonObject) -> None:
        """Record a step whose expectation comes from elsewhere (a converted vector)."""
        self.steps.append((method, params, expect))

    def reference(self) -> Consensus:
        """The reference DAG behind this case (the generator may look, never change)."""
        return self._dispatcher.session.dag()

    def expectations(self, method: str, key: str) -> dict[JsonValue, JsonObject]:
        """The recorded expectations of ``method`` steps, by the value of param ``key``."""
        return {params[key]: expect for m, params, expect in self.steps if m == method}

    def case(self) -> JsonObject:
        """The finished case."""
        steps: list[JsonValue] = [
            {"method": method, "params": params, "expect": expect}
            for method, params, expect in self.steps
        ]
        return {"name": self.name, "steps": steps}


def require(reply: JsonObject, expected: JsonValue, what: str) -> None:
    """Stop generation when the reference does not answer what the generator built for."""
    if reply.get("result") != expected:
        raise RuntimeError(f"vector generation: {what}: expected {expected!r}, got {reply!r}")


def script_file(
    suite: str,
    capabilities: Sequence[str],
    description: str,
    cases: Sequence[JsonObject],
    source: JsonObject | None = None,
) -> JsonObject:
    """A vector file of the ``script`` kind."""
    document: JsonObject = {
        "format": FORMAT_VERSION,
        "kind": "script",
        "suite": suite,
        "capabilities": list[JsonValue](capabilities),
        "description": description,
        "cases": list[JsonValue](cases),
    }
    if source is not None:
        document["source"] = source
    return document
