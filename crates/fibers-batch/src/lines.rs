//! One line in, one JSON result out: reading the networks of a line, `equiv` and `canon`.

use fibers_bottleneck::canonicalize;
use fibers_check::{check, Certificate, CheckOptions};
use fibers_decide::{decide, DecideError, DecideOptions, Decision, Outcome as Verdict};
use fibers_import::{ImportOptions, KeyMap, LayerSource};
use fibers_net::{LoadError, Network};
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};

/// How one line ended (ordered from best to worst).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// A result.
    Ok,
    /// A decision ran out of budget.
    Undecided,
    /// The line cannot be used.
    BadInput,
    /// An internal check failed (a bug).
    Internal,
}

/// The output of one line.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The JSON line written.
    pub json: Value,
    /// How the line ended.
    pub status: Status,
    /// A short tag counted in the summary (`equivalent`, `new-class`, `error`, ...).
    pub tag: &'static str,
}

impl Outcome {
    /// A result.
    pub fn ok(json: Value, tag: &'static str) -> Self {
        Outcome {
            json,
            status: Status::Ok,
            tag,
        }
    }
    /// `{"error": message}`.
    pub fn error(status: Status, message: String) -> Self {
        Outcome {
            json: json!({ "error": message }),
            status,
            tag: "error",
        }
    }
    /// A bad line: `line N: msg`.
    pub fn bad(n: usize, msg: impl std::fmt::Display) -> Self {
        Outcome::error(Status::BadInput, format!("line {n}: {msg}"))
    }
    /// An internal error on line `n`.
    pub fn internal(n: usize, msg: impl std::fmt::Display) -> Self {
        Outcome::error(Status::Internal, format!("line {n}: internal error: {msg}"))
    }
}

/// Runs `f`, turning a panic (a bug) into an internal-error outcome.
pub fn guarded<T>(n: usize, f: impl FnOnce() -> Result<T, Outcome>) -> Result<T, Outcome> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".to_string());
            Err(Outcome::internal(n, format!("panic: {msg}")))
        }
    }
}

/// What every line needs: how to read networks and how to decide.
#[derive(Clone, Debug)]
pub struct Context {
    /// How network files and inline networks are read.
    pub import: ImportOptions,
    /// Relative paths are resolved against this directory.
    pub base: PathBuf,
    /// Options of every certified decision.
    pub decide: DecideOptions,
}

/// Parses a line as one JSON object, with the strict reader of network files
/// ([`fibers_net::json::parse_json_text`]: a key written twice is an error, a leading
/// byte-order mark is skipped).
pub fn parse_object(n: usize, text: &str) -> Result<Map<String, Value>, Outcome> {
    if text.trim().is_empty() {
        return Err(Outcome::bad(n, "empty line (expected one JSON object)"));
    }
    let v = fibers_net::json::parse_json_text(text, "").map_err(|e| {
        // A line has no line breaks: the place is `line 1 column C`.
        let column = e
            .place
            .rsplit_once("column ")
            .map_or(e.place.as_str(), |(_, c)| c);
        let what = e.message.replace("truncated file", "truncated line");
        Outcome::bad(n, format!("column {column}: {what}"))
    })?;
    match v {
        Value::Object(m) => Ok(m),
        _ => Err(Outcome::bad(n, "expected a JSON object")),
    }
}

/// `line N: KEY.PLACE: MESSAGE` for a network inside a line.
fn net_error(n: usize, key: Option<&str>, e: LoadError) -> Outcome {
    if !e.source_name.is_empty() {
        // A file: its name, place and message.
        let k = key.map(|k| format!("{k}: ")).unwrap_or_default();
        return Outcome::bad(n, format!("{k}{e}"));
    }
    let place = match (key, e.place.as_str()) {
        (Some(k), "top level") => k.to_string(),
        (Some(k), p) => format!("{k}.{p}"),
        (None, p) => p.to_string(),
    };
    Outcome::bad(n, format!("{place}: {}", e.message))
}

/// Reads the network a value stands for: `{"path": FILE, "keys"?: KEYS}`, a path string (when
/// `strings_are_paths`), or an inline network.
pub fn network_of(
    n: usize,
    key: Option<&str>,
    v: &Value,
    cx: &Context,
    strings_are_paths: bool,
) -> Result<Network, Outcome> {
    let file = match v {
        Value::String(s) if strings_are_paths => Some((s.as_str(), None)),
        Value::Object(m) if m.contains_key("path") => {
            let p = m["path"].as_str().ok_or_else(|| {
                Outcome::bad(n, format!("{}path: expected a string", prefix(key)))
            })?;
            let keys = match m.get("keys") {
                None => None,
                Some(Value::String(k)) => Some(
                    KeyMap::parse(k)
                        .map_err(|e| Outcome::bad(n, format!("{}keys: {e}", prefix(key))))?,
                ),
                Some(_) => {
                    return Err(Outcome::bad(
                        n,
                        format!(
                            "{}keys: expected a string such as \"fc1,fc2,fc3\"",
                            prefix(key)
                        ),
                    ))
                }
            };
            Some((p, keys))
        }
        _ => None,
    };
    match file {
        Some((p, keys)) => {
            let path = resolve(&cx.base, p);
            let mut opts = cx.import.clone();
            if let Some(k) = keys {
                opts.layers = LayerSource::Keys(k);
            }
            fibers_import::read_network_file(&path, &opts)
                .map(|i| i.network)
                .map_err(|e| net_error(n, key, e))
        }
        None => {
            let mut v = v.clone();
            fibers_import::file::network_from_json_value(&mut v, "", cx.import.json_floats)
                .map(|i| i.network)
                .map_err(|e| net_error(n, key, e))
        }
    }
}

