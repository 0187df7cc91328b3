//! The network file format (JSON), read and written exactly.
//!
//! ```json
//! { "architecture": [n0, n1, n2, n3],
//!   "layers": [ {"weight": [[...], ...], "bias": [...]},
//!               {"weight": ..., "bias": ...},
//!               {"weight": ..., "bias": ...} ] }
//! ```
//!
//! `weight` of layer `l` has one row per unit of layer `l`. A number is a JSON integer, a
//! string `"p/q"`, a decimal string such as `"-0.125"`, or a JSON decimal literal read exactly
//! as written (`0.1` is `1/10`, never a float). Writing produces JSON integers (when they fit
//! in 64 bits) or `"p/q"` strings in lowest terms. Other top-level keys are ignored.

use crate::architecture::Architecture;
use crate::error::LoadError;
use crate::network::{Layer, Network};
use fibers_exact::Rational;
use serde_json::{Map, Value};
use std::path::Path;

/// The largest width accepted for any layer.
pub const MAX_WIDTH: usize = 1 << 20;

/// Reads a number from a JSON value (integer, decimal literal, or string), exactly.
pub fn rational_from_value(v: &Value, source: &str, place: &str) -> Result<Rational, LoadError> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) if s.chars().any(char::is_whitespace) => {
            return Err(LoadError::new(
                source,
                place,
                format!("not a number: {s:?} (no spaces inside a number string)"),
            ))
        }
        Value::String(s) => s.clone(),
        other => {
            return Err(LoadError::new(
                source,
                place,
                format!(
                    "expected a number (integer, \"p/q\" or decimal), found {}",
                    kind(other)
                ),
            ))
        }
    };
    text.parse::<Rational>()
        .map_err(|e| LoadError::new(source, place, e.to_string()))
}

/// Writes a number: a JSON integer when it is an integer that fits in 64 bits, else `"p/q"`.
pub fn rational_to_value(r: &Rational) -> Value {
    match (r.is_integer(), r.numer().to_i64()) {
        (true, Some(i)) => Value::from(i),
        _ => Value::String(r.to_string()),
    }
}

/// Reads a list of numbers from a JSON array.
pub fn vector_from_value(v: &Value, source: &str, place: &str) -> Result<Vec<Rational>, LoadError> {
    let arr = v.as_array().ok_or_else(|| {
        LoadError::new(
            source,
            place,
            format!("expected an array of numbers, found {}", kind(v)),
        )
    })?;
    arr.iter()
        .enumerate()
        .map(|(i, x)| rational_from_value(x, source, &format!("{place}[{i}]")))
        .collect()
}

/// Writes a list of numbers as a JSON array.
pub fn vector_to_value(v: &[Rational]) -> Value {
    Value::Array(v.iter().map(rational_to_value).collect())
}

/// Parses a comma-separated list of numbers such as `"1/2, 3, -0.25"` (used for `--x`).
pub fn parse_vector_text(text: &str, source: &str) -> Result<Vec<Rational>, LoadError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .enumerate()
        .map(|(i, s)| {
            s.trim()
                .parse::<Rational>()
                .map_err(|e| LoadError::new(source, format!("entry {i}"), e.to_string()))
        })
        .collect()
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The default of [`max_file_size`]: 64 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 << 20;

static MAX_FILE_SIZE: std::sync::atomic::AtomicU64 =
    std::sync::atomic::AtomicU64::new(DEFAULT_MAX_FILE_SIZE);

/// The largest input file [`read_text`] accepts, in bytes (the CLI's `--max-file-size`).
pub fn max_file_size() -> u64 {
    MAX_FILE_SIZE.load(std::sync::atomic::Ordering::Relaxed)
}

/// Sets [`max_file_size`] for the whole process.
pub fn set_max_file_size(bytes: u64) {
    MAX_FILE_SIZE.store(bytes, std::sync::atomic::Ordering::Relaxed);
}

