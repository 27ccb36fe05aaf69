"""Blocks arriving at one per second over a network with delays: who takes whom as parents.

Used to generate realistic 1-block/s DAGs of complete headers (benchmarks, sync tests). Blocks
are created as a Poisson process with a mean of one second; each new block sees the DAG as it
was a random delay (up to ``max_delay_ms``) earlier, and takes that view's tips as its parents
(at most ``max_parents``, the most recent). Only indexes are handled here: the caller builds and
adds the actual blocks and reports each one back with :meth:`Arrivals.created`.
"""

from __future__ import annotations

import bisect
import random

VIEW_DEPTH = 64
"""How many of the most recent visible blocks are searched for tips (the others have children
everyone has seen)."""


class Arrivals:
    """The creation times and the parents of a growing 1-block/s DAG (genesis is index 0)."""

    def __init__(self, seed: int, start_ms: int, max_delay_ms: int, max_parents: int) -> None:
        self._rng = random.Random(seed)
        self._max_delay_ms = max_delay_ms
        self._max_parents = max_parents
        self._created: list[int] = [start_ms]
        self._first_child: list[int | None] = [None]
        self._now = start_ms

    def next(self) -> tuple[int, list[int]]:
        """The next block's creation time (ms) and the indexes of its parents."""
        self._now += max(1, round(self._rng.expovariate(1 / 1000)))
        seen_until = self._now - self._rng.randrange(self._max_delay_ms + 1)
        visible = bisect.bisect_left(self._created, seen_until)
        low = max(0, visible - VIEW_DEPTH)
        tips = [
            i
            for i in range(low, visible)
            if (child := self._first_child[i]) is None or self._created[child] >= seen_until
        ] or [visible - 1]
        return self._now, tips[-self._max_parents :]

    def created(self, parents: list[int]) -> int:
        """Record the block just built over ``parents`` (from :meth:`next`); its index."""
        index = len(self._created)
        for parent in parents:
            if self._first_child[parent] is None:
                self._first_child[parent] = index
        self._created.append(self._now)
        self._first_child.append(None)
        return index
