//! `fibers batch equiv|canon|dedup FILE.jsonl`: many networks at once, in parallel.
//!
//! The input is JSON Lines: one JSON object per line, `{"a": NET, "b": NET}` for `equiv` and a
//! network for `canon` and `dedup` (NET in the JSON network format). The output has one JSON
//! line per input line, in input order: the result, or `{"error": "line 7: ..."}` for a line
//! that cannot be read (the batch goes on). An `"id"` member of an input object is copied to
//! its output line.
//!
//! Lines are processed in chunks (`--chunk`, default 4096): a chunk is read, its lines are
//! worked on in parallel with rayon (all cores, or `--threads`, or `RAYON_NUM_THREADS`), and
//! the results are written in order before the next chunk is read, so memory stays bounded
//! however long the input is. A progress bar is drawn on stderr when it is a terminal.
//!
//! Exit status: 0 when every line gave a result, 2 when some line was bad input, 3 when some
//! decision ran out of budget (`--max-nodes`), 1 when some internal check failed (a bug).

use crate::commands::equiv::{self_check, MethodArg};
use crate::error::CliError;
use clap::{Args, Subcommand};
use fibers_bottleneck::canonicalize;
use fibers_bottleneck::certified::{decide_auto, AutoReport};
use fibers_exact::Rational;
use fibers_net::json::{network_from_value, vector_to_value};
use fibers_net::{LoadError, Network};
use fibers_tree::{DecideError, DecideOptions, Decision, Method};
use rayon::prelude::*;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Work on many networks or pairs from a JSON Lines file, in parallel.
#[derive(Args, Debug)]
pub struct BatchArgs {
    /// What to do with each line.
    #[command(subcommand)]
    pub mode: BatchMode,
}

/// The batch modes.
#[derive(Subcommand, Debug)]
pub enum BatchMode {
    /// Decide each pair `{"a": NET, "b": NET}` exactly, as `fibers equiv` does (the same
    /// decision procedure and the same `--json` object per line; each certificate is checked
    /// by the independent checker).
    Equiv(EquivBatchArgs),
    /// The canonical form and its SHA-256 hash of each network, or the genericity condition
    /// that fails (the object `fibers canon --json` prints, per line).
    Canon(CommonArgs),
    /// Group the networks into functional-equivalence classes: by canonical form where the
    /// networks are generic, by pairwise certified decision against the class representatives
    /// where they are not; every membership is verified by a checked certificate.
    Dedup(DedupArgs),
}

