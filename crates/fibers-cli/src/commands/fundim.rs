//! `fibers fundim NET`: the functional dimension — the exact rank over Q of the Jacobian of
//! θ ↦ (f_θ(x_i))_i over rational points inside every linear region — compared with
//! D − dim Fib(θ).

use super::fiber::describe_with_progress;
use crate::error::CliError;
use crate::load;
use crate::output::outln;
use crate::progress::Progress;
use clap::Args;
use fibers_fiber::{functional_dimension, FunDimError, FunDimOptions, Kind};
use std::path::PathBuf;

/// Functional dimension of a network's parameter (exact Jacobian rank over all linear regions).
#[derive(Args, Debug)]
pub struct FundimArgs {
    /// Network file.
    pub net: PathBuf,
    /// Print one JSON object instead of plain text.
    #[arg(long)]
    pub json: bool,
    /// Give up (exit 3) after this many linear regions.
    #[arg(long, value_name = "N", default_value_t = 4096)]
    pub max_regions: usize,
    /// Exit 1 unless D − rank equals the dimension of the described fiber (for parameters
    /// with a description).
    #[arg(long)]
    pub check: bool,
}

/// Runs `fibers fundim`.
pub fn run(args: &FundimArgs) -> Result<(), CliError> {
    let net = load::network(&args.net)?;
    let mut p = Progress::new();
    let r = functional_dimension(
        &net,
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
    let d = describe_with_progress(&net, 20_000, None)?;
    let dim = d.dimension();
    let described = matches!(
        d.kind,
        Kind::Bottleneck | Kind::OneDimensional | Kind::Constant
    ) && d.part_dimension.is_some();
    let agree = dim.map(|x| x == f.corank());
    if args.json {
        outln!(
            "{}",
            serde_json::json!({
                "rank": f.rank,
                "parameters": f.params,
                "corank": f.corank(),
                "regions": f.regions,
                "points": f.points,
                "fiber_dimension": if described { dim } else { None },
                "fiber_dimension_source": d.dimension_source(),
                "formula": d.formula.as_ref().map(|x| x.value),
                "agree": if described { agree } else { None },
            })
        )?;
    } else {
        outln!(
            "functional dimension (rank of the Jacobian over Q): {}",
            f.rank
        )?;
        outln!("parameters D: {}", f.params)?;
        outln!("D - rank: {}", f.corank())?;
        outln!(
            "linear regions: {} ({} points, {} per region)",
            f.regions,
            f.points,
            net.arch().n0 + 1
        )?;
        if described {
            outln!(
                "dimension of the fiber: {} ({})",
                dim.map_or("unknown".into(), |x| x.to_string()),
                d.dimension_source()
            )?;
            if let Some(fm) = &d.formula {
                outln!("docs/theory.md §8 formula: {}", fm.value)?;
            }
            outln!(
                "D - rank = dim Fib: {}",
                match agree {
                    Some(true) => "yes",
                    Some(false) => "NO",
                    None => "unknown",
                }
            )?;
        } else {
            outln!("dimension of the fiber: no description ({})", d.kind.name())?;
        }
    }
    if args.check && described && agree != Some(true) {
        return Err(CliError::Failed(format!(
            "D - rank = {} but the fiber has dimension {}",
            f.corank(),
            dim.map_or("unknown".into(), |x| x.to_string())
        )));
    }
    Ok(())
}
