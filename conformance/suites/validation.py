"""Capability ``validation``: which headers are rejected, with which code, and that a rejection
changes nothing.

Vectors: seeded DAGs into which headers breaking each rule are offered — ``DUPLICATE_BLOCK``,
``NO_PARENTS``, ``TOO_MANY_PARENTS``, ``DUPLICATE_PARENT``, ``INVALID_DIFFICULTY``,
``UNKNOWN_PARENT``, ``PARENTS_NOT_ANTICHAIN``, ``MERGESET_TOO_BIG``, ``BAD_BLUE_SCORE``,
``BAD_BLUE_WORK`` — plus headers breaking two rules at once (the earlier rule's code wins).
After each rejected new hash, the same hash is offered again with a valid header and must be
accepted: the rejection left no trace. Both target forms are published: ``INVALID_DIFFICULTY``
comes from difficulties 0 and 2^256 in one, from bits with a zero or negative mantissa, a
value of 2^256 or more, or outside u32 in the other.
"""

from __future__ import annotations

import random

from conformance.dags import DagShape, SeededBlock, seeded_dag
from conformance.dispatch import Dispatcher
from conformance.protocol import JsonObject, encode_hash, encode_int
from conformance.suites import Capability, GenerationContext, VectorFile
from conformance.suites.dag import (
    DAG_METHODS,
    FORMS,
    Script,
    TargetForm,
    block_params,
    consensus_overrides,
    form_path,
    require,
    reset_params,
    script_file,
    target_param,
)
from reference.hash import HASH_SIZE, Hash

_ACCEPTED: JsonObject = {"status": "accepted"}
_MAX_PARENTS = 4
_MERGESET_LIMIT = 10
_K = 3


def _rejected(code: str) -> JsonObject:
    return {"status": "rejected", "error": code}


