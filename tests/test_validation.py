"""Header validation: every rejection code, the canonical order of the rules, and atomicity.

The expected verdict of each attempted header is computed independently, by brute force over
whole past sets (``conformance.oracle``): every rule's predicate is evaluated on its own, and
the expected code is the first broken rule in ``RULE_ORDER``. A rejected header must leave
every store, the reachability index, the tips, the sink and the virtual state exactly as they
were.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from conformance.oracle import ghostdag_oracle, transitive_past
from conformance.strategies import GeneratedDag, layered_dags
from reference.block import Header
from reference.consensus import Consensus
from reference.errors import BlockRejected, Code, InvalidDifficulty
from reference.hash import HASH_SIZE, Hash
from reference.pipeline.validation import RULE_ORDER
from reference.presets import Preset, get_preset
from reference.processes.reachability.service import ReachabilityService
from reference.work import MAX_UINT256, target_from_difficulty, work_from_target
from tests.ghostdag_helpers import header_of, new_consensus

SPEC = Path(__file__).resolve().parents[1] / "spec" / "validation.md"
INVALID_TARGETS = (0, -1, MAX_UINT256 + 1, 1 << 300)


def _name(number: int) -> Hash:
    return Hash(b"\xff" + number.to_bytes(3, "big") + bytes(HASH_SIZE - 4))


def _expected(
    header: Header,
    accepted: Mapping[Hash, Sequence[Hash]],
    work: Mapping[Hash, int],
    preset: Preset,
) -> Code | None:
    """The first rule ``header`` breaks, each rule judged on its own by brute force."""
    broken: set[Code] = set()
    parents = header.parents
    if header.hash in accepted:
        broken.add(Code.DUPLICATE_BLOCK)
    if not parents:
        broken.add(Code.NO_PARENTS)
    if len(parents) > preset.max_block_parents:
        broken.add(Code.TOO_MANY_PARENTS)
    if len(set(parents)) != len(parents):
        broken.add(Code.DUPLICATE_PARENT)
    if not 1 <= header.target <= MAX_UINT256:
        broken.add(Code.INVALID_DIFFICULTY)
    known = all(parent in accepted for parent in parents)
    if not known:
        broken.add(Code.UNKNOWN_PARENT)
    if known and parents:
        past = transitive_past(accepted)
        if any(a != b and a in past[b] for a in parents for b in parents):
            broken.add(Code.PARENTS_NOT_ANTICHAIN)
        elif header.hash not in accepted and len(set(parents)) == len(parents):
            extended = {**accepted, header.hash: parents}
            own_work = (
                work_from_target(header.target) if Code.INVALID_DIFFICULTY not in broken else 1
            )
            data = ghostdag_oracle(extended, {**work, header.hash: own_work}, preset.k)
            new = data[header.hash]
            if len(new.mergeset_blues) + len(new.mergeset_reds) > preset.mergeset_size_limit:
                broken.add(Code.MERGESET_TOO_BIG)
            if header.blue_score is not None and header.blue_score != new.blue_score:
                broken.add(Code.BAD_BLUE_SCORE)
            if header.blue_work is not None and header.blue_work != new.blue_work:
                broken.add(Code.BAD_BLUE_WORK)
    return min(broken, key=RULE_ORDER.index) if broken else None


def _snapshot(consensus: Consensus, known: Sequence[Hash]) -> tuple[object, ...]:
    """Everything observable about the DAG, plus the raw contents of every internal store."""
    reachability = consensus._reachability
    nodes: object = None
    if isinstance(reachability, ReachabilityService):
        store = reachability.store
        nodes = (
            store.reindex_root.hash,
            sorted(
                (
                    node.hash,
                    node.start,
                    node.end,
                    node.parent.hash if node.parent else None,
                    node.height,
                    [child.hash for child in node.children],
                    [block.hash for block in node.future_covering_set or ()],
                )
                for node in store.nodes.values()
            ),
        )
    return (
        {block: consensus.ghostdag_data(block) for block in known},
        dict(consensus._headers._headers),
        dict(consensus._headers._work),
        dict(consensus._relations._parents),
        {block: list(children) for block, children in consensus._relations._children.items()},
        len(consensus._ghostdag),
        consensus.tips(),
        consensus.sink(),
        consensus.chain_change(),
        consensus.virtual_state(),
        [
            (consensus.is_dag_ancestor_of(a, b), consensus.is_chain_ancestor_of(a, b))
            for a in known
            for b in known
        ],
        nodes,
    )


@st.composite
def _attempt(
    draw: st.DrawFn,
    natural: Header,
    accepted: Sequence[Hash],
    fresh: Hash,
    claims: tuple[int, int] | None,
) -> Header:
    """``natural`` (a valid-looking header) with some rules deliberately broken."""
    parents = list(natural.parents)
    block = natural.hash
    if draw(st.integers(0, 9)) == 0:
        block = draw(st.sampled_from(accepted))
    edit = draw(st.integers(0, 7))
    if edit == 1:
        parents = []
    elif edit == 2:
        parents.append(draw(st.sampled_from(parents or list(accepted))))
    elif edit == 3:
        parents.append(fresh)
    elif edit == 4:
        parents.extend(draw(st.lists(st.sampled_from(accepted), min_size=1, max_size=6)))
    elif edit == 5:
        parents = draw(st.lists(st.sampled_from(accepted), min_size=1, max_size=3, unique=True))
    elif edit == 6 and accepted[0] not in parents:
        # Genesis is an ancestor of every other block.
        parents.append(accepted[0])
    target = natural.target
    if draw(st.integers(0, 5)) == 0:
        target = draw(st.sampled_from(INVALID_TARGETS))
    blue_score = blue_work = None
    if claims is not None:
        blue_score = claims[0] + draw(st.sampled_from((0, 0, 0, 1, -1)))
        blue_work = claims[1] + draw(st.sampled_from((0, 0, 0, 1, -1)))
    return Header(block, tuple(parents), target, blue_score=blue_score, blue_work=blue_work)


@given(
    layered_dags(max_layers=6, max_width=4),
    st.integers(0, 3),
    st.integers(1, 4),
    st.integers(1, 3),
    st.data(),
)
@settings(max_examples=120)
def test_verdicts_follow_the_canonical_order_and_rejections_change_nothing(
    dag: GeneratedDag, k: int, max_parents: int, slack: int, data: st.DataObject
) -> None:
    preset = get_preset(
        "minimal", {"k": k, "max_block_parents": max_parents, "mergeset_size_limit": k + slack}
    )
    consensus = new_consensus(dag, preset)
    genesis = dag.genesis
    accepted: dict[Hash, tuple[Hash, ...]] = {genesis.hash: ()}
    work = {genesis.hash: work_from_target(target_from_difficulty(genesis.difficulty))}
    for number, block in enumerate(dag.blocks[1:]):
        natural = header_of(block)
        claims = None
        if data.draw(st.booleans()) and all(p in accepted for p in natural.parents):
            extended = {**accepted, natural.hash: natural.parents}
            own_work = {**work, natural.hash: work_from_target(natural.target)}
            own = ghostdag_oracle(extended, own_work, k)[natural.hash]
            claims = (own.blue_score, own.blue_work)
        # A broken variant first, then the block itself: a rejection must not stop the
        # block from being accepted afterwards.
        broken = data.draw(_attempt(natural, list(accepted), _name(number), claims))
        for header in (broken, natural) if broken != natural else (natural,):
            expected = _expected(header, accepted, work, preset)
            event(f"verdict {expected}")
            before = _snapshot(consensus, list(accepted))
            try:
                consensus.add_block(header)
            except BlockRejected as rejection:
                assert rejection.code == expected, (rejection.code, expected)
                assert _snapshot(consensus, list(accepted)) == before
                continue
            assert expected is None, f"accepted a header that breaks {expected}"
            accepted[header.hash] = header.parents
            work[header.hash] = work_from_target(header.target)
    # What was accepted is exactly what a fresh DAG fed only the accepted blocks holds.
    fresh = new_consensus(dag, preset)
    for accepted_block, parents in accepted.items():
        if parents:
            fresh.add_block(consensus.header(accepted_block))
    assert _snapshot(fresh, list(accepted))[:10] == _snapshot(consensus, list(accepted))[:10]


def _small_world() -> tuple[Consensus, list[Hash]]:
    """Genesis g, a chain g <- a <- b, and c, d, e each a child of g; K = 1, limits 3 and 2."""
    preset = get_preset("minimal", {"k": 1, "max_block_parents": 3, "mergeset_size_limit": 2})
    g, a, b, c, d, e = (_name(n) for n in range(6))
    consensus = Consensus(preset, g, target_from_difficulty(1))
    for block, parents in ((a, (g,)), (b, (a,)), (c, (g,)), (d, (g,)), (e, (g,))):
        consensus.add_block(Header(block, parents, target_from_difficulty(1)))
    return consensus, [g, a, b, c, d, e]


ONE = target_from_difficulty(1)


@pytest.mark.parametrize(
    ("code", "parents", "target", "claims"),
    [
        (Code.DUPLICATE_BLOCK, None, ONE, None),
        (Code.NO_PARENTS, (), ONE, None),
        (Code.TOO_MANY_PARENTS, (1, 3, 4, 5), ONE, None),
        (Code.DUPLICATE_PARENT, (2, 2), ONE, None),
        (Code.INVALID_DIFFICULTY, (2,), 0, None),
        (Code.INVALID_DIFFICULTY, (2,), MAX_UINT256 + 1, None),
        (Code.UNKNOWN_PARENT, (2, 99), ONE, None),
        (Code.PARENTS_NOT_ANTICHAIN, (1, 2), ONE, None),
        (Code.MERGESET_TOO_BIG, (2, 3, 4), ONE, None),
        (Code.BAD_BLUE_SCORE, (2,), ONE, (4, 3)),
        (Code.BAD_BLUE_WORK, (2,), ONE, (3, 4)),
    ],
)
def test_each_rule_has_its_code(
    code: Code,
    parents: tuple[int, ...] | None,
    target: int,
    claims: tuple[int, int] | None,
) -> None:
    consensus, names = _small_world()
    block = names[2] if parents is None else _name(50)
    header = Header(
        block,
        (names[1],) if parents is None else tuple(_name(p) for p in parents),
        target,
        blue_score=claims[0] if claims else None,
        blue_work=claims[1] if claims else None,
    )
    before = _snapshot(consensus, names)
    with pytest.raises(BlockRejected) as rejection:
        consensus.add_block(header)
    assert rejection.value.code == code
    assert _snapshot(consensus, names) == before


def test_correct_claims_are_accepted() -> None:
    consensus, names = _small_world()
    # b has blue score 2 and blue work 2 (difficulty 1 everywhere): a child claims 3 and 3.
    data = consensus.add_block(Header(_name(50), (names[2],), ONE, blue_score=3, blue_work=3))
    assert (data.blue_score, data.blue_work) == (3, 3)


def test_invalid_genesis_target_is_a_typed_error() -> None:
    with pytest.raises(InvalidDifficulty):
        Consensus(get_preset("minimal"), _name(0), 0)


def test_rule_order_covers_every_header_code_once() -> None:
    assert len(set(RULE_ORDER)) == len(RULE_ORDER)
    header_codes = {
        Code.UNKNOWN_PARENT,
        Code.DUPLICATE_BLOCK,
        Code.NO_PARENTS,
        Code.TOO_MANY_PARENTS,
        Code.DUPLICATE_PARENT,
        Code.PARENTS_NOT_ANTICHAIN,
        Code.PRUNING_VIOLATION,
        Code.MERGESET_TOO_BIG,
        Code.BAD_BLUE_SCORE,
        Code.BAD_BLUE_WORK,
        Code.INVALID_DIFFICULTY,
        # Header mode.
        Code.KNOWN_INVALID,
        Code.BAD_VERSION,
        Code.TIME_TOO_FAR_IN_FUTURE,
        Code.TOO_MANY_PARENT_LEVELS,
        Code.INVALID_POW,
        Code.INVALID_PARENT,
        Code.BAD_DAA_SCORE,
        Code.UNEXPECTED_DIFFICULTY,
        Code.TIME_TOO_OLD,
        Code.VIOLATING_MERGE_DEPTH,
        Code.BAD_PRUNING_POINT,
    }
    assert set(RULE_ORDER) == header_codes


def test_spec_rule_table_matches_the_code() -> None:
    rows = [
        line.split("|")[1:4]
        for line in SPEC.read_text().splitlines()
        if line.startswith("| ") and line.split("|")[1].strip().isdigit()
    ]
    table = [(int(n.strip()), code.strip().strip("`")) for n, code, _ in rows]
    assert table == [(position + 1, code.value) for position, code in enumerate(RULE_ORDER)]
    for code in RULE_ORDER:
        assert code.value in Code.__members__
