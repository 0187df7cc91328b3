//! Exact polynomials and semi-algebraic sets for the parameter symmetries of ReLU networks
//! `f(x) = W3 σ(W2 σ(W1 x + b1) + b2) + b3`.
//!
//! One concept per module:
//!
//! - [`var`]: [`Var`], named variables with a canonical total order; constructors for network
//!   parameters ([`Var::w1`], [`Var::b1`], [`Var::w2`], [`Var::b2`], [`Var::w3`], [`Var::b3`]
//!   give `W1[j][i]`, `b1[j]`, `W2[k][j]`, `b2[k]`, `W3[o][k]`, `b3[o]`, 0-based, first index
//!   the unit of the layer).
//! - [`monomial`]: [`Monomial`] and the graded lexicographic term order.
//! - [`polynomial`]: [`Polynomial`], sparse over Q: ring arithmetic, partial derivatives,
//!   gradient, exact evaluation, sign, partial substitution, composition, identity test.
//! - [`render`]: text and LaTeX (amsmath) rendering, and [`latex_document`].
//! - [`json`]: the JSON formats (a contract; documented there) with located errors.
//! - [`set`]: [`BasicSet`] (conjunctions of `p = 0`, `p > 0`, `p ≥ 0`, `p ≠ 0` with optional
//!   existentially quantified auxiliary variables) and [`SemiAlgebraicSet`] (finite unions);
//!   exact membership, with a search for auxiliary variables fixed by linear equations.
//! - [`dimension`]: Jacobians and [`BasicSet::local_dimension`] from exact ranks.
//! - [`vector_field`]: [`VectorField`], polynomial vector fields: action on polynomials, Lie
//!   bracket, evaluation, exact rank of evaluated fields.
//!
//! No floating point takes part in any decision: all arithmetic is on
//! [`fibers_exact::Rational`], and ranks and linear systems use [`fibers_exact::linalg`].
//! [`Sign`] is [`fibers_exact::Sign`].
//!
//! # Example
//!
//! ```
//! use fibers_exact::Rational;
//! use fibers_semialg::{BasicSet, Constraint, Membership, Point, Polynomial, Var};
//!
//! // { (W1[0][0], W2[0][0]) | ∃ mu > 0 : W1[0][0] = 2 mu, mu W2[0][0] = 3 }
//! let (a, w, mu) = (Var::w1(0, 0), Var::w2(0, 0), Var::new("mu"));
//! let p = |v: &Var| Polynomial::var(v.clone());
//! let set = BasicSet::new(
//!     vec![a.clone(), w.clone()],
//!     vec![mu.clone()],
//!     vec![
//!         Constraint::positive(p(&mu)),
//!         Constraint::zero(p(&a) - Polynomial::from(2) * p(&mu)),
//!         Constraint::zero(p(&mu) * p(&w) - Polynomial::from(3)),
//!     ],
//! )
//! .unwrap();
//! assert_eq!(set.to_string().lines().next().unwrap(), "{ (W1[0][0], W2[0][0]) in R^2 | exists mu in R:");
//! let theta: Point = [(a, Rational::from(4)), (w, Rational::ratio(3, 2))].into_iter().collect();
//! let found = set.membership(&theta).unwrap();
//! assert_eq!(found, Membership::Member { witness: [(mu, Rational::from(2))].into_iter().collect() });
//! let back = BasicSet::from_json_str(&set.to_json_string()).unwrap();
//! assert_eq!(back, set);
//! ```

pub mod dimension;
pub mod json;
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
