//! `fibers equiv A B`: exact, certified decision of `f_A = f_B` on all of `R^{n0}`.

use crate::error::CliError;
use crate::load;
use crate::progress::Progress;
use clap::{Args, ValueEnum};
use fibers_check::{certificate_to_string, check, Certificate, CheckOptions};
use fibers_exact::Rational;
use fibers_net::json::vector_to_value;
use fibers_net::Network;
use fibers_tree::{DecideError, DecideOptions, Decision, Method, Report, Stats};
use std::path::{Path, PathBuf};

/// Decide exactly whether two networks compute the same function, with a certificate.
#[derive(Args, Debug)]
pub struct EquivArgs {
    /// First network file.
    pub a: PathBuf,
    /// Second network file (same input and output widths; hidden widths may differ).
    pub b: PathBuf,
    /// Write the certificate (JSON) to this file; check it with `fibers check CERT A B`.
    #[arg(long, value_name = "OUT")]
    pub cert: Option<PathBuf>,
    /// Print one JSON object instead of plain text.
    #[arg(long)]
    pub json: bool,
    /// Decision procedure: `tree` is the complete branch tree; `regions` the region-wise
    /// canonical decision; `auto` tries the bottleneck fast path first, then the regions, then
    /// the tree if the regions give up (the JSON says which decided and why).
    #[arg(long, value_enum, default_value_t = MethodArg::Auto)]
    pub method: MethodArg,
    /// Give up (print `undecided`, exit 3) after this many tree nodes.
    #[arg(long, value_name = "N")]
    pub max_nodes: Option<u64>,
}

/// The `--method` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// The polynomial bottleneck fast path (canonical forms, docs/theory.md §7), falling back to the
    /// region-wise decision when it cannot finish (and to the branch tree if that gives up).
    Auto,
    /// The branch tree over neuron phases (docs/theory.md §2).
    Tree,
    /// The region-wise canonical decision (docs/theory.md §11): layer-1 cells, each closed by
    /// comparing the canonical data of the two restricted one-hidden-layer networks.
    Regions,
}

/// Loads two networks and checks that their input and output widths agree.
pub fn load_pair(a: &Path, b: &Path) -> Result<(Network, Network), CliError> {
    let na = load::network(a)?;
    let nb = load::network(b)?;
    let (x, y) = (na.arch(), nb.arch());
    if x.n0 != y.n0 || x.n3 != y.n3 {
        return Err(CliError::BadInput(format!(
            "{} has architecture {x} and {} has {y}: the input widths (n0) and output widths \
             (n3) must agree",
            a.display(),
            b.display()
        )));
    }
    Ok((na, nb))
}

