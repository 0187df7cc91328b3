//! Test support for the fibers workspace: a dev-dependency only, never used by production code.
//!
//! - [`moves`]: seeded random networks, the symmetry moves of docs/theory.md §5 and near misses.
//! - [`strata`]: random pair families, one per stratum, for differential tests.
//! - [`pairs`]: seeded small pairs (a third symmetric, a third perturbed, a third independent).
//! - [`independent`]: a network reader and evaluator written apart from `fibers-net`
//!   (num-rational directly), to test exact evaluation against.
//! - [`latex`]: the `pdflatex` harness of the LaTeX tests.
//! - [`mutations`]: random mutations of certificates and the checker-soundness harness.

pub mod independent;
pub mod latex;
pub mod moves;
pub mod mutations;
pub mod pairs;
pub mod strata;
