"""The 32-byte block hash and its total order.

Hashes order lexicographically from byte 0, exactly like Python ``bytes``. Kaspa's vectors
depend on this: the ID ``"10"`` sorts before ``"2"``, and reversing the byte order breaks all
six of them.
"""

from __future__ import annotations

from typing import Final

from reference.errors import MalformedHash

HASH_SIZE: Final = 32
"""Length of a hash in bytes."""

_HEX_DIGITS: Final = frozenset("0123456789abcdef")


class Hash(bytes):
    """A 32-byte block identifier; compares lexicographically from byte 0.

    A subclass of ``bytes`` so that comparison, hashing and sorting run at native speed;
    construction checks the length.
    """

    __slots__ = ()

    def __new__(cls, value: bytes) -> Hash:
        if not isinstance(value, bytes):
            raise MalformedHash(value, f"a hash is built from bytes, not {type(value).__name__}")
        if len(value) != HASH_SIZE:
            raise MalformedHash(value, f"a hash is {HASH_SIZE} bytes, got {len(value)}")
        return super().__new__(cls, value)

    @classmethod
    def from_hex(cls, text: str) -> Hash:
        """Parse exactly 64 lowercase hexadecimal characters (the wire form)."""
        if not isinstance(text, str):
            raise MalformedHash(text, f"a hex hash is a string, not {type(text).__name__}")
        if len(text) != 2 * HASH_SIZE:
            raise MalformedHash(text, f"a hex hash has {2 * HASH_SIZE} characters, got {len(text)}")
        if not _HEX_DIGITS.issuperset(text):
            raise MalformedHash(text, "a hex hash uses only the characters 0-9 and a-f")
        return cls(bytes.fromhex(text))

    @classmethod
    def from_label(cls, label: str) -> Hash:
        """The hash of a textual block ID in Kaspa's vector files.

        The ID's ASCII bytes, right-padded with zero bytes to 32 bytes.

        raises: MalformedHash
        post: __return__.rstrip(bytes(1)) == label.rstrip(chr(0)).encode("ascii")
        """
        try:
            raw = label.encode("ascii")
        except UnicodeEncodeError as error:
            raise MalformedHash(label, "a block label is ASCII") from error
        if not raw or len(raw) > HASH_SIZE:
            raise MalformedHash(label, f"a block label has 1 to {HASH_SIZE} characters")
        return cls(raw.ljust(HASH_SIZE, b"\0"))

    def label(self) -> str:
        """Inverse of :meth:`from_label` where it applies, else the hex form."""
        stripped = self.rstrip(b"\0")
        if stripped and stripped.isascii() and stripped.decode("ascii").isprintable():
            return stripped.decode("ascii")
        return self.hex()

    def __repr__(self) -> str:
        return f"Hash({self.hex()})"

    def __str__(self) -> str:
        return self.hex()


ZERO_HASH: Final = Hash(bytes(HASH_SIZE))
"""The all-zero hash (never a valid block; used as a placeholder for "no block")."""