fn text(v: &[Rational]) -> String {
    let parts: Vec<String> = v.iter().map(|r| r.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

/// Runs the decision with a progress spinner; maps errors to CLI errors.
pub fn run_decide(a: &Network, b: &Network, opts: &DecideOptions) -> Result<Report, CliError> {
    run_decide_auto(a, b, opts).map(|(r, _)| r)
}

/// Like [`run_decide`]; with `Method::Auto` the bottleneck fast path runs first
/// (`fibers_bottleneck::certified`), and the second value says why it fell back to the tree.
pub fn run_decide_auto(
    a: &Network,
    b: &Network,
    opts: &DecideOptions,
) -> Result<(Report, Option<String>), CliError> {
    let mut progress = Progress::new();
    let r = fibers_bottleneck::certified::decide_auto(a, b, opts, &mut |s: &Stats| {
        progress.update(|| {
            format!(
                "nodes explored {}, leaves closed {}, LPs {}",
                s.nodes, s.leaves, s.lps
            )
        })
    });
    progress.finish();
    r.map(|r| {
        (
            Report {
                decision: r.decision,
                method: r.method,
                found_by: r.found_by,
                stats: r.stats,
            },
            r.fallback,
        )
    })
    .map_err(|e| match e {
        DecideError::ArchitectureMismatch(m) => CliError::BadInput(m),
        DecideError::Internal(m) => CliError::Failed(format!("internal error: {m}")),
    })
}

/// Checks a freshly made certificate with the independent checker (a safety net: a failure
/// here is a bug in the search, reported, never a verdict).
pub fn self_check(cert: &Certificate, a: &Network, b: &Network) -> Result<(), CliError> {
    check(cert, a, b, CheckOptions::default())
        .map(|_| ())
        .map_err(|r| {
            CliError::Failed(format!(
                "internal error: the certificate does not pass the checker: {r}"
            ))
        })
}

/// Runs `fibers equiv`.
pub fn run(args: &EquivArgs) -> Result<(), CliError> {
    let (a, b) = load_pair(&args.a, &args.b)?;
    let opts = DecideOptions {
        method: match args.method {
            MethodArg::Auto => Method::Auto,
            MethodArg::Tree => Method::Tree,
            MethodArg::Regions => Method::Regions,
        },
        max_nodes: args.max_nodes,
        ..DecideOptions::default()
    };
    let (report, fallback) = run_decide_auto(&a, &b, &opts)?;
    let s = &report.stats;
    let (verdict, cert, witness) = match &report.decision {
        Decision::Equivalent { certificate } => ("equivalent", Some(certificate), None),
        Decision::NotEquivalent {
            witness,
            certificate,
        } => ("not-equivalent", Some(certificate), Some(witness)),
        Decision::Undecided => ("undecided", None, None),
    };
    // f_A(x), f_B(x) at a witness: from the certificate when it carries them (the checker has
    // just compared them with exact evaluations), else evaluated here.
    let outputs = |x: &[Rational]| -> (Vec<Rational>, Vec<Rational>) {
        match cert.and_then(|c| c.witness.as_ref()) {
            Some(w) if w.x == x && w.output_a.is_some() && w.output_b.is_some() => (
                w.output_a.clone().unwrap_or_default(),
                w.output_b.clone().unwrap_or_default(),
            ),
            _ => (a.eval(x), b.eval(x)),
        }
    };
    if let Some(c) = cert {
        self_check(c, &a, &b)?;
        if let Some(path) = &args.cert {
            std::fs::write(path, certificate_to_string(c)).map_err(|e| {
                CliError::BadInput(format!("{}: cannot write certificate: {e}", path.display()))
            })?;
        }
    }
    if args.json {
        let mut obj = serde_json::json!({
            "verdict": verdict,
            "method": report.method,
            "nodes": s.nodes,
            "leaves": s.leaves,
            "splits": s.splits,
            "fixes": s.cheap_fixes + s.lp_fixes,
            "lps": s.lps,
            "probes": s.probes,
        });
        if let Some(f) = &fallback {
            obj["fallback"] = serde_json::json!(f);
        }
        if let Some(x) = witness {
            obj["witness"] = vector_to_value(x);
            let (fa, fb) = outputs(x);
            obj["output_a"] = vector_to_value(&fa);
            obj["output_b"] = vector_to_value(&fb);
            obj["found_by"] = serde_json::json!(report.found_by);
        }
        if let (Some(p), Some(_)) = (&args.cert, cert) {
            obj["certificate"] = serde_json::json!(p.display().to_string());
        }
        println!("{obj}");
    } else {
        println!("{}", verdict.replace('-', " "));
        if let Some(x) = witness {
            println!("witness x = {}", text(x));
            let (fa, fb) = outputs(x);
            println!("  f_A(x) = {}", text(&fa));
            println!("  f_B(x) = {}", text(&fb));
        }
        let found = report
            .found_by
            .map(|f| format!(" (witness found by {f})"))
            .unwrap_or_default();
        println!("method: {}{found}", report.method);
        if let Some(f) = &fallback {
            println!("fast path fell back to the tree: {f}");
        }
        println!(
            "search: {} nodes, {} leaves, {} splits, {} fixed phases, {} LPs, {} probe points",
            s.nodes,
            s.leaves,
            s.splits,
            s.cheap_fixes + s.lp_fixes,
            s.lps,
            s.probes
        );
        if let (Some(p), Some(_)) = (&args.cert, cert) {
            println!("certificate: {} (passes the checker)", p.display());
        }
    }
    if cert.is_none() {
        return Err(CliError::Undecided(format!(
            "undecided: the node budget ({}) ran out",
            args.max_nodes.unwrap_or(0)
        )));
    }
    Ok(())
}
