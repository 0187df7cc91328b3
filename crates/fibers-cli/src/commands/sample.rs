//! `fibers sample NET --count N --seed S`: parameters drawn from the fiber, one network per
//! JSON line: by default random compositions of symmetry moves (permutations, positive
//! scalings, hidden shift, dead/null changes, linear-block moves; polynomial), with `--parts`
//! from every part of the description (every role assignment, exponential in the widths).
//! `--certify` decides every sample with the certified fast path (branch tree as fallback).

use super::fiber::describe_with_progress;
use crate::error::CliError;
use crate::load;
use crate::progress::Progress;
use clap::Args;
use fibers::fiber::orbit::{self as moves, Lcg};
use fibers::{decide_with_progress, DecideOptions, Method, Outcome};
use fibers_net::Network;
use std::io::Write;
use std::path::PathBuf;

/// Draw parameters from every component of the fiber of a network (JSON Lines on stdout).
#[derive(Args, Debug)]
pub struct SampleArgs {
    /// Network file.
    pub net: PathBuf,
    /// Number of networks.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub count: usize,
    /// Random seed.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// Certify every sample (exit 1 if one is not equivalent): the certified fast decision of
    /// the bottleneck path, the exact branch tree when it gives up.
    #[arg(long)]
    pub certify: bool,
    /// Stop enumerating role assignments after this many candidates (exit 3 if reached).
    #[arg(long, value_name = "N", default_value_t = 20_000)]
    pub max_parts: usize,
    /// Draw from every part of the full description (enumerates role assignments) instead of
    /// composing random symmetry moves.
    #[arg(long)]
    pub parts: bool,
    /// Random symmetry moves composed per sample (without --parts): permutations (M1),
    /// positive scalings (M2), dead/null changes (M3), linear-block exchanges and bias moves
    /// into b3 (M4), hidden shifts from the threshold t_min upward (M7).
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub moves: usize,
}

/// Runs `fibers sample`.
pub fn run(args: &SampleArgs) -> Result<(), CliError> {
    // The samples are held in memory before they are written (docs/resources.md).
    const MAX_COUNT: usize = 100_000;
    if args.count > MAX_COUNT {
        return Err(CliError::BadInput(format!(
            "--count: at most {MAX_COUNT} networks per run (found {}); run several seeds instead",
            args.count
        )));
    }
    let net = load::network(&args.net)?;
    if !args.parts {
        if let Some(ng) = fibers_bottleneck::classify(&net).not_generic {
            eprintln!(
                "fibers: note: no description of this fiber (the genericity condition {ng} \
                 fails); samples are compositions of symmetry moves only"
            );
        }
        let mut rng = Lcg::new(args.seed);
        let samples: Vec<Option<Network>> = (0..args.count)
            .map(|_| {
                let mut n = net.clone();
                for _ in 0..args.moves {
                    n = match rng.below(5) {
                        0 => moves::random_permute(&n, &mut rng),
                        1 => moves::random_positive_scaling(&n, &mut rng),
                        2 => moves::dead_change(&n, &mut rng).unwrap_or(n),
                        3 => moves::random_hidden_shift(&n, &mut rng).unwrap_or(n),
                        _ => moves::random_linear_block(&n, &mut rng).unwrap_or(n),
                    };
                }
                Some(n)
            })
            .collect();
        return emit(args, &net, &samples);
    }
    let d = describe_with_progress(&net, args.max_parts, None)?;
    if d.truncated {
        return Err(CliError::Undecided(format!(
            "more than {} role assignments (--max-parts): cannot sample every part",
            args.max_parts
        )));
    }
    let keys: Vec<_> = d.parts.iter().map(|p| p.key.clone()).collect();
    let mut p = Progress::new();
    let samples: Vec<Option<Network>> = match (&d.frame, keys.is_empty()) {
        (Some(frame), false) => {
            if args.count < keys.len() {
                eprintln!(
                    "fibers: note: {} parts but only {} samples: parts {}..{} not visited",
                    keys.len(),
                    args.count,
                    args.count,
                    keys.len() - 1
                );
            }
            fibers_fiber::sample::sample_parts(frame, &keys, args.count, args.seed, &mut |i| {
                p.update(|| format!("samples drawn: {i}"))
            })
        }
        _ => {
            eprintln!(
                "fibers: note: no description of this fiber ({}); sampling only the orbit of \
                 permutations, positive scalings and dead-neuron changes (M1-M3)",
                d.partial.as_deref().unwrap_or(d.kind.name())
            );
            let mut rng = Lcg::new(args.seed);
            (0..args.count)
                .map(|_| {
                    let mut n = moves::random_permute(&net, &mut rng);
                    n = moves::random_positive_scaling(&n, &mut rng);
                    if let Some(m) = moves::dead_change(&n, &mut rng) {
                        n = m;
                    }
                    Some(n)
                })
                .collect()
        }
    };
    p.finish();
    emit(args, &net, &samples)
}

/// Writes the samples, certifying each with `--certify`.
fn emit(args: &SampleArgs, net: &Network, samples: &[Option<Network>]) -> Result<(), CliError> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut bad = 0usize;
    for (i, s) in samples.iter().enumerate() {
        let Some(s) = s else {
            return Err(CliError::Failed(format!(
                "internal error: sample {i} could not be built"
            )));
        };
        if args.certify {
            let decision = match fibers_bottleneck::certified::fast(net, s) {
                Ok((d, _)) => d,
                Err(_) => {
                    let mut pr = Progress::new();
                    let opts = DecideOptions {
                        method: Method::Tree,
                        ..DecideOptions::default()
                    };
                    let r = decide_with_progress(net, s, &opts, &mut |st| {
                        pr.update(|| format!("certifying sample {i}: nodes {}", st.nodes))
                    })
                    .map_err(|e| CliError::Failed(format!("internal error: {e}")))?;
                    pr.finish();
                    r.outcome
                }
            };
            if !matches!(decision, Outcome::Equivalent { .. }) {
                bad += 1;
                eprintln!("fibers: sample {i} is NOT equivalent to the network");
            }
        }
        writeln!(out, "{}", fibers_net::json::network_to_value(s))
            .map_err(crate::output::stdout_error)?;
    }
    if bad > 0 {
        return Err(CliError::Failed(format!(
            "{bad} of {} samples are not in the fiber",
            samples.len()
        )));
    }
    if args.certify {
        eprintln!(
            "fibers: all {} samples certified equivalent (fast path, branch tree as fallback)",
            samples.len()
        );
    }
    Ok(())
}