/// Options of every batch mode.
#[derive(Args, Debug, Clone)]
pub struct CommonArgs {
    /// Input file, JSON Lines (`-` for standard input).
    pub input: PathBuf,
    /// Write the results here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Worker threads (default: all cores, or RAYON_NUM_THREADS).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Lines read and processed at a time (with at most 256 MiB of input per chunk, this
    /// bounds the memory).
    #[arg(long, value_name = "LINES", default_value_t = 4096)]
    pub chunk: usize,
    /// Longer lines are reported as errors (and skipped without being held in memory).
    #[arg(long, value_name = "BYTES", default_value_t = 64 << 20)]
    pub max_line_bytes: usize,
    /// No progress bar and no summary on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options of `fibers batch equiv`.
#[derive(Args, Debug)]
pub struct EquivBatchArgs {
    /// Input, output and parallelism.
    #[command(flatten)]
    pub common: CommonArgs,
    /// Decision procedure (as for `fibers equiv`).
    #[arg(long, value_enum, default_value_t = MethodArg::Auto)]
    pub method: MethodArg,
    /// Give up on a pair (verdict `undecided`) after this many tree nodes.
    #[arg(long, value_name = "N")]
    pub max_nodes: Option<u64>,
}

/// Options of `fibers batch dedup`.
#[derive(Args, Debug)]
pub struct DedupArgs {
    /// Input, output and parallelism.
    #[command(flatten)]
    pub common: CommonArgs,
    /// Give up on one certified decision after this many tree nodes (a network left
    /// undecided against some representatives starts a class of its own and lists them in
    /// `"undecided_against"`; exit status 3).
    #[arg(long, value_name = "N")]
    pub max_nodes: Option<u64>,
}

/// Runs `fibers batch`.
pub fn run(args: &BatchArgs) -> Result<(), CliError> {
    match &args.mode {
        BatchMode::Equiv(a) => {
            let opts = DecideOptions {
                method: match a.method {
                    MethodArg::Auto => Method::Auto,
                    MethodArg::Tree => Method::Tree,
                    MethodArg::Regions => Method::Regions,
                },
                max_nodes: a.max_nodes,
                ..DecideOptions::default()
            };
            stream(&a.common, "equiv", |chunk, bar| {
                chunk
                    .into_par_iter()
                    .map(|(n, line)| {
                        let o = guarded(n, || equiv_line(n, line?, &opts));
                        bar.inc(1);
                        o
                    })
                    .collect()
            })
        }
        BatchMode::Canon(c) => stream(c, "canon", |chunk, bar| {
            chunk
                .into_par_iter()
                .map(|(n, line)| {
                    let o = guarded(n, || canon_line(n, line?));
                    bar.inc(1);
                    o
                })
                .collect()
        }),
        BatchMode::Dedup(d) => {
            let opts = DecideOptions {
                max_nodes: d.max_nodes,
                ..DecideOptions::default()
            };
            let mut state = Dedup::default();
            stream(&d.common, "dedup", |chunk, bar| {
                state.chunk(chunk, &opts, bar)
            })
        }
    }
}

// ---------------------------------------------------------------------------------------
// Lines in, lines out

/// How one line ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    Ok,
    Undecided,
    BadInput,
    Internal,
}

/// The output of one line.
struct Outcome {
    json: Value,
    status: Status,
    /// A short tag counted in the summary (`equivalent`, `new-class`, ...).
    tag: &'static str,
}

impl Outcome {
    fn ok(json: Value, tag: &'static str) -> Self {
        Outcome {
            json,
            status: Status::Ok,
            tag,
        }
    }
    fn error(status: Status, message: String) -> Self {
        Outcome {
            json: json!({ "error": message }),
            status,
            tag: "error",
        }
    }
}

/// A line that cannot be used: the message, starting `line N: `.
type LineError = Outcome;

fn bad(n: usize, msg: impl std::fmt::Display) -> LineError {
    Outcome::error(Status::BadInput, format!("line {n}: {msg}"))
}

fn internal(n: usize, msg: impl std::fmt::Display) -> LineError {
    Outcome::error(Status::Internal, format!("line {n}: internal error: {msg}"))
}

/// Runs `f`, turning a panic (a bug) into an internal-error line instead of ending the batch.
fn guarded(n: usize, f: impl FnOnce() -> Result<Outcome, Outcome>) -> Outcome {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(Ok(o)) | Ok(Err(o)) => o,
        Err(p) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".to_string());
            internal(n, format!("panic: {msg}"))
        }
    }
}

/// One numbered input line (1-based), or why it is not text.
type Line = (usize, Result<String, LineError>);

struct LineReader {
    reader: Box<dyn BufRead>,
    next: usize,
    buf: Vec<u8>,
}

/// Input bytes held by one chunk at most (a chunk ends early when its lines reach this).
const CHUNK_BYTES: usize = 256 << 20;

