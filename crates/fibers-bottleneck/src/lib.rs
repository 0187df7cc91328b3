//! Bottleneck three-layer ReLU networks (docs/theory.md §3–§7): roles of the neurons on the orthant,
//! genericity conditions, canonical forms of the computed function with a stable hash, and a
//! polynomial-time equivalence decision whose verdicts come with checkable evidence.
//!
//! - [`orthant`]: layer-2 roles and the canonical data of `G` on `U = R^{n1}_{≥0}`.
//! - [`layer1`]: hidden / visible layer-1 neurons, the hidden shift M7, relabelling (M1, M2),
//!   and networks realising given canonical data.
//! - `oned` (private): the exact one-dimensional case `n1 = 1`.
//! - [`canonical`]: genericity conditions and canonical forms.
//! - [`classify`]: the report of `fibers classify`.
//! - [`decide`]: the fast decision (chains of moves, or a witness, or a reason to fall back).
//! - [`witness`]: witnesses of non-equivalence.
//!
//! The mathematics, with proofs, is in `docs/bottleneck.md`.

mod affine;
pub mod canonical;
pub mod certified;
pub mod classify;
pub mod decide;
pub mod layer1;
mod linalg;
mod oned;
pub mod orthant;
pub mod witness;

pub use canonical::{canonicalize, CanonicalForm, Canonicalization, Condition, NotGeneric};
pub use classify::{classify, Classification};
pub use decide::{decide, FastOutcome, Link};
pub use orthant::{Kink, Layer2Role, OrthantData};
