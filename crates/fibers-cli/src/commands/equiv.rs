//! `fibers equiv A B`: exact, certified decision of `f_A = f_B` on all of `R^{n0}`.

use crate::error::CliError;
use crate::load;
use crate::output::outln;
use crate::progress::Progress;
use clap::{Args, ValueEnum};
use fibers::check::{certificate_to_string, check, Certificate, CheckOptions};
use fibers::exact::Rational;
use fibers::{decide_with_progress, DecideError, DecideOptions, Decision, Method, Network, Stats};
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
    /// canonical decision; `symmetry` only compares the symmetry normal forms (hidden
    /// permutations and positive scalings, then splits, dead and always-active neurons); `auto` first evaluates both networks exactly at seeded probe points
    /// (a difference is the witness), then tries the symmetry normal forms, then the bottleneck
    /// fast path, then the regions, then the tree if the regions give up (the JSON says which
    /// decided and why).
    #[arg(long, value_enum, default_value_t = MethodArg::Auto)]
    pub method: MethodArg,
    /// Give up (print `undecided`, exit 3) after this many tree nodes.
    #[arg(long, value_name = "N")]
    pub max_nodes: Option<u64>,
    /// Near-equivalence: decide `max_box ‖f_A − f_B‖∞ ≤ EPS` (verdict `equivalent`,
    /// `within EPS` or `not within EPS`, see docs/near.md); needs --box or --box-data.
    #[arg(long, value_name = "EPS")]
    pub tol: Option<String>,
    /// The box for --tol: `lo,hi` (every coordinate) or `lo1,hi1,lo2,hi2,…` (one pair per input).
    #[arg(long = "box", value_name = "LO,HI", allow_hyphen_values = true)]
    pub input_box: Option<String>,
    /// The box for --tol: the bounding box of the points in FILE (one point per line, numbers
    /// separated by commas or spaces; or a JSON array of points).
    #[arg(long, value_name = "FILE", conflicts_with = "input_box")]
    pub box_data: Option<PathBuf>,
}

/// The `--method` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// Exact probe points, the symmetry normal forms, then the polynomial bottleneck fast path
    /// (canonical forms, docs/theory.md §7), falling back to the region-wise decision when it cannot finish (and
    /// to the branch tree if that gives up).
    Auto,
    /// The branch tree over neuron phases (docs/theory.md §2).
    Tree,
    /// The region-wise canonical decision (docs/theory.md §11): layer-1 cells, each closed by
    /// comparing the canonical data of the two restricted one-hidden-layer networks.
    Regions,
    /// Only the symmetry normal forms: `equivalent` with a `relabel` certificate when B is A up
    /// to hidden permutations and positive scalings (moves M1, M2 of docs/theory.md §5), else
    /// with a `normal-form` certificate when both reduce to the same normal form (splits, dead
    /// and zero neurons, the always-active block; docs/theory.md §11, Proposition 11.8),
    /// otherwise undecided (exit 3).
    Symmetry,
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

/// A vector with a decimal approximation beside each exact entry.
fn text(v: &[Rational]) -> String {
    let parts: Vec<String> = v.iter().map(fibers::exact::display::with_approx).collect();
    format!("[{}]", parts.join(", "))
}

