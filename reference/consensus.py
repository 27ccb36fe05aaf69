"""The consensus core: accepts headers into the DAG and answers questions about it.

:class:`Consensus` wires the stores, the reachability service, GHOSTDAG, header validation
and the virtual state together. Accepting a block is two stages:

1. **validate** — every rule of :mod:`reference.pipeline.validation` in its canonical order,
   reading the stores only; the first broken rule raises :class:`~reference.errors.BlockRejected`
   and nothing has changed;
2. **commit** — reachability, headers, relations, GHOSTDAG, depth and DAA data are written,
   the tips move and the virtual is resolved over them (its sink and the selected-chain
   change with it); then the store bundle commits everything at once.

The stores are a :class:`~reference.stores.bundle.StoreBundle`: in memory by default, or a
durable engine the caller injects (``spec/store``), which writes each accepted block, the tips
and the virtual in one transaction and continues a stored DAG when it is reopened.

A DAG starts either from a genesis hash and target (*DAG mode*, adapter protocol 1) or from a
complete genesis header (*header mode*, :meth:`Consensus.from_genesis_header`); both run the
same pipeline. In header mode a header that breaks a rule after its proof of work is
remembered as invalid (:mod:`reference.stores.statuses`), the one write a rejection makes.

A block with its body (:meth:`Consensus.add_full_block`) passes every header rule, then every
body rule of :mod:`reference.pipeline.body_validation` (isolation, then context), and only then
are header and body committed together: a block whose body breaks a rule leaves the node as it
was, its header included.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reference import ordering
from reference.bits import target_from_bits
from reference.block import Header, consensus_view
from reference.errors import (
    BlockRejected,
    Code,
    DagspecError,
    InvalidDifficulty,
    InvalidParameter,
    InvalidTrustedData,
    StoreError,
    UnknownBlock,
)
from reference.hash import ZERO_HASH, Hash
from reference.header import BlockHeader, header_hash
from reference.pipeline.body_validation import check_body_in_context, check_body_in_isolation
from reference.pipeline.validation import (
    POST_POW_RULES,
    ValidatedHeader,
    ValidationContext,
    check_difficulty,
    validate_header,
)
from reference.pipeline.virtual import (
    NO_CHAIN_CHANGE,
    ChainChange,
    VirtualDepth,
    VirtualState,
    chain_change,
    virtual_state,
)
from reference.presets import Preset
from reference.processes.block_depth import DepthContext
from reference.processes.ghostdag.data import GhostdagData, genesis_ghostdag_data
from reference.processes.ghostdag.protocol import GhostdagContext, ghostdag
from reference.processes.pruning import (
    PruningContext,
    Retention,
    RetentionContext,
    expected_header_pruning_point,
    genesis_pruning,
    is_valid_pruning_point,
    next_pruning_points,
    retention,
)
from reference.processes.reachability.api import Reachability
from reference.processes.reachability.service import ReachabilityService
from reference.processes.trusted import TrustedBlock, TrustedData, check_trusted_data
from reference.processes.window import DEFAULT_CACHE_CAPACITY, WindowManager
from reference.stores.bundle import MemoryStores, StoreBundle
from reference.stores.depth import BlockDepth
from reference.stores.statuses import BlockStatus
from reference.transaction.model import Transaction
from reference.work import work_from_target

Clock = Callable[[], int]
"""A clock: milliseconds since the Unix epoch."""


def wall_clock_ms() -> int:
    """The machine's clock in milliseconds since the Unix epoch."""
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, slots=True)
class BlockInfo:
    """What the node derived for one accepted block (beyond its GHOSTDAG data)."""

    status: BlockStatus
    """The block's validity status."""
    daa_score: int | None
    """Its DAA score (header mode only)."""
    bits: int | None
    """The bits its DAA window required, equal to its header's (header mode only)."""
    past_median_time: int | None
    """Its past median time in milliseconds (header mode only; ``None`` too for a block near
    the pruning point whose window reaches blocks the node has deleted)."""
    merge_depth_root: Hash
    """Its merge-depth root (genesis for genesis)."""
    finality_point: Hash
    """Its finality point (genesis for genesis)."""
    daa_window: tuple[Hash, ...]
    """Its DAA window in descending ``sort_key`` order (header mode; empty otherwise, and for a
    block near the pruning point whose window reaches blocks the node has deleted)."""
    pruning_point: Hash
    """Its expected header pruning point (genesis for genesis)."""
    pruning_sample: Hash
    """Its pruning sample from its point of view (genesis for genesis)."""


