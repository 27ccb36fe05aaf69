"""Adapters that run the conformance suite against Kaspa's production consensus code.

``rusty-kaspa/`` (Rust, over rusty-kaspa's published crates) and ``kaspad/`` (Go, over kaspad's
``domain/consensus`` packages) speak the adapter protocol; :mod:`adapters.external` runs the
suite against both and writes ``spec/external.md``, classifying every case that does not pass
with :mod:`adapters.differences`.
"""
