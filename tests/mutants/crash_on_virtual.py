"""Runner robustness: an adapter that dies on its first ``virtual`` request."""

import os

from reference.consensus import Consensus
from reference.pipeline.virtual import VirtualState
from tests.mutants._serve import serve


def virtual_state(self: Consensus) -> VirtualState:
    os._exit(3)


Consensus.virtual_state = virtual_state  # type: ignore[method-assign]
serve()
