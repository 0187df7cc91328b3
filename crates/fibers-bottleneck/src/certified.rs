//! The fast path's outcome written as a certificate of `fibers-check` ([`fast`]); the chain
//! "fast path, then branch tree" is `fibers_decide::decide` with `Method::Auto`.

use crate::decide::{decide, FastOutcome, Link};
use fibers_check::bottleneck::BottleneckStep;
use fibers_check::{network_info, Certificate, Proof, Step, StepBody, Verdict, Witness};
use fibers_exact::Rational;
use fibers_net::Network;
use fibers_tree::Outcome;

/// The name and version written into fast-path certificates.
pub const PRODUCER: &str = concat!("fibers-bottleneck ", env!("CARGO_PKG_VERSION"));

/// Evaluations of each network the fast path may spend on a heuristic witness search.
pub const WITNESS_BUDGET: usize = 48;

/// The equivalence certificate of a chain of links from `a` to `b`.
pub fn chain_certificate(a: &Network, b: &Network, links: &[Link]) -> Certificate {
    let last = links.len().saturating_sub(1);
    let steps = links
        .iter()
        .enumerate()
        .map(|(i, l)| Step {
            network: (i != last).then(|| l.target.clone()),
            body: StepBody::Bottleneck(l.step.clone()),
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

fn method_of(links: &[Link]) -> &'static str {
    if links
        .iter()
        .any(|l| l.step == BottleneckStep::OneDimensional)
    {
        "one-dimensional"
    } else if links.iter().any(|l| l.step == BottleneckStep::Constant) {
        "constant"
    } else {
        "bottleneck"
    }
}

/// The fast path alone, as a certified decision with the path that decided it
/// (`"bottleneck"`, `"one-dimensional"`, `"constant"`, or `"probe"` for a witness found at the
/// first seeded point); `Err(reason)` when it cannot finish.
pub fn fast(a: &Network, b: &Network) -> Result<(Outcome, &'static str), String> {
    match decide(a, b, WITNESS_BUDGET) {
        FastOutcome::Equivalent(links) => Ok((
            Outcome::Equivalent {
                certificate: chain_certificate(a, b, &links),
            },
            method_of(&links),
        )),
        FastOutcome::NotEquivalent(x, found_by) => Ok((
            Outcome::NotEquivalent {
                certificate: witness_certificate(a, b, x.clone(), PRODUCER),
                witness: x,
            },
            found_by,
        )),
        FastOutcome::GaveUp(r) => Err(r),
    }
}
