"""Random header-mode DAGs for the store tests, grown block by block over any consensus.

:func:`next_header` builds the next header of a DAG with the consensus's own
:meth:`~reference.consensus.Consensus.build_header` (so every derived field is right), over
parents chosen at random: a subset of the tips (merging), or one recent block (forking). Some
headers are then broken on purpose, before or after their proof of work, so that stores also
see rejections. The preset is ``minimal`` with merge and finality depths small enough for the
virtual's sink search and the bounded merge depth to act within a few dozen blocks, and the
proof of work skipped.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from typing import Final

from reference.consensus import Consensus
from reference.errors import BlockRejected, Code
from reference.hash import Hash
from reference.header import BlockHeader, genesis_header
from reference.presets import Preset, get_preset

PRESET: Final[Preset] = get_preset(
    "minimal",
    {
        "skip_proof_of_work": True,
        "merge_depth": 8,
        "finality_depth": 16,
        "difficulty_window_size": 4,
        "difficulty_sample_rate": 1,
        "min_difficulty_window_size": 2,
    },
)
"""The parameters of every generated DAG (a DAA window covering fewer blocks than the merge
depth, so that blocks merge non-DAA blocks)."""

GENESIS: Final = genesis_header(
    version=PRESET.block_version, timestamp=1_700_000_000_000, bits=0x207FFFFF
)
"""The genesis of every generated DAG."""


def next_header(consensus: Consensus, rng: random.Random, recent: Sequence[Hash]) -> BlockHeader:
    """A header over random parents of ``consensus``'s DAG (``recent``: blocks a fork may
    start from); one in eight is broken: a bad version (rejected before the proof of work),
    or a wrong blue score or an old timestamp (rejected after it: remembered invalid)."""
    tips = sorted(consensus.tips())
    if recent and rng.random() < 0.25:
        parents = [rng.choice(recent)]
    else:
        parents = rng.sample(tips, rng.randint(1, min(len(tips), PRESET.max_block_parents)))
    floor = consensus.past_median_time_of_parents(parents) + 1
    latest = max(_timestamp(consensus, parent) for parent in parents)
    timestamp = max(floor, latest + rng.randrange(200, 1800))
    header = consensus.build_header(parents, timestamp=timestamp, nonce=rng.getrandbits(64))
    roll = rng.random()
    if roll < 1 / 24:
        return dataclasses.replace(header, version=header.version + 1)
    if roll < 2 / 24:
        return dataclasses.replace(header, blue_score=header.blue_score + 1)
    if roll < 3 / 24:
        return dataclasses.replace(header, timestamp=floor - 1)
    return header


def offer(consensus: Consensus, header: BlockHeader) -> Code | None:
    """Offer ``header`` arriving at its own timestamp; the rejection code, or ``None``."""
    try:
        consensus.add_full_header(header, now_ms=header.timestamp)
    except BlockRejected as rejection:
        return rejection.code
    return None


def recent_blocks(consensus: Consensus, accepted: Sequence[Hash], window: int = 12) -> list[Hash]:
    """The last ``window`` accepted blocks, the tips when none is known."""
    return list(accepted[-window:]) or sorted(consensus.tips())


def _timestamp(consensus: Consensus, block: Hash) -> int:
    full = consensus.header(block).full
    if full is None:
        raise AssertionError(f"{block} is not a header-mode block")
    return full.timestamp
