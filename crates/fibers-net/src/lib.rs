//! The network model of the fibers engine.
//!
//! A network `f(x) = W3 σ(W2 σ(W1 x + b1) + b2) + b3` of architecture `(n0, n1, n2, n3)` with
//! exact rational parameters ([`Network`]), its exact evaluation ([`Network::eval`]), its
//! activation patterns ([`ActivationPattern`]), and the JSON file format ([`json`]).

pub mod architecture;
pub mod error;
pub mod int_eval;
pub mod json;
pub mod network;
pub mod pattern;
pub mod random;

pub use architecture::Architecture;
pub use error::LoadError;
pub use network::{Layer, Network};
pub use pattern::ActivationPattern;
