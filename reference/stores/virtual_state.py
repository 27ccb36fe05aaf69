"""Storage of the virtual state: the one record that is replaced, not added, per block.

The virtual is a function of the tips and of the previous virtual's finality point, which is
where its sink search starts (``spec/virtual``); the store keeps the whole last
:class:`~reference.pipeline.virtual.VirtualState`, so that a node reopened from disk answers
every question about the virtual, the sink and the last chain change exactly as before,
without resolving anything again.
"""

from __future__ import annotations

from reference.pipeline.virtual import VirtualState


class VirtualStateStore:
    """The current :class:`VirtualState`; empty until the consensus resolves the first one."""

    __slots__ = ("_state",)

    def __init__(self) -> None:
        self._state: VirtualState | None = None

    def set(self, state: VirtualState) -> None:
        """Replace the virtual state."""
        self._state = state

    def get(self) -> VirtualState:
        """The current virtual state (``RuntimeError`` before the first: a caller's bug)."""
        state = self._state
        if state is None:
            raise RuntimeError("no virtual state was stored yet")
        return state

    def has(self) -> bool:
        """True once a virtual state is stored."""
        return self._state is not None
