"""Deliberately broken adapters: each patches one decision of the reference, then serves.

The conformance self-check (``tests/test_conformance_mutants.py``) runs the published vectors
against each of them and expects the runner to fail it. They live here, in the tests, and never
as options of the production adapter.
"""