impl LineReader {
    /// Reads one line into `buf` (without storing more than `cap` bytes of it; the rest of a
    /// longer line is skipped). `None` at the end of the input, else whether it was too long.
    fn read_line(&mut self, cap: usize) -> std::io::Result<Option<bool>> {
        self.buf.clear();
        let (mut any, mut too_long) = (false, false);
        loop {
            let avail = self.reader.fill_buf()?;
            if avail.is_empty() {
                return Ok(any.then_some(too_long));
            }
            any = true;
            let (len, done) = match avail.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (avail.len(), false),
            };
            if !too_long {
                if self.buf.len() + len > cap.saturating_add(2) {
                    too_long = true;
                    self.buf = Vec::new();
                } else {
                    self.buf.extend_from_slice(&avail[..len]);
                }
            }
            self.reader.consume(len);
            if done {
                return Ok(Some(too_long));
            }
        }
    }

    /// Up to `max` lines (fewer when they add up to [`CHUNK_BYTES`]); an empty vector at the
    /// end of the input.
    fn chunk(&mut self, max: usize, cap: usize, source: &str) -> Result<Vec<Line>, CliError> {
        let mut out = Vec::with_capacity(max.min(4096));
        let mut bytes_held = 0usize;
        while out.len() < max && bytes_held < CHUNK_BYTES {
            let read = self
                .read_line(cap)
                .map_err(|e| CliError::BadInput(format!("{source}: line {}: {e}", self.next)))?;
            let Some(too_long) = read else {
                break;
            };
            let n = self.next;
            self.next += 1;
            if too_long {
                out.push((
                    n,
                    Err(bad(
                        n,
                        format!("line longer than {cap} bytes (see --max-line-bytes)"),
                    )),
                ));
                continue;
            }
            let mut bytes = &self.buf[..];
            if let Some(b) = bytes.strip_suffix(b"\n") {
                bytes = b.strip_suffix(b"\r").unwrap_or(b);
            }
            bytes_held += bytes.len();
            let line = match std::str::from_utf8(bytes) {
                Ok(s) => Ok(s.to_string()),
                Err(e) => Err(bad(
                    n,
                    format!("not valid UTF-8 text (byte {})", e.valid_up_to()),
                )),
            };
            out.push((n, line));
        }
        Ok(out)
    }
}

/// Counts the lines of a file (for the progress bar); `None` for standard input.
fn count_lines(path: &Path) -> Option<u64> {
    let mut f = std::fs::File::open(path).ok()?;
    let mut buf = vec![0u8; 1 << 16];
    let (mut lines, mut last) = (0u64, b'\n');
    loop {
        let k = f.read(&mut buf).ok()?;
        if k == 0 {
            break;
        }
        lines += buf[..k].iter().filter(|&&b| b == b'\n').count() as u64;
        last = buf[k - 1];
    }
    Some(lines + u64::from(last != b'\n'))
}

