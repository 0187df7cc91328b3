//! `fibers canon NET`: the canonical form of the function of a network, with a SHA-256 hash;
//! two generic bottleneck networks are equivalent iff their canonical forms are equal.

use crate::error::CliError;
use crate::load;
use clap::Args;
use fibers_bottleneck::canonical::CanonicalForm;
use fibers_bottleneck::layer1::realise;
use fibers_net::{Layer, Network};
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

/// The representative network of a bottleneck canonical form.
pub fn representative(form: &CanonicalForm) -> Option<Network> {
    let CanonicalForm::Bottleneck { n0, rows, data } = form else {
        return None;
    };
    let layer1 = Layer {
        weight: rows.iter().map(|r| r.weight.clone()).collect(),
        bias: rows.iter().map(|r| r.bias.clone()).collect(),
    };
    Some(realise(&layer1, *n0, data, &vec![false; data.kinks.len()]))
}

/// Runs `fibers canon`.
pub fn run(args: &CanonArgs) -> Result<(), CliError> {
    let net = load::network(&args.net)?;
    match fibers_bottleneck::canonicalize(&net) {
        Ok(c) => {
            if let Some(path) = &args.network {
                let rep = representative(&c.form).ok_or_else(|| {
                    CliError::BadInput(format!(
                        "--network: a {} canonical form has no representative network",
                        c.form.kind()
                    ))
                })?;
                std::fs::write(path, fibers_net::json::network_to_string(&rep)).map_err(|e| {
                    CliError::BadInput(format!("{}: cannot write network: {e}", path.display()))
                })?;
            }
            if args.json {
                println!(
                    "{}",
                    serde_json::json!({"status": "canonical", "form": c.form.to_json()})
                );
            } else {
                print!("{}", c.form.text());
                println!("sha256 {}", c.form.hash());
            }
        }
        Err(e) => {
            if args.json {
                println!(
                    "{}",
                    serde_json::json!({"status": "not-generic", "condition": e.condition.name(), "detail": e.detail})
                );
            } else {
                println!("not generic: {e}");
            }
        }
    }
    Ok(())
}
