//! The `"canonical"` leaf of a branch tree (docs/theory.md §11).
//!
//! At the leaf every layer-1 neuron that feeds a layer-2 neuron with a nonzero outgoing column
//! has a phase on the path, so on the leaf's polyhedron P each network is a one-hidden-layer
//! network in x: `g(x) = Σ_k v_k σ(z_k(x)) + b3` with `z_k` affine. Layer-2 neurons with a phase
//! on the path (fixed by an LP-dual bound or split earlier) contribute `v_k z_k` (active) or
//! nothing (inactive) to the affine part. Every other `z_k` is written canonically: a constant
//! `z_k = e` contributes `v_k max(e, 0)`; otherwise `z_k = t·h` with `t > 0` rational and `h`
//! the primitive integer form (coprime entries) whose first nonzero linear coefficient is
//! positive, and `σ(z_k) = t σ(h)` when `z_k`'s first nonzero linear coefficient is positive,
//! `= t σ(h) + z_k` when it is negative (because `σ(−y) = σ(y) − y`). Summing the jumps `t v_k`
//! per hyperplane `h` gives the canonical data: an affine map plus a jump vector per hyperplane.
//! (Dividing by the first coefficient instead, as docs/certificates.md states it, only rescales
//! each hyperplane's jumps by a positive number: the comparison accepts the same leaves.)
//!
//! The checker adds the data of A and subtracts those of B, all multiplied by one positive
//! integer `D = D1·E` fixed by the denominators of the parameters, so that every number is an
//! integer: `D1·z_k` has integer entries and `E·v_k` too. The leaf is accepted iff the result
//! is zero. Then both restricted networks are the same function on all of `R^{n0}`, hence
//! `f_A = f_B` on P. The numerators `D1·z_k` are updated from leaf to leaf (only the layer-1
//! phases that changed). No multiplier is involved: the LP-fixed phases are ordinary `fix`
//! nodes above the leaf, checked there.

use crate::tree::Path;
use crate::types::{NeuronId, Phase, Rejection, Side};
use fibers_exact::{Integer, Rational};
use fibers_net::Network;
use std::collections::HashMap;

/// An affine form on `R^{n0}` with integer entries: `n0` coefficients, then the constant.
type Affine = Vec<Integer>;

fn id(side: Side, layer: u8, index: usize) -> NeuronId {
    NeuronId { side, layer, index }
}

/// The least common multiple of the denominators of `xs`.
fn common_denominator<'a>(xs: impl Iterator<Item = &'a Rational>) -> Integer {
    xs.fold(Integer::one(), |d, x| {
        let q = x.denom();
        (&d * &q).div_exact(&d.gcd(&q))
    })
}

/// `d · x`, an integer when `d` is a multiple of the denominator of `x`.
fn times(x: &Rational, d: &Integer) -> Integer {
    x.numer() * d.div_exact(&x.denom())
}

/// `gcd(a, b) ≥ 0`, in machine words when both fit (the common case, and much faster).
fn gcd(a: &Integer, b: &Integer) -> Integer {
    let word = |n: &Integer| n.to_i64().map(i64::unsigned_abs);
    let (Some(mut x), Some(mut y)) = (word(a), word(b)) else {
        return a.gcd(b);
    };
    while y != 0 {
        (x, y) = (y, x % y);
    }
    Integer::from(x)
}

/// `acc += w ⊗ z` (each output `o` gets `w_o · z`).
fn add_outer(acc: &mut [Affine], w: &[Integer], z: &[Integer]) {
    for (f, wo) in acc.iter_mut().zip(w) {
        for (a, c) in f.iter_mut().zip(z) {
            *a += wo * c;
        }
    }
}

/// One network's layer-2 pre-activations as integer forms `D1·z_k`, kept for the layer-1
/// phases of the last leaf (consecutive leaves of a depth-first walk differ in few phases).
struct Tables {
    /// Neurons with a nonzero outgoing column: index and `±E·v_k` (`+` for A, `−` for B).
    neurons: Vec<(usize, Vec<Integer>)>,
    /// `D1·w2_kj·(w1_j, b1_j)` per neuron above and layer-1 neuron (`None` when `w2_kj = 0`).
    tab: Vec<Vec<Option<Affine>>>,
    active: Vec<bool>,
    /// `D1·z_k` for the phases in `active`.
    cur: Vec<Affine>,
    /// `±D·b3`.
    b3: Vec<Integer>,
}

impl Tables {
    /// `D1 = l1·l2` with `l1` a common denominator of `(W1, b1)` and `l2` of `(W2, b2)`.
    fn new(n: &Network, [l1, l2, e]: &[Integer; 3], sign: i64) -> Self {
        let (arch, n0) = (n.arch(), n.arch().n0);
        let mut t = Tables {
            neurons: Vec::new(),
            tab: Vec::new(),
            active: vec![false; arch.n1],
            cur: Vec::new(),
            b3: n
                .b3()
                .iter()
                .map(|c| times(c, &(l1 * l2 * e)) * Integer::from(sign))
                .collect(),
        };
        for k in 0..arch.n2 {
            let w: Vec<Integer> = (0..arch.n3)
                .map(|o| times(&n.w3()[o][k], e) * Integer::from(sign))
                .collect();
            if w.iter().all(Integer::is_zero) {
                continue;
            }
            let row = (0..arch.n1).map(|j| {
                let w2 = times(&n.w2()[k][j], l2);
                let f = n.w1()[j].iter().chain([&n.b1()[j]]);
                (!w2.is_zero()).then(|| f.map(|c| &w2 * times(c, l1)).collect())
            });
            t.tab.push(row.collect());
            let mut base = vec![Integer::zero(); n0 + 1];
            base[n0] = times(&n.b2()[k], l2) * l1;
            t.cur.push(base);
            t.neurons.push((k, w));
        }
        t
    }
}

