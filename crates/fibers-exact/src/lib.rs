//! Exact arithmetic for the fibers engine.
//!
//! - [`Integer`] and [`Rational`]: arbitrary precision, one API over two backends (pure Rust by
//!   default, GMP through `rug` with the `gmp` feature).
//! - [`Matrix`]: dense rational matrices and exact linear algebra (rank, echelon form,
//!   nullspace, solve, determinant, right inverse).
//! - [`lp`]: exact linear programming with optimality, infeasibility (Farkas) and
//!   unboundedness certificates, and small functions that check each certificate.
//! - [`sign`]: exact signs of linear forms and polynomials at rational points.
//!
//! No floating point takes part in any decision.

pub mod integer;
pub mod linalg;
pub mod lp;
pub mod lp_certificate;
pub mod matrix;
pub mod rational;
pub mod sign;

pub use integer::Integer;
pub use lp::{LinearProgram, LpOutcome};
pub use matrix::Matrix;
pub use rational::{backend_name, ParseRationalError, Rational};
pub use sign::{Sign, SignCondition};
