//! Finding the alignment (permutations and positive scales of the hidden layers of B) that
//! brings B closest to A. Floating point is used here only as a *search*: the alignment found
//! is a pair of permutations with positive rational scales, whose image `B*` is built and
//! measured exactly afterwards; a poor match only loosens the certified bound.

use fibers_check::within::{Alignment, LayerAlignment};
use fibers_exact::Rational;
use fibers_net::Network;

/// How well one hidden layer matched.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerMatch {
    /// The alignment of the layer.
    pub alignment: LayerAlignment,
    /// The smallest cosine between a row of A and its matched (scaled) row of B (1 = same
    /// direction); 1 for a layer of zero rows.
    pub min_cosine: f64,
}

/// The result of the matching.
#[derive(Clone, Debug, PartialEq)]
pub struct Matching {
    /// Layer 1.
    pub layer1: LayerMatch,
    /// Layer 2.
    pub layer2: LayerMatch,
}

impl Matching {
    /// The alignment (both layers).
    pub fn alignment(&self) -> Alignment {
        Alignment {
            layer1: self.layer1.alignment.clone(),
            layer2: self.layer2.alignment.clone(),
            shifts: Vec::new(),
        }
    }
}

fn f64_rows(w: &[Vec<Rational>], b: &[Rational]) -> Vec<Vec<f64>> {
    w.iter()
        .zip(b)
        .map(|(r, c)| {
            r.iter()
                .chain(std::iter::once(c))
                .map(Rational::to_f64_lossy)
                .collect()
        })
        .collect()
}

fn dot(p: &[f64], q: &[f64]) -> f64 {
    p.iter().zip(q).map(|(x, y)| x * y).sum()
}

/// Matches the rows of `rb` to those of `ra` by normalised direction: `permutation[i]` is the
/// row of B matched to row `i` of A, the scale is the least-squares factor `⟨a, b⟩ / ⟨b, b⟩` of
/// the weights (the bias left out: hidden shifts move it).
/// `None` when the nearest-direction matching is not a bijection or a scale is not positive.
fn match_rows(ra: &[Vec<f64>], rb: &[Vec<f64>]) -> Option<(Vec<usize>, Vec<f64>, f64)> {
    let n = ra.len();
    let na: Vec<f64> = ra.iter().map(|r| dot(r, r).sqrt()).collect();
    let nb: Vec<f64> = rb.iter().map(|r| dot(r, r).sqrt()).collect();
    let mut perm = vec![usize::MAX; n];
    let mut used = vec![false; n];
    let mut min_cos = 1.0f64;
    // Zero rows of A take the zero rows of B, in order.
    let mut zero_b = (0..n).filter(|&j| nb[j] == 0.0);
    for i in 0..n {
        if na[i] == 0.0 {
            let j = zero_b.next()?;
            perm[i] = j;
            used[j] = true;
        }
    }
    for i in 0..n {
        if na[i] == 0.0 {
            continue;
        }
        let mut best = (f64::NEG_INFINITY, usize::MAX);
        for j in 0..n {
            if nb[j] == 0.0 {
                continue;
            }
            let c = dot(&ra[i], &rb[j]) / (na[i] * nb[j]);
            if c > best.0 {
                best = (c, j);
            }
        }
        let j = best.1;
        if j == usize::MAX || used[j] || best.0 <= 0.0 {
            return None;
        }
        used[j] = true;
        perm[i] = j;
        min_cos = min_cos.min(best.0);
    }
    // The scale from the weights only (a hidden shift moves the biases), unless they are 0.
    let scales = (0..n)
        .map(|i| {
            let j = perm[i];
            let m = ra[i].len() - 1;
            let (p, q) = (&ra[i][..m], &rb[j][..m]);
            if dot(q, q) > 0.0 {
                dot(p, q) / dot(q, q)
            } else if nb[j] == 0.0 {
                1.0
            } else {
                dot(&ra[i], &rb[j]) / (nb[j] * nb[j])
            }
        })
        .collect::<Vec<f64>>();
    if scales.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
        return None;
    }
    Some((perm, scales, min_cos))
}

/// The scale of each matched pair: the exact ratio when row `i` of A is exactly that multiple
/// of its matched row of B (checked in rational arithmetic), else the `f64` least-squares value.
fn to_layer_alignment(
    perm: Vec<usize>,
    scales: &[f64],
    ra: &[Vec<Rational>],
    rb: &[Vec<Rational>],
) -> LayerAlignment {
    let scales = perm
        .iter()
        .enumerate()
        .map(|(i, &j)| {
            let (a, b) = (&ra[i], &rb[j]);
            let exact = b
                .iter()
                .enumerate()
                .max_by(|p, q| p.1.abs().cmp(&q.1.abs()))
                .filter(|(_, v)| !v.is_zero())
                .map(|(k, v)| &a[k] / v)
                .filter(|t| t.is_positive() && a.iter().zip(b).all(|(x, y)| *x == y * t));
            exact.unwrap_or_else(|| Rational::from_f64_exact(scales[i]).expect("finite"))
        })
        .collect();
    LayerAlignment {
        permutation: perm,
        scales,
    }
}

