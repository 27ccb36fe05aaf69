"""Every store a consensus keeps, as one bundle with one way to make writes durable.

A :class:`~reference.consensus.Consensus` reads and writes its stores only through a
:class:`StoreBundle`. Two engines implement it:

- :class:`MemoryStores`, the plain stores of this package (vectors, property tests, tools):
  nothing outlives the process and :meth:`~StoreBundle.commit` does nothing;
- the SQLite engine (:mod:`reference.stores.sqlite`, ``spec/store``): the same store classes,
  each write also staged, and :meth:`~StoreBundle.commit` writing everything staged since the
  last commit in one SQLite transaction.

The consensus writes through the stores while it accepts a block and calls ``commit`` once the
block, the tips and the virtual state are all written, so a durable store holds either the
whole block or nothing of it. The bundle type is this protocol: consensus modules never import
an engine, the caller injects one.
"""

from __future__ import annotations

from typing import Protocol

from reference.hash import Hash
from reference.presets import Preset
from reference.processes.reachability.api import Reachability
from reference.stores.bodies import BodyStore
from reference.stores.daa import DaaStore
from reference.stores.depth import DepthStore
from reference.stores.ghostdag import GhostdagStore
from reference.stores.headers import HeaderStore
from reference.stores.pruning import PastPruningPointsStore, PruningSampleStore, RetentionStore
from reference.stores.relations import RelationsStore
from reference.stores.statuses import StatusStore
from reference.stores.tips import TipsStore
from reference.stores.virtual_state import VirtualStateStore


class StoreBundle(Protocol):
    """The stores of one DAG and the transaction boundary of their writes."""

    @property
    def headers(self) -> HeaderStore:
        """Headers and the work of each block's own target."""
        ...

    @property
    def relations(self) -> RelationsStore:
        """Parents and children."""
        ...

    @property
    def ghostdag(self) -> GhostdagStore:
        """GHOSTDAG data."""
        ...

    @property
    def statuses(self) -> StatusStore:
        """Statuses of accepted and remembered-invalid blocks."""
        ...

    @property
    def depth(self) -> DepthStore:
        """Merge-depth roots and finality points."""
        ...

    @property
    def daa(self) -> DaaStore:
        """Non-DAA mergeset blocks (header mode)."""
        ...

    @property
    def bodies(self) -> BodyStore:
        """Block bodies."""
        ...

    @property
    def pruning(self) -> PruningSampleStore:
        """Each block's pruning sample and pruning point."""
        ...

    @property
    def past_pruning_points(self) -> PastPruningPointsStore:
        """The node's pruning points, genesis first."""
        ...

    @property
    def retention(self) -> RetentionStore:
        """What the node keeps below its current pruning point."""
        ...

    @property
    def tips(self) -> TipsStore:
        """The tips."""
        ...

    @property
    def virtual(self) -> VirtualStateStore:
        """The last resolved virtual state."""
        ...

    @property
    def reachability(self) -> Reachability:
        """The reachability service over the stored blocks (it keeps its own records)."""
        ...

    def is_new(self) -> bool:
        """True while the bundle holds no block: the consensus then writes genesis."""
        ...

    def check_identity(self, preset: Preset, genesis: Hash) -> None:
        """Refuse (:class:`~reference.errors.StoreError`, ``STORE_MISMATCH``) to serve a DAG
        of other parameters or another genesis than the bundle was opened for."""
        ...

    def commit(self) -> None:
        """Make every write since the last commit durable, all of them or none."""
        ...

    def close(self) -> None:
        """Release the bundle's resources; it is not used afterwards."""
        ...


class MemoryStores:
    """The in-memory engine: the plain stores; nothing is durable, ``commit`` does nothing."""

    __slots__ = (
        "bodies",
        "daa",
        "depth",
        "ghostdag",
        "headers",
        "past_pruning_points",
        "pruning",
        "reachability",
        "relations",
        "retention",
        "statuses",
        "tips",
        "virtual",
    )

    def __init__(self, reachability: Reachability) -> None:
        """Empty stores beside ``reachability``, which must hold only genesis."""
        self.headers = HeaderStore()
        """Headers and the work of each block's own target."""
        self.relations = RelationsStore()
        """Parents and children."""
        self.ghostdag = GhostdagStore()
        """GHOSTDAG data."""
        self.statuses = StatusStore()
        """Statuses of accepted and remembered-invalid blocks."""
        self.depth = DepthStore()
        """Merge-depth roots and finality points."""
        self.daa = DaaStore()
        """Non-DAA mergeset blocks (header mode)."""
        self.bodies = BodyStore()
        """Block bodies."""
        self.pruning = PruningSampleStore()
        """Each block's pruning sample and pruning point."""
        self.past_pruning_points = PastPruningPointsStore()
        """The node's pruning points, genesis first."""
        self.retention = RetentionStore()
        """What the node keeps below its current pruning point."""
        self.tips = TipsStore()
        """The tips."""
        self.virtual = VirtualStateStore()
        """The last resolved virtual state."""
        self.reachability = reachability
        """The reachability service."""

    def is_new(self) -> bool:
        """True while no block is stored."""
        return len(self.headers) == 0

    def check_identity(self, preset: Preset, genesis: Hash) -> None:
        """Nothing to check: memory stores are made for one consensus and die with it."""

    def commit(self) -> None:
        """Nothing to make durable."""

    def close(self) -> None:
        """Nothing to release."""
