"""Mutant: work = 2^256 // target (the ``+ 1`` of ``2^256 // (target + 1)`` forgotten)."""

from conformance.suites import work as work_suite
from reference.pipeline import validation
from reference.work import Work
from tests.mutants._serve import serve


def work_from_target(target: int) -> Work:
    return Work((1 << 256) // target) if target else Work(1 << 256)


setattr(work_suite, "work_from_target", work_from_target)  # noqa: B010 - imported name
setattr(validation, "work_from_target", work_from_target)  # noqa: B010 - imported name
serve()
