"""Every message of the wire protocol: one small class each, and one table of type tags.

A message is a frozen, slotted object with a type ``TAG`` (one byte, unique), a ``NAME`` (the
``on_<NAME>`` callback of :class:`~reference.p2p.peer.Peer`), a ``MAX_SIZE`` (the largest
payload the schema allows: a frame announcing more is refused before its payload is read),
``serialize()`` and ``deserialize(payload)``. Decoding is bounded by the bytes left
(:mod:`reference.p2p.codec`) and rejects anything but exactly one canonical message with
:class:`~reference.errors.PeerError`.

Headers travel in their wire form (:mod:`reference.header_wire`), which carries its own
lengths; transactions as Kaspa's transaction encoding (:mod:`reference.transaction.encoding`),
each a u32-length blob of 1 to :data:`MAX_TRANSACTION_SIZE` bytes, decoded by the consumer
(:func:`decode_transactions`). The byte layout of every message is in ``spec/p2p.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import ClassVar, Final, Self

from reference.errors import Code, DagspecError, MalformedTransaction, PeerError
from reference.hash import HASH_SIZE, ZERO_HASH, Hash
from reference.header import BlockHeader, header_hash
from reference.header_wire import header_to_wire, read_header_wire
from reference.p2p.codec import COUNT_SIZE, Reader, Writer, malformed
from reference.processes.ghostdag.data import GhostdagData
from reference.processes.trusted import TrustedBlock
from reference.relay.messages import MAX_MEMPOOL_SIZE, Tag
from reference.stores.depth import BlockDepth
from reference.transaction.encoding import decode_transaction, encode_transaction
from reference.transaction.model import Transaction

PROTOCOL_VERSION: Final = 2
"""The version of this wire protocol; a peer announcing another one is disconnected. Version 2
added sync from a pruned peer (REQUEST_TRUSTED_DATA to DONE_TRUSTED_BLOCKS)."""

MAX_TRANSACTION_SIZE: Final = 100_000
"""Largest transaction encoding in bytes (relay's limit, ``spec/relay``)."""
MAX_BLOCK_TRANSACTIONS: Final = 100_000
"""Most transactions one message may carry."""
MAX_BODY_BYTES: Final = 2 * 1024 * 1024
"""Largest payload that carries one block's transactions (the 1.25 MiB body limit, the
headers and per-transaction lengths fit under it)."""
MAX_HEADERS_PER_MESSAGE: Final = 16_384
"""Most headers one HEADERS message may carry; the sync protocol's own, smaller bound
(``spec/sync``) is checked by the receiver."""
MAX_HEADERS_BYTES: Final = 16 * 1024 * 1024
"""Largest HEADERS payload."""
MAX_LOCATOR_HASHES: Final = 64
"""Most hashes in a chain-block locator (Kaspa's bound)."""
MAX_BODIES_PER_REQUEST: Final = 99
"""Most bodies one REQUEST_BODIES names (Kaspa's IBD batch size)."""
MAX_PRUNING_POINTS: Final = 65_536
"""Most past pruning points, and most anticone blocks, one PRUNING_POINTS message names."""
MAX_TRUSTED_BLOCKS_PER_MESSAGE: Final = 1_024
"""Most blocks one TRUSTED_BLOCKS message carries."""
MAX_TRUSTED_MERGESET: Final = 1_024
"""Most hashes in each mergeset list of one trusted block (blues, reds, blue anticone sizes,
non-DAA mergeset): above any preset's mergeset size limit."""
MAX_ADDRESSES: Final = 1_000
"""Most addresses one ADDRESSES message carries."""
MAX_USER_AGENT: Final = 256
"""Longest user agent in bytes."""
MAX_NETWORK_NAME: Final = 64
"""Longest network name in bytes."""
MAX_REASON: Final = 256
"""Longest reason text of a REJECT in bytes."""
_MIN_HEADER_SIZE: Final = 1 + 2 + 8 + 3 * HASH_SIZE + 8 + 4 + 8 + 8 + 8 + 8 + HASH_SIZE
"""The smallest header wire form (no parent levels, zero blue work)."""


class Message:
    """Base of every message."""

    __slots__ = ()

    TAG: ClassVar[int]
    """The type tag: the frame's fifth byte."""
    NAME: ClassVar[str]
    """Snake-case name: a peer dispatches it to ``on_<NAME>``."""
    MAX_SIZE: ClassVar[int]
    """Largest payload of this type in bytes."""

    def serialize(self) -> bytes:
        """The payload."""
        raise NotImplementedError

    @classmethod
    def deserialize(cls, payload: bytes) -> Self:
        """The message whose payload is exactly ``payload``."""
        raise NotImplementedError


def _read_transactions(reader: Reader, field: str) -> tuple[bytes, ...]:
    count = reader.count(field, MAX_BLOCK_TRANSACTIONS, COUNT_SIZE + 1)
    transactions = []
    for _ in range(count):
        transaction = reader.blob(field, MAX_TRANSACTION_SIZE)
        if not transaction:
            raise malformed(f"{field}: an empty transaction")
        transactions.append(transaction)
    return tuple(transactions)


def _write_transactions(writer: Writer, transactions: Sequence[bytes]) -> Writer:
    writer.count(len(transactions))
    for transaction in transactions:
        writer.blob(transaction)
    return writer


def _read_header(reader: Reader, field: str) -> BlockHeader:
    try:
        header, end = read_header_wire(reader.data(), reader.offset)
    except DagspecError as error:
        raise malformed(f"{field}: {error.message}") from None
    reader.skip_to(end)
    return header


def encode_transactions(transactions: Sequence[Transaction]) -> tuple[bytes, ...]:
    """The encodings a message carries for ``transactions``."""
    return tuple(encode_transaction(tx) for tx in transactions)


def decode_transactions(transactions: Sequence[bytes]) -> tuple[Transaction, ...]:
    """The transactions a message carries; bytes that are not one raise ``MALFORMED_MESSAGE``."""
    try:
        return tuple(decode_transaction(tx) for tx in transactions)
    except MalformedTransaction as error:
        raise malformed(f"a transaction: {error.message}") from None


# --- handshake and liveness ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Version(Message):
    """The first message each side sends: who it is and what it speaks."""

    TAG: ClassVar[int] = 0x01
    NAME: ClassVar[str] = "version"
    MAX_SIZE: ClassVar[int] = 4 + 4 + MAX_NETWORK_NAME + HASH_SIZE + 4 + MAX_USER_AGENT + 24 + 4

    protocol_version: int
    """The sender's :data:`PROTOCOL_VERSION` (u32)."""
    network: str
    """The network's name (``spec/p2p``), at most 64 bytes of UTF-8."""
    genesis: Hash
    """The hash of the sender's genesis header."""
    user_agent: str
    """Free text naming the software, ``/name:version/``, at most 256 bytes of UTF-8."""
    timestamp: int
    """The sender's clock in milliseconds (u64; informative only)."""
    nonce: int
    """A random u64 per node, so that a node detects a connection to itself."""
    listen_port: int
    """The TCP port the sender accepts peers on, 0 when it accepts none (u16)."""
    relay_modes: int
    """Bit set of the compact relay modes the sender serves and understands: bit 0 short-ID
    compact blocks, bit 1 set reconciliation; full blocks are always understood (u8)."""
    preferred_mode: int
    """The relay mode the sender asks its peers in (0 full, 1 compact, 2 reconcile; u8)."""

    def serialize(self) -> bytes:
        return (
            Writer()
            .uint(self.protocol_version, 4)
            .text(self.network)
            .hash(self.genesis)
            .text(self.user_agent)
            .uint(self.timestamp, 8)
            .uint(self.nonce, 8)
            .uint(self.listen_port, 2)
            .uint(self.relay_modes, 1)
            .uint(self.preferred_mode, 1)
            .getvalue()
        )

    @classmethod
    def deserialize(cls, payload: bytes) -> Self:
        reader = Reader(payload)
        message = cls(
            protocol_version=reader.uint(4, "protocol_version"),
            network=reader.text("network", MAX_NETWORK_NAME),
            genesis=reader.hash("genesis"),
            user_agent=reader.text("user_agent", MAX_USER_AGENT),
            timestamp=reader.uint(8, "timestamp"),
            nonce=reader.uint(8, "nonce"),
            listen_port=reader.uint(2, "listen_port"),
            relay_modes=reader.uint(1, "relay_modes"),
            preferred_mode=reader.uint(1, "preferred_mode"),
        )
        reader.finish(cls.NAME)
        if message.relay_modes > 0b11 or message.preferred_mode > 2:
            raise malformed("version: unknown relay mode bits")
        return message


@dataclass(frozen=True, slots=True)
class _Empty(Message):
    """A message without fields."""

    MAX_SIZE: ClassVar[int] = 0

    def serialize(self) -> bytes:
        return b""

    @classmethod
    def deserialize(cls, payload: bytes) -> Self:
        Reader(payload).finish(cls.NAME)
        return cls()


@dataclass(frozen=True, slots=True)
class Verack(_Empty):
    """The answer to an acceptable VERSION."""

    TAG: ClassVar[int] = 0x02
    NAME: ClassVar[str] = "verack"


@dataclass(frozen=True, slots=True)
class Reject(Message):
    """Why the sender is about to disconnect (sent once, then the connection closes)."""

    TAG: ClassVar[int] = 0x03
    NAME: ClassVar[str] = "reject"
    MAX_SIZE: ClassVar[int] = 2 * COUNT_SIZE + 64 + MAX_REASON

    code: str
    """The canonical error code (``reference.errors.Code``), at most 64 bytes."""
    reason: str
    """Human-readable detail, at most 256 bytes of UTF-8."""

    def serialize(self) -> bytes:
        return Writer().text(self.code).text(self.reason).getvalue()

    @classmethod
    def deserialize(cls, payload: bytes) -> Self:
        reader = Reader(payload)
        message = cls(reader.text("code", 64), reader.text("reason", MAX_REASON))
        reader.finish(cls.NAME)
        return message


@dataclass(frozen=True, slots=True)
class _Nonce(Message):
    """A message holding one u64."""

    MAX_SIZE: ClassVar[int] = 8

    nonce: int
    """A u64 chosen by the pinging side and echoed back."""

    def serialize(self) -> bytes:
        return self.nonce.to_bytes(8, "little")

    @classmethod
    def deserialize(cls, payload: bytes) -> Self:
        reader = Reader(payload)
        message = cls(reader.uint(8, "nonce"))
        reader.finish(cls.NAME)
        return message


@dataclass(frozen=True, slots=True)
class Ping(_Nonce):
    """Asks for a PONG with the same nonce."""

    TAG: ClassVar[int] = 0x04
    NAME: ClassVar[str] = "ping"

    def answered_by(self, pong: Pong) -> bool:
        """True when ``pong`` echoes this ping's nonce."""
        return pong.nonce == self.nonce


@dataclass(frozen=True, slots=True)
class Pong(_Nonce):
    """The answer to a PING."""

    TAG: ClassVar[int] = 0x05
    NAME: ClassVar[str] = "pong"


@dataclass(frozen=True, slots=True)
class RequestAddresses(_Empty):
    """Asks for the addresses of peers the receiver knows."""

    TAG: ClassVar[int] = 0x06
    NAME: ClassVar[str] = "request_addresses"


@dataclass(frozen=True, slots=True)
class NetAddress:
    """Where a peer accepts connections."""

    host: bytes
    """The IP address as 16 bytes (IPv4 as an IPv4-mapped IPv6 address)."""
    port: int
    """The TCP port (u16)."""


@dataclass(frozen=True, slots=True)
class Addresses(Message):
    """Peer addresses the sender knows (answer to REQUEST_ADDRESSES)."""

    TAG: ClassVar[int] = 0x07
    NAME: ClassVar[str] = "addresses"
    MAX_SIZE: ClassVar[int] = COUNT_SIZE + MAX_ADDRESSES * 18

    addresses: tuple[NetAddress, ...]
    """At most :data:`MAX_ADDRESSES` addresses."""

    def serialize(self) -> bytes:
        writer = Writer().count(len(self.addresses))
        for address in self.addresses:
            writer.raw(address.host).uint(address.port, 2)
        return writer.getvalue()

    @classmethod
    def deserialize(cls, payload: bytes) -> Self:
        reader = Reader(payload)
        count = reader.count("addresses", MAX_ADDRESSES, 18)
        addresses = tuple(
            NetAddress(reader.take(16, "host"), reader.uint(2, "port")) for _ in range(count)
        )
        reader.finish(cls.NAME)
        return cls(addresses)


# --- block relay -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _OneHash(Message):
    """A message holding one block hash."""

    MAX_SIZE: ClassVar[int] = HASH_SIZE

    block: Hash
    """The block."""

    def serialize(self) -> bytes:
        return bytes(self.block)

    @classmethod
    def deserialize(cls, payload: bytes) -> Self:
        reader = Reader(payload)
        message = cls(reader.hash("block"))
        reader.finish(cls.NAME)
        return message


@dataclass(frozen=True, slots=True)
class InvBlock(_OneHash):
    """Announces a block the sender has accepted with its body."""

    TAG: ClassVar[int] = 0x10
    NAME: ClassVar[str] = "inv_block"


@dataclass(frozen=True, slots=True)
class RequestRelayBlock(Message):
    """Asks for an announced block in one relay mode (``spec/relay``)."""

    TAG: ClassVar[int] = 0x11
    NAME: ClassVar[str] = "request_relay_block"
    MAX_SIZE: ClassVar[int] = HASH_SIZE + 1 + 4

    block: Hash
    """The block wanted."""
    mode: int
    """0 full block, 1 short-ID compact block, 2 set reconciliation (u8)."""
    mempool_size: int
    """Transactions in the asking node's mempool (u32, at most ``MAX_MEMPOOL_SIZE`` of
    ``spec/relay``, 10,000,000), which sizes mode 2's filter."""

    def serialize(self) -> bytes:
        return Writer().hash(self.block).uint(self.mode, 1).uint(self.mempool_size, 4).getvalue()

    @classmethod
    def deserialize(cls, payload: bytes) -> Self:
        reader = Reader(payload)
        message = cls(reader.hash("block"), reader.uint(1, "mode"), reader.uint(4, "mempool"))
        reader.finish(cls.NAME)
        if message.mode > 2:
            raise malformed(f"request_relay_block: unknown mode {message.mode}")
        if message.mempool_size > MAX_MEMPOOL_SIZE:
            raise PeerError(
                Code.MESSAGE_TOO_LARGE,
                f"request_relay_block: mempool size {message.mempool_size}"
                f" above {MAX_MEMPOOL_SIZE}",
            )
        return message


@dataclass(frozen=True, slots=True)
class Block(Message):
    """A whole block: header and transactions (coinbase first)."""

    TAG: ClassVar[int] = 0x12
    NAME: ClassVar[str] = "block"
    MAX_SIZE: ClassVar[int] = MAX_HEADERS_BYTES // 4

    header: BlockHeader
    """The block's header."""
    transactions: tuple[bytes, ...]
    """The encoded transactions, coinbase first."""

    def serialize(self) -> bytes:
        writer = Writer().raw(header_to_wire(self.header))
        return _write_transactions(writer, self.transactions).getvalue()

    @classmethod
    def deserialize(cls, payload: bytes) -> Self:
        reader = Reader(payload)
        header = _read_header(reader, "header")
        message = cls(header, _read_transactions(reader, "transactions"))
        reader.finish(cls.NAME)
        return message


@dataclass(frozen=True, slots=True)
class BlockNotFound(_OneHash):
    """The sender does not hold (the body of) a block that was asked for."""

    TAG: ClassVar[int] = 0x13
    NAME: ClassVar[str] = "block_not_found"


@dataclass(frozen=True, slots=True)
class RelayPayload(Message):
    """A compact relay message of ``spec/relay`` for one block, carried as its bytes: the
    relay codec bounds and decodes it (``reference.relay``).

    The two messages that open a compact exchange (COMPACT_BLOCK, RECONCILE_BLOCK) carry the
    block's complete header, which the node validates the block against (the relay header
    inside the relay message holds only the fields relay needs); the others carry none. A
    payload whose ``has_header`` differs from its type's, or whose relay message does not
    start with its type's relay tag, is not one message of the schema (``MALFORMED_MESSAGE``).
    """

    MAX_SIZE: ClassVar[int] = 4_000_000
    RELAY_TAG: ClassVar[Tag]
    """The tag of the relay message this type carries."""
    HAS_HEADER: ClassVar[bool] = False
    """True when this type carries the block's complete header."""

    block: Hash
    """The block it is about (its hash as the node names it, not the relay header hash)."""
    header: BlockHeader | None
    """The block's complete header (compact and reconcile blocks), else ``None``."""
    data: bytes
    """The relay message's bytes."""

    def serialize(self) -> bytes:
        writer = Writer().hash(self.block)
        if self.header is None:
            writer.uint(0, 1)
        else:
            writer.uint(1, 1).raw(header_to_wire(self.header))
        return writer.raw(self.data).getvalue()

    @classmethod
    def deserialize(cls, payload: bytes) -> Self:
        reader = Reader(payload)
        block = reader.hash("block")
        has_header = reader.flag("has_header")
        if has_header != cls.HAS_HEADER:
            raise malformed(f"{cls.NAME}: has_header must be {int(cls.HAS_HEADER)}")
        header = _read_header(reader, "header") if has_header else None
        data = reader.take(reader.remaining, "data")
        if data[:1] != bytes([cls.RELAY_TAG]):
            raise malformed(f"{cls.NAME}: the relay message is not a {cls.RELAY_TAG.name}")
        return cls(block, header, data)


@dataclass(frozen=True, slots=True)
class CompactBlock(RelayPayload):
    """Mode 1: the header and the short IDs of the body (``spec/relay``, COMPACT_BLOCK)."""

    TAG: ClassVar[int] = 0x14
    NAME: ClassVar[str] = "compact_block"
    RELAY_TAG: ClassVar[Tag] = Tag.COMPACT_BLOCK
    HAS_HEADER: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class RequestBlockTransactions(RelayPayload):
    """Mode 1: asks for body positions (``spec/relay``, GET_BLOCK_TXN)."""

    TAG: ClassVar[int] = 0x15
    NAME: ClassVar[str] = "request_block_transactions"
    RELAY_TAG: ClassVar[Tag] = Tag.GET_BLOCK_TXN


@dataclass(frozen=True, slots=True)
class BlockTransactions(RelayPayload):
    """Both modes: transactions asked for, in the order asked (``spec/relay``, BLOCK_TXN)."""

    TAG: ClassVar[int] = 0x16
    NAME: ClassVar[str] = "block_transactions"
    RELAY_TAG: ClassVar[Tag] = Tag.BLOCK_TXN


@dataclass(frozen=True, slots=True)
class ReconcileBlock(RelayPayload):
    """Mode 2: header, coinbase, Bloom filter and IBLT (``spec/relay``, RECONCILE_BLOCK)."""

    TAG: ClassVar[int] = 0x17
    NAME: ClassVar[str] = "reconcile_block"
    RELAY_TAG: ClassVar[Tag] = Tag.RECONCILE_BLOCK
    HAS_HEADER: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class RequestIblt(RelayPayload):
    """Mode 2: asks for a larger IBLT (``spec/relay``, GET_IBLT)."""

    TAG: ClassVar[int] = 0x18
    NAME: ClassVar[str] = "request_iblt"
    RELAY_TAG: ClassVar[Tag] = Tag.GET_IBLT


@dataclass(frozen=True, slots=True)
class IbltMessage(RelayPayload):
    """Mode 2: the larger IBLT (``spec/relay``, IBLT)."""

    TAG: ClassVar[int] = 0x19
    NAME: ClassVar[str] = "iblt"
    RELAY_TAG: ClassVar[Tag] = Tag.IBLT


@dataclass(frozen=True, slots=True)
class RequestTransactionsByShortId(RelayPayload):
    """Mode 2: asks for transactions by short ID (``spec/relay``, GET_TXN_BY_SHORT_ID)."""

    TAG: ClassVar[int] = 0x1A
    NAME: ClassVar[str] = "request_transactions_by_short_id"
    RELAY_TAG: ClassVar[Tag] = Tag.GET_TXN_BY_SHORT_ID


# --- headers-first sync ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RequestChainLocator(Message):
    """Asks for a locator of the receiver's selected chain between ``low`` and ``high``."""

    TAG: ClassVar[int] = 0x20
    NAME: ClassVar[str] = "request_chain_locator"
    MAX_SIZE: ClassVar[int] = 2 * HASH_SIZE

    low: Hash
    """The lowest block of interest; the zero hash for genesis."""
    high: Hash
    """The highest block of interest; the zero hash for the receiver's sink."""

    def serialize(self) -> bytes:
        return Writer().hash(self.low).hash(self.high).getvalue()

    @classmethod
    def deserialize(cls, payload: bytes) -> Self:
        reader = Reader(payload)
        message = cls(reader.hash("low"), reader.hash("high"))
        reader.finish(cls.NAME)
        return message


@dataclass(frozen=True, slots=True)
class ChainLocator(Message):
    """Selected-chain blocks from high to low, the step doubling (``spec/sync``)."""

    TAG: ClassVar[int] = 0x21
    NAME: ClassVar[str] = "chain_locator"
    MAX_SIZE: ClassVar[int] = COUNT_SIZE + MAX_LOCATOR_HASHES * HASH_SIZE

    hashes: tuple[Hash, ...]
    """At most :data:`MAX_LOCATOR_HASHES` hashes, highest first; empty when the request's
    blocks are not on the sender's selected chain."""

    def serialize(self) -> bytes:
        return Writer().hashes(self.hashes).getvalue()

    @classmethod
    def deserialize(cls, payload: bytes) -> Self:
        reader = Reader(payload)
        message = cls(reader.hashes("hashes", MAX_LOCATOR_HASHES))
        reader.finish(cls.NAME)
        return message


@dataclass(frozen=True, slots=True)
class RequestHeaders(Message):
    """Asks for the headers of ``past(high)`` outside ``past(low)``, in chunks."""

    TAG: ClassVar[int] = 0x22
    NAME: ClassVar[str] = "request_headers"
    MAX_SIZE: ClassVar[int] = 2 * HASH_SIZE

    low: Hash
    """The highest shared selected-chain block."""
    high: Hash
    """The block to sync to (the sender's view of the receiver's sink)."""

    def serialize(self) -> bytes:
        return Writer().hash(self.low).hash(self.high).getvalue()

    @classmethod
    def deserialize(cls, payload: bytes) -> Self:
        reader = Reader(payload)
        message = cls(reader.hash("low"), reader.hash("high"))
        reader.finish(cls.NAME)
        return message


@dataclass(frozen=True, slots=True)
class Headers(Message):
    """One chunk of headers, parents before children."""

    TAG: ClassVar[int] = 0x23
    NAME: ClassVar[str] = "headers"
    MAX_SIZE: ClassVar[int] = MAX_HEADERS_BYTES

    headers: tuple[BlockHeader, ...]
    """At most :data:`MAX_HEADERS_PER_MESSAGE` headers (the sync chunk bound is smaller)."""

    def serialize(self) -> bytes:
        writer = Writer().count(len(self.headers))
        for header in self.headers:
            writer.raw(header_to_wire(header))
        return writer.getvalue()

    @classmethod
    def deserialize(cls, payload: bytes) -> Self:
        reader = Reader(payload)
        count = reader.count("headers", MAX_HEADERS_PER_MESSAGE, _MIN_HEADER_SIZE)
        headers = tuple(_read_header(reader, "headers") for _ in range(count))
        reader.finish(cls.NAME)
        return cls(headers)


@dataclass(frozen=True, slots=True)
class RequestNextHeaders(_Empty):
    """Flow control: the receiver of a HEADERS chunk asks for the next one."""

    TAG: ClassVar[int] = 0x24
    NAME: ClassVar[str] = "request_next_headers"


@dataclass(frozen=True, slots=True)
class DoneHeaders(_Empty):
    """The last chunk of a REQUEST_HEADERS has been sent."""

    TAG: ClassVar[int] = 0x25
    NAME: ClassVar[str] = "done_headers"


@dataclass(frozen=True, slots=True)
class RequestBodies(Message):
    """Asks for the bodies of blocks whose headers the asker holds."""

    TAG: ClassVar[int] = 0x26
    NAME: ClassVar[str] = "request_bodies"
    MAX_SIZE: ClassVar[int] = COUNT_SIZE + MAX_BODIES_PER_REQUEST * HASH_SIZE

    blocks: tuple[Hash, ...]
    """1 to :data:`MAX_BODIES_PER_REQUEST` blocks; the answer is one BLOCK_BODY each, in order."""

    def serialize(self) -> bytes:
        return Writer().hashes(self.blocks).getvalue()

    @classmethod
    def deserialize(cls, payload: bytes) -> Self:
        reader = Reader(payload)
        message = cls(reader.hashes("blocks", MAX_BODIES_PER_REQUEST))
        reader.finish(cls.NAME)
        if not message.blocks:
            raise malformed("request_bodies: no block named")
        return message


@dataclass(frozen=True, slots=True)
class BlockBody(Message):
    """The transactions of one block (answer to REQUEST_BODIES)."""

    TAG: ClassVar[int] = 0x27
    NAME: ClassVar[str] = "block_body"
    MAX_SIZE: ClassVar[int] = HASH_SIZE + MAX_BODY_BYTES

    block: Hash
    """The block."""
    transactions: tuple[bytes, ...]
    """The encoded transactions, coinbase first."""

    def serialize(self) -> bytes:
        return _write_transactions(Writer().hash(self.block), self.transactions).getvalue()

    @classmethod
    def deserialize(cls, payload: bytes) -> Self:
        reader = Reader(payload)
        block = reader.hash("block")
        message = cls(block, _read_transactions(reader, "transactions"))
        reader.finish(cls.NAME)
        return message


# --- sync from a pruned peer ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RequestTrustedData(_Empty):
    """Asks for the receiver's pruning points and trusted data (``spec/sync``)."""

    TAG: ClassVar[int] = 0x28
    NAME: ClassVar[str] = "request_trusted_data"


@dataclass(frozen=True, slots=True)
class PruningPoints(Message):
    """The first answer to REQUEST_TRUSTED_DATA: the sender's pruning points and its pruning
    point's anticone; TRUSTED_BLOCKS chunks follow, then DONE_TRUSTED_BLOCKS."""

    TAG: ClassVar[int] = 0x29
    NAME: ClassVar[str] = "pruning_points"
    MAX_SIZE: ClassVar[int] = 2 * (COUNT_SIZE + MAX_PRUNING_POINTS * HASH_SIZE)

    past: tuple[Hash, ...]
    """Every pruning point the sender has had, genesis first, its current one last."""
    anticone: tuple[Hash, ...]
    """Its current pruning point, then that point's anticone (ascending ``sort_key``)."""

    def serialize(self) -> bytes:
        return Writer().hashes(self.past).hashes(self.anticone).getvalue()

    @classmethod
    def deserialize(cls, payload: bytes) -> Self:
        reader = Reader(payload)
        past = reader.hashes("past", MAX_PRUNING_POINTS)
        message = cls(past, reader.hashes("anticone", MAX_PRUNING_POINTS))
        reader.finish(cls.NAME)
        if not message.past or not message.anticone:
            raise malformed("pruning_points: no pruning point")
        return message


def _write_trusted_block(writer: Writer, block: TrustedBlock) -> None:
    data = block.ghostdag
    if data.selected_parent is None:  # genesis is never sent: a caller's bug
        raise ValueError("a trusted block needs a selected parent")
    writer.raw(header_to_wire(block.header)).hash(data.selected_parent)
    writer.hashes(data.mergeset_blues).hashes(data.mergeset_reds)
    sizes = sorted(data.blues_anticone_sizes.items())
    writer.count(len(sizes))
    for blue, size in sizes:
        writer.hash(blue).uint(size, 2)
    writer.hash(block.depth.merge_depth_root).hash(block.depth.finality_point)
    writer.hash(block.pruning_sample).hashes(sorted(block.non_daa_mergeset))


def _read_trusted_block(reader: Reader) -> TrustedBlock:
    header = _read_header(reader, "header")
    selected_parent = reader.hash("selected_parent")
    blues = reader.hashes("mergeset_blues", MAX_TRUSTED_MERGESET)
    reds = reader.hashes("mergeset_reds", MAX_TRUSTED_MERGESET)
    sizes: dict[Hash, int] = {}
    last = b""
    for _ in range(reader.count("blues_anticone_sizes", MAX_TRUSTED_MERGESET, HASH_SIZE + 2)):
        blue = reader.hash("blues_anticone_sizes")
        if bytes(blue) <= last:
            raise malformed("blues_anticone_sizes: not in ascending hash order")
        last = bytes(blue)
        sizes[blue] = reader.uint(2, "blues_anticone_sizes")
    depth = BlockDepth(
        merge_depth_root=reader.hash("merge_depth_root"),
        finality_point=reader.hash("finality_point"),
    )
    pruning_sample = reader.hash("pruning_sample")
    non_daa = reader.hashes("non_daa_mergeset", MAX_TRUSTED_MERGESET)
    if list(non_daa) != sorted(set(non_daa)):
        raise malformed("non_daa_mergeset: not ascending and distinct")
    ghostdag = GhostdagData(
        hash=header_hash(header),
        selected_parent=selected_parent,
        mergeset_blues=blues,
        mergeset_reds=reds,
        blues_anticone_sizes=MappingProxyType(sizes),
        blue_score=header.blue_score,
        blue_work=header.blue_work,
    )
    return TrustedBlock(header, ghostdag, depth, pruning_sample, frozenset(non_daa))


@dataclass(frozen=True, slots=True)
class TrustedBlocks(Message):
    """One chunk of trusted blocks, ascending ``sort_key`` across the chunks."""

    TAG: ClassVar[int] = 0x2A
    NAME: ClassVar[str] = "trusted_blocks"
    MAX_SIZE: ClassVar[int] = MAX_HEADERS_BYTES

    blocks: tuple[TrustedBlock, ...]
    """1 to :data:`MAX_TRUSTED_BLOCKS_PER_MESSAGE` blocks, each with its trusted data."""

    def serialize(self) -> bytes:
        writer = Writer().count(len(self.blocks))
        for block in self.blocks:
            _write_trusted_block(writer, block)
        return writer.getvalue()

    @classmethod
    def deserialize(cls, payload: bytes) -> Self:
        reader = Reader(payload)
        count = reader.count("blocks", MAX_TRUSTED_BLOCKS_PER_MESSAGE, _MIN_HEADER_SIZE)
        if not count:
            raise malformed("trusted_blocks: no block")
        blocks = tuple(_read_trusted_block(reader) for _ in range(count))
        reader.finish(cls.NAME)
        return cls(blocks)


@dataclass(frozen=True, slots=True)
class RequestNextTrustedBlocks(_Empty):
    """Flow control: the receiver of a TRUSTED_BLOCKS chunk asks for the next one."""

    TAG: ClassVar[int] = 0x2B
    NAME: ClassVar[str] = "request_next_trusted_blocks"


@dataclass(frozen=True, slots=True)
class DoneTrustedBlocks(_Empty):
    """The last TRUSTED_BLOCKS chunk has been sent."""

    TAG: ClassVar[int] = 0x2C
    NAME: ClassVar[str] = "done_trusted_blocks"


MESSAGE_TYPES: Final[tuple[type[Message], ...]] = (
    Version,
    Verack,
    Reject,
    Ping,
    Pong,
    RequestAddresses,
    Addresses,
    InvBlock,
    RequestRelayBlock,
    Block,
    BlockNotFound,
    CompactBlock,
    RequestBlockTransactions,
    BlockTransactions,
    ReconcileBlock,
    RequestIblt,
    IbltMessage,
    RequestTransactionsByShortId,
    RequestChainLocator,
    ChainLocator,
    RequestHeaders,
    Headers,
    RequestNextHeaders,
    DoneHeaders,
    RequestBodies,
    BlockBody,
    RequestTrustedData,
    PruningPoints,
    TrustedBlocks,
    RequestNextTrustedBlocks,
    DoneTrustedBlocks,
)
"""Every message of protocol version :data:`PROTOCOL_VERSION`."""

MESSAGES_BY_TAG: Final[dict[int, type[Message]]] = {kind.TAG: kind for kind in MESSAGE_TYPES}
"""The one table of type tags."""

NO_HASH: Final = ZERO_HASH
"""The zero hash: "none" in a locator request."""
