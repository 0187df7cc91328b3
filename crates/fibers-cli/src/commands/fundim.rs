//! `fibers fundim NET`: the functional dimension — the rank of the Jacobian of
//! θ ↦ (f_θ(x))_x — certified by a lower and an upper bound that meet (docs/theory.md §12,
//! polynomial), or by enumerating every linear region (`--exhaustive`, the former default and
//! the fallback when the bounds do not meet).

use super::fiber::describe_with_progress;
use crate::error::CliError;
use crate::load;
use crate::output::stdout_error;
use crate::progress::Progress;
use clap::Args;
use fibers_fiber::dimension::{dimension_formula, Formula};
use fibers_fiber::{
    functional_dimension, fundim_bounds, Bounds, BoundsOptions, FunDim, FunDimError, FunDimOptions,
    Kind,
};
use fibers_net::Network;
use std::io::Write;
use std::path::PathBuf;

/// Functional dimension of a network's parameter, certified by bounds that meet or by
/// enumerating every linear region.
#[derive(Args, Debug)]
pub struct FundimArgs {
    /// Network file.
    pub net: PathBuf,
    /// Print one JSON object instead of plain text.
    #[arg(long)]
    pub json: bool,
    /// Enumerate every linear region and take the exact rank over Q (exponential in the input
    /// width; the cross-check of the bounds).
    #[arg(long)]
    pub exhaustive: bool,
    /// Random activation regions sampled after the kinks, at most, before giving both bounds.
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub max_points: usize,
    /// Region budget of the enumeration (with --exhaustive, or as the fallback when the bounds
    /// do not meet; 0 disables the fallback).
    #[arg(long, value_name = "N", default_value_t = 4096)]
    pub max_regions: usize,
    /// Exit 1 unless D − fd equals the dimension of the described fiber (with --exhaustive)
    /// or the docs/theory.md §8 formula (otherwise, where the formula applies).
    #[arg(long)]
    pub check: bool,
}

/// Runs `fibers fundim`, writing to standard output.
pub fn run(args: &FundimArgs) -> Result<(), CliError> {
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    run_to(args, &mut w)
}

