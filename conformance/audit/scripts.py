"""Script vector files replayed against the independent oracles, step by step.

Each case is played from its first step: ``reset`` builds a fresh :class:`DagModel` from the
parameters the case states in ``overrides`` (``preset`` is ignored — a vector must not depend
on anything it does not state), each ``add_block`` is judged by the model's rules and, when
accepted, grows it; every query is answered by the model; ``work`` by the second formulas.
The oracle's outcome is compared with the published expectation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from conformance.audit.common import (
    Finding,
    Outcome,
    Tally,
    Unjudgeable,
    count_of,
    hash_of,
    hex_int,
    int_of,
    judge,
)
from conformance.audit.dag import DagModel, Params
from conformance.audit.targets import target_of_bits, target_of_difficulty, work_of

_CONSENSUS = ("k", "max_block_parents", "mergeset_size_limit")


def target_of(params: Mapping[str, Any]) -> int | None:
    """The target named by exactly one of ``difficulty`` / ``bits`` (``None``: no target)."""
    forms = [name for name in ("difficulty", "bits") if name in params]
    if len(forms) != 1:
        raise Unjudgeable(f"a block needs exactly one of difficulty, bits, got {forms}")
    if forms == ["difficulty"]:
        return target_of_difficulty(int_of(params["difficulty"]))
    return target_of_bits(count_of(params["bits"]))


def _keys(params: Mapping[str, Any], allowed: set[str], where: str) -> None:
    extra = set(params) - allowed
    if extra:
        raise Unjudgeable(f"{where} has fields no oracle models: {sorted(extra)}")


class _Replay:
    """The state of one case being replayed."""

    def __init__(self) -> None:
        self.dag: DagModel | None = None

    def model(self) -> DagModel:
        if self.dag is None:
            raise Unjudgeable("a DAG method before reset")
        return self.dag

    def reset(self, params: Mapping[str, Any]) -> Outcome:
        _keys(params, {"preset", "overrides", "genesis"}, "reset")
        overrides = params["overrides"]
        missing = [name for name in _CONSENSUS if name not in overrides]
        if missing:
            raise Unjudgeable(f"reset does not state {missing}")
        values = [count_of(overrides[name]) for name in _CONSENSUS]
        genesis = params["genesis"]
        _keys(genesis, {"hash", "difficulty", "bits"}, "genesis")
        target = target_of(genesis)
        if target is None:
            raise Unjudgeable("a genesis without a valid target")
        self.dag = DagModel(Params(*values), hash_of(genesis["hash"]), work_of(target))
        return ("result", {})

    def add_block(self, params: Mapping[str, Any]) -> Outcome:
        _keys(params, {"hash", "parents", "difficulty", "bits", "claims"}, "add_block")
        dag = self.model()
        block = hash_of(params["hash"])
        parents = [hash_of(parent) for parent in params["parents"]]
        target = target_of(params)
        claims: dict[str, int] = {}
        raw_claims = params.get("claims", {})
        _keys(raw_claims, {"blue_score", "blue_work"}, "claims")
        if "blue_score" in raw_claims:
            claims["blue_score"] = count_of(raw_claims["blue_score"])
        if "blue_work" in raw_claims:
            claims["blue_work"] = int_of(raw_claims["blue_work"])
        code, colouring = dag.rejection(block, parents, target, claims)
        if code is not None:
            return ("result", {"status": "rejected", "error": code})
        if colouring is None or target is None:
            raise Unjudgeable("an accepted block without a colouring")
        dag.add(block, parents, work_of(target), colouring)
        return ("result", {"status": "accepted"})

    def ghostdag(self, params: Mapping[str, Any]) -> Outcome:
        _keys(params, {"hash"}, "ghostdag")
        dag = self.model()
        block = hash_of(params["hash"])
        if block not in dag.index:
            return ("error", "UNKNOWN_BLOCK")
        return ("result", dag.ghostdag_json(dag.index[block]))

    def _pair(self, params: Mapping[str, Any]) -> tuple[int, int] | None:
        _keys(params, {"ancestor", "descendant"}, "ancestry")
        dag = self.model()
        ancestor, descendant = hash_of(params["ancestor"]), hash_of(params["descendant"])
        if ancestor not in dag.index or descendant not in dag.index:
            return None
        return dag.index[ancestor], dag.index[descendant]

    def is_dag_ancestor(self, params: Mapping[str, Any]) -> Outcome:
        pair = self._pair(params)
        if pair is None:
            return ("error", "UNKNOWN_BLOCK")
        return ("result", bool(self.model().past[pair[1]] >> pair[0] & 1))

    def is_chain_ancestor(self, params: Mapping[str, Any]) -> Outcome:
        pair = self._pair(params)
        if pair is None:
            return ("error", "UNKNOWN_BLOCK")
        return ("result", bool(self.model().chain[pair[1]] >> pair[0] & 1))

    def virtual(self, params: Mapping[str, Any]) -> Outcome:
        _keys(params, set(), "virtual")
        return ("result", self.model().virtual_json())

    def work(self, params: Mapping[str, Any]) -> Outcome:
        _keys(params, {"difficulty", "bits"}, "work")
        target = target_of(params)
        if target is None:
            return ("error", "INVALID_DIFFICULTY")
        return ("result", {"target": hex_int(target), "work": hex_int(work_of(target))})


METHODS: frozenset[str] = frozenset(
    {
        "reset",
        "add_block",
        "ghostdag",
        "is_dag_ancestor",
        "is_chain_ancestor",
        "virtual",
        "work",
    }
)
"""The script methods these oracles answer."""


def audit_script(path: str, document: Mapping[str, Any]) -> Tally:
    """Every expectation of a script file whose methods are in :data:`METHODS`."""
    tally = Tally()
    for case in document["cases"]:
        replay = _Replay()
        handlers: dict[str, Callable[[Mapping[str, Any]], Outcome]] = {
            "reset": replay.reset,
            "add_block": replay.add_block,
            "ghostdag": replay.ghostdag,
            "is_dag_ancestor": replay.is_dag_ancestor,
            "is_chain_ancestor": replay.is_chain_ancestor,
            "virtual": replay.virtual,
            "work": replay.work,
        }
        for index, step in enumerate(case["steps"]):
            handler = handlers.get(step["method"])
            try:
                if handler is None:
                    raise Unjudgeable(f"no oracle answers {step['method']}")
                problem = judge(step["expect"], handler(step["params"]))
            except (Unjudgeable, KeyError, TypeError, AttributeError) as error:
                problem = f"no independent check: {type(error).__name__}: {error}"
            tally.checked += 1
            if problem is not None:
                tally.findings.append(Finding(path, case["name"], index, problem))
    return tally
