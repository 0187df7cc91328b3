//! Reading a network file of any supported kind, with the options of the command line.
//!
//! - `.safetensors` (or any file whose first bytes are a safetensors header): a PyTorch state
//!   dict, layers detected ([`crate::detect`]) or named by `--keys`.
//! - `.json` and other text: the JSON network format of `fibers-net`. JSON decimal literals are
//!   exact decimals by default; [`JsonFloats::F32`] / [`JsonFloats::F64`] read them as the binary
//!   float they denote (what `json.dumps(tensor.tolist())` meant). In the exact mode a warning
//!   is returned when the literals look like the shortest decimals of floats.
//! - PyTorch pickles (`torch.save`, zip or legacy pickle): refused with a message saying how to
//!   write safetensors. Pickles are never unpickled (unpickling runs code).
//!
//! A network argument may carry its own tensor names: `PATH:KEYS` ([`split_path_keys`]).

use crate::keys::KeyMap;
use crate::safetensors::{network_from_safetensors_with, LayerSource};
use fibers_exact::Rational;
use fibers_net::json::{network_from_value, parse_json_text};
use fibers_net::{LoadError, Network};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// How JSON decimal literals (`0.1`, `1e-3`) in network files are read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum JsonFloats {
    /// As the exact decimal written (`0.1` is `1/10`).
    #[default]
    Exact,
    /// As the nearest f32 (what a float32 tensor held), then exactly.
    F32,
    /// As the nearest f64, then exactly.
    F64,
}

/// How to read network files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportOptions {
    /// Where the layers of a state dict come from.
    pub layers: LayerSource,
    /// Read a missing bias (`bias=False`) as zero instead of refusing the file.
    pub zero_bias: bool,
    /// How JSON decimal literals are read.
    pub json_floats: JsonFloats,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            layers: LayerSource::Detect,
            zero_bias: false,
            json_floats: JsonFloats::Exact,
        }
    }
}

/// A network read from a file, with warnings about how it was read.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The network.
    pub network: Network,
    /// One-line warnings (e.g. decimals that look like float output), starting with the file.
    pub warnings: Vec<String>,
}

/// Splits a `PATH:KEYS` argument (e.g. `b.safetensors:fc1,fc2,fc3`) into the path and its
/// tensor names. An argument naming an existing file is a path whatever it contains; so is one
/// whose part before the last `:` is not an existing file.
pub fn split_path_keys(arg: &Path) -> Result<(PathBuf, Option<KeyMap>), LoadError> {
    if arg.exists() {
        return Ok((arg.to_path_buf(), None));
    }
    let Some(text) = arg.to_str() else {
        return Ok((arg.to_path_buf(), None));
    };
    match text.rsplit_once(':') {
        Some((path, keys)) if !path.is_empty() && Path::new(path).is_file() => {
            let keys = KeyMap::parse(keys).map_err(|m| LoadError::new(path, "keys", m))?;
            Ok((PathBuf::from(path), Some(keys)))
        }
        _ => Ok((arg.to_path_buf(), None)),
    }
}

fn has_ext(path: &Path, ext: &str) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

/// Whether `bytes` start like a safetensors file: a little-endian header length that fits in
/// the file, then `{`. (JSON text never does: its first 8 bytes read as a huge length.)
pub fn looks_like_safetensors(bytes: &[u8]) -> bool {
    let Some(head) = bytes.get(..8) else {
        return false;
    };
    let n = u64::from_le_bytes(head.try_into().expect("8 bytes"));
    n >= 2 && n <= (bytes.len() - 8) as u64 && bytes[8] == b'{'
}

/// Whether `bytes` start like a PyTorch pickle: a zip archive (`torch.save` since 1.6) or a
/// pickle stream of protocol 2 to 5 (the legacy format).
pub fn looks_like_torch_pickle(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
        || (bytes.len() > 2 && bytes[0] == 0x80 && (2..=5).contains(&bytes[1]))
}

