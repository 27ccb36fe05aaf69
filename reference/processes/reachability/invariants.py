"""The invariants of the reachability tree, as a checker auditors and tests can run.

The checks are Kaspa's (rusty-kaspa ``validate_intervals``), plus the bookkeeping that makes
them meaningful: every stored block is reached from genesis exactly once, heights count tree
depth, and the reindex root is a stored block.
"""

from __future__ import annotations

from itertools import pairwise

from reference.processes.reachability.service import ReachabilityService
from reference.processes.reachability.store import ReachabilityData


def tree_invariant_violations(service: ReachabilityService) -> list[str]:
    """Every broken invariant of ``service``'s tree, as readable lines (empty: all hold).

    - every interval is non-empty;
    - a parent strictly contains each child: the child lies in ``[start, end - 1]``;
    - siblings are consecutive: each starts right after the previous one ends;
    - each future covering set holds non-empty, ordered, pairwise disjoint intervals;
    - every block is reached once from genesis, higher than its tree parent (by one, unless
      pruning deleted blocks between them: heights are left as they were).
    """
    store = service.store
    violations: list[str] = []
    seen: set[int] = set()
    queue: list[ReachabilityData] = [store.genesis]
    for node in queue:  # grows while iterated: breadth first
        if id(node) in seen:
            violations.append(f"{node.hash} is reached twice in the tree")
            continue
        seen.add(id(node))
        if store.nodes.get(node.hash) is not node:
            violations.append(f"{node.hash} is in the tree but not in the store")
        if node.end < node.start:
            violations.append(f"{node.hash} has the empty interval {node.interval()}")
        for child in node.children:
            if child.parent is not node:
                violations.append(f"{child.hash} is a child of {node.hash} but not its parent")
            if child.height <= node.height:
                violations.append(
                    f"{child.hash} has height {child.height}, not above {node.height}"
                )
            if not (node.start <= child.start and child.end <= node.end - 1):
                violations.append(
                    f"child {child.hash} {child.interval()} is not strictly inside "
                    f"{node.hash} {node.interval()}"
                )
        for left, right in pairwise(node.children):
            if left.end + 1 != right.start:
                violations.append(
                    f"siblings {left.hash} {left.interval()} and {right.hash} "
                    f"{right.interval()} are not consecutive"
                )
        covering = node.future_covering_set or []
        for item in covering:
            if store.nodes.get(item.hash) is not item:
                violations.append(f"covering block {item.hash} of {node.hash} is not stored")
            if item.end < item.start:
                violations.append(f"covering block {item.hash} has an empty interval")
        for left, right in pairwise(covering):
            if left.end >= right.start:
                violations.append(
                    f"covering set of {node.hash}: {left.interval()} is not before "
                    f"{right.interval()}"
                )
        queue.extend(node.children)
    if len(seen) != len(store.nodes):
        violations.append(f"{len(store.nodes) - len(seen)} stored blocks are not in the tree")
    if store.nodes.get(store.reindex_root.hash) is not store.reindex_root:
        violations.append(f"reindex root {store.reindex_root.hash} is not stored")
    return violations
