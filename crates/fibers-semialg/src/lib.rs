//! Exact polynomials and semi-algebraic sets for the parameter symmetries of ReLU networks.
//!
//! - [`Var`]: named variables with a canonical order; constructors for network parameters
//!   (`W1[j][i]`, `b1[j]`, `W2[k][j]`, `b2[k]`, `W3[o][k]`, `b3[o]`).
//! - [`Monomial`], [`Polynomial`]: sparse multivariate polynomials over Q.

pub mod dimension;
pub mod json;
mod linalg;
pub mod monomial;
pub mod polynomial;
pub mod render;
pub mod set;
pub mod var;
pub mod vector_field;

pub use dimension::{Certainty, DimensionError, LocalDimension};
pub use json::{JsonError, JsonErrorKind};
pub use monomial::Monomial;
pub use polynomial::{EvalError, Point, Polynomial, Sign};
pub use render::latex_document;
pub use set::{BasicSet, Constraint, Membership, Relation, SemiAlgebraicSet, SetError};
pub use var::{InvalidVarName, Parameter, Var};
pub use vector_field::VectorField;
