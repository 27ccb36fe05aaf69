"""Serve the (patched) reference over the adapter protocol on stdin/stdout."""

from __future__ import annotations

import sys

from conformance.adapter import serve_stdio


def serve() -> None:
    """Serve until stdin closes, then exit."""
    sys.exit(serve_stdio())
