//! Candidate conservation laws from the structure of the network, their exact verification,
//! and the choice of a maximal independent set.
//!
//! # Candidates
//!
//! Given the set `P` of activation patterns that matter ([`crate::regions`]):
//!
//! - **frozen parameter** `Q = p`: a parameter that occurs in no output polynomial `f_s`,
//!   `s ∈ P` (every parameter of a neuron inactive on all of `P`, e.g. a dead neuron: docs/theory.md
//!   §9 "dead neurons"). Local.
//! - **layer-1 scaling** of neuron `j`: `|a_j|² + c_j² − |W2[:, j]|²`. Global.
//! - **layer-2 scaling** of neuron `k`: `|w_k|² + β_k² − |v_k|²`. Global.
//! - **layer-2 mixing** of two layer-2 neurons `k < l` with the same phase in every pattern of
//!   `P` (and active in some; e.g. two neurons of the linear block of docs/theory.md §9, active in every
//!   pattern): `w_k·w_l + β_k β_l − v_k·v_l`. Local.
//! - **layer-1 mixing** of two layer-1 neurons `j < l` with the same phase in every pattern of
//!   `P` in which some layer-2 neuron is active (and active in some; possible only with data that
//!   avoids part of the input space): `a_j·a_l + c_j c_l − W2[:,j]·W2[:,l]`. Local.
//!
//! # Verification
//!
//! `Q` is conserved by the gradient flow of every loss of data with patterns in `P` iff
//! `∇Q · ∇_θ f_s(θ, x)_o ≡ 0` as a polynomial in `(θ, x)` for every `s ∈ P` and output `o`
//! ([`verify`]). A law is called **global** when moreover the identity holds with the pattern
//! left symbolic ([`crate::model::symbolic_output`]): then it holds in every activation pattern
//! and the law survives every change of pattern along the flow. Otherwise it is **local**: it
//! holds while the data stays in the patterns of `P`.
//!
//! # Independence
//!
//! Laws are independent at `θ` when their gradients at `θ` are linearly independent (exact
//! rank). [`select_independent`] keeps a candidate when its gradient is independent of those
//! kept before it, in the order above (frozen parameters first, so that the scaling law of a
//! dead neuron, a combination of its frozen parameters, is the one dropped).

use crate::model::{output_polynomial, param_vars, symbolic_output, Pattern};
use crate::regions::PatternSet;
use crate::span::VectorSpan;
use fibers_net::Architecture;
use fibers_semialg::{Point, Polynomial, Var, VectorField};
use std::collections::BTreeSet;

/// Whether a law holds in every activation pattern or only in those of the pattern set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Holds in every activation pattern.
    Global,
    /// Holds while the data stays in the activation patterns of the pattern set.
    Local,
}

/// The family a candidate law belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LawKind {
    /// A parameter that occurs in no output polynomial.
    Frozen(Var),
    /// Scaling of layer-1 neuron `j`.
    Layer1Scaling(usize),
    /// Scaling of layer-2 neuron `k`.
    Layer2Scaling(usize),
    /// Mixing of two always-active layer-2 neurons.
    Layer2Mixing(usize, usize),
    /// Mixing of two always-active layer-1 neurons.
    Layer1Mixing(usize, usize),
    /// Found by the exact search for laws of degree ≤ 2 ([`crate::search`]).
    Searched,
}

/// A candidate conservation law.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Law {
    /// A short name, e.g. `"L1 scaling j=0"`.
    pub name: String,
    /// The family.
    pub kind: LawKind,
    /// Global or local (see the [module docs](self)); set by [`verify`].
    pub scope: Scope,
    /// The conserved polynomial `Q(θ)`.
    pub polynomial: Polynomial,
}

fn sq(v: Var) -> Polynomial {
    Polynomial::var(v).pow(2)
}
fn prod(a: Var, b: Var) -> Polynomial {
    Polynomial::var(a) * Polynomial::var(b)
}

/// The layer-1 scaling law of neuron `j`: `|a_j|² + c_j² − |W2[:, j]|²`.
pub fn layer1_scaling(arch: &Architecture, j: usize) -> Polynomial {
    let mut q = sq(Var::b1(j));
    for i in 0..arch.n0 {
        q += sq(Var::w1(j, i));
    }
    for k in 0..arch.n2 {
        q -= sq(Var::w2(k, j));
    }
    q
}

