"""Mining: pay addresses, the mempool a template draws from, and block templates.

Everything here builds on the consensus (:mod:`reference.consensus`) and is never imported by
it: :mod:`~reference.mining.address` (Kaspa addresses and their scripts),
:mod:`~reference.mining.mempool` (transactions waiting for a block) and
:mod:`~reference.mining.template` (the block a miner is asked to solve).
"""
