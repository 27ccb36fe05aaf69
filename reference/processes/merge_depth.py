"""The bounded merge depth rule: a block may not merge a red block from too deep.

Let ``root`` be the merge-depth root of a block ``B`` (:mod:`reference.processes.block_depth`).
A red block ``R`` of ``B``'s mergeset is allowed when

- ``root`` is in ``past(R)`` — ``R`` was mined after the root, so it is recent enough; or
- ``R`` is in the past of a *kosherizing blue*: a blue block of ``B``'s mergeset that has
  ``root`` on its selected chain. That blue already merged ``R`` (or vouches for it) from a
  recent point of view, so ``B`` merging it adds nothing deep.

Any other red is a *bad red*, and a block with a bad red is rejected with
``VIOLATING_MERGE_DEPTH`` (rusty-kaspa ``post_pow_validation.rs`` ``check_bounded_merge_depth``,
kaspad ``mergedepthmanager``). Only red blocks are checked, as in Kaspa. The virtual's parents
are chosen so that it never merges a bad red (:mod:`reference.pipeline.virtual`).
"""

from __future__ import annotations

from reference.errors import BlockRejected, Code
from reference.hash import Hash
from reference.processes.block_depth import ORIGIN
from reference.processes.ghostdag.data import GhostdagData
from reference.processes.reachability.api import Reachability


def is_in_future_of(reachability: Reachability, root: Hash, block: Hash) -> bool:
    """``root`` is in ``past(block)`` (reflexive); :data:`ORIGIN` is in every block's past."""
    return root == ORIGIN or reachability.is_dag_ancestor_of(root, block)


def kosherizing_blues(
    data: GhostdagData, merge_depth_root: Hash, reachability: Reachability
) -> tuple[Hash, ...]:
    """The blues of ``data``'s mergeset that have ``merge_depth_root`` on their selected chain."""
    if merge_depth_root == ORIGIN:
        return data.mergeset_blues
    is_chain_ancestor_of = reachability.is_chain_ancestor_of
    return tuple(
        blue for blue in data.mergeset_blues if is_chain_ancestor_of(merge_depth_root, blue)
    )


def bad_reds(
    data: GhostdagData, merge_depth_root: Hash, reachability: Reachability
) -> tuple[Hash, ...]:
    """The reds of ``data``'s mergeset that break the bound, in mergeset order (ascending key)."""
    is_dag_ancestor_of = reachability.is_dag_ancestor_of
    kosher: tuple[Hash, ...] | None = None
    bad: list[Hash] = []
    for red in data.mergeset_reds:
        if is_in_future_of(reachability, merge_depth_root, red):
            continue
        # Computed only when needed: almost every red is above the root.
        if kosher is None:
            kosher = kosherizing_blues(data, merge_depth_root, reachability)
        if not any(is_dag_ancestor_of(red, blue) for blue in kosher):
            bad.append(red)
    return tuple(bad)


def check_bounded_merge_depth(
    data: GhostdagData, merge_depth_root: Hash, reachability: Reachability
) -> None:
    """VIOLATING_MERGE_DEPTH: no red of the block's mergeset is a bad red."""
    bad = bad_reds(data, merge_depth_root, reachability)
    if bad:
        raise BlockRejected(
            Code.VIOLATING_MERGE_DEPTH,
            data.hash,
            f"merges red {bad[0]}, which neither has the merge-depth root {merge_depth_root} "
            "in its past nor is in the past of a kosherizing blue",
        )
