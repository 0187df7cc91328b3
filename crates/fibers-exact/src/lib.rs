//! Exact arithmetic for the fibers engine.
//!
//! - [`Integer`] and [`Rational`]: arbitrary precision, one API over two backends (pure Rust by
//!   default, GMP through `rug` with the `gmp` feature).
//! - [`Matrix`] ([`matrix`]): dense row-major rational matrices and their products.
//! - [`linalg`]: exact linear algebra over `Q` (echelon form, rank, nullspace, solve,
//!   determinant, inverse and right inverse).
//! - [`lp`]: exact linear programming (`max c·x, A x ≤ b`, `x` free) with optimality,
//!   infeasibility (Farkas) and unboundedness certificates; [`lp_certificate`] checks each
//!   certificate independently of the solver.
//! - [`modp`]: rank over a large prime field, a fast certified lower bound for the rank over
//!   `Q`, with a streaming sparse echelon builder.
//! - [`sign`]: exact signs of linear forms and polynomials at rational points, and sign
//!   conditions ([`Sign`], [`SignCondition`]).
//!
//! No floating point takes part in any decision; `f64` appears only in exact conversions from
//! floats and in lossy conversions for display.
//!
//! ```
//! use fibers_exact::lp::{solve, LinearProgram, LpOutcome};
//! use fibers_exact::{Matrix, Rational};
//!
//! // maximize x + y subject to x ≤ 1/2, y ≤ 1/3
//! let lp = LinearProgram::new(
//!     Matrix::from_i64(2, 2, &[1, 0, 0, 1]),
//!     vec![Rational::ratio(1, 2), Rational::ratio(1, 3)],
//!     vec![Rational::one(), Rational::one()],
//! );
//! let LpOutcome::Optimal { value, .. } = solve(&lp) else { unreachable!() };
//! assert_eq!(value, Rational::ratio(5, 6));
//! ```

pub mod display;
pub mod integer;
pub mod linalg;
pub mod lp;
pub mod lp_certificate;
mod lp_tableau;
pub mod matrix;
pub mod modp;
pub mod rational;
pub mod sign;

pub use integer::Integer;
pub use lp::{LinearProgram, LpOutcome};
pub use matrix::Matrix;
pub use rational::{
    backend_name, max_digits, set_max_digits, ParseRationalError, Rational, DEFAULT_MAX_DIGITS,
};
pub use sign::{Sign, SignCondition};
