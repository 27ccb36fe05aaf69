"""The DAG generators produce what they promise: valid antichain parents in topological order."""

from __future__ import annotations

import random

from hypothesis import given, settings

from conformance.oracle import transitive_past
from conformance.strategies import (
    GeneratedDag,
    Shape,
    layered_dags,
    random_layered_dag,
    topological_orders,
)


def _check_well_formed(dag: GeneratedDag) -> None:
    seen = set()
    past = transitive_past(dag.parents())
    assert dag.blocks[0].parents == ()
    for block in dag.blocks:
        assert block.hash not in seen
        assert all(parent in seen for parent in block.parents)
        assert block.parents or block is dag.blocks[0]
        assert len(set(block.parents)) == len(block.parents)
        for a in block.parents:
            for b in block.parents:
                assert a == b or a not in past[b], "parents must be an antichain"
        seen.add(block.hash)


@settings(max_examples=150)
@given(layered_dags())
def test_layered_dags_are_well_formed(dag: GeneratedDag) -> None:
    _check_well_formed(dag)
    reordered = next(topological_orders(dag, random.Random(1)))
    _check_well_formed(reordered)
    assert reordered.parents() == dag.parents()


def test_layered_dags_reach_wide_anticones() -> None:
    # The point of the model: three mutually unrelated parents must actually occur.
    dag = random_layered_dag(7, 400, Shape(0, 6, 3, 8, 3))
    _check_well_formed(dag)
    assert len(dag.blocks) == 400
    assert max(len(block.parents) for block in dag.blocks) >= 3


def test_seeded_generation_is_reproducible() -> None:
    shape = Shape(0, 4, 2, 8, 3)
    assert random_layered_dag(3, 100, shape) == random_layered_dag(3, 100, shape)
    assert random_layered_dag(3, 100, shape) != random_layered_dag(4, 100, shape)
