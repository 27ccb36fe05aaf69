"""Every obligation behind ``dagspec prove``, in the order the table lists them."""

from __future__ import annotations

from proofs import bits, contracts, interval, work
from proofs.obligation import Obligation


def all_obligations(z3_timeout_ms: int, crosshair_timeout: float) -> list[Obligation]:
    """The Z3 proofs on the reference's code (work, compact bits, intervals and tree
    insertion), then the CrossHair contracts."""
    return [
        *work.obligations(z3_timeout_ms),
        *bits.obligations(z3_timeout_ms),
        *interval.obligations(z3_timeout_ms),
        *contracts.obligations(crosshair_timeout),
    ]
