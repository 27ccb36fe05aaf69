"""One WebSocket's outgoing messages, sent in order by one task.

Replies and notifications of a connection are produced by different tasks; sending them all
through one queue keeps their order (a ``subscribe`` reply always precedes the first
notification it enables) and never has two tasks writing one socket. An item is either a text
frame or a coroutine function producing one (a notification that must first read the node);
``None`` from it sends nothing. The queue is bounded: a client that does not read its
messages is disconnected (close code 1008) rather than let the node's memory grow.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Final

from aiohttp import WSCloseCode, web

_log = logging.getLogger(__name__)

Outgoing = str | Callable[[], Awaitable[str | None]]
"""A text frame, or a coroutine function that makes one."""

DEFAULT_QUEUE_LIMIT: Final = 1024
"""Messages a connection may have waiting before it is dropped as a slow reader."""


class Outbox:
    """The ordered sender of one WebSocket."""

    def __init__(self, socket: web.WebSocketResponse, limit: int = DEFAULT_QUEUE_LIMIT) -> None:
        self._socket = socket
        self._queue: asyncio.Queue[Outgoing | None] = asyncio.Queue(limit)
        self._task = asyncio.get_running_loop().create_task(self._run())
        self.overflowed = False
        """Whether the connection was dropped for not reading."""

    def put(self, item: Outgoing) -> None:
        """Queue ``item``; a full queue closes the connection."""
        if self._socket.closed or self.overflowed:
            return
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            self.overflowed = True
            asyncio.get_running_loop().create_task(
                self._socket.close(
                    code=WSCloseCode.POLICY_VIOLATION, message=b"too many unread messages"
                )
            )

    async def close(self) -> None:
        """Send what is queued, then stop (the socket itself is closed by its handler)."""
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(None)
        if not self._queue.full():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._task), timeout=5)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _run(self) -> None:
        while True:
            item = await self._queue.get()
            if item is None or self._socket.closed:
                return
            try:
                text = item if isinstance(item, str) else await item()
                if text is not None:
                    await self._socket.send_str(text)
            except (ConnectionError, RuntimeError):
                return  # the peer went away; the handler's read loop ends too
            except Exception:
                _log.exception("producing an outgoing message failed")