/// Reads a file of at most [`max_file_size`] bytes (never more is read, so `/dev/zero` is
/// refused once past the limit).
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, LoadError> {
    use std::io::Read;
    let source = path.display().to_string();
    let limit = max_file_size();
    let file =
        std::fs::File::open(path).map_err(|e| LoadError::new(&source, "file", e.to_string()))?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| LoadError::new(&source, "file", e.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(LoadError::new(
            &source,
            "file",
            format!("larger than the limit of {limit} bytes (raise it with --max-file-size)"),
        ));
    }
    Ok(bytes)
}

/// Reads a text file with [`read_bytes`], checks that it is UTF-8 and drops a leading
/// byte-order mark.
pub fn read_text(path: &Path) -> Result<String, LoadError> {
    text_from_bytes(read_bytes(path)?, &path.display().to_string())
}

/// UTF-8 text from bytes (a leading byte-order mark dropped), with a located error.
pub fn text_from_bytes(bytes: Vec<u8>, source: &str) -> Result<String, LoadError> {
    let mut text = String::from_utf8(bytes).map_err(|e| {
        LoadError::new(
            source,
            format!("byte {}", e.utf8_error().valid_up_to()),
            "not valid UTF-8 text",
        )
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// A JSON value read by [`parse_json_text`]: like `serde_json::Value`, but an object with a
/// key written twice is an error (serde_json keeps the last one silently). Public for readers
/// that stream part of a file (the certificate reader of `fibers-check`).
pub struct Strict(pub Value);

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

/// The key under which serde_json (feature `arbitrary_precision`) hands a number's text to a
/// visitor, as a one-entry map.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// The visitor of [`Strict`]; streaming readers delegate the values they do not stream to it.
pub struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Value;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("not a finite number"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Value, A::Error> {
        strict_map(map, |_, m| m.next_value::<Strict>().map(|s| s.0))
    }
}

/// Reads a JSON object as the strict reader does (a key written twice is an error), each
/// member's value read by `value(key, map)`; serde_json's private map form of a number is read
/// as that number. Streaming readers pass their own `value` to read some members differently.
pub fn strict_map<'de, A: serde::de::MapAccess<'de>>(
    mut map: A,
    mut value: impl FnMut(&str, &mut A) -> Result<Value, A::Error>,
) -> Result<Value, A::Error> {
    use serde::de::Error;
    let mut out = Map::new();
    while let Some(key) = map.next_key::<String>()? {
        if key == NUMBER_TOKEN && out.is_empty() {
            let text: String = map.next_value()?;
            return text
                .parse::<serde_json::Number>()
                .map(Value::Number)
                .map_err(A::Error::custom);
        }
        let v = value(&key, &mut map)?;
        if out.contains_key(&key) {
            return Err(A::Error::custom(format_args!(
                "duplicate key \"{}\"",
                key.escape_debug()
            )));
        }
        out.insert(key, v);
    }
    Ok(Value::Object(out))
}

/// Parses JSON text into a value, with a one-line error naming the line and column. A leading
/// byte-order mark is skipped; a key written twice in one object is an error.
pub fn parse_json_text(text: &str, source: &str) -> Result<Value, LoadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = serde::Deserialize::deserialize(&mut de).and_then(|Strict(v)| {
        de.end()?;
        Ok(v)
    });
    parsed.map_err(|e| json_syntax_error(&e, source))
}

/// The one-line error of a JSON parse, naming the line and column.
pub fn json_syntax_error(e: &serde_json::Error, source: &str) -> LoadError {
    let place = format!("line {} column {}", e.line(), e.column());
    let message = if e.is_eof() {
        "truncated file (unexpected end of input)".to_string()
    } else {
        let full = e.to_string();
        match full.rfind(" at line ") {
            Some(i) => full[..i].to_string(),
            None => full,
        }
    };
    LoadError::new(source, place, format!("malformed JSON: {message}"))
}

fn field<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    source: &str,
    place: &str,
) -> Result<&'a Value, LoadError> {
    obj.get(key)
        .ok_or_else(|| LoadError::new(source, place, format!("missing key \"{key}\"")))
}

