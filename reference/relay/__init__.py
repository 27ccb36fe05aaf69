"""Compact block relay: how a block crosses the network in a few kilobytes.

Networking, not consensus: modules here may import the consensus modules of ``reference``
(hashes, VarUint), never the reverse. Two modes share one block body, one relay header and
one short-ID function:

- mode 1, short-ID compact blocks (BIP152-style): :mod:`reference.relay.compact`;
- mode 2, set reconciliation (Bloom filter plus IBLT, Graphene-class):
  :mod:`reference.relay.graphene`;

and :mod:`reference.relay.session` runs the recovery path that ends, at worst, in the full
block. The byte-exact wire formats are in ``spec/relay.md``.
"""
