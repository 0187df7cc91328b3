//! One module per subcommand.

pub mod check;
pub mod convert;
pub mod demo;
pub mod equiv;
pub mod eval;