fn architecture_from_value(v: &Value, source: &str) -> Result<Architecture, LoadError> {
    let place = "architecture";
    let arr = v.as_array().ok_or_else(|| {
        LoadError::new(
            source,
            place,
            format!("expected an array [n0, n1, n2, n3], found {}", kind(v)),
        )
    })?;
    if arr.len() != 4 {
        return Err(LoadError::new(
            source,
            place,
            format!("expected 4 widths [n0, n1, n2, n3], found {}", arr.len()),
        ));
    }
    let mut w = [0usize; 4];
    for (i, x) in arr.iter().enumerate() {
        let p = format!("architecture[{i}]");
        let n = x
            .as_u64()
            .filter(|&n| n as usize <= MAX_WIDTH)
            .ok_or_else(|| {
                LoadError::new(
                    source,
                    &p,
                    format!("expected a width from 0 to {MAX_WIDTH}, found {x}"),
                )
            })?;
        w[i] = n as usize;
    }
    if w[0] == 0 || w[3] == 0 {
        return Err(LoadError::new(
            source,
            place,
            "input and output widths must be at least 1",
        ));
    }
    Ok(Architecture::new(w[0], w[1], w[2], w[3]))
}

fn layer_from_value(
    v: &Value,
    idx: usize,
    rows: usize,
    cols: usize,
    source: &str,
) -> Result<Layer, LoadError> {
    let place = format!("layers[{idx}]");
    let obj = v.as_object().ok_or_else(|| {
        LoadError::new(
            source,
            &place,
            format!(
                "expected an object with \"weight\" and \"bias\", found {}",
                kind(v)
            ),
        )
    })?;
    if let Some(k) = obj.keys().find(|k| *k != "weight" && *k != "bias") {
        return Err(LoadError::new(
            source,
            &place,
            format!(
                "unknown key \"{}\" (expected \"weight\" and \"bias\")",
                k.escape_debug()
            ),
        ));
    }
    let wv = field(obj, "weight", source, &place)?;
    let wplace = format!("{place}.weight");
    let wrows = wv.as_array().ok_or_else(|| {
        LoadError::new(
            source,
            &wplace,
            format!("expected an array of rows, found {}", kind(wv)),
        )
    })?;
    if wrows.len() != rows {
        return Err(LoadError::new(
            source,
            &wplace,
            format!(
                "expected {rows} rows (one per unit of layer {}), found {}",
                idx + 1,
                wrows.len()
            ),
        ));
    }
    let mut weight = Vec::with_capacity(rows);
    for (i, row) in wrows.iter().enumerate() {
        let rplace = format!("{wplace}[{i}]");
        let r = vector_from_value(row, source, &rplace)?;
        if r.len() != cols {
            return Err(LoadError::new(
                source,
                &rplace,
                format!("expected {cols} entries, found {}", r.len()),
            ));
        }
        weight.push(r);
    }
    let bplace = format!("{place}.bias");
    let bias = vector_from_value(field(obj, "bias", source, &place)?, source, &bplace)?;
    if bias.len() != rows {
        return Err(LoadError::new(
            source,
            &bplace,
            format!("expected {rows} entries, found {}", bias.len()),
        ));
    }
    Ok(Layer { weight, bias })
}

/// Reads a network from a parsed JSON value.
pub fn network_from_value(v: &Value, source: &str) -> Result<Network, LoadError> {
    let obj = v.as_object().ok_or_else(|| {
        LoadError::new(
            source,
            "top level",
            format!("expected an object, found {}", kind(v)),
        )
    })?;
    let arch = architecture_from_value(field(obj, "architecture", source, "top level")?, source)?;
    let lv = field(obj, "layers", source, "top level")?;
    let larr = lv.as_array().ok_or_else(|| {
        LoadError::new(
            source,
            "layers",
            format!("expected an array of 3 layers, found {}", kind(lv)),
        )
    })?;
    if larr.len() != 3 {
        return Err(LoadError::new(
            source,
            "layers",
            format!("expected 3 layers, found {}", larr.len()),
        ));
    }
    let mut layers = Vec::with_capacity(3);
    for (idx, l) in larr.iter().enumerate() {
        let (r, c) = arch.weight_shape(idx + 1);
        layers.push(layer_from_value(l, idx, r, c, source)?);
    }
    let layers: [Layer; 3] = layers.try_into().expect("three layers");
    Network::new(arch, layers).map_err(|m| LoadError::new(source, "layers", m))
}

