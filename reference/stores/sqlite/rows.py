"""How each stored value is written into an SQLite column, and read back.

Every encoding here has exactly one form per value, so a row read back gives a value equal to
the one written, and a byte that does not fit the form is a corrupt store
(:class:`~reference.errors.StoreError`, ``STORE_CORRUPT``), never a crash:

- a hash is a 32-byte ``BLOB``;
- a list of hashes is one ``BLOB`` of 32-byte hashes in list order (the empty list: an empty
  ``BLOB``);
- an unsigned integer that may exceed SQLite's signed 64 bits (targets, work, blue work) is
  its minimal big-endian bytes: no leading zero byte, 0 as the empty ``BLOB``; ordering
  ``BY length(x), x`` orders such columns numerically;
- a reachability interval bound (``0 .. 2^64 - 1``) is 8 bytes big-endian, so ``ORDER BY``
  orders it numerically;
- a count, a height or a blue score is an ``INTEGER``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Final

from reference.block import Header, consensus_view
from reference.errors import Code, DagspecError, StoreError
from reference.hash import HASH_SIZE, Hash
from reference.header import header_hash
from reference.header_wire import header_from_wire, header_to_wire
from reference.pipeline.virtual import ChainChange, VirtualState
from reference.processes.ghostdag.data import GhostdagData

ANTICONE_ENTRY_SIZE: Final = HASH_SIZE + 8
"""One blue anticone size: the blue's 32-byte hash, then the size as a u64 big-endian."""

HeaderRow = tuple[bytes, int, bytes | None, bytes, bytes, int | None, bytes | None]
"""``(hash, ordinal, wire, target, work, claimed_blue_score, claimed_blue_work)``: the columns
of table ``headers``."""

GhostdagRow = tuple[bytes, bytes | None, int, bytes, bytes, bytes, bytes]
"""``(hash, selected_parent, blue_score, blue_work, mergeset_blues, mergeset_reds,
blues_anticone_sizes)``: the columns of table ``ghostdag``."""

VirtualRow = tuple[bytes, bytes, bytes, bytes, int, bytes, bytes | None, bytes | None, bytes, bytes]
"""``(parents, selected_parent, mergeset_blues, mergeset_reds, blue_score, blue_work,
merge_depth_root, finality_point, chain_removed, chain_added)``: the columns of table
``virtual_state`` after ``id``."""


def _corrupt(what: str) -> StoreError:
    """The error of a row that does not decode (the path is filled in by the engine)."""
    return StoreError(Code.STORE_CORRUPT, "store", what)


def pack_hashes(hashes: Iterable[Hash]) -> bytes:
    """The hashes, concatenated in order."""
    return b"".join(hashes)


def unpack_hashes(blob: object, column: str) -> tuple[Hash, ...]:
    """The hashes of a concatenation written by :func:`pack_hashes`."""
    if not isinstance(blob, bytes) or len(blob) % HASH_SIZE:
        raise _corrupt(f"{column}: not a list of 32-byte hashes")
    return tuple(Hash(blob[i : i + HASH_SIZE]) for i in range(0, len(blob), HASH_SIZE))


def unpack_hash(blob: object, column: str) -> Hash:
    """A hash column."""
    if not isinstance(blob, bytes) or len(blob) != HASH_SIZE:
        raise _corrupt(f"{column}: not a 32-byte hash")
    return Hash(blob)


def pack_uint(value: int) -> bytes:
    """A non-negative integer as its minimal big-endian bytes (0: no bytes)."""
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def unpack_uint(blob: object, column: str) -> int:
    """An integer written by :func:`pack_uint` (a leading zero byte is not its form)."""
    if not isinstance(blob, bytes) or blob[:1] == b"\0":
        raise _corrupt(f"{column}: not a minimal big-endian integer")
    return int.from_bytes(blob, "big")


def pack_u64(value: int) -> bytes:
    """A reachability interval bound as 8 bytes big-endian."""
    return value.to_bytes(8, "big")


def unpack_u64(blob: object, column: str) -> int:
    """An interval bound written by :func:`pack_u64`."""
    if not isinstance(blob, bytes) or len(blob) != 8:
        raise _corrupt(f"{column}: not an 8-byte integer")
    return int.from_bytes(blob, "big")


def unpack_int(value: object, column: str) -> int:
    """An ``INTEGER`` column holding a non-negative integer."""
    if not isinstance(value, int) or value < 0:
        raise _corrupt(f"{column}: not a non-negative integer")
    return value


def header_row(header: Header, work: int, ordinal: int) -> HeaderRow:
    """The ``headers`` row of an accepted header, the ``ordinal``-th block accepted.

    A complete header (header mode) is its wire form (``spec/header``), whose hash is the
    block's; its claims are in it. A DAG-mode header has no wire form: its claimed blue score
    and blue work are kept apart (``NULL`` when it makes no claim). Its parents are in table
    ``parents`` in both modes.
    """
    full = header.full
    dag_mode = full is None
    return (
        header.hash,
        ordinal,
        None if full is None else header_to_wire(full),
        pack_uint(header.target),
        pack_uint(work),
        header.blue_score if dag_mode else None,
        pack_uint(header.blue_work) if dag_mode and header.blue_work is not None else None,
    )