fn exact_rows(w: &[Vec<Rational>], b: &[Rational]) -> Vec<Vec<Rational>> {
    w.iter()
        .zip(b)
        .map(|(r, c)| r.iter().chain(std::iter::once(c)).cloned().collect())
        .collect()
}

/// Finds the permutations and positive scales of B's hidden layers that bring B closest to A
/// (layer 1 first, then layer 2 with layer 1 already aligned). `None` when the architectures
/// differ or the rows do not match one to one.
pub fn find_alignment(a: &Network, b: &Network) -> Option<Matching> {
    if a.arch() != b.arch() {
        return None;
    }
    let ra1 = f64_rows(a.w1(), a.b1());
    let rb1 = f64_rows(b.w1(), b.b1());
    let (p1, s1, c1) = match_rows(&ra1, &rb1)?;
    // Layer 2 of B with layer 1 aligned: columns permuted and divided by the scales.
    let rb2: Vec<Vec<f64>> = b
        .w2()
        .iter()
        .zip(b.b2())
        .map(|(row, c)| {
            (0..p1.len())
                .map(|i| row[p1[i]].to_f64_lossy() / s1[i])
                .chain(std::iter::once(c.to_f64_lossy()))
                .collect()
        })
        .collect();
    let ra2 = f64_rows(a.w2(), a.b2());
    let (p2, s2, c2) = match_rows(&ra2, &rb2)?;
    let l1 = to_layer_alignment(
        p1,
        &s1,
        &exact_rows(a.w1(), a.b1()),
        &exact_rows(b.w1(), b.b1()),
    );
    // Layer 2 of B with the exact layer-1 alignment applied.
    let b1 = fibers_check::within::apply_alignment(
        b,
        &Alignment {
            layer1: l1.clone(),
            layer2: LayerAlignment::identity(b.arch().n2),
            shifts: Vec::new(),
        },
    )
    .ok()?;
    let l2 = to_layer_alignment(
        p2,
        &s2,
        &exact_rows(a.w2(), a.b2()),
        &exact_rows(b1.w2(), b1.b2()),
    );
    Some(Matching {
        layer1: LayerMatch {
            alignment: l1,
            min_cosine: c1,
        },
        layer2: LayerMatch {
            alignment: l2,
            min_cosine: c2,
        },
    })
}

/// Whether the hidden shift of layer-1 neuron `h` of `n` by `t` satisfies the conditions of
/// docs/theory.md §5, Theorem 5.7 (this crate's own test; the checker tests them again).
fn shift_allowed(n: &Network, h: usize, t: &Rational) -> bool {
    let (w2, b2, w3) = (n.w2(), n.b2(), &n.layers()[2].weight);
    (0..b2.len()).all(|k| {
        let w = &w2[k][h];
        w.is_zero()
            || w3.iter().all(|r| r[k].is_zero())
            || (w2[k]
                .iter()
                .enumerate()
                .all(|(i, v)| i == h || !v.is_positive())
                && !b2[k].is_positive()
                && !(w.is_positive() && (&b2[k] - &(w * t)).is_positive()))
    })
}

/// The hidden shifts that make the layer-1 biases of `bstar` equal to A's: for every neuron `h`
/// whose biases differ, the shift by `t = c_A − c_{B*}` when Theorem 5.7 allows it (applied in
/// order, each on the network the previous ones produced).
pub fn find_shifts(a: &Network, bstar: &Network) -> Vec<(usize, Rational)> {
    let mut cur = bstar.clone();
    let mut out = Vec::new();
    for h in 0..a.arch().n1 {
        let t = &a.b1()[h] - &cur.b1()[h];
        if t.is_zero() || !shift_allowed(&cur, h, &t) {
            continue;
        }
        let mut l1 = cur.layers()[0].clone();
        let mut l2 = cur.layers()[1].clone();
        l1.bias[h] += &t;
        for k in 0..l2.bias.len() {
            if l2.weight[k][h].is_positive() {
                let d = &l2.weight[k][h] * &t;
                l2.bias[k] -= &d;
            }
        }
        if let Ok(n) = Network::new(cur.arch(), [l1, l2, cur.layers()[2].clone()]) {
            cur = n;
            out.push((h, t));
        }
    }
    out
}
