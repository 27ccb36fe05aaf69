"""Machine-checked invariants of the specification: Z3 proofs that run the reference's own
functions on symbolic integers over every execution path, and CrossHair checks of the
contracts written on the reference's pure helpers. ``dagspec prove`` runs them all;
``spec/invariants.md`` states each invariant and what each verdict covers."""