def header_from_row(
    row: Sequence[object], parents: Mapping[Hash, Sequence[Hash]]
) -> tuple[Header, int]:
    """The header and work of a ``headers`` row; ``parents`` maps each block to its parents as
    table ``parents`` lists them. A wire form that is not the header stored under its hash,
    or whose parents are not the listed ones, is a corrupt store."""
    block_bytes, _, wire, target_bytes, work_bytes, claimed_score, claimed_work = row
    block = unpack_hash(block_bytes, "headers.hash")
    target = unpack_uint(target_bytes, "headers.target")
    work = unpack_uint(work_bytes, "headers.work")
    listed = tuple(parents.get(block, ()))
    if wire is None:
        header = Header(
            hash=block,
            parents=listed,
            target=target,
            blue_score=(
                None if claimed_score is None else unpack_int(claimed_score, "headers.score")
            ),
            blue_work=None if claimed_work is None else unpack_uint(claimed_work, "headers.work"),
        )
        return header, work
    if not isinstance(wire, bytes):
        raise _corrupt("headers.wire: not a BLOB")
    try:
        full = header_from_wire(wire)
    except DagspecError as error:
        raise _corrupt(f"headers.wire of {block}: {error}") from None
    if header_hash(full) != block:
        raise _corrupt(f"headers: the header stored under {block} hashes to another value")
    if full.parents != listed:
        raise _corrupt(f"parents of {block}: not the header's parents")
    return consensus_view(full, block, target), work


def ghostdag_row(data: GhostdagData) -> GhostdagRow:
    """The ``ghostdag`` row of a block's GHOSTDAG data.

    ``blues_anticone_sizes`` keeps the mapping's own order: each entry is the blue's hash and
    its anticone size as a u64 big-endian (:data:`ANTICONE_ENTRY_SIZE` bytes).
    """
    sizes = b"".join(
        blue + size.to_bytes(8, "big") for blue, size in data.blues_anticone_sizes.items()
    )
    return (
        data.hash,
        data.selected_parent,
        data.blue_score,
        pack_uint(data.blue_work),
        pack_hashes(data.mergeset_blues),
        pack_hashes(data.mergeset_reds),
        sizes,
    )


def ghostdag_from_row(row: Sequence[object]) -> GhostdagData:
    """The GHOSTDAG data a ``ghostdag`` row holds."""
    block, parent, score, work, blues, reds, sizes = row
    if not isinstance(sizes, bytes) or len(sizes) % ANTICONE_ENTRY_SIZE:
        raise _corrupt("ghostdag.blues_anticone_sizes: not a list of (hash, u64) entries")
    anticone = {
        Hash(sizes[i : i + HASH_SIZE]): int.from_bytes(
            sizes[i + HASH_SIZE : i + ANTICONE_ENTRY_SIZE], "big"
        )
        for i in range(0, len(sizes), ANTICONE_ENTRY_SIZE)
    }
    return GhostdagData(
        hash=unpack_hash(block, "ghostdag.hash"),
        selected_parent=None if parent is None else unpack_hash(parent, "ghostdag.selected_parent"),
        mergeset_blues=unpack_hashes(blues, "ghostdag.mergeset_blues"),
        mergeset_reds=unpack_hashes(reds, "ghostdag.mergeset_reds"),
        blues_anticone_sizes=MappingProxyType(anticone),
        blue_score=unpack_int(score, "ghostdag.blue_score"),
        blue_work=unpack_uint(work, "ghostdag.blue_work"),
    )


def virtual_row(state: VirtualState) -> VirtualRow:
    """The ``virtual_state`` row of the virtual state (after its ``id`` column)."""
    return (
        pack_hashes(state.parents),
        state.selected_parent,
        pack_hashes(state.mergeset_blues),
        pack_hashes(state.mergeset_reds),
        state.blue_score,
        pack_uint(state.blue_work),
        state.merge_depth_root,
        state.finality_point,
        pack_hashes(state.chain_change.removed),
        pack_hashes(state.chain_change.added),
    )


def virtual_from_row(row: Sequence[object]) -> VirtualState:
    """The virtual state a ``virtual_state`` row holds (``row`` without its ``id``)."""
    parents, selected, blues, reds, score, work, root, finality, removed, added = row
    return VirtualState(
        parents=unpack_hashes(parents, "virtual_state.parents"),
        selected_parent=unpack_hash(selected, "virtual_state.selected_parent"),
        mergeset_blues=unpack_hashes(blues, "virtual_state.mergeset_blues"),
        mergeset_reds=unpack_hashes(reds, "virtual_state.mergeset_reds"),
        blue_score=unpack_int(score, "virtual_state.blue_score"),
        blue_work=unpack_uint(work, "virtual_state.blue_work"),
        chain_change=ChainChange(
            removed=unpack_hashes(removed, "virtual_state.chain_removed"),
            added=unpack_hashes(added, "virtual_state.chain_added"),
        ),
        merge_depth_root=None if root is None else unpack_hash(root, "virtual_state.root"),
        finality_point=(
            None if finality is None else unpack_hash(finality, "virtual_state.finality_point")
        ),
    )
