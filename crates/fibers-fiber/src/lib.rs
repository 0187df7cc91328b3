//! The fiber of a three-layer ReLU network parameter as an object (docs/theory.md §5, §8).
//!
//! For a parameter θ of `f(x) = W3 σ(W2 σ(W1 x + b1) + b2) + b3`, the fiber is
//! `Fib(θ) = {θ' : f_θ' = f_θ}`. This crate describes it:
//!
//! - [`model`]: canonical coordinates of a generic bottleneck parameter and the canonical data
//!   of `G` on the orthant after a hidden shift, in closed form;
//! - [`roles`] and [`affine`]: role assignments of the layer-2 neurons modulo permutations,
//!   and the exact test of which are realisable (the affine balance);
//! - [`system`]: each realisable assignment as a basic semi-algebraic set in the parameter
//!   names, with quantified auxiliary variables;
//! - [`member`] and [`membership`]: exact membership with witnesses (permutations, factors,
//!   shift, roles), and a certified exact decision when outside the description;
//! - [`dimension`] and [`fundim`]: the docs/theory.md §8 formula, the exact Jacobian rank of the
//!   parameter's part, and the functional dimension (exact rank of the Jacobian of
//!   `θ ↦ (f_θ(x_i))_i` over every linear region);
//! - [`bounds`]: the functional dimension by certified lower and upper bounds that meet, in
//!   polynomial time (docs/theory.md §12);
//! - [`factored`]: the fiber in polynomial size, by per-neuron role templates and coupling
//!   equations, and θ's part as a product of factors;
//! - [`sample`]: random parameters from every part;
//! - [`describe`]: the whole description, rendered as text, JSON or a LaTeX theorem by
//!   [`render`].
//!
//! The description of a generic bottleneck fiber relies on the layer-1 half of docs/theory.md §8,
//! whose completeness is open: the exact branch-tree decider is the referee in the tests,
//! and [`membership`] certifies every answer independently of that claim.

#![allow(clippy::needless_range_loop)]

pub mod affine;
pub mod bounds;
pub mod describe;
pub mod dimension;
pub mod factored;
pub mod fundim;
mod lin;
pub mod member;
pub mod membership;
pub mod model;
pub mod orbit;
pub mod render;
pub mod roles;
pub mod sample;
pub mod summary;
pub mod system;

pub use bounds::{fundim_bounds, Bounds, BoundsOptions, NotApplicable};
pub use describe::{describe, DescribeOptions, Description, Kind, Part, Symmetry};
pub use factored::{factored, Factor, Factored};
pub use fundim::{functional_dimension, FunDim, FunDimError, FunDimOptions};
pub use member::{Found, Internal, Witness};
pub use membership::{MemberOptions, MemberReport};
pub use model::{Branch, Frame, Model};
pub use roles::{PartKey, SlotRole};
pub use summary::{summarize, Summary};
