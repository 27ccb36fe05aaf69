"""The tables of a durable store, and what identifies a file as one.

``spec/store`` explains every column; :func:`create_schema` is the one place the tables are
defined. A store file carries :data:`APPLICATION_ID` and :data:`SCHEMA_VERSION` in its SQLite
header (``PRAGMA application_id``, ``PRAGMA user_version``), so another program's database,
or a store of another schema version, is recognised before any table is read.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Final

from reference.hash import Hash
from reference.presets import Preset

SCHEMA_VERSION: Final = 3
"""The version of the tables below; a store of another version is refused, never migrated
silently."""

APPLICATION_ID: Final = 0x64616773
"""``PRAGMA application_id`` of every store: the ASCII bytes ``dags``."""

TABLES: Final = (
    "metadata",
    "headers",
    "parents",
    "ghostdag",
    "statuses",
    "depth",
    "non_daa_mergeset",
    "reachability",
    "future_covering_sets",
    "reindex_root",
    "tips",
    "virtual_state",
    "bodies",
    "body_transactions",
    "pruning_samples",
    "past_pruning_points",
    "retention",
)
"""Every table, in the order :func:`create_schema` creates them."""


def create_schema(connection: sqlite3.Connection) -> None:
    """Create every table of schema version :data:`SCHEMA_VERSION` (inside the caller's
    transaction). ``STRICT`` tables refuse a value of another type than the column's."""
    statements = (
        """CREATE TABLE metadata (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) STRICT, WITHOUT ROWID""",
        """CREATE TABLE headers (
            hash BLOB PRIMARY KEY CHECK (length(hash) = 32),
            ordinal INTEGER NOT NULL UNIQUE,
            wire BLOB,
            target BLOB NOT NULL,
            work BLOB NOT NULL,
            claimed_blue_score INTEGER,
            claimed_blue_work BLOB
        ) STRICT, WITHOUT ROWID""",
        """CREATE TABLE parents (
            block BLOB NOT NULL,
            position INTEGER NOT NULL,
            parent BLOB NOT NULL,
            PRIMARY KEY (block, position)
        ) STRICT, WITHOUT ROWID""",
        "CREATE INDEX parents_by_parent ON parents (parent)",
        """CREATE TABLE ghostdag (
            hash BLOB PRIMARY KEY CHECK (length(hash) = 32),
            selected_parent BLOB,
            blue_score INTEGER NOT NULL,
            blue_work BLOB NOT NULL,
            mergeset_blues BLOB NOT NULL,
            mergeset_reds BLOB NOT NULL,
            blues_anticone_sizes BLOB NOT NULL
        ) STRICT, WITHOUT ROWID""",
        """CREATE TABLE statuses (
            hash BLOB PRIMARY KEY CHECK (length(hash) = 32),
            status TEXT NOT NULL
        ) STRICT, WITHOUT ROWID""",
        """CREATE TABLE depth (
            hash BLOB PRIMARY KEY CHECK (length(hash) = 32),
            merge_depth_root BLOB NOT NULL,
            finality_point BLOB NOT NULL
        ) STRICT, WITHOUT ROWID""",
        """CREATE TABLE non_daa_mergeset (
            hash BLOB PRIMARY KEY CHECK (length(hash) = 32),
            blocks BLOB NOT NULL
        ) STRICT, WITHOUT ROWID""",
        """CREATE TABLE reachability (
            hash BLOB PRIMARY KEY CHECK (length(hash) = 32),
            tree_parent BLOB,
            height INTEGER NOT NULL,
            interval_start BLOB NOT NULL,
            interval_end BLOB NOT NULL
        ) STRICT, WITHOUT ROWID""",
        """CREATE TABLE future_covering_sets (
            block BLOB NOT NULL,
            covering BLOB NOT NULL,
            PRIMARY KEY (block, covering)
        ) STRICT, WITHOUT ROWID""",
        """CREATE TABLE reindex_root (
            id INTEGER PRIMARY KEY CHECK (id = 0),
            hash BLOB NOT NULL
        ) STRICT""",
        """CREATE TABLE tips (
            hash BLOB PRIMARY KEY CHECK (length(hash) = 32)
        ) STRICT, WITHOUT ROWID""",
        """CREATE TABLE virtual_state (
            id INTEGER PRIMARY KEY CHECK (id = 0),
            parents BLOB NOT NULL,
            selected_parent BLOB NOT NULL,
            mergeset_blues BLOB NOT NULL,
            mergeset_reds BLOB NOT NULL,
            blue_score INTEGER NOT NULL,
            blue_work BLOB NOT NULL,
            merge_depth_root BLOB,
            finality_point BLOB,
            chain_removed BLOB NOT NULL,
            chain_added BLOB NOT NULL
        ) STRICT""",
        """CREATE TABLE bodies (
            hash BLOB PRIMARY KEY CHECK (length(hash) = 32),
            transaction_count INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID""",
        """CREATE TABLE body_transactions (
            block BLOB NOT NULL,
            position INTEGER NOT NULL,
            encoded BLOB NOT NULL,
            PRIMARY KEY (block, position)
        ) STRICT, WITHOUT ROWID""",
        """CREATE TABLE pruning_samples (
            hash BLOB PRIMARY KEY CHECK (length(hash) = 32),
            pruning_sample BLOB NOT NULL,
            pruning_point BLOB NOT NULL
        ) STRICT, WITHOUT ROWID""",
        """CREATE TABLE past_pruning_points (
            position INTEGER PRIMARY KEY CHECK (position >= 0),
            hash BLOB NOT NULL CHECK (length(hash) = 32)
        ) STRICT""",
        """CREATE TABLE retention (
            hash BLOB NOT NULL CHECK (length(hash) = 32),
            kind TEXT NOT NULL CHECK (kind IN ('anticone', 'history', 'header')),
            position INTEGER NOT NULL CHECK (position >= 0),
            PRIMARY KEY (hash, kind)
        ) STRICT, WITHOUT ROWID""",
    )
    for statement in statements:
        connection.execute(statement)
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def metadata_rows(preset: Preset, genesis: Hash) -> dict[str, str]:
    """The ``metadata`` rows a store is created with: schema version, the preset's name and
    every parameter (JSON, keys sorted), and the genesis hash (hex)."""
    parameters = {"name": preset.name, **preset.parameters()}
    return {
        "schema_version": str(SCHEMA_VERSION),
        "preset": json.dumps(parameters, sort_keys=True, separators=(",", ":")),
        "genesis": genesis.hex(),
    }
