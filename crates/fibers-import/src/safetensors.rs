//! PyTorch state dicts in the safetensors format, read exactly and written as f64.
//!
//! Reading accepts the float dtypes `F16`, `BF16`, `F32` and `F64`. Each entry becomes the
//! exact rational the float denotes: f16 and bf16 are widened to f64 by the `half` crate and
//! f32 by `as f64`, all exact, then [`Rational::from_f64_exact`] gives the rational. NaN and
//! infinities are refused with the tensor and index (`2.weight[3][1]: NaN is not a number`).
//! Weights are PyTorch `Linear` weights, shape `[out, in]`; biases have shape `[out]`. The
//! architecture `(n0, n1, n2, n3)` is read off the weight shapes and every other shape is
//! checked against it before any data is converted.

use crate::keys::KeyMap;
use fibers_exact::Rational;
use fibers_net::json::MAX_WIDTH;
use fibers_net::{Architecture, Layer, LoadError, Network};
use safetensors::tensor::{Dtype, SafeTensorError, SafeTensors, TensorView, View};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;

/// How to write a rational that no f64 represents exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    /// Refuse it ([`ExportError`] naming the parameter).
    Exact,
    /// Round it to the nearest f64 (ties to even) and count it in
    /// [`SafetensorsExport::rounded`].
    Nearest,
}

/// A network written as safetensors bytes.
#[derive(Clone, Debug)]
pub struct SafetensorsExport {
    /// The file contents.
    pub bytes: Vec<u8>,
    /// How many parameters were rounded (always 0 with [`Rounding::Exact`]).
    pub rounded: usize,
    /// The first rounded parameter: its place (`layers[0].weight[1][2]`), its exact value and
    /// the f64 written instead.
    pub first_rounded: Option<(String, Rational, Rational)>,
}

/// A network that cannot be written as f64 tensors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportError {
    /// The parameter, in the JSON format's notation (`layers[0].weight[1][2]`).
    pub place: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.place, self.message)
    }
}

impl std::error::Error for ExportError {}

/// Reads a network from a `.safetensors` file, with the tensors named by `keys`.
pub fn read_safetensors(path: &Path, keys: &KeyMap) -> Result<Network, LoadError> {
    let source = path.display().to_string();
    let bytes = fibers_net::json::read_bytes(path)?;
    network_from_safetensors(&bytes, &source, keys)
}

/// Reads a network from the bytes of a safetensors file, with the six tensors named by `keys`;
/// `source` names the file in errors.
pub fn network_from_safetensors(
    bytes: &[u8],
    source: &str,
    keys: &KeyMap,
) -> Result<Network, LoadError> {
    network_from_safetensors_with(bytes, source, &LayerSource::Keys(keys.clone()), false)
}

/// Where the three layers of a state dict come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LayerSource {
    /// Found by [`crate::detect::detect_layers`]: the `Linear` layers in name order.
    Detect,
    /// Named explicitly (`--keys`).
    Keys(KeyMap),
}

