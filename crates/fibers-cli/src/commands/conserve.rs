//! `fibers conserve NET [--data DATA] [--exhaustive] [--json] [--plot OUT.svg] [--csv OUT.csv]`:
//! conservation laws of gradient flow, exactly verified and counted (docs/conservation.md,
//! docs/conservation-bounds.md).
//!
//! By default the count is certified by two bounds that meet, without enumerating linear
//! regions (`fibers_conserve::bounds`); `--exhaustive` enumerates every linear region and
//! computes the Lie algebra symbolically (the cross-check, for small networks).

use crate::error::CliError;
use crate::load;
use crate::output::{out, outln};
use crate::progress::Progress;
use clap::Args;
use fibers_conserve::bounds::{bounds_with_progress, BoundsOptions};
use fibers_conserve::flow::{integrate_adaptive, FlowOptions, FlowRecord};
use fibers_conserve::lie::LieOptions;
use fibers_conserve::plot::{write_csv, write_svg};
use fibers_conserve::regions::{PatternSet, RegionError};
use fibers_conserve::{analyse, Analysis, Dataset, Options};
use fibers_net::Network;
use serde_json::json;
use std::path::PathBuf;

/// Conservation laws of gradient flow at a parameter: symmetries, exact laws, the exact
/// Lie-algebra count, and a gradient-flow demonstration.
#[derive(Args, Debug)]
pub struct ConserveArgs {
    /// Network file (JSON, or .safetensors with --keys).
    pub net: PathBuf,
    /// Dataset file {"x": [[...], ...], "y": [[...], ...]} with exact numbers. The laws then
    /// respect the activation patterns of these points; without it, every linear region.
    #[arg(long, value_name = "DATA")]
    pub data: Option<PathBuf>,
    /// Print one JSON object instead of plain text.
    #[arg(long)]
    pub json: bool,
    /// Integrate the gradient flow and draw the drift of every law as an SVG plot.
    #[arg(long, value_name = "OUT.svg")]
    pub plot: Option<PathBuf>,
    /// Integrate the gradient flow and write every law along it as CSV.
    #[arg(long, value_name = "OUT.csv")]
    pub csv: Option<PathBuf>,
    /// Seed of the generated dataset for the flow when --data is not given.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Number of points of the generated dataset.
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub points: usize,
    /// Number of RK4 steps of the flow.
    #[arg(long, default_value_t = 2000, value_name = "N")]
    pub steps: usize,
    /// Step size of the flow (a positive number; f64, demonstration only). Without it the
    /// step is chosen from the loss's curvature (at most 1e-3) and halved until every law
    /// drifts less than 1e-6; the step used and why are printed.
    #[arg(long, value_name = "H", allow_hyphen_values = true)]
    pub dt: Option<f64>,
    /// Highest bracket level of the Lie-algebra computation (with --exhaustive).
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub max_level: usize,
    /// Enumerate every linear region and compute the Lie algebra symbolically (exponential in
    /// the input width; the cross-check of the default certified bounds).
    #[arg(long)]
    pub exhaustive: bool,
    /// Budget of the bounds: the most distinct activation patterns sampled (without --data).
    #[arg(long, default_value_t = 2000, value_name = "N")]
    pub max_patterns: usize,
    /// Budget of the bounds: the most brackets of fields computed.
    #[arg(long, default_value_t = 64, value_name = "N")]
    pub max_brackets: usize,
}

