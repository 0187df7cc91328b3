//! Certified equivalence of three-layer ReLU networks.
//!
//! [`run`] settles `f_A = f_B` on all of `R^{n0}` exactly, for any two networks with the
//! same input and output widths, and returns a certificate in the format of
//! [`fibers_check`] (checked there, independently of this crate). It is the complete procedure
//! behind `fibers_decide::decide` (`Method::Tree`, and the last fallback of `Method::Auto`):
//!
//! - **not equivalent**: a rational witness input, found by exact probing at a few points or
//!   by the search;
//! - **equivalent**: a branch tree over neuron phases (docs/theory.md §2).
//!
//! [`tree::layer1_cells`] exposes the same splitting restricted to the layer-1 neurons, down to
//! the cells of the joint layer-1 arrangement (docs/theory.md §11); `fibers-regions` walks the
//! cells with a search of its own and is tested against this one (one leaf per cell). [`pair_info`]
//! and [`witness_certificate`] are shared with it.

pub mod tree;

use fibers_check::{
    network_info, Certificate, NetworkInfo, Proof, Step, StepBody, Verdict, Witness,
};
use fibers_exact::Rational;
use fibers_net::Network;
use itertools::iproduct;
pub use tree::Stats;

/// Options of [`run`].
#[derive(Clone, Debug)]
pub struct TreeOptions {
    /// Stop (undecided) after creating this many tree nodes.
    pub max_nodes: Option<u64>,
    /// How many seeded random points to evaluate before the search.
    pub probes: usize,
    /// Seed of the probe points.
    pub seed: u64,
}

impl Default for TreeOptions {
    fn default() -> Self {
        TreeOptions {
            max_nodes: None,
            probes: 24,
            seed: 1,
        }
    }
}

/// A verdict with its certificate (the outcome of [`run`], and of the bottleneck fast path).
#[derive(Clone, Debug)]
pub enum Outcome {
    /// `f_A = f_B` everywhere.
    Equivalent {
        /// The proof.
        certificate: Certificate,
    },
    /// `f_A(witness) ≠ f_B(witness)`.
    NotEquivalent {
        /// A rational input where the outputs differ (checked by exact evaluation).
        witness: Vec<Rational>,
        /// The certificate carrying the witness.
        certificate: Certificate,
    },
    /// The node budget or the memory limit ([`max_memory`]; `stats.out_of_memory` says
    /// which) ran out.
    Undecided,
}

/// What [`run`] found and how.
#[derive(Clone, Debug)]
pub struct TreeReport {
    /// The verdict.
    pub outcome: Outcome,
    /// Where a witness came from (`"probe"`: the initial points; `"search"`: the tree).
    pub found_by: Option<&'static str>,
    /// Search counters.
    pub stats: Stats,
}

/// Why a decision could not run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecideError {
    /// The networks differ in input or output width.
    ArchitectureMismatch(String),
    /// An internal inconsistency (a bug); never a verdict.
    Internal(String),
}

impl std::fmt::Display for DecideError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecideError::ArchitectureMismatch(m) => write!(f, "{m}"),
            DecideError::Internal(m) => write!(f, "internal error: {m}"),
        }
    }
}

impl std::error::Error for DecideError {}

/// The default of [`max_memory`]: 2 GiB.
pub const DEFAULT_MAX_MEMORY: u64 = 2 << 30;

static MAX_MEMORY: std::sync::atomic::AtomicU64 =
    std::sync::atomic::AtomicU64::new(DEFAULT_MAX_MEMORY);

/// The memory limit of the branch tree in bytes (the CLI's `--max-memory`): the search holds
/// its affine forms densely (`n0 + 1` exact entries each, counted as
/// [`tree::BYTES_PER_ENTRY`] bytes), and it stops undecided (`Outcome::Undecided` with
/// `stats.out_of_memory`), never with a verdict, before those forms would need more.
pub fn max_memory() -> u64 {
    MAX_MEMORY.load(std::sync::atomic::Ordering::Relaxed)
}

/// Sets [`max_memory`] for the whole process (searches started afterwards use it).
pub fn set_max_memory(bytes: u64) {
    MAX_MEMORY.store(bytes, std::sync::atomic::Ordering::Relaxed);
}

/// The name and version written into certificates.
pub const PRODUCER: &str = concat!("fibers-tree ", env!("CARGO_PKG_VERSION"));

/// The most coordinates all probe points together hold (besides the origin): probing costs
/// `n0` per point, and a file need not pay for a wide input layer (`[10000, 0, 0, 1]` is 133
/// bytes), so `2 n0 + count` points of width `n0` are cut down to fit (docs/resources.md).
pub const PROBE_ENTRIES: usize = 1 << 20;