fn progress_bar(total: Option<u64>, label: &str, quiet: bool) -> indicatif::ProgressBar {
    if quiet {
        return indicatif::ProgressBar::hidden();
    }
    let bar =
        indicatif::ProgressBar::with_draw_target(total, indicatif::ProgressDrawTarget::stderr());
    let template = if total.is_some() {
        "{spinner} batch {prefix} [{elapsed_precise}] {wide_bar} {pos}/{len} lines ({rate}, eta {eta})"
    } else {
        "{spinner} batch {prefix} [{elapsed_precise}] {pos} lines ({rate})"
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style.with_key(
            "rate",
            |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0} lines/s", s.per_sec());
            },
        ));
    }
    bar.set_prefix(label.to_string());
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// Reads the input in chunks, lets `process` turn each chunk into outcomes (in order, one
/// per line), writes them, and reports.
fn stream(
    args: &CommonArgs,
    label: &str,
    mut process: impl FnMut(Vec<Line>, &indicatif::ProgressBar) -> Vec<Outcome> + Send,
) -> Result<(), CliError> {
    if args.chunk == 0 {
        return Err(CliError::BadInput("--chunk: must be at least 1".into()));
    }
    let source = args.input.display().to_string();
    let stdin = args.input.as_os_str() == "-";
    let reader: Box<dyn BufRead> = if stdin {
        Box::new(BufReader::new(std::io::stdin()))
    } else {
        let f = std::fs::File::open(&args.input)
            .map_err(|e| CliError::BadInput(format!("{source}: file: {e}")))?;
        Box::new(BufReader::with_capacity(1 << 16, f))
    };
    let mut lines = LineReader {
        reader,
        next: 1,
        buf: Vec::new(),
    };
    let out_name = args
        .output
        .as_ref()
        .map_or("standard output".to_string(), |p| p.display().to_string());
    let writer: Box<dyn Write> = match &args.output {
        Some(p) => Box::new(std::fs::File::create(p).map_err(|e| {
            CliError::BadInput(format!("{}: file: cannot write: {e}", p.display()))
        })?),
        None => Box::new(std::io::stdout()),
    };
    let mut writer = BufWriter::with_capacity(1 << 16, writer);
    let pool = match args.threads {
        Some(0) => return Err(CliError::BadInput("--threads: must be at least 1".into())),
        Some(t) => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .map_err(|e| CliError::Failed(format!("cannot start {t} threads: {e}")))?,
        ),
        None => None,
    };
    let threads = pool
        .as_ref()
        .map_or_else(rayon::current_num_threads, |p| p.current_num_threads());
    let total = if stdin {
        None
    } else {
        count_lines(&args.input)
    };
    let bar = progress_bar(total, label, args.quiet);
    let start = Instant::now();
    let mut tags: Vec<(&'static str, usize)> = Vec::new();
    let mut worst = Status::Ok;
    let mut first_problem: Option<String> = None;
    let mut count = 0usize;
    loop {
        let chunk = lines.chunk(args.chunk, args.max_line_bytes, &source)?;
        if chunk.is_empty() {
            break;
        }
        let k = chunk.len();
        let outcomes = match &pool {
            Some(p) => p.install(|| process(chunk, &bar)),
            None => process(chunk, &bar),
        };
        debug_assert_eq!(outcomes.len(), k);
        for (i, o) in outcomes.into_iter().enumerate() {
            if let Err(e) = writeln!(writer, "{}", o.json) {
                return write_failed(e, &out_name, &bar);
            }
            if o.status > worst {
                worst = o.status;
            }
            if o.status != Status::Ok && first_problem.is_none() {
                first_problem = Some(
                    o.json["error"]
                        .as_str()
                        .map_or_else(|| format!("line {}", count + i + 1), str::to_string),
                );
            }
            match tags.iter_mut().find(|(t, _)| *t == o.tag) {
                Some((_, c)) => *c += 1,
                None => tags.push((o.tag, 1)),
            }
        }
        if let Err(e) = writer.flush() {
            return write_failed(e, &out_name, &bar);
        }
        count += k;
    }
    bar.finish_and_clear();
    let secs = start.elapsed().as_secs_f64();
    if !args.quiet {
        let counts: Vec<String> = tags.iter().map(|(t, c)| format!("{c} {t}")).collect();
        eprintln!(
            "fibers: batch {label}: {count} lines ({}) in {secs:.2} s, {:.1} lines/s, {threads} \
             thread{}",
            if counts.is_empty() {
                "none".to_string()
            } else {
                counts.join(", ")
            },
            count as f64 / secs.max(1e-9),
            if threads == 1 { "" } else { "s" }
        );
    }
    let errors = tags
        .iter()
        .find(|(t, _)| *t == "error")
        .map_or(0, |(_, c)| *c);
    let summary = |what: &str| {
        format!(
            "batch {label}: {what} (first: {})",
            first_problem.clone().unwrap_or_default()
        )
    };
    match worst {
        Status::Ok => Ok(()),
        Status::Internal => Err(CliError::Failed(summary("an internal check failed"))),
        Status::BadInput => Err(CliError::BadInput(summary(&format!(
            "{errors} of {count} lines could not be used"
        )))),
        Status::Undecided => Err(CliError::Undecided(summary(
            "some decisions ran out of budget",
        ))),
    }
}

/// A write error: a closed pipe ends the batch quietly, anything else is reported.
fn write_failed(
    e: std::io::Error,
    out: &str,
    bar: &indicatif::ProgressBar,
) -> Result<(), CliError> {
    bar.finish_and_clear();
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return Ok(());
    }
    Err(CliError::BadInput(format!("{out}: cannot write: {e}")))
}

