//! The symmetry normal form (docs/theory.md §11, Proposition 11.8): a sufficient test for
//! `f_A = f_B` that recognises, in time polynomial and small in the widths, pairs related by
//! permutations, positive scalings, splits of a neuron into positive multiples, dead or zero
//! neurons, and changes inside the always-active ("linear") part of layer 2.
//!
//! [`normal_form`] writes both networks over shared class representatives: each layer-1 neuron
//! `(w, b)` divided by the absolute value of its first nonzero entry (the zero neuron is its own
//! class), layer 2 merged per layer-1 class, each layer-2 row in class coordinates labelled
//! `linear` (every entry `≥ 0`), `dead` (every entry `≤ 0`) or normalised and grouped the same
//! way, and the merged output columns and the linear parts compared. When they agree it returns
//! the `"normal-form"` step that `fibers_check` re-verifies; when they differ it gives up (`None`)
//! — it never says "not equivalent".

use fibers_check::{
    network_info, Certificate, Layer2Member, Member, NormalForm, Proof, Step, StepBody, Verdict,
};
use fibers_exact::Rational;
use fibers_net::Network;
use std::collections::HashMap;

/// The name and version written into normal-form certificates.
pub const PRODUCER: &str = concat!("fibers-decide normal-form ", env!("CARGO_PKG_VERSION"));

/// Representatives (a list and an index by value), grown as neurons are classified.
#[derive(Default)]
struct Classes {
    reps: Vec<Vec<Rational>>,
    index: HashMap<Vec<Rational>, usize>,
}

impl Classes {
    /// The class and scale of `row`: `row = scale · reps[class]` with `scale` the absolute value
    /// of the first nonzero entry (`1` for the zero row).
    fn member(&mut self, row: Vec<Rational>) -> Member {
        let (key, scale) = match row.iter().find(|x| !x.is_zero()) {
            None => (row, Rational::one()),
            Some(first) => {
                let scale = first.abs();
                if scale == Rational::one() {
                    (row, scale)
                } else {
                    (row.iter().map(|x| x / &scale).collect(), scale)
                }
            }
        };
        let next = self.reps.len();
        let class = match self.index.get(&key) {
            Some(&c) => c,
            None => {
                self.index.insert(key.clone(), next);
                self.reps.push(key);
                next
            }
        };
        Member { class, scale }
    }
}

/// One network over the representatives: the merged output column of every layer-2 class and
/// the linear part (`n3` rows over `(σ(z*), 1)`, `b3` in the last column).
struct Reduced {
    columns: Vec<Vec<Rational>>,
    linear: Vec<Vec<Rational>>,
}

/// The `"normal-form"` step from `a` to `b` when their symmetry normal forms agree, else `None`.
pub fn normal_form(a: &Network, b: &Network) -> Option<NormalForm> {
    let (aa, ab) = (a.arch(), b.arch());
    if aa.n0 != ab.n0 || aa.n3 != ab.n3 {
        return None;
    }
    let n0 = aa.n0;
    let nets = [a, b];
    // Layer 1.
    let mut l1 = Classes::default();
    let layer1_of = nets.map(|n| {
        (0..n.arch().n1)
            .map(|i| l1.member(n.w1()[i].iter().chain([&n.b1()[i]]).cloned().collect()))
            .collect::<Vec<_>>()
    });
    let m1 = l1.reps.len();
    let dead1: Vec<bool> = l1
        .reps
        .iter()
        .map(|r| r[..n0].iter().all(Rational::is_zero) && !r[n0].is_positive())
        .collect();
    // Layer 2 in class coordinates.
    let mut l2 = Classes::default();
    let mut layer2_of: [Vec<Layer2Member>; 2] = Default::default();
    let mut reduced = Vec::with_capacity(2);
    for (s, net) in nets.into_iter().enumerate() {
        let arch = net.arch();
        let mut linear = vec![vec![Rational::zero(); m1 + 1]; arch.n3];
        for (lin, b3) in linear.iter_mut().zip(net.b3()) {
            lin[m1] = b3.clone();
        }
        let mut columns: Vec<(usize, Rational, usize)> = Vec::new(); // (class, scale, neuron)
        for (k, w2) in net.w2().iter().enumerate() {
            let mut row = vec![Rational::zero(); m1 + 1];
            for (m, w) in layer1_of[s].iter().zip(w2) {
                if !dead1[m.class] && !w.is_zero() {
                    row[m.class] += &m.scale * w;
                }
            }
            row[m1] = net.b2()[k].clone();
            let role = if row.iter().all(|x| !x.is_positive()) {
                Layer2Member::Dead
            } else if row.iter().all(|x| !x.is_negative()) {
                for (lin, w3) in linear.iter_mut().zip(net.w3()) {
                    if !w3[k].is_zero() {
                        for (acc, x) in lin.iter_mut().zip(&row) {
                            *acc += &w3[k] * x;
                        }
                    }
                }
                Layer2Member::Linear
            } else {
                let m = l2.member(row);
                columns.push((m.class, m.scale.clone(), k));
                Layer2Member::Class(m)
            };
            layer2_of[s].push(role);
        }
        reduced.push((columns, linear));
    }
    // Merged output columns, compared with the linear parts.
    let m2 = l2.reps.len();
    let reduced: Vec<Reduced> = reduced
        .into_iter()
        .zip(nets)
        .map(|((cols, linear), net)| {
            let mut columns = vec![vec![Rational::zero(); aa.n3]; m2];
            for (l, d, k) in cols {
                for (acc, w3) in columns[l].iter_mut().zip(net.w3()) {
                    *acc += &d * &w3[k];
                }
            }
            Reduced { columns, linear }
        })
        .collect();
    let same = reduced[0].columns == reduced[1].columns && reduced[0].linear == reduced[1].linear;
    same.then(|| NormalForm {
        layer1: l1.reps,
        layer1_of,
        layer2: l2.reps,
        layer2_of,
    })
}

/// The one-step `equivalent` certificate of [`normal_form`] (with the networks' hashes), or
/// `None` when the normal forms differ.
pub fn certificate(a: &Network, b: &Network) -> Option<Certificate> {
    let nf = normal_form(a, b)?;
    Some(Certificate {
        verdict: Verdict::Equivalent,
        a: network_info(a),
        b: network_info(b),
        witness: None,
        proof: Some(Proof {
            steps: vec![Step {
                network: None,
                body: StepBody::NormalForm(nf),
            }],
        }),
        producer: Some(PRODUCER.to_string()),
    })
}
