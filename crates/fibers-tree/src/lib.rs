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
//! cells with a search of its own and is tested against this one (one leaf per cell). [`pair_info`],
//! the exact [`probe()`] (lazy points, evaluated in machine integers when they fit) and
//! [`witness_certificate`] / [`probe_certificate`] are shared with it.

pub mod probe;
pub mod tree;

use fibers_check::{
    network_info, Certificate, NetworkInfo, Proof, Step, StepBody, Verdict, Witness,
};
use fibers_exact::Rational;
use fibers_net::Network;
pub use probe::{probe, probe_first, probe_points, ProbeReport, ProbeWitness, PROBE_ENTRIES};
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
    let (output_a, output_b) = (a.eval(&x), b.eval(&x));
    probe_certificate(
        info,
        ProbeWitness {
            x,
            output_a,
            output_b,
        },
        producer,
    )
}

/// The certificate of a witness whose outputs are known already (a [`probe()`]'s, which are
/// `Network::eval`'s exactly), written by `producer`.
pub fn probe_certificate(
    info: &(NetworkInfo, NetworkInfo),
    w: ProbeWitness,
    producer: &str,
) -> Certificate {
    Certificate {
        verdict: Verdict::NotEquivalent,
        a: info.0.clone(),
        b: info.1.clone(),
        witness: Some(Witness {
            output_a: Some(w.output_a),
            output_b: Some(w.output_b),
            x: w.x,
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
    let probed = probe(a, b, opts);
    if let Some(w) = probed.witness {
        return Ok(TreeReport {
            outcome: Outcome::NotEquivalent {
                witness: w.x.clone(),
                certificate: probe_certificate(&info, w, PRODUCER),
            },
            found_by: Some("probe"),
            stats: Stats {
                probes: probed.points,
                ..Stats::default()
            },
        });
    }
    let mut search = tree::Search::new(a, b, opts.max_nodes);
    search.stats.probes += probed.points;
    let points = probe_points(a.arch().n0, opts.probes, opts.seed);
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
