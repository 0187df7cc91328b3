//! Random parameters drawn from a part of the fiber, built explicitly from the part's
//! equations: positive layer-1 factors and a hidden shift, kink members whose `Σ |μ| v` give
//! the jumps, an explicit solution of the affine balance ([`crate::affine`]) for the linear
//! neurons, the mixed kinks and the anti-parallel groups, random dead and null neurons, `b3`
//! from the offset, then random permutations of both hidden layers.

use crate::model::{Branch, Frame};
use crate::orbit::{permute, Lcg};
use crate::roles::{PartKey, SlotRole};
use fibers_bottleneck::orthant::OrthantData;
use fibers_exact::Rational;
use fibers_net::{Layer, Network};

/// Splits `total` into `Σ_i m_i v_i` with the given positive magnitudes `m_i` (random `v_i`
/// except the last, which is solved for).
fn split(total: &[Rational], mags: &[Rational], rng: &mut Lcg) -> Vec<Vec<Rational>> {
    let n3 = total.len();
    let mut out = Vec::with_capacity(mags.len());
    let mut rest = total.to_vec();
    for (i, m) in mags.iter().enumerate() {
        if i + 1 == mags.len() {
            out.push(rest.iter().map(|x| x / m).collect());
        } else {
            let v: Vec<Rational> = (0..n3).map(|_| rng.nonzero()).collect();
            for (r, x) in rest.iter_mut().zip(&v) {
                *r -= x * m;
            }
            out.push(v);
        }
    }
    out
}

