"""Proof of work: Kaspa's kHeavyHash, the block level, and the parent-levels rule.

Modules: :mod:`~reference.processes.pow.hashers` (the two cSHAKE256 hashers),
:mod:`~reference.processes.pow.xoshiro` (the generator), :mod:`~reference.processes.pow.matrix`
(the matrix and the heavy hash), :mod:`~reference.processes.pow.state` (the PoW value and its
rule), :mod:`~reference.processes.pow.level` (block levels, parent levels) and
:mod:`~reference.processes.pow.miner` (the nonce search).
"""

from reference.processes.pow.level import block_level, check_parent_levels, level_from_pow
from reference.processes.pow.miner import mine
from reference.processes.pow.state import (
    PowState,
    check_proof_of_work,
    pow_target,
    pow_value,
    pre_pow_hash,
)

__all__ = [
    "PowState",
    "block_level",
    "check_parent_levels",
    "check_proof_of_work",
    "level_from_pow",
    "mine",
    "pow_target",
    "pow_value",
    "pre_pow_hash",
]
