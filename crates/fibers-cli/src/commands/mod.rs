//! One module per subcommand.

pub mod align;
pub mod batch;
pub mod canon;
pub mod check;
pub mod classify;
pub mod conserve;
pub mod convert;
pub mod demo;
pub mod equiv;
pub mod eval;
pub mod fiber;
pub mod fundim;
pub mod near;
pub mod sample;
