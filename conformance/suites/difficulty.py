"""Capability ``difficulty``: blocks whose target is given as TOS's difficulty.

A DAG method (``reset``'s genesis, ``add_block``) names a block's target in one of two forms:
``"difficulty": "0x…"`` — TOS's VarUint difficulty ``d``, target ``(2^256 - 1) // d`` — or
``"bits": n`` — Kaspa's compact target. An implementation speaks the forms its chain uses, so
each form is a capability of its own: ``difficulty`` for the first, ``bits`` (which also adds
``work`` with ``bits``) for the second. A DAG vector file is published once in each form and
declares the form it uses next to the DAG capabilities it needs; an adapter that advertises
only ``bits`` runs every DAG case in the bits form.

The capability adds no method of its own and no file of its own: its vectors are the
difficulty forms of the DAG suites (``ghostdag/generated.json``, ``validation/…``).
"""

from __future__ import annotations

from conformance.suites import Capability, GenerationContext, VectorFile


def generate(context: GenerationContext) -> list[VectorFile]:
    """No files of its own (see the module docstring)."""
    return []


CAPABILITY = Capability(name="difficulty", methods={}, generate=generate)
"""The difficulty capability."""
