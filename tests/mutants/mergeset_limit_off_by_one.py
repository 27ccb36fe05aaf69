"""Mutant: a mergeset exactly at ``mergeset_size_limit`` is rejected (``>=`` for ``>``)."""

from reference.block import Header
from reference.errors import BlockRejected, Code
from reference.pipeline import validation
from reference.presets import Preset
from reference.processes.ghostdag.data import GhostdagData
from tests.mutants._serve import serve


def check_mergeset_size(header: Header, data: GhostdagData, preset: Preset) -> None:
    if data.mergeset_size >= preset.mergeset_size_limit:
        raise BlockRejected(Code.MERGESET_TOO_BIG, header.hash, "mergeset too big")


validation.check_mergeset_size = check_mergeset_size
serve()
