//! The symmetry fast path: a normal form of a network under the permutations of each hidden
//! layer and the positive scalings of each hidden neuron (moves M1, M2 of docs/theory.md §5),
//! compared exactly; equal normal forms give one checkable `relabel` step from A to B.
//!
//! A hidden neuron `i` of layer 1 is scaled by `c_i = 1 / |first nonzero entry of (W1_i, b1_i)|`
//! (its outgoing column of `W2` divided by `c_i`), so its incoming key `(W1_i, b1_i) c_i` has a
//! first nonzero entry `±1`. A layer-2 neuron `k` is scaled by `d_k = 1 / max |r_{k,i}|` over
//! the entries of its (layer-1-normalised) row `r_k` on the first class of equal nonzero
//! layer-1 keys where the row is nonzero (else `1 / |b2_k|`, else `max |W3 column|`, else 1),
//! its `W3` column divided by `d_k`. A layer-1 neuron with zero incoming weights and bias
//! (always 0) is scaled last, so that its outgoing column has largest `|entry|` 1. Every choice
//! depends only on the neuron's data and on the layer-1 keys, not on the labelling.
//!
//! The neurons are then ordered by a colour refinement on the two layers: layer-1 neurons are
//! coloured by their keys, layer-2 neurons by `(b2_k d_k, W3 column / d_k)`, and each colour
//! class is split by the sorted pairs (colour of the other layer's neuron, weight between the
//! two) until nothing splits; a class that stays is split by taking its lowest-indexed member
//! first. The last choice is not canonical in general (two neurons the refinement cannot tell
//! apart but that are not interchangeable), so the normal forms of two related networks can
//! differ; then this procedure gives up and the next one decides. Equal normal forms always
//! prove equivalence (the step is checked by `fibers_check` like any other): this procedure
//! never answers `not-equivalent`.
//!
//! Cost: `O(n1 n0 + n2 n1 + n3 n2)` rational operations to normalise, and sorting; no LP, no
//! evaluation.

use fibers_check::bottleneck::{BottleneckStep, Relabeling};
use fibers_check::{network_info, Certificate, Proof, Step, StepBody, Verdict};
use fibers_exact::Rational;
use fibers_net::Network;
use std::cmp::Ordering;

/// The name and version written into symmetry certificates.
pub const PRODUCER: &str = concat!("fibers-decide symmetry ", env!("CARGO_PKG_VERSION"));

/// A network's data normalised neuron by neuron (in its own labelling), with the canonical
/// order of each layer.
struct Form<'n> {
    net: &'n Network,
    /// `c_i` of each layer-1 neuron (the factor applied to its incoming weights).
    c1: Vec<Rational>,
    /// `(W1_i, b1_i) c_i`.
    in1: Vec<Vec<Rational>>,
    /// `d_k` of each layer-2 neuron.
    d2: Vec<Rational>,
    /// `W2[k][i] d_k / c_i`.
    w2: Vec<Vec<Rational>>,
    /// `b2_k d_k`.
    b2: Vec<Rational>,
    /// `W3[q][k] / d_k`, by `k` then `q`.
    out2: Vec<Vec<Rational>>,
    /// Canonical position `p` → neuron.
    order1: Vec<usize>,
    order2: Vec<usize>,
}

/// Dense ranks of `keys` (equal keys, equal ranks; ranks ordered like the keys).
fn ranks<T: Ord>(keys: &[T]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..keys.len()).collect();
    idx.sort_by(|&i, &j| keys[i].cmp(&keys[j]));
    let mut out = vec![0; keys.len()];
    let mut r = 0;
    for (p, &i) in idx.iter().enumerate() {
        if p > 0 && keys[idx[p - 1]] != keys[i] {
            r += 1;
        }
        out[i] = r;
    }
    out
}

fn classes(col: &[usize]) -> usize {
    col.iter().max().map_or(0, |m| m + 1)
}

/// One refinement of the colours `col` of one layer by the colours `other` of the other layer
/// and the weights `entry(i, k)` between them. Only neurons in classes of size > 1 compute a
/// signature.
fn refine<'a>(
    col: &[usize],
    other: &[usize],
    entry: impl Fn(usize, usize) -> &'a Rational,
) -> Vec<usize> {
    let mut size = vec![0usize; classes(col)];
    for &c in col {
        size[c] += 1;
    }
    if size.iter().all(|&s| s <= 1) {
        return col.to_vec();
    }
    let keys: Vec<(usize, Vec<(usize, &Rational)>)> = col
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let sig = if size[c] > 1 {
                let mut v: Vec<(usize, &Rational)> = other
                    .iter()
                    .enumerate()
                    .map(|(k, &o)| (o, entry(i, k)))
                    .collect();
                v.sort();
                v
            } else {
                Vec::new()
            };
            (c, sig)
        })
        .collect();
    ranks(&keys)
}

