"""Block templates: the block a miner is asked to find a nonce for.

A template is a complete block over the virtual's parents that every rule accepts once its
nonce meets its target (``spec/mining``). It is built in three parts:

1. **the header fields** — :meth:`~reference.consensus.Consensus.build_header` over the
   virtual's parents (:meth:`~reference.consensus.Consensus.virtual_state`: the sink first,
   at most ``max_block_parents``, within the mergeset limit, no bad merges), so bits, DAA
   score, blue score, blue work, pruning point and the timestamp
   ``max(past median time + 1, now)`` are derived exactly as validation derives them. Nothing
   is executed, so nothing is accepted and no UTXO set exists: ``accepted_id_merkle_root`` and
   ``utxo_commitment`` are the zero hash (validation carries and hashes them, never checks
   them);
2. **the transactions** — :func:`select_transactions` takes mempool transactions in ascending
   id order while they fit the block size limit, space for the largest coinbase reserved; the
   body is the coinbase, then those transactions: relay's canonical order;
3. **the coinbase** — :func:`~reference.coinbase.build_coinbase` with the virtual's blue
   score, paying :data:`TEMPLATE_SUBSIDY` to the miner's script, the miner's ``extra_data``
   at the end of the payload; the hash merkle root is folded from the coinbase's hash up the
   :func:`coinbase_branch` of the other transactions, so a template for another miner costs a
   coinbase and a dozen hashes, not a new tree.
"""

from __future__ import annotations

import dataclasses
import hashlib
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Final

from reference.coinbase import MAX_COINBASE_PAYLOAD_LEN, MIN_COINBASE_PAYLOAD_LEN, build_coinbase
from reference.consensus import Consensus
from reference.hash import ZERO_HASH, Hash
from reference.header import BlockHeader
from reference.merkle import MERKLE_BRANCH_KEY, merkle_hash
from reference.mining.mempool import MempoolEntry
from reference.pipeline.body_validation import MAX_BLOCK_SIZE
from reference.relay.body import MAX_BLOCK_TRANSACTIONS
from reference.transaction.encoding import encode_transaction, transaction_hash
from reference.transaction.model import ScriptPublicKey, Transaction

TEMPLATE_SUBSIDY: Final = 50_000_000_000
"""Sompi a template's coinbase pays its miner: Kaspa's pre-deflationary subsidy at one block
per second (500 KAS). No rule checks it — rewards are execution, which this specification
does not do (``reference.coinbase``) — so the value only keeps the coinbase Kaspa-shaped."""

MAX_STANDARD_SCRIPT_LEN: Final = 35
"""The longest standard script public key (``reference.mining.address``)."""


def _largest_coinbase_size() -> int:
    # Payload at its limit: blue score, subsidy, script version and length, the script, and
    # extra data filling the rest.
    script = ScriptPublicKey(0, bytes(MAX_STANDARD_SCRIPT_LEN))
    extra = bytes(MAX_COINBASE_PAYLOAD_LEN - MIN_COINBASE_PAYLOAD_LEN - MAX_STANDARD_SCRIPT_LEN)
    return len(encode_transaction(build_coinbase((1 << 64) - 1, script, TEMPLATE_SUBSIDY, extra)))


COINBASE_RESERVE: Final = _largest_coinbase_size()
"""Bytes reserved for the coinbase when transactions are selected: the encoding of the largest
coinbase a template writes, so the selection does not depend on who mines."""


@dataclass(frozen=True, slots=True)
class Template:
    """A block waiting for its nonce."""

    header: BlockHeader
    """Every header field filled; ``nonce`` is 0."""
    transactions: tuple[Transaction, ...]
    """The coinbase, then the selected transactions in ascending id order."""
    pay_address: str
    """The address the coinbase pays, as the miner gave it."""
    built_ms: int
    """The node clock's time when the header was built (milliseconds)."""


@dataclass(frozen=True, slots=True)
class Selection:
    """Mempool transactions chosen for a body, and what the merkle root needs of them."""

    entries: tuple[MempoolEntry, ...]
    """The transactions after the coinbase with their ids, hashes and sizes, ascending id."""
    transactions: tuple[Transaction, ...]
    """The same transactions alone."""
    branch: tuple[Hash, ...]
    """:func:`coinbase_branch` of their hashes."""
    size: int
    """Bytes of their encodings together."""