/// Runs `fibers conserve`.
pub fn run(args: &ConserveArgs) -> Result<(), CliError> {
    let net = load::network(&args.net)?;
    let arch = net.arch();
    if let Some(dt) = args.dt {
        if !(dt.is_finite() && dt > 0.0) {
            return Err(CliError::BadInput(format!(
                "--dt: expected a positive step size, found {dt}"
            )));
        }
    }
    if args.points == 0 {
        return Err(CliError::BadInput("--points: expected at least 1".into()));
    }
    let data = match &args.data {
        Some(p) => Some(Dataset::read(p, arch.n0, arch.n3)?),
        None => None,
    };
    if !args.exhaustive {
        return run_bounds(args, &net, data.as_ref());
    }
    let opts = Options {
        lie: LieOptions {
            max_level: args.max_level,
            ..LieOptions::default()
        },
        ..Options::default()
    };
    let analysis = analyse(&net, data.as_ref(), &opts).map_err(|e| match e {
        RegionError::TooMany(_) => CliError::Undecided(e.to_string()),
    })?;

    let flow = if args.plot.is_some() || args.csv.is_some() {
        let (flow_data, origin) = match &data {
            Some(d) => (
                d.clone(),
                format!("{}", args.data.as_ref().expect("given").display()),
            ),
            None => (
                Dataset::seeded(&net, args.points, args.seed),
                format!("{} points generated with seed {}", args.points, args.seed),
            ),
        };
        let rec = analysis.flow(&flow_data, &flow_options(args));
        write_flow_files(args, &rec, &arch)?;
        Some((rec, origin))
    } else {
        None
    };

    let certified = analysis.law_count_certified();
    if args.json {
        let mut v = analysis.exhaustive_json();
        if let Some((rec, origin)) = &flow {
            v["flow"] = flow_json(rec, origin);
        }
        outln!("{v}")?;
    } else {
        print_text(&analysis, flow.as_ref())?;
        if certified {
            outln!(
                "number of independent conservation laws: {} (certified: exhaustive, every linear region and the Lie algebra)",
                analysis.law_count()
            )?;
        } else {
            outln!(
                "number of independent conservation laws: open, at least {} (laws found), Lie-algebra count {}",
                analysis.law_count(),
                analysis.lie.count
            )?;
        }
    }
    Ok(())
}

/// The default mode: certified bounds (docs/conservation-bounds.md).
fn run_bounds(args: &ConserveArgs, net: &Network, data: Option<&Dataset>) -> Result<(), CliError> {
    let arch = net.arch();
    let set = data.map(|d| PatternSet::from_data(net, &d.x));
    let opts = BoundsOptions {
        seed: args.seed,
        max_patterns: args.max_patterns,
        max_brackets: args.max_brackets,
        ..BoundsOptions::default()
    };
    let mut progress = Progress::new();
    let b = bounds_with_progress(net, set.as_ref(), &opts, &mut |m| {
        progress.update(|| m.to_string())
    });
    progress.finish();
    let flow = if args.plot.is_some() || args.csv.is_some() {
        let (flow_data, origin) = match data {
            Some(d) => (
                d.clone(),
                format!("{}", args.data.as_ref().expect("given").display()),
            ),
            None => (
                Dataset::seeded(net, args.points, args.seed),
                format!("{} points generated with seed {}", args.points, args.seed),
            ),
        };
        let tracked = fibers_conserve::bounds::tracked(net, &b, &flow_data.x);
        let patterns = PatternSet::from_data(net, &flow_data.x).patterns;
        let rec = integrate_adaptive(
            &arch,
            &net.params(),
            &flow_data.x,
            &flow_data.y,
            &tracked,
            &patterns,
            &flow_options(args),
        );
        write_flow_files(args, &rec, &arch)?;
        Some((rec, origin))
    } else {
        None
    };
    if args.json {
        let mut v = b.to_json(&arch);
        if let Some((rec, origin)) = &flow {
            v["flow"] = flow_json(rec, origin);
        }
        outln!("{v}")?;
    } else {
        out!("{}", b.text(&arch))?;
        if let Some(f) = &flow {
            print_flow(f)?;
        }
    }
    eprintln!(
        "conserve: budget: {} of {} patterns, {} of {} brackets{}; {}",
        b.patterns,
        if data.is_some() {
            "the data's".to_string()
        } else {
            args.max_patterns.to_string()
        },
        b.brackets.0,
        args.max_brackets,
        if data.is_some() {
            String::new()
        } else {
            format!(", {} sample points", b.points)
        },
        if b.certified() {
            "bounds met"
        } else {
            "bounds did not meet"
        }
    );
    Ok(())
}

/// The flow's options: `--dt` fixes the step, else it is chosen automatically.
fn flow_options(args: &ConserveArgs) -> FlowOptions {
    FlowOptions {
        dt: args.dt.unwrap_or(FlowOptions::default().dt),
        adapt: args.dt.is_none(),
        steps: args.steps,
        record_every: (args.steps / 500).max(1),
    }
}

