"""The hash merkle root: how a block header commits to its transactions.

Kaspa's merkle tree (rusty-kaspa ``crypto/merkle/src/lib.rs``, ``consensus/core/src/merkle.rs``):
the leaves are the transaction hashes in block order (coinbase first). A level is paired left
to right and a pair hashes to ``BLAKE2b-256(left || right)`` keyed with ``MerkleBranchHash``;
a level of odd length pairs its last node with the all-zero hash. The root of no leaves is the
all-zero hash, and the root of one leaf is that leaf. (Kaspa writes the same tree as an array
padded with empty slots to a power of two; a slot is empty exactly when its left child is, and
an empty right child hashes as zeros — so every level pads as described here.)

Leaves are transaction hashes (keyed ``TransactionHash``), inner nodes keyed
``MerkleBranchHash``: no leaf can pass for an inner node.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Final

from reference.hash import ZERO_HASH, Hash
from reference.transaction.encoding import transaction_hash
from reference.transaction.model import Transaction

MERKLE_BRANCH_KEY: Final = b"MerkleBranchHash"
"""BLAKE2b key of an inner node."""


def merkle_hash(left: Hash, right: Hash) -> Hash:
    """An inner node: keyed BLAKE2b-256 of its two children."""
    digest = hashlib.blake2b(left + right, digest_size=32, key=MERKLE_BRANCH_KEY)
    return Hash(digest.digest())


def merkle_root(leaves: Sequence[Hash]) -> Hash:
    """The root of the tree over ``leaves`` in order (zero hash for none)."""
    if not leaves:
        return ZERO_HASH
    level = list(leaves)
    while len(level) > 1:
        if len(level) % 2:
            level.append(ZERO_HASH)
        level = [merkle_hash(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def hash_merkle_root(transactions: Iterable[Transaction]) -> Hash:
    """A header's ``hash_merkle_root``: the root over the transactions' hashes."""
    return merkle_root([transaction_hash(tx) for tx in transactions])
