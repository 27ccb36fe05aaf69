"""The selected chain by position: genesis at 0 (a pruned node: the lowest chain block it
holds), the sink at the top.

Locators name blocks of the selected chain at chosen distances below the sink, which needs
"the chain block at position i" in constant time. Kaspa keeps this index in a store (the
virtual selected-chain index); here it is derived from the consensus's public methods and
kept current lazily: when the sink has moved, the new sink's selected-parent chain is walked
down only until it meets a block the index already holds at its position, so a refresh costs
the length of the chain change, not of the chain.
"""

from __future__ import annotations

from reference.consensus import Consensus
from reference.hash import Hash


class SelectedChain:
    """Positions of the blocks of the sink's selected chain."""

    __slots__ = ("_chain", "_consensus", "_position")

    def __init__(self, consensus: Consensus) -> None:
        self._consensus = consensus
        self._chain: list[Hash] = [consensus.genesis]
        self._position: dict[Hash, int] = {consensus.genesis: 0}

    def refresh(self) -> None:
        """Follow the consensus's current sink."""
        sink = self._consensus.sink()
        if self._chain[-1] == sink:
            return
        above: list[Hash] = []
        block = sink
        while True:
            position = self._position.get(block)
            if position is not None and self._chain[position] == block:
                break
            above.append(block)
            parent = self._consensus.ghostdag_data(block).selected_parent
            if parent is None or not self._consensus.has_block(parent):
                # Genesis, or the lowest chain block a pruned node holds: start over from it.
                position = -1
                break
            block = parent
        for dropped in self._chain[position + 1 :]:
            del self._position[dropped]
        del self._chain[position + 1 :]
        for block in reversed(above):
            self._position[block] = len(self._chain)
            self._chain.append(block)

    def position(self, block: Hash) -> int | None:
        """The position of ``block`` on the chain, ``None`` when it is not a chain block."""
        self.refresh()
        return self._position.get(block)

    def at(self, position: int) -> Hash:
        """The chain block at ``position`` (0 is genesis, or the lowest one a pruned node
        holds)."""
        self.refresh()
        return self._chain[position]

    @property
    def consensus(self) -> Consensus:
        """The consensus followed."""
        return self._consensus

    @property
    def top(self) -> int:
        """The sink's position."""
        self.refresh()
        return len(self._chain) - 1
