"""What sync and relay need from the node they run for, and two ways to provide it.

:class:`SyncBackend` is the whole interface: questions about the DAG (read through the
consensus's public methods) and three ways in — a header alone, a body for a header already
held, a whole block. Everything a peer sends enters through these, so every consensus rule
applies to it and a rejected block changes nothing.

- :class:`ConsensusBackend` runs a header-mode :class:`~reference.consensus.Consensus` without
  bodies: a *headers-only* node (the IBD benchmark, header tests). Headers are accepted with
  status ``HEADER_ONLY``, exactly as in Kaspa's header stage.
- :class:`NodeBackend` runs a :class:`~reference.node.node.Node` (blocks with bodies): a
  header from a header chunk is validated by every header rule and stored alone
  (``submit_header``, status ``HEADER_ONLY``), its body later by every body rule
  (``submit_body``), as in Kaspa's header and body stages. Both are durable, so a node
  killed during IBD keeps the headers and bodies it had accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from reference.consensus import Consensus
from reference.errors import BlockRejected, Code
from reference.hash import Hash
from reference.header import BlockHeader
from reference.mining.mempool import RelayView
from reference.presets import Preset
from reference.processes.trusted import TrustedData
from reference.stores.statuses import BlockStatus
from reference.transaction.model import Transaction

if TYPE_CHECKING:
    from reference.node.node import Node


class SyncBackend(Protocol):
    """The node as sync and relay see it."""

    @property
    def consensus(self) -> Consensus:
        """The consensus, for read-only questions."""
        ...

    @property
    def wants_bodies(self) -> bool:
        """True when the node keeps block bodies (IBD then downloads them)."""
        ...

    def has_header(self, block: Hash) -> bool:
        """True when the node holds ``block``'s header (with or without its body)."""
        ...

    def has_body(self, block: Hash) -> bool:
        """True when the node holds ``block`` with its body."""
        ...

    def header_of(self, block: Hash) -> BlockHeader:
        """The complete header of a block the node holds."""
        ...

    def body_of(self, block: Hash) -> tuple[Transaction, ...] | None:
        """The body of ``block``, ``None`` without one."""
        ...

    def add_header(self, header: BlockHeader) -> Hash:
        """Accept a header alone (raises :class:`~reference.errors.BlockRejected`)."""
        ...

    def add_body(self, block: Hash, transactions: Sequence[Transaction]) -> None:
        """Accept the body of a block whose header was accepted alone."""
        ...

    def import_trusted(self, data: TrustedData) -> None:
        """Start a node holding only genesis at a pruned peer's pruning point (raises
        :class:`~reference.errors.InvalidTrustedData`)."""
        ...

    def add_block(self, header: BlockHeader, transactions: Sequence[Transaction]) -> Hash:
        """Accept a whole block."""
        ...

    def on_block_added(self, callback: Callable[[Hash], None]) -> Callable[[], None]:
        """Call ``callback(hash)`` for every block accepted with its body (or every header,
        for a headers-only node); returns the unsubscribe call."""
        ...

    def mempool_view(self) -> RelayView:
        """The node's mempool as it is now, read-only: what a compact block is rebuilt from."""
        ...


class ConsensusBackend:
    """A headers-only node over a header-mode consensus."""

    def __init__(self, consensus: Consensus) -> None:
        self._consensus = consensus
        self._listeners: list[Callable[[Hash], None]] = []

    @property
    def consensus(self) -> Consensus:
        """The consensus."""
        return self._consensus

    @property
    def wants_bodies(self) -> bool:
        """Never: a headers-only node."""
        return False

    def has_header(self, block: Hash) -> bool:
        """The consensus holds the block."""
        return self._consensus.has_block(block)

    def has_body(self, block: Hash) -> bool:
        """Every held block counts as complete in a headers-only node."""
        return self._consensus.has_block(block)

    def header_of(self, block: Hash) -> BlockHeader:
        """The complete header."""
        return _full(self._consensus, block)

    def body_of(self, block: Hash) -> tuple[Transaction, ...] | None:
        """Bodies are not kept."""
        return self._consensus.body(block)

    def add_header(self, header: BlockHeader) -> Hash:
        """Header-only acceptance (status ``HEADER_ONLY``)."""
        block = self._consensus.add_full_header(header)
        for callback in list(self._listeners):
            callback(block)
        return block

    def import_trusted(self, data: TrustedData) -> None:
        """Into the consensus."""
        self._consensus.import_trusted(data)

    def add_body(self, block: Hash, transactions: Sequence[Transaction]) -> None:
        """Bodies are not kept: refused."""
        raise BlockRejected(Code.DUPLICATE_BLOCK, block, "a headers-only node keeps no bodies")

    def add_block(self, header: BlockHeader, transactions: Sequence[Transaction]) -> Hash:
        """The header is accepted; the body is dropped."""
        return self.add_header(header)

    def on_block_added(self, callback: Callable[[Hash], None]) -> Callable[[], None]:
        """Called for every accepted header."""
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback)

    def mempool_view(self) -> RelayView:
        """A headers-only node pools no transactions: an empty view."""
        return RelayView(())


class NodeBackend:
    """A node with bodies (``reference.node.node.Node``)."""

    def __init__(self, node: Node) -> None:
        self._node = node

    @property
    def consensus(self) -> Consensus:
        """The node's consensus."""
        return self._node.consensus

    @property
    def wants_bodies(self) -> bool:
        """Always."""
        return True

    @property
    def preset(self) -> Preset:
        """The consensus parameters."""
        return self._node.consensus.preset

    def has_header(self, block: Hash) -> bool:
        """Accepted by the node, with or without its body."""
        return self._node.consensus.has_block(block)

    def has_body(self, block: Hash) -> bool:
        """Accepted by the node with its body."""
        return self._node.consensus.status(block) is BlockStatus.BODY_VALID

    def header_of(self, block: Hash) -> BlockHeader:
        """The complete header."""
        return _full(self._node.consensus, block)

    def body_of(self, block: Hash) -> tuple[Transaction, ...] | None:
        """The body, if the node holds it."""
        return self._node.consensus.body(block)

    def add_header(self, header: BlockHeader) -> Hash:
        """Accept a header alone (``HEADER_ONLY``)."""
        return self._node.submit_header(header)

    def import_trusted(self, data: TrustedData) -> None:
        """Through the node."""
        self._node.import_trusted(data)

    def add_body(self, block: Hash, transactions: Sequence[Transaction]) -> None:
        """Accept the body of a header-only block."""
        self._node.submit_body(block, transactions)

    def add_block(self, header: BlockHeader, transactions: Sequence[Transaction]) -> Hash:
        """Accept a whole block through the node."""
        return self._node.submit_block(header, transactions)

    def on_block_added(self, callback: Callable[[Hash], None]) -> Callable[[], None]:
        """The node's listener (called for blocks complete with their bodies)."""
        return self._node.on_block_added(callback)

    def mempool_view(self) -> RelayView:
        """The node's mempool (``Node.mempool``) as relay reads it."""
        return self._node.mempool.relay_view()


def _full(consensus: Consensus, block: Hash) -> BlockHeader:
    full = consensus.header(block).full
    if full is None:  # a DAG-mode consensus cannot serve peers
        raise BlockRejected(Code.UNKNOWN_BLOCK, block, "the node holds no complete header")
    return full
