//! Loading networks named on the command line.
//!
//! Reading is [`fibers_import::read_network_file`]: a safetensors state dict (by extension or
//! by its first bytes; the three `Linear` layers detected by name, or named by `--keys`), a
//! JSON network file (decimal literals exact, or as floats with `--json-floats`), and a clear
//! refusal for PyTorch pickles. A network argument `PATH:KEYS` names the tensors of that file
//! only. Warnings (decimals that look like float output) go to stderr.

use crate::error::CliError;
use fibers_import::{ImportOptions, JsonFloats, KeyMap, LayerSource};
use fibers_net::Network;
use std::path::Path;
use std::sync::OnceLock;

static OPTIONS: OnceLock<ImportOptions> = OnceLock::new();

/// Sets the reading options from the global options (`--keys`, `--zero-bias`,
/// `--json-floats`). Called once by `main` before a command runs.
pub fn set_options(
    keys: Option<&str>,
    zero_bias: bool,
    json_floats: JsonFloats,
) -> Result<(), CliError> {
    let layers = match keys {
        Some(text) => LayerSource::Keys(
            KeyMap::parse(text).map_err(|m| CliError::BadInput(format!("--keys: {m}")))?,
        ),
        None => LayerSource::Detect,
    };
    let _ = OPTIONS.set(ImportOptions {
        layers,
        zero_bias,
        json_floats,
    });
    Ok(())
}

/// The reading options in force.
pub fn options() -> ImportOptions {
    OPTIONS.get().cloned().unwrap_or_default()
}

/// The tensor names for writing safetensors: those of `--keys`, or the `nn.Sequential` default.
pub fn keys() -> KeyMap {
    match options().layers {
        LayerSource::Keys(k) => k,
        LayerSource::Detect => KeyMap::default(),
    }
}

/// Whether `path` names a safetensors file (by its extension).
pub fn is_safetensors(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("safetensors"))
}

/// Reads the network named by `arg` (`PATH` or `PATH:KEYS`), printing warnings on stderr.
pub fn network(arg: &Path) -> Result<Network, CliError> {
    let (path, keys) = fibers_import::split_path_keys(arg)?;
    let mut opts = options();
    if let Some(k) = keys {
        opts.layers = LayerSource::Keys(k);
    }
    let imported = fibers_import::read_network_file(&path, &opts)?;
    for w in &imported.warnings {
        eprintln!("fibers: {w}");
    }
    Ok(imported.network)
}
