"""Block work from difficulty.

A block's *difficulty* ``d`` (1 <= d < 2^256) sets its *target* ``t = (2^256 - 1) // d``; a
block's *work* is the expected number of hashes needed to meet its target,

    work = (~t // (t + 1)) + 1          over 256-bit unsigned integers,

which equals ``2^256 // (t + 1)`` for every 256-bit ``t`` (proved in ``proofs/work.py``).
Python integers are unbounded, so the spec has no overflow hole at ``t = 2^256 - 1``
(difficulty 1): there ``~t = 0`` and the formula gives 1 directly. Fixed-width
implementations must not compute ``t + 1`` in 256 bits; TOS special-cases ``t == MAX``.

Work is at least 1 and at most ``2^256`` (for ``t = 0``, which no difficulty produces).
"""

from __future__ import annotations

from typing import Final, NewType

from reference.errors import InvalidDifficulty

Difficulty = NewType("Difficulty", int)
"""Expected hashes per block, 1 <= difficulty < 2^256."""

Target = NewType("Target", int)
"""Largest accepted proof-of-work hash value, 0 <= target < 2^256."""

Work = NewType("Work", int)
"""Expected hashes to meet a target, 1 <= work <= 2^256."""

HASH_BITS: Final = 256
"""Width of hashes, targets and work arithmetic."""

MAX_UINT256: Final = (1 << HASH_BITS) - 1
"""2^256 - 1, the largest 256-bit value."""


def _require_int(value: object, what: str) -> int:
    # bool is an int subclass; True must not pass as difficulty 1.
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidDifficulty(value, f"{what} is an integer, not {type(value).__name__}")
    return value


def target_from_difficulty(difficulty: int) -> Target:
    """The target of a difficulty: ``(2^256 - 1) // difficulty``.

    Difficulty 0 (no target) and difficulty >= 2^256 (target 0, unmeetable) are rejected.

    pre: 1 <= difficulty <= MAX_UINT256
    post: __return__ * difficulty <= MAX_UINT256 < (__return__ + 1) * difficulty
    """
    difficulty = _require_int(difficulty, "difficulty")
    if difficulty < 1 or difficulty > MAX_UINT256:
        raise InvalidDifficulty(difficulty, "difficulty must satisfy 1 <= d < 2^256")
    return Target(MAX_UINT256 // difficulty)


def work_from_target(target: int) -> Work:
    """``(~target // (target + 1)) + 1`` with ``~`` the 256-bit complement.

    pre: 0 <= target <= MAX_UINT256
    post: __return__ == (1 << HASH_BITS) // (target + 1)
    """
    target = _require_int(target, "target")
    if target < 0 or target > MAX_UINT256:
        raise InvalidDifficulty(target, "target must satisfy 0 <= t < 2^256")
    complement = MAX_UINT256 ^ target
    return Work(complement // (target + 1) + 1)


def work_from_difficulty(difficulty: int) -> Work:
    """The work of a block of the given difficulty.

    pre: 1 <= difficulty <= MAX_UINT256
    post: 1 <= __return__ <= difficulty
    """
    return work_from_target(target_from_difficulty(difficulty))
