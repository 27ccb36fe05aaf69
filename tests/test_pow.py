"""Proof of work: Kaspa's kHeavyHash, block levels, parent levels, the miner.

Every value below comes from outside ``reference/`` and says where:

- Kaspa's own unit tests: the xoshiro256++ sequence, the matrix generated from the hash
  ``[42; 32]``, the heavy hash of a fixed matrix, the PoW hash of four bytes, and the rank
  tests (rusty-kaspa ``consensus/pow/src/{matrix.rs,xoshiro.rs}``, kaspad
  ``domain/consensus/utils/pow/{heavyhash_test.go,xoshiro_test.go}``);
- two headers mined on real proof-of-work networks: Kaspa's testnet genesis (rusty-kaspa
  ``consensus/core/src/config/genesis.rs``) and mainnet block ``be95d8f3...`` (DAA score
  87,768,050, August 2024) as Kaspa's RPC served it, recorded in kaspa-rest-server
  (``supertypo/kaspa-rest-server``, ``helper/tests/test_mining_address.py``). Both hashes are
  Kaspa's; their PoW passes and almost no other nonce does.

The rest is checked against a second, naive implementation written here (plain loops, exact
Bareiss rank), never against the code under test.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from Crypto.Hash import cSHAKE256
from hypothesis import given, settings
from hypothesis import strategies as st

from reference.bits import decode_bits
from reference.errors import BlockRejected, Code, InvalidDifficulty, InvalidParameter
from reference.hash import Hash
from reference.header import BlockHeader, header_hash
from reference.header_json import header_from_json
from reference.presets import KASPA_10BPS, MINIMAL, TOS
from reference.processes.pow import (
    PowState,
    block_level,
    check_parent_levels,
    check_proof_of_work,
    level_from_pow,
    mine,
    pow_target,
    pow_value,
    pre_pow_hash,
)
from reference.processes.pow import state as state_module
from reference.processes.pow.hashers import kheavy_hash, pow_hash
from reference.processes.pow.matrix import Matrix, generate_matrix, heavy_hash, matrix_rank
from reference.processes.pow.xoshiro import xoshiro_next, xoshiro_seed
from tests.test_header import headers

HEAVY_HASH_INPUT = [
    82,
    46,
    212,
    218,
    28,
    192,
    143,
    92,
    213,
    66,
    86,
    63,
    245,
    241,
    155,
    189,
    73,
    159,
    229,
    180,
    202,
    105,
    159,
    166,
    109,
    172,
    128,
    136,
    169,
    195,
    97,
    41,
]
"""Input of rusty-kaspa's test_heavy_hash (matrix.rs)."""


def _matrix(rows: tuple[str, ...]) -> tuple[tuple[int, ...], ...]:
    """A matrix written one hexadecimal digit per entry, a string per row."""
    return tuple(tuple(int(digit, 16) for digit in row) for row in rows)


# --- Kaspa's unit-test vectors ------------------------------------------------------------


def test_xoshiro_sequence() -> None:
    # kaspad xoshiro_test.go, from rand_xoshiro's xoshiro256plusplus.rs: state (1, 2, 3, 4).
    expected = [
        41943041,
        58720359,
        3588806011781223,
        3591011842654386,
        9228616714210784205,
        9973669472204895162,
        14011001112246962877,
        12406186145184390807,
        15849039046786891736,
        10450023813501588000,
    ]
    state = (1, 2, 3, 4)
    for value in expected:
        got, state = xoshiro_next(state)
        assert got == value


def test_xoshiro_seed_reads_four_little_endian_words() -> None:
    seed = bytes(range(32))
    words = xoshiro_seed(seed)
    assert words[0] == 0x0706050403020100 and words[3] == 0x1F1E1D1C1B1A1918


def test_generated_matrix_of_kaspas_test_hash() -> None:
    # rusty-kaspa matrix.rs test_generate_matrix, kaspad TestGenerateMatrix: hash [42; 32].
    assert generate_matrix(Hash(bytes([42] * 32))).rows == _matrix(MATRIX_OF_42)


def test_pow_hash_of_kaspas_test_input() -> None:
    # kaspad TestMatrix_HeavyHash feeds PowHash(C1 EC FD FC) to the heavy hash; rusty-kaspa's
    # test_heavy_hash feeds these 32 bytes instead: they are the same value.
    assert list(pow_hash(bytes.fromhex("c1ecfdfc"))) == HEAVY_HASH_INPUT


def test_heavy_hash_of_kaspas_test_matrix() -> None:
    # rusty-kaspa matrix.rs test_heavy_hash; kaspad TestMatrix_HeavyHash (same expected hex).
    digest = heavy_hash(Matrix(_matrix(HEAVY_HASH_MATRIX)), bytes(HEAVY_HASH_INPUT))
    assert digest.hex() == "87689f379943eaf9b7475ca95325687772bfcc68fc7899caeb4409ec4590c325"


