//! Certified decisions: the fast path's outcome written as a certificate of
//! `fibers-check`, and `--method auto` (fast path first, branch tree when it cannot finish).

use crate::decide::{decide, Align, FastOutcome, Link, Move};
use fibers_check::bottleneck::{BottleneckStep, Relabeling};
use fibers_check::{network_info, Certificate, Proof, Step, StepBody, Verdict, Witness};
use fibers_exact::Rational;
use fibers_net::Network;
use fibers_tree::{DecideError, DecideOptions, Decision, Method, Stats};

/// The name and version written into fast-path certificates.
pub const PRODUCER: &str = concat!("fibers-bottleneck ", env!("CARGO_PKG_VERSION"));

/// Evaluations of each network the fast path may spend on a heuristic witness search.
pub const WITNESS_BUDGET: usize = 48;

fn relabeling(a: &Align) -> Relabeling {
    Relabeling {
        order: a.order.clone(),
        scale: a.scale.clone(),
    }
}

/// The certificate step of one move.
pub fn step_body(m: &Move) -> StepBody {
    StepBody::Bottleneck(match m {
        Move::OrthantData { align } => BottleneckStep::CanonicalData {
            align: align.as_ref().map(relabeling),
        },
        Move::HiddenShift { neuron, t, forward } => BottleneckStep::HiddenShift {
            neuron: *neuron,
            t: t.clone(),
            forward: *forward,
        },
        Move::OneDimensional => BottleneckStep::OneDimensional,
        Move::Constant => BottleneckStep::Constant,
    })
}

/// The equivalence certificate of a chain of links from `a` to `b`.
pub fn chain_certificate(a: &Network, b: &Network, links: &[Link]) -> Certificate {
    let last = links.len().saturating_sub(1);
    let steps = links
        .iter()
        .enumerate()
        .map(|(i, l)| Step {
            network: (i != last).then(|| l.target.clone()),
            body: step_body(&l.step),
        })
        .collect();
    Certificate {
        verdict: Verdict::Equivalent,
        a: network_info(a),
        b: network_info(b),
        witness: None,
        proof: Some(Proof { steps }),
        producer: Some(PRODUCER.to_string()),
    }
}

/// The non-equivalence certificate of a witness.
pub fn witness_certificate(
    a: &Network,
    b: &Network,
    x: Vec<Rational>,
    producer: &str,
) -> Certificate {
    Certificate {
        verdict: Verdict::NotEquivalent,
        a: network_info(a),
        b: network_info(b),
        witness: Some(Witness {
            output_a: Some(a.eval(&x)),
            output_b: Some(b.eval(&x)),
            x,
        }),
        proof: None,
        producer: Some(producer.to_string()),
    }
}

/// Which procedure produced a verdict, and why the fast path fell back if it did.
#[derive(Clone, Debug)]
pub struct AutoReport {
    /// The verdict and its certificate.
    pub decision: Decision,
    /// `"bottleneck"`, `"one-dimensional"`, `"constant"`, `"probe"` (fast path), `"regions"` or
    /// `"tree"`.
    pub method: &'static str,
    /// Why the fast path did not decide (when `method` is `"regions"` or `"tree"` after `auto`).
    pub fallback: Option<String>,
    /// Branch-tree counters (zero when the fast path decided).
    pub stats: Stats,
    /// Where the tree's witness came from, if it found one.
    pub found_by: Option<&'static str>,
}

fn method_of(links: &[Link]) -> &'static str {
    if links.iter().any(|l| l.step == Move::OneDimensional) {
        "one-dimensional"
    } else if links.iter().any(|l| l.step == Move::Constant) {
        "constant"
    } else {
        "bottleneck"
    }
}

/// The fast path alone, as a certified decision with the path that decided it
/// (`"bottleneck"`, `"one-dimensional"`, `"constant"`, or `"probe"` for a witness found at the
/// first seeded point); `Err(reason)` when it cannot finish.
pub fn fast(a: &Network, b: &Network) -> Result<(Decision, &'static str), String> {
    match decide(a, b, WITNESS_BUDGET) {
        FastOutcome::Equivalent(links) => Ok((
            Decision::Equivalent {
                certificate: chain_certificate(a, b, &links),
            },
            method_of(&links),
        )),
        FastOutcome::NotEquivalent(x, found_by) => Ok((
            Decision::NotEquivalent {
                certificate: witness_certificate(a, b, x.clone(), PRODUCER),
                witness: x,
            },
            found_by,
        )),
        FastOutcome::GaveUp(r) => Err(r),
    }
}

/// `--method auto`: the fast path for bottleneck pairs, the region-wise decision
/// (`fibers-regions`, docs/theory.md §11) when the fast path cannot finish (with the reason
/// recorded), and the branch tree only if that gives up (node budget). With
/// `opts.method == Method::Tree` only the tree runs, with `Method::Regions` only the regions.
pub fn decide_auto(
    a: &Network,
    b: &Network,
    opts: &DecideOptions,
    progress: &mut dyn FnMut(&Stats),
) -> Result<AutoReport, DecideError> {
    let (aa, ab) = (a.arch(), b.arch());
    if aa.n0 != ab.n0 || aa.n3 != ab.n3 {
        return Err(DecideError::ArchitectureMismatch(format!(
            "architectures {aa} and {ab} differ in input or output width (n0, n3 must agree)"
        )));
    }
    let fallback = if opts.method == Method::Auto {
        match fast(a, b) {
            Ok((decision, method)) => {
                return Ok(AutoReport {
                    decision,
                    method,
                    fallback: None,
                    stats: Stats::default(),
                    found_by: None,
                })
            }
            Err(reason) => Some(reason),
        }
    } else {
        None
    };
    // The region-wise decision (docs/theory.md §11) next; the tree only if it gives up.
    if matches!(opts.method, Method::Auto | Method::Regions) {
        let r = fibers_regions::decide_with_progress(a, b, opts, progress)?;
        if opts.method == Method::Regions || !matches!(r.decision, Decision::Undecided) {
            return Ok(AutoReport {
                decision: r.decision,
                method: r.method,
                fallback,
                stats: r.stats,
                found_by: r.found_by,
            });
        }
    }
    let tree_opts = DecideOptions {
        method: Method::Tree,
        ..opts.clone()
    };
    let r = fibers_tree::decide(a, b, &tree_opts, progress)?;
    Ok(AutoReport {
        decision: r.decision,
        method: r.method,
        fallback,
        stats: r.stats,
        found_by: r.found_by,
    })
}
