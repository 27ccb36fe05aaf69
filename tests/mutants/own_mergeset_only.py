"""Mutant: the k-cluster check looks only at the new block's own mergeset blues instead of
walking the selected chain — the other TOS divergence of late 2025."""

from reference.processes.ghostdag import protocol
from tests.mutants._colouring import candidate_check
from tests.mutants._serve import serve

protocol.check_blue_candidate = candidate_check(walk_selected_chain=False)  # type: ignore[assignment]
serve()
