//! fibers: exact decisions about the parameter symmetries of three-layer ReLU networks
//! `f(x) = W3 σ(W2 σ(W1 x + b1) + b2) + b3`.
//!
//! This crate is a façade: it re-exports the libraries of the workspace under short names and
//! offers the one equivalence decision, [`decide`], that every command of the `fibers` tool
//! uses.
//!
//! ```
//! use fibers::{decide, DecideOptions, Outcome};
//! let a = fibers::net::json::network_from_str(
//!     r#"{"architecture": [1, 1, 1, 1],
//!         "layers": [{"weight": [[1]], "bias": [0]},
//!                    {"weight": [[1]], "bias": [0]},
//!                    {"weight": [[1]], "bias": [0]}]}"#,
//!     "a",
//! )
//! .unwrap();
//! let d = decide(&a, &a, &DecideOptions::default()).unwrap();
//! assert!(matches!(d.outcome, Outcome::Equivalent { .. }));
//! let cert = d.certificate().unwrap();
//! assert!(fibers::check::check(cert, &a, &a, Default::default()).is_ok());
//! ```
//!
//! | module | crate | holds |
//! | --- | --- | --- |
//! | [`exact`] | `fibers-exact` | rationals, matrices, linear algebra, exact LP |
//! | [`net`] | `fibers-net` | the network model, exact evaluation, JSON |
//! | [`import`] | `fibers-import` | safetensors reading and writing |
//! | [`check`] | `fibers-check` | the certificate format and the trusted checker |
//! | [`tree`] | `fibers-tree` | the exact branch-tree decision |
//! | [`bottleneck`] | `fibers-bottleneck` | roles, canonical forms, the fast path |
//! | [`regions`] | `fibers-regions` | the region-wise decision over layer-1 cells |
//! | [`decision`] | `fibers-decide` | [`decide`]: methods, fallback, [`Decision`] |
//! | [`fiber`] | `fibers-fiber` | the fiber: description, membership, dimension, sampling |
//! | [`semialg`] | `fibers-semialg` | polynomials and semi-algebraic sets |
//! | [`conserve`] | `fibers-conserve` | conservation laws of gradient flow |

pub use fibers_bottleneck as bottleneck;
pub use fibers_check as check;
pub use fibers_conserve as conserve;
pub use fibers_decide as decision;
pub use fibers_exact as exact;
pub use fibers_fiber as fiber;
pub use fibers_import as import;
pub use fibers_net as net;
pub use fibers_regions as regions;
pub use fibers_semialg as semialg;
pub use fibers_tree as tree;

pub use fibers_decide::{
    decide, decide_with_progress, DecideError, DecideOptions, Decision, Method, Outcome, Procedure,
    Stats,
};
pub use fibers_net::Network;