// ---------------------------------------------------------------------------------------
// Reading one line

fn parse_object(n: usize, text: &str) -> Result<serde_json::Map<String, Value>, LineError> {
    if text.trim().is_empty() {
        return Err(bad(n, "empty line (expected one JSON object)"));
    }
    let v: Value = serde_json::from_str(text).map_err(|e| {
        let what = if e.is_eof() {
            "truncated line (unexpected end of input)".to_string()
        } else {
            let full = e.to_string();
            match full.rfind(" at line ") {
                Some(i) => full[..i].to_string(),
                None => full,
            }
        };
        bad(n, format!("column {}: malformed JSON: {what}", e.column()))
    })?;
    match v {
        Value::Object(m) => Ok(m),
        _ => Err(bad(n, "expected a JSON object")),
    }
}

/// `line N: KEY.PLACE: MESSAGE` for a network inside a line.
fn net_error(n: usize, key: Option<&str>, e: LoadError) -> LineError {
    let place = match (key, e.place.as_str()) {
        (Some(k), "top level") => k.to_string(),
        (Some(k), p) => format!("{k}.{p}"),
        (None, p) => p.to_string(),
    };
    bad(n, format!("{place}: {}", e.message))
}

fn with_id(mut out: Value, obj: &serde_json::Map<String, Value>) -> Value {
    if let (Some(id), Value::Object(m)) = (obj.get("id"), &mut out) {
        let mut first = serde_json::Map::new();
        first.insert("id".to_string(), id.clone());
        first.append(m);
        return Value::Object(first);
    }
    out
}

// ---------------------------------------------------------------------------------------
// equiv

/// The JSON object `fibers equiv --json` prints for a report (without the certificate path).
pub fn report_json(report: &AutoReport, a: &Network, b: &Network) -> Value {
    let s = &report.stats;
    let verdict = match &report.decision {
        Decision::Equivalent { .. } => "equivalent",
        Decision::NotEquivalent { .. } => "not-equivalent",
        Decision::Undecided => "undecided",
    };
    let mut obj = json!({
        "verdict": verdict,
        "method": report.method,
        "nodes": s.nodes,
        "leaves": s.leaves,
        "splits": s.splits,
        "fixes": s.cheap_fixes + s.lp_fixes,
        "lps": s.lps,
        "probes": s.probes,
    });
    if let Some(f) = &report.fallback {
        obj["fallback"] = json!(f);
    }
    if let Decision::NotEquivalent { witness: x, .. } = &report.decision {
        obj["witness"] = vector_to_value(x);
        obj["output_a"] = vector_to_value(&a.eval(x));
        obj["output_b"] = vector_to_value(&b.eval(x));
        obj["found_by"] = json!(report.found_by);
    }
    obj
}

fn equiv_line(n: usize, text: String, opts: &DecideOptions) -> Result<Outcome, Outcome> {
    let obj = parse_object(n, &text)?;
    drop(text);
    let mut nets = Vec::with_capacity(2);
    for key in ["a", "b"] {
        let v = obj.get(key).ok_or_else(|| {
            bad(
                n,
                format!("missing key \"{key}\" (expected {{\"a\": NET, \"b\": NET}})"),
            )
        })?;
        nets.push(network_from_value(v, "").map_err(|e| net_error(n, Some(key), e))?);
    }
    let (a, b) = (&nets[0], &nets[1]);
    let (x, y) = (a.arch(), b.arch());
    if x.n0 != y.n0 || x.n3 != y.n3 {
        return Err(bad(
            n,
            format!(
                "a has architecture {x} and b has {y}: the input widths (n0) and output widths \
                 (n3) must agree"
            ),
        ));
    }
    let report = decide_auto(a, b, opts, &mut |_| {}).map_err(|e| match e {
        DecideError::ArchitectureMismatch(m) => bad(n, m),
        DecideError::Internal(m) => internal(n, m),
    })?;
    let (tag, cert) = match &report.decision {
        Decision::Equivalent { certificate } => ("equivalent", Some(certificate)),
        Decision::NotEquivalent { certificate, .. } => ("not-equivalent", Some(certificate)),
        Decision::Undecided => ("undecided", None),
    };
    if let Some(c) = cert {
        self_check(c, a, b).map_err(|e| internal(n, e))?;
    }
    let out = with_id(report_json(&report, a, b), &obj);
    Ok(Outcome {
        json: out,
        status: if cert.is_some() {
            Status::Ok
        } else {
            Status::Undecided
        },
        tag,
    })
}

