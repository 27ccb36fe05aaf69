"""The bridge between the node, which is plain synchronous Python, and the asyncio servers.

Every node call runs on one worker thread, so a block being validated never stalls the event
loop that serves other clients (the node's own lock serialises the calls anyway). The node's
listeners fire on that thread; the bridge hands each event to the loop, in the order the node
fired them, and from there to every subscriber. A subscriber is a plain callback on the loop:
it must not block (servers enqueue the event for their connection and return).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from enum import StrEnum
from typing import ParamSpec, TypeVar

from reference.node.node import Node

_log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


class NodeEvent(StrEnum):
    """What the node tells its subscribers (``reference.node.node``)."""

    BLOCK_ADDED = "block_added"
    """A block was accepted; the payload is its hash."""
    SINK_BLUE_SCORE_CHANGED = "sink_blue_score_changed"
    """The sink changed; the payload is the new sink's blue score."""
    NEW_BLOCK_TEMPLATE = "new_block_template"
    """Templates built before are stale; the payload is ``None``."""


Subscriber = Callable[[NodeEvent, object], None]
"""A callback on the event loop: ``(event, payload)``."""


class NodeBridge:
    """One node served to asyncio code: calls off the loop, events onto it."""

    def __init__(self, node: Node, loop: asyncio.AbstractEventLoop) -> None:
        self.node = node
        """The node served."""
        self._loop = loop
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="node")
        self._subscribers: dict[int, Subscriber] = {}
        self._keys = itertools.count()
        self._unlisten = [
            node.on_block_added(lambda block: self._fire(NodeEvent.BLOCK_ADDED, block)),
            node.on_sink_blue_score_changed(
                lambda score: self._fire(NodeEvent.SINK_BLUE_SCORE_CHANGED, score)
            ),
            node.on_new_block_template(lambda: self._fire(NodeEvent.NEW_BLOCK_TEMPLATE, None)),
        ]

    async def call(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``function(*args, **kwargs)`` on the node's thread."""
        return await self._loop.run_in_executor(self._executor, lambda: function(*args, **kwargs))

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Call ``subscriber`` on the loop for every node event; returns the unsubscribe call."""
        key = next(self._keys)
        self._subscribers[key] = subscriber

        def unsubscribe() -> None:
            self._subscribers.pop(key, None)

        return unsubscribe

    def close(self) -> None:
        """Stop listening to the node and let the worker thread finish."""
        for unlisten in self._unlisten:
            unlisten()
        self._executor.shutdown(wait=True)

    def _fire(self, event: NodeEvent, payload: object) -> None:
        # On the node's thread: only hand over.
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._dispatch, event, payload)

    def _dispatch(self, event: NodeEvent, payload: object) -> None:
        for subscriber in list(self._subscribers.values()):
            try:
                subscriber(event, payload)
            except Exception:  # one server's bug must not starve the others
                _log.exception("subscriber of %s failed", event)
