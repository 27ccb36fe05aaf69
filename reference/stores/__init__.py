"""Per-block data stores: plain keyed storage, kept apart from the algorithms that fill them."""
