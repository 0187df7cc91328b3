//! `fibers batch equiv|canon|dedup INPUT`: many networks at once, in parallel, streamed.
//!
//! The work is [`fibers_batch`]; this module parses the options, draws progress and writes the
//! lines. INPUT is a JSON Lines file (`-` for standard input) or a directory of checkpoints.
//! One JSON line is written per input line, in input order, as soon as it is decided. Progress
//! goes to stderr: a bar on a terminal, otherwise a line every few seconds.
//!
//! Exit status: 0 when every line gave a result, 2 when some line was bad input, 3 when some
//! decision ran out of budget (`--max-nodes`), 1 when some internal check failed (a bug).

use crate::commands::equiv::MethodArg;
use crate::error::CliError;
use crate::load;
use clap::{Args, Subcommand};
use fibers::{DecideOptions, Method};
use fibers_batch::stream::Stop;
use fibers_batch::{Context, Input, Mode, Status};
use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Work on many networks or pairs from a JSON Lines file or a directory, in parallel.
#[derive(Args, Debug)]
pub struct BatchArgs {
    /// What to do with each line.
    #[command(subcommand)]
    pub mode: BatchMode,
}

/// The batch modes.
#[derive(Subcommand, Debug)]
pub enum BatchMode {
    /// Decide each pair `{"a": NET, "b": NET}` exactly, as `fibers equiv` does (NET inline, a
    /// file path, or `{"path": FILE}`; each certificate is checked by the independent checker).
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
    /// Input: a JSON Lines file (`-` for standard input) whose lines are networks or
    /// `{"id": ID, "path": FILE}`, or a directory of checkpoints (.safetensors, .json).
    pub input: PathBuf,
    /// Write the results here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Worker threads (default: all cores, or RAYON_NUM_THREADS); at most `--max-threads`.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// The most worker threads `--threads` may ask for (default: 4 × the cores).
    #[arg(long, value_name = "N")]
    pub max_threads: Option<usize>,
    /// Lines in flight at most (bounds the memory; results are still written as each line is
    /// decided).
    #[arg(long, value_name = "LINES", default_value_t = 4096)]
    pub chunk: usize,
    /// Longer lines are reported as errors (and skipped without being held in memory).
    #[arg(long, value_name = "BYTES", default_value_t = 64 << 20)]
    pub max_line_bytes: usize,
    /// No progress and no summary on stderr.
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
    let (mode, common, decide) = match &args.mode {
        BatchMode::Equiv(a) => (
            Mode::Equiv,
            &a.common,
            DecideOptions {
                method: match a.method {
                    MethodArg::Auto => Method::Auto,
                    MethodArg::Tree => Method::Tree,
                    MethodArg::Regions => Method::Regions,
                    MethodArg::Symmetry => Method::Symmetry,
                },
                max_nodes: a.max_nodes,
                ..DecideOptions::default()
            },
        ),
        BatchMode::Canon(c) => (Mode::Canon, c, DecideOptions::default()),
        BatchMode::Dedup(d) => (
            Mode::Dedup,
            &d.common,
            DecideOptions {
                max_nodes: d.max_nodes,
                ..DecideOptions::default()
            },
        ),
    };
    stream(mode, common, decide)
}

/// Progress on stderr: a bar on a terminal, else a line every few seconds.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    lines: bool,
    label: &'static str,
    total: Option<u64>,
    start: Instant,
    last: Instant,
}

impl Progress {
    fn new(total: Option<u64>, label: &'static str, quiet: bool) -> Self {
        let terminal = std::io::stderr().is_terminal();
        let bar = (!quiet && terminal).then(|| {
            let bar = indicatif::ProgressBar::with_draw_target(
                total,
                indicatif::ProgressDrawTarget::stderr(),
            );
            let template = if total.is_some() {
                "{spinner} batch {prefix} [{elapsed_precise}] {wide_bar} {pos}/{len} lines (eta {eta})"
            } else {
                "{spinner} batch {prefix} [{elapsed_precise}] {pos} lines"
            };
            if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
                bar.set_style(style);
            }
            bar.set_prefix(label.to_string());
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        let now = Instant::now();
        Progress {
            bar,
            lines: !quiet && !terminal,
            label,
            total,
            start: now,
            last: now,
        }
    }
    fn done(&mut self, count: usize) {
        if let Some(b) = &self.bar {
            b.set_position(count as u64);
        }
        if self.lines && self.last.elapsed() >= Duration::from_secs(5) {
            self.last = Instant::now();
            let of = self.total.map(|t| format!("/{t}")).unwrap_or_default();
            eprintln!(
                "fibers: batch {}: {count}{of} lines done, {:.0} s",
                self.label,
                self.start.elapsed().as_secs_f64()
            );
        }
    }
    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// The default of `--max-threads`: 4 × the cores.
fn default_max_threads() -> usize {
    4 * std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn stream(mode: Mode, args: &CommonArgs, decide: DecideOptions) -> Result<(), CliError> {
    if args.chunk == 0 {
        return Err(CliError::BadInput("--chunk: must be at least 1".into()));
    }
    let label = mode.name();
    let input = Input::open(&args.input).map_err(|e| CliError::BadInput(e.0))?;
    let cx = Context {
        import: load::options(),
        base: input.base.clone(),
        decide,
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
    let threads = match args.threads {
        Some(0) => return Err(CliError::BadInput("--threads: must be at least 1".into())),
        Some(t) => t,
        None => rayon::current_num_threads(),
    };
    let max_threads = args.max_threads.unwrap_or_else(default_max_threads);
    if args.threads.is_some() && threads > max_threads {
        return Err(CliError::BadInput(format!(
            "--threads: {threads} is more than the limit of {max_threads} (4 × the cores; raise \
             it with --max-threads)"
        )));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| {
            CliError::BadInput(format!(
                "--threads: cannot start {threads} threads: {e} (ask for fewer)"
            ))
        })?;
    let mut progress = Progress::new(input.total, label, args.quiet);
    let start = Instant::now();
    let mut count = 0usize;
    let result = fibers_batch::run(
        mode,
        input,
        &cx,
        &pool,
        args.chunk,
        args.max_line_bytes,
        &mut |_, o| {
            writeln!(writer, "{}", o.json)?;
            writer.flush()?;
            count += 1;
            progress.done(count);
            Ok::<(), std::io::Error>(())
        },
    );
    progress.finish();
    let summary = match result {
        Ok(s) => s,
        Err(Stop::Input(e)) => return Err(CliError::BadInput(e.0)),
        Err(Stop::Sink(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
        Err(Stop::Sink(e)) => {
            return Err(CliError::BadInput(format!("{out_name}: cannot write: {e}")))
        }
    };
    let secs = start.elapsed().as_secs_f64();
    let count = summary.lines;
    if !args.quiet {
        let counts: Vec<String> = summary
            .tags
            .iter()
            .map(|(t, c)| format!("{c} {t}"))
            .collect();
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
    let errors = summary.count("error");
    let summary_text = |what: &str| {
        format!(
            "batch {label}: {what} (first: {})",
            summary.first_problem.clone().unwrap_or_default()
        )
    };
    match summary.worst {
        None | Some(Status::Ok) => Ok(()),
        Some(Status::Internal) => Err(CliError::Failed(summary_text("an internal check failed"))),
        Some(Status::BadInput) => Err(CliError::BadInput(summary_text(&format!(
            "{errors} of {count} lines could not be used"
        )))),
        Some(Status::Undecided) => Err(CliError::Undecided(summary_text(
            "some decisions ran out of budget",
        ))),
    }
}
