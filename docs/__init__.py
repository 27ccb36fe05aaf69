"""The Sphinx project that renders ``spec/`` (configuration in :mod:`docs.conf`)."""