/// One random parameter of the part `key`, or `None` if the part is empty (never for parts
/// returned by the enumeration) or an internal check fails.
pub fn sample_part(frame: &Frame, key: &PartKey, rng: &mut Lcg) -> Option<Network> {
    let a = frame.arch;
    let (n0, n1, n3) = (a.n0, a.n1, a.n3);
    if key.size() != a.n2 {
        return None;
    }
    let s = match key.branch {
        Branch::NoShift | Branch::Zero => Rational::zero(),
        Branch::Positive(_) => rng.positive(),
        Branch::NonNegative(_) => {
            if rng.below(3) == 0 {
                Rational::zero()
            } else {
                rng.positive()
            }
        }
    };
    let target = frame.target(key.branch);
    let normals: Vec<Vec<Rational>> = target
        .kinks
        .iter()
        .map(|k| k.normal.iter().map(|e| e.at(&s)).collect())
        .collect();
    let problem = key.problem(target);
    let sol = problem.solve(rng)?;
    let slots = key.slots();
    // (w̃ ++ [β], v) per slot.
    let mut neurons: Vec<(Vec<Rational>, Vec<Rational>)> = Vec::with_capacity(slots.len());
    let mut mixed_idx = 0;
    for (label, &(p, q)) in key.kinks.iter().enumerate() {
        let jump = &target.kinks[label].jump;
        let f: Vec<Rational> = if q == 0 {
            vec![Rational::zero(); n3]
        } else if p == 0 {
            jump.clone()
        } else {
            mixed_idx += 1;
            sol.f[mixed_idx - 1].clone()
        };
        let pos_total: Vec<Rational> = jump.iter().zip(&f).map(|(j, x)| j - x).collect();
        for (count, total, sign) in [(p, pos_total, 1i64), (q, f, -1)] {
            if count == 0 {
                continue;
            }
            let mags: Vec<Rational> = (0..count).map(|_| rng.positive()).collect();
            let vs = split(&total, &mags, rng);
            for (m, v) in mags.iter().zip(vs) {
                let mu = m * &Rational::from(sign);
                neurons.push((normals[label].iter().map(|x| x * &mu).collect(), v));
            }
        }
    }
    for (w, v) in sol.w.iter().zip(&sol.v) {
        let mut wb = w.clone();
        // β ≥ 0 (its contribution goes to b3); positive when w = 0, so that the neuron is
        // linear rather than null.
        wb.push(if w.iter().all(Rational::is_zero) {
            rng.positive()
        } else {
            Rational::from(rng.range(0, 3))
        });
        neurons.push((wb, v.clone()));
    }
    for _ in 0..key.dead {
        let wb: Vec<Rational> = (0..=n1).map(|_| -rng.positive()).collect();
        let v: Vec<Rational> = (0..n3).map(|_| rng.nonzero()).collect();
        neurons.push((wb, v));
    }
    for _ in 0..key.null {
        let wb: Vec<Rational> = (0..=n1).map(|_| rng.nonzero()).collect();
        neurons.push((wb, vec![Rational::zero(); n3]));
    }
    let mut mixed_group = 0;
    for &(same, opp) in &key.groups {
        let (e, nu): (Vec<Rational>, Vec<Rational>) = if opp > 0 {
            mixed_group += 1;
            let (e, nu) = &sol.groups[mixed_group - 1];
            (e.clone(), nu.clone())
        } else {
            let mut nu: Vec<Rational> = (0..n1).map(|_| rng.nonzero()).collect();
            if !nu.is_empty() && nu.iter().all(|x| x.is_positive()) {
                nu[0] = -&nu[0];
            }
            (vec![Rational::zero(); n3], nu)
        };
        // Make the group's hyperplane cross the orthant, so that its members are crossing.
        let beta = if nu.iter().all(|x| !x.is_negative()) {
            -rng.positive()
        } else if nu.iter().all(|x| !x.is_positive()) {
            rng.positive()
        } else {
            rng.nonzero()
        };
        let mut hyper = nu;
        hyper.push(beta);
        // Same side (leader first, ρ = 1): Σ ρ v = E; opposite side: Σ |ρ| v = −E.
        let mut mags: Vec<Rational> = vec![Rational::one()];
        mags.extend((1..same).map(|_| rng.positive()));
        for (m, v) in mags.iter().zip(split(&e, &mags, rng)) {
            neurons.push((hyper.iter().map(|x| x * m).collect(), v));
        }
        if opp > 0 {
            let mags: Vec<Rational> = (0..opp).map(|_| rng.positive()).collect();
            let minus_e: Vec<Rational> = e.iter().map(|x| -x).collect();
            for (m, v) in mags.iter().zip(split(&minus_e, &mags, rng)) {
                let rho = -m;
                neurons.push((hyper.iter().map(|x| x * &rho).collect(), v));
            }
        }
    }
    debug_assert_eq!(neurons.len(), slots.len());
    // The network in canonical layer-1 coordinates, b3 from the offset.
    let layer1 = match &frame.layer1 {
        Some(l) => {
            let mut l = l.clone();
            if let Some(h) = key.branch.neuron() {
                l.bias[h] += &s;
            }
            l
        }
        None => Layer {
            weight: (0..n1)
                .map(|_| (0..n0).map(|_| rng.nonzero()).collect())
                .collect(),
            bias: (0..n1).map(|_| rng.nonzero()).collect(),
        },
    };
    let w2: Vec<Vec<Rational>> = neurons.iter().map(|(wb, _)| wb[..n1].to_vec()).collect();
    let b2: Vec<Rational> = neurons.iter().map(|(wb, _)| wb[n1].clone()).collect();
    let w3: Vec<Vec<Rational>> = (0..n3)
        .map(|o| neurons.iter().map(|(_, v)| v[o].clone()).collect())
        .collect();
    let mut canon = Network::new(
        a,
        [
            layer1,
            Layer {
                weight: w2,
                bias: b2,
            },
            Layer {
                weight: w3,
                bias: vec![Rational::zero(); n3],
            },
        ],
    )
    .ok()?;
    let want = target.at(&s);
    let got = OrthantData::of_network(&canon);
    if got.kinks != want.kinks || got.linear != want.linear {
        return None;
    }
    canon.layer_mut(3).bias = want
        .offset
        .iter()
        .zip(&got.offset)
        .map(|(w, g)| w - g)
        .collect();
    // Raw coordinates: row j scaled by λ_j > 0, column j of W2 divided by λ_j.
    let lambda: Vec<Rational> = (0..n1).map(|_| rng.positive()).collect();
    let mut raw = canon.clone();
    for j in 0..n1 {
        let l1 = raw.layer_mut(1);
        l1.weight[j] = l1.weight[j].iter().map(|x| x * &lambda[j]).collect();
        l1.bias[j] = &l1.bias[j] * &lambda[j];
        let inv = lambda[j].recip().expect("positive");
        for row in raw.layer_mut(2).weight.iter_mut() {
            row[j] = &row[j] * &inv;
        }
    }
    let p1 = rng.permutation(n1);
    let p2 = rng.permutation(a.n2);
    Some(permute(&raw, &p1, &p2))
}

/// `count` random parameters, part `i mod P` for the `i`-th (so that every part is visited
/// once `count ≥ P`); `progress(i)` after each. `None` entries mark internal failures.
pub fn sample_parts(
    frame: &Frame,
    parts: &[PartKey],
    count: usize,
    seed: u64,
    progress: &mut dyn FnMut(usize),
) -> Vec<Option<Network>> {
    let mut rng = Lcg::new(seed);
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        if parts.is_empty() {
            out.push(None);
        } else {
            out.push(sample_part(frame, &parts[i % parts.len()], &mut rng));
        }
        progress(i + 1);
    }
    out
}

/// The roles in standard order, for reports.
pub fn slot_labels(key: &PartKey) -> Vec<String> {
    key.slots().iter().map(SlotRole::label).collect()
}
