"""Runner robustness: an adapter that never answers a ``ghostdag`` query about genesis."""

import time

from reference.consensus import Consensus
from reference.hash import Hash
from reference.processes.ghostdag.data import GhostdagData
from tests.mutants._serve import serve

_ghostdag_data = Consensus.ghostdag_data


def ghostdag_data(self: Consensus, block: Hash) -> GhostdagData:
    if block == self.genesis:
        time.sleep(3600)
    return _ghostdag_data(self, block)


Consensus.ghostdag_data = ghostdag_data  # type: ignore[method-assign]
serve()
