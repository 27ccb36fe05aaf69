"""Every way the specification can reject an input, in one place.

Each error class carries a canonical :class:`Code`. The codes are part of the published
contract: the adapter protocol, the conformance vectors and the rendered rejection-code table
all use these strings, so a code is never renamed, only added.

Only an instance of :class:`DagspecError` is a rejection. Any other exception raised by the
reference is a bug in the reference, never a verdict about the input.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    """Canonical rejection and error codes (the strings on the wire)."""

    # Header / block validation (spec: validation).
    UNKNOWN_PARENT = "UNKNOWN_PARENT"
    DUPLICATE_BLOCK = "DUPLICATE_BLOCK"
    NO_PARENTS = "NO_PARENTS"
    TOO_MANY_PARENTS = "TOO_MANY_PARENTS"
    DUPLICATE_PARENT = "DUPLICATE_PARENT"
    PARENTS_NOT_ANTICHAIN = "PARENTS_NOT_ANTICHAIN"
    MERGESET_TOO_BIG = "MERGESET_TOO_BIG"
    BAD_BLUE_SCORE = "BAD_BLUE_SCORE"
    BAD_BLUE_WORK = "BAD_BLUE_WORK"
    INVALID_DIFFICULTY = "INVALID_DIFFICULTY"
    # Full headers (header mode, adapter protocol 2; spec: validation).
    MALFORMED_HEADER = "MALFORMED_HEADER"
    HASH_MISMATCH = "HASH_MISMATCH"
    BAD_VERSION = "BAD_VERSION"
    TIME_TOO_FAR_IN_FUTURE = "TIME_TOO_FAR_IN_FUTURE"
    TOO_MANY_PARENT_LEVELS = "TOO_MANY_PARENT_LEVELS"
    INVALID_POW = "INVALID_POW"
    KNOWN_INVALID = "KNOWN_INVALID"
    INVALID_PARENT = "INVALID_PARENT"
    BAD_DAA_SCORE = "BAD_DAA_SCORE"
    UNEXPECTED_DIFFICULTY = "UNEXPECTED_DIFFICULTY"
    TIME_TOO_OLD = "TIME_TOO_OLD"
    VIOLATING_MERGE_DEPTH = "VIOLATING_MERGE_DEPTH"
    # Pruning (spec: pruning).
    PRUNING_VIOLATION = "PRUNING_VIOLATION"
    BAD_PRUNING_POINT = "BAD_PRUNING_POINT"
    BAD_TRUSTED_DATA = "BAD_TRUSTED_DATA"
    # Block bodies (spec: transactions); BAD_MERKLE_ROOT below is shared with relay.
    NO_TRANSACTIONS = "NO_TRANSACTIONS"
    FIRST_TX_NOT_COINBASE = "FIRST_TX_NOT_COINBASE"
    MULTIPLE_COINBASES = "MULTIPLE_COINBASES"
    BLOCK_TOO_LARGE = "BLOCK_TOO_LARGE"
    DUPLICATE_TRANSACTION = "DUPLICATE_TRANSACTION"
    BAD_COINBASE_PAYLOAD = "BAD_COINBASE_PAYLOAD"
    BAD_COINBASE_BLUE_SCORE = "BAD_COINBASE_BLUE_SCORE"
    # Primitives and encodings.
    MALFORMED_HASH = "MALFORMED_HASH"
    MALFORMED_ENCODING = "MALFORMED_ENCODING"
    MALFORMED_TRANSACTION = "MALFORMED_TRANSACTION"
    # Parameters.
    BAD_PARAMETER = "BAD_PARAMETER"
    # Queries about blocks the store does not hold.
    UNKNOWN_BLOCK = "UNKNOWN_BLOCK"
    # Compact block relay (spec: relay).
    MALFORMED_MESSAGE = "MALFORMED_MESSAGE"
    MESSAGE_TOO_LARGE = "MESSAGE_TOO_LARGE"
    INDEX_OVERFLOW = "INDEX_OVERFLOW"
    SHORT_ID_COLLISION = "SHORT_ID_COLLISION"
    IBLT_DECODE_FAILED = "IBLT_DECODE_FAILED"
    BAD_MERKLE_ROOT = "BAD_MERKLE_ROOT"
    UNKNOWN_PARENT_REFERENCE = "UNKNOWN_PARENT_REFERENCE"
    # A mergeset handed to reachability that cannot be one (a caller's bug, never on the wire).
    INCONSISTENT_MERGESET = "INCONSISTENT_MERGESET"
    # Durable stores (spec: store).
    STORE_CORRUPT = "STORE_CORRUPT"
    STORE_MISMATCH = "STORE_MISMATCH"
    STORE_UNAVAILABLE = "STORE_UNAVAILABLE"
    # Mining (spec: mining): pay addresses and the mempool.
    MALFORMED_ADDRESS = "MALFORMED_ADDRESS"
    WRONG_NETWORK = "WRONG_NETWORK"
    MEMPOOL_REJECTED = "MEMPOOL_REJECTED"
    # Peers and sync (spec: p2p, sync); MALFORMED_MESSAGE and MESSAGE_TOO_LARGE are shared.
    INCOMPATIBLE_PEER = "INCOMPATIBLE_PEER"
    UNEXPECTED_MESSAGE = "UNEXPECTED_MESSAGE"
    PROTOCOL_VIOLATION = "PROTOCOL_VIOLATION"
    PEER_TIMEOUT = "PEER_TIMEOUT"


class DagspecError(Exception):
    """Base of every typed error: a message plus a canonical code."""

    code: Code

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class BlockRejected(DagspecError):
    """A block (or header) broke a validation rule; the DAG is left exactly as it was."""

    def __init__(self, code: Code, block: object, message: str) -> None:
        super().__init__(code, message)
        self.block = block


class MalformedHeader(DagspecError):
    """A block header whose fields, JSON form or wire bytes break the header format.

    ``field`` names the offending part as the input spells it: ``daaScore`` in JSON,
    ``daa_score`` in a constructed header or on the wire.
    """

    def __init__(self, field: str, value: object, message: str) -> None:
        super().__init__(Code.MALFORMED_HEADER, f"{field}: {message}")
        self.field = field
        self.value = value


class HeaderHashMismatch(DagspecError):
    """A header given together with a ``hash`` that is not the hash of its fields."""

    def __init__(self, claimed: object, computed: object) -> None:
        super().__init__(
            Code.HASH_MISMATCH, f"the header hashes to {computed}, not to the given {claimed}"
        )
        self.claimed = claimed
        self.computed = computed


class InvalidDifficulty(DagspecError):
    """A difficulty, target or compact ``bits`` value outside its valid range."""

    def __init__(self, value: object, message: str) -> None:
        super().__init__(Code.INVALID_DIFFICULTY, message)
        self.value = value


class MalformedHash(DagspecError):
    """Text or bytes that are not exactly one 32-byte hash."""

    def __init__(self, value: object, message: str) -> None:
        super().__init__(Code.MALFORMED_HASH, message)
        self.value = value


class MalformedEncoding(DagspecError):
    """Bytes that do not decode under a specified encoding (truncated, non-canonical, ...)."""

    def __init__(self, value: object, message: str) -> None:
        super().__init__(Code.MALFORMED_ENCODING, message)
        self.value = value


class MalformedTransaction(DagspecError):
    """A transaction whose JSON or bytes break the transaction format (spec: transactions)."""

    def __init__(self, value: object, message: str) -> None:
        super().__init__(Code.MALFORMED_TRANSACTION, message)
        self.value = value


class InvalidParameter(DagspecError):
    """A preset parameter or override that is unknown, of the wrong type or out of range."""

    def __init__(self, name: str, value: object, message: str) -> None:
        super().__init__(Code.BAD_PARAMETER, f"{name}={value!r}: {message}")
        self.name = name
        self.value = value


class UnknownBlock(DagspecError):
    """A query named a block the store does not hold."""

    def __init__(self, block: object) -> None:
        super().__init__(Code.UNKNOWN_BLOCK, f"unknown block {block}")
        self.block = block


class InconsistentMergeset(DagspecError):
    """A mergeset that repeats a block or names a block in the selected parent's past."""

    def __init__(self, block: object, merged: object, message: str) -> None:
        super().__init__(Code.INCONSISTENT_MERGESET, f"{block}: {message}")
        self.block = block
        self.merged = merged


