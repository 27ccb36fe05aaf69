"""Mutant: ``>`` for ``>=`` on the peers' side (a blue peer already at K blues in its anticone
may get one more)."""

import operator

from reference.processes.ghostdag import protocol
from tests.mutants._colouring import candidate_check
from tests.mutants._serve import serve

protocol.check_blue_candidate = candidate_check(peer_full=operator.gt)  # type: ignore[assignment]
serve()
