"""The block acceptance pipeline: header validation, then commit, then the virtual state."""