class RelayError(DagspecError):
    """A relay message or reconstruction failed; the receiver falls back, never crashes.

    Codes: ``MALFORMED_MESSAGE``, ``MESSAGE_TOO_LARGE``, ``INDEX_OVERFLOW``,
    ``SHORT_ID_COLLISION``, ``IBLT_DECODE_FAILED``, ``BAD_MERKLE_ROOT``,
    ``UNKNOWN_PARENT_REFERENCE``.
    """

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(code, message)


class InvalidAddress(DagspecError):
    """A Kaspa address that does not decode (``MALFORMED_ADDRESS``) or belongs to another
    network than the node's (``WRONG_NETWORK``)."""

    def __init__(self, code: Code, address: object, message: str) -> None:
        super().__init__(code, message)
        self.address = address


class MempoolRejected(DagspecError):
    """A transaction the mempool does not take (a coinbase, or one too large to relay)."""

    def __init__(self, transaction: object, message: str) -> None:
        super().__init__(Code.MEMPOOL_REJECTED, message)
        self.transaction = transaction


class InvalidTrustedData(DagspecError):
    """Trusted data from a pruned node (``spec/sync``) that fails a check a syncing node makes
    (``BAD_TRUSTED_DATA``), raised before any of it is stored."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(code, message)


class PeerError(DagspecError):
    """A peer broke the wire protocol or the sync protocol; the node disconnects it and its
    state is left as it was.

    Codes: ``MALFORMED_MESSAGE`` and ``MESSAGE_TOO_LARGE`` (bytes that are not one message of
    the schema), ``INCOMPATIBLE_PEER`` (another protocol version, network or genesis),
    ``UNEXPECTED_MESSAGE`` (a message not asked for or out of order), ``PROTOCOL_VIOLATION``
    (a well-formed message that breaks a rule of sync or relay), ``PEER_TIMEOUT`` (an answer
    or a frame that did not arrive in time).
    """

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(code, message)


class StoreError(DagspecError):
    """A durable store that cannot be used as asked; what is on disk is left as it was.

    Codes: ``STORE_CORRUPT`` (not a dagspec store, or rows that do not decode),
    ``STORE_MISMATCH`` (made with another schema version, other parameters or another
    genesis), ``STORE_UNAVAILABLE`` (unreadable, locked by another process, or a write that
    failed: the store must then be reopened).
    """

    def __init__(self, code: Code, path: object, message: str) -> None:
        super().__init__(code, f"{path}: {message}")
        self.path = path
