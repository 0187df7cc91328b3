//! Conservation laws of gradient flow for three-layer ReLU networks
//! `f(x) = W3 σ(W2 σ(W1 x + b1) + b2) + b3` (docs/theory.md §9).
//!
//! - [`model`]: the network as polynomials in `(θ, x)` per activation pattern, and the gradient
//!   coefficient fields that generate the flow.
//! - [`regions`]: the patterns that matter: those of a dataset, or every linear region (exact LP).
//! - [`laws`]: candidate laws (scalings, mixing of always-active neurons, frozen parameters),
//!   exact verification `∇Q · ∇_θ f ≡ 0`, a maximal independent set.
//! - [`symmetries`]: infinitesimal generators, exact symmetry and gradient-field checks, the
//!   Noether charge each induces or fails to induce.
//! - [`lie`]: the exact Lie-algebra count of independent local laws, with a proved stopping rule.
//! - [`search`]: exact search for every polynomial law of degree ≤ 2 (run when the count and
//!   the laws found disagree).
//! - [`nonconserved`]: exact first-order change of a candidate charge on a rational dataset.
//! - [`grad`], [`flow`], [`plot`], [`data`]: exact and `f64` backpropagation, the numerical
//!   gradient-flow demonstration (never a decision), CSV and SVG output, datasets.
//! - [`report`]: the whole analysis and its JSON.
//!
//! No floating point takes part in any decision: laws, counts and ranks are exact.

pub mod bounds;
pub mod data;
pub mod flow;
pub mod grad;
pub mod laws;
pub mod lie;
pub mod model;
pub mod nonconserved;
pub mod plot;
pub mod regions;
pub mod report;
pub mod search;
pub mod span;
pub mod symmetries;

pub use data::Dataset;
pub use report::{analyse, Analysis, Options};
