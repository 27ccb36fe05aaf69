"""The durable store: the stores of :mod:`reference.stores` kept in one SQLite file.

- :mod:`~reference.stores.sqlite.schema`: the tables, and what identifies a store file;
- :mod:`~reference.stores.sqlite.rows`: how each value is written into a column;
- :mod:`~reference.stores.sqlite.engine`: the engine (open, load, one transaction per block);
- :mod:`~reference.stores.sqlite.check`: a consistency check of a store file.

``spec/store`` is the chapter. The package does I/O: consensus modules never import it; a
node opens a store and injects it into :class:`~reference.consensus.Consensus`.
"""