/// Reads a network from JSON text.
pub fn network_from_str(text: &str, source: &str) -> Result<Network, LoadError> {
    network_from_value(&parse_json_text(text, source)?, source)
}

/// Reads a network from a JSON file (at most [`max_file_size`] bytes).
pub fn read_network(path: &Path) -> Result<Network, LoadError> {
    let source = path.display().to_string();
    network_from_str(&read_text(path)?, &source)
}

/// The JSON value of a network, in the file format.
pub fn network_to_value(net: &Network) -> Value {
    let a = net.arch();
    let layers: Vec<Value> = net
        .layers()
        .iter()
        .map(|l| {
            serde_json::json!({
                "weight": Value::Array(l.weight.iter().map(|r| vector_to_value(r)).collect()),
                "bias": vector_to_value(&l.bias),
            })
        })
        .collect();
    serde_json::json!({ "architecture": [a.n0, a.n1, a.n2, a.n3], "layers": layers })
}

/// The network as pretty-printed JSON text (one row of a weight matrix per line). This text is
/// canonical: certificates store its SHA-256 (`fibers_check::network_hash`).
pub fn network_to_string(net: &Network) -> String {
    let mut bytes = Vec::new();
    write_network(net, &mut bytes);
    String::from_utf8(bytes).expect("the writer writes ASCII")
}

/// Appends the bytes of [`network_to_string`]'s text (ASCII) to `out`, numbers that fit in
/// 64 bits without big-integer formatting.
pub fn write_network(net: &Network, out: &mut Vec<u8>) {
    let a = net.arch();
    out.reserve(96 + 4 * a.param_count());
    let mut digits = itoa::Buffer::new();
    let row = |out: &mut Vec<u8>, v: &[Rational], digits: &mut itoa::Buffer| {
        out.push(b'[');
        for (k, r) in v.iter().enumerate() {
            if k > 0 {
                out.push(b',');
            }
            write_number(r, out, digits);
        }
        out.push(b']');
    };
    out.extend_from_slice(b"{\n  \"architecture\": [");
    for (i, n) in [a.n0, a.n1, a.n2, a.n3].into_iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b", ");
        }
        out.extend_from_slice(digits.format(n).as_bytes());
    }
    out.extend_from_slice(b"],\n  \"layers\": [\n");
    for (i, l) in net.layers().iter().enumerate() {
        out.extend_from_slice(b"    {\"weight\": [");
        for (k, r) in l.weight.iter().enumerate() {
            if k > 0 {
                out.extend_from_slice(b",\n                ");
            }
            row(out, r, &mut digits);
        }
        out.extend_from_slice(b"],\n     \"bias\": ");
        row(out, &l.bias, &mut digits);
        out.extend_from_slice(if i < 2 { b"},\n" } else { b"}\n" });
    }
    out.extend_from_slice(b"  ]\n}\n");
}

/// Appends the compact JSON text of [`rational_to_value`]`(r)`.
fn write_number(r: &Rational, out: &mut Vec<u8>, digits: &mut itoa::Buffer) {
    match r.to_i64_parts() {
        Some((p, 1)) => out.extend_from_slice(digits.format(p).as_bytes()),
        Some((p, q)) => {
            out.push(b'"');
            out.extend_from_slice(digits.format(p).as_bytes());
            out.push(b'/');
            out.extend_from_slice(digits.format(q).as_bytes());
            out.push(b'"');
        }
        None => out.extend_from_slice(
            serde_json::to_string(&rational_to_value(r))
                .expect("a number is serialisable")
                .as_bytes(),
        ),
    }
}

