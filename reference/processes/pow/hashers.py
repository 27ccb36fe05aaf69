"""The two hashers of the proof of work: cSHAKE256 with Kaspa's customisation strings.

cSHAKE256 (NIST SP 800-185) with an empty function name and the customisation string
``ProofOfWorkHash`` hashes the header's PoW input; with ``HeavyHash`` it finishes the heavy
hash. Both produce 32 bytes. (Kaspa computes them from precomputed Keccak states; the values
are those of plain cSHAKE256, which Kaspa's own tests check against a reference cSHAKE.)
"""

from __future__ import annotations

from typing import Final

from Crypto.Hash import cSHAKE256

from reference.hash import HASH_SIZE, Hash

POW_HASH_DOMAIN: Final = b"ProofOfWorkHash"
"""Customisation string of :func:`pow_hash`."""

HEAVY_HASH_DOMAIN: Final = b"HeavyHash"
"""Customisation string of :func:`kheavy_hash`."""


def pow_hash(data: bytes) -> Hash:
    """cSHAKE256(``data``, customisation ``ProofOfWorkHash``), 32 bytes."""
    return Hash(cSHAKE256.new(data, POW_HASH_DOMAIN).read(HASH_SIZE))


def kheavy_hash(data: bytes) -> Hash:
    """cSHAKE256(``data``, customisation ``HeavyHash``), 32 bytes."""
    return Hash(cSHAKE256.new(data, HEAVY_HASH_DOMAIN).read(HASH_SIZE))
