//! Certified equivalence of three-layer ReLU networks.
//!
//! [`decide`] settles `f_A = f_B` on all of `R^{n0}` exactly, for any two networks with the
//! same input and output widths, and returns a certificate in the format of
//! [`fibers_check`] (checked there, independently of this crate):
//!
//! - **not equivalent**: a rational witness input, found by exact probing at a few points or
//!   by the search;
//! - **equivalent**: a branch tree over neuron phases (docs/theory.md §2; see [`tree`]).
//!
//! [`moves`] generates the symmetry moves of docs/theory.md §5 and near misses, for differential tests.

pub mod moves;
pub mod tree;

use fibers_check::{network_info, Certificate, Proof, Step, StepBody, Verdict, Witness};
use fibers_exact::Rational;
use fibers_net::Network;
pub use tree::Stats;

/// Which decision procedure [`decide`] uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Method {
    /// The best available procedure (for now the branch tree).
    #[default]
    Auto,
    /// The branch tree of docs/theory.md §2.
    Tree,
    /// The region-wise decision of docs/theory.md §11 (crate `fibers-regions`; [`decide`]
    /// itself always runs the tree).
    Regions,
}

/// Options of [`decide`].
#[derive(Clone, Debug)]
pub struct DecideOptions {
    /// The procedure.
    pub method: Method,
    /// Stop (undecided) after creating this many tree nodes.
    pub max_nodes: Option<u64>,
    /// How many seeded random points to evaluate before the search.
    pub probes: usize,
    /// Seed of the probe points.
    pub seed: u64,
}

impl Default for DecideOptions {
    fn default() -> Self {
        DecideOptions {
            method: Method::Auto,
            max_nodes: None,
            probes: 24,
            seed: 1,
        }
    }
}

/// The verdict of [`decide`], with its certificate.
#[derive(Clone, Debug)]
pub enum Decision {
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
    /// The node budget ran out.
    Undecided,
}

/// What [`decide`] found and how.
#[derive(Clone, Debug)]
pub struct Report {
    /// The verdict.
    pub decision: Decision,
    /// The procedure that produced it (`"tree"`).
    pub method: &'static str,
    /// Where a witness came from (`"probe"`: the initial points; `"search"`: the tree).
    pub found_by: Option<&'static str>,
    /// Search counters.
    pub stats: Stats,
}

/// Why [`decide`] could not run.
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

/// The name and version written into certificates.
pub const PRODUCER: &str = concat!("fibers-tree ", env!("CARGO_PKG_VERSION"));

/// The points evaluated before the search: the origin, `±e_i`, and `count` seeded points with
/// small integer and half-integer coordinates.
pub fn probe_points(n0: usize, count: usize, seed: u64) -> Vec<Vec<Rational>> {
    let mut pts = vec![vec![Rational::zero(); n0]];
    for i in 0..n0 {
        for s in [1, -1] {
            let mut e = vec![Rational::zero(); n0];
            e[i] = Rational::from(s);
            pts.push(e);
        }
    }
    let mut rng = moves::Lcg::new(seed);
    for _ in 0..count {
        pts.push(
            (0..n0)
                .map(|_| Rational::ratio(rng.range(-12, 12), rng.range(1, 2)))
                .collect(),
        );
    }
    pts
}

/// Decides `f_A = f_B` on all of `R^{n0}`, exactly, with a certificate.
///
/// `progress` is called now and then with the search counters (for a progress bar).
pub fn decide(
    a: &Network,
    b: &Network,
    opts: &DecideOptions,
    progress: &mut dyn FnMut(&Stats),
) -> Result<Report, DecideError> {
    let (aa, ab) = (a.arch(), b.arch());
    if aa.n0 != ab.n0 || aa.n3 != ab.n3 {
        return Err(DecideError::ArchitectureMismatch(format!(
            "architectures {aa} and {ab} differ in input or output width (n0, n3 must agree)"
        )));
    }
    let info = (network_info(a), network_info(b));
    let witness_cert = |x: Vec<Rational>| Certificate {
        verdict: Verdict::NotEquivalent,
        a: info.0.clone(),
        b: info.1.clone(),
        witness: Some(Witness {
            output_a: Some(a.eval(&x)),
            output_b: Some(b.eval(&x)),
            x,
        }),
        proof: None,
        producer: Some(PRODUCER.to_string()),
    };
    let method = "tree";
    let mut search = tree::Search::new(a, b, opts.max_nodes);
    let points = probe_points(aa.n0, opts.probes, opts.seed);
    for x in &points {
        if let Err(tree::Stop::Witness(x)) = search.probe(x) {
            return Ok(Report {
                decision: Decision::NotEquivalent {
                    certificate: witness_cert(x.clone()),
                    witness: x,
                },
                method,
                found_by: Some("probe"),
                stats: search.stats.clone(),
            });
        }
    }
    search.seed_samples(points);
    let result = search.run(progress);
    let stats = search.stats.clone();
    match result {
        Ok(tree) => Ok(Report {
            decision: Decision::Equivalent {
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
            method,
            found_by: None,
            stats,
        }),
        Err(tree::Stop::Witness(x)) => Ok(Report {
            decision: Decision::NotEquivalent {
                certificate: witness_cert(x.clone()),
                witness: x,
            },
            method,
            found_by: Some("search"),
            stats,
        }),
        Err(tree::Stop::Budget) => Ok(Report {
            decision: Decision::Undecided,
            method,
            found_by: None,
            stats,
        }),
        Err(tree::Stop::Internal(m)) => Err(DecideError::Internal(m)),
    }
}