def test_rank_as_kaspas_tests() -> None:
    # rusty-kaspa matrix.rs test_compute_rank: zero matrix; 16-bit entries drawn row by row
    # from xoshiro seeded with [42; 32]; then row 0 := row 1.
    assert matrix_rank([[0] * 64 for _ in range(64)]) == 0
    state = xoshiro_seed(bytes([42] * 32))
    rows = []
    for _ in range(64):
        row = []
        for _ in range(64):
            value, state = xoshiro_next(state)
            row.append(value & 0xFFFF)
        rows.append(row)
    assert matrix_rank(rows) == 64
    rows[0] = list(rows[1])
    assert matrix_rank(rows) == 63
    # kaspad TestMatrix_Rank: a generated matrix, then row 0 := 2 row 1, row 33 := 3 row 32.
    generated = [list(row) for row in _matrix(MATRIX_OF_42)]
    assert matrix_rank(generated) == 64
    generated[0] = [2 * x for x in generated[1]]
    assert matrix_rank(generated) == 63
    generated[33] = [3 * x for x in generated[32]]
    assert matrix_rank(generated) == 62


# --- Headers mined on real proof-of-work networks -------------------------------------------

ZERO = "00" * 32
TESTNET_GENESIS: dict[str, Any] = {
    # rusty-kaspa consensus/core/src/config/genesis.rs, TESTNET_GENESIS (utxoCommitment is
    # EMPTY_MUHASH; the remaining fields are a genesis header's zeros).
    "hash": "f896a3034873be1739fc4359236899fd3d65d2bc94f9780df0d0da3eb1cc4370",
    "version": 0,
    "parentsByLevel": [],
    "hashMerkleRoot": "17341408a5724556504df4d6cf515cbfbb220430dc451c743c22d5e911720c2a",
    "acceptedIdMerkleRoot": ZERO,
    "utxoCommitment": "544eb3142c000f0ad2c76ac41f4222abbababed830eeafee4b6dc56b52d5cac0",
    "timestamp": 0x17C5F62FBB6,
    "bits": 0x1E7FFFFF,
    "nonce": 0x14582,
    "daaScore": 0,
    "blueWork": "0",
    "blueScore": 0,
    "pruningPoint": ZERO,
}


MAINNET_PARENT_RUNS: list[tuple[list[str], int]] = [
    # Each level of the block's parentsByLevel, runs of equal levels written once.
    (["911b8d97121c9972718913564732734e98545c280f4d9cc1101da747c1cdd6f9"], 30),
    (
        [
            "46bccc16780c4494380bda9b19a2027ea882f417ed077d05a84b2405c50c87bc",
            "516f3ada5f6879ee10bd3ced654e5f0527c501179cff827d29e3a9034b9f1751",
        ],
        1,
    ),
    (["309e08307992aafc26fcc2a43deb62db0eb2da362bde602489a47d1843b26ac1"], 1),
    (["d3ef05369b407a36f577e68b240d4830d6bbcf387a2ccba7a14df692edabde83"], 2),
    (["9bfeb17963c903e61e83a1d0d2ab749ff851f7780835eef2bea1307a4203bd33"], 3),
    (["5a7dc00ae69d152101381e8443a99b569a7a3372113833fe3dfc48cf1d8dfe9e"], 1),
    (["316f6dc2ed29853fcada555c9ee790e3f8247802984387c08eabb638588b89a9"], 3),
    (["25464ccd884133b3de6afe208ee22efc5b1d1445242a4495b8409f7ec37d8bce"], 2),
    (["2b9f6ef6d7944fce82d1c605ffbd3ef0ecc86bc09c898041680af69bd41a56dd"], 2),
    (["9f3b4c43fd4c6f48fe5294029145222a4d6f9c4e3dd8bd2a81597047c1874347"], 1),
    (["9c7c5b2e0cb234c81cf3983fe866ef45d3425b68d577bc5cadb8f33b96d8c7df"], 8),
]


