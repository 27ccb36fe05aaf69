"""The node process the crash test kills: ``python -m tests.store_child STORE SEED``.

It opens the durable store (creating it the first time), prints ``ready``, then grows the DAG
with random headers forever, printing each accepted block's hash the moment
``add_full_header`` has returned: a printed hash is a block the node acknowledged.
"""

from __future__ import annotations

import random
import sys

from reference.hash import Hash
from reference.header import header_hash
from reference.stores.sqlite.engine import open_consensus
from tests.store_dags import GENESIS, PRESET, next_header, offer, recent_blocks


def main(argv: list[str]) -> int:
    """Grow the store at ``argv[0]`` with the random generator seeded by ``argv[1]``."""
    path, seed = argv[0], int(argv[1])
    consensus = open_consensus(path, PRESET, GENESIS)
    rng = random.Random(seed)
    accepted: list[Hash] = []
    print("ready", flush=True)
    while True:
        header = next_header(consensus, rng, recent_blocks(consensus, accepted))
        if offer(consensus, header) is None:
            accepted.append(header_hash(header))
            print(accepted[-1].hex(), flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