/// Reads a network from the bytes of a safetensors file. With [`LayerSource::Detect`] the
/// three `Linear` layers are found by [`crate::detect::detect_layers`] (any other depth, and any
/// tensor that is not a `Linear` weight or bias, is refused). With `zero_bias`, a layer without
/// a bias tensor (`bias=False`) gets a zero bias; without it, a missing bias is an error.
pub fn network_from_safetensors_with(
    bytes: &[u8],
    source: &str,
    layers: &LayerSource,
    zero_bias: bool,
) -> Result<Network, LoadError> {
    let st = SafeTensors::deserialize(bytes).map_err(|e| header_error(e, bytes, source))?;
    let names: [LayerNames; 3] = match layers {
        LayerSource::Detect => {
            let names: Vec<(String, usize)> = st
                .tensors()
                .into_iter()
                .map(|(n, v)| (n, v.shape().len()))
                .collect();
            crate::detect::detect_layers(&names, zero_bias)
                .map_err(|(place, msg)| LoadError::new(source, place, msg))?
        }
        LayerSource::Keys(k) => std::array::from_fn(|i| LayerNames {
            weight: k.weight(i + 1).to_string(),
            bias: Some(k.bias(i + 1).to_string()),
        }),
    };
    let mut views = Vec::with_capacity(6);
    for layer in &names {
        let view = st
            .tensor(&layer.weight)
            .map_err(|_| missing_tensor(&st, &layer.weight, source))?;
        check_dtype(&view, &layer.weight, source)?;
        views.push(Some(view));
        let bname = layer.bias.clone().unwrap_or_else(|| bias_of(&layer.weight));
        match st.tensor(&bname) {
            Ok(view) => {
                check_dtype(&view, &bname, source)?;
                views.push(Some(view));
            }
            Err(_) if zero_bias => views.push(None),
            Err(_) if layer.bias.is_none() => {
                return Err(LoadError::new(
                    source,
                    bname.escape_debug().to_string(),
                    "missing: the layer has no bias (bias=False?); pass --zero-bias to read \
                     it as zero",
                ))
            }
            Err(_) => return Err(missing_tensor(&st, &bname, source)),
        }
    }
    let arch = infer_architecture(&views, &names, source)?;
    let mut out = Vec::with_capacity(3);
    for l in 1..=3 {
        let (rows, cols) = arch.weight_shape(l);
        let wname = &names[l - 1].weight;
        let flat = decode(
            views[2 * (l - 1)].as_ref().expect("weight"),
            wname,
            cols.max(1),
            true,
            source,
        )?;
        let weight = if cols == 0 {
            vec![Vec::new(); rows]
        } else {
            flat.chunks(cols).map(<[Rational]>::to_vec).collect()
        };
        let bias = match &views[2 * (l - 1) + 1] {
            Some(v) => decode(v, &bias_name(&names[l - 1]), 1, false, source)?,
            None => vec![Rational::zero(); rows],
        };
        out.push(Layer { weight, bias });
    }
    let layers: [Layer; 3] = out.try_into().expect("three layers");
    Network::new(arch, layers).map_err(|m| LoadError::new(source, "tensors", m))
}

/// The tensor names of one `Linear` layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerNames {
    /// The weight, shape `[out, in]`.
    pub weight: String,
    /// The bias, shape `[out]`; `None` when the state dict has none (`bias=False`).
    pub bias: Option<String>,
}

/// `P.bias` for the weight `P.weight`.
fn bias_of(weight: &str) -> String {
    match weight.strip_suffix("weight") {
        Some(p) => format!("{p}bias"),
        None => format!("{weight}.bias"),
    }
}

fn bias_name(l: &LayerNames) -> String {
    l.bias.clone().unwrap_or_else(|| bias_of(&l.weight))
}

fn header_error(e: SafeTensorError, bytes: &[u8], source: &str) -> LoadError {
    use SafeTensorError as E;
    let (place, message) = match e {
        E::HeaderTooSmall => (
            "file".to_string(),
            format!(
                "truncated file: {} bytes, shorter than the 8-byte header length",
                bytes.len()
            ),
        ),
        E::InvalidHeaderLength => {
            let n = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
            (
                "header".to_string(),
                format!(
                    "truncated file: the header is {n} bytes long but only {} bytes follow the \
                     length",
                    bytes.len() - 8
                ),
            )
        }
        E::HeaderTooLarge => (
            "header".to_string(),
            "header length is over the 100 MB limit (not a safetensors file?)".to_string(),
        ),
        E::InvalidHeader(u) => (
            "header".to_string(),
            format!("not valid UTF-8 ({u}); not a safetensors file?"),
        ),
        E::InvalidHeaderDeserialization(j) | E::JsonError(j) => {
            ("header".to_string(), format!("malformed JSON header: {j}"))
        }
        E::MetadataIncompleteBuffer => (
            "data".to_string(),
            "the file size does not match the tensors the header declares (truncated or padded \
             file)"
                .to_string(),
        ),
        E::InvalidOffset(name) => (
            name.escape_debug().to_string(),
            "data_offsets do not follow on from the previous tensor".to_string(),
        ),
        E::TensorInvalidInfo => (
            "header".to_string(),
            "a tensor's data_offsets do not match its shape and dtype".to_string(),
        ),
        other => ("header".to_string(), other.to_string()),
    };
    LoadError::new(source, place, one_line(&message))
}

fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

fn missing_tensor(st: &SafeTensors<'_>, name: &str, source: &str) -> LoadError {
    let mut names = st.names();
    names.sort_unstable();
    let shown: Vec<String> = names
        .iter()
        .take(12)
        .map(|n| n.escape_debug().to_string())
        .collect();
    let more = if names.len() > 12 {
        format!(", ... ({} in all)", names.len())
    } else {
        String::new()
    };
    let found = if names.is_empty() {
        "the file has no tensors".to_string()
    } else {
        format!("the file has {}{more}", shown.join(", "))
    };
    LoadError::new(
        source,
        name.escape_debug().to_string(),
        format!(
            "no such tensor ({found}); name the six tensors W1,b1,W2,b2,W3,b3 with --keys, \
             e.g. --keys fc1.weight,fc1.bias,fc2.weight,fc2.bias,fc3.weight,fc3.bias"
        ),
    )
}

fn check_dtype(view: &TensorView<'_>, name: &str, source: &str) -> Result<(), LoadError> {
    match view.dtype() {
        Dtype::F16 | Dtype::BF16 | Dtype::F32 | Dtype::F64 => Ok(()),
        other => Err(LoadError::new(
            source,
            name.escape_debug().to_string(),
            format!("dtype {other} is not supported (expected F16, BF16, F32 or F64)"),
        )),
    }
}

fn shape_text(shape: &[usize]) -> String {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    format!("[{}]", dims.join(", "))
}

/// The architecture from the shapes (`views`: weight, bias (or `None`) of each layer).
fn infer_architecture(
    views: &[Option<TensorView<'_>>],
    names: &[LayerNames; 3],
    source: &str,
) -> Result<Architecture, LoadError> {
    let err =
        |name: &str, msg: String| LoadError::new(source, name.escape_debug().to_string(), msg);
    let mut widths = [0usize; 4];
    for l in 1..=3 {
        let wname = names[l - 1].weight.as_str();
        let bname = bias_name(&names[l - 1]);
        let ws = views[2 * (l - 1)].as_ref().expect("weight").shape();
        if ws.len() != 2 {
            return Err(err(
                wname,
                format!(
                    "expected a 2-D Linear weight of shape [out, in], found shape {}",
                    shape_text(ws)
                ),
            ));
        }
        let (rows, cols) = (ws[0], ws[1]);
        for (what, n) in [("out", rows), ("in", cols)] {
            if n > MAX_WIDTH {
                return Err(err(
                    wname,
                    format!(
                        "shape {}: width {what} = {n} is over the limit {MAX_WIDTH}",
                        shape_text(ws)
                    ),
                ));
            }
        }
        if l == 1 {
            if cols == 0 {
                return Err(err(
                    wname,
                    format!(
                        "shape {}: the input width must be at least 1",
                        shape_text(ws)
                    ),
                ));
            }
            widths[0] = cols;
        } else if cols != widths[l - 1] {
            let prev = names[l - 2].weight.escape_debug().to_string();
            return Err(err(
                wname,
                format!(
                    "shape {} does not fit: expected {} columns, one per output of {prev} \
                     (shape [{}, {}])",
                    shape_text(ws),
                    widths[l - 1],
                    widths[l - 1],
                    if l == 2 { widths[0] } else { widths[1] },
                ),
            ));
        }
        if l == 3 && rows == 0 {
            return Err(err(
                wname,
                format!(
                    "shape {}: the output width must be at least 1",
                    shape_text(ws)
                ),
            ));
        }
        widths[l] = rows;
        if let Some(bv) = &views[2 * (l - 1) + 1] {
            let bs = bv.shape();
            if bs != [rows] {
                return Err(err(
                    &bname,
                    format!(
                        "expected shape [{rows}] (one entry per row of {}), found shape {}",
                        wname.escape_debug(),
                        shape_text(bs)
                    ),
                ));
            }
        }
    }
    Ok(Architecture::new(
        widths[0], widths[1], widths[2], widths[3],
    ))
}

/// The entries of a tensor as exact rationals, row-major. `cols` is the row length used to
/// name entries of a matrix (`name[i][j]`); vectors are named `name[i]`.
fn decode(
    view: &TensorView<'_>,
    name: &str,
    cols: usize,
    matrix: bool,
    source: &str,
) -> Result<Vec<Rational>, LoadError> {
    let data = view.data();
    let width = match view.dtype() {
        Dtype::F16 | Dtype::BF16 => 2,
        Dtype::F32 => 4,
        Dtype::F64 => 8,
        other => unreachable!("dtype {other} was rejected before decoding"),
    };
    data.chunks_exact(width)
        .enumerate()
        .map(|(k, b)| {
            let v: f64 = match view.dtype() {
                Dtype::F16 => half::f16::from_le_bytes([b[0], b[1]]).to_f64(),
                Dtype::BF16 => half::bf16::from_le_bytes([b[0], b[1]]).to_f64(),
                Dtype::F32 => f64::from(f32::from_le_bytes(b.try_into().expect("4 bytes"))),
                _ => f64::from_le_bytes(b.try_into().expect("8 bytes")),
            };
            Rational::from_f64_exact(v).ok_or_else(|| {
                let place = if matrix {
                    format!("{}[{}][{}]", name.escape_debug(), k / cols, k % cols)
                } else {
                    format!("{}[{k}]", name.escape_debug())
                };
                let message = if v.is_nan() {
                    "NaN is not a number".to_string()
                } else if v > 0.0 {
                    "+inf is not a finite number".to_string()
                } else {
                    "-inf is not a finite number".to_string()
                };
                LoadError::new(source, place, message)
            })
        })
        .collect()
}

/// A row-major f64 tensor to be written.
struct F64Tensor {
    shape: Vec<usize>,
    data: Vec<u8>,
}

impl View for &F64Tensor {
    fn dtype(&self) -> Dtype {
        Dtype::F64
    }
    fn shape(&self) -> &[usize] {
        &self.shape
    }
    fn data(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&self.data)
    }
    fn data_len(&self) -> usize {
        self.data.len()
    }
}