def select_transactions(
    entries: Sequence[MempoolEntry],
    max_size: int = MAX_BLOCK_SIZE - COINBASE_RESERVE,
    max_count: int = MAX_BLOCK_TRANSACTIONS - 1,
) -> Selection:
    """Walk ``entries`` (ascending id) and take each one that still fits ``max_size`` bytes,
    up to ``max_count`` transactions; a transaction too large for what is left is skipped
    and the walk goes on. Transactions carry no fees here (nothing is executed), so id order
    is the whole policy: deterministic, and already the body's order."""
    sizes = [entry.size for entry in entries]
    # Every transaction of the prefix whose sizes add up to at most max_size is taken; the
    # walk proper starts after it.
    prefix = min(bisect_right(list(accumulate(sizes)), max_size), max_count)
    taken = list(entries[:prefix])
    size = sum(sizes[:prefix])
    rest = sizes[prefix:]
    smallest = min(rest, default=0)
    for entry in entries[prefix:]:
        if len(taken) == max_count or max_size - size < smallest:
            break
        if size + entry.size <= max_size:
            taken.append(entry)
            size += entry.size
    chosen = tuple(taken)
    return Selection(
        chosen,
        tuple(entry.transaction for entry in chosen),
        coinbase_branch([entry.hash for entry in chosen]),
        size,
    )


_BRANCH_HASHER: Final = hashlib.blake2b(digest_size=32, key=MERKLE_BRANCH_KEY)


def _pairs_hashed(level: list[bytes]) -> list[bytes]:
    # merkle_hash over each pair, unrolled: a template hashes thousands of pairs, and copying
    # a keyed hasher is cheaper than keying a new one.
    copy = _BRANCH_HASHER.copy
    hashed = []
    for i in range(0, len(level), 2):
        hasher = copy()
        hasher.update(level[i] + level[i + 1])
        hashed.append(hasher.digest())
    return hashed


def coinbase_branch(others: Sequence[Hash]) -> tuple[Hash, ...]:
    """The siblings on the path from leaf 0 to the root of the merkle tree whose leaves are a
    coinbase hash followed by ``others``: one per level, lowest first (``reference.merkle``:
    a level of odd length is padded with the zero hash)."""
    branch: list[Hash] = []
    rest: list[bytes] = list(others)
    while rest:
        # This level holds leaf 0's node and ``rest``; an odd length is padded.
        if len(rest) % 2 == 0:
            rest.append(ZERO_HASH)
        branch.append(Hash(rest[0]))
        rest = _pairs_hashed(rest[1:])
    return tuple(branch)


def root_from_branch(leaf: Hash, branch: Sequence[Hash]) -> Hash:
    """The merkle root of a tree whose leaf 0 is ``leaf``, given its :func:`coinbase_branch`."""
    node = leaf
    for sibling in branch:
        node = merkle_hash(node, sibling)
    return node


@dataclass(frozen=True, slots=True)
class HeaderBase:
    """What a template shares with every other template over the same virtual: the header
    (its merkle root not yet set) and the transactions after the coinbase."""

    header: BlockHeader
    """The header with a zero ``hash_merkle_root``."""
    selection: Selection
    """The mempool transactions of the body."""
    built_ms: int
    """The node clock's time when it was built."""


def build_base(consensus: Consensus, selection: Selection) -> HeaderBase:
    """The header over the virtual's parents (timestamp ``max(past median time + 1, now)``)
    with ``selection`` as its body after the coinbase."""
    now = consensus.clock()
    header = consensus.build_header(consensus.virtual_state().parents, timestamp=None)
    return HeaderBase(header, selection, now)


def complete_template(
    base: HeaderBase, script: ScriptPublicKey, pay_address: str, extra_data: bytes
) -> Template:
    """The template of ``base`` whose coinbase pays ``script`` and carries ``extra_data``.

    Raises ``MALFORMED_TRANSACTION`` when ``extra_data`` makes the coinbase payload longer
    than 204 bytes.
    """
    coinbase = build_coinbase(base.header.blue_score, script, TEMPLATE_SUBSIDY, extra_data)
    root = root_from_branch(transaction_hash(coinbase), base.selection.branch)
    header = dataclasses.replace(base.header, hash_merkle_root=root)
    return Template(header, (coinbase, *base.selection.transactions), pay_address, base.built_ms)
