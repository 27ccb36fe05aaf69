"""Mutant: ``>=`` for ``>`` in the k-cluster bound (a candidate with exactly K blues in its
anticone is made red)."""

import operator

from reference.processes.ghostdag import protocol
from tests.mutants._colouring import candidate_check
from tests.mutants._serve import serve

protocol.check_blue_candidate = candidate_check(anticone_too_big=operator.ge)  # type: ignore[assignment]
serve()
