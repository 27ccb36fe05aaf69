"""The numbers of ``spec/security.md`` are recomputed, not copied.

- Kaspa's K formula (the PHANTOM bound: the smallest ``k`` with
  ``1 - sum_{j<=k} e^-x x^j / j! < delta``, ``x = 2 D lambda``), written here from its
  definition, reproduces Kaspa's published K = 18 (1 block/s) and K = 124 (10 blocks/s) at
  D = 5 s, delta = 0.01; then every row of the K table, the largest delay K = 10 tolerates and
  the figures quoted about TOS's own derivation are recomputed with it.
- The pruning-depth lower bound quoted for the ``tos`` preset is recomputed from the preset's
  values with Kaspa's formula.
- The two compact-bits values said to denote one target are decoded from the definition.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from reference.presets import get_preset
from tests.spec_markdown import SPEC, table_after_label

CHAPTER = SPEC / "security.md"
DELTA = 0.01
RATE = 1.0  # blocks per second, the tos preset's rate


def _tail(x: float, k: int) -> float:
    """P(Poisson(x) > k)."""
    return 1.0 - sum(math.exp(-x) * x**j / math.factorial(j) for j in range(k + 1))


def _kaspa_k(x: float, delta: float) -> int:
    k = 0
    while not _tail(x, k) < delta:
        k += 1
    return k


def _largest_delay(k: int, rate: float, delta: float) -> float:
    """Supremum of the delays D for which ``k`` suffices (the tail grows with D)."""
    low, high = 0.0, 100.0
    for _ in range(200):
        middle = (low + high) / 2
        if _kaspa_k(2 * middle * rate, delta) <= k:
            low = middle
        else:
            high = middle
    return low


def _text() -> str:
    return CHAPTER.read_text(encoding="utf-8")


def test_formula_reproduces_kaspas_published_k() -> None:
    # rusty-kaspa: K = 18 at 1 block/s and 124 at 10 blocks/s, from D = 5 s and delta = 0.01.
    assert _kaspa_k(2 * 5 * 1, DELTA) == 18
    assert _kaspa_k(2 * 5 * 10, DELTA) == 124


def test_k_table_is_recomputed() -> None:
    header, *rows = table_after_label(CHAPTER, "k-bound-table")
    assert len(header) == 4 and len(rows) >= 5
    for delay, x, k, tail in rows:
        expected_x = 2 * float(delay) * RATE
        assert float(x) == expected_x, f"D = {delay}: x"
        assert int(k) == _kaspa_k(expected_x, DELTA), f"D = {delay}: K"
        assert tail == f"{_tail(expected_x, 10) * 100:.2g} %", f"D = {delay}: tail above 10"


def test_largest_delay_for_k_10() -> None:
    bound = _largest_delay(10, RATE, DELTA)
    stated = re.search(r"\$K = 10\$ suffices exactly while \$D < ([0-9.]+)\$ s", _text())
    assert stated is not None, "the chapter states the largest delay K = 10 tolerates"
    written = Fraction(stated.group(1))
    # The stated number is the bound truncated to its last written digit.
    digits = len(stated.group(1).split(".")[1])
    assert written == Fraction(math.floor(bound * 10**digits), 10**digits)
    assert _kaspa_k(2 * float(written) * RATE, DELTA) == 10
    assert _kaspa_k(2 * (float(written) + 10**-digits) * RATE, DELTA) == 11
    assert f"$x < {2 * float(written):.4f}$" in _text()
    assert f"within {math.floor(bound * 100) / 100} seconds" in _text()
    assert get_preset("tos").k == 10
    assert get_preset("tos").target_time_per_block_ms == 1000


def test_figures_about_toss_own_derivation() -> None:
    # TOS's source: K = 10 from D = 2 s, delta = 0.001 ("calculated ~9.7").
    assert _kaspa_k(4.0, 0.001) == 11
    assert f"{_tail(4.0, 10):.4f}" == "0.0028"
    assert "gives 11 there" in _text() and r"\delta \approx 0.0028" in _text()


def test_pruning_depth_bound_of_the_tos_preset() -> None:
    tos = get_preset("tos")
    assert tos.finality_depth is not None and tos.merge_depth is not None
    bound = (
        tos.finality_depth + 2 * tos.merge_depth + 4 * tos.mergeset_size_limit * tos.k + 2 * tos.k
    ) + 2
    assert f"{bound:,} with the `tos` values" in _text()
    assert f"pruning depth of {tos.pruning_depth:,}" in _text()
    assert tos.pruning_depth >= bound


def test_two_bits_values_denote_one_target() -> None:
    def target(bits: int) -> int:  # m * 256^(e - 3), positive mantissa, e >= 3
        exponent, mantissa = bits >> 24, bits & 0x7FFFFF
        return int(mantissa * 256 ** (exponent - 3))

    assert target(0x1D02CA00) == target(0x1E0002CA)
    assert "`0x1d02ca00` and `0x1e0002ca` denote the same" in _text()
