"""The node: a consensus, a mempool and a network, behind the calls RPC and miners make.

:class:`Node` is plain synchronous Python. Every public method takes one lock, so a caller on
an asyncio loop may call it directly (the calls are short) or from worker threads. It
accepts blocks (:meth:`Node.submit_block`), builds templates (:meth:`Node.block_template`),
answers questions about the DAG, and tells listeners what changed:

- *block added* — the hash of every accepted block, in acceptance order;
- *new block template* — after every accepted block (the virtual moved, so a template built
  before is stale);
- *sink blue score changed* — the new sink's blue score, whenever the sink changes (Kaspa
  repeats the notification after every block, changed or not).

Listeners are plain callbacks, called on the thread that submitted the block, after the
block is committed and in that order; the RPC layer bridges them to its event loop. A
listener that raises is logged and skipped: the block stays accepted.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from reference import ordering
from reference.consensus import Clock, Consensus, wall_clock_ms
from reference.errors import (
    InvalidDifficulty,
    InvalidParameter,
    MalformedHeader,
    MalformedTransaction,
    UnknownBlock,
)
from reference.hash import Hash
from reference.header import BlockHeader
from reference.mining.address import decode_address, pay_to_address_script
from reference.mining.mempool import NodeMempool
from reference.mining.template import (
    HeaderBase,
    Selection,
    Template,
    build_base,
    complete_template,
    select_transactions,
)
from reference.node.network import Network
from reference.processes.difficulty import MAX_DIFFICULTY_TARGET, target_of
from reference.processes.ghostdag.data import GhostdagData
from reference.processes.trusted import TrustedData
from reference.stores.statuses import BlockStatus
from reference.transaction.encoding import transaction_id
from reference.transaction.model import Transaction

PRUNE_BATCH: Final = 256
"""Most blocks pruning handles after each accepted block or body: after the pruning point
moves (every finality epoch), its deletions drain a batch per block instead of stalling one."""

TEMPLATE_LIFETIME_MS: Final = 1000
"""A template is rebuilt after this long even if the virtual did not move (Kaspa's template
cache lifetime), so new mempool transactions reach miners within a second."""

_log = logging.getLogger(__name__)


class _Listeners:
    """Callbacks of one event, called in registration order."""

    __slots__ = ("_callbacks", "_event", "_keys")

    def __init__(self, event: str) -> None:
        self._event = event
        self._callbacks: dict[int, Callable[..., None]] = {}
        self._keys = itertools.count()

    def add(self, callback: Callable[..., None]) -> Callable[[], None]:
        key = next(self._keys)
        self._callbacks[key] = callback

        def unsubscribe() -> None:
            self._callbacks.pop(key, None)

        return unsubscribe

    def fire(self, *arguments: object) -> None:
        for callback in list(self._callbacks.values()):
            try:
                callback(*arguments)
            except Exception:  # a listener's bug must not undo an accepted block
                _log.exception("%s listener failed", self._event)


@dataclass(frozen=True, slots=True)
class BlockView:
    """Everything the node holds about one accepted block."""

    hash: Hash
    """The block's hash."""
    header: BlockHeader
    """Its header."""
    transactions: tuple[Transaction, ...] | None
    """Its body, coinbase first; ``None`` for a header-only block."""
    ghostdag: GhostdagData
    """Its GHOSTDAG data (selected parent, mergeset blues and reds, blue score and work)."""
    status: BlockStatus
    """``BODY_VALID`` with a body, ``HEADER_ONLY`` without."""
    children: tuple[Hash, ...]
    """The accepted blocks naming it as a parent, in acceptance order."""
    is_chain_block: bool
    """Whether it is on the selected chain of the current sink."""


@dataclass(frozen=True, slots=True)
class DagInfo:
    """The state of the DAG as RPC reports it (Kaspa's ``getBlockDagInfo``)."""

    network: str
    """The network id."""
    block_count: int
    """Blocks held with their bodies (genesis included)."""
    header_count: int
    """Blocks held, with or without a body (genesis included)."""
    tips: tuple[Hash, ...]
    """Blocks without children, descending ``sort_key``."""
    sink: Hash
    """The virtual's selected parent."""
    sink_blue_score: int
    """The sink's blue score."""
    virtual_parents: tuple[Hash, ...]
    """The virtual's parents, the sink first."""
    pruning_point: Hash
    """The pruning point (genesis until pruning exists)."""
    bits: int
    """The bits a block built on the virtual must carry."""
    difficulty: float
    """Those bits as a difficulty: the largest target over the target (Kaspa's ratio)."""
    past_median_time: int
    """The virtual's past median time (milliseconds)."""
    virtual_daa_score: int
    """The virtual's DAA score."""


