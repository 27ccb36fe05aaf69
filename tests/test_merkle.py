"""The hash merkle root: Kaspa's array-shaped tree written independently, and every goref
block's header."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from reference.hash import ZERO_HASH, Hash
from reference.merkle import hash_merkle_root, merkle_hash, merkle_root
from reference.transaction.json_form import transaction_from_json
from tests.kaspa_blocks import goref_blocks


def _branch(left: bytes, right: bytes) -> bytes:
    return hashlib.blake2b(left + right, digest_size=32, key=b"MerkleBranchHash").digest()


def _array_root(leaves: list[bytes]) -> bytes:
    """Kaspa's layout: leaves in an array padded with empty slots to a power of two, each
    parent after them; an empty left child makes an empty parent, an empty right child
    hashes as 32 zero bytes."""
    if not leaves:
        return bytes(32)
    width = 1
    while width < len(leaves):
        width *= 2
    slots: list[bytes | None] = [*leaves, *([None] * (width - len(leaves)))]
    slots += [None] * (width - 1)
    parent = width
    for child in range(0, 2 * width - 2, 2):
        left, right = slots[child], slots[child + 1]
        slots[parent] = None if left is None else _branch(left, right or bytes(32))
        parent += 1
    root = slots[-1]
    assert root is not None
    return root


@settings(max_examples=300)
@given(st.lists(st.binary(min_size=32, max_size=32), max_size=70))
def test_matches_kaspas_array_tree(leaves: list[bytes]) -> None:
    assert merkle_root([Hash(leaf) for leaf in leaves]) == _array_root(leaves)


def test_small_trees_by_hand() -> None:
    a, b, c = (Hash(bytes([n]) * 32) for n in (1, 2, 3))
    assert merkle_root([]) == ZERO_HASH
    assert merkle_root([a]) == a
    assert merkle_root([a, b]) == _branch(a, b)
    assert merkle_root([a, b, c]) == _branch(_branch(a, b), _branch(c, bytes(32)))
    assert merkle_hash(a, b) != merkle_hash(b, a)


def test_every_goref_header_commits_to_its_transactions() -> None:
    blocks = goref_blocks()
    assert len(blocks) == 266
    for block in blocks:
        txs = [transaction_from_json(item) for item in block["transactions"]]
        assert hash_merkle_root(txs).hex() == block["header"]["hashMerkleRoot"]
