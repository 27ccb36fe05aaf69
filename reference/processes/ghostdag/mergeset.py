"""The mergeset: the blocks a new block adds to the past of its selected parent.

The mergeset of a block ``B`` with selected parent ``SP`` is ``past(B) \\ past(SP)`` without
``B`` itself: ``SP`` and every block that ``B`` reaches through its other parents but ``SP``
does not. It is found by a breadth-first search from the other parents along parent links
that stops at blocks in ``past(SP)``; one reachability query per boundary block decides that.
Reachability is reflexive, so the search also stops at ``SP`` itself.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence, Set

from reference import ordering
from reference.hash import Hash
from reference.processes.reachability.api import Reachability
from reference.stores.ghostdag import GhostdagStore
from reference.stores.relations import RelationsStore


def grow_mergeset(
    selected_parent: Hash,
    new_parents: Iterable[Hash],
    mergeset: Set[Hash],
    relations: RelationsStore,
    reachability: Reachability,
) -> set[Hash]:
    """The blocks that ``new_parents`` add to ``mergeset`` (which excludes the selected parent).

    Breadth-first from ``new_parents`` over parent links; a block is taken when it is neither
    in ``mergeset`` nor a DAG ancestor of ``selected_parent``. Returns only the new blocks;
    ``mergeset`` is not changed. ``new_parents`` must not be in ``past(selected_parent)``.
    """
    added: set[Hash] = {parent for parent in new_parents if parent not in mergeset}
    queue = deque(added)
    in_selected_past: set[Hash] = set()
    is_dag_ancestor_of = reachability.is_dag_ancestor_of
    while queue:
        current = queue.popleft()
        for parent in relations.parents(current):
            if parent in added or parent in mergeset or parent in in_selected_past:
                continue
            if is_dag_ancestor_of(parent, selected_parent):
                in_selected_past.add(parent)
                continue
            added.add(parent)
            queue.append(parent)
    return added


def unordered_mergeset_without_selected_parent(
    selected_parent: Hash,
    parents: Sequence[Hash],
    relations: RelationsStore,
    reachability: Reachability,
) -> set[Hash]:
    """``past(B) \\ past(SP) \\ {SP, B}`` for a block ``B`` with these parents."""
    others = [parent for parent in parents if parent != selected_parent]
    return grow_mergeset(selected_parent, others, frozenset(), relations, reachability)


def sort_blocks(blocks: Iterable[Hash], store: GhostdagStore) -> list[Hash]:
    """``blocks`` in ascending :func:`~reference.ordering.sort_key` order.

    Ascending ``(blue_work, hash)`` is a topological order: an ancestor always has strictly
    less blue work than its descendant.
    """
    get = store.get
    return sorted(blocks, key=lambda block: ordering.sort_key(get(block)))


def ordered_mergeset_without_selected_parent(
    selected_parent: Hash,
    parents: Sequence[Hash],
    relations: RelationsStore,
    reachability: Reachability,
    store: GhostdagStore,
) -> list[Hash]:
    """The mergeset without the selected parent, ascending ``sort_key``: the colouring order."""
    unordered = unordered_mergeset_without_selected_parent(
        selected_parent, parents, relations, reachability
    )
    return sort_blocks(unordered, store)
