//! Region-wise canonical decision of `f_A = f_B` for three-layer ReLU networks
//! (docs/theory.md §11), for every architecture, polynomial for a fixed input width.
//!
//! [`cells::layer1_cells`] walks the cells of the joint layer-1 arrangement of A and B as a
//! branch tree of docs/theory.md §2 over the layer-1 neurons only: identical and proportional
//! hyperplanes are decided once, every hyperplane that misses a node's polyhedron is fixed at
//! that node (free when a parallel path row or known points decide it, else by an exact LP),
//! and the tree splits only on hyperplanes that cross. On a cell each network is a
//! one-hidden-layer network in x, and [`cell::Closer`] compares the canonical data of the two
//! restricted networks (an identity with no LP, in machine integers when they fit, then with
//! LP-fixed neurons folded in, then a witness next to a differing hyperplane). The certificate
//! is that tree, each cell closed by `fix` nodes for the LP-fixed layer-2 neurons and a
//! `"canonical"` leaf, which `fibers-check` verifies by recomputing the restricted canonical
//! data of both networks (`docs/certificates.md`).
//!
//! Cost: the number of cells, `O((n1A + n1B)^{n0})`, times a polynomial; no branching on
//! layer-2 phases. In-process timings: the `time_regions` example (see
//! `scripts/bench_regions.sh`).

pub mod cell;
pub mod cells;
mod small;

use fibers_check::{Certificate, NetworkInfo, Proof, Step, StepBody, Verdict};
use fibers_exact::Rational;
use fibers_net::Network;
use fibers_tree::tree::CellStop;
pub use fibers_tree::{DecideError, Outcome, Stats, TreeOptions, TreeReport};

/// The name and version written into certificates.
pub const PRODUCER: &str = concat!("fibers-regions ", env!("CARGO_PKG_VERSION"));

fn witness_certificate(
    info: &(NetworkInfo, NetworkInfo),
    a: &Network,
    b: &Network,
    x: Vec<Rational>,
) -> Certificate {
    fibers_tree::witness_certificate(info, a, b, x, PRODUCER)
}

/// Decides `f_A = f_B` on all of `R^{n0}` region-wise, with a certificate; the report has the
/// shape of [`fibers_tree::run`]'s. `opts.max_nodes` bounds the cell tree (then the outcome is
/// [`Outcome::Undecided`]); `progress` is called now and then with the counters (for a
/// progress bar). This is `Procedure::Regions` of `fibers_decide`.
pub fn run(
    a: &Network,
    b: &Network,
    opts: &TreeOptions,
    progress: &mut dyn FnMut(&Stats),
) -> Result<TreeReport, DecideError> {
    let info = fibers_tree::pair_info(a, b)?;
    let probed = fibers_tree::probe(a, b, opts);
    let stats = Stats {
        probes: probed.points,
        ..Stats::default()
    };
    if let Some(w) = probed.witness {
        return Ok(TreeReport {
            outcome: Outcome::NotEquivalent {
                witness: w.x.clone(),
                certificate: fibers_tree::probe_certificate(&info, w, PRODUCER),
            },
            found_by: Some("probe"),
            stats,
        });
    }
    let points = fibers_tree::probe_points(a.arch().n0, opts.probes, opts.seed);
    let mut closer = cell::Closer::new(a, b);
    let (result, tree_stats) = cells::layer1_cells(
        a,
        b,
        opts.max_nodes,
        points,
        &mut |c| closer.close(c),
        progress,
    );
    let mut stats = Stats {
        probes: tree_stats.probes + stats.probes,
        ..tree_stats
    };
    stats.lps += closer.stats.lps;
    stats.lp_fixes += closer.stats.fixes;
    let outcome = match result {
        Ok(tree) => Outcome::Equivalent {
            certificate: Certificate {
                verdict: Verdict::Equivalent,
                a: info.0,
                b: info.1,
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
        Err(CellStop::Witness(x)) => {
            return Ok(TreeReport {
                outcome: Outcome::NotEquivalent {
                    certificate: witness_certificate(&info, a, b, x.clone()),
                    witness: x,
                },
                found_by: Some("search"),
                stats,
            })
        }
        Err(CellStop::Budget) => Outcome::Undecided,
        Err(CellStop::Internal(m)) => return Err(DecideError::Internal(m)),
    };
    Ok(TreeReport {
        outcome,
        found_by: None,
        stats,
    })
}