@dataclass(frozen=True, slots=True)
class PruneBatch:
    """What one call of :meth:`Consensus.prune` did."""

    deleted: tuple[GhostdagData, ...]
    """The GHOSTDAG data of each block forgotten entirely (it is unknown now)."""
    stripped: tuple[Hash, ...]
    """The blocks kept as history whose bodies went."""
    bodies: int
    """How many bodies went, of both kinds."""

    def __len__(self) -> int:
        """The blocks handled: 0 once nothing is left to do."""
        return len(self.deleted) + len(self.stripped)


@dataclass(frozen=True, slots=True)
class VirtualDifficulty:
    """The header-mode fields a block built on the virtual's parents must carry."""

    daa_score: int
    """The virtual's DAA score."""
    bits: int
    """The bits the virtual's DAA window requires."""
    past_median_time: int
    """The virtual's past median time: a new block's timestamp must exceed it."""


class Consensus:
    """A DAG that starts at genesis and grows by validated headers."""

    def __init__(
        self,
        preset: Preset,
        genesis: Hash,
        genesis_target: int,
        *,
        reachability: Reachability | None = None,
        genesis_header: BlockHeader | None = None,
        clock: Clock = wall_clock_ms,
        window_cache: int = DEFAULT_CACHE_CAPACITY,
        stores: StoreBundle | None = None,
    ) -> None:
        """A DAG holding only ``genesis``, whose own target is ``genesis_target``.

        ``reachability`` must hold only ``genesis``; by default it is a fresh
        ``ReachabilityService`` with the preset's reindex parameters. ``genesis_header`` is the
        complete genesis header in header mode (see :meth:`from_genesis_header`); ``clock`` is
        the node's clock for the future-timestamp rule. ``window_cache`` is how many recent
        blocks' windows are kept (0: every window is rebuilt from the selected chain).

        ``stores`` is where the DAG is kept (``spec/store``): by default fresh in-memory stores
        (:class:`~reference.stores.bundle.MemoryStores`) over ``reachability``; a durable
        bundle brings its own reachability. A bundle that already holds a DAG continues it:
        its genesis must be this one (:class:`~reference.errors.StoreError`,
        ``STORE_MISMATCH``), and its tips and virtual state are taken as stored.
        """
        genesis_view = Header(hash=genesis, parents=(), target=genesis_target)
        if genesis_header is not None:
            genesis_view = consensus_view(genesis_header, genesis, genesis_target)
        try:
            genesis_work = check_difficulty(genesis_view)
        except BlockRejected as error:
            raise InvalidDifficulty(genesis_target, error.message) from None
        if stores is None:
            if reachability is None:
                reachability = ReachabilityService(
                    genesis, reindex_depth=preset.reindex_depth, reindex_slack=preset.reindex_slack
                )
            stores = MemoryStores(reachability)
        elif reachability is not None:
            raise InvalidParameter("reachability", reachability, "the stores bring their own")
        stores.check_identity(preset, genesis)
        reachability = stores.reachability
        if not reachability.has_block(genesis):
            raise UnknownBlock(genesis)
        self.preset = preset
        """The consensus parameters."""
        self.genesis = genesis
        """The genesis block's hash."""
        self.clock = clock
        """The node's clock (milliseconds since the Unix epoch)."""
        self._stores = stores
        self._reachability = reachability
        self._headers = stores.headers
        self._relations = stores.relations
        self._ghostdag = stores.ghostdag
        self._statuses = stores.statuses
        self._depth = stores.depth
        self._bodies = stores.bodies
        self._tips = stores.tips
        self._pruning_points = stores.past_pruning_points
        self._pending: list[tuple[Hash, bool]] = []
        self._pending_for: Hash | None = None
        fresh = stores.is_new()
        if fresh:
            self._headers.insert(genesis_view, genesis_work)
            self._relations.insert(genesis, ())
            self._ghostdag.insert(genesis_ghostdag_data(genesis))
            self._statuses.set(genesis, BlockStatus.HEADER_ONLY)
            self._depth.insert(
                genesis, BlockDepth(merge_depth_root=genesis, finality_point=genesis)
            )
            self._tips.add(genesis, ())
            stores.pruning.insert(genesis, genesis_pruning(genesis))
            self._pruning_points.extend((genesis,))
        elif self._headers.header(genesis) != genesis_view:
            raise StoreError(Code.STORE_MISMATCH, "stores", f"another genesis under {genesis}")
        self._context = GhostdagContext(
            k=preset.k,
            ghostdag_store=self._ghostdag,
            relations=self._relations,
            headers=self._headers,
            reachability=reachability,
        )
        self._windows = WindowManager(
            preset,
            genesis,
            self._ghostdag.get,
            self._headers.full_header,
            cache_capacity=window_cache,
        )
        self._validation = ValidationContext(
            preset=preset,
            ghostdag=self._context,
            statuses=self._statuses,
            windows=self._windows,
            depth=DepthContext(
                genesis=genesis,
                merge_depth=preset.merge_depth,
                finality_depth=preset.finality_depth,
                depth_store=self._depth,
                ghostdag_store=self._ghostdag,
                relations=self._relations,
                reachability=reachability,
            ),
            pruning=PruningContext(
                genesis=genesis,
                finality_depth=preset.finality_depth,
                pruning_depth=preset.pruning_depth,
                ghostdag=self._ghostdag.get,
                pruning=stores.pruning.get,
                reachability=reachability,
            ),
            pruning_points=self._pruning_points,
        )
        if fresh:
            stores.virtual.set(self._resolve_virtual(genesis, genesis))
            stores.commit()

    @classmethod
    def from_genesis_header(
        cls,
        preset: Preset,
        genesis: BlockHeader,
        *,
        clock: Clock = wall_clock_ms,
        window_cache: int = DEFAULT_CACHE_CAPACITY,
        stores: StoreBundle | None = None,
    ) -> Consensus:
        """A header-mode DAG holding only ``genesis``, whose hash is computed from its fields
        (or the DAG ``stores`` hold, grown from it).

        Raises :class:`~reference.errors.InvalidDifficulty` when its bits name no valid target.
        """
        try:
            target = target_from_bits(genesis.bits)
        except DagspecError as error:
            raise InvalidDifficulty(genesis.bits, error.message) from None
        return cls(
            preset,
            header_hash(genesis),
            target,
            genesis_header=genesis,
            clock=clock,
            window_cache=window_cache,
            stores=stores,
        )

    def add_block(self, header: Header, *, now_ms: int | None = None) -> GhostdagData:
        """Validate ``header`` and add it to the DAG; its GHOSTDAG data on success.

        ``now_ms`` is the arrival time the future-timestamp rule compares with (default: the
        node's clock). Raises :class:`~reference.errors.BlockRejected` with the first broken
        rule's code, leaving every store, the tips, the sink and the virtual state unchanged —
        except that a complete header breaking a post-proof-of-work rule is remembered invalid.
        """
        validated = self._validate(header, now_ms)
        self._commit(validated)
        return validated.ghostdag

    def _validate(self, header: Header, now_ms: int | None) -> ValidatedHeader:
        now = self.clock() if now_ms is None else now_ms
        try:
            return validate_header(header, self._validation, now)
        except BlockRejected as rejection:
            if header.full is not None and rejection.code in POST_POW_RULES:
                self._statuses.set(header.hash, BlockStatus.INVALID)
                self._stores.commit()
            raise

    def add_full_header(self, header: BlockHeader, *, now_ms: int | None = None) -> Hash:
        """Header mode: compute the hash of ``header``, validate it and add it; its hash."""
        block = header_hash(header)
        target: int
        try:
            target = target_from_bits(header.bits)
        except DagspecError:
            target = 0
        self.add_block(consensus_view(header, block, target), now_ms=now_ms)
        return block

    def add_full_block(
        self,
        header: BlockHeader,
        transactions: Sequence[Transaction],
        *,
        now_ms: int | None = None,
    ) -> Hash:
        """Header mode with a body: validate ``header``, then its body, and add both; its hash.

        The header rules run first (a post-proof-of-work failure is remembered invalid, as in
        :meth:`add_block`), then the body rules in isolation and in context; the coinbase's
        blue score is compared with the header's, which the header rules have just tied to
        GHOSTDAG. Only when every rule passed are header and body committed, the block's
        status being ``BODY_VALID``. A body rejection changes nothing: the header is not kept
        (another body under the same merkle root is impossible, but a body that fails to
        match the root says nothing against the header).
        """
        block = header_hash(header)
        target: int
        try:
            target = target_from_bits(header.bits)
        except DagspecError:
            target = 0
        validated = self._validate(consensus_view(header, block, target), now_ms)
        check_body_in_isolation(header, transactions)
        check_body_in_context(header, transactions)
        self._commit(validated, tuple(transactions))
        return block

    def add_body(self, block: Hash, transactions: Sequence[Transaction]) -> None:
        """Header mode: the body of ``block``, whose header was accepted alone
        (``HEADER_ONLY``), as Kaspa's body stage after headers-first sync.

        The body rules run in isolation and in context against the stored header; only when
        they pass is the body stored and the block ``BODY_VALID``. Raises
        :class:`~reference.errors.UnknownBlock` when the header is not held, and
        :class:`~reference.errors.BlockRejected` — ``DUPLICATE_BLOCK`` when the body is
        already held, or a body rule's code — changing nothing.
        """
        self._require(block)
        if self._statuses.get(block) is not BlockStatus.HEADER_ONLY or self._bodies.has(block):
            raise BlockRejected(Code.DUPLICATE_BLOCK, block, "the body is already held")
        header = self._headers.full_header(block)
        check_body_in_isolation(header, transactions)
        check_body_in_context(header, transactions)
        self._bodies.insert(block, tuple(transactions))
        self._statuses.set(block, BlockStatus.BODY_VALID)
        self._stores.commit()

    def _commit(
        self, validated: ValidatedHeader, body: tuple[Transaction, ...] | None = None
    ) -> None:
        data = validated.ghostdag
        block = data.hash
        selected_parent = data.selected_parent
        if selected_parent is None:
            # Only genesis lacks one, and genesis is never validated: a reference bug.
            raise RuntimeError(f"validated block {block} has no selected parent")
        # Reachability first: it is the only writer that checks its input, so a failure
        # there leaves the other stores untouched.
        self._reachability.add_block(
            block, selected_parent, data.mergeset_without_selected_parent()
        )
        self._headers.insert(validated.header, validated.work)
        self._relations.insert(block, validated.header.parents)
        self._ghostdag.insert(data)
        if body is None:
            self._statuses.set(block, BlockStatus.HEADER_ONLY)
        else:
            self._bodies.insert(block, body)
            self._statuses.set(block, BlockStatus.BODY_VALID)
        self._depth.insert(block, validated.depth)
        self._stores.pruning.insert(block, validated.pruning)
        if validated.header_mode is not None:
            self._stores.daa.insert(block, validated.header_mode.daa_window.mergeset_non_daa)
            self._windows.remember(data)
        self._tips.add(block, validated.header.parents)
        previous = self._stores.virtual.get()
        if previous.finality_point is None:
            raise RuntimeError("the virtual was resolved without depth bounds")  # a bug
        virtual = self._resolve_virtual(previous.sink, previous.finality_point)
        self._stores.virtual.set(virtual)
        moved = next_pruning_points(self._validation.pruning, self.pruning_point(), virtual.sink)
        if moved:
            self._pruning_points.extend(moved)
            # Decided once, before anything goes: deleting changes what a later decision sees.
            self._stores.retention.set(self._decide_retention())
        # One transaction: the block, the tips and the virtual are on disk together or not.
        self._stores.commit()

    def trusted_data(self) -> TrustedData:
        """What this node hands a new node that syncs from it (``spec/sync``): its past
        pruning points, its pruning point's anticone and every block its retention keeps
        outside the future of the pruning point, each with its stored data. Header mode only;
        for a node whose pruning point is genesis, the blocks are empty."""
        points = self.past_pruning_points()
        if len(points) == 1:
            return TrustedData(past_pruning_points=points, anticone=points, blocks=())
        kept = self.retention()
        chosen = {*kept.anticone, *kept.history, *kept.headers}
        chosen.discard(self.genesis)
        ranked = sorted(chosen, key=lambda block: ordering.sort_key(self._ghostdag.get(block)))
        blocks = tuple(
            TrustedBlock(
                header=self._headers.full_header(block),
                ghostdag=self._ghostdag.get(block),
                depth=self._depth.get(block),
                pruning_sample=self._stores.pruning.get(block).pruning_sample,
                non_daa_mergeset=self._stores.daa.non_daa_mergeset(block),
            )
            for block in ranked
        )
        return TrustedData(past_pruning_points=points, anticone=kept.anticone, blocks=blocks)

    def import_trusted(self, data: TrustedData) -> None:
        """Start this consensus, which holds only genesis, at the pruning point of ``data``
        (``spec/sync``): every block of ``data`` is stored as sent, header-only, and the
        past pruning points, the retention, the tips and the virtual follow; one commit.

        Raises :class:`~reference.errors.InvalidTrustedData` for data that fails a check of
        :func:`~reference.processes.trusted.check_trusted_data`, or for a consensus that holds
        more than genesis, before anything is written. Reachability records each block under
        its selected parent or, when that is not sent, under its pruning sample, or genesis
        (Kaspa's ``ORIGIN``) when neither is; it merges the blocks of its mergeset that are
        sent.
        """
        if not self.header_mode or len(self._ghostdag) != 1:
            raise InvalidTrustedData(
                Code.BAD_TRUSTED_DATA, "trusted data only starts a header-mode DAG from genesis"
            )
        check_trusted_data(data, self.genesis, self.preset)
        held = {self.genesis}
        for block in data.blocks:
            target = target_from_bits(block.header.bits)
            header = consensus_view(block.header, block.hash, target)
            ghostdag_data = block.ghostdag
            tree_parent = ghostdag_data.selected_parent
            if tree_parent not in held:
                # A chain ancestor keeps every answer reachability gives true; the pruning
                # sample is one, and links the past pruning points into one chain.
                sample = block.pruning_sample
                tree_parent = sample if sample in held else self.genesis
            merged = [b for b in ghostdag_data.mergeset_without_selected_parent() if b in held]
            self._reachability.add_block(block.hash, tree_parent, merged)
            self._headers.insert(header, work_from_target(target))
            self._relations.restore(block.hash, header.parents)
            self._ghostdag.insert(ghostdag_data)
            self._statuses.set(block.hash, BlockStatus.HEADER_ONLY)
            self._depth.insert(block.hash, block.depth)
            self._stores.pruning.insert(block.hash, block.pruning)
            self._stores.daa.insert(block.hash, block.non_daa_mergeset)
            held.add(block.hash)
        anticone = set(data.anticone)
        self._tips.remove(self.genesis)
        for member in data.anticone:
            self._tips.add(member, [p for p in self._relations.parents(member) if p in anticone])
        self._pruning_points.extend(data.past_pruning_points[1:])
        self._stores.retention.set(
            Retention(
                anticone=data.anticone,
                history=frozenset(held - anticone - set(data.past_pruning_points)),
                headers=data.past_pruning_points,
            )
        )
        point = data.pruning_point
        # Only the pruning point is in its own future: it is the sink until headers above it
        # arrive, and the virtual's finality point is the pruning point (``spec/depth``).
        self._stores.virtual.set(self._resolve_virtual(point, point))
        self._stores.commit()

    def prune(self, limit: int | None = None) -> PruneBatch:
        """Delete what the node no longer keeps below its pruning point (``spec/pruning``): at
        most ``limit`` blocks (all without a limit), in one commit; what it did (empty once
        nothing is left).

        A block the retention does not keep is forgotten entirely — header, parents, GHOSTDAG,
        depth, DAA and pruning data, status, body, reachability record and its place among
        the tips — and is then unknown: a header naming it has an unknown parent. A block
        kept as history (and the reindex root, which reachability needs) only loses its body
        and becomes ``HEADER_ONLY``. Blocks go in ascending ``sort_key`` order. What is left
        to do is derived from the stores and the stored retention alone.
        """
        point = self.pruning_point()
        if self._pending_for != point:
            # Below genesis there is nothing: a node whose pruning point never moved skips the
            # scan of every block.
            self._pending = [] if point == self.genesis else self._pending_deletions(point)
            self._pending_for = point
        batch = self._pending if limit is None else self._pending[:limit]
        deleted: list[GhostdagData] = []
        stripped: list[Hash] = []
        bodies = 0
        for block, history in batch:
            # A block holds its body exactly when it is BODY_VALID: no read of the body store.
            bodies += self._statuses.get(block) is BlockStatus.BODY_VALID
            if history:
                self._bodies.delete(block)
                self._statuses.set(block, BlockStatus.HEADER_ONLY)
                stripped.append(block)
            else:
                deleted.append(self._ghostdag.get(block))
                self._forget(block)
        del self._pending[: len(batch)]
        if batch:
            self._stores.commit()
        return PruneBatch(tuple(deleted), tuple(stripped), bodies)

    def _pending_deletions(self, point: Hash) -> list[tuple[Hash, bool]]:
        """``(block, kept as history)`` for every held block outside the future of ``point``
        that is neither ``point`` nor in its kept anticone and still has something to lose,
        ascending ``sort_key``."""
        kept = self.retention()
        full = set(kept.anticone)
        history = kept.history | set(kept.headers)
        is_ancestor = self._reachability.is_dag_ancestor_of
        pending = []
        for block in self.held_blocks():
            if block in full or is_ancestor(point, block):
                continue
            if block in history or not self._reachability.can_delete(block):
                if self._statuses.get(block) is BlockStatus.BODY_VALID:
                    pending.append((block, True))
                continue
            pending.append((block, False))
        pending.sort(key=lambda entry: ordering.sort_key(self._ghostdag.get(entry[0])))
        return pending

    def _forget(self, block: Hash) -> None:
        """Delete every record of ``block``."""
        self._reachability.delete_block(block)
        self._headers.delete(block)
        self._relations.delete(block)
        self._ghostdag.delete(block)
        self._statuses.delete(block)
        self._depth.delete(block)
        self._stores.daa.delete(block)
        self._bodies.delete(block)
        self._stores.pruning.delete(block)
        self._tips.remove(block)

    def _resolve_virtual(self, old_sink: Hash, finality_point: Hash) -> VirtualState:
        """The virtual over the current tips, its sink searched under the previous virtual's
        finality point (Kaspa resolves the virtual after each block the same way)."""
        depth = VirtualDepth(self._validation.depth, self._validation.pruning_point, finality_point)
        virtual = virtual_state(
            self._context,
            self._tips,
            self.preset.max_block_parents,
            self.preset.mergeset_size_limit,
            NO_CHAIN_CHANGE,
            depth=depth,
        )
        if virtual.sink != old_sink:
            self._reachability.hint_selected_tip(virtual.sink)
        change = chain_change(self._context, old_sink, virtual.sink)
        return dataclasses.replace(virtual, chain_change=change)

    def close(self) -> None:
        """Release the stores (a durable store's file and its lock); the consensus is not used
        afterwards. Nothing is written here: every accepted block is already committed."""
        self._stores.close()

    def held_blocks(self) -> list[Hash]:
        """Every block the node holds (genesis included; a pruned block no more)."""
        return list(self._ghostdag)

    def has_block(self, block: Hash) -> bool:
        """True when ``block`` is in the DAG (genesis included)."""
        return self._ghostdag.has(block)

    def ghostdag_data(self, block: Hash) -> GhostdagData:
        """The GHOSTDAG data of ``block``; :class:`~reference.errors.UnknownBlock` if absent."""
        return self._ghostdag.get(block)

    def header(self, block: Hash) -> Header:
        """The accepted header of ``block``."""
        return self._headers.header(block)

    def body(self, block: Hash) -> tuple[Transaction, ...] | None:
        """The transactions of ``block`` (coinbase first); ``None`` for a header-only block."""
        return self._bodies.get(block)

    def children(self, block: Hash) -> tuple[Hash, ...]:
        """The accepted blocks that name ``block`` as a parent."""
        self._require(block)
        return self._relations.children(block)

    def is_dag_ancestor_of(self, ancestor: Hash, descendant: Hash) -> bool:
        """``ancestor`` is in the past of ``descendant`` (reflexive)."""
        self._require(ancestor, descendant)
        return self._reachability.is_dag_ancestor_of(ancestor, descendant)

    def is_chain_ancestor_of(self, ancestor: Hash, descendant: Hash) -> bool:
        """``ancestor`` is on the selected chain of ``descendant`` (reflexive)."""
        self._require(ancestor, descendant)
        return self._reachability.is_chain_ancestor_of(ancestor, descendant)

    def tips(self) -> frozenset[Hash]:
        """The blocks without children."""
        return self._tips.frozen()

    def sink(self) -> Hash:
        """The virtual's selected parent: the tip of largest ``sort_key`` unless that tip
        violates finality (the sink search, ``spec/depth``)."""
        return self._stores.virtual.get().sink

    def chain_change(self) -> ChainChange:
        """The selected-chain change caused by the last accepted block."""
        return self._stores.virtual.get().chain_change

    def virtual_state(self) -> VirtualState:
        """The virtual block over the current tips (resolved after every accepted block)."""
        return self._stores.virtual.get()

    def pruning_point(self) -> Hash:
        """The node's pruning point: genesis until the sink's expected pruning point rises
        above it (``spec/pruning``)."""
        return self._pruning_points.current()

    def past_pruning_points(self) -> tuple[Hash, ...]:
        """Every pruning point the node has had, genesis (index 0) first, the current last."""
        return self._pruning_points.all()

    def is_valid_pruning_point(self, candidate: Hash) -> bool:
        """True when ``candidate`` may be the pruning point under the current sink: genesis,
        or on the sink's selected chain at least ``pruning_depth`` below it in blue score."""
        self._require(candidate)
        return is_valid_pruning_point(self._validation.pruning, candidate, self.sink())

    def retention(self) -> Retention:
        """Which blocks outside the future of the node's pruning point it keeps, and how
        (``spec/pruning``): decided when the pruning point moved there."""
        point = self.pruning_point()
        if point == self.genesis:
            # Every block is in the future of genesis: nothing is beside or below it.
            return Retention(anticone=(point,), history=frozenset(), headers=(point,))
        decided = self._stores.retention.get()
        if decided is None or decided.anticone[0] != point:
            return self._decide_retention()
        return decided

    def _decide_retention(self) -> Retention:
        """The retention for the current pruning point, from the stores as they are (before
        any deletion); the windows are those of header mode (none in DAG mode)."""

        def windows(data: GhostdagData) -> tuple[Hash, ...]:
            if not self.header_mode or data.selected_parent is None:
                return ()
            daa = self._windows.daa_window(data).blocks
            return (*daa, *self._windows.past_median_time_window(data))

        context = RetentionContext(
            genesis=self.genesis,
            k=self.preset.k,
            ghostdag=self._ghostdag.get,
            parents=self._relations.parents,
            windows=windows,
            reachability=self._reachability,
        )
        return retention(
            context, self.pruning_point(), self.virtual_state().parents, self.past_pruning_points()
        )

    def status(self, block: Hash) -> BlockStatus | None:
        """The recorded status of ``block`` (accepted or remembered invalid); else ``None``."""
        return self._statuses.get(block)

    def block_info(self, block: Hash) -> BlockInfo:
        """What the node derived for the accepted ``block``."""
        self._require(block)
        status = self._statuses.get(block)
        if status is None:
            raise UnknownBlock(block)
        daa_score = bits = past_median_time = None
        daa_window: tuple[Hash, ...] = ()
        full = self._headers.header(block).full
        data = self._ghostdag.get(block)
        if full is not None:
            daa_score, bits = full.daa_score, full.bits
            if data.selected_parent is not None:
                try:
                    past_median_time = self._windows.past_median_time(data)
                    daa_window = self._windows.daa_window(data).blocks
                except UnknownBlock:
                    # A block near the pruning point whose windows reach blocks the node has
                    # deleted: it no longer derives them (its validation did, before).
                    past_median_time, daa_window = None, ()
        depth = self._depth.get(block)
        pruning = self._stores.pruning.get(block)
        return BlockInfo(
            status=status,
            daa_score=daa_score,
            bits=bits,
            past_median_time=past_median_time,
            merge_depth_root=depth.merge_depth_root,
            finality_point=depth.finality_point,
            daa_window=daa_window,
            pruning_point=pruning.pruning_point,
            pruning_sample=pruning.pruning_sample,
        )

    @property
    def header_mode(self) -> bool:
        """True when the DAG grew from a complete genesis header (header mode)."""
        return self._headers.header(self.genesis).full is not None

    def virtual_difficulty(self) -> VirtualDifficulty:
        """DAA score, bits and past median time of the virtual block (header mode)."""
        virtual = self.virtual_state()
        data = ghostdag(self._context, ZERO_HASH, virtual.parents)
        window = self._windows.daa_window(data)
        return VirtualDifficulty(
            daa_score=window.daa_score,
            bits=self._windows.required_bits(data, window),
            past_median_time=self._windows.past_median_time(data),
        )

    def build_header(
        self,
        parents: Sequence[Hash],
        *,
        timestamp: int | None = None,
        nonce: int = 0,
        hash_merkle_root: Hash = ZERO_HASH,
        accepted_id_merkle_root: Hash = ZERO_HASH,
        utxo_commitment: Hash = ZERO_HASH,
    ) -> BlockHeader:
        """A complete header over ``parents`` (in the order given) that every rule accepts.

        DAA score, bits, blue score, blue work and pruning point are derived exactly as
        validation derives them; the timestamp defaults to ``max(past median time + 1, now)``.
        The proof of work is not searched for: ``nonce`` is used as given.
        """
        for parent in parents:
            self._require(parent)
        data = ghostdag(self._context, ZERO_HASH, parents)
        window = self._windows.daa_window(data)
        if timestamp is None:
            timestamp = max(self._windows.past_median_time(data) + 1, self.clock())
        return BlockHeader(
            version=self.preset.block_version,
            parents_by_level=(tuple(parents),),
            hash_merkle_root=hash_merkle_root,
            accepted_id_merkle_root=accepted_id_merkle_root,
            utxo_commitment=utxo_commitment,
            timestamp=timestamp,
            bits=self._windows.required_bits(data, window),
            nonce=nonce,
            daa_score=window.daa_score,
            blue_work=data.blue_work,
            blue_score=data.blue_score,
            pruning_point=expected_header_pruning_point(self._validation.pruning, data),
        )

    def past_median_time_of_parents(self, parents: Sequence[Hash]) -> int:
        """The past median time a block over ``parents`` gets: its timestamp must exceed it."""
        self._require(*parents)
        return self._windows.past_median_time(ghostdag(self._context, ZERO_HASH, parents))

    def _require(self, *blocks: Hash) -> None:
        for block in blocks:
            if not self._ghostdag.has(block):
                raise UnknownBlock(block)