/// The message for a pickle.
const PICKLE: &str = "a PyTorch pickle (torch.save): fibers never unpickles (unpickling runs \
     code); save the state dict as safetensors instead, e.g. in Python: from safetensors.torch \
     import save_file; save_file(model.state_dict(), \"model.safetensors\")";

/// Reads the network in `path` (see the module documentation).
pub fn read_network_file(path: &Path, opts: &ImportOptions) -> Result<Imported, LoadError> {
    let source = path.display().to_string();
    let bytes = fibers_net::json::read_bytes(path)?;
    let kind = if has_ext(path, "safetensors") {
        Kind::Safetensors
    } else if has_ext(path, "json") {
        Kind::Json
    } else {
        Kind::Sniff
    };
    network_from_bytes(&bytes, &source, kind, opts)
}

/// What a file's name says it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A `.safetensors` name: read as safetensors.
    Safetensors,
    /// A `.json` name: read as a JSON network.
    Json,
    /// Anything else: safetensors if the first bytes are a safetensors header, else JSON.
    Sniff,
}

/// Reads a network from the bytes of a file; `source` names it in errors; `kind` is what its
/// name says. PyTorch pickles are refused whatever the name.
pub fn network_from_bytes(
    bytes: &[u8],
    source: &str,
    kind: Kind,
    opts: &ImportOptions,
) -> Result<Imported, LoadError> {
    if looks_like_torch_pickle(bytes) {
        return Err(LoadError::new(source, "file", PICKLE));
    }
    if kind == Kind::Safetensors || (kind == Kind::Sniff && looks_like_safetensors(bytes)) {
        let network = network_from_safetensors_with(bytes, source, &opts.layers, opts.zero_bias)?;
        return Ok(Imported {
            network,
            warnings: Vec::new(),
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        LoadError::new(
            source,
            format!("byte {}", e.valid_up_to()),
            "not valid UTF-8 text (neither a JSON network nor a safetensors file)",
        )
    })?;
    let mut value = parse_json_text(text, source)?;
    network_from_json_value(&mut value, source, opts.json_floats)
}

/// Reads a network from a JSON value, literals read as `floats` says; in the exact mode,
/// warns when they look like the shortest decimals of floats.
pub fn network_from_json_value(
    value: &mut Value,
    source: &str,
    floats: JsonFloats,
) -> Result<Imported, LoadError> {
    let mut warnings = Vec::new();
    if let Some(layers) = value.get_mut("layers") {
        match floats {
            JsonFloats::Exact => {
                let mut seen = FloatLike::default();
                scan(layers, "layers", &mut seen);
                if let Some(w) = seen.warning(source) {
                    warnings.push(w);
                }
            }
            mode => convert(layers, "layers", mode, source)?,
        }
    }
    let network = network_from_value(value, source)?;
    Ok(Imported { network, warnings })
}

/// Whether a number literal is a decimal (not an integer).
fn is_decimal(lit: &str) -> bool {
    lit.contains(['.', 'e', 'E'])
}

/// The significant digits of a decimal literal (no sign, point, exponent, or leading and
/// trailing zeros).
fn significant(lit: &str) -> String {
    let mant = lit.split(['e', 'E']).next().unwrap_or("");
    let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    digits
        .trim_start_matches('0')
        .trim_end_matches('0')
        .to_string()
}

/// Replaces every decimal literal by the exact value of the float it denotes.
fn convert(v: &mut Value, place: &str, mode: JsonFloats, source: &str) -> Result<(), LoadError> {
    match v {
        Value::Array(items) => {
            for (i, x) in items.iter_mut().enumerate() {
                convert(x, &format!("{place}[{i}]"), mode, source)?;
            }
        }
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                convert(x, &format!("{place}.{k}"), mode, source)?;
            }
        }
        Value::Number(n) => {
            let lit = n.to_string();
            if is_decimal(&lit) {
                let f = match mode {
                    JsonFloats::F32 => lit.parse::<f32>().map(f64::from),
                    _ => lit.parse::<f64>(),
                }
                .map_err(|e| LoadError::new(source, place, format!("{lit}: {e}")))?;
                let r = Rational::from_f64_exact(f).ok_or_else(|| {
                    LoadError::new(
                        source,
                        place,
                        format!("{lit} is beyond the range of the float type"),
                    )
                })?;
                *v = Value::String(r.to_string());
            }
        }
        _ => {}
    }
    Ok(())
}

