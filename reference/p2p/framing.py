"""Frames: how messages follow one another on a TCP connection.

A frame is ::

    length   u32 little-endian   bytes of the payload
    tag      u8                  the message type (reference.p2p.messages.MESSAGES_BY_TAG)
    payload  length bytes

The five-byte frame head is read first. An unknown tag is ``MALFORMED_MESSAGE`` and a length
above the type's ``MAX_SIZE`` is ``MESSAGE_TOO_LARGE``: both are refused *before* the payload
is read, so a peer can never make the node buffer more than the largest message the schema
allows (:data:`MAX_FRAME_SIZE`). A frame, once its first byte arrived, must be complete within
:func:`frame_deadline` — a base time plus the time its length takes at a minimal rate — or the
sender is too slow (``PEER_TIMEOUT``): a slowloris peer cannot hold a connection open with a
trickle of bytes.
"""

from __future__ import annotations

import asyncio
from typing import Final

from reference.errors import Code, PeerError
from reference.p2p.messages import MESSAGE_TYPES, MESSAGES_BY_TAG, Message

FRAME_HEAD_SIZE: Final = 5
"""Bytes of the length and the tag."""
MAX_FRAME_SIZE: Final = max(kind.MAX_SIZE for kind in MESSAGE_TYPES)
"""The largest payload any message type allows."""
FRAME_BASE_SECONDS: Final = 10.0
"""Time a started frame may take, beyond what its size explains."""
MIN_RATE_BYTES_PER_SECOND: Final = 256 * 1024
"""The slowest rate a peer may send a started frame at."""


def frame_deadline(length: int, base: float = FRAME_BASE_SECONDS) -> float:
    """Seconds a frame of ``length`` payload bytes may take once its first byte arrived."""
    return base + length / MIN_RATE_BYTES_PER_SECOND


def encode_frame(message: Message) -> bytes:
    """The frame of ``message``."""
    payload = message.serialize()
    if len(payload) > message.MAX_SIZE:
        # The schema's limits bind the sender too: a node never sends what a peer must refuse.
        raise PeerError(
            Code.MESSAGE_TOO_LARGE,
            f"{message.NAME}: {len(payload)} bytes exceed its limit of {message.MAX_SIZE}",
        )
    return len(payload).to_bytes(4, "little") + bytes([message.TAG]) + payload


def parse_frame_head(head: bytes) -> tuple[type[Message], int]:
    """The message type and payload length a frame head announces, or a :class:`PeerError`."""
    length = int.from_bytes(head[:4], "little")
    kind = MESSAGES_BY_TAG.get(head[4])
    if kind is None:
        raise PeerError(Code.MALFORMED_MESSAGE, f"unknown message tag {head[4]:#04x}")
    if length > kind.MAX_SIZE:
        raise PeerError(
            Code.MESSAGE_TOO_LARGE,
            f"{kind.NAME}: a frame of {length} bytes exceeds its limit of {kind.MAX_SIZE}",
        )
    return kind, length


def decode_frame(data: bytes) -> tuple[Message, int]:
    """The first message framed in ``data`` and the bytes it took (for tests and tools)."""
    if len(data) < FRAME_HEAD_SIZE:
        raise PeerError(Code.MALFORMED_MESSAGE, "a frame head is 5 bytes")
    kind, length = parse_frame_head(data[:FRAME_HEAD_SIZE])
    end = FRAME_HEAD_SIZE + length
    if len(data) < end:
        raise PeerError(Code.MALFORMED_MESSAGE, f"{kind.NAME}: truncated frame")
    return kind.deserialize(data[FRAME_HEAD_SIZE:end]), end


async def read_frame(
    reader: asyncio.StreamReader, base: float = FRAME_BASE_SECONDS
) -> tuple[Message, int]:
    """Wait for the next frame and decode it; the message and the frame's size in bytes.

    Waiting for a frame's first byte has no deadline here (the peer's keep-alive bounds it);
    the rest of the frame must arrive within :func:`frame_deadline`. Raises
    ``asyncio.IncompleteReadError`` when the connection closes between frames.
    """
    first = await reader.readexactly(1)
    try:
        async with asyncio.timeout(frame_deadline(0, base)):
            head = first + await reader.readexactly(FRAME_HEAD_SIZE - 1)
        kind, length = parse_frame_head(head)
        async with asyncio.timeout(frame_deadline(length, base)):
            payload = await reader.readexactly(length)
    except TimeoutError:
        raise PeerError(Code.PEER_TIMEOUT, "a frame arrived too slowly") from None
    except asyncio.IncompleteReadError:
        raise PeerError(Code.MALFORMED_MESSAGE, "the connection closed inside a frame") from None
    return kind.deserialize(payload), FRAME_HEAD_SIZE + length