/// The layer-2 scaling law of neuron `k`: `|w_k|² + β_k² − |v_k|²`.
pub fn layer2_scaling(arch: &Architecture, k: usize) -> Polynomial {
    layer2_mixing(arch, k, k)
}

/// The layer-2 mixing law of neurons `k, l`: `w_k·w_l + β_k β_l − v_k·v_l` (the scaling law when
/// `k = l`).
pub fn layer2_mixing(arch: &Architecture, k: usize, l: usize) -> Polynomial {
    let mut q = prod(Var::b2(k), Var::b2(l));
    for j in 0..arch.n1 {
        q += prod(Var::w2(k, j), Var::w2(l, j));
    }
    for o in 0..arch.n3 {
        q -= prod(Var::w3(o, k), Var::w3(o, l));
    }
    q
}

/// The layer-1 mixing law of neurons `j, l`: `a_j·a_l + c_j c_l − W2[:,j]·W2[:,l]`.
pub fn layer1_mixing(arch: &Architecture, j: usize, l: usize) -> Polynomial {
    let mut q = prod(Var::b1(j), Var::b1(l));
    for i in 0..arch.n0 {
        q += prod(Var::w1(j, i), Var::w1(l, i));
    }
    for k in 0..arch.n2 {
        q -= prod(Var::w2(k, j), Var::w2(k, l));
    }
    q
}

/// The parameters that occur in no output polynomial of the patterns.
pub fn frozen_parameters(arch: &Architecture, patterns: &[Pattern]) -> Vec<Var> {
    let mut seen: BTreeSet<Var> = BTreeSet::new();
    for p in patterns {
        for o in 0..arch.n3 {
            seen.extend(output_polynomial(arch, p, o).variables());
        }
    }
    param_vars(arch)
        .into_iter()
        .filter(|v| !seen.contains(v))
        .collect()
}

/// The parameters that occur in no output polynomial of the patterns, from the phases alone
/// (same result as [`frozen_parameters`], without building the polynomials): `W1[j][·]` and
/// `b1[j]` occur iff `j` is active together with some layer-2 neuron, `W2[k][j]` iff `j` and `k`
/// are both active, `b2[k]` and `W3[·][k]` iff `k` is active, `b3` always.
#[allow(clippy::needless_range_loop)]
pub fn frozen_parameters_fast(arch: &Architecture, patterns: &[Pattern]) -> Vec<Var> {
    let mut l1 = vec![false; arch.n1];
    let mut l2 = vec![false; arch.n2];
    let mut w2 = vec![false; arch.n2 * arch.n1];
    for p in patterns {
        let any2 = p.layer2.iter().any(|&a| a);
        for j in 0..arch.n1 {
            l1[j] |= any2 && p.layer1[j];
        }
        for k in 0..arch.n2 {
            l2[k] |= p.layer2[k];
            for j in 0..arch.n1 {
                w2[k * arch.n1 + j] |= p.layer2[k] && p.layer1[j];
            }
        }
    }
    let mut out = Vec::new();
    for j in 0..arch.n1 {
        if !l1[j] {
            out.extend((0..arch.n0).map(|i| Var::w1(j, i)));
        }
    }
    out.extend((0..arch.n1).filter(|&j| !l1[j]).map(Var::b1));
    for k in 0..arch.n2 {
        out.extend(
            (0..arch.n1)
                .filter(|&j| !w2[k * arch.n1 + j])
                .map(|j| Var::w2(k, j)),
        );
    }
    out.extend((0..arch.n2).filter(|&k| !l2[k]).map(Var::b2));
    for o in 0..arch.n3 {
        out.extend((0..arch.n2).filter(|&k| !l2[k]).map(|k| Var::w3(o, k)));
    }
    out
}

/// All candidate laws for a pattern set, in the order described in the [module docs](self),
/// with their scope still to be set by [`verify`] (initially `Local`).
pub fn candidate_laws(arch: &Architecture, set: &PatternSet) -> Vec<Law> {
    let mut out = Vec::new();
    let mut push = |name: String, kind: LawKind, polynomial: Polynomial| {
        out.push(Law {
            name,
            kind,
            scope: Scope::Local,
            polynomial,
        })
    };
    for v in frozen_parameters(arch, &set.patterns) {
        push(
            format!("frozen {v}"),
            LawKind::Frozen(v.clone()),
            Polynomial::var(v),
        );
    }
    for j in 0..arch.n1 {
        push(
            format!("L1 scaling j={j}"),
            LawKind::Layer1Scaling(j),
            layer1_scaling(arch, j),
        );
    }
    for k in 0..arch.n2 {
        push(
            format!("L2 scaling k={k}"),
            LawKind::Layer2Scaling(k),
            layer2_scaling(arch, k),
        );
    }
    for (k, l) in set.layer2_tied_pairs() {
        push(
            format!("L2 mixing k={k},l={l}"),
            LawKind::Layer2Mixing(k, l),
            layer2_mixing(arch, k, l),
        );
    }
    for (j, l) in set.layer1_tied_pairs() {
        push(
            format!("L1 mixing j={j},l={l}"),
            LawKind::Layer1Mixing(j, l),
            layer1_mixing(arch, j, l),
        );
    }
    out
}