MAINNET_BLOCK: dict[str, Any] = {
    # Kaspa mainnet block be95d8f3..., as Kaspa's RPC served it (kaspa-rest-server,
    # helper/tests/test_mining_address.py; integers there are strings, parents are
    # {"parentHashes": [...]} per level).
    "hash": "be95d8f3b51064e6bae0ce2659b2dbb9944fd47cc8e2510ecad73149f605e54c",
    "version": 1,
    "parentsByLevel": [list(level) for level, times in MAINNET_PARENT_RUNS for _ in range(times)],
    "hashMerkleRoot": "a4f42ff8a8e240eb3f1b35cf7bd56044f3d4fe6db7b5cdbe56d858690c278778",
    "acceptedIdMerkleRoot": "3ef3fbf49340062398be32fa20c4bfb0786b0b147f0021821283eedce64ce01e",
    "utxoCommitment": "4ad51d9d625573e680f4c4211c9657c1026be501d38048a3f92cfca7b0ef181e",
    "timestamp": 1724081279941,
    "bits": 420908524,
    "nonce": 9519250016613520,
    "daaScore": 87768050,
    "blueWork": "56217f0bcee1a55ea0424",
    "blueScore": 86160825,
    "pruningPoint": "ef3ae1d5568d2dda83833fa67cebd075b9a5198f14da6109baf770b29955ed6e",
}


@pytest.fixture(scope="module")
def mainnet() -> BlockHeader:
    # header_from_json checks Kaspa's hash: all 54 parent levels are read right.
    return header_from_json(MAINNET_BLOCK)


@pytest.fixture(scope="module")
def mainnet_state(mainnet: BlockHeader) -> PowState:
    return PowState(mainnet)


def test_a_mainnet_block_meets_its_target(mainnet: BlockHeader, mainnet_state: PowState) -> None:
    assert len(mainnet.parents_by_level) == 54
    assert mainnet_state.target == decode_bits(mainnet.bits)
    # A random value passes with probability target / 2^256, about 2^-59 here.
    assert mainnet_state.target < 2**198
    assert mainnet_state.meets_target(mainnet.nonce)
    check_proof_of_work(mainnet, KASPA_10BPS)


def test_other_nonces_of_the_mainnet_block_fail(
    mainnet: BlockHeader, mainnet_state: PowState
) -> None:
    for delta in (1, 2, 3, -1, 1 << 32):
        assert not mainnet_state.meets_target(mainnet.nonce + delta)
    wrong = dataclasses.replace(mainnet, nonce=mainnet.nonce + 1)
    with pytest.raises(BlockRejected) as caught:
        check_proof_of_work(wrong, KASPA_10BPS)
    assert caught.value.code is Code.INVALID_POW
    assert caught.value.block == header_hash(wrong)


def test_the_mainnet_block_fails_with_a_changed_timestamp(mainnet: BlockHeader) -> None:
    # The timestamp is not in the pre-PoW hash but is in the PoW hash.
    changed = dataclasses.replace(mainnet, timestamp=mainnet.timestamp + 1)
    assert pre_pow_hash(changed) == pre_pow_hash(mainnet)
    assert pow_value(changed) > PowState(changed).target


def test_testnet_genesis_was_mined() -> None:
    genesis = header_from_json(TESTNET_GENESIS)
    state = PowState(genesis)
    # Target 0x7fffff * 2^216, about 2^-17 of all values; nonce 0x14582 = 83,330 tries.
    assert state.meets_target(genesis.nonce)
    assert sum(state.meets_target(genesis.nonce + d) for d in range(1, 9)) == 0
    assert block_level(genesis, KASPA_10BPS) == KASPA_10BPS.max_block_level  # genesis
    check_proof_of_work(dataclasses.replace(genesis, nonce=0), KASPA_10BPS)  # never checked


# --- Against a naive second implementation ---------------------------------------------------


def _naive_xoshiro(seed: bytes) -> Any:
    s = [int.from_bytes(seed[8 * i : 8 * i + 8], "little") for i in range(4)]
    mask = 2**64 - 1
    while True:
        total = (s[0] + s[3]) % 2**64
        yield (((total << 23) | (total >> 41)) + s[0]) & mask
        t = (s[1] << 17) & mask
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = ((s[3] << 45) | (s[3] >> 19)) & mask


