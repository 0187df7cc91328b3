//! Loading networks named on the command line.
//!
//! A path ending in `.safetensors` (any case) is read as a PyTorch state dict
//! ([`fibers_import::safetensors`]), and so is a file with another extension (other than
//! `.json`) whose first bytes are a safetensors header; any other file as a JSON network file.
//! The tensor names come from the global `--keys` option ([`set_keys`]), or default to
//! `nn.Sequential`'s `0.weight, 0.bias, 2.weight, 2.bias, 4.weight, 4.bias`.

use crate::error::CliError;
use fibers_import::KeyMap;
use fibers_net::{LoadError, Network};
use std::path::Path;
use std::sync::OnceLock;

static KEYS: OnceLock<KeyMap> = OnceLock::new();

/// Sets the tensor names used by [`network`] from the text of the global `--keys` option.
/// Called once by `main` before a command runs.
pub fn set_keys(text: &str) -> Result<(), CliError> {
    let keys = KeyMap::parse(text).map_err(|m| CliError::BadInput(format!("--keys: {m}")))?;
    let _ = KEYS.set(keys);
    Ok(())
}

/// The tensor names in force: those of `--keys`, or the `nn.Sequential` default.
pub fn keys() -> KeyMap {
    KEYS.get().cloned().unwrap_or_default()
}

/// Whether `path` names a safetensors file (by its extension).
pub fn is_safetensors(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("safetensors"))
}

/// Reads the network in `path`: a `.safetensors` state dict (tensor names from `--keys`) or a
/// JSON network file.
pub fn network(path: &Path) -> Result<Network, CliError> {
    network_with_keys(path, &keys())
}

/// Reads the network in `path`, naming the tensors of a `.safetensors` file with `keys`
/// (ignored for JSON files).
pub fn network_with_keys(path: &Path, keys: &KeyMap) -> Result<Network, CliError> {
    let source = path.display().to_string();
    if is_safetensors(path) {
        let bytes = fibers_net::json::read_bytes(path)?;
        return Ok(fibers_import::network_from_safetensors(
            &bytes, &source, keys,
        )?);
    }
    let is_json = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        return Ok(fibers_net::json::read_network(path)?);
    }
    let bytes = fibers_net::json::read_bytes(path)?;
    if looks_like_safetensors(&bytes) {
        return Ok(fibers_import::network_from_safetensors(
            &bytes, &source, keys,
        )?);
    }
    let text = fibers_net::json::text_from_bytes(bytes, &source).map_err(|e| {
        LoadError::new(
            &source,
            e.place,
            "not valid UTF-8 text (neither a JSON network nor a safetensors file)",
        )
    })?;
    Ok(fibers_net::json::network_from_str(&text, &source)?)
}

/// Whether `bytes` start like a safetensors file: a little-endian header length that fits in
/// the file, then `{`. (JSON text never does: its first 8 bytes read as a huge length.)
fn looks_like_safetensors(bytes: &[u8]) -> bool {
    let Some(head) = bytes.get(..8) else {
        return false;
    };
    let n = u64::from_le_bytes(head.try_into().expect("8 bytes"));
    n >= 2 && n <= (bytes.len() - 8) as u64 && bytes[8] == b'{'
}
