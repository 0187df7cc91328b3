//! `fibers classify NET`: bottleneck or not, roles on the orthant, hidden and visible layer-1
//! neurons, and every genericity condition of the fast path checked exactly.

use crate::error::CliError;
use crate::load;
use crate::output::{out, outln};
use clap::Args;
use std::path::PathBuf;

/// Classify a network: roles of its neurons on the orthant and genericity.
#[derive(Args, Debug)]
pub struct ClassifyArgs {
    /// Network file.
    pub net: PathBuf,
    /// Print one JSON object instead of plain text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `fibers classify`.
pub fn run(args: &ClassifyArgs) -> Result<(), CliError> {
    let net = load::network(&args.net)?;
    let c = fibers_bottleneck::classify(&net);
    if args.json {
        outln!("{}", c.to_json())?;
    } else {
        out!("{}", c.to_text())?;
    }
    Ok(())
}