def _exact_rank(rows: list[list[int]]) -> int:
    """Rank over the rationals by Bareiss's fraction-free elimination (every division exact)."""
    matrix = [list(row) for row in rows]
    rank, previous = 0, 1
    for column in range(len(matrix[0])):
        pivot = next((r for r in range(rank, len(matrix)) if matrix[r][column] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        lead = matrix[rank][column]
        for r in range(rank + 1, len(matrix)):
            factor = matrix[r][column]
            for k in range(column, len(matrix[r])):
                quotient, remainder = divmod(
                    lead * matrix[r][k] - factor * matrix[rank][k], previous
                )
                assert remainder == 0
                matrix[r][k] = quotient
        previous = lead
        rank += 1
    return rank


def _naive_matrix(seed: bytes) -> list[list[int]]:
    numbers = _naive_xoshiro(seed)
    while True:
        rows = []
        for _ in range(64):
            row = []
            for _ in range(4):
                value = next(numbers)
                row += [(value >> (4 * k)) % 16 for k in range(16)]
            rows.append(row)
        if _exact_rank(rows) == 64:
            return rows


def _cshake(data: bytes, custom: bytes) -> bytes:
    return cSHAKE256.new(data, custom).read(32)


def _naive_heavy_hash(rows: list[list[int]], digest: bytes) -> bytes:
    nibbles = []
    for byte in digest:
        nibbles += [byte // 16, byte % 16]
    sums = [sum(rows[r][j] * nibbles[j] for j in range(64)) for r in range(64)]
    product = bytes(
        ((sums[2 * i] >> 10) * 16 + (sums[2 * i + 1] >> 10)) ^ digest[i] for i in range(32)
    )
    return _cshake(product, b"HeavyHash")


def _naive_pow_value(header: BlockHeader, nonce: int) -> int:
    pre = header_hash(dataclasses.replace(header, timestamp=0, nonce=0))
    data = pre + header.timestamp.to_bytes(8, "little") + bytes(32) + nonce.to_bytes(8, "little")
    digest = _cshake(data, b"ProofOfWorkHash")
    return int.from_bytes(_naive_heavy_hash(_naive_matrix(pre), digest), "little")


@settings(max_examples=4)
@given(headers, st.integers(0, 2**64 - 1))
def test_pow_value_equals_the_naive_one(header: BlockHeader, nonce: int) -> None:
    assert PowState(header).pow_value(nonce) == _naive_pow_value(header, nonce)


def _nibble_rows(raw: bytes) -> list[list[int]]:
    entries = [nibble for byte in raw for nibble in (byte >> 4, byte & 15)]
    return [entries[64 * r : 64 * r + 64] for r in range(64)]


nibble_rows = st.binary(min_size=2048, max_size=2048).map(_nibble_rows)
"""Random 64 x 64 matrices of 4-bit entries."""


@given(
    st.one_of(nibble_rows, st.just([[15] * 64] * 64)),
    st.one_of(st.binary(min_size=32, max_size=32), st.just(b"\xff" * 32)),
)
def test_heavy_hash_equals_the_naive_one(rows: list[list[int]], digest: bytes) -> None:
    # All-15 rows and digest give the largest sums (64 * 15 * 15): no lane may carry.
    matrix = Matrix(tuple(tuple(row) for row in rows))
    assert heavy_hash(matrix, digest) == _naive_heavy_hash(rows, digest)


@settings(max_examples=8)
@given(nibble_rows, st.lists(st.integers(0, 63), max_size=5), st.data())
def test_rank_equals_the_exact_rank(
    rows: list[list[int]], dependent: list[int], data: st.DataObject
) -> None:
    # Planted dependencies: some rows become copies of others. Kaspa's rank is a floating-point
    # elimination, which equals the exact rank when no rounding decides a pivot: true of copies
    # (both rows undergo identical operations and cancel exactly), not of every integer
    # combination (rows 3a - 2b can leave a residue above Kaspa's epsilon, so that the float
    # rank, which is the rule, exceeds the exact one).
    for index in dependent:
        rows[index] = list(rows[data.draw(st.integers(0, 63))])
    assert matrix_rank(rows) == _exact_rank(rows)


def test_hashers_are_plain_cshake256() -> None:
    data = bytes(range(80))
    assert pow_hash(data) == _cshake(data, b"ProofOfWorkHash")
    assert kheavy_hash(data[:32]) == _cshake(data[:32], b"HeavyHash")


def test_a_malformed_matrix_is_refused() -> None:
    with pytest.raises(ValueError):
        Matrix(((16,) * 64,) * 64)
    with pytest.raises(ValueError):
        Matrix(((0,) * 64,) * 63)


# --- Targets, levels, parent levels ----------------------------------------------------------


@given(st.integers(0, 2**32 - 1))
def test_pow_target_is_compact_bits_with_kaspas_wrap(bits: int) -> None:
    try:
        expected = decode_bits(bits)
    except InvalidDifficulty:
        # Kaspa shifts a 256-bit integer: what lies above bit 255 is lost.
        expected = ((bits & 0xFFFFFF) << (8 * ((bits >> 24) - 3))) % 2**256
    assert pow_target(bits) == expected


@given(st.integers(0, 2**256 - 1), st.integers(0, 255))
def test_level_from_pow(value: int, max_block_level: int) -> None:
    # Second formula: the level is the largest l <= max with value < 2^(max - l), else 0.
    candidates = [
        level for level in range(max_block_level + 1) if value < 2 ** (max_block_level - level)
    ]
    assert level_from_pow(value, max_block_level) == (max(candidates) if candidates else 0)


def test_block_level_of_the_mainnet_block(mainnet: BlockHeader, mainnet_state: PowState) -> None:
    value = mainnet_state.pow_value(mainnet.nonce)
    assert 2**196 <= value < 2**197  # its PoW value has 197 bits
    assert block_level(mainnet, KASPA_10BPS) == 225 - 197
    assert block_level(mainnet, MINIMAL.with_overrides({"max_block_level": 100})) == 0


def test_parent_levels(mainnet: BlockHeader) -> None:
    check_parent_levels(mainnet, KASPA_10BPS)  # 54 levels, 226 allowed
    with pytest.raises(BlockRejected) as caught:
        check_parent_levels(mainnet, TOS)  # one level allowed
    assert caught.value.code is Code.TOO_MANY_PARENT_LEVELS
    single = dataclasses.replace(mainnet, parents_by_level=mainnet.parents_by_level[:1])
    check_parent_levels(single, TOS)
    check_parent_levels(dataclasses.replace(mainnet, parents_by_level=()), TOS)


def test_skip_proof_of_work_computes_nothing(
    mainnet: BlockHeader, monkeypatch: pytest.MonkeyPatch
) -> None:
    def forbidden(header: BlockHeader) -> None:
        raise AssertionError("no PoW state may be built when proof of work is skipped")

    monkeypatch.setattr(state_module, "PowState", forbidden)
    wrong = dataclasses.replace(mainnet, nonce=mainnet.nonce + 1)
    check_proof_of_work(wrong, KASPA_10BPS.with_overrides({"skip_proof_of_work": True}))


# --- The miner -------------------------------------------------------------------------------


def _template(bits: int) -> BlockHeader:
    genesis = header_from_json(TESTNET_GENESIS)
    return dataclasses.replace(
        genesis, parents_by_level=((header_hash(genesis),),), bits=bits, nonce=0, daa_score=1
    )


def test_mine_finds_the_first_passing_nonce() -> None:
    # 0x2000ffff: target 0xffff * 2^232, about 2^-8 of all values.
    template = _template(0x2000FFFF)
    mined = mine(template, KASPA_10BPS, max_tries=5000)
    assert mined is not None
    assert dataclasses.replace(mined, nonce=0) == template
    target = 0xFFFF << 232
    assert _naive_pow_value(template, mined.nonce) <= target
    check_proof_of_work(mined, KASPA_10BPS)
    state = PowState(template)
    assert all(state.pow_value(n) > target for n in range(mined.nonce))


def test_mine_gives_up_and_wraps() -> None:
    template = _template(0x03000000)  # target 0: nothing passes
    assert mine(template, KASPA_10BPS, max_tries=20) is None
    assert mine(template, KASPA_10BPS, max_tries=0) is None
    easy = _template(0x207FFFFF)  # target just under 2^255: about half of all values pass
    mined = mine(easy, KASPA_10BPS, max_tries=64, first_nonce=2**64 - 1)
    assert mined is not None and (mined.nonce == 2**64 - 1 or mined.nonce < 63)


def test_mine_with_proof_of_work_skipped_returns_the_header() -> None:
    template = _template(0x03000000)
    skipping = MINIMAL.with_overrides({"skip_proof_of_work": True})
    assert mine(template, skipping, max_tries=1) == template


@pytest.mark.parametrize("tries", [-1, True, 1.5])
def test_mine_refuses_a_bad_budget(tries: object) -> None:
    with pytest.raises(InvalidParameter):
        mine(_template(0x207FFFFF), KASPA_10BPS, max_tries=tries)  # type: ignore[arg-type]


# rusty-kaspa consensus/pow/src/matrix.rs test_heavy_hash (the same matrix as kaspad's
# testMatrix in heavyhash_test.go), one hexadecimal digit per entry.
HEAVY_HASH_MATRIX = (
    "d2ed2fe3a418438fffff2bfff17cc42061eacef8ac05d3eaa6cbb766a224bc05",
    "4d021fddb25cf70a7263c0c0267777acbecc4ba0ab2a177cf95e9c30cd4d8fb6",
    "e6f9822c234cdf45d430e35e3d4f9c7f51dc998beb4ac6c86398160589c5ef22",
    "96760b562ec64d89219745a8bbbf7b1e38e828d788f71d7917ff00cfd5da156d",
    "40ca6be22f41242cd19a802ad8975382661c3014283d6f0de4f073785ee55012",
    "ce6334671327fffa9c063850d5060e2ca4b2a7768b44b93ca52655adca16e7c4",
    "7e677c41868dd5cea862c38f5ff3e0869c9738407e33de3732233c6741ea6a29",
    "ebf57a1b426297409cb23d154a566c811f42cc04e3b175943f73f98383367692",
    "a46a52fc0eefe0c91c4552a42db318a070c4b1e6e55bb13806bb8476e49e97d9",
    "c7982335e809742ff3bb85750fa80d1e8a14d1d3bb23a68ef2aac77663d81e21",
    "2b69d3c6046d8e69a2a84d650df42217533d7359fee60fb24f6989f269f844b1",
    "ab83bda2252efa2b0182e1a0375a78f725d4a362396b7e1b9337609b4a41974f",
    "d8febc539e15ede5d54a99006c572726661c9f7bbab1aa0814558aaf68dbb3f5",
    "8b5a1a91c76b11412844778271e18ffca4fb36a740a9b71e4e3ea4dc53c7a803",
    "9b6fea04776077cf54c3730c27b673285b9438bc35ec4dc03e49119eae8f6eaf",
    "aea0acf039ba3511917f78aacb51a366d0d145949f84dd455b1df3af7baf8ca3",
    "85b38dff3c1d17156d7851c3a7c6ecf53c2fbd1d8580df7d6da1b0895b299a4f",
    "04ce3175bd53bc68afb87a025f6a4231d76ce76eca6ec0cb6931cff355ab7fd3",
    "ce2ed6f788ed922a3f6ab7d0c1588c1b1324a7773a722301d582e0bd93d2e2f4",
    "00d69cf78074cf3271e493dcbc9937a919a2aeb0e4fcc998e19e0610d976d239",
    "80ad079751037a3f1f3b263a0aa34f86bb75857f1b7dd6dd423f95a6663bfd1f",
    "112a22959201e2b6b610d7e1fed7cb8b2b6a2300f0464c557ea603d081da5175",
    "052ca251e014fb87bef641667dc5d2162d5f088655203de2a576e514b2b18f24",
    "9945253ce51330067e0feb3a194e7e10fb59400a44078fc8a8121bceee8a15da",
    "5a44ba060ca59b8ab3bec946bc876e06c45390b6132c897ce7c6bd021318c2ff",
    "ab23ba171aae5da3bf9ebb3fb6fdd11a515ba39cc1563311c83f628e34a97d26",
    "c0104336831d6c1114c4499ef364b1c560a918e5284fcd7ec2694d0faa6c7c9a",
    "085bccb7292f110065a1bc8717a428251129203751553143e8b7802d3f1defbd",
    "8d5e299df82e42601dad6cfb6b99296e29c1d95ba44589da905f4c7a655f88be",
    "69671f014f53a9f9ec7630c8c2b8b81aa7753512db252aa1ee81b126fa87a703",
    "c6b1178155846564284100e2aeeb29efce937e47c93510c9a5bcaa6e6dd55ada",
    "c6d080a6ff730adead5dfe34aa966f270a6e29b755debf9420f54ee1345811ac",
    "2504b556a467a30ee0cfbcd7639198884a317a32c6fe068a19ccf71bfd04a0cb",
    "8cefefa02e3126021790fd5e68f4f6a6f3c854a5304da9846396cb9d8a998c12",
    "baff5ef759ee7b6638234eb1cfb600d7e3ce0f61b2b83d4cad7e9d3a2ed4cdea",
    "1b2c1a7c33e91a0b8acc4c2b503f82e3a21d6e008b6dfac77be92768e9eab99c",
    "5ae214b5a2d96cb5d45e87f984529b53c26174b4f052dbb2fa0c58a14b3db79e",
    "98a502587336b1df44b626db26945dc2877cef5c70ff05f039af9baa5393cd0d",
    "1bf0a535671b4b425c255615e915ec6a085bbbca8aa1e108470b31bcb8ef931e",
    "ebcc468ef1b2d362718149bf81ad4d277a52ccc3a82b038942f7f646c7e998ec",
    "f48cbb950076a58256ebd0df549fdcefa236ae1867a1e9cd72ca6bf1fbd06d7f",
    "33c5e9ee809122eb7131efc8e24da5a8176542b54de6df667cb5da9d9e567eb7",
    "ecb505a5717b10d65e305e678586636183a7f6b667d2200b1f2e514801801122",
    "add3fe9cff858a59667f10e91b6bd46e9cd8e6e23f44e49c809bda8e357b67f2",
    "99b6b0548a8b2c87bd61ddb4577964c0b86cb4fbc8bb136e96750a3fd701df1e",
    "a687369f13ae900a0f200060d99186d219e9148420850bcfd1eef7844c1c8395",
    "cb14ae8c24f2977bfcab74d08688a55d379dde68157c4469d1616e582a4a196f",
    "4d496b187bb13acb1a6a0730063921482a2f9feefe32766a884b1d602a0bfe69",
    "f0cd09a4b5a08732c6385fe2dd6b569ae5e4975bd271e9078cbf215b37516386",
    "038146313820ffefdab92b5c330153b6ab857f4c88ccc194b6ab1c8c561e2a30",
    "ad69b14a0d874cf5ec6900a5daf3087098a6b8adb7559d1f05f54799f8263858",
    "e0624c2d6a52216b169d0d93c438709c017aa739d5f4d0854eb33df99c95201e",
    "4ed0efbab13391c865fb17538d0db58186d4d7c65570c118164288fbbb4447dc",
    "efa04319d799f5039647db327168d7a4395926a79d2e2e72e2880909c67768cd",
    "5f8cb3d45ea4ff1a9e664c49c2fd25c232fbc262b679ca511596eb3b6abb0cf1",
    "c68a25798effdaf3aa6aea75376cbc89c9fff783fe1c00409a87ea8e6281ba01",
    "c12c7a4b5ea2294d3e3f50e77f6528f966da9863e7c978dced60519ce0bb63b7",
    "f48c8b4f162d177c08eeae0c033b742d00b258cb65600400199b32d4d9f47832",
    "3d88ca547dade32cb09564e46925a39a50c5f5ff2c3b0f9e1566e58059377cf1",
    "1b74d308b9f14c2ca4e39ee23bc45a6f2dd991bcce15f17ecabdd5247794efda",
    "ef9e95d200e86207ba2d2e964b5e616e6395293b1e54c535b3b6d7d7494d835b",
    "dccd8242a635776d86f4c7f4398f03c198daf4e16f0489313f551bbaba8854d0",
    "84f9e9588a5f98c5ba2cd1026db9c050b5ec342a3c5f48e10d9524d82589f355",
    "0334655132e5a7fb7df40c9fc031e1c9d89fc35b3b4194d74a6ed09bff33dfaf",
)
# rusty-kaspa consensus/pow/src/matrix.rs test_generate_matrix (kaspad TestGenerateMatrix):
# the matrix generated from the hash [42; 32].
MATRIX_OF_42 = (
    "4545454545454545f3f3f3f3f3f3f3f32a2a2a2a2a2a2a2ae122ea4c4caaaaaa",
    "9b1b1b9b9b93cdb5ff5068186bf536732fe37be736ec39511084af9a6d117446",
    "2608bf40527df3bc6218d4b4aed26fa6656933319ccf60157de1aa5e40cd2f84",
    "86510648d08c7243a593cd24de779ca8b6e3c8802a091978529df6da191a62a9",
    "426e4257f604b9c03204a5c334a10d3cf07a22f02f82fca662d38e3da545165a",
    "03dcb4bd1c4bfed47130a388125e45e113315f75b88ca5792adb42cfa660663c",
    "9c3358cd745b40722fcec542888d61150fcd8504d161ce10dcaa14dd84fd66ea",
    "ef80725a53c0b3428b6ee33c37626cf11d069977d442f52fdda69f296a6ee35b",
    "6478b0db0700d63bfea278de8fa8e6ae3b5bd53c30206e4c448f78cb395daed4",
    "a00f14d3fa25b29e73286f0c141930f89d079a6e379740b84658805e7cc25656",
    "c00e8303da5d5724db31b2e5a559cfc810bd811ba0bfd9ce545e27214cbb9cbf",
    "3f98dcf787e6a3052266325cb2abd397768feebb971385bb12f8d8b4153c5377",
    "dd2e43f20f1541514e51bdf1335de10461f770f8f3e778ca2e92bb7a43cd4d0e",
    "ceff200d4642eb56e8e7df6f7910b9902c88eb7530bc92890098982ec20ed84a",
    "7a1fce747d48dc17a65ee3e4be6cfcfc45987730573844756cd0ca25e964dde5",
    "e5834fdeea7ef2beddca69556dfd70fb4cf7743b8e5a244c3619f11d750ef786",
    "12a52d1bfa499ced35037ba3c5a2d717d8283ea35c0939b2a906401eb0861f3a",
    "d90587cfaa511761e5f235357377143e50c0caa6c6355ba1b3d39b17ee08f527",
    "85b6f01d167f43ec93b64c1b6c5b1c2312bc05b53db3bea83948db9b24c30e7b",
    "ab4a783ef8f69856c1f655ed2ce655e91abe86eb1f6bb812854f68080b01078f",
    "0f50b442048c220812656c31c16a25020b86d4e4f58b96269142ea4411b86bb9",
    "736591b0fddd4eec37931659762ba4beadb8b81f50a5605fb664ab8c0abbb1d6",
    "7f00b57d37325c6be49899d0f2d2f6f11740a18e0ac45d907cdbb88f2f4493a7",
    "0935e67e72d73f9f280460f621e858242b92fdbc8f3d22ad187fd67743e709fb",
    "8d77887814a1c4eb7cf0af92e2e245d32a0f768b76aa47a66ea4e6c2819d343e",
    "aa6385a7ba948e9a098ebf8dd7ddd9cb63960066b648151796d4388b9a6bcdee",
    "ea0fe430c40eb90646098e446828a38011f424d994055125b62178aa1586704e",
    "0fabdc774095280a66756790148ea355b51a6a0e1fbc8278403b9f35ffef345e",
    "5cc800e14f32261a7ae5e08590c89a3c3200cc7d2647aae1b6a3c21a7dacebe8",
    "953c43ae75bc2d98526249aa4340b1a94a458b17d7663c00f6ccd7eebf7ec6f2",
    "f20cfe8e7e033bc23ed5c96b74517c0b156686c2c3a34a333aae3df076f6d74b",
    "bf5e011e23fe43b1660c35f63bdb778b59aa9e7172866519658e2e29334fd527",
    "78d9f8b719fc6931aab008e5bce439c9e009c41d3634da29377a7aa35f89b71e",
    "5591f33b6bdd4c7c48ed7cd8a21cb708a9f139a091e11922895632f9f63be404",
    "92a2096dd0de3c1f93c25f66fb7b040bac793022dd969264365aa97249db2d68",
    "df9862322c5386b6f7a3f8753842b1041161d651267a43a6207df1d0caf624e3",
    "5be407c44ec34a7e64e70c59f6f63c0ab71ed51e5fc19d9de5abcafb9d2e9c2b",
    "2c57152b84f69e51f431b4214544733c432fd1ef146bdf6ccd68a0ac1a329828",
    "acc685445367f5a38fe562e41713c3c4af66066869575192490811e37e8904b7",
    "dbe7040acba86cdf92e930cebf47fe48fc9e779dee49d81d63c70f6f723095d0",
    "38cb599e8ee599ca3cd00067c423889fb1cdafb12da1727b8f76465bbf21b118",
    "a7714d9a2237c855553156828b504cc679eab809b4e7782fc744d203e0152f7b",
    "38a4173d5e09310b2f4965e0281e76155720534fda9ddc5bbeda8e08172acc1b",
    "be4d3ba6f25ae4d3c7ca4001e6122c923b14a4477c43cb93fd6d7b5c5dfc0dc9",
    "872253afa8104576fd2e6295905c864c68ef7fb22c797bf7045d725905767c41",
    "b42d6a94c99642ee955ff98b428be38ae96647b23751e29401a76713d732c366",
    "b1e3e3990be6e7e84256d34a88ab51ff704efded32160664f60c5b1733dcc632",
    "72aeed4ea6027725e15ef1292d13613da6bd17df2b96d7923daa62591303153c",
    "be42abf5978ba957e3c27fcf4fc926668507efee3c7c2417134719bff371a9ee",
    "4db19651b668398fdc3d59a5c1fec1ab573c9c0223e42d1fb83d0a5460e8106f",
    "f2052e90a5c85601944146e53022e9702fc0ac9cf194f30d065026b9df635408",
    "4e8ed44a6cfb72f6991bd27a445cef8561bf4b5257345738ad7565a1cd36287f",
    "3f49ec61707fa655f59476e214a3c1710a2bed7a5b5bf503f12edda9fca52a06",
    "465dbaf42fd677404674916761420b63e5922a12de4b47c98229579c8f09cb1c",
    "bcb98f4cda666c306ffa6c57a2716c9bbe1cf062cf4fe834f4d3e1376d910c4e",
    "cbdaaa37c3d960ca4b54b57e6accdfc1dff712861cc04333789a7700bdf495a9",
    "6c309b6499159e37f3505b76d5a2ca26011d93b782a9d664c03a94fbe1930e61",
    "beaab647a07932dd99233ea4e1a7e49f3b5a78301223c962bf39368045730e79",
    "4bdc623ff35105a2537af0532aca839f537d57dc5a29a194e1ad122c53e778dd",
    "acba0f430830f03aa9f3d38382e716d822c330ac011750da7d99d70102e2d083",
    "b3bacfb6e8857b31d7d4f72387389faf905417d8271a1cc17cd5ea9fc2a3a39c",
    "98b05615910cc0cb284017751e19d72c89cd1b53cef498c7b139b57e46c34c79",
    "ac2ee1b837d721ed76f8fcdabf426dc32afeab8e93c9f2ee5d76211410da1029",
    "a5bec1c7c8a56a0756bbdc0d06b0e421c71a7f53ef1312a4b82b2554f5a3172e",
)