/// Runs `fibers fundim`, writing the report to `w` (progress and notes go to stderr).
pub fn run_to(args: &FundimArgs, w: &mut dyn Write) -> Result<(), CliError> {
    let net = load::network(&args.net)?;
    if args.exhaustive {
        return run_exhaustive(args, &net, w);
    }
    let mut p = Progress::new();
    let bounds = fundim_bounds(
        &net,
        &BoundsOptions {
            max_points: args.max_points,
            seed: 1,
        },
        &mut |m| p.update(|| format!("functional dimension: {m}")),
    );
    p.finish();
    let (bounds, why_not) = match bounds {
        Ok(b) => (Some(b), None),
        Err(e) => (None, Some(e.0)),
    };
    // Fall back to the enumeration when the bounds do not meet.
    let mut exhaustive: Option<FunDim> = None;
    let mut fallback_note = None;
    if !bounds.as_ref().is_some_and(Bounds::certified) && args.max_regions > 0 {
        let mut p = Progress::new();
        let r = functional_dimension(
            &net,
            &FunDimOptions {
                max_regions: args.max_regions,
            },
            &mut |n| p.update(|| format!("linear regions found: {n}")),
        );
        p.finish();
        match r {
            Ok(f) => exhaustive = Some(f),
            Err(e @ FunDimError::NotDifferentiable(_)) if bounds.is_none() => {
                return Err(CliError::BadInput(format!("{}: {e}", args.net.display())))
            }
            Err(e) => fallback_note = Some(e.to_string()),
        }
    }
    let a = net.arch();
    let d = a.param_count();
    let (value, how) = match (&exhaustive, &bounds) {
        (_, Some(b)) if b.certified() => (Some(b.lower), "bounds met"),
        (Some(f), _) => (Some(f.rank), "exhaustive (every linear region)"),
        _ => (None, "open"),
    };
    // D − fd is the local dimension of the fiber when the bounds meet (docs/theory.md §12,
    // Proposition 12.3), not when the enumeration had to leave out regions where f is not
    // differentiable in the parameters.
    let smooth = how != "exhaustive (every linear region)"
        || exhaustive
            .as_ref()
            .is_none_or(|f| f.non_differentiable_regions == 0);
    // Proposition 12.3 needs symmetry fields near θ: exchanges between parallel crossing
    // neurons hold at θ only, and then D − fd is only an upper bound on the local dimension.
    let pointwise = bounds
        .as_ref()
        .filter(|b| how == "bounds met" && b.pointwise > 0);
    let smooth = smooth && pointwise.is_none();
    let formula = formula_of(&net);
    if args.json {
        let bj = bounds.as_ref().map(|b| {
            serde_json::json!({
                "lower": b.lower,
                "upper": b.upper,
                "certified": b.certified(),
                "symmetry_rank": b.symmetry_rank,
                "moves": b.moves.iter().map(|m| serde_json::json!({"move": m.name, "vectors": m.vectors})).collect::<Vec<_>>(),
                "kinks": b.kinks,
                "regions": b.regions,
                "rows": b.rows,
                "prime": b.prime.to_string(),
                "budget_exhausted": b.budget_exhausted,
                "triangular": b.triangular,
                "pointwise": b.pointwise,
            })
        });
        writeln!(w,
            "{}",
            serde_json::json!({
                "parameters": d,
                "functional_dimension": value,
                "fiber_dimension": value.filter(|_| smooth).map(|v| d - v),
                "certified_by": how,
                "bounds": bj,
                "bounds_not_applicable": why_not,
                "exhaustive": exhaustive.as_ref().map(|f| serde_json::json!({"rank": f.rank, "regions": f.regions, "non_differentiable_regions": f.non_differentiable_regions, "points": f.points})),
                "exhaustive_not_run": fallback_note,
                "dimension_formula": formula.as_ref().and_then(Formula::value_if_applies),
                "dimension_formula_not_applicable": formula.as_ref().and_then(|f| f.note.clone()),
            })
        ).map_err(stdout_error)?;
    } else {
        match value {
            Some(v) => {
                writeln!(w, "functional dimension: {v} (certified: {how})").map_err(stdout_error)?
            }
            None => writeln!(
                w,
                "functional dimension: open (the bounds below do not meet)"
            )
            .map_err(stdout_error)?,
        }
        if let Some(b) = &bounds {
            writeln!(
                w,
                "  lower bound {}: rank over F_p (p = {}) of {} Jacobian rows at {} kinks and {} \
                 regions{}",
                b.lower,
                b.prime,
                b.rows,
                b.kinks,
                b.regions,
                if b.triangular {
                    " (a triangular minor with nonzero diagonal)"
                } else {
                    ""
                }
            )
            .map_err(stdout_error)?;
            let moves: Vec<String> = b
                .moves
                .iter()
                .map(|m| format!("{} {}", m.name, m.vectors))
                .collect();
            writeln!(
                w,
                "  upper bound {}: D - dim T, T spanned by verified symmetry directions of rank \
                 {} ({})",
                b.upper,
                b.symmetry_rank,
                moves.join(", ")
            )
            .map_err(stdout_error)?;
            if b.budget_exhausted {
                writeln!(
                    w,
                    "  the budget of random regions ran out (--max-points {})",
                    args.max_points
                )
                .map_err(stdout_error)?;
            }
        }
        if let Some(why) = &why_not {
            writeln!(w, "  bounds not applicable: {why}").map_err(stdout_error)?;
        }
        if let Some(f) = &exhaustive {
            writeln!(
                w,
                "  exhaustive: rank {} over {} linear regions ({} points)",
                f.rank, f.regions, f.points
            )
            .map_err(stdout_error)?;
            non_differentiable_note(f, w)?;
        }
        if let Some(n) = &fallback_note {
            writeln!(w, "  exhaustive fallback not finished: {n}").map_err(stdout_error)?;
        }
        writeln!(w, "parameters D: {d}").map_err(stdout_error)?;
        match (value, &bounds) {
            (Some(v), Some(b)) if pointwise.is_some() => {
                let (lo, _) = b.fiber_dimension_bounds();
                writeln!(
                    w,
                    "local dimension of the fiber: between {lo} and D - fd = {} (open: {} \
                     symmetry direction(s) between parallel crossing neurons hold at θ only)",
                    d - v,
                    b.pointwise
                )
                .map_err(stdout_error)?
            }
            (Some(v), _) if !smooth => writeln!(
                w,
                "D - fd: {} (not the local dimension of the fiber: f is not differentiable in \
                 the parameters on some regions)",
                d - v
            )
            .map_err(stdout_error)?,
            (Some(v), _) => writeln!(
                w,
                "local dimension of the fiber (D - fd): {} (certified: {how})",
                d - v
            )
            .map_err(stdout_error)?,
            (None, Some(b)) => {
                let (lo, hi) = b.fiber_dimension_bounds();
                writeln!(
                    w,
                    "local dimension of the fiber (D - fd): between {lo} and {hi} (open)"
                )
                .map_err(stdout_error)?;
            }
            _ => {
                writeln!(w, "local dimension of the fiber (D - fd): open").map_err(stdout_error)?
            }
        }
        if let Some(f) = &formula {
            writeln!(w, "docs/theory.md §8 formula: {}", f.display()).map_err(stdout_error)?;
        }
    }
    if args.check && smooth {
        if let (Some(v), Some(f)) = (value, formula.as_ref().and_then(Formula::value_if_applies)) {
            if d - v != f {
                return Err(CliError::Failed(format!(
                    "D - fd = {} but the docs/theory.md §8 formula gives {f}",
                    d - v
                )));
            }
        }
    }
    if value.is_none() {
        return Err(CliError::Undecided(match &bounds {
            Some(b) => format!(
                "functional dimension open: between {} and {} (raise --max-points or \
                 --max-regions)",
                b.lower, b.upper
            ),
            None => "functional dimension open (raise --max-regions)".into(),
        }));
    }
    Ok(())
}

