//! `fibers convert IN OUT`: between PyTorch safetensors state dicts and the JSON format.

use crate::error::CliError;
use crate::load;
use clap::Args;
use fibers_import::{network_to_safetensors, Rounding};
use std::path::{Path, PathBuf};

/// Convert a network between the JSON format and safetensors (direction by file extension).
///
/// A `.safetensors` path is a PyTorch state dict of nn.Sequential(Linear, ReLU, Linear, ReLU,
/// Linear) (tensor names from --keys); any other path is the JSON format. Reading a
/// safetensors file is always exact. Writing one stores f64 tensors and refuses a rational
/// that no f64 represents unless --lossy is given.
#[derive(Args, Debug)]
pub struct ConvertArgs {
    /// Input network (.safetensors or JSON).
    pub input: PathBuf,
    /// Output file (.safetensors or JSON); overwritten if it exists.
    pub output: PathBuf,
    /// When writing safetensors, round parameters that no f64 represents to the nearest f64
    /// (ties to even) instead of refusing; says on stderr how many were rounded.
    #[arg(long)]
    pub lossy: bool,
}

/// Runs `fibers convert`.
pub fn run(args: &ConvertArgs) -> Result<(), CliError> {
    let net = load::network(&args.input)?;
    let bytes = if load::is_safetensors(&args.output) {
        let rounding = if args.lossy {
            Rounding::Nearest
        } else {
            Rounding::Exact
        };
        let out = network_to_safetensors(&net, &load::keys(), rounding)
            .map_err(|e| CliError::BadInput(format!("{}: {e}", args.input.display())))?;
        if let Some((place, exact, written)) = &out.first_rounded {
            eprintln!(
                "fibers: --lossy: rounded {} of {} parameters to the nearest f64 (first: {place} \
                 = {exact} written as {written})",
                out.rounded,
                net.arch().param_count()
            );
        }
        out.bytes
    } else {
        fibers_net::json::network_to_string(&net).into_bytes()
    };
    write(&args.output, &bytes)
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    std::fs::write(path, bytes)
        .map_err(|e| CliError::BadInput(format!("{}: file: cannot write: {e}", path.display())))
}
