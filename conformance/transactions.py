"""Random Kaspa transactions for relay vectors, benchmarks and property tests.

Seeded (``random.Random``) builders for the vector generator and the benchmarks, and a
Hypothesis strategy covering every field of every version for the property tests. Only the
shape is random: nothing here is a valid spend, which is fine because transactions are carried
and hashed, never executed.
"""

from __future__ import annotations

import random

from hypothesis import strategies as st

from reference.coinbase import build_coinbase
from reference.hash import Hash
from reference.transaction.model import (
    SUBNETWORK_ID_NATIVE,
    SUBNETWORK_ID_SIZE,
    TX_VERSION_TOCCATA,
    CovenantBinding,
    Outpoint,
    ScriptPublicKey,
    Transaction,
    TransactionInput,
    TransactionOutput,
)


def random_transaction(rng: random.Random, signature_bytes: int = 66) -> Transaction:
    """A version 0 pay-to-public-key spend: one input, two outputs, about 285 bytes encoded
    with the default signature size (Kaspa's common transaction shape)."""
    spend = TransactionInput(
        Outpoint(Hash(rng.randbytes(32)), rng.randrange(4)),
        rng.randbytes(signature_bytes),
        0,
        1,
        0,
    )
    outputs = tuple(
        TransactionOutput(
            rng.randrange(1, 10**12),
            ScriptPublicKey(0, b"\x20" + rng.randbytes(32) + b"\xac"),
            None,
        )
        for _ in range(2)
    )
    return Transaction(0, (spend,), outputs, 0, SUBNETWORK_ID_NATIVE, 0, b"", 0)


def random_coinbase(rng: random.Random, blue_score: int) -> Transaction:
    """A coinbase of ``blue_score`` paying a random pay-to-public-key script."""
    script = ScriptPublicKey(0, b"\x20" + rng.randbytes(32) + b"\xac")
    return build_coinbase(blue_score, script, rng.randrange(1, 10**10), b"dagspec")


_U64 = st.integers(0, 2**64 - 1)
_HASHES = st.binary(min_size=32, max_size=32).map(Hash)
_SMALL_BYTES = st.binary(max_size=40)


@st.composite
def transactions(draw: st.DrawFn) -> Transaction:
    """Any transaction the model admits: versions 0, 1 and beyond, with and without mass,
    covenants and compute budgets, any subnetwork."""
    version = draw(st.sampled_from([0, 0, TX_VERSION_TOCCATA, TX_VERSION_TOCCATA, 7]))
    budgeted = version >= TX_VERSION_TOCCATA
    inputs = draw(
        st.lists(
            st.builds(
                TransactionInput,
                st.builds(Outpoint, _HASHES, st.integers(0, 2**32 - 1)),
                _SMALL_BYTES,
                _U64,
                st.just(0) if budgeted else st.integers(0, 255),
                st.integers(0, 2**16 - 1) if budgeted else st.just(0),
            ),
            max_size=3,
        )
    )
    covenants = (
        st.none() | st.builds(CovenantBinding, st.integers(0, 2**16 - 1), _HASHES)
        if budgeted
        else st.none()
    )
    outputs = draw(
        st.lists(
            st.builds(
                TransactionOutput,
                _U64,
                st.builds(ScriptPublicKey, st.integers(0, 2**16 - 1), _SMALL_BYTES),
                covenants,
            ),
            max_size=3,
        )
    )
    return Transaction(
        version,
        tuple(inputs),
        tuple(outputs),
        draw(_U64),
        draw(st.binary(min_size=SUBNETWORK_ID_SIZE, max_size=SUBNETWORK_ID_SIZE)),
        draw(_U64),
        draw(_SMALL_BYTES),
        draw(st.sampled_from([0, 0, 1, 2**64 - 1]) | _U64),
    )
