"""What a pruned node keeps is everything it still reads.

:func:`reference.processes.pruning.retention` decides which blocks outside the future of the
pruning point keep their data. Before anything is deleted, this test checks the decision
against the reads themselves: a header-mode DAG grows one block per second (with network
delays, so it is wide) under small finality and pruning depths, with stores that note every
block whose header, parents, GHOSTDAG, depth, DAA or pruning data is read. Each time the
node's pruning point moves, the retention is computed; from then on, every read of a block
accepted before the move must be of a block in the future of the pruning point or kept by
that retention. A read outside it would be a read of deleted data.

The anticone part is also checked by brute force: whole past sets, no reachability.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from conformance.arrivals import Arrivals
from conformance.oracle import transitive_past
from reference.block import Header
from reference.consensus import Consensus
from reference.errors import BlockRejected
from reference.hash import Hash
from reference.header import BlockHeader, genesis_header, header_hash
from reference.presets import get_preset
from reference.processes.ghostdag.data import GhostdagData
from reference.processes.pruning import Retention
from reference.processes.reachability.service import ReachabilityService
from reference.stores.bundle import MemoryStores
from reference.stores.daa import DaaStore
from reference.stores.depth import BlockDepth, DepthStore
from reference.stores.ghostdag import GhostdagStore
from reference.stores.headers import HeaderStore
from reference.stores.pruning import BlockPruning, PruningSampleStore
from reference.stores.relations import RelationsStore

PRESET = get_preset(
    "minimal",
    {
        "k": 4,
        "max_block_parents": 8,
        "mergeset_size_limit": 24,
        "difficulty_window_size": 10,
        "difficulty_sample_rate": 2,
        "min_difficulty_window_size": 4,
        "past_median_time_window_size": 5,
        "past_median_time_sample_rate": 2,
        "timestamp_deviation_tolerance": 20,
        "merge_depth": 10,
        "finality_depth": 12,
        "pruning_depth": 30,
        "skip_proof_of_work": True,
    },
)
GENESIS = genesis_header(version=PRESET.block_version, timestamp=1_700_000_000_000, bits=0x207FFFFF)


class Reads:
    """The blocks read since the last pruning-point move, and the first read outside the
    retention."""

    def __init__(self) -> None:
        self.guarded: set[Hash] = set()
        self.retention: Retention | None = None
        self.pruning_point: Hash | None = None
        self.reachability: ReachabilityService | None = None
        self.outside: list[tuple[str, Hash]] = []

    def note(self, what: str, block: Hash) -> None:
        if self.retention is None or block not in self.guarded:
            return
        assert self.reachability is not None and self.pruning_point is not None
        if self.retention.keeps(block):
            return
        if self.reachability.is_dag_ancestor_of(self.pruning_point, block):
            return
        self.outside.append((what, block))


def _noting_stores(reads: Reads, reachability: ReachabilityService) -> MemoryStores:
    class Headers(HeaderStore):
        def header(self, block: Hash) -> Header:
            reads.note("header", block)
            return super().header(block)

        def full_header(self, block: Hash) -> BlockHeader:
            reads.note("header", block)
            return super().full_header(block)

    class Relations(RelationsStore):
        def parents(self, block: Hash) -> tuple[Hash, ...]:
            reads.note("parents", block)
            return super().parents(block)

    class Ghostdag(GhostdagStore):
        def get(self, block: Hash) -> GhostdagData:
            reads.note("ghostdag", block)
            return super().get(block)

    class Depth(DepthStore):
        def get(self, block: Hash) -> BlockDepth:
            reads.note("depth", block)
            return super().get(block)

    class Daa(DaaStore):
        def non_daa_mergeset(self, block: Hash) -> frozenset[Hash]:
            reads.note("daa", block)
            return super().non_daa_mergeset(block)

    class Pruning(PruningSampleStore):
        def get(self, block: Hash) -> BlockPruning:
            reads.note("pruning", block)
            return super().get(block)

    stores = MemoryStores(reachability)
    stores.headers = Headers()
    stores.relations = Relations()
    stores.ghostdag = Ghostdag()
    stores.depth = Depth()
    stores.daa = Daa()
    stores.pruning = Pruning()
    return stores


@pytest.mark.parametrize("seed", range(3))
def test_every_block_read_after_a_move_is_kept_or_above_the_pruning_point(seed: int) -> None:
    reads = Reads()
    genesis = header_hash(GENESIS)
    service = ReachabilityService(
        genesis, reindex_depth=PRESET.reindex_depth, reindex_slack=PRESET.reindex_slack
    )
    reads.reachability = service
    consensus = Consensus.from_genesis_header(
        PRESET,
        GENESIS,
        stores=_noting_stores(reads, service),
        clock=lambda: 1 << 62,
        window_cache=0,  # every window walked from the stores: no cache hides a read
    )
    growth = Growth(consensus, seed)
    accepted = [genesis]  # the blocks of the arrivals and those offered over old ones
    moves = 0

    def accepted_one(block: Hash) -> None:
        nonlocal moves
        accepted.append(block)
        assert not reads.outside, reads.outside[:5]
        point = consensus.pruning_point()
        if point == reads.pruning_point:
            return
        moves += 1
        reads.retention, reads.pruning_point = None, point  # its own reads reach below
        kept = consensus.retention()
        dag = {block: consensus.header(block).parents for block in accepted}
        virtual_parents = consensus.virtual_state().parents
        assert set(kept.anticone[1:]) == _brute_anticone(dag, point, virtual_parents)
        assert kept.anticone[0] == point
        assert kept.headers == consensus.past_pruning_points()
        reads.retention, reads.guarded = kept, set(accepted)

    accepted_one(genesis)
    for step in range(260):
        header = growth.next_block()
        accepted_one(consensus.add_full_header(header, now_ms=header.timestamp))
        growth.added(header)
        if reads.retention is not None and step % 3 == 0:
            side = growth.side_block(reads.retention)
            try:
                block = consensus.add_full_header(side, now_ms=side.timestamp)
            except BlockRejected:
                pass  # a side block may break a rule: its reads are checked all the same
            else:
                accepted_one(block)
        assert not reads.outside, reads.outside[:5]
    assert moves >= 8


def offer(consensus: Consensus, header: BlockHeader) -> str:
    """``"accepted"``, or the code ``header`` is rejected with (arriving at its timestamp)."""
    try:
        consensus.add_full_header(header, now_ms=header.timestamp)
    except BlockRejected as rejection:
        return str(rejection.code)
    return "accepted"


class Growth:
    """The DAG these tests grow, over a ``reference`` node: one block per second with network
    delays up to 2 s (wide), and side blocks over old blocks on request."""

    def __init__(self, reference: Consensus, seed: int) -> None:
        self.reference = reference
        self._rng = random.Random(seed)
        self._arrivals = Arrivals(seed, GENESIS.timestamp, 2000, PRESET.max_block_parents)
        self._hashes = [reference.genesis]  # the blocks of the arrival model, by index
        self._tips: list[int] = []
        self._now = GENESIS.timestamp

    def next_block(self) -> BlockHeader:
        """The next arrival, built on the reference; :meth:`added` once it is accepted."""
        now, self._tips = self._arrivals.next()
        parents = [self._hashes[index] for index in self._tips]
        self._now = max(now, self.reference.past_median_time_of_parents(parents) + 1)
        return self.reference.build_header(parents, timestamp=self._now)

    def added(self, header: BlockHeader) -> None:
        """The last arrival is accepted: later arrivals may build on it."""
        self._hashes.append(header_hash(header))
        self._arrivals.created(self._tips)

    def step(self, number: int) -> None:
        """Arrival ``number`` into the reference, which must accept it, and, every third
        arrival, a side block (which may break a rule)."""
        header = self.next_block()
        assert offer(self.reference, header) == "accepted"
        self.added(header)
        if number % 3 == 0:
            offer(self.reference, self.side_block(self.reference.retention()))

    def side_block(self, kept: Retention) -> BlockHeader:
        """A block over the pruning point, a block of its anticone or a tip just above it:
        validating it, and the virtual merging it, reads the history below the pruning point.

        Only blocks a pruned node still holds: a tip outside the future of the pruning point
        that the virtual never merged is deleted, and a block over it has an unknown parent.
        """
        consensus = self.reference
        point = kept.anticone[0]
        floor = consensus.ghostdag_data(point).blue_score
        near = [
            tip
            for tip in consensus.tips()
            if consensus.is_dag_ancestor_of(point, tip)
            and consensus.ghostdag_data(tip).blue_score <= floor + 4
        ]
        parent = self._rng.choice([*kept.anticone, *consensus.children(point), *near])
        timestamp = max(self._now, consensus.past_median_time_of_parents([parent]) + 1)
        nonce = self._rng.getrandbits(32)
        return consensus.build_header([parent], timestamp=timestamp, nonce=nonce)


def _brute_anticone(
    parents: dict[Hash, tuple[Hash, ...]], point: Hash, virtual_parents: Sequence[Hash]
) -> set[Hash]:
    """Blocks in the reflexive past of some virtual parent, in neither the past nor the
    future of ``point`` (whole past sets)."""
    past = transitive_past(parents)
    merged = set().union(*(past[parent] for parent in virtual_parents))
    return {b for b in merged if b not in past[point] and point not in past[b]}
