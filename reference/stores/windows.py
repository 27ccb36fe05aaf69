"""A bounded cache of the sampled windows of recently accepted blocks.

A block's window is a pure function of its past, so a cached window is never stale; the cache
only saves work. A child starts from its selected parent's cached window instead of walking
down the selected chain, which keeps the cost of a window independent of the size of the DAG
(``spec/difficulty``). Like Kaspa's block window cache, it holds the windows of the most
recently used blocks only: a window that fell out is rebuilt by the chain walk when needed.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

from reference.errors import InvalidParameter
from reference.hash import Hash

Window = TypeVar("Window")
"""Whatever the window manager keeps of one block's window."""


class WindowCache(Generic[Window]):
    """``block -> window`` for at most ``capacity`` blocks, the least recently used evicted."""

    __slots__ = ("_capacity", "_windows")

    def __init__(self, capacity: int) -> None:
        if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 0:
            raise InvalidParameter("capacity", capacity, "a cache capacity is an integer >= 0")
        self._capacity = capacity
        self._windows: OrderedDict[Hash, Window] = OrderedDict()

    def get(self, block: Hash) -> Window | None:
        """The cached window of ``block``, or ``None``; a hit makes the entry most recent."""
        window = self._windows.get(block)
        if window is not None:
            self._windows.move_to_end(block)
        return window

    def insert(self, block: Hash, window: Window) -> None:
        """Cache the window of ``block``, evicting the least recently used beyond capacity."""
        self._windows[block] = window
        self._windows.move_to_end(block)
        while len(self._windows) > self._capacity:
            self._windows.popitem(last=False)

    def __len__(self) -> int:
        return len(self._windows)
