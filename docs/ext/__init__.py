"""Sphinx extensions of the rendered spec.

- :mod:`.dag_directive` — the ``dag-drawing`` directive: a DAG run through
  :class:`reference.consensus.Consensus` (:mod:`.dag_model`), placed (:mod:`.dag_layout`) and
  drawn as SVG (:mod:`.dag_svg`) at build time. Nothing is hand-drawn: a change in the
  reference changes the pictures.
- :mod:`.api_directive` — the ``reference-modules`` directive behind the API pages, using the
  consensus/network split of :mod:`.modules`.
- :mod:`.quoted_code` — ``literalinclude`` with a caption naming the quoted file and
  definition, linked to their API entries.
- :mod:`.mathml` — the ``mathml`` HTML math renderer: formulas become MathML at build time, so
  the pages load no script and read the same offline.
"""