/// Decimal literals that look like the shortest decimal of a binary float.
#[derive(Default)]
struct FloatLike {
    decimals: usize,
    flagged: usize,
    all_f32: bool,
    first: Option<(String, String)>,
}

impl FloatLike {
    fn warning(&self, source: &str) -> Option<String> {
        let (place, lit) = self.first.as_ref()?;
        let mode = if self.all_f32 { "f32" } else { "f64" };
        Some(format!(
            "{source}: warning: {} of {} decimal literals look like the shortest decimal of a \
             binary float (e.g. {place} = {lit}); they are read as the exact decimals written. \
             If the file was written from float tensors (json.dumps(t.tolist())), pass \
             --json-floats {mode} to read them as the floats they denote",
            self.flagged, self.decimals
        ))
    }
}

/// Whether `lit` (with `digits` significant digits) is the shortest decimal of an f64 with
/// many digits (16 or 17; shorter decimals are the shortest form of their nearest f64 anyway),
/// or of an f32 with 8 or 9. Returns whether the value is an f32.
fn float_like(lit: &str) -> Option<bool> {
    let digits = significant(lit);
    let v: f64 = lit.parse().ok()?;
    if !v.is_finite() || v == 0.0 {
        return None;
    }
    let is_f32 = f64::from(v as f32) == v;
    let short64 = significant(&format!("{v:e}"));
    if digits.len() >= 16 && short64 == digits {
        return Some(is_f32);
    }
    let w: f32 = lit.parse().ok()?;
    let short32 = significant(&format!("{w:e}"));
    if (8..=9).contains(&digits.len()) && short32 == digits {
        return Some(true);
    }
    None
}

fn scan(v: &Value, place: &str, seen: &mut FloatLike) {
    match v {
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                scan(x, &format!("{place}[{i}]"), seen);
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                scan(x, &format!("{place}.{k}"), seen);
            }
        }
        Value::Number(n) => {
            let lit = n.to_string();
            if is_decimal(&lit) {
                seen.decimals += 1;
                if let Some(f32like) = float_like(&lit) {
                    if seen.flagged == 0 {
                        seen.all_f32 = true;
                    }
                    seen.flagged += 1;
                    seen.all_f32 &= f32like;
                    if seen.first.is_none() {
                        seen.first = Some((place.to_string(), lit));
                    }
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_literals() {
        // The f32 nearest 0.1, printed by Python's repr of the widened double.
        assert_eq!(float_like("0.10000000149011612"), Some(true));
        assert_eq!(float_like("0.1"), None);
        assert_eq!(float_like("0.30000000000000004"), Some(false));
        assert_eq!(float_like("0.12345679"), Some(true));
        assert_eq!(float_like("0.125"), None);
    }

    #[test]
    fn f32_mode_reads_the_float() {
        let mut v: Value = serde_json::from_str(
            r#"{"architecture":[1,1,1,1],"layers":[{"weight":[[0.10000000149011612]],"bias":[0]},
            {"weight":[[1]],"bias":[0.5]},{"weight":[[1]],"bias":[0]}]}"#,
        )
        .unwrap();
        let exact = network_from_json_value(&mut v.clone(), "t", JsonFloats::Exact).unwrap();
        assert_eq!(exact.warnings.len(), 1, "{:?}", exact.warnings);
        assert!(exact.warnings[0].contains("--json-floats f32"));
        let f = network_from_json_value(&mut v, "t", JsonFloats::F32).unwrap();
        assert_eq!(
            f.network.w1()[0][0],
            Rational::from_f64_exact(f64::from(0.1f32)).unwrap()
        );
        assert!(f.warnings.is_empty());
    }
}
