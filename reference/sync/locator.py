"""Chain-block locators: how two nodes find the highest block of the syncer's selected chain
that both hold, in a few round trips (Kaspa's IBD negotiation).

**The syncer** answers a request ``(low, high)`` with chain blocks from ``high`` down: the
positions ``high, high - 1, high - 3, high - 7, ...`` (the step doubling) while above ``low``,
then ``low`` itself (:func:`chain_locator`); ``low`` defaults to genesis and ``high`` to the
sink. A request naming a block that is not on its selected chain, or ``low`` above ``high``,
gets an empty locator: the syncee starts over.

**The syncee** scans a locator from the top (:func:`read_locator`): the first block it holds is
the highest one known; the block just above it in the locator the lowest one unknown. If the
two are adjacent on the syncer's chain (the locator had nothing between them), the known one
is the highest shared block; otherwise it asks again with ``low = highest known``,
``high = lowest unknown`` and *zooms in*. Each answer at least halves the gap, so about
``log2(gap)`` rounds, each locator at most :data:`MAX_LOCATOR_LENGTH` hashes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from reference.errors import Code, PeerError
from reference.hash import Hash
from reference.sync.chain import SelectedChain

MAX_LOCATOR_LENGTH: Final = 64
"""Most hashes in one locator (Kaspa's bound)."""


def chain_locator(chain: SelectedChain, low: Hash | None, high: Hash | None) -> tuple[Hash, ...]:
    """The syncer's locator between ``low`` (default genesis) and ``high`` (default sink).

    ``high`` may be any block the syncer holds (a relayed block off its selected chain): its
    own selected chain is then walked down to the sink's chain and used instead.
    """
    above: list[Hash] = []  # high's chain blocks that are not on the sink's chain, top first
    if high is not None and chain.position(high) is None:
        consensus = chain.consensus
        if not consensus.has_block(high):
            return ()
        block = high
        while chain.position(block) is None:
            above.append(block)
            parent = consensus.ghostdag_data(block).selected_parent
            if parent is None:
                return ()
            block = parent
        high = block
    base = chain.top if high is None else chain.position(high)
    if base is None:
        return ()
    top = base + len(above)

    def at(position: int) -> Hash:
        return chain.at(position) if position <= base else above[top - position]

    if low is None:
        low_position: int | None = 0
    elif low in above:
        low_position = top - above.index(low)
    else:
        low_position = chain.position(low)
        if low_position is not None and low_position > base:
            low_position = None  # on the sink's chain but not on high's
    if low_position is None or low_position > top:
        return ()
    hashes: list[Hash] = []
    position, step = top, 1
    while position > low_position and len(hashes) < MAX_LOCATOR_LENGTH - 1:
        hashes.append(at(position))
        position -= step
        step *= 2
    hashes.append(at(low_position))
    return tuple(hashes)


@dataclass(frozen=True, slots=True)
class LocatorReading:
    """What the syncee learns from one locator."""

    highest_known: Hash
    """The highest block of the locator the syncee holds."""
    lowest_unknown: Hash | None
    """The block just above it in the locator; ``None`` when the syncee holds the top."""
    adjacent: bool
    """True when nothing lies between the two on the syncer's chain (they are the locator's
    first two entries, or the syncee holds the top): ``highest_known`` is the highest shared
    block."""


def read_locator(
    locator: Sequence[Hash],
    known: Callable[[Hash], bool],
    invalid: Callable[[Hash], bool],
    *,
    zoom: tuple[Hash, Hash] | None = None,
) -> LocatorReading:
    """Read a locator the syncer sent; ``zoom`` is the ``(low, high)`` it answered.

    Raises ``PROTOCOL_VIOLATION`` for a locator that cannot be an honest answer: empty or too
    long, naming a block the syncee knows to be invalid, holding no block the syncee knows,
    or — for a zoom — not running from the requested ``high`` down to ``low``.
    """
    if not locator or len(locator) > MAX_LOCATOR_LENGTH:
        raise PeerError(Code.PROTOCOL_VIOLATION, f"a locator of {len(locator)} hashes")
    if zoom is not None and (locator[0] != zoom[1] or locator[-1] != zoom[0]):
        raise PeerError(Code.PROTOCOL_VIOLATION, "a zoomed locator must run from high to low")
    for index, block in enumerate(locator):
        if invalid(block):
            raise PeerError(Code.PROTOCOL_VIOLATION, f"the locator names invalid block {block}")
        if known(block):
            if index == 0:
                return LocatorReading(block, None, True)
            # Positions in a locator step 1, 2, 4, ... down from its top: only its first
            # two entries are certainly adjacent on the chain.
            return LocatorReading(block, locator[index - 1], index == 1)
    raise PeerError(Code.PROTOCOL_VIOLATION, "the locator shares no block with this node")