/// The outcome of the exact verification of one law.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    /// Whether `∇Q · ∇_θ f_s(θ, x)_o ≡ 0` for every pattern `s` of the set and every output.
    pub holds: bool,
    /// Whether the identity also holds with the pattern symbolic (every pattern).
    pub global: bool,
    /// The first `(pattern index, output)` where the identity fails, with the nonzero
    /// polynomial `∇Q · ∇_θ f`.
    pub failure: Option<(usize, usize, Polynomial)>,
}

/// `∇Q · ∇_θ f` for a polynomial `f` in `(θ, x)` (and possibly pattern indicators).
pub fn derivative_along_gradient(q: &Polynomial, f: &Polynomial) -> Polynomial {
    VectorField::gradient_of(q).apply(f)
}

/// Verifies `q` exactly on the patterns (see the [module docs](self)).
pub fn verify(q: &Polynomial, arch: &Architecture, patterns: &[Pattern]) -> Verification {
    let global =
        (0..arch.n3).all(|o| derivative_along_gradient(q, &symbolic_output(arch, o)).is_zero());
    let mut failure = None;
    'outer: for (pi, p) in patterns.iter().enumerate() {
        for o in 0..arch.n3 {
            let d = derivative_along_gradient(q, &output_polynomial(arch, p, o));
            if !d.is_zero() {
                failure = Some((pi, o, d));
                break 'outer;
            }
        }
    }
    Verification {
        holds: failure.is_none(),
        global,
        failure,
    }
}

/// The gradient of `q` at `point`, in the order of `vars`.
pub fn gradient_at(q: &Polynomial, vars: &[Var], point: &Point) -> Vec<fibers_exact::Rational> {
    VectorField::gradient_of(q)
        .eval_vector(vars, point)
        .expect("the point gives every parameter a value")
}

/// Splits `laws` into a maximal subset with independent gradients at `point` (greedy, in
/// order) and the rest; returns the indices of both.
pub fn select_independent(laws: &[Law], vars: &[Var], point: &Point) -> (Vec<usize>, Vec<usize>) {
    let mut span = VectorSpan::new();
    let (mut kept, mut dropped) = (Vec::new(), Vec::new());
    for (i, law) in laws.iter().enumerate() {
        if span.insert(gradient_at(&law.polynomial, vars, point)) {
            kept.push(i);
        } else {
            dropped.push(i);
        }
    }
    (kept, dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaling_laws_are_global_and_mixing_is_not() {
        let arch = Architecture::new(2, 2, 2, 1);
        let all_on = Pattern {
            layer1: vec![true, true],
            layer2: vec![true, true],
        };
        let v = verify(
            &layer1_scaling(&arch, 0),
            &arch,
            std::slice::from_ref(&all_on),
        );
        assert!(v.holds && v.global);
        let v = verify(
            &layer2_scaling(&arch, 1),
            &arch,
            std::slice::from_ref(&all_on),
        );
        assert!(v.holds && v.global);
        let mix = layer2_mixing(&arch, 0, 1);
        let v = verify(&mix, &arch, std::slice::from_ref(&all_on));
        assert!(v.holds && !v.global);
        // With neuron 1 off somewhere, the mixing law fails there.
        let off = Pattern {
            layer1: vec![true, true],
            layer2: vec![true, false],
        };
        let v = verify(&mix, &arch, &[all_on, off]);
        assert!(!v.holds);
        assert_eq!(v.failure.as_ref().map(|f| (f.0, f.1)), Some((1, 0)));
        // A non-law: the plain weight W3[0][0].
        let w = Polynomial::var(Var::w3(0, 0));
        assert!(
            !verify(
                &w,
                &arch,
                &[Pattern {
                    layer1: vec![true, true],
                    layer2: vec![true, true]
                }]
            )
            .holds
        );
    }
}
