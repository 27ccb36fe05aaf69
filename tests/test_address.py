"""Kaspa addresses against rusty-kaspa's own vectors and an independent re-implementation.

Vectors: rusty-kaspa ``crypto/addresses/src/lib.rs`` (``cases`` and ``test_errors``) and
``crypto/txscript/src/standard.rs`` (``test_extract_address_and_encode_script``), copied as
data. The oracle below re-derives the encoding from the cashaddr description with bit strings
instead of integers, so the two implementations share nothing but the constants.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reference.errors import Code, InvalidAddress
from reference.mining.address import (
    CHARSET,
    Address,
    AddressPrefix,
    AddressVersion,
    address_of_script,
    decode_address,
    decode_payload,
    encode_address,
    encode_payload,
    pay_to_address_script,
)
from reference.transaction.model import ScriptPublicKey

ZERO33 = bytes(33)
ECDSA_KEY = bytes.fromhex("ba01fc5f4e9d9879599c69a3dafdb835a7255e5f2e934e9322ecd3af190ab0f60e")
MAINNET_KEY = bytes.fromhex("5fff3c4da18f45adcdd499e44611e9fff148ba69db3c4ea2ddd955fc46a59522")

# (prefix, version byte, payload, address) — rusty-kaspa crypto/addresses `cases()`.
RUSTY_KASPA_CASES = [
    ("a", 0, b"", "a:qqeq69uvrh"),
    ("a", 8, b"", "a:pq99546ray"),
    ("b", 8, b" ", "b:pqsqzsjd64fv"),
    ("b", 8, b"-", "b:pqksmhczf8ud"),
    ("b", 8, b"0", "b:pqcq53eqrk0e"),
    ("b", 8, b"1", "b:pqcshg75y0vf"),
    ("b", 8, b"-1", "b:pqknzl4e9y0zy"),
    ("b", 8, b"11", "b:pqcnzt888ytdg"),
    ("b", 8, b"abc", "b:ppskycc8txxxn2w"),
    ("b", 8, b"1234598760", "b:pqcnyve5x5unsdekxqeusxeyu2"),
    (
        "b",
        8,
        b"abcdefghijklmnopqrstuvwxyz",
        "b:ppskycmyv4nxw6rfdf4kcmtwdac8zunnw36hvamc09aqtpppz8lk",
    ),
    (
        "b",
        8,
        b"0" * 42,
        "b:pqcrqvpsxqcrqvpsxqcrqvpsxqcrqvpsxqcrqvpsxqcrqvpsxqcrqvpsxqcrqvpsxqcrq7ag684l3",
    ),
    (
        "kaspatest",
        0,
        bytes(32),
        "kaspatest:qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqhqrxplya",
    ),
    (
        "kaspatest",
        1,
        ZERO33,
        "kaspatest:qyqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqhe837j2d",
    ),
    (
        "kaspatest",
        1,
        ECDSA_KEY,
        "kaspatest:qxaqrlzlf6wes72en3568khahq66wf27tuhfxn5nytkd8tcep2c0vrse6gdmpks",
    ),
    ("kaspa", 0, bytes(32), "kaspa:qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqkx9awp4e"),
    (
        "kaspa",
        0,
        MAINNET_KEY,
        "kaspa:qp0l70zd5x85ttwd6jv7g3s3a8llzj96d8dncn4zmhv4tlzx5k2jyqh70xmfj",
    ),
]

# (script hex, prefix, address) — rusty-kaspa crypto/txscript standard.rs.
RUSTY_KASPA_SCRIPTS = [
    (
        "207bc04196f1125e4f2676cd09ed14afb77223b1f62177da5488346323eaa91a69ac",
        AddressPrefix.MAINNET,
        "kaspa:qpauqsvk7yf9unexwmxsnmg547mhyga37csh0kj53q6xxgl24ydxjsgzthw5j",
    ),
    (
        "21ba01fc5f4e9d9879599c69a3dafdb835a7255e5f2e934e9322ecd3af190ab0f60eab",
        AddressPrefix.TESTNET,
        "kaspatest:qxaqrlzlf6wes72en3568khahq66wf27tuhfxn5nytkd8tcep2c0vrse6gdmpks",
    ),
]

ZERO_MAINNET = "kaspa:qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqkx9awp4e"

# rusty-kaspa test_errors, each malformed.
RUSTY_KASPA_ERRORS = [
    "kaspa:qqqqqqqqqqqqq1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqkx9awp4e",  # '1'
    "kaspa:qqqqqqqqqqqqq|qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqkx9awp4e",  # chr(124)
    "kaspa:qqqqqqqqqqqqq\x81qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqkx9awp4e",  # chr(129)
    "kaspa1:qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqkx9awp4e",  # prefix
    "kaspaqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqkx9awp4e",  # no prefix
    "kaspa:qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqkx9awp4l",  # checksum
    "kaspa:qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqkx9awp4e",  # one q missing
]


# -- an independent oracle: cashaddr written with bit strings -------------------------------


def _oracle_polymod(values: list[int]) -> int:
    generators = [0x98F2BC8E61, 0x79B76D99E2, 0xF33E5FB3C4, 0xAE2EABE2A8, 0x1E4F43E470]
    c = 1
    for value in values:
        c0 = c >> 35
        c = ((c & 0x07FFFFFFFF) << 5) ^ value
        for i, g in enumerate(generators):
            if c0 & (1 << i):
                c ^= g
    return c ^ 1


def _oracle_encode(prefix: str, data: bytes) -> str:
    bits = "".join(f"{byte:08b}" for byte in data)
    bits += "0" * (-len(bits) % 5)
    groups = [int(bits[i : i + 5], 2) for i in range(0, len(bits), 5)]
    check = _oracle_polymod([ord(c) & 31 for c in prefix] + [0] + groups + [0] * 8)
    check_bits = f"{check:040b}"
    groups += [int(check_bits[i : i + 5], 2) for i in range(0, 40, 5)]
    return prefix + ":" + "".join(CHARSET[g] for g in groups)


def test_oracle_agrees_with_rusty_kaspa() -> None:
    # The oracle is only an oracle if it reproduces Kaspa's vectors on its own.
    for prefix, version, payload, text in RUSTY_KASPA_CASES:
        assert _oracle_encode(prefix, bytes([version]) + payload) == text


# -- rusty-kaspa's vectors ---------------------------------------------------------------------


@pytest.mark.parametrize(("prefix", "version", "payload", "text"), RUSTY_KASPA_CASES)
def test_rusty_kaspa_cases_encode_and_decode(
    prefix: str, version: int, payload: bytes, text: str
) -> None:
    body = text.partition(":")[2]
    assert encode_payload(prefix, bytes([version]) + payload) == body
    assert decode_payload(prefix, body) == bytes([version]) + payload
    if prefix in {p.value for p in AddressPrefix}:
        address = Address(AddressPrefix(prefix), AddressVersion(version), payload)
        assert encode_address(address) == text
        assert decode_address(text) == address


@pytest.mark.parametrize(("script", "prefix", "text"), RUSTY_KASPA_SCRIPTS)
def test_rusty_kaspa_scripts(script: str, prefix: AddressPrefix, text: str) -> None:
    address = decode_address(text, prefix)
    assert pay_to_address_script(address) == ScriptPublicKey(0, bytes.fromhex(script))
    assert address_of_script(ScriptPublicKey(0, bytes.fromhex(script)), prefix) == address


def test_non_standard_scripts_have_no_address() -> None:
    # rusty-kaspa standard.rs: a 32-byte push ending in OP_CHECKSIGECDSA, and an unknown
    # script version, are not standard.
    odd = bytes.fromhex("2001fc5f4e9d9879599c69a3dafdb835a7255e5f2e934e9322ecd3af190ab0f60eab")
    assert address_of_script(ScriptPublicKey(0, odd), AddressPrefix.TESTNET) is None
    standard = bytes.fromhex(RUSTY_KASPA_SCRIPTS[0][0])
    assert address_of_script(ScriptPublicKey(1, standard), AddressPrefix.MAINNET) is None


def test_script_hash_script() -> None:
    digest = bytes(range(32))
    script = pay_to_address_script(
        Address(AddressPrefix.DEVNET, AddressVersion.SCRIPT_HASH, digest)
    )
    # OP_BLAKE2B OP_DATA_32 <hash> OP_EQUAL, written out from the opcode table.
    assert script == ScriptPublicKey(0, b"\xaa\x20" + digest + b"\x87")


@pytest.mark.parametrize("text", RUSTY_KASPA_ERRORS)
def test_rusty_kaspa_errors(text: str) -> None:
    with pytest.raises(InvalidAddress) as caught:
        decode_address(text)
    assert caught.value.code is Code.MALFORMED_ADDRESS


# -- stricter than Kaspa, and hostile input ------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        ZERO_MAINNET.upper(),
        "KASPA:" + ZERO_MAINNET[6:],
        "kaspa:" + ZERO_MAINNET[6:].upper(),
        "kaspa:",
        "kaspa:qqqqqqqq",
        ":" + ZERO_MAINNET[6:],
        "kaspa:" + "q" * 200,
        "kaspa::" + ZERO_MAINNET[6:],
        "",
    ],
)
def test_malformed_text(text: str) -> None:
    with pytest.raises(InvalidAddress) as caught:
        decode_address(text)
    assert caught.value.code is Code.MALFORMED_ADDRESS


@pytest.mark.parametrize("value", [None, 7, b"kaspa:q", ["kaspa:"]])
def test_not_text(value: object) -> None:
    with pytest.raises(InvalidAddress) as caught:
        decode_address(value)
    assert caught.value.code is Code.MALFORMED_ADDRESS


def test_wrong_length_and_unknown_version() -> None:
    # Well-formed cashaddr whose content is no address: checked by the oracle's encoding.
    for data in (bytes([0]) + bytes(31), bytes([1]) + bytes(32), bytes([2]) + bytes(32)):
        with pytest.raises(InvalidAddress) as caught:
            decode_address(_oracle_encode("kaspa", data))
        assert caught.value.code is Code.MALFORMED_ADDRESS
    with pytest.raises(InvalidAddress):
        Address(AddressPrefix.MAINNET, AddressVersion.PUBKEY, bytes(33))


def test_non_zero_padding_is_refused() -> None:
    # 33 bytes = 264 bits in 53 groups: one padding bit. Set it and re-checksum by hand.
    bits = "".join(f"{byte:08b}" for byte in bytes(33)) + "1"
    groups = [int(bits[i : i + 5], 2) for i in range(0, len(bits), 5)]
    check = _oracle_polymod([ord(c) & 31 for c in "kaspa"] + [0] + groups + [0] * 8)
    groups += [(check >> (35 - 5 * i)) & 31 for i in range(8)]
    text = "kaspa:" + "".join(CHARSET[g] for g in groups)
    with pytest.raises(InvalidAddress) as caught:
        decode_address(text)
    assert "padded" in caught.value.message


@pytest.mark.parametrize("prefix", list(AddressPrefix))
def test_wrong_network(prefix: AddressPrefix) -> None:
    others = [p for p in AddressPrefix if p is not prefix]
    text = encode_address(Address(prefix, AddressVersion.PUBKEY, bytes(32)))
    assert decode_address(text, prefix).prefix is prefix
    for other in others:
        with pytest.raises(InvalidAddress) as caught:
            decode_address(text, other)
        assert caught.value.code is Code.WRONG_NETWORK
        # The checksum binds the prefix: the same payload under another prefix is malformed.
        with pytest.raises(InvalidAddress) as caught:
            decode_address(f"{other}:{text.partition(':')[2]}")
        assert caught.value.code is Code.MALFORMED_ADDRESS


_addresses = st.builds(
    lambda prefix, version, data: Address(prefix, version, data[: version.payload_length]),
    st.sampled_from(list(AddressPrefix)),
    st.sampled_from(list(AddressVersion)),
    st.binary(min_size=33, max_size=33),
)


@given(_addresses)
def test_round_trip_matches_the_oracle(address: Address) -> None:
    text = encode_address(address)
    assert text == _oracle_encode(address.prefix, bytes([address.version]) + address.payload)
    assert decode_address(text, address.prefix) == address


@given(_addresses, st.data())
def test_every_single_character_change_is_caught(address: Address, data: st.DataObject) -> None:
    # The BCH code detects every error in a single character.
    text = encode_address(address)
    start = len(address.prefix) + 1
    position = data.draw(st.integers(start, len(text) - 1))
    replacement = data.draw(st.sampled_from([c for c in CHARSET if c != text[position]]))
    changed = text[:position] + replacement + text[position + 1 :]
    with pytest.raises(InvalidAddress) as caught:
        decode_address(changed)
    assert caught.value.code is Code.MALFORMED_ADDRESS
