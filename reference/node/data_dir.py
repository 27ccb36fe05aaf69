"""A node's data directory: the durable store of one network.

``dagspec node --data-dir D`` keeps its DAG in ``D/``:data:`STORE_FILE`, the SQLite store of
``spec/store``. The store remembers the parameters and the genesis it was made for; a data
directory made for another network (another preset, or the same preset with other
parameters, or another genesis) is refused (``STORE_MISMATCH``, naming the network), and
nothing in it is changed. A node restarted on its data directory continues exactly where its
last acknowledged block left it: every block is committed before ``submit_block`` returns.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from reference.consensus import Clock, Consensus, wall_clock_ms
from reference.errors import Code, StoreError
from reference.node.network import Network
from reference.stores.sqlite.engine import open_consensus

STORE_FILE: Final = "dagspec.sqlite"
"""The store's file name inside a data directory."""


def store_path(data_dir: str | os.PathLike[str]) -> Path:
    """The store file of ``data_dir``."""
    return Path(data_dir) / STORE_FILE


def open_data_dir(
    data_dir: str | os.PathLike[str], network: Network, *, clock: Clock = wall_clock_ms
) -> Consensus:
    """The consensus kept in ``data_dir`` for ``network`` (the directory and a store holding
    only genesis are created if missing). The caller closes it.

    Raises :class:`~reference.errors.StoreError`: ``STORE_MISMATCH`` for a store of another
    network; ``STORE_UNAVAILABLE`` or ``STORE_CORRUPT`` when the store cannot be used (locked
    by another process, unreadable, corrupt).
    """
    directory = Path(data_dir)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(Code.STORE_UNAVAILABLE, directory, f"cannot create: {error}") from None
    try:
        return open_consensus(store_path(directory), network.preset, network.genesis, clock=clock)
    except StoreError as error:
        if error.code is Code.STORE_MISMATCH:
            raise StoreError(
                Code.STORE_MISMATCH,
                directory,
                f"holds the store of another network than {network.name} ({error.message}); "
                "run it with its own --preset, or use another --data-dir",
            ) from None
        raise
