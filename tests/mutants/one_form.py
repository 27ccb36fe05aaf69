"""Not a mutant: a correct adapter that knows one target form only, as a real node does.

``python -m tests.mutants.one_form bits`` is a Kaspa-like node: it advertises ``bits`` and the
DAG capabilities, neither ``difficulty`` nor ``work``, and answers ``UNSUPPORTED`` to any block
or ``work`` request carrying a difficulty. ``… one_form difficulty`` is the TOS-like node that
knows difficulties and no bits.
"""

import sys

from conformance.adapter import serve_stdio
from conformance.dispatch import Dispatcher
from conformance.protocol import JsonObject, ProtocolCode, error_reply
from conformance.suites import by_name

KNOWN = sys.argv[1]
OTHER = {"bits": "difficulty", "difficulty": "bits"}[KNOWN]
SERVED = ["protocol", KNOWN, "reachability", "ghostdag", "validation", "virtual", "relay"]
if KNOWN == "difficulty":
    SERVED.append("work")


class OneForm(Dispatcher):
    """Refuses the other target form wherever it appears."""

    def handle(self, request_id: int, method: str, params: JsonObject) -> JsonObject:
        genesis = params.get("genesis")
        if OTHER in params or (isinstance(genesis, dict) and OTHER in genesis):
            return error_reply(request_id, ProtocolCode.UNSUPPORTED, f"no {OTHER} here")
        return super().handle(request_id, method, params)


raise SystemExit(serve_stdio(OneForm(served=[by_name()[name] for name in SERVED])))
