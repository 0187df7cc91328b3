//! `fibers canon NET`: the canonical form of the function of a network, with a SHA-256 hash;
//! two generic bottleneck networks are equivalent iff their canonical forms are equal.

use crate::error::CliError;
use crate::load;
use crate::output::{out, outln};
use clap::Args;
use fibers::bottleneck::canonical::{canonicalize, report_json};
use fibers::net::json::network_to_string;
use std::path::PathBuf;

/// Print the canonical form of the function of a network (exit 0 with "not generic: …" when a
/// genericity condition fails).
#[derive(Args, Debug)]
pub struct CanonArgs {
    /// Network file.
    pub net: PathBuf,
    /// Print one JSON object instead of plain text.
    #[arg(long)]
    pub json: bool,
    /// Also write a representative network of the canonical form (bottleneck forms only): the
    /// canonical layer 1, one layer-2 neuron per kink and one linear neuron per nonzero column
    /// of the affine part.
    #[arg(long, value_name = "OUT")]
    pub network: Option<PathBuf>,
}

/// Runs `fibers canon`.
pub fn run(args: &CanonArgs) -> Result<(), CliError> {
    let net = load::network(&args.net)?;
    let c = canonicalize(&net);
    if let (Some(path), Ok(c)) = (&args.network, &c) {
        let rep = c.form.representative().ok_or_else(|| {
            CliError::BadInput(format!(
                "--network: a {} canonical form has no representative network",
                c.form.kind()
            ))
        })?;
        std::fs::write(path, network_to_string(&rep)).map_err(|e| {
            CliError::BadInput(format!("{}: cannot write network: {e}", path.display()))
        })?;
    }
    match (&c, args.json) {
        (_, true) => outln!("{}", report_json(&c))?,
        (Ok(c), false) => {
            out!("{}", c.form.text())?;
            outln!("sha256 {}", c.form.hash())?;
        }
        (Err(e), false) => outln!("not generic: {e}")?,
    }
    Ok(())
}