/// The points evaluated before the search: the origin, `±e_i`, and `count` seeded points with
/// small integer and half-integer coordinates. Beyond the origin, at most [`PROBE_ENTRIES`]
/// coordinates in all: for a wide input the `±e_i` of the first coordinates only, then as many
/// seeded points as fit (the probes only seed the search; the tree decides either way).
pub fn probe_points(n0: usize, count: usize, seed: u64) -> Vec<Vec<Rational>> {
    let fit = PROBE_ENTRIES / n0.max(1);
    let units = n0.min(fit / 2);
    let count = count.min(fit - 2 * units);
    let mut pts = vec![vec![Rational::zero(); n0]];
    pts.extend(iproduct!(0..units, [1, -1]).map(|(i, s)| {
        let mut e = vec![Rational::zero(); n0];
        e[i] = Rational::from(s);
        e
    }));
    let mut rng = ProbeRng::new(seed);
    for _ in 0..count {
        pts.push(
            (0..n0)
                .map(|_| Rational::ratio(rng.range(-12, 12), rng.range(1, 2)))
                .collect(),
        );
    }
    pts
}

/// The seeded generator of the probe points: a 64-bit linear congruential generator (Knuth's
/// MMIX constants), high halves of two steps per draw.
struct ProbeRng(u64);

impl ProbeRng {
    fn new(seed: u64) -> Self {
        let mut g = ProbeRng(seed ^ 0x9E37_79B9_7F4A_7C15);
        g.next_u64();
        g
    }
    fn next_u64(&mut self) -> u64 {
        let mut half = || {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 32
        };
        (half() << 32) | half()
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as i64
    }
}

/// The certificate headers of a pair, after checking that the input and output widths agree
/// (the start of every complete decision: the tree, and the region-wise decision).
pub fn pair_info(a: &Network, b: &Network) -> Result<(NetworkInfo, NetworkInfo), DecideError> {
    let (aa, ab) = (a.arch(), b.arch());
    if aa.n0 != ab.n0 || aa.n3 != ab.n3 {
        return Err(DecideError::ArchitectureMismatch(format!(
            "architectures {aa} and {ab} differ in input or output width (n0, n3 must agree)"
        )));
    }
    Ok((network_info(a), network_info(b)))
}

/// The certificate of `f_A(x) ≠ f_B(x)` (outputs evaluated exactly), written by `producer`.
pub fn witness_certificate(
    info: &(NetworkInfo, NetworkInfo),
    a: &Network,
    b: &Network,
    x: Vec<Rational>,
    producer: &str,
) -> Certificate {
    Certificate {
        verdict: Verdict::NotEquivalent,
        a: info.0.clone(),
        b: info.1.clone(),
        witness: Some(Witness {
            output_a: Some(a.eval(&x)),
            output_b: Some(b.eval(&x)),
            x,
        }),
        proof: None,
        producer: Some(producer.to_string()),
    }
}

/// Decides `f_A = f_B` on all of `R^{n0}` by the branch tree, exactly, with a certificate.
///
/// `progress` is called now and then with the search counters (for a progress bar).
pub fn run(
    a: &Network,
    b: &Network,
    opts: &TreeOptions,
    progress: &mut dyn FnMut(&Stats),
) -> Result<TreeReport, DecideError> {
    let info = pair_info(a, b)?;
    let witness_cert = |x: Vec<Rational>| witness_certificate(&info, a, b, x, PRODUCER);
    let mut search = tree::Search::new(a, b, opts.max_nodes);
    let points = probe_points(a.arch().n0, opts.probes, opts.seed);
    for x in &points {
        if let Err(tree::Stop::Witness(x)) = search.probe(x) {
            return Ok(TreeReport {
                outcome: Outcome::NotEquivalent {
                    certificate: witness_cert(x.clone()),
                    witness: x,
                },
                found_by: Some("probe"),
                stats: search.stats.clone(),
            });
        }
    }
    search.seed_samples(points);
    let result = search.run(progress);
    let stats = search.stats.clone();
    match result {
        Ok(tree) => Ok(TreeReport {
            outcome: Outcome::Equivalent {
                certificate: Certificate {
                    verdict: Verdict::Equivalent,
                    a: info.0.clone(),
                    b: info.1.clone(),
                    witness: None,
                    proof: Some(Proof {
                        steps: vec![Step {
                            network: None,
                            body: StepBody::BranchTree(tree),
                        }],
                    }),
                    producer: Some(PRODUCER.to_string()),
                },
            },
            found_by: None,
            stats,
        }),
        Err(tree::Stop::Witness(x)) => Ok(TreeReport {
            outcome: Outcome::NotEquivalent {
                certificate: witness_cert(x.clone()),
                witness: x,
            },
            found_by: Some("search"),
            stats,
        }),
        Err(tree::Stop::Budget | tree::Stop::Memory) => Ok(TreeReport {
            outcome: Outcome::Undecided,
            found_by: None,
            stats,
        }),
        Err(tree::Stop::Internal(m)) => Err(DecideError::Internal(m)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Narrow inputs keep every probe; a wide input (that a file need not pay for) gets the
    /// origin plus at most `PROBE_ENTRIES` coordinates in all (issue 15).
    #[test]
    fn probe_points_fit_the_budget() {
        assert_eq!(probe_points(3, 24, 1).len(), 1 + 6 + 24);
        for n0 in [10_000, 1 << 20] {
            let pts = probe_points(n0, 24, 1);
            assert!(
                !pts.is_empty() && (pts.len() - 1) * n0 <= PROBE_ENTRIES,
                "{n0}"
            );
            assert!(pts.iter().all(|p| p.len() == n0));
        }
        assert_eq!(probe_points(10_000, 24, 1).len(), 1 + 2 * 52);
    }
}
