"""Shared pytest configuration: Hypothesis profiles."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

# Shared, noisy machines: no per-example deadline anywhere. CI is derandomized so a red run
# is reproducible from its log; local runs explore new examples every time.
# Every profile descends from Hypothesis's plain defaults: with a `CI` variable set, Hypothesis
# would otherwise make its own derandomized, database-less `ci` profile the parent of each.
PLAIN = settings.get_profile("default")
settings.register_profile(
    "ci", PLAIN, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", PLAIN, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# `make deep`: fresh randomness on every run, and DEEP_FACTOR times each test's own number of
# examples (pytest_collection_modifyitems below); a failure prints the blob that replays it.
settings.register_profile(
    "deep", PLAIN, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
# `make fuzz`: HypoFuzz fuzzes only tests whose database is the default one, so every test
# shares this directory; point DAGSPEC_FUZZ_DB at a shared folder to pool several machines.
settings.register_profile(
    "fuzz",
    PLAIN,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=DirectoryBasedExampleDatabase(os.environ.get("DAGSPEC_FUZZ_DB", ".hypothesis/fuzz")),
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "dev")
settings.load_profile(PROFILE)

DEEP_FACTOR = 20
"""How many times more examples each property test runs under the ``deep`` profile."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under ``deep``, multiply every Hypothesis test's ``max_examples`` by DEEP_FACTOR."""
    if PROFILE != "deep":
        return
    scaled: set[int] = set()  # a parametrized test shares one function: scale it once
    for item in items:
        function = getattr(getattr(item, "obj", None), "__func__", getattr(item, "obj", None))
        cls = getattr(item, "cls", None)
        if hasattr(function, "_hypothesis_state_machine_class") and cls is not None:
            holder: object = cls  # a RuleBasedStateMachine's TestCase reads cls.settings
            name = "settings"
        elif hasattr(function, "_hypothesis_internal_use_settings"):
            holder, name = function, "_hypothesis_internal_use_settings"
        else:
            continue
        if id(holder) in scaled:
            continue
        scaled.add(id(holder))
        current: settings = getattr(holder, name)
        setattr(holder, name, settings(current, max_examples=current.max_examples * DEEP_FACTOR))