fn prefix(key: Option<&str>) -> String {
    key.map(|k| format!("{k}.")).unwrap_or_default()
}

fn resolve(base: &Path, p: &str) -> PathBuf {
    let path = Path::new(p);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    }
}

/// Copies the `"id"` of the input object to the front of the output object.
pub fn with_id(mut out: Value, obj: &Map<String, Value>) -> Value {
    if let (Some(id), Value::Object(m)) = (obj.get("id"), &mut out) {
        let mut first = Map::new();
        first.insert("id".to_string(), id.clone());
        first.append(m);
        return Value::Object(first);
    }
    out
}

/// Checks a fresh certificate with the independent checker (a failure is a bug).
pub fn self_check(cert: &Certificate, a: &Network, b: &Network) -> Result<(), String> {
    check(cert, a, b, CheckOptions::default())
        .map(|_| ())
        .map_err(|r| format!("the certificate does not pass the checker: {r}"))
}

/// The JSON object of a decision (what `fibers equiv --json` and `batch equiv` print):
/// [`Decision::to_json`].
pub fn report_json(report: &Decision, a: &Network, b: &Network) -> Value {
    report.to_json(a, b)
}

/// `batch equiv`: one pair.
pub fn equiv_line(n: usize, text: &str, cx: &Context) -> Result<Outcome, Outcome> {
    let obj = parse_object(n, text)?;
    let mut nets = Vec::with_capacity(2);
    for key in ["a", "b"] {
        let v = obj.get(key).ok_or_else(|| {
            Outcome::bad(
                n,
                format!("missing key \"{key}\" (expected {{\"a\": NET, \"b\": NET}})"),
            )
        })?;
        nets.push(network_of(n, Some(key), v, cx, true)?);
    }
    let (a, b) = (&nets[0], &nets[1]);
    let (x, y) = (a.arch(), b.arch());
    if x.n0 != y.n0 || x.n3 != y.n3 {
        return Err(Outcome::bad(
            n,
            format!(
                "a has architecture {x} and b has {y}: the input widths (n0) and output widths \
                 (n3) must agree"
            ),
        ));
    }
    let mut report = decide(a, b, &cx.decide).map_err(|e| match e {
        DecideError::ArchitectureMismatch(m) => Outcome::bad(n, m),
        DecideError::Internal(m) => Outcome::internal(n, m),
    })?;
    crate::witness::shorten_report(&mut report, a, b);
    let (tag, cert) = match &report.outcome {
        Verdict::Equivalent { certificate } => ("equivalent", Some(certificate)),
        Verdict::NotEquivalent { certificate, .. } => ("not-equivalent", Some(certificate)),
        Verdict::Undecided => ("undecided", None),
    };
    if let Some(c) = cert {
        self_check(c, a, b).map_err(|e| Outcome::internal(n, e))?;
    }
    Ok(Outcome {
        json: with_id(report_json(&report, a, b), &obj),
        status: if cert.is_some() {
            Status::Ok
        } else {
            Status::Undecided
        },
        tag,
    })
}

/// Reads the network of a `canon`/`dedup` line (inline, or `{"path": …}`), with the object.
pub fn network_line(
    n: usize,
    text: &str,
    cx: &Context,
) -> Result<(Network, Map<String, Value>), Outcome> {
    let obj = parse_object(n, text)?;
    let v = Value::Object(obj);
    let net = network_of(n, None, &v, cx, false)?;
    let Value::Object(obj) = v else {
        unreachable!("an object")
    };
    Ok((net, obj))
}

/// `batch canon`: the object `fibers canon --json` prints.
pub fn canon_line(n: usize, text: &str, cx: &Context) -> Result<Outcome, Outcome> {
    let (net, obj) = network_line(n, text, cx)?;
    Ok(match canonicalize(&net) {
        Ok(c) => Outcome::ok(
            with_id(
                json!({"status": "canonical", "form": c.form.to_json()}),
                &obj,
            ),
            "canonical",
        ),
        Err(e) => Outcome::ok(
            with_id(
                json!({
                    "status": "not-generic",
                    "condition": e.condition.name(),
                    "detail": e.detail,
                }),
                &obj,
            ),
            "not-generic",
        ),
    })
}