/// Runs [`fibers::decide`] with a progress spinner; maps errors to CLI errors.
pub fn run_decide(a: &Network, b: &Network, opts: &DecideOptions) -> Result<Decision, CliError> {
    let mut progress = Progress::new();
    let r = decide_with_progress(a, b, opts, &mut |s: &Stats| {
        progress.update(|| {
            format!(
                "nodes explored {}, leaves closed {}, LPs {}",
                s.nodes, s.leaves, s.lps
            )
        })
    });
    progress.finish();
    r.map_err(|e| match e {
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
    if let Some(tol) = &args.tol {
        return crate::commands::near::run(args, tol);
    }
    let (a, b) = load_pair(&args.a, &args.b)?;
    let opts = DecideOptions {
        method: match args.method {
            MethodArg::Auto => Method::Auto,
            MethodArg::Tree => Method::Tree,
            MethodArg::Regions => Method::Regions,
            MethodArg::Symmetry => Method::Symmetry,
        },
        max_nodes: args.max_nodes,
        ..DecideOptions::default()
    };
    let mut report = run_decide(&a, &b, &opts)?;
    // A nearby witness with fewer digits, when there is one (re-certified and checked below).
    let shortened = fibers_batch::witness::shorten_report(&mut report, &a, &b);
    let s = &report.stats;
    let cert = report.certificate();
    if let Some(c) = cert {
        self_check(c, &a, &b)?;
        if let Some(path) = &args.cert {
            std::fs::write(path, certificate_to_string(c)).map_err(|e| {
                CliError::BadInput(format!("{}: cannot write certificate: {e}", path.display()))
            })?;
        }
    }
    if args.json {
        let mut obj = report.to_json(&a, &b);
        if let (Some(p), Some(_)) = (&args.cert, cert) {
            obj["certificate"] = serde_json::json!(p.display().to_string());
        }
        outln!("{obj}")?;
    } else {
        outln!("{}", report.verdict().replace('-', " "))?;
        if let (Some(x), Some((fa, fb))) = (report.witness(), report.witness_outputs(&a, &b)) {
            outln!("witness x = {}", text(x))?;
            outln!("  f_A(x) = {}", text(&fa))?;
            outln!("  f_B(x) = {}", text(&fb))?;
            let diff: Vec<Rational> = fa.iter().zip(&fb).map(|(p, q)| p - q).collect();
            let largest = diff
                .iter()
                .map(Rational::abs)
                .max()
                .unwrap_or_else(Rational::zero);
            outln!("  f_A(x) - f_B(x) = {}", text(&diff))?;
            outln!(
                "  size of the difference: max |f_A(x) - f_B(x)| = {}",
                fibers::exact::display::with_approx(&largest)
            )?;
        }
        let found = match (report.witness(), report.found_by) {
            (Some(_), Some(f)) => format!(" (witness found by {f})"),
            _ => String::new(),
        };
        let short = if shortened {
            " (witness shortened: a nearby point with fewer digits, re-certified)"
        } else {
            ""
        };
        outln!("method: {}{found}{short}", report.method)?;
        let regions = report.procedure == Some(fibers::Procedure::Regions);
        if let (None, Some(f)) = (report.procedure, &report.fallback) {
            outln!("gave up: {f}")?;
        } else if let Some(f) = &report.fallback {
            let to = if regions {
                "the region-wise decision"
            } else {
                "the tree"
            };
            outln!("fast path fell back to {to}: {f}")?;
        }
        let searched = matches!(
            report.procedure,
            Some(fibers::Procedure::Tree | fibers::Procedure::Regions)
        );
        // The region-wise decision's tree stops at the cells of the layer-1 arrangement.
        let (what, leaves) = if regions {
            ("layer-1 cell tree", "cells")
        } else {
            ("branch-tree", "leaves")
        };
        if report.procedure.is_none() {
            // Every procedure gave up (the reason is printed above): no search ran.
        } else if report.procedure == Some(fibers::Procedure::Probe) {
            outln!(
                "search: none (the witness is one of the {} probe points evaluated first, before \
                 any normal form or search)",
                s.probes
            )?;
        } else if report.procedure == Some(fibers::Procedure::Symmetry) {
            let kinds: Vec<&str> = cert
                .and_then(|c| c.proof.as_ref())
                .map(|p| p.steps.iter().map(|s| s.body.kind()).collect())
                .unwrap_or_default();
            outln!(
                "search: none (decided by the fast path: the symmetry normal forms agree; steps: \
                 {}; no branch tree)",
                kinds.join(", ")
            )?;
        } else if !searched {
            outln!("search: none (decided by the fast path, no branch tree)")?;
        } else if s.nodes == 0 {
            outln!(
                "search: no {what} nodes (the witness is one of the {} probe points evaluated \
                 first)",
                s.probes
            )?;
        } else {
            outln!(
                "search: {} {}nodes, {} {leaves}, {} splits, {} fixed phases, {} LPs, {} probe \
                 points",
                s.nodes,
                if regions { "cell-tree " } else { "" },
                s.leaves,
                s.splits,
                s.cheap_fixes + s.lp_fixes,
                s.lps,
                s.probes
            )?;
        }
        if let (Some(p), Some(_)) = (&args.cert, cert) {
            outln!("certificate: {} (passes the checker)", p.display())?;
        }
    }
    if cert.is_none() && report.stats.out_of_memory {
        return Err(CliError::Undecided(format!(
            "undecided: the branch tree's dense forms and LP tableaux would need more than the memory \
             limit of {} bytes (raise it with --max-memory)",
            fibers_tree::max_memory()
        )));
    }
    if let (None, None, Some(why)) = (cert, report.procedure, &report.fallback) {
        // Every procedure gave up (`--method symmetry` off the orbit).
        return Err(CliError::Undecided(format!("undecided: {why}")));
    }
    if cert.is_none() {
        return Err(CliError::Undecided(format!(
            "undecided: the node budget ({}) ran out",
            args.max_nodes.unwrap_or(0)
        )));
    }
    Ok(())
}