/// Splits the first class of size > 1 of `col` (if any): its lowest-indexed member comes
/// first. Returns whether a class was split.
fn individualise(col: &mut [usize]) -> bool {
    let mut size = vec![0usize; classes(col)];
    for &c in col.iter() {
        size[c] += 1;
    }
    let Some(c) = size.iter().position(|&s| s > 1) else {
        return false;
    };
    let first = col.iter().position(|&x| x == c).expect("class is nonempty");
    let keys: Vec<(usize, bool)> = col
        .iter()
        .enumerate()
        .map(|(i, &x)| (x, x == c && i != first))
        .collect();
    let r = ranks(&keys);
    col.copy_from_slice(&r);
    true
}

/// The largest absolute value, `None` when all are zero.
fn max_abs<'a>(v: impl IntoIterator<Item = &'a Rational>) -> Option<Rational> {
    v.into_iter()
        .filter(|x| !x.is_zero())
        .map(|x| x.abs())
        .max()
}

fn first_nonzero_abs(v: impl IntoIterator<Item = Rational>) -> Option<Rational> {
    v.into_iter().find(|x| !x.is_zero()).map(|x| x.abs())
}

impl<'n> Form<'n> {
    fn new(net: &'n Network) -> Self {
        let a = net.arch();
        let one = Rational::one();
        // Layer 1: c_i = 1 / |first nonzero of (W1_i, b1_i)|.
        let mut c1 = Vec::with_capacity(a.n1);
        let mut inv1 = Vec::with_capacity(a.n1);
        let mut in1 = Vec::with_capacity(a.n1);
        for i in 0..a.n1 {
            let row = net.w1()[i].iter().chain([&net.b1()[i]]);
            let s = first_nonzero_abs(row.clone().cloned()).unwrap_or_else(|| one.clone());
            let key: Vec<Rational> = if s == one {
                row.cloned().collect()
            } else {
                row.map(|x| x / &s).collect()
            };
            in1.push(key);
            c1.push(s.recip().expect("nonzero"));
            inv1.push(s);
        }
        let col1 = ranks(&in1);
        // Neurons with a zero key (always 0) get their factor from the outgoing column below.
        let zero_key: Vec<bool> = in1
            .iter()
            .map(|k| k.iter().all(Rational::is_zero))
            .collect();
        // Layer 2: rows r_k = W2_k / c (entrywise), then d_k = 1 / m_k with m_k the largest
        // |r_k| on the first layer-1 class (by key, zero key left out) where r_k is nonzero;
        // else |b2_k|; else 1 / max |W3 column|; else 1.
        let mut d2 = Vec::with_capacity(a.n2);
        let mut w2 = Vec::with_capacity(a.n2);
        let mut b2 = Vec::with_capacity(a.n2);
        let mut out2 = Vec::with_capacity(a.n2);
        for k in 0..a.n2 {
            let r: Vec<Rational> = net.w2()[k]
                .iter()
                .zip(&inv1)
                .map(|(w, s)| if s == &one { w.clone() } else { w * s })
                .collect();
            let mut best: Option<(usize, Rational)> = None;
            for (i, x) in r.iter().enumerate() {
                if x.is_zero() || zero_key[i] {
                    continue;
                }
                let ax = x.abs();
                best = match best {
                    None => Some((col1[i], ax)),
                    Some((c, m)) => match col1[i].cmp(&c) {
                        Ordering::Less => Some((col1[i], ax)),
                        Ordering::Equal if ax > m => Some((c, ax)),
                        _ => Some((c, m)),
                    },
                };
            }
            let m = best
                .map(|(_, m)| m)
                .or_else(|| first_nonzero_abs([net.b2()[k].clone()]))
                .or_else(|| max_abs((0..a.n3).map(|q| &net.w3()[q][k])).and_then(|x| x.recip()))
                .unwrap_or_else(|| one.clone());
            let row: Vec<Rational> = if m == one {
                r
            } else {
                r.iter().map(|x| x / &m).collect()
            };
            w2.push(row);
            b2.push(if m == one {
                net.b2()[k].clone()
            } else {
                &net.b2()[k] / &m
            });
            out2.push(
                (0..a.n3)
                    .map(|q| {
                        let v = &net.w3()[q][k];
                        if m == one {
                            v.clone()
                        } else {
                            v * &m
                        }
                    })
                    .collect::<Vec<Rational>>(),
            );
            d2.push(m.recip().expect("nonzero"));
        }
        // Zero-key layer-1 neurons: the largest |entry| of the outgoing column becomes 1.
        for i in (0..a.n1).filter(|&i| zero_key[i]) {
            if let Some(t) = max_abs(w2.iter().map(|row: &Vec<Rational>| &row[i])) {
                if t != one {
                    for row in w2.iter_mut() {
                        row[i] = &row[i] / &t;
                    }
                    c1[i] = t;
                }
            }
        }
        let mut form = Form {
            net,
            c1,
            in1,
            d2,
            w2,
            b2,
            out2,
            order1: Vec::new(),
            order2: Vec::new(),
        };
        form.order(col1);
        form
    }

