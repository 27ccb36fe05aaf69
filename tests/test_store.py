"""The durable store: the SQLite engine answers exactly as the in-memory one, before and after
being closed and reopened; its tables hold what ``spec/store`` says, byte for byte; a rejected
block writes nothing (a remembered-invalid status excepted); bad files and other parameters
give typed errors.

The differential oracle is the in-memory consensus fed the same headers. The tables are also
read directly with ``sqlite3`` and decoded here from the chapter's description (not with the
engine's decoders), and what they hold is checked against independent formulas: ancestry by
a walk over the ``parents`` rows, chain ancestry by interval containment, the future covering
sets by the definition, the non-DAA mergesets by the DAA window's blue-score bound.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import random
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing, suppress
from pathlib import Path

import pytest

from conformance.transactions import random_coinbase, random_transaction
from reference.bits import target_from_bits
from reference.block import Header
from reference.consensus import Consensus
from reference.errors import BlockRejected, Code, InvalidParameter, StoreError
from reference.hash import Hash
from reference.header import BlockHeader, header_hash
from reference.header_wire import header_from_wire, header_to_wire
from reference.mining.address import Address, AddressPrefix, AddressVersion, encode_address
from reference.node.network import DEVNET_NETWORK
from reference.node.node import Node
from reference.presets import get_preset
from reference.processes.pow.miner import mine
from reference.processes.reachability.interval import Interval
from reference.processes.reachability.service import ReachabilityService
from reference.stores.bodies import BodyStore
from reference.stores.bundle import MemoryStores
from reference.stores.sqlite.check import check_store
from reference.stores.sqlite.engine import SqliteStores, open_consensus
from reference.stores.sqlite.schema import TABLES
from reference.stores.statuses import BlockStatus
from reference.transaction.encoding import encode_transaction
from reference.transaction.model import Transaction
from reference.work import target_from_difficulty
from tests.spec_markdown import SPEC, fences
from tests.store_dags import GENESIS, PRESET, next_header, offer, recent_blocks

CAPACITY = Interval(1, 1 << 13)
"""A small root interval, so that reindexing (and its many moved records) happens often."""

GENESIS_HASH = header_hash(GENESIS)


def memory_consensus() -> Consensus:
    reachability = ReachabilityService(
        GENESIS_HASH,
        reindex_depth=PRESET.reindex_depth,
        reindex_slack=PRESET.reindex_slack,
        capacity=CAPACITY,
    )
    return Consensus(
        PRESET,
        GENESIS_HASH,
        target_from_bits(GENESIS.bits),
        reachability=reachability,
        genesis_header=GENESIS,
    )


def durable_consensus(path: Path) -> Consensus:
    stores = SqliteStores.open(path, PRESET, GENESIS_HASH, reachability_capacity=CAPACITY)
    return Consensus.from_genesis_header(PRESET, GENESIS, stores=stores)


def close(consensus: Consensus) -> None:
    consensus.close()


# --- the differential test ------------------------------------------------------------------


def assert_same_answers(
    durable: Consensus, memory: Consensus, blocks: list[Hash], invalid: list[Hash]
) -> None:
    """Every public answer of the two consensuses agrees, over every block and pair."""
    for block in invalid:
        assert not durable.has_block(block) and not memory.has_block(block)
        assert durable.status(block) == memory.status(block) == BlockStatus.INVALID
    assert durable.tips() == memory.tips()
    assert durable.sink() == memory.sink()
    assert durable.virtual_state() == memory.virtual_state()
    assert durable.chain_change() == memory.chain_change()
    assert durable.past_pruning_points() == memory.past_pruning_points()
    assert durable.pruning_point() == memory.pruning_point()
    assert durable.header_mode == memory.header_mode
    if memory.header_mode:
        assert durable.virtual_difficulty() == memory.virtual_difficulty()
    for block in blocks:
        assert durable.has_block(block)
        assert durable.header(block) == memory.header(block)
        assert durable.ghostdag_data(block) == memory.ghostdag_data(block)
        assert durable.block_info(block) == memory.block_info(block)
        assert durable.status(block) == memory.status(block)
    for ancestor in blocks:
        for descendant in blocks:
            assert durable.is_dag_ancestor_of(ancestor, descendant) == (
                memory.is_dag_ancestor_of(ancestor, descendant)
            )
            assert durable.is_chain_ancestor_of(ancestor, descendant) == (
                memory.is_chain_ancestor_of(ancestor, descendant)
            )


@pytest.mark.parametrize("seed", range(4))
def test_durable_answers_as_memory_through_reopens(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    path = tmp_path / "node.db"
    memory = memory_consensus()
    durable = durable_consensus(path)
    accepted: list[Hash] = [GENESIS_HASH]
    invalid: list[Hash] = []
    reopen_at = set(rng.sample(range(1, 160), 4))
    try:
        for step in range(160):
            header = next_header(memory, rng, recent_blocks(memory, accepted))
            verdict = offer(memory, header)
            assert offer(durable, header) == verdict
            if verdict is None:
                accepted.append(header_hash(header))
            elif memory.status(header_hash(header)) is BlockStatus.INVALID:
                invalid.append(header_hash(header))
            if step in reopen_at:
                close(durable)
                durable = durable_consensus(path)
                assert_same_answers(durable, memory, accepted, invalid)
        assert invalid, "the generator must reach remembered-invalid blocks"
        assert_same_answers(durable, memory, accepted, invalid)
        assert check_store(path) == []
        check_tables(path, memory, accepted, invalid)
        # Offered again after a reopen, every header gets the same verdict from both.
        close(durable)
        durable = durable_consensus(path)
        for block in accepted[-3:] + invalid[-2:]:
            again = memory.header(block).full if memory.has_block(block) else None
            if again is not None:
                assert offer(durable, again) == offer(memory, again) == Code.DUPLICATE_BLOCK
    finally:
        close(durable)


# --- the tables, decoded from the chapter ----------------------------------------------------


def hashes(blob: bytes) -> list[Hash]:
    assert len(blob) % 32 == 0
    return [Hash(blob[i : i + 32]) for i in range(0, len(blob), 32)]


def uint(blob: bytes) -> int:
    assert blob[:1] != b"\0", "minimal big-endian"
    return int.from_bytes(blob, "big")


def read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)


def check_tables(path: Path, memory: Consensus, accepted: list[Hash], invalid: list[Hash]) -> None:
    with closing(read_only(path)) as db:
        headers = {Hash(row[0]): row for row in db.execute("SELECT * FROM headers")}
        assert set(headers) == set(accepted)
        for block, (_, ordinal, wire, target, work, score, claimed) in headers.items():
            full = memory.header(block).full
            assert full is not None
            assert wire == header_to_wire(full)
            assert ordinal == accepted.index(block)
            assert uint(target) == memory.header(block).target
            assert uint(work) == (1 << 256) // (uint(target) + 1)
            assert score is None and claimed is None
        parents: dict[Hash, list[Hash]] = {block: [] for block in accepted}
        for child, position, parent in db.execute("SELECT * FROM parents ORDER BY 1, 2"):
            assert position == len(parents[Hash(child)])
            parents[Hash(child)].append(Hash(parent))
        for block in accepted:
            assert tuple(parents[block]) == memory.header(block).parents
        for row in db.execute("SELECT * FROM ghostdag"):
            block, selected, score, blue_work, blues, reds, sizes = row
            data = memory.ghostdag_data(Hash(block))
            assert (selected, score, uint(blue_work)) == (
                data.selected_parent,
                data.blue_score,
                data.blue_work,
            )
            assert (hashes(blues), hashes(reds)) == (
                list(data.mergeset_blues),
                list(data.mergeset_reds),
            )
            entries = [sizes[i : i + 40] for i in range(0, len(sizes), 40)]
            assert {Hash(e[:32]): int.from_bytes(e[32:], "big") for e in entries} == dict(
                data.blues_anticone_sizes
            )
        statuses = dict(db.execute("SELECT hash, status FROM statuses"))
        assert statuses == {
            **{block: memory.status(block).value for block in accepted},  # type: ignore[union-attr]
            **{block: "invalid" for block in invalid},
        }
        assert {Hash(row[0]) for row in db.execute("SELECT hash FROM tips")} == memory.tips()
        (virtual_parents, selected) = db.execute(
            "SELECT parents, selected_parent FROM virtual_state"
        ).fetchone()
        assert tuple(hashes(virtual_parents)) == memory.virtual_state().parents
        assert selected == memory.sink()
        check_non_daa(db, memory, accepted)
        check_reachability_rows(db, parents, accepted)


def check_non_daa(db: sqlite3.Connection, memory: Consensus, accepted: list[Hash]) -> None:
    """A merged block is non-DAA when its blue score is below the block's minus the blocks a
    DAA window covers; a child of genesis counts genesis as non-DAA (genesis is never a DAA
    block)."""
    covered = PRESET.difficulty_window_size * PRESET.difficulty_sample_rate
    stored = {Hash(row[0]): hashes(row[1]) for row in db.execute("SELECT * FROM non_daa_mergeset")}
    assert set(stored) == set(accepted) - {GENESIS_HASH}
    reached = 0
    for block, non_daa in stored.items():
        data = memory.ghostdag_data(block)
        if data.selected_parent == GENESIS_HASH:
            expected = [GENESIS_HASH]
        else:
            lowest = max(data.blue_score - covered, 0)
            merged = (*data.mergeset_blues, *data.mergeset_reds)
            expected = sorted(m for m in merged if memory.ghostdag_data(m).blue_score < lowest)
            reached += bool(expected)
        assert non_daa == expected
    assert reached, "some block must merge a non-DAA block"


def check_reachability_rows(
    db: sqlite3.Connection, parents: dict[Hash, list[Hash]], accepted: list[Hash]
) -> None:
    """Chain ancestry is interval containment; DAG ancestry is containment in the interval
    of the block or of one of its covering blocks; both against a walk over the parents."""
    rows = {Hash(r[0]): r for r in db.execute("SELECT * FROM reachability")}
    interval = {
        b: (int.from_bytes(r[3], "big"), int.from_bytes(r[4], "big")) for b, r in rows.items()
    }
    covering: dict[Hash, list[Hash]] = {block: [] for block in accepted}
    for merged, cover in db.execute("SELECT * FROM future_covering_sets"):
        covering[Hash(merged)].append(Hash(cover))
    past: dict[Hash, set[Hash]] = {}
    for block in accepted:  # in acceptance order: parents first
        past[block] = set().union(*({p, *past[p]} for p in parents[block]))
    selected = {Hash(r[0]): r[1] for r in db.execute("SELECT hash, selected_parent FROM ghostdag")}

    def contains(outer: Hash, inner: Hash) -> bool:
        return interval[outer][0] <= interval[inner][0] and interval[inner][1] <= interval[outer][1]

    for block in accepted:
        assert rows[block][1] == selected[block]
        chain = set()
        walk: Hash | None = block
        while walk is not None:
            chain.add(walk)
            walk = None if selected[walk] is None else Hash(selected[walk])
        for other in accepted:
            assert contains(other, block) == (other in chain)
            dag = any(contains(c, block) for c in (other, *covering[other]))
            assert dag == (other == block or other in past[block])


# --- rejections write nothing ---------------------------------------------------------------


def dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with closing(read_only(path)) as db:
        return {table: sorted(db.execute(f"SELECT * FROM {table}")) for table in TABLES}


def wal_size(path: Path) -> int:
    wal = path.with_name(path.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def test_a_rejected_block_writes_nothing_but_a_remembered_invalid_status(tmp_path: Path) -> None:
    path = tmp_path / "node.db"
    consensus = durable_consensus(path)
    try:
        rng = random.Random(7)
        accepted: list[Hash] = []
        while len(accepted) < 20:
            header = next_header(consensus, rng, recent_blocks(consensus, accepted))
            if offer(consensus, header) is None:
                accepted.append(header_hash(header))
        tip = sorted(consensus.tips())[0]
        good = consensus.build_header([tip], nonce=99)
        stranger = dataclasses.replace(good, parents_by_level=((Hash(bytes(range(32))),),))
        before, size = dump(path), wal_size(path)
        for broken, code in (
            (dataclasses.replace(good, version=0), Code.BAD_VERSION),
            (stranger, Code.UNKNOWN_PARENT),
            (consensus.header(tip).full, Code.DUPLICATE_BLOCK),
            (dataclasses.replace(good, bits=good.bits + 1), Code.UNEXPECTED_DIFFICULTY),
        ):
            assert broken is not None
            with pytest.raises(BlockRejected) as rejection:
                consensus.add_full_header(broken, now_ms=good.timestamp)
            assert rejection.value.code == code
            assert dump(path) == before
            assert wal_size(path) == size, "no transaction at all"
        liar = dataclasses.replace(good, blue_score=good.blue_score + 1)
        with pytest.raises(BlockRejected) as rejection:
            consensus.add_full_header(liar, now_ms=good.timestamp)
        assert rejection.value.code == Code.BAD_BLUE_SCORE
        after = dump(path)
        added = {table: sorted(set(after[table]) - set(before[table])) for table in TABLES}
        assert {table: rows for table, rows in added.items() if rows} == {
            "statuses": [(header_hash(liar), "invalid")]
        }
        assert all(set(before[table]) <= set(after[table]) for table in TABLES)
    finally:
        consensus.close()


# --- bad files and other parameters ---------------------------------------------------------


def grown_store(path: Path, blocks: int = 12) -> list[Hash]:
    consensus = durable_consensus(path)
    accepted: list[Hash] = []
    rng = random.Random(3)
    try:
        while len(accepted) < blocks:
            header = next_header(consensus, rng, recent_blocks(consensus, accepted))
            if offer(consensus, header) is None:
                accepted.append(header_hash(header))
    finally:
        consensus.close()
    return accepted


def refused(path: Path, code: Code, **changes: object) -> StoreError:
    preset = changes.get("preset", PRESET)
    genesis = changes.get("genesis", GENESIS)
    with pytest.raises(StoreError) as error:
        open_consensus(path, preset, genesis)  # type: ignore[arg-type]
    assert error.value.code == code, error.value
    # Refused, and the lock released: the right parameters still open the store.
    if path.exists() and code is not Code.STORE_UNAVAILABLE:
        with suppress(StoreError):
            open_consensus(path, PRESET, GENESIS).close()
    return error.value


def test_other_parameters_or_genesis_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "node.db"
    grown_store(path)
    error = refused(path, Code.STORE_MISMATCH, preset=PRESET.with_overrides({"k": 4}))
    assert "k 3 stored, 4 asked" in error.message
    refused(path, Code.STORE_MISMATCH, preset=dataclasses.replace(PRESET, name="other"))
    other = dataclasses.replace(GENESIS, timestamp=GENESIS.timestamp + 1)
    refused(path, Code.STORE_MISMATCH, genesis=other)
    assert check_store(path) == []


def test_a_store_is_used_by_one_process_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "node.db"
    consensus = durable_consensus(path)
    try:
        refused(path, Code.STORE_UNAVAILABLE)
    finally:
        consensus.close()
    open_consensus(path, PRESET, GENESIS).close()


def test_files_that_are_not_stores_are_refused(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(bytes(range(256)) * 64)
    refused(garbage, Code.STORE_CORRUPT)
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as db:
        db.execute("CREATE TABLE notes (text TEXT)")
    refused(other, Code.STORE_CORRUPT)
    with closing(sqlite3.connect(other)) as db:
        db.execute("PRAGMA application_id = 1234")
    refused(other, Code.STORE_CORRUPT)
    refused(tmp_path, Code.STORE_UNAVAILABLE)  # a directory
    refused(tmp_path / "missing" / "node.db", Code.STORE_UNAVAILABLE)


def tampered(tmp_path: Path, name: str, statement: str) -> Path:
    """A copy of a grown store with ``statement`` applied to it."""
    source = tmp_path / "source.db"
    if not source.exists():
        grown_store(source)
    path = tmp_path / f"{name}.db"
    with closing(sqlite3.connect(source)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(source, path)
    with closing(sqlite3.connect(path)) as db:
        db.execute(statement)
        db.commit()
    return path


@pytest.mark.parametrize(
    ("statement", "found"),
    [
        ("UPDATE ghostdag SET mergeset_reds = x'00'", "ghostdag"),
        ("DELETE FROM depth WHERE hash IN (SELECT hash FROM tips)", "depth"),
        ("DELETE FROM reachability WHERE hash IN (SELECT hash FROM tips)", "reachability"),
        ("UPDATE headers SET wire = substr(wire, 1, 40) WHERE ordinal = 1", "header"),
        ("UPDATE statuses SET status = 'gone' WHERE hash IN (SELECT hash FROM tips)", "status"),
        ("DELETE FROM virtual_state", "virtual_state"),
        ("DELETE FROM tips", "tips"),
        ("UPDATE metadata SET value = '4' WHERE key = 'schema_version'", "schema"),
        ("PRAGMA user_version = 4", "schema version"),
    ],
)
def test_tampered_stores_give_typed_errors(tmp_path: Path, statement: str, found: str) -> None:
    path = tampered(tmp_path, "tampered", statement)
    with pytest.raises(StoreError) as error:
        open_consensus(path, PRESET, GENESIS)
    assert error.value.code in (Code.STORE_CORRUPT, Code.STORE_MISMATCH)
    assert found in str(error.value)
    assert check_store(path), "the checker finds it too"


def test_a_truncated_file_is_refused(tmp_path: Path) -> None:
    path = tampered(tmp_path, "copy", "SELECT 1")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    refused(path, Code.STORE_CORRUPT)
    assert check_store(path)


def test_a_failed_write_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "node.db"
    accepted = grown_store(path, 6)
    stores = SqliteStores.open(path, PRESET, GENESIS_HASH)
    consensus = Consensus.from_genesis_header(PRESET, GENESIS, stores=stores)
    blocker = sqlite3.connect(path, timeout=0)
    try:
        blocker.execute("BEGIN IMMEDIATE")  # another writer: the next commit cannot start
        stores._connection.execute("PRAGMA busy_timeout = 0")
        header = consensus.build_header(sorted(consensus.tips()))
        with pytest.raises(StoreError) as error:
            consensus.add_full_header(header, now_ms=header.timestamp)
        assert error.value.code == Code.STORE_UNAVAILABLE
        blocker.execute("ROLLBACK")
        with pytest.raises(StoreError):  # unusable until reopened
            consensus.add_full_header(consensus.build_header([accepted[0]], nonce=5))
    finally:
        blocker.close()
        consensus.close()
    reopened = open_consensus(path, PRESET, GENESIS)
    try:
        assert not reopened.has_block(header_hash(header))
        assert all(reopened.has_block(block) for block in accepted)
        assert offer(reopened, header) is None
    finally:
        reopened.close()
    assert check_store(path) == []


# --- bodies ---------------------------------------------------------------------------------


def body_stores(tmp_path: Path) -> Iterator[BodyStore]:
    yield MemoryStores(ReachabilityService(GENESIS_HASH, reindex_depth=4, reindex_slack=8)).bodies
    stores = SqliteStores.open(tmp_path / "bodies.db", PRESET, GENESIS_HASH)
    yield stores.bodies
    stores.commit()
    stores.close()


def test_body_store_engines_agree(tmp_path: Path) -> None:
    rng = random.Random(11)
    body = (random_coinbase(rng, 5), *(random_transaction(rng) for _ in range(3)))
    block = Hash(rng.randbytes(32))
    for store in body_stores(tmp_path):
        assert store.get(block) is None and not store.has(block)
        store.insert(block, body)
        assert store.get(block) == body and store.has(block) and len(store) == 1
        with pytest.raises(BlockRejected) as duplicate:
            store.insert(block, body[:1])
        assert duplicate.value.code == Code.DUPLICATE_BLOCK
    # The durable one committed: reopened, the body is read back from Kaspa's encoding.
    stores = SqliteStores.open(tmp_path / "bodies.db", PRESET, GENESIS_HASH)
    try:
        assert stores.bodies.get(block) == body and len(stores.bodies) == 1
        rows = stores._connection.execute("SELECT position, encoded FROM body_transactions")
        assert sorted(rows) == [(i, encode_transaction(tx)) for i, tx in enumerate(body)]
    finally:
        stores.close()


def test_synchronous_full_and_reopen_keep_everything(tmp_path: Path) -> None:
    path = tmp_path / "node.db"
    consensus = open_consensus(path, PRESET, GENESIS, synchronous="FULL")
    header = consensus.build_header([GENESIS_HASH], timestamp=GENESIS.timestamp + 1000)
    consensus.add_full_header(header, now_ms=header.timestamp)
    consensus.close()
    assert os.path.exists(path)
    reopened = open_consensus(path, PRESET, GENESIS)
    try:
        assert reopened.tips() == {header_hash(header)}
    finally:
        reopened.close()


def test_only_normal_and_full_synchronous_are_offered(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameter):
        SqliteStores.open(tmp_path / "node.db", PRESET, GENESIS_HASH, synchronous="OFF")  # type: ignore[arg-type]
    assert not (tmp_path / "node.db").exists()


def test_header_wire_is_what_is_stored(tmp_path: Path) -> None:
    """The ``wire`` column is the header's wire form, so its hash is the row's key."""
    path = tmp_path / "node.db"
    grown_store(path, 4)
    with closing(read_only(path)) as db:
        for block, wire in db.execute("SELECT hash, wire FROM headers"):
            decoded: BlockHeader = header_from_wire(wire)
            assert header_hash(decoded) == block


# --- the chapter's audit queries ------------------------------------------------------------


def test_the_chapters_audit_queries_run_on_a_store(tmp_path: Path) -> None:
    """Every ``sql`` block of ``spec/store.md`` runs as written on a store with a body, and
    the chain, ancestry and children queries answer as the consensus does."""
    path = tmp_path / "node.db"
    grown_store(path, 16)
    stores = SqliteStores.open(path, PRESET, GENESIS_HASH)
    rng = random.Random(5)
    stores.bodies.insert(GENESIS_HASH, (random_coinbase(rng, 0), random_transaction(rng)))
    stores.commit()
    stores.close()
    queries = {
        f.body.splitlines()[0]: f.body for f in fences(SPEC / "store.md") if f.info.strip() == "sql"
    }
    assert len(queries) >= 8
    consensus = open_consensus(path, PRESET, GENESIS)
    try:
        with closing(read_only(path)) as db:
            answers = {
                title: [db.execute(statement).fetchall() for statement in statements(query)]
                for title, query in queries.items()
            }
        chain = 0
        walk: Hash | None = consensus.sink()
        while walk is not None:
            chain += 1
            walk = consensus.ghostdag_data(walk).selected_parent
        assert len(answers[_title(queries, "last five")][0]) == 5
        assert answers[_title(queries, "selected chain")] == [[(chain,)]]
        assert answers[_title(queries, "Chain ancestry")] == [[(1,)]]
        children = [Hash(bytes.fromhex(row[0])) for row in answers[_title(queries, "children")][0]]
        assert children == list(consensus.children(GENESIS_HASH))
        assert answers[_title(queries, "coinbase")][0][0][0] == GENESIS_HASH.hex().upper()
    finally:
        consensus.close()


def statements(query: str) -> list[str]:
    return [statement for statement in query.split(";") if statement.strip()]


def _title(queries: dict[str, str], words: str) -> str:
    (title,) = [title for title in queries if words in title]
    return title


# --- a node over a durable store: blocks with bodies ----------------------------------------


class FakeClock:
    """One second per block keeps the devnet target at its easiest."""

    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


def test_a_node_over_the_durable_store_keeps_bodies_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "node.db"
    network = DEVNET_NETWORK
    miner = encode_address(Address(AddressPrefix.DEVNET, AddressVersion.PUBKEY, bytes(32)))
    clock = FakeClock(network.genesis.timestamp + 1000)
    consensus = open_consensus(path, network.preset, network.genesis, clock=clock)
    mined: dict[Hash, tuple[Transaction, ...]] = {}
    try:
        node = Node(network, consensus=consensus)  # stores the genesis body: one transaction
        for _ in range(3):
            template = node.block_template(miner)
            header = mine(template.header, network.preset, 10_000)
            assert header is not None
            mined[node.submit_block(header, template.transactions)] = template.transactions
            clock.now += 1000
    finally:
        consensus.close()
    assert check_store(path) == []
    reopened = open_consensus(path, network.preset, network.genesis, clock=clock)
    try:
        assert reopened.body(network.genesis_hash) == network.genesis_transactions
        for block, body in mined.items():
            assert reopened.body(block) == body
            assert reopened.status(block) is BlockStatus.BODY_VALID
        assert Node(network, consensus=reopened).consensus.tips() == {list(mined)[-1]}
    finally:
        reopened.close()


# --- DAG mode (adapter protocol 1): headers without a wire form -----------------------------


def test_dag_mode_blocks_with_and_without_claims_survive_a_reopen(tmp_path: Path) -> None:
    preset = get_preset("minimal")
    genesis = Hash(bytes(31) + b"\x01")
    target = target_from_difficulty(3)
    path = tmp_path / "dag.db"

    def durable() -> Consensus:
        stores = SqliteStores.open(path, preset, genesis)
        return Consensus(preset, genesis, target, stores=stores)

    memory, scratch, store = (
        Consensus(preset, genesis, target),
        Consensus(preset, genesis, target),
        durable(),
    )
    rng = random.Random(17)
    blocks = [genesis]
    try:
        for index in range(60):
            tips = sorted(memory.tips())
            parents = tuple(rng.sample(tips, rng.randint(1, min(3, len(tips)))))
            block = Hash(rng.randbytes(32))
            plain = Header(block, parents, target_from_difficulty(rng.randint(1, 9)))
            header = plain
            if index % 3 == 0:  # a header claiming its blue score and blue work
                data = scratch.add_block(plain)
                header = dataclasses.replace(
                    plain, blue_score=data.blue_score, blue_work=data.blue_work
                )
            else:
                scratch.add_block(plain)
            memory.add_block(header)
            store.add_block(header)
            blocks.append(block)
            if index % 20 == 19:
                store.close()
                store = durable()
        store.close()
        store = durable()
        assert_same_answers(store, memory, blocks, [])
    finally:
        store.close()
    assert check_store(path) == []


# --- the layering ---------------------------------------------------------------------------

IO_PACKAGES = ("reference.stores.sqlite", "reference.node", "reference.rpc", "reference.p2p")
"""Packages that may open files or sockets; consensus modules reach the engine only through
the injected bundle."""


def test_consensus_modules_never_import_the_sqlite_engine() -> None:
    root = Path(__file__).resolve().parent.parent
    offenders = []
    for path in sorted((root / "reference").rglob("*.py")):
        module = ".".join(path.relative_to(root).with_suffix("").parts)
        if any(module == p or module.startswith(p + ".") for p in IO_PACKAGES):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module is not None:
                names = [node.module]
            for name in names:
                if name == "sqlite3" or name.startswith("reference.stores.sqlite"):
                    offenders.append(f"{module} imports {name}")
    assert not offenders
    assert "reference.stores.sqlite.engine" in {
        ".".join(p.relative_to(root).with_suffix("").parts)
        for p in (root / "reference").rglob("*.py")
    }
