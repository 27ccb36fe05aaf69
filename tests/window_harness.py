"""A DAG-mode consensus with a side table of complete headers, for the window tests.

GHOSTDAG data comes from :class:`reference.consensus.Consensus` in DAG mode (hash given,
target from the bits); timestamps, bits and DAA scores live in a table of
:class:`~reference.header.BlockHeader` objects that the window manager reads. Also reads
Kaspa's json_test runs (``../shared/anchors/kaspa/json_tests``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from conformance.kaspa import kaspa_preset, load_json_run, shared_dir
from reference.bits import target_from_bits
from reference.block import Header
from reference.consensus import Consensus
from reference.hash import ZERO_HASH, Hash
from reference.header import BlockHeader
from reference.header_json import header_from_json
from reference.presets import Preset
from reference.processes.ghostdag.data import GhostdagData
from reference.processes.window import WindowManager
from tests.daa_oracle import DaaOracle, OracleBlock, Params

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
SHARED = shared_dir(REPOSITORY_ROOT)


def full_header(
    parents: tuple[Hash, ...], timestamp: int, bits: int, daa_score: int = 0
) -> BlockHeader:
    """A complete header whose other fields are zero (DAG mode ignores them)."""
    return BlockHeader(
        version=1,
        parents_by_level=(parents,) if parents else (),
        hash_merkle_root=ZERO_HASH,
        accepted_id_merkle_root=ZERO_HASH,
        utxo_commitment=ZERO_HASH,
        timestamp=timestamp,
        bits=bits,
        nonce=0,
        daa_score=daa_score,
        blue_work=0,
        blue_score=0,
        pruning_point=ZERO_HASH,
    )


class HeaderDag:
    """A growing DAG: GHOSTDAG from the reference consensus, headers in a side table."""

    def __init__(self, preset: Preset, genesis: Hash, genesis_header: BlockHeader) -> None:
        self.preset = preset
        self.genesis = genesis
        self.consensus = Consensus(preset, genesis, target_from_bits(genesis_header.bits))
        self.headers: dict[Hash, BlockHeader] = {genesis: genesis_header}
        self.reads = 0
        """How many GHOSTDAG records and headers the managers read (the cost measure)."""

    def add(self, block: Hash, header: BlockHeader) -> GhostdagData:
        """Add ``block`` with the complete ``header`` (its parents are level 0)."""
        data = self.consensus.add_block(
            Header(block, header.parents, target_from_bits(header.bits))
        )
        self.headers[block] = header
        return data

    def ghostdag(self, block: Hash) -> GhostdagData:
        self.reads += 1
        return self.consensus.ghostdag_data(block)

    def header(self, block: Hash) -> BlockHeader:
        self.reads += 1
        return self.headers[block]

    def manager(self, cache_capacity: int = 1024) -> WindowManager:
        """A window manager reading this DAG."""
        return WindowManager(
            self.preset, self.genesis, self.ghostdag, self.header, cache_capacity=cache_capacity
        )

    def oracle(self) -> DaaOracle:
        """The brute-force oracle over the blocks added so far."""
        blocks = {}
        for block, header in self.headers.items():
            data = self.consensus.ghostdag_data(block)
            blocks[block] = OracleBlock(
                header.parents,
                data.selected_parent,
                data.blue_score,
                data.blue_work,
                header.timestamp,
                header.bits,
            )
        p = self.preset
        params = Params(
            p.difficulty_window_size,
            p.difficulty_sample_rate,
            p.min_difficulty_window_size,
            p.past_median_time_window_size,
            p.past_median_time_sample_rate,
            p.target_time_per_block_ms,
        )
        return DaaOracle(params, self.genesis, self.headers[self.genesis].daa_score, blocks)


# -- Kaspa's json_test runs ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KaspaRun:
    """One json_test run: its parameters and its headers in file order (genesis first)."""

    preset: Preset
    """``kaspa-10bps`` with the run's parameters."""
    blocks: tuple[tuple[Hash, BlockHeader], ...]
    """``(hash, header)`` in file order; ``blocks[0]`` is genesis."""


def load_kaspa_run(name: str) -> KaspaRun:
    """Read ``json_tests/NAME/blocks.json.gz`` (line 1 parameters, then one block a line)."""
    params, raws = load_json_run(SHARED, name)
    blocks = tuple((Hash.from_hex(raw["hash"]), header_from_json(raw)) for raw in raws)
    return KaspaRun(kaspa_preset(params), blocks)