    /// Colour refinement and individualisation down to one neuron per colour; sets the orders.
    fn order(&mut self, mut col1: Vec<usize>) {
        let keys2: Vec<(&Rational, &Vec<Rational>)> = self.b2.iter().zip(&self.out2).collect();
        let mut col2 = ranks(&keys2);
        let w2 = &self.w2;
        loop {
            // Refine to a fixed point.
            loop {
                let (n1, n2) = (classes(&col1), classes(&col2));
                col2 = refine(&col2, &col1, |k, i| &w2[k][i]);
                col1 = refine(&col1, &col2, |i, k| &w2[k][i]);
                if classes(&col1) == n1 && classes(&col2) == n2 {
                    break;
                }
            }
            if !individualise(&mut col1) && !individualise(&mut col2) {
                break;
            }
        }
        let mut order1 = vec![0; col1.len()];
        for (i, &c) in col1.iter().enumerate() {
            order1[c] = i;
        }
        let mut order2 = vec![0; col2.len()];
        for (k, &c) in col2.iter().enumerate() {
            order2[c] = k;
        }
        self.order1 = order1;
        self.order2 = order2;
    }

    /// Whether the two normal forms are the same network.
    fn same_as(&self, o: &Form) -> bool {
        let (p1, q1, p2, q2) = (&self.order1, &o.order1, &self.order2, &o.order2);
        self.net.b3() == o.net.b3()
            && p1.iter().zip(q1).all(|(&i, &j)| self.in1[i] == o.in1[j])
            && p2.iter().zip(q2).all(|(&k, &l)| {
                self.b2[k] == o.b2[l]
                    && self.out2[k] == o.out2[l]
                    && p1
                        .iter()
                        .zip(q1)
                        .all(|(&i, &j)| self.w2[k][i] == o.w2[l][j])
            })
    }
}

/// The relabelling from `a` to `b` when `a` and `b` have the same normal form under hidden
/// permutations and positive scalings (layer 1, layer 2); `Err(reason)` otherwise, or when the
/// normal form cannot tell some neurons apart in the same way for both networks.
pub fn relabeling(a: &Network, b: &Network) -> Result<(Relabeling, Relabeling), String> {
    let (aa, ab) = (a.arch(), b.arch());
    if aa != ab {
        return Err(format!(
            "symmetry: architectures {aa} and {ab} differ (no relabelling)"
        ));
    }
    if a.b3() != b.b3() {
        return Err("symmetry: the output biases differ".into());
    }
    let (fa, fb) = (Form::new(a), Form::new(b));
    if !fa.same_as(&fb) {
        return Err(
            "symmetry: the normal forms under hidden permutations and positive scalings differ"
                .into(),
        );
    }
    // N = M_A(A) = M_B(B), so B = M_B⁻¹ M_A (A): B's neuron j (at canonical position p) is A's
    // neuron at position p, scaled by c^A / c^B.
    let compose = |n: usize, pa: &[usize], pb: &[usize], sa: &[Rational], sb: &[Rational]| {
        let mut order = vec![0; n];
        let mut scale = vec![Rational::zero(); n];
        for (&i, &j) in pa.iter().zip(pb) {
            order[j] = i;
            scale[j] = &sa[i] / &sb[j];
        }
        Relabeling { order, scale }
    };
    let r1 = compose(aa.n1, &fa.order1, &fb.order1, &fa.c1, &fb.c1);
    let r2 = compose(aa.n2, &fa.order2, &fb.order2, &fa.d2, &fb.d2);
    Ok((r1, r2))
}

/// The certificate of equivalence made of one `relabel` step from `a` to `b`.
pub fn certificate(a: &Network, b: &Network, r1: Relabeling, r2: Relabeling) -> Certificate {
    Certificate {
        verdict: Verdict::Equivalent,
        a: network_info(a),
        b: network_info(b),
        witness: None,
        proof: Some(Proof {
            steps: vec![Step {
                network: None,
                body: StepBody::Bottleneck(BottleneckStep::Relabel {
                    layer1: Some(r1),
                    layer2: Some(r2),
                }),
            }],
        }),
        producer: Some(PRODUCER.to_string()),
    }
}

/// The symmetry fast path: a certificate of equivalence when B is A up to hidden permutations
/// and positive scalings (found by the normal forms); `Err(reason)` otherwise (never a
/// `not-equivalent` verdict).
pub fn run(a: &Network, b: &Network) -> Result<Certificate, String> {
    let (r1, r2) = relabeling(a, b)?;
    Ok(certificate(a, b, r1, r2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_are_dense_and_ordered() {
        assert_eq!(ranks(&[3, 1, 3, 2]), vec![2, 0, 2, 1]);
        let mut c = vec![1, 0, 1, 0];
        assert!(individualise(&mut c));
        assert_eq!(c, vec![2, 0, 2, 1]);
    }
}
