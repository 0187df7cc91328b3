//! The polynomial-time decision for bottleneck pairs (docs/theory.md §7), with its own result type:
//! a chain of checkable links for `equivalent`, an exactly re-evaluated input for
//! `not equivalent`, or the reason it gave up (the caller then falls back to the branch tree).

use crate::canonical::{canonicalize, BottleneckPath, CanonicalForm, Canonicalization};
use crate::witness;
use fibers_check::bottleneck::{BottleneckStep, Relabeling};
use fibers_exact::Rational;
use fibers_net::Network;

/// One link of an equivalence chain: the move, as the checker's step, and the network it
/// leads to.
#[derive(Clone, Debug)]
pub struct Link {
    /// The move (`canonical-data`, `hidden-shift`, `one-dimensional` or `constant`).
    pub step: BottleneckStep,
    /// The network after the move (the last link's target is B).
    pub target: Network,
}

/// The outcome of the fast path.
#[derive(Clone, Debug)]
pub enum FastOutcome {
    /// Equivalent, with a chain from A to B.
    Equivalent(Vec<Link>),
    /// Not equivalent: `f_A(x) ≠ f_B(x)` (exactly re-evaluated), and where `x` came from:
    /// `"probe"` (a seeded point tried first), or the kind of canonical forms the witness search
    /// started from (`"bottleneck"`, `"one-dimensional"`, `"constant"`).
    NotEquivalent(Vec<Rational>, &'static str),
    /// The fast path cannot decide; the reason.
    GaveUp(String),
}

/// Which canonical kind decided (for reports).
pub fn kind_label(c: &Canonicalization) -> &'static str {
    c.form.kind()
}

fn inverse_perm(order: &[usize]) -> Vec<usize> {
    let mut inv = vec![0; order.len()];
    for (p, &j) in order.iter().enumerate() {
        inv[j] = p;
    }
    inv
}

fn bottleneck_chain(
    a: &Network,
    b: &Network,
    pa: &BottleneckPath,
    pb: &BottleneckPath,
) -> Vec<Link> {
    let mut links = Vec::new();
    if let Some(r) = &pa.realised {
        links.push(Link {
            step: BottleneckStep::CanonicalData { align: None },
            target: r.clone(),
        });
    }
    for (h, t, s) in &pa.shifts {
        links.push(Link {
            step: BottleneckStep::HiddenShift {
                neuron: *h,
                t: t.clone(),
                forward: true,
            },
            target: s.clone(),
        });
    }
    let pos_a = inverse_perm(&pa.order);
    let n1 = pa.order.len();
    let mut order = Vec::with_capacity(n1);
    let mut scale = Vec::with_capacity(n1);
    for (i, &p) in pos_a.iter().enumerate() {
        let j = pb.order[p];
        order.push(j);
        scale.push(&pb.scale[j] / &pa.scale[i]);
    }
    let identity = order.iter().enumerate().all(|(i, &j)| i == j) && scale.iter().all(|s| *s == 1);
    links.push(Link {
        step: BottleneckStep::CanonicalData {
            align: (!identity).then_some(Relabeling { order, scale }),
        },
        target: pb.shifted(b).clone(),
    });
    for (i, (h, t, _)) in pb.shifts.iter().enumerate().rev() {
        let target = if i > 0 {
            pb.shifts[i - 1].2.clone()
        } else {
            pb.realised.clone().unwrap_or_else(|| b.clone())
        };
        links.push(Link {
            step: BottleneckStep::HiddenShift {
                neuron: *h,
                t: t.clone(),
                forward: false,
            },
            target,
        });
    }
    if pb.realised.is_some() {
        links.push(Link {
            step: BottleneckStep::CanonicalData { align: None },
            target: b.clone(),
        });
    }
    let _ = a;
    links
}

/// Seeded points evaluated before the canonical forms (two evaluations of each network each).
pub const PROBES: usize = 2;

/// Decides `f_A = f_B` by canonical forms, with a witness search on a mismatch.
///
/// `witness_budget` bounds the evaluations of each network spent on the heuristic part of
/// the witness search.
pub fn decide(a: &Network, b: &Network, witness_budget: usize) -> FastOutcome {
    decide_with(a, b, witness_budget, true)
}

/// [`decide`], optionally without the initial probe point (tests use this to exercise the
/// witness search from canonical forms).
pub fn decide_with(
    a: &Network,
    b: &Network,
    witness_budget: usize,
    use_probe: bool,
) -> FastOutcome {
    let (aa, ab) = (a.arch(), b.arch());
    if aa.n0 != ab.n0 || aa.n3 != ab.n3 {
        return FastOutcome::GaveUp("the networks differ in input or output width".into());
    }
    // One seeded probe first: a near miss usually differs at a random point, and exact
    // evaluation there is cheaper than two canonical forms.
    let mut rng = witness::SplitMix::new(0x9e37_79b9);
    for _ in 0..PROBES {
        let probe: Vec<Rational> = (0..aa.n0).map(|_| rng.rational(9, 2)).collect();
        if use_probe && a.eval(&probe) != b.eval(&probe) {
            return FastOutcome::NotEquivalent(probe, "probe");
        }
    }
    let ca = canonicalize(a);
    let cb = canonicalize(b);
    let (ca, cb) = match (ca, cb) {
        (Ok(x), Ok(y)) => (x, y),
        (Err(e), _) => return FastOutcome::GaveUp(format!("A is not generic: {e}")),
        (_, Err(e)) => return FastOutcome::GaveUp(format!("B is not generic: {e}")),
    };
    if ca.form == cb.form {
        let links = match (&ca.form, &ca.path, &cb.path) {
            (CanonicalForm::Constant { .. }, _, _) => vec![Link {
                step: BottleneckStep::Constant,
                target: b.clone(),
            }],
            (CanonicalForm::OneDimensional { .. }, _, _) => vec![Link {
                step: BottleneckStep::OneDimensional,
                target: b.clone(),
            }],
            (CanonicalForm::Bottleneck { .. }, Some(pa), Some(pb)) => {
                bottleneck_chain(a, b, pa, pb)
            }
            _ => return FastOutcome::GaveUp("internal: bottleneck form without a path".into()),
        };
        return FastOutcome::Equivalent(links);
    }
    match witness::find(a, b, &ca.form, &cb.form, witness_budget) {
        Some(x) => {
            let path = match (&ca.form, &cb.form) {
                (CanonicalForm::OneDimensional { .. }, _)
                | (_, CanonicalForm::OneDimensional { .. }) => "one-dimensional",
                (CanonicalForm::Constant { .. }, CanonicalForm::Constant { .. }) => "constant",
                _ => "bottleneck",
            };
            FastOutcome::NotEquivalent(x, path)
        }
        None => FastOutcome::GaveUp(format!(
            "canonical forms differ ({} vs {}) but no witness was found",
            ca.form.kind(),
            cb.form.kind()
        )),
    }
}
