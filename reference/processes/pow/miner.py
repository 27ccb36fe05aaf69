"""Finding a nonce: the search every miner runs, as a pure function.

Used by the tests, the node's miner and ``dagspec import-dag``. Nonces are tried in order from
``first_nonce`` (wrapping at 2^64); the matrix is built once for all of them.
"""

from __future__ import annotations

import dataclasses

from reference.errors import InvalidParameter
from reference.header import BlockHeader
from reference.presets import Preset
from reference.processes.pow.state import PowState

_NONCES = 1 << 64


def _natural(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def mine(
    header: BlockHeader, preset: Preset, max_tries: int, first_nonce: int = 0
) -> BlockHeader | None:
    """``header`` with the first nonce (from ``first_nonce`` on) whose proof of work meets its
    target, or ``None`` after ``max_tries`` failures. Where ``preset.skip_proof_of_work``
    holds every nonce passes, and ``header`` comes back unchanged."""
    if not _natural(max_tries):
        raise InvalidParameter("max_tries", max_tries, "a non-negative integer is expected")
    if not _natural(first_nonce) or first_nonce >= _NONCES:
        raise InvalidParameter("first_nonce", first_nonce, "an unsigned 64-bit integer")
    if preset.skip_proof_of_work:
        return header
    if max_tries == 0:
        return None
    state = PowState(header)
    for step in range(max_tries):
        nonce = (first_nonce + step) % _NONCES
        if state.meets_target(nonce):
            return dataclasses.replace(header, nonce=nonce)
    return None