/// The tables of A and B, built at the first `"canonical"` leaf of a branch tree.
pub(crate) struct Cache<'n> {
    nets: [&'n Network; 2],
    tables: Option<[Tables; 2]>,
    /// Jump vectors by hyperplane, reused from leaf to leaf.
    jumps: HashMap<Affine, Vec<Integer>>,
}

impl<'n> Cache<'n> {
    /// A cache for the step from `a` to `b`.
    pub(crate) fn new(a: &'n Network, b: &'n Network) -> Self {
        Cache {
            nets: [a, b],
            tables: None,
            jumps: HashMap::new(),
        }
    }

    /// Checks a `"canonical"` leaf: equal canonical data of A and B restricted to the path.
    pub(crate) fn check(&mut self, path: &Path) -> Result<(), Rejection> {
        let [a, b] = self.nets;
        let [ta, tb] = self.tables.get_or_insert_with(|| {
            let den = |layers: [(&[Vec<Rational>], &[Rational]); 2]| {
                common_denominator(
                    layers
                        .into_iter()
                        .flat_map(|(w, b)| w.iter().flatten().chain(b)),
                )
            };
            let s = [
                den([(a.w1(), a.b1()), (b.w1(), b.b1())]),
                den([(a.w2(), a.b2()), (b.w2(), b.b2())]),
                den([(a.w3(), a.b3()), (b.w3(), b.b3())]),
            ];
            [Tables::new(a, &s, 1), Tables::new(b, &s, -1)]
        });
        let mut affine = vec![vec![Integer::zero(); path.n0() + 1]; a.arch().n3];
        self.jumps.clear();
        add_data(path, Side::A, ta, &mut affine, &mut self.jumps)?;
        add_data(path, Side::B, tb, &mut affine, &mut self.jumps)?;
        if let Some(o) = (0..affine.len()).find(|&o| affine[o].iter().any(|x| !x.is_zero())) {
            return Err(Rejection(format!(
                "leaf \"canonical\": the affine parts of f_a and f_b differ (output {o})"
            )));
        }
        if self.jumps.values().flatten().any(|x| !x.is_zero()) {
            return Err(Rejection(
                "leaf \"canonical\": f_a and f_b have different hyperplanes or jumps".into(),
            ));
        }
        Ok(())
    }
}

/// Adds `D` times one network's canonical data on the path's polyhedron (with the sign of the
/// side, carried by the table's outgoing weights) to `affine` and `jumps`.
fn add_data(
    path: &Path,
    side: Side,
    t: &mut Tables,
    affine: &mut [Affine],
    jumps: &mut HashMap<Affine, Vec<Integer>>,
) -> Result<(), Rejection> {
    let n0 = path.n0();
    for (f, c) in affine.iter_mut().zip(&t.b3) {
        f[n0] += c;
    }
    for j in 0..t.active.len() {
        let on = match path.phase_of(id(side, 1, j)) {
            Some(p) => p == Phase::Active,
            None => match t.tab.iter().position(|r| r[j].is_some()) {
                Some(i) => {
                    return Err(Rejection(format!(
                        "leaf \"canonical\": {} feeds {} but has no phase",
                        id(side, 1, j),
                        id(side, 2, t.neurons[i].0)
                    )))
                }
                None => false,
            },
        };
        if on != std::mem::replace(&mut t.active[j], on) {
            for (r, z) in t.tab.iter().zip(t.cur.iter_mut()) {
                for (acc, c) in z.iter_mut().zip(r[j].iter().flatten()) {
                    if on {
                        *acc += c;
                    } else {
                        *acc -= c;
                    }
                }
            }
        }
    }
    for ((k, w), z) in t.neurons.iter().zip(&t.cur) {
        match path.phase_of(id(side, 2, *k)) {
            Some(Phase::Inactive) => continue,
            Some(Phase::Active) => {
                add_outer(affine, w, z);
                continue;
            }
            None => {}
        }
        let Some(c) = z[..n0].iter().find(|c| !c.is_zero()) else {
            if z[n0].signum() > 0 {
                add_outer(affine, w, z);
            }
            continue;
        };
        // z = (g / D1)·(±h) with g > 0 the gcd of the entries of z (nonzero as c is).
        let g = z.iter().fold(Integer::zero(), |g, x| gcd(&g, x));
        let signed_g = if c.signum() < 0 {
            add_outer(affine, w, z);
            -&g
        } else {
            g.clone()
        };
        let h: Affine = z.iter().map(|x| x.div_exact(&signed_g)).collect();
        let jump = jumps
            .entry(h)
            .or_insert_with(|| vec![Integer::zero(); w.len()]);
        for (j, wo) in jump.iter_mut().zip(w) {
            *j += wo * &g;
        }
    }
    Ok(())
}
