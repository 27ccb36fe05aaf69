"""Kaspa addresses: the text a miner names itself by, and the script a coinbase pays to.

An address is ``prefix:payload`` (rusty-kaspa ``crypto/addresses``). The *prefix* names the
network: ``kaspa`` (mainnet), ``kaspatest`` (testnet), ``kaspasim`` (simnet), ``kaspadev``
(devnet). The *payload* is the cashaddr form of bech32: a version byte and the key or hash,
regrouped from 8-bit bytes into 5-bit groups (the last group padded with zero bits), followed
by a 40-bit BCH checksum in eight more groups, each group written as one character of
:data:`CHARSET`. The checksum is :func:`polymod` over the prefix's characters reduced to their
low five bits, a zero separator, the payload groups and eight zero groups, so an address copied
to the wrong network never passes for that network's.

Three versions exist, each fixing the payload length and the standard script it locks to
(rusty-kaspa ``crypto/txscript/src/standard.rs``; script public key version 0):

=========================  =======  =====  ======================================
version                    byte     bytes  script
=========================  =======  =====  ======================================
``PUBKEY`` (Schnorr)       0        32     ``OP_DATA_32 <key> OP_CHECKSIG``
``PUBKEY_ECDSA``           1        33     ``OP_DATA_33 <key> OP_CHECKSIGECDSA``
``SCRIPT_HASH``            8        32     ``OP_BLAKE2B OP_DATA_32 <hash> OP_EQUAL``
=========================  =======  =====  ======================================

Decoding is strict where Kaspa is lenient: only lower-case characters, exactly the payload
length of the version, and zero padding bits — so each address has exactly one spelling, the
one Kaspa's encoder writes. Every failure is an
:class:`~reference.errors.InvalidAddress`: ``MALFORMED_ADDRESS``, or ``WRONG_NETWORK`` for a
well-formed address of another network than the one expected.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Final

from reference.errors import Code, InvalidAddress
from reference.transaction.model import ScriptPublicKey

CHARSET: Final = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
"""The 32 characters of the payload; character ``i`` stands for the 5-bit value ``i``."""
_VALUE_OF: Final = {char: value for value, char in enumerate(CHARSET)}
_GENERATORS: Final = (0x98F2BC8E61, 0x79B76D99E2, 0xF33E5FB3C4, 0xAE2EABE2A8, 0x1E4F43E470)
CHECKSUM_GROUPS: Final = 8
"""Characters of the checksum (40 bits)."""
MAX_ADDRESS_LENGTH: Final = 128
"""Longer text is refused before it is decoded (the longest real address has 74 characters)."""

OP_DATA_32: Final = 0x20
"""Pushes the next 32 bytes."""
OP_DATA_33: Final = 0x21
"""Pushes the next 33 bytes."""
OP_EQUAL: Final = 0x87
"""Compares the two top stack items."""
OP_BLAKE2B: Final = 0xAA
"""Replaces the top item by its BLAKE2b-256 hash."""
OP_CHECKSIG_ECDSA: Final = 0xAB
"""Checks an ECDSA signature."""
OP_CHECKSIG: Final = 0xAC
"""Checks a Schnorr signature."""
STANDARD_SCRIPT_VERSION: Final = 0
"""The script public key version of the three standard scripts."""


class AddressPrefix(StrEnum):
    """The network an address belongs to."""

    MAINNET = "kaspa"
    TESTNET = "kaspatest"
    SIMNET = "kaspasim"
    DEVNET = "kaspadev"


class AddressVersion(IntEnum):
    """What an address's payload is; the value is the version byte."""

    PUBKEY = 0
    """A 32-byte Schnorr public key."""
    PUBKEY_ECDSA = 1
    """A 33-byte compressed ECDSA public key."""
    SCRIPT_HASH = 8
    """The 32-byte BLAKE2b-256 hash of a redeem script."""

    @property
    def payload_length(self) -> int:
        """Bytes of the payload this version carries."""
        return 33 if self is AddressVersion.PUBKEY_ECDSA else 32


@dataclass(frozen=True, slots=True)
class Address:
    """A decoded address."""

    prefix: AddressPrefix
    """The network it belongs to."""
    version: AddressVersion
    """What the payload is."""
    payload: bytes
    """The key or script hash, ``version.payload_length`` bytes."""

    def __post_init__(self) -> None:
        if type(self.payload) is not bytes or len(self.payload) != self.version.payload_length:
            raise InvalidAddress(
                Code.MALFORMED_ADDRESS,
                self,
                f"a {self.version.name} address carries {self.version.payload_length} bytes",
            )


def polymod(values: list[int]) -> int:
    """The BCH checksum of 5-bit ``values`` (cashaddr's generator, result XOR 1)."""
    checksum = 1
    for value in values:
        top = checksum >> 35
        checksum = ((checksum & 0x07_FFFF_FFFF) << 5) ^ value
        for bit, generator in enumerate(_GENERATORS):
            if top >> bit & 1:
                checksum ^= generator
    return checksum ^ 1


def _checked(prefix: str, groups: list[int]) -> list[int]:
    """What the checksum covers: the prefix's low five bits per character, a zero, the groups."""
    return [ord(char) & 0x1F for char in prefix] + [0] + groups


def _regroup(data: bytes) -> list[int]:
    """Bytes as 5-bit groups, most significant bit first, the last group zero-padded."""
    bits = len(data) * 8
    padded = -bits % 5
    number = int.from_bytes(data, "big") << padded
    count = (bits + padded) // 5
    return [(number >> (5 * (count - 1 - i))) & 0x1F for i in range(count)]


