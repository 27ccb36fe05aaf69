"""Peers: the wire protocol a node speaks over TCP (``spec/p2p.md``).

Networking, not consensus: modules here may import the consensus modules of ``reference``
(headers, transactions, hashes), never the reverse.

- :mod:`reference.p2p.codec` — bounded reading and writing of the fields of a message;
- :mod:`reference.p2p.framing` — the frame: length, type tag, payload, and the size limits;
- :mod:`reference.p2p.messages` — one small class per message and the table of type tags;
- :mod:`reference.p2p.handshake` — version, network and genesis agreement;
- :mod:`reference.p2p.peer` — one connection on an asyncio loop, with its ban score;
- :mod:`reference.p2p.addresses` — the peer addresses a node knows.
"""
