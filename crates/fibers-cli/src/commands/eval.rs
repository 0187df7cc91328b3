//! `fibers eval NET --x "1/2,3,-1"`: exact evaluation.

use crate::error::CliError;
use crate::load;
use crate::output::outln;
use clap::Args;
use fibers_net::json::{parse_vector_text, vector_to_value};
use std::path::PathBuf;

/// Evaluate a network exactly at a rational input.
#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Network file (JSON, or a .safetensors state dict).
    pub net: PathBuf,
    /// The input, comma-separated exact numbers: integers, p/q, or decimals, e.g. "1/2,3,-0.25".
    #[arg(long, allow_hyphen_values = true)]
    pub x: String,
    /// Print `{"output": [...]}` instead of plain text.
    #[arg(long)]
    pub json: bool,
    /// Also print the activation pattern (`+` active, `-` inactive, `0` on the kink).
    #[arg(long)]
    pub pattern: bool,
}

/// Runs `fibers eval`.
pub fn run(args: &EvalArgs) -> Result<(), CliError> {
    let net = load::network(&args.net)?;
    let x = parse_vector_text(&args.x, "--x")?;
    let n0 = net.arch().n0;
    if x.len() != n0 {
        return Err(CliError::BadInput(format!(
            "--x: expected {n0} numbers (the input dimension of {}), found {}",
            args.net.display(),
            x.len()
        )));
    }
    let trace = net.trace(&x);
    if args.json {
        let mut obj = serde_json::json!({ "output": vector_to_value(&trace.output) });
        if args.pattern {
            obj["pattern"] = serde_json::json!(net.pattern(&x).to_string());
        }
        outln!("{obj}")?;
    } else {
        let out: Vec<String> = trace.output.iter().map(|r| r.to_string()).collect();
        outln!("{}", out.join(" "))?;
        if args.pattern {
            outln!("pattern {}", net.pattern(&x))?;
        }
    }
    Ok(())
}