/// Says on stderr which step the flow used and why, and warns about drifting laws.
fn report_step(rec: &FlowRecord) {
    eprintln!("conserve: flow step {}", rec.step_reason);
    for w in rec.drift_warnings() {
        eprintln!("conserve: {w}");
    }
}

fn write_flow_files(
    args: &ConserveArgs,
    rec: &FlowRecord,
    arch: &fibers_net::Architecture,
) -> Result<(), CliError> {
    if let Some(p) = &args.csv {
        write_csv(rec, p).map_err(CliError::BadInput)?;
    }
    if let Some(p) = &args.plot {
        let title = format!(
            "Conservation along gradient flow: {} {} (RK4, h = {:.3e})",
            args.net
                .file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            arch,
            rec.dt
        );
        write_svg(rec, &title, p).map_err(CliError::BadInput)?;
    }
    report_step(rec);
    Ok(())
}

fn flow_json(rec: &FlowRecord, origin: &str) -> serde_json::Value {
    let quantities: Vec<_> = (0..rec.names.len())
        .map(|q| {
            json!({
                "name": rec.names[q],
                "law": rec.conserved[q],
                "max_relative_drift": rec.max_drift(q),
            })
        })
        .collect();
    json!({
        "data": origin,
        "dt": rec.dt,
        "step_reason": rec.step_reason,
        "drifting_laws": rec.drifting_laws().iter().map(|&q| rec.names[q].clone()).collect::<Vec<_>>(),
        "unstable": rec.unstable(),
        "time": rec.times.last(),
        "loss": [rec.loss.first(), rec.loss.last()],
        "quantities": quantities,
        "pattern_exits": rec.pattern_exits.iter().map(|(t, p)| json!({"t": t, "point": p})).collect::<Vec<_>>(),
    })
}

fn print_text(a: &Analysis, flow: Option<&(FlowRecord, String)>) -> Result<(), CliError> {
    out!("{}", a.laws_text())?;
    outln!("symmetries ({}):", a.symmetries.len())?;
    for s in &a.symmetries {
        let law = match a.law_of(s) {
            Some(l) => format!("law \"{}\"", l.name),
            None if !s.verified => "NOT a symmetry on these patterns".into(),
            None => "no law".into(),
        };
        let aliases = if s.aliases.is_empty() {
            String::new()
        } else {
            format!(" (also: {})", s.aliases.join("; "))
        };
        outln!("  {}{aliases}: {} -> {}", s.name, s.generator, law)?;
    }
    if a.agrees() {
        outln!(
            "agreement: the Lie-algebra count equals the {} laws found",
            a.law_count()
        )?;
    } else {
        outln!(
            "DISAGREEMENT: Lie-algebra count {} but {} laws found{}",
            a.lie.count,
            a.law_count(),
            if a.lie.certified {
                ""
            } else {
                " (the count is not certified: the rank is a lower bound)"
            }
        )?;
    }
    if let Some(f) = flow {
        print_flow(f)?;
    }
    Ok(())
}

fn print_flow((rec, origin): &(FlowRecord, String)) -> Result<(), CliError> {
    {
        outln!(
            "flow: {} steps of RK4 with h = {:.3e} on {}; loss {:.6e} -> {:.6e}",
            (rec.times.last().copied().unwrap_or(0.0) / rec.dt).round() as usize,
            rec.dt,
            origin,
            rec.loss.first().copied().unwrap_or(0.0),
            rec.loss.last().copied().unwrap_or(0.0)
        )?;
        for q in 0..rec.names.len() {
            outln!(
                "  {} {}: max relative drift {:.3e}",
                if rec.conserved[q] {
                    "law"
                } else {
                    "NOT conserved"
                },
                rec.names[q],
                rec.max_drift(q)
            )?;
        }
        outln!("  step: {}", rec.step_reason)?;
        for w in rec.drift_warnings() {
            outln!("  {w}")?;
        }
        if rec.unstable() {
            outln!("  warning: the integration looks unstable (the loss grew or overflowed): lower --dt")?;
        }
        if let Some((t, p)) = rec.pattern_exits.first() {
            outln!(
                "  data point {p} left the pattern set at t = {t:.4}: local laws hold only before"
            )?;
        }
    }
    Ok(())
}
