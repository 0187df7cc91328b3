//! `fibers sample NET --count N --seed S`: parameters drawn from every part of the fiber
//! (every role assignment, random relabellings), one network per JSON line.

use super::fiber::describe_with_progress;
use crate::error::CliError;
use crate::load;
use crate::progress::Progress;
use clap::Args;
use fibers::fiber::orbit::{self, Lcg};
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
    /// Certify every sample with the exact branch tree (exit 1 if one is not equivalent).
    #[arg(long)]
    pub certify: bool,
    /// Stop enumerating role assignments after this many candidates (exit 3 if reached).
    #[arg(long, value_name = "N", default_value_t = 20_000)]
    pub max_parts: usize,
}

/// Runs `fibers sample`.
pub fn run(args: &SampleArgs) -> Result<(), CliError> {
    let net = load::network(&args.net)?;
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
                    let mut n = orbit::random_permute(&net, &mut rng);
                    n = orbit::random_positive_scaling(&n, &mut rng);
                    if let Some(m) = orbit::dead_change(&n, &mut rng) {
                        n = m;
                    }
                    Some(n)
                })
                .collect()
        }
    };
    p.finish();
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
            let mut pr = Progress::new();
            let opts = DecideOptions {
                method: Method::Tree,
                ..DecideOptions::default()
            };
            let r = decide_with_progress(&net, s, &opts, &mut |st| {
                pr.update(|| format!("certifying sample {i}: nodes {}", st.nodes))
            })
            .map_err(|e| CliError::Failed(format!("internal error: {e}")))?;
            pr.finish();
            if !matches!(r.outcome, Outcome::Equivalent { .. }) {
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
            "fibers: all {} samples certified equivalent by the branch tree",
            samples.len()
        );
    }
    Ok(())
}