// ---------------------------------------------------------------------------------------
// canon

fn read_network_line(
    n: usize,
    text: &str,
) -> Result<(Network, serde_json::Map<String, Value>), LineError> {
    let obj = parse_object(n, text)?;
    let v = Value::Object(obj);
    let net = network_from_value(&v, "").map_err(|e| net_error(n, None, e))?;
    let Value::Object(obj) = v else {
        unreachable!("an object")
    };
    Ok((net, obj))
}

fn canon_line(n: usize, text: String) -> Result<Outcome, Outcome> {
    let (net, obj) = read_network_line(n, &text)?;
    drop(text);
    // The object `fibers canon --json` prints.
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

// ---------------------------------------------------------------------------------------
// dedup

/// One class: its representative (the first network of the class, by line).
struct Class {
    line: usize,
    net: Network,
    /// Whether some member is generic (then its canonical hash maps here).
    has_generic: bool,
}

/// The exact outputs of a network at the probe points ([`fingerprint`]), with its input and
/// output widths. Equivalent networks have equal fingerprints; networks with different ones are
/// not equivalent (the differing output at a probe point is a witness).
type Fingerprint = (usize, usize, Vec<Vec<Rational>>);

/// How many seeded points (beyond the origin and `±e_i`) a fingerprint evaluates.
const FINGERPRINT_POINTS: usize = 8;

fn fingerprint(net: &Network) -> Fingerprint {
    let a = net.arch();
    let outputs = fibers_tree::probe_points(a.n0, FINGERPRINT_POINTS, 0xF1B3)
        .iter()
        .map(|x| net.eval(x))
        .collect();
    (a.n0, a.n3, outputs)
}

/// The classes found so far (kept across chunks; memory grows with the number of classes).
#[derive(Default)]
struct Dedup {
    classes: Vec<Class>,
    by_hash: HashMap<String, usize>,
    /// The classes of each fingerprint, in class order.
    by_print: HashMap<Fingerprint, Vec<usize>>,
}

/// A line after the parallel first phase.
enum Prepared {
    Failed(Outcome),
    Ready(Box<ReadyLine>),
}

/// A network line read, canonicalized and fingerprinted.
struct ReadyLine {
    net: Network,
    obj: serde_json::Map<String, Value>,
    /// Canonical hash, or the failed genericity condition.
    canon: Result<String, String>,
    print: Fingerprint,
}

/// How a line was placed in a class (second phase), before verification.
enum Placement {
    Done(Outcome),
    /// Joins `class` because its canonical hash is that class's: to be verified.
    ByHash {
        class: usize,
        net: Network,
        obj: serde_json::Map<String, Value>,
        hash: String,
    },
}

/// The verdict of one certified pairwise decision.
enum Pairwise {
    Equivalent,
    Different,
    Undecided,
}

fn certified(
    n: usize,
    a: &Network,
    b: &Network,
    opts: &DecideOptions,
) -> Result<Pairwise, Outcome> {
    let (x, y) = (a.arch(), b.arch());
    if x.n0 != y.n0 || x.n3 != y.n3 {
        return Ok(Pairwise::Different);
    }
    let report = decide_auto(a, b, opts, &mut |_| {}).map_err(|e| internal(n, e))?;
    match &report.decision {
        Decision::Equivalent { certificate } => {
            self_check(certificate, a, b).map_err(|e| internal(n, e))?;
            Ok(Pairwise::Equivalent)
        }
        Decision::NotEquivalent { certificate, .. } => {
            self_check(certificate, a, b).map_err(|e| internal(n, e))?;
            Ok(Pairwise::Different)
        }
        Decision::Undecided => Ok(Pairwise::Undecided),
    }
}

impl Dedup {
    fn chunk(
        &mut self,
        chunk: Vec<Line>,
        opts: &DecideOptions,
        bar: &indicatif::ProgressBar,
    ) -> Vec<Outcome> {
        // Phase 1, parallel: read and canonicalize every line.
        let prepared: Vec<(usize, Prepared)> = chunk
            .into_par_iter()
            .map(|(n, line)| {
                let p = match std::panic::catch_unwind(|| {
                    let text = line?;
                    let (net, obj) = read_network_line(n, &text)?;
                    let canon = canonicalize(&net)
                        .map(|c| c.form.hash())
                        .map_err(|e| e.to_string());
                    let print = fingerprint(&net);
                    Ok::<_, Outcome>((net, obj, canon, print))
                }) {
                    Ok(Ok((net, obj, canon, print))) => Prepared::Ready(Box::new(ReadyLine {
                        net,
                        obj,
                        canon,
                        print,
                    })),
                    Ok(Err(o)) => Prepared::Failed(o),
                    Err(_) => Prepared::Failed(internal(n, "panic while canonicalizing")),
                };
                (n, p)
            })
            .collect();
        // Phase 2, in input order: place each line (pairwise decisions run in parallel over
        // the candidate representatives).
        let placed: Vec<(usize, Placement)> = prepared
            .into_iter()
            .map(|(n, p)| (n, self.place(n, p, opts)))
            .collect();
        // Phase 3, parallel: verify every membership found by canonical hash with a checked
        // certificate of equivalence against the class representative.
        let classes = &self.classes;
        placed
            .into_par_iter()
            .map(|(n, p)| {
                let o = verify_member(n, p, classes, opts);
                bar.inc(1);
                o
            })
            .collect()
    }
}

/// Phase 3 of [`Dedup::chunk`] for one line.
fn verify_member(n: usize, p: Placement, classes: &[Class], opts: &DecideOptions) -> Outcome {
    match p {
        Placement::Done(o) => o,
        Placement::ByHash {
            class,
            net,
            obj,
            hash,
        } => guarded(n, || {
            let rep = &classes[class];
            match certified(n, &net, &rep.net, opts)? {
                Pairwise::Equivalent => Ok(Outcome::ok(
                    with_id(
                        json!({
                            "class": class,
                            "representative": rep.line,
                            "new_class": false,
                            "generic": true,
                            "sha256": hash,
                            "by": "canonical-form",
                            "certificate": "checked",
                        }),
                        &obj,
                    ),
                    "member",
                )),
                Pairwise::Different => Err(internal(
                    n,
                    format!(
                        "same canonical form as line {} but the certified decision \
                                 says not equivalent",
                        rep.line
                    ),
                )),
                Pairwise::Undecided => Ok(Outcome {
                    json: with_id(
                        json!({
                            "class": class,
                            "representative": rep.line,
                            "new_class": false,
                            "generic": true,
                            "sha256": hash,
                            "by": "canonical-form",
                            "certificate": "undecided (--max-nodes)",
                        }),
                        &obj,
                    ),
                    status: Status::Undecided,
                    tag: "member",
                }),
            }
        }),
    }
}

impl Dedup {
    /// Places one line: a known canonical hash defers to verification; anything else is
    /// compared pairwise with the candidate representatives, in class order.
    fn place(&mut self, n: usize, p: Prepared, opts: &DecideOptions) -> Placement {
        let ReadyLine {
            net,
            obj,
            canon,
            print,
        } = match p {
            Prepared::Failed(o) => return Placement::Done(o),
            Prepared::Ready(r) => *r,
        };
        if let Ok(h) = &canon {
            if let Some(&class) = self.by_hash.get(h) {
                return Placement::ByHash {
                    class,
                    net,
                    obj,
                    hash: h.clone(),
                };
            }
        }
        // Only classes with the same fingerprint can match (for the others the exact outputs
        // at a probe point differ). A generic network with a new form can only match a class
        // without generic members; a non-generic one can match any class.
        let generic = canon.is_ok();
        let candidates: Vec<usize> = self
            .by_print
            .get(&print)
            .map(|cs| {
                cs.iter()
                    .copied()
                    .filter(|&c| !(generic && self.classes[c].has_generic))
                    .collect()
            })
            .unwrap_or_default();
        let probes = 1 + 2 * print.0 + FINGERPRINT_POINTS;
        // Decide against the candidates in parallel; once some candidate is equivalent, the
        // later ones are skipped (the first equivalent class in class order wins).
        let first_match = AtomicUsize::new(usize::MAX);
        let results: Vec<Option<Result<Pairwise, Outcome>>> = candidates
            .par_iter()
            .enumerate()
            .map(|(i, &c)| {
                if i > first_match.load(Ordering::Relaxed) {
                    return None;
                }
                let r = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    certified(n, &net, &self.classes[c].net, opts)
                })) {
                    Ok(r) => r,
                    Err(_) => Err(internal(n, "panic in a pairwise decision")),
                };
                if matches!(r, Ok(Pairwise::Equivalent)) {
                    first_match.fetch_min(i, Ordering::Relaxed);
                }
                Some(r)
            })
            .collect();
        let mut undecided = Vec::new();
        let mut joined = None;
        let mut decided = 0usize;
        for (&c, r) in candidates.iter().zip(results) {
            let Some(r) = r else { break };
            decided += 1;
            match r {
                Err(o) => return Placement::Done(o),
                Ok(Pairwise::Equivalent) => {
                    joined = Some(c);
                    break;
                }
                Ok(Pairwise::Undecided) => undecided.push(self.classes[c].line),
                Ok(Pairwise::Different) => {}
            }
        }
        let mut out = json!({
            "generic": generic,
            "sha256": canon.as_ref().ok(),
        });
        if let Err(why) = &canon {
            out["fallback"] = json!(format!(
                "not generic ({why}): certified pairwise decisions against the {} class \
                 representatives that agree with it at the {probes} probe points ({decided} \
                 decided)",
                candidates.len()
            ));
        }
        out["compared"] = json!(decided);
        let (class, tag, status) = match joined {
            Some(c) => {
                out["by"] = json!("pairwise");
                out["certificate"] = json!("checked");
                (c, "member", Status::Ok)
            }
            None => {
                self.classes.push(Class {
                    line: n,
                    net,
                    has_generic: false,
                });
                let c = self.classes.len() - 1;
                self.by_print.entry(print).or_default().push(c);
                if undecided.is_empty() {
                    (c, "new-class", Status::Ok)
                } else {
                    out["undecided_against"] = json!(undecided);
                    (c, "new-class", Status::Undecided)
                }
            }
        };
        if let Ok(h) = canon {
            self.classes[class].has_generic = true;
            self.by_hash.insert(h, class);
        }
        let rep = self.classes[class].line;
        out["class"] = json!(class);
        out["representative"] = json!(rep);
        out["new_class"] = json!(rep == n);
        // Put the class first for readability.
        let mut ordered = serde_json::Map::new();
        for k in ["class", "representative", "new_class"] {
            ordered.insert(k.to_string(), out[k].take());
        }
        if let Value::Object(rest) = out {
            for (k, v) in rest {
                if !ordered.contains_key(&k) {
                    ordered.insert(k, v);
                }
            }
        }
        Placement::Done(Outcome {
            json: with_id(Value::Object(ordered), &obj),
            status,
            tag,
        })
    }
}
