"""Headers-first sync and block relay between peers (``spec/sync.md``).

Networking, not consensus: modules here read the consensus through its public methods and
hand blocks to the node; no consensus module imports them.

- :mod:`reference.sync.backend` — what sync needs from the node;
- :mod:`reference.sync.chain` — the selected chain by position, for locators;
- :mod:`reference.sync.locator` — chain-block locators and the syncee's zoom;
- :mod:`reference.sync.antipast` — which headers to send, in chunks of whole mergesets;
- :mod:`reference.sync.orphans` — blocks whose parents are missing, in a bounded pool;
- :mod:`reference.sync.ibd` — the syncee's flow: negotiate, headers, bodies;
- :mod:`reference.sync.service` — a node's peers: listening, connecting, serving, relaying.
"""