def difficulty_of_bits(bits: int) -> float:
    """Kaspa's RPC difficulty of compact ``bits``: the largest target over the bits' target
    (1.0 at the easiest bits). Bits that name no positive target are ``INVALID_DIFFICULTY``."""
    target = target_of(bits)
    if target <= 0:
        raise InvalidDifficulty(bits, "the bits name no positive target")
    return MAX_DIFFICULTY_TARGET / target


class Node:
    """A running node of one network: consensus, mempool, templates and listeners."""

    def __init__(
        self,
        network: Network,
        *,
        clock: Clock | None = None,
        consensus: Consensus | None = None,
        mempool: NodeMempool | None = None,
    ) -> None:
        """A node of ``network``.

        ``consensus`` is the consensus to run — for a durable node, one restored from its
        store; it must have grown from the network's genesis. By default a fresh in-memory
        consensus holding only genesis is made, with ``clock`` (default: the wall clock);
        ``clock`` is refused together with ``consensus``, whose own clock the node then uses.
        The genesis body is stored if the consensus lacks it (unless it has pruned).
        """
        if consensus is None:
            consensus = Consensus.from_genesis_header(
                network.preset, network.genesis, clock=clock or wall_clock_ms
            )
        elif clock is not None:
            raise InvalidParameter("clock", clock, "a given consensus brings its own clock")
        if consensus.genesis != network.genesis_hash:
            raise InvalidParameter(
                "consensus", consensus.genesis, f"not grown from the {network.name} genesis"
            )
        if consensus.body(consensus.genesis) is None and consensus.pruning_point() == (
            consensus.genesis
        ):
            # Once the pruning point has moved, pruning has let the genesis body go.
            consensus.add_body(network.genesis_hash, network.genesis_transactions)
        self.network = network
        """The network this node runs."""
        self.consensus = consensus
        """The consensus (read-only use: blocks enter through :meth:`submit_block`)."""
        self.mempool = mempool if mempool is not None else NodeMempool()
        """The transactions templates draw from."""
        self._lock = threading.RLock()
        self._block_added = _Listeners("block added")
        self._sink_blue_score_changed = _Listeners("sink blue score changed")
        self._new_block_template = _Listeners("new block template")
        self._state_version = 0  # bumped by every accepted header or body: caches key on it
        self._base: tuple[int, HeaderBase] | None = None
        self._selection: tuple[int, Selection] | None = None
        self._dag_info: tuple[int, DagInfo] | None = None
        self._by_blue_score: dict[int, list[Hash]] = {}
        self._header_count = 0
        self._block_count = 0
        self._index_existing_blocks()

    # -- listeners ---------------------------------------------------------------------------

    def on_block_added(self, callback: Callable[[Hash], None]) -> Callable[[], None]:
        """Call ``callback(hash)`` for every accepted block; returns the unsubscribe call."""
        with self._lock:
            return self._block_added.add(callback)

    def on_sink_blue_score_changed(self, callback: Callable[[int], None]) -> Callable[[], None]:
        """Call ``callback(blue_score)`` with the new sink's blue score whenever the sink
        changes; returns the unsubscribe call."""
        with self._lock:
            return self._sink_blue_score_changed.add(callback)

    def on_new_block_template(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback()`` whenever templates built before are stale (after every
        accepted block); returns the unsubscribe call."""
        with self._lock:
            return self._new_block_template.add(callback)

    # -- blocks ------------------------------------------------------------------------------

    def submit_block(self, header: BlockHeader, transactions: Sequence[Transaction]) -> Hash:
        """Validate and add the block ``header`` + ``transactions``; its hash.

        Every header rule, then every body rule, then the commit
        (:meth:`~reference.consensus.Consensus.add_full_block`). Raises
        :class:`~reference.errors.BlockRejected` with the first broken rule's code, leaving
        the node as it was (a header breaking a post-proof-of-work rule is remembered
        invalid). On success the block's transactions leave the mempool and the listeners
        are told. A header or transaction of the wrong type is ``MALFORMED_HEADER`` or
        ``MALFORMED_TRANSACTION``.
        """
        if not isinstance(header, BlockHeader):
            raise MalformedHeader("header", header, "a BlockHeader is expected")
        if not isinstance(transactions, Sequence) or not all(
            isinstance(tx, Transaction) for tx in transactions
        ):
            raise MalformedTransaction(transactions, "a sequence of Transaction is expected")
        with self._lock:
            old_sink = self.consensus.sink()
            block = self.consensus.add_full_block(header, transactions)
            self._state_version += 1
            self._index(block, header.blue_score, with_body=True)
            self._announce_block(block, transactions, old_sink)
            self._prune()
            return block

    def submit_header(self, header: BlockHeader) -> Hash:
        """Headers-first sync: validate ``header`` by every header rule and keep it alone
        (status ``HEADER_ONLY``, durable like any block); its hash.

        Nobody is told yet — the block cannot be served to peers or mined on until its body
        arrives (:meth:`submit_body`). Rejections are those of :meth:`submit_block`'s header
        stage.
        """
        if not isinstance(header, BlockHeader):
            raise MalformedHeader("header", header, "a BlockHeader is expected")
        with self._lock:
            block = self.consensus.add_full_header(header)
            self._state_version += 1
            self._index(block, header.blue_score, with_body=False)
            self._prune()
            return block

    def import_trusted(self, data: TrustedData) -> None:
        """Sync from a pruned peer: start this node, which holds only genesis, at the pruning
        point of ``data`` (:meth:`Consensus.import_trusted`; its checks and errors). Its
        headers come first; nobody is told, as for :meth:`submit_header`."""
        with self._lock:
            self.consensus.import_trusted(data)
            self._state_version += 1
            for block in data.blocks:
                self._index(block.hash, block.header.blue_score, with_body=False)

    def submit_body(self, block: Hash, transactions: Sequence[Transaction]) -> None:
        """The body of a block whose header :meth:`submit_header` accepted: every body rule,
        then the block is complete and the listeners are told, as for :meth:`submit_block`.
        A body already held is ``DUPLICATE_BLOCK``; a block whose header is not held is
        :class:`~reference.errors.UnknownBlock`."""
        if not isinstance(transactions, Sequence) or not all(
            isinstance(tx, Transaction) for tx in transactions
        ):
            raise MalformedTransaction(transactions, "a sequence of Transaction is expected")
        with self._lock:
            old_sink = self.consensus.sink()
            self.consensus.add_body(block, transactions)
            self._state_version += 1
            self._block_count += 1
            self._announce_block(block, transactions, old_sink)
            self._prune()

    def _announce_block(
        self, block: Hash, transactions: Sequence[Transaction], old_sink: Hash
    ) -> None:
        self.mempool.remove(transaction_id(tx) for tx in transactions[1:])
        # Kaspa's order: the block, then the template, then the sink's blue score.
        self._block_added.fire(block)
        self._new_block_template.fire()
        sink = self.consensus.sink()
        if sink != old_sink:
            self._sink_blue_score_changed.fire(self.consensus.ghostdag_data(sink).blue_score)

    def submit_transaction(self, transaction: Transaction) -> Hash:
        """Add ``transaction`` to the mempool; its id (``MempoolRejected`` if refused)."""
        with self._lock:
            return self.mempool.add(transaction)

    def block_template(self, pay_address: str, extra_data: bytes = b"") -> Template:
        """A template over the current virtual paying ``pay_address``.

        The address must be of this network (``MALFORMED_ADDRESS``, ``WRONG_NETWORK``);
        ``extra_data`` ends the coinbase payload (``MALFORMED_TRANSACTION`` when the payload
        would exceed 204 bytes). The header and the transaction selection are shared by every
        template until the virtual moves or :data:`TEMPLATE_LIFETIME_MS` pass; a template
        for another address or extra data only gets its own coinbase and merkle root.
        """
        script = pay_to_address_script(decode_address(pay_address, self.network.address_prefix))
        if not isinstance(extra_data, bytes):
            raise InvalidParameter("extra_data", extra_data, "extra data is bytes")
        with self._lock:
            now = self.consensus.clock()
            cached = self._base
            if (
                cached is None
                or cached[0] != self._state_version
                or not 0 <= now - cached[1].built_ms < TEMPLATE_LIFETIME_MS
            ):
                cached = (self._state_version, build_base(self.consensus, self._selected()))
                self._base = cached
            return complete_template(cached[1], script, pay_address, extra_data)

    def _selected(self) -> Selection:
        version = self.mempool.version
        if self._selection is None or self._selection[0] != version:
            self._selection = (version, select_transactions(self.mempool.entries()))
        return self._selection[1]

    # -- queries -----------------------------------------------------------------------------

    def get_block(self, block: Hash) -> BlockView:
        """What the node holds about ``block``; :class:`~reference.errors.UnknownBlock` if it
        holds no header of it."""
        with self._lock:
            consensus = self.consensus
            status = consensus.status(block)
            if status is None or status is BlockStatus.INVALID:
                raise UnknownBlock(block)
            full = consensus.header(block).full
            if full is None:  # the node runs in header mode only
                raise UnknownBlock(block)
            return BlockView(
                hash=block,
                header=full,
                transactions=consensus.body(block),
                ghostdag=consensus.ghostdag_data(block),
                status=status,
                children=consensus.children(block),
                is_chain_block=consensus.is_chain_ancestor_of(block, consensus.sink()),
            )

    def has_block(self, block: Hash) -> bool:
        """Whether ``block`` is accepted."""
        with self._lock:
            return self.consensus.has_block(block)

    def blocks_at_blue_score(self, blue_score: int) -> tuple[Hash, ...]:
        """The accepted blocks of blue score ``blue_score`` the node still holds, ascending
        ``sort_key``."""
        with self._lock:
            blocks = self._by_blue_score.get(blue_score, [])
            get = self.consensus.ghostdag_data
            return tuple(sorted(blocks, key=lambda block: ordering.sort_key(get(block))))

    def sink_blue_score(self) -> int:
        """The blue score of the sink."""
        with self._lock:
            return self.consensus.ghostdag_data(self.consensus.sink()).blue_score

    def dag_info(self) -> DagInfo:
        """The state of the DAG (computed once per virtual)."""
        with self._lock:
            if self._dag_info is not None and self._dag_info[0] == self._state_version:
                return self._dag_info[1]
            consensus = self.consensus
            virtual = consensus.virtual_state()
            difficulty = consensus.virtual_difficulty()
            get = consensus.ghostdag_data
            tips = sorted(consensus.tips(), key=lambda tip: ordering.sort_key(get(tip)))
            info = DagInfo(
                network=self.network.network_id,
                block_count=self._block_count,
                header_count=self._header_count,
                tips=tuple(reversed(tips)),
                sink=virtual.sink,
                sink_blue_score=get(virtual.sink).blue_score,
                virtual_parents=virtual.parents,
                pruning_point=consensus.pruning_point(),
                bits=difficulty.bits,
                difficulty=difficulty_of_bits(difficulty.bits),
                past_median_time=difficulty.past_median_time,
                virtual_daa_score=difficulty.daa_score,
            )
            self._dag_info = (self._state_version, info)
            return info

    # -- the blue-score index and counts -------------------------------------------------------

    def _index(self, block: Hash, blue_score: int, *, with_body: bool) -> None:
        self._by_blue_score.setdefault(blue_score, []).append(block)
        self._header_count += 1
        self._block_count += with_body

    def _index_existing_blocks(self) -> None:
        """Index every block the consensus holds (all of them, for a restored consensus)."""
        consensus = self.consensus
        for block in consensus.held_blocks():
            self._index(
                block,
                consensus.ghostdag_data(block).blue_score,
                with_body=consensus.status(block) is BlockStatus.BODY_VALID,
            )

    def _prune(self) -> None:
        """One batch of the pending deletions below the pruning point, out of the index."""
        batch = self.consensus.prune(PRUNE_BATCH)
        if not batch:
            return
        self._state_version += 1
        for data in batch.deleted:
            listed = self._by_blue_score.get(data.blue_score)
            if listed is not None:
                listed.remove(data.hash)
                if not listed:
                    del self._by_blue_score[data.blue_score]
        self._header_count -= len(batch.deleted)
        self._block_count -= batch.bodies
