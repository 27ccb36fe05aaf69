"""Machine-checked invariants of the specification: Z3 proofs over models of the reference
formulas, and CrossHair checks of the contracts written on the reference's pure helpers.
``dagspec prove`` runs them all; ``spec/invariants.md`` states each invariant."""
