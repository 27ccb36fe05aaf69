"""The consensus core: accepts headers into the DAG and answers questions about it.

:class:`Consensus` wires the stores, the reachability service, GHOSTDAG, header validation
and the virtual state together. Accepting a block is two stages:

1. **validate** — every rule of :mod:`reference.pipeline.validation` in its canonical order,
   reading the stores only; the first broken rule raises :class:`~reference.errors.BlockRejected`
   and nothing has changed;
2. **commit** — reachability, headers, relations and GHOSTDAG data are written, the tips and
   the sink move, and the selected-chain change is recorded.

The virtual state is a function of the tips; it is computed when asked for and kept until the
next accepted block.
"""

from __future__ import annotations

from reference import ordering
from reference.block import Header
from reference.errors import BlockRejected, InvalidDifficulty, UnknownBlock
from reference.hash import Hash
from reference.pipeline.validation import ValidatedHeader, check_difficulty, validate_header
from reference.pipeline.virtual import (
    NO_CHAIN_CHANGE,
    ChainChange,
    VirtualState,
    chain_change,
    virtual_state,
)
from reference.presets import Preset
from reference.processes.ghostdag.data import GhostdagData, genesis_ghostdag_data
from reference.processes.ghostdag.protocol import GhostdagContext
from reference.processes.reachability.api import Reachability
from reference.processes.reachability.service import ReachabilityService
from reference.stores.ghostdag import GhostdagStore
from reference.stores.headers import HeaderStore
from reference.stores.relations import RelationsStore


class Consensus:
    """A DAG that starts at genesis and grows by validated headers."""

    def __init__(
        self,
        preset: Preset,
        genesis: Hash,
        genesis_target: int,
        *,
        reachability: Reachability | None = None,
    ) -> None:
        """A DAG holding only ``genesis``, whose own target is ``genesis_target``.

        ``reachability`` must hold only ``genesis``; by default it is a fresh
        ``ReachabilityService`` with the preset's reindex parameters.
        """
        genesis_header = Header(hash=genesis, parents=(), target=genesis_target)
        try:
            genesis_work = check_difficulty(genesis_header)
        except BlockRejected as error:
            raise InvalidDifficulty(genesis_target, error.message) from None
        if reachability is None:
            reachability = ReachabilityService(
                genesis, reindex_depth=preset.reindex_depth, reindex_slack=preset.reindex_slack
            )
        if not reachability.has_block(genesis):
            raise UnknownBlock(genesis)
        self.preset = preset
        """The consensus parameters."""
        self.genesis = genesis
        """The genesis block's hash."""
        self._reachability = reachability
        self._headers = HeaderStore()
        self._relations = RelationsStore()
        self._ghostdag = GhostdagStore()
        self._headers.insert(genesis_header, genesis_work)
        self._relations.insert(genesis, ())
        self._ghostdag.insert(genesis_ghostdag_data(genesis))
        self._context = GhostdagContext(
            k=preset.k,
            ghostdag_store=self._ghostdag,
            relations=self._relations,
            headers=self._headers,
            reachability=reachability,
        )
        self._tips: set[Hash] = {genesis}
        self._sink = genesis
        self._chain_change = NO_CHAIN_CHANGE
        self._virtual: VirtualState | None = None

    def add_block(self, header: Header) -> GhostdagData:
        """Validate ``header`` and add it to the DAG; its GHOSTDAG data on success.

        Raises :class:`~reference.errors.BlockRejected` with the first broken rule's code,
        leaving every store, the tips, the sink and the virtual state unchanged.
        """
        validated = validate_header(header, self.preset, self._context)
        self._commit(validated)
        return validated.ghostdag

    def _commit(self, validated: ValidatedHeader) -> None:
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
        self._tips.difference_update(validated.header.parents)
        self._tips.add(block)
        old_sink = self._sink
        if ordering.sort_key(data) > ordering.sort_key(self._ghostdag.get(old_sink)):
            self._sink = block
            self._chain_change = chain_change(self._context, old_sink, block)
            self._reachability.hint_selected_tip(block)
        else:
            self._chain_change = NO_CHAIN_CHANGE
        self._virtual = None

    def has_block(self, block: Hash) -> bool:
        """True when ``block`` is in the DAG (genesis included)."""
        return self._ghostdag.has(block)

    def ghostdag_data(self, block: Hash) -> GhostdagData:
        """The GHOSTDAG data of ``block``; :class:`~reference.errors.UnknownBlock` if absent."""
        return self._ghostdag.get(block)

    def header(self, block: Hash) -> Header:
        """The accepted header of ``block``."""
        return self._headers.header(block)

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
        return frozenset(self._tips)

    def sink(self) -> Hash:
        """The tip of largest ``sort_key``: the virtual's selected parent."""
        return self._sink

    def chain_change(self) -> ChainChange:
        """The selected-chain change caused by the last accepted block."""
        return self._chain_change

    def virtual_state(self) -> VirtualState:
        """The virtual block over the current tips (computed once per accepted block)."""
        if self._virtual is None:
            self._virtual = virtual_state(
                self._context,
                self._tips,
                self.preset.max_block_parents,
                self.preset.mergeset_size_limit,
                self._chain_change,
            )
        return self._virtual

    def _require(self, *blocks: Hash) -> None:
        for block in blocks:
            if not self._ghostdag.has(block):
                raise UnknownBlock(block)