class _Builder:
    """Offers invalid headers to one growing DAG and records the replies."""

    def __init__(
        self,
        script: Script,
        rng: random.Random,
        blocks: list[SeededBlock],
        reset: JsonObject,
        form: TargetForm,
    ) -> None:
        self.script = script
        self.rng = rng
        self.blocks = blocks
        self.form = form
        # A second reference DAG fed the same accepted headers: it computes a block's data
        # before the case offers claims about it.
        self.mirror = Dispatcher()
        require(self.mirror.handle(0, "reset", reset), {}, "mirror")

    def fresh(self) -> Hash:
        return Hash(self.rng.randbytes(HASH_SIZE))

    def tips(self) -> list[Hash]:
        return sorted(self.script.reference().tips())

    def offer(self, params: JsonObject, code: str | None, mirrored: bool = True) -> None:
        expected = _ACCEPTED if code is None else _rejected(code)
        require(self.script.call("add_block", params), expected, f"{self.script.name}: {code}")
        if code is None and mirrored:
            require(self.mirror.handle(0, "add_block", params), expected, "mirror")

    def reject_then_accept(
        self,
        block: Hash,
        parents: list[Hash],
        code: str,
        good_parents: tuple[Hash, ...] | None = None,
        extra: JsonObject | None = None,
    ) -> None:
        """Offer a bad header for a new hash, then a valid one for the same hash."""
        params: JsonObject = {
            "hash": encode_hash(block),
            "parents": [encode_hash(parent) for parent in parents],
            **target_param(1, self.form),
        }
        params.update(extra or {})
        self.offer(params, code)
        if good_parents is None:
            good_parents = tuple(self.tips()[-_MAX_PARENTS:])
        good = SeededBlock(block, good_parents, 1)
        self.offer(self.params(good), None)

    def params(self, block: SeededBlock, claims: JsonObject | None = None) -> JsonObject:
        return block_params(block, claims, self.form)

    def invalid_targets(self) -> list[JsonObject]:
        """Well-formed targets of this form that name no valid target."""
        if self.form == "difficulty":
            return [{"difficulty": "0x0"}, {"difficulty": encode_int(1 << 256)}]
        # Zero mantissa, negative mantissa, 2^256 and more, outside u32.
        return [{"bits": bits} for bits in (0, 0x04923456, 0x21010000, 1 << 32)]

    def single_rules(self) -> None:
        tips = self.tips()
        tip = tips[-1]
        known = self.blocks[1]
        self.offer(self.params(known), "DUPLICATE_BLOCK")
        self.offer(self.params(SeededBlock(self.blocks[0].hash, (tip,), 1)), "DUPLICATE_BLOCK")
        self.reject_then_accept(self.fresh(), [], "NO_PARENTS")
        many = [block.hash for block in self.blocks[-_MAX_PARENTS - 1 :]]
        self.reject_then_accept(self.fresh(), many, "TOO_MANY_PARENTS")
        self.reject_then_accept(self.fresh(), [tip, tip], "DUPLICATE_PARENT")
        for bad in self.invalid_targets():
            self.reject_then_accept(self.fresh(), [tip], "INVALID_DIFFICULTY", extra=bad)
        self.reject_then_accept(self.fresh(), [tip, self.fresh()], "UNKNOWN_PARENT")
        tip = self.tips()[-1]
        below = self.script.reference().header(tip).parents[0]
        self.reject_then_accept(self.fresh(), [tip, below], "PARENTS_NOT_ANTICHAIN")
        self.reject_then_accept(self.fresh(), [self.blocks[0].hash, tip], "PARENTS_NOT_ANTICHAIN")

    def rule_order(self) -> None:
        tip = self.tips()[-1]
        unknown = [self.fresh() for _ in range(_MAX_PARENTS + 1)]
        self.offer({**self.params(self.blocks[0]), "parents": []}, "DUPLICATE_BLOCK")
        self.reject_then_accept(self.fresh(), unknown, "TOO_MANY_PARENTS")
        self.reject_then_accept(self.fresh(), [unknown[0], unknown[0]], "DUPLICATE_PARENT")
        self.reject_then_accept(
            self.fresh(), [unknown[0]], "INVALID_DIFFICULTY", extra=self.invalid_targets()[0]
        )
        below = self.script.reference().header(tip).parents[0]
        self.reject_then_accept(self.fresh(), [tip, below, unknown[0]], "UNKNOWN_PARENT")

    def claims(self) -> None:
        """Claims one off in score, in work, in both; then the right ones."""
        block = self.fresh()
        parents = tuple(self.tips()[-_MAX_PARENTS:])
        base = self.params(SeededBlock(block, parents, 1))
        require(self.mirror.handle(0, "add_block", base), _ACCEPTED, "mirror")
        data = self.mirror.session.dag().ghostdag_data(block)
        score, work = data.blue_score, data.blue_work
        wrong = (
            ({"blue_score": score + 1}, "BAD_BLUE_SCORE"),
            ({"blue_score": score - 1}, "BAD_BLUE_SCORE"),
            ({"blue_work": encode_int(work + 1)}, "BAD_BLUE_WORK"),
            ({"blue_score": score, "blue_work": encode_int(work - 1)}, "BAD_BLUE_WORK"),
            ({"blue_score": score + 1, "blue_work": encode_int(work + 1)}, "BAD_BLUE_SCORE"),
        )
        for claims, code in wrong:
            self.offer({**base, "claims": claims}, code)  # type: ignore[dict-item]
        right: JsonObject = {"blue_score": score, "blue_work": encode_int(work)}
        self.offer({**base, "claims": right}, None, mirrored=False)

    def _side_chain(self, length: int) -> Hash:
        side = self.blocks[0].hash
        for _ in range(length):
            block = SeededBlock(self.fresh(), (side,), 1)
            self.offer(self.params(block), None)
            side = block.hash
        return side

    def _sink(self) -> Hash:
        reference = self.script.reference()
        return max(self.tips(), key=lambda tip: reference.ghostdag_data(tip).blue_work)

    def mergeset_limit(self) -> None:
        """Side chains off genesis merged by a block on the main DAG: one making a mergeset of
        exactly the limit (accepted), one a block longer (rejected)."""
        side = self._side_chain(_MERGESET_LIMIT - 1)
        at_limit = SeededBlock(self.fresh(), (self._sink(), side), 1)
        self.offer(self.params(at_limit), None)
        side = self._side_chain(_MERGESET_LIMIT)
        main = self._sink()
        self.reject_then_accept(self.fresh(), [main, side], "MERGESET_TOO_BIG", (main,))


def _cases(context: GenerationContext, form: TargetForm) -> list[JsonObject]:
    cases: list[JsonObject] = []
    for index in range(6):
        rng = context.rng(f"validation/{index}")
        blocks = seeded_dag(rng, DagShape(25 + 5 * index, 3, 1, _MAX_PARENTS, (1, 2)))
        name = f"dag{index} {len(blocks)} blocks"
        script = Script(name)
        overrides = consensus_overrides(_K, _MAX_PARENTS, _MERGESET_LIMIT)
        reset = reset_params(blocks[0], overrides, form=form)
        require(script.call("reset", reset), {}, name)
        half = len(blocks) // 2
        builder = _Builder(script, rng, blocks[:half], reset, form)
        for block in blocks[1:half]:
            builder.offer(builder.params(block), None)
        builder.single_rules()
        builder.rule_order()
        builder.claims()
        builder.mergeset_limit()
        cases.append(script.case())
    return cases


def generate(context: GenerationContext) -> list[VectorFile]:
    """``validation/generated.json`` and ``validation/generated-bits.json``."""
    files: list[VectorFile] = []
    for form in FORMS:
        description = (
            "Headers breaking each validation rule, and two rules at once, offered to seeded "
            "DAGs; each rejected new hash is then accepted with a valid header (targets as "
            f"{form}: the invalid ones are {form} values that name no valid target)."
        )
        files.append(
            VectorFile(
                form_path("validation/generated.json", form),
                script_file("validation", ["validation", form], description, _cases(context, form)),
            )
        )
    return files


CAPABILITY = Capability(name="validation", methods=dict(DAG_METHODS), generate=generate)
