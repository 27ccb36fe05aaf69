"""What sync and relay need from the node they run for, and two ways to provide it.

:class:`SyncBackend` is the whole interface: questions about the DAG (read through the
consensus's public methods) and three ways in — a header alone, a body for a header already
held, a whole block. Everything a peer sends enters through these, so every consensus rule
applies to it and a rejected block changes nothing.

- :class:`ConsensusBackend` runs a header-mode :class:`~reference.consensus.Consensus` without
  bodies: a *headers-only* node (the IBD benchmark, header tests). Headers are accepted with
  status ``HEADER_ONLY``, exactly as in Kaspa's header stage.
- :class:`NodeBackend` runs a :class:`~reference.node.node.Node` (blocks with bodies). Where
  the node accepts a header alone and later its body (``submit_header`` and
  ``submit_body``), it uses them. Where it does not, a header from a header chunk is checked
  in isolation (format, version, parents, proof of work) and *held* until its body arrives,
  and the block is then validated in full by ``submit_block``: every rule still runs once,
  before anything is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final, Protocol

from reference.consensus import Consensus
from reference.errors import BlockRejected, Code
from reference.hash import Hash
from reference.header import BlockHeader, header_hash
from reference.pipeline.validation import check_version
from reference.presets import Preset
from reference.processes.pow.state import check_proof_of_work
from reference.stores.statuses import BlockStatus
from reference.transaction.model import Transaction

MAX_HELD_HEADERS: Final = 1 << 20
"""Most headers a :class:`NodeBackend` holds waiting for their bodies (about 12 days of
``tos`` blocks); a chunk beyond it is refused until bodies drain the set."""


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
        """True when the node holds ``block``'s header (accepted or held)."""
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
        """Accept the body of a block whose header is held."""
        ...

    def add_block(self, header: BlockHeader, transactions: Sequence[Transaction]) -> Hash:
        """Accept a whole block."""
        ...

    def on_block_added(self, callback: Callable[[Hash], None]) -> Callable[[], None]:
        """Call ``callback(hash)`` for every block accepted with its body (or every header,
        for a headers-only node); returns the unsubscribe call."""
        ...

    def held_blocks(self) -> list[Hash]:
        """Headers held (not accepted) waiting for their bodies, in arrival order."""
        ...

    def forget_held(self) -> None:
        """Drop every held header (a failed IBD: nothing of it was accepted)."""
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

    def held_blocks(self) -> list[Hash]:
        """None: headers are accepted at once."""
        return []

    def forget_held(self) -> None:
        """Nothing is held."""


class _NodeLike(Protocol):
    consensus: Consensus

    def has_block(self, block: Hash) -> bool: ...

    def submit_block(self, header: BlockHeader, transactions: Sequence[Transaction]) -> Hash: ...

    def on_block_added(self, callback: Callable[[Hash], None]) -> Callable[[], None]: ...


class NodeBackend:
    """A node with bodies (``reference.node.node.Node``)."""

    def __init__(self, node: _NodeLike) -> None:
        self._node = node
        self._held: dict[Hash, BlockHeader] = {}
        self._submit_header: Callable[[BlockHeader], Hash] | None = getattr(
            node, "submit_header", None
        )
        self._submit_body: Callable[[Hash, Sequence[Transaction]], None] | None = getattr(
            node, "submit_body", None
        )

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
        """Accepted by the node, or held waiting for its body."""
        return block in self._held or self._node.has_block(block)

    def has_body(self, block: Hash) -> bool:
        """Accepted by the node with its body."""
        consensus = self._node.consensus
        return consensus.status(block) is BlockStatus.BODY_VALID

    def header_of(self, block: Hash) -> BlockHeader:
        """The complete header (held or accepted)."""
        held = self._held.get(block)
        return held if held is not None else _full(self._node.consensus, block)

    def body_of(self, block: Hash) -> tuple[Transaction, ...] | None:
        """The body, if the node holds it."""
        return self._node.consensus.body(block)

    def held_blocks(self) -> list[Hash]:
        """Headers waiting for their bodies, in arrival order."""
        return list(self._held)

    def add_header(self, header: BlockHeader) -> Hash:
        """Accept a header alone, or hold it after the checks a header alone allows."""
        if self._submit_header is not None:
            return self._submit_header(header)
        block = header_hash(header)
        if self.has_header(block):
            raise BlockRejected(Code.DUPLICATE_BLOCK, block, "the header is already held")
        consensus = self._node.consensus
        if consensus.status(block) is BlockStatus.INVALID:
            raise BlockRejected(Code.KNOWN_INVALID, block, "the block is known to be invalid")
        if not header.parents:
            raise BlockRejected(Code.NO_PARENTS, block, "only genesis has no parents")
        for parent in header.parents:
            if not self.has_header(parent):
                raise BlockRejected(Code.UNKNOWN_PARENT, block, f"parent {parent} is unknown")
            if consensus.status(parent) is BlockStatus.INVALID:
                raise BlockRejected(Code.INVALID_PARENT, block, f"parent {parent} is invalid")
        check_version(header, block, consensus.preset)
        check_proof_of_work(header, consensus.preset)
        if len(self._held) >= MAX_HELD_HEADERS:
            raise BlockRejected(Code.UNKNOWN_PARENT, block, "too many headers wait for bodies")
        self._held[block] = header
        return block

    def add_body(self, block: Hash, transactions: Sequence[Transaction]) -> None:
        """Accept the body of a held (or header-only) block; the whole block is validated."""
        if self._submit_body is not None:
            self._submit_body(block, transactions)
            return
        header = self._held.get(block)
        if header is None:
            raise BlockRejected(Code.DUPLICATE_BLOCK, block, "no header waits for this body")
        try:
            self._node.submit_block(header, transactions)
        except BlockRejected as rejection:
            if rejection.code is not Code.UNKNOWN_PARENT:
                # The header broke a rule only the full pipeline checks, or the body did:
                # either way the header is not worth holding any longer.
                del self._held[block]
            raise
        del self._held[block]

    def forget_held(self) -> None:
        """Drop every held header (after a failed sync: nothing of it was accepted)."""
        self._held.clear()

    def add_block(self, header: BlockHeader, transactions: Sequence[Transaction]) -> Hash:
        """Accept a whole block through the node."""
        block = self._node.submit_block(header, transactions)
        self._held.pop(block, None)
        return block

    def on_block_added(self, callback: Callable[[Hash], None]) -> Callable[[], None]:
        """The node's listener."""
        return self._node.on_block_added(callback)


def _full(consensus: Consensus, block: Hash) -> BlockHeader:
    full = consensus.header(block).full
    if full is None:  # a DAG-mode consensus cannot serve peers
        raise BlockRejected(Code.UNKNOWN_BLOCK, block, "the node holds no complete header")
    return full