/// The string value of `key` at the top level of a JSON object text, read without building the
/// value tree (every other value is skipped); `None` if the text is not such an object or the
/// key is absent or not a string. Lets a command tell file formats apart in constant memory.
pub fn top_level_string(text: &str, key: &str) -> Option<String> {
    struct Find<'k>(&'k str);
    impl<'de> serde::de::Visitor<'de> for Find<'_> {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Option<String>, A::Error> {
            let mut found = None;
            while let Some(k) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if k == self.0 && found.is_none() {
                    found = map.next_value::<Value>()?.as_str().map(str::to_string);
                } else {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
            Ok(found)
        }
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut de = serde_json::Deserializer::from_str(text);
    serde::Deserializer::deserialize_map(&mut de, Find(key))
        .ok()
        .flatten()
}

/// The canonical text written the slow way, every number through `serde_json` (the writer
/// before its fast path): the reference that tests and benchmarks compare
/// [`network_to_string`] with; the text that certificates hash must not change by a byte.
pub fn reference_to_string(net: &Network) -> String {
    let a = net.arch();
    let row = |v: &[Rational]| serde_json::to_string(&vector_to_value(v)).expect("serialisable");
    let mut s = format!(
        "{{\n  \"architecture\": [{}, {}, {}, {}],\n  \"layers\": [\n",
        a.n0, a.n1, a.n2, a.n3
    );
    for (i, l) in net.layers().iter().enumerate() {
        s.push_str("    {\"weight\": [");
        for (k, r) in l.weight.iter().enumerate() {
            if k > 0 {
                s.push_str(",\n                ");
            }
            s.push_str(&row(r));
        }
        s.push_str(&format!("],\n     \"bias\": {}}}", row(&l.bias)));
        s.push_str(if i < 2 { ",\n" } else { "\n" });
    }
    s.push_str("  ]\n}\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use fibers_exact::Integer;
    use proptest::prelude::*;

    /// Zero, small and extreme integers and fractions of both signs, and numbers past 64 bits.
    fn number() -> impl Strategy<Value = Rational> {
        let edge = prop_oneof![
            Just(0i64),
            Just(1),
            Just(-1),
            Just(i64::MAX),
            Just(i64::MIN),
            Just(i64::MIN + 1),
            any::<i64>(),
        ];
        prop_oneof![
            (-1000i64..=1000).prop_map(Rational::from),
            edge.clone().prop_map(Rational::from),
            (any::<i64>(), 1i64..=i64::MAX).prop_map(|(p, q)| Rational::ratio(p, q)),
            (edge, prop_oneof![Just(i64::MAX), 2i64..=9]).prop_map(|(p, q)| Rational::ratio(p, q)),
            (any::<i64>(), 0u32..200, any::<bool>()).prop_map(|(p, k, up)| {
                let (p, s) = (Integer::from(p), Integer::pow2(k));
                if up {
                    Rational::from_integer(p * s)
                } else {
                    Rational::new(p, s).expect("nonzero")
                }
            }),
            // Just past the i64 range: 2^63 and -2^63 - 1, also as denominators.
            prop_oneof![Just(63u32), Just(64)]
                .prop_map(|k| Rational::from_integer(Integer::pow2(k))),
            Just(Rational::from_integer(-Integer::pow2(63) - Integer::one())),
            Just(Rational::new(Integer::one(), Integer::pow2(63)).expect("nonzero")),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        #[test]
        fn fast_writer_is_byte_identical(
            net in (1usize..4, 0usize..4, 0usize..4, 1usize..3).prop_flat_map(|(a, b, c, d)| {
                let arch = Architecture::new(a, b, c, d);
                proptest::collection::vec(number(), arch.param_count())
                    .prop_map(move |p| Network::from_params(arch, &p).expect("length"))
            })
        ) {
            prop_assert_eq!(network_to_string(&net), reference_to_string(&net));
        }
    }

    /// Every network among the fixtures (files that are not networks are skipped).
    #[test]
    fn fast_writer_is_byte_identical_on_the_fixtures() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        let mut stack = vec![root];
        let mut seen = 0;
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("fixtures readable") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else if let Ok(net) = read_network(&path) {
                    assert_eq!(
                        network_to_string(&net),
                        reference_to_string(&net),
                        "{}",
                        path.display()
                    );
                    seen += 1;
                }
            }
        }
        assert!(seen >= 30, "only {seen} fixture networks found");
    }
}
