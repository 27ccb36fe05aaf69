"""Mutant: a block is not its own DAG ancestor in answers to queries."""

from reference.consensus import Consensus
from reference.hash import Hash
from tests.mutants._serve import serve

_is_dag_ancestor_of = Consensus.is_dag_ancestor_of


def is_dag_ancestor_of(self: Consensus, ancestor: Hash, descendant: Hash) -> bool:
    return ancestor != descendant and _is_dag_ancestor_of(self, ancestor, descendant)


Consensus.is_dag_ancestor_of = is_dag_ancestor_of  # type: ignore[method-assign]
serve()
