"""Control: the reference with its colouring replaced by the unmutated copy (must pass)."""

from reference.processes.ghostdag import protocol
from tests.mutants._colouring import candidate_check
from tests.mutants._serve import serve

protocol.check_blue_candidate = candidate_check()  # type: ignore[assignment]
serve()