/// A tensor to be written: its name, shape, and entries with their places.
type Pending<'a> = (String, Vec<usize>, Vec<(String, &'a Rational)>);

/// The f64 that `r` becomes, and whether it is exact; `Err` if `r` is beyond the f64 range.
fn to_f64(r: &Rational, place: &str) -> Result<(f64, bool), ExportError> {
    let v = r.to_f64_lossy();
    if !v.is_finite() {
        return Err(ExportError {
            place: place.to_string(),
            message: format!("{} is beyond the range of f64", short(r)),
        });
    }
    // Exactness is decided on rationals: the float is converted back exactly and compared.
    let exact = Rational::from_f64_exact(v).is_some_and(|q| &q == r);
    Ok((v, exact))
}

/// A rational for a message, shortened when it has many digits.
fn short(r: &Rational) -> String {
    let s = r.to_string();
    if s.len() <= 60 {
        s
    } else {
        format!(
            "{}...{} ({} characters)",
            &s[..25],
            &s[s.len() - 25..],
            s.len()
        )
    }
}

/// Writes a network as a safetensors file of f64 tensors named by `keys` (PyTorch `Linear`
/// layout: weight `[out, in]`, bias `[out]`), with the metadata `{"format": "pt"}` that
/// `safetensors.torch.save_file` writes.
///
/// A parameter that no f64 represents is refused ([`Rounding::Exact`]) or rounded to the
/// nearest f64 ([`Rounding::Nearest`]); a parameter beyond the f64 range is always refused.
pub fn network_to_safetensors(
    net: &Network,
    keys: &KeyMap,
    rounding: Rounding,
) -> Result<SafetensorsExport, ExportError> {
    let mut rounded = 0usize;
    let mut first_rounded = None;
    let mut tensors: Vec<(String, F64Tensor)> = Vec::with_capacity(6);
    for (idx, layer) in net.layers().iter().enumerate() {
        let l = idx + 1;
        let (rows, cols) = net.arch().weight_shape(l);
        let mut parts: [Pending<'_>; 2] = [
            (keys.weight(l).to_string(), vec![rows, cols], Vec::new()),
            (keys.bias(l).to_string(), vec![rows], Vec::new()),
        ];
        for (i, row) in layer.weight.iter().enumerate() {
            for (j, r) in row.iter().enumerate() {
                parts[0]
                    .2
                    .push((format!("layers[{idx}].weight[{i}][{j}]"), r));
            }
        }
        for (i, r) in layer.bias.iter().enumerate() {
            parts[1].2.push((format!("layers[{idx}].bias[{i}]"), r));
        }
        for (name, shape, entries) in parts {
            let mut data = Vec::with_capacity(8 * entries.len());
            for (place, r) in entries {
                let (v, exact) = to_f64(r, &place)?;
                if !exact {
                    if rounding == Rounding::Exact {
                        return Err(ExportError {
                            place,
                            message: format!(
                                "{} is not exactly representable as an f64 (use --lossy to \
                                 round to the nearest f64)",
                                short(r)
                            ),
                        });
                    }
                    rounded += 1;
                    if first_rounded.is_none() {
                        let written = Rational::from_f64_exact(v).expect("finite");
                        first_rounded = Some((place, r.clone(), written));
                    }
                }
                data.extend_from_slice(&v.to_le_bytes());
            }
            tensors.push((name, F64Tensor { shape, data }));
        }
    }
    let metadata = HashMap::from([("format".to_string(), "pt".to_string())]);
    let bytes =
        safetensors::serialize(tensors.iter().map(|(n, t)| (n.as_str(), t)), Some(metadata))
            .map_err(|e| ExportError {
                place: "safetensors".to_string(),
                message: e.to_string(),
            })?;
    Ok(SafetensorsExport {
        bytes,
        rounded,
        first_rounded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Network {
        let arch = Architecture::new(2, 3, 2, 1);
        let params: Vec<Rational> = (0..arch.param_count())
            .map(|i| Rational::ratio(i as i64 - 5, 4))
            .collect();
        Network::from_params(arch, &params).unwrap()
    }

    #[test]
    fn round_trip_is_exact() {
        let net = sample();
        let out = network_to_safetensors(&net, &KeyMap::default(), Rounding::Exact).unwrap();
        assert_eq!(out.rounded, 0);
        let back = network_from_safetensors(&out.bytes, "m", &KeyMap::default()).unwrap();
        assert_eq!(back, net);
    }

    #[test]
    fn thirds_are_refused_or_rounded() {
        let mut net = sample();
        net.layer_mut(2).weight[1][0] = Rational::ratio(1, 3);
        let e = network_to_safetensors(&net, &KeyMap::default(), Rounding::Exact).unwrap_err();
        assert_eq!(e.place, "layers[1].weight[1][0]");
        assert!(e.message.contains("1/3 is not exactly representable"));
        let out = network_to_safetensors(&net, &KeyMap::default(), Rounding::Nearest).unwrap();
        assert_eq!(out.rounded, 1);
        let (place, exact, written) = out.first_rounded.unwrap();
        assert_eq!(place, "layers[1].weight[1][0]");
        assert_eq!(exact, Rational::ratio(1, 3));
        // The nearest f64 to 1/3 is 6004799503160661 / 2^54.
        assert_eq!(
            written,
            "6004799503160661/18014398509481984"
                .parse::<Rational>()
                .unwrap()
        );
        let back = network_from_safetensors(&out.bytes, "m", &KeyMap::default()).unwrap();
        assert_eq!(back.w2()[1][0], written);
    }

    #[test]
    fn huge_values_are_refused_even_when_rounding() {
        let mut net = sample();
        net.layer_mut(3).bias[0] = "1e400".parse().unwrap();
        let e = network_to_safetensors(&net, &KeyMap::default(), Rounding::Nearest).unwrap_err();
        assert_eq!(e.place, "layers[2].bias[0]");
        assert!(e.message.contains("beyond the range of f64"), "{e}");
    }
}
