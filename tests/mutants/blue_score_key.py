"""Mutant: blocks are ordered by ``(blue_score, hash)`` instead of ``(blue_work, hash)``."""

from reference import ordering
from reference.ordering import Ranked, SortKey
from tests.mutants._serve import serve


def sort_key(block: Ranked) -> SortKey:
    return (getattr(block, "blue_score"), block.hash)  # noqa: B009 - Ranked has no blue_score


ordering.sort_key = sort_key
serve()
