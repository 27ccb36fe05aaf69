"""Kaspa's transaction: its fields, its bytes, its hash and id, its JSON form.

Transactions are carried, hashed and committed to, never executed: nothing here decides
whether a transaction may spend what it spends. The modules are

- :mod:`reference.transaction.model`: the fields, as frozen dataclasses checked on
  construction;
- :mod:`reference.transaction.encoding`: the bytes (the preimage of the transaction hash, also
  the relay wire form), the transaction hash and the transaction id;
- :mod:`reference.transaction.json_form`: Kaspa's RPC JSON object, parsed strictly.
"""