/// The docs/theory.md §8 formula for a generic non-constant bottleneck parameter, with the
/// failing hypothesis (if any) in its note; `None` outside that setting.
fn formula_of(net: &Network) -> Option<Formula> {
    let c = fibers_bottleneck::classify(net);
    if !c.bottleneck || c.constant || c.not_generic.is_some() {
        return None;
    }
    let hidden = (0..net.arch().n1).any(|h| fibers_fiber::orbit::is_hidden(net, h));
    Some(dimension_formula(net, hidden, c.parallel_crossing))
}

/// Says which regions were left out of the span because `f` is not differentiable in the
/// parameters there (docs/theory.md §12, Definition 12.1).
fn non_differentiable_note(f: &FunDim, w: &mut dyn Write) -> Result<(), CliError> {
    if f.non_differentiable_regions > 0 {
        writeln!(
            w,
            "  {} of the {} linear regions left out: an identically zero neuron makes f \
             non-differentiable in the parameters there (docs/theory.md §12, Definition 12.1 \
             spans the gradients where f is differentiable){}",
            f.non_differentiable_regions,
            f.regions,
            if f.non_differentiable_regions == f.regions {
                "; f is differentiable nowhere, so the span is empty"
            } else {
                ""
            }
        )
        .map_err(stdout_error)?;
    }
    Ok(())
}

/// `--exhaustive`: every linear region, compared with the described fiber.
fn run_exhaustive(args: &FundimArgs, net: &Network, w: &mut dyn Write) -> Result<(), CliError> {
    let mut p = Progress::new();
    let r = functional_dimension(
        net,
        &FunDimOptions {
            max_regions: args.max_regions,
        },
        &mut |n| p.update(|| format!("linear regions found: {n}")),
    );
    p.finish();
    let f = match r {
        Ok(f) => f,
        Err(FunDimError::Budget(n)) => {
            return Err(CliError::Undecided(format!(
                "more than {n} linear regions (raise --max-regions)"
            )))
        }
        Err(e @ FunDimError::NotDifferentiable(_)) => {
            return Err(CliError::BadInput(format!("{}: {e}", args.net.display())))
        }
    };
    let d = describe_with_progress(net, 20_000, None)?;
    let dim = d.dimension();
    let described = matches!(
        d.kind,
        Kind::Bottleneck | Kind::OneDimensional | Kind::Constant
    ) && d.part_dimension.is_some();
    // D − rank is compared with the fiber only where f is differentiable in the parameters on
    // every region.
    let comparable = f.non_differentiable_regions == 0;
    let agree = dim.map(|x| x == f.corank()).filter(|_| comparable);
    if args.json {
        writeln!(
            w,
            "{}",
            serde_json::json!({
                "rank": f.rank,
                "parameters": f.params,
                "corank": f.corank(),
                "regions": f.regions,
                "non_differentiable_regions": f.non_differentiable_regions,
                "points": f.points,
                "certified_by": "exhaustive (every linear region)",
                "fiber_dimension": if described { dim } else { None },
                "fiber_dimension_source": d.dimension_source(),
                "formula": d.formula.as_ref().and_then(Formula::value_if_applies),
                "formula_not_applicable": d.formula.as_ref().and_then(|f| f.note.clone()),
                "agree": if described { agree } else { None },
            })
        )
        .map_err(stdout_error)?;
    } else {
        writeln!(
            w,
            "functional dimension (rank of the Jacobian over Q): {} (certified: exhaustive)",
            f.rank
        )
        .map_err(stdout_error)?;
        writeln!(w, "parameters D: {}", f.params).map_err(stdout_error)?;
        writeln!(w, "D - rank: {}", f.corank()).map_err(stdout_error)?;
        writeln!(
            w,
            "linear regions: {} ({} points, {} per region)",
            f.regions,
            f.points,
            net.arch().n0 + 1
        )
        .map_err(stdout_error)?;
        non_differentiable_note(&f, w)?;
        if described {
            writeln!(
                w,
                "dimension of the fiber: {} ({})",
                dim.map_or("unknown".into(), |x| x.to_string()),
                d.dimension_source()
            )
            .map_err(stdout_error)?;
            if let Some(fm) = &d.formula {
                writeln!(w, "docs/theory.md §8 formula: {}", fm.display()).map_err(stdout_error)?;
            }
            writeln!(
                w,
                "D - rank = dim Fib: {}",
                match agree {
                    Some(true) => "yes",
                    Some(false) => "NO",
                    None if !comparable => {
                        "not compared (f is not differentiable in the parameters on some regions)"
                    }
                    None => "unknown",
                }
            )
            .map_err(stdout_error)?;
        } else {
            writeln!(
                w,
                "dimension of the fiber: no description ({})",
                d.kind.name()
            )
            .map_err(stdout_error)?;
        }
    }
    if args.check && described && comparable && agree != Some(true) {
        return Err(CliError::Failed(format!(
            "D - rank = {} but the fiber has dimension {}",
            f.corank(),
            dim.map_or("unknown".into(), |x| x.to_string())
        )));
    }
    Ok(())
}
