"""The state one adapter process keeps between requests."""

from __future__ import annotations

from conformance.protocol import bad_request
from reference.consensus import Consensus


class Session:
    """The reference node behind one adapter: the DAG made by the last ``reset``."""

    __slots__ = ("consensus", "extensions")

    def __init__(self) -> None:
        self.consensus: Consensus | None = None
        """The DAG, once ``reset`` has made one."""
        self.extensions: dict[str, object] = {}
        """State of capabilities that need more than the DAG (keyed by capability name)."""

    def dag(self) -> Consensus:
        """The current DAG; ``BAD_REQUEST`` before the first ``reset``."""
        if self.consensus is None:
            raise bad_request("no DAG yet: send reset first")
        return self.consensus