def encode_payload(prefix: str, data: bytes) -> str:
    """The characters after ``prefix:`` that encode ``data`` (version byte and payload) with
    the checksum bound to ``prefix`` — cashaddr over any prefix."""
    groups = _regroup(data)
    checksum = polymod(_checked(prefix, groups) + [0] * CHECKSUM_GROUPS)
    groups += [(checksum >> (5 * (CHECKSUM_GROUPS - 1 - i))) & 0x1F for i in range(CHECKSUM_GROUPS)]
    return "".join(CHARSET[group] for group in groups)


def encode_address(address: Address) -> str:
    """The text of ``address``: ``prefix:payload`` with its checksum."""
    payload = encode_payload(address.prefix, bytes([address.version]) + address.payload)
    return f"{address.prefix}:{payload}"


def _malformed(text: object, message: str) -> InvalidAddress:
    return InvalidAddress(Code.MALFORMED_ADDRESS, text, message)


def decode_payload(prefix: str, body: str) -> bytes:
    """The bytes the characters ``body`` after ``prefix:`` encode; ``MALFORMED_ADDRESS`` for a
    character outside :data:`CHARSET`, too few characters, a bad checksum, or padding that is
    not fewer than five zero bits."""
    groups: list[int] = []
    for char in body:
        value = _VALUE_OF.get(char)
        if value is None:
            raise _malformed(body, f"invalid character {char!r}")
        groups.append(value)
    if len(groups) <= CHECKSUM_GROUPS:
        raise _malformed(body, "too short to hold a payload and a checksum")
    # A correct checksum makes the polymod of the whole sequence zero (cashaddr).
    if polymod(_checked(prefix, groups)) != 0:
        raise _malformed(body, "the checksum is invalid")
    data = groups[:-CHECKSUM_GROUPS]
    bits = 5 * len(data)
    padding = bits % 8
    number = 0
    for group in data:
        number = number << 5 | group
    if padding >= 5 or number & ((1 << padding) - 1):
        raise _malformed(body, "the payload is not padded with fewer than 5 zero bits")
    return (number >> padding).to_bytes(bits // 8, "big")


def decode_address(text: object, expected: AddressPrefix | None = None) -> Address:
    """The address ``text`` spells; with ``expected``, it must belong to that network.

    Raises ``MALFORMED_ADDRESS`` (not text, too long, no or an unknown prefix, a payload
    :func:`decode_payload` refuses, an unknown version, a wrong payload length) or
    ``WRONG_NETWORK`` (a valid address of another network).
    """
    if not isinstance(text, str):
        raise _malformed(text, f"an address is text, not {type(text).__name__}")
    if len(text) > MAX_ADDRESS_LENGTH:
        raise _malformed(text[:16], f"an address has at most {MAX_ADDRESS_LENGTH} characters")
    prefix_text, colon, body = text.partition(":")
    if not colon:
        raise _malformed(text, "the address has no prefix")
    try:
        prefix = AddressPrefix(prefix_text)
    except ValueError:
        raise _malformed(text, f"unknown address prefix {prefix_text!r}") from None
    try:
        raw = decode_payload(prefix, body)
    except InvalidAddress as error:
        raise _malformed(text, error.message) from None
    try:
        version = AddressVersion(raw[0])
    except ValueError:
        raise _malformed(text, f"unknown address version {raw[0]}") from None
    try:
        address = Address(prefix, version, raw[1:])
    except InvalidAddress as error:
        raise _malformed(text, error.message) from None
    if expected is not None and prefix is not expected:
        raise InvalidAddress(
            Code.WRONG_NETWORK, text, f"a {prefix} address, this network's prefix is {expected}"
        )
    return address


def pay_to_address_script(address: Address) -> ScriptPublicKey:
    """The standard script public key that locks an output to ``address``."""
    if address.version is AddressVersion.PUBKEY:
        script = bytes([OP_DATA_32]) + address.payload + bytes([OP_CHECKSIG])
    elif address.version is AddressVersion.PUBKEY_ECDSA:
        script = bytes([OP_DATA_33]) + address.payload + bytes([OP_CHECKSIG_ECDSA])
    else:
        script = bytes([OP_BLAKE2B, OP_DATA_32]) + address.payload + bytes([OP_EQUAL])
    return ScriptPublicKey(STANDARD_SCRIPT_VERSION, script)


def address_of_script(script: ScriptPublicKey, prefix: AddressPrefix) -> Address | None:
    """The address whose standard script is ``script`` on network ``prefix``; ``None`` for a
    script that is none of the three standard forms (or of another script version)."""
    if script.version != STANDARD_SCRIPT_VERSION:
        return None
    body = script.script
    if len(body) == 34 and body[0] == OP_DATA_32 and body[-1] == OP_CHECKSIG:
        return Address(prefix, AddressVersion.PUBKEY, body[1:33])
    if len(body) == 35 and body[0] == OP_DATA_33 and body[-1] == OP_CHECKSIG_ECDSA:
        return Address(prefix, AddressVersion.PUBKEY_ECDSA, body[1:34])
    if len(body) == 35 and body[:2] == bytes([OP_BLAKE2B, OP_DATA_32]) and body[-1] == OP_EQUAL:
        return Address(prefix, AddressVersion.SCRIPT_HASH, body[2:34])
    return None
