//! The `"canonical"` leaf of a branch tree (docs/theory.md §11).
//!
//! At the leaf every layer-1 neuron that feeds a layer-2 neuron with a nonzero outgoing column
//! has a phase on the path, so on the leaf's polyhedron P each network is a one-hidden-layer
//! network in x: `g(x) = Σ_k v_k σ(z_k(x)) + b3` with `z_k` affine. Layer-2 neurons with a phase
//! on the path (fixed by an LP-dual bound or split earlier) contribute `v_k z_k` (active) or
//! nothing (inactive) to the affine part. Every other `z_k` is written canonically: a constant
//! `z_k = e` contributes `v_k max(e, 0)`; otherwise, with `c` the first nonzero linear
//! coefficient, `σ(z_k) = |c| σ(z_k / c)` when `c > 0` and `= |c| σ(z_k / c) + z_k` when `c < 0`
//! (because `σ(−y) = σ(y) − y`). Summing the jumps `|c| v_k` per hyperplane `z_k / c` gives the
//! canonical data: an affine map plus a jump vector per normalised hyperplane. The checker
//! recomputes this data for both networks from the parameters and the path and requires it to
//! be equal (zero jumps dropped). The layer-2 pre-activations are kept as integer numerators over
//! one denominator per neuron and updated from leaf to leaf (only the layer-1 phases that changed). Then both restricted networks are the same function on all of
//! `R^{n0}`, hence `f_A = f_B` on P. No multiplier is involved: the LP-fixed phases are ordinary
//! `fix` nodes above the leaf, checked there.

use crate::tree::Path;
use crate::types::{NeuronId, Phase, Rejection, Side};
use fibers_exact::{Integer, Rational};
use fibers_net::Network;
use std::collections::HashMap;

type Affine = Vec<Rational>;

/// The affine part (one form per output) and the jump vector of every normalised hyperplane.
type Data = (Vec<Affine>, HashMap<Affine, Vec<Rational>>);

fn id(side: Side, layer: u8, index: usize) -> NeuronId {
    NeuronId { side, layer, index }
}

/// `acc += v ⊗ z` (each output `o` gets `v_o · z`).
fn add_outer(acc: &mut [Affine], v: &[Rational], z: &[Rational]) {
    for (f, vo) in acc.iter_mut().zip(v) {
        if vo.is_zero() {
            continue;
        }
        for (a, c) in f.iter_mut().zip(z) {
            if !c.is_zero() {
                *a += vo * c;
            }
        }
    }
}

/// Layer-2 pre-activations of one network as integer numerators over a fixed denominator per
/// neuron, `z_k = (b2_k d_k + Σ_{j active} d_k w2_kj (w1_j, b1_j)) / d_k`, kept for the layer-1
/// phases of the last leaf (consecutive leaves of a depth-first walk differ in few phases).
struct Tables {
    /// Neurons with a nonzero outgoing column: index, column, `d_k`.
    neurons: Vec<(usize, Vec<Rational>, Integer)>,
    /// `d_k w2_kj (w1_j, b1_j)` per neuron above and layer-1 neuron (`None` when `w2_kj = 0`).
    tab: Vec<Vec<Option<Affine1>>>,
    active: Vec<bool>,
    cur: Vec<Affine1>,
}

/// An affine form with integer entries.
type Affine1 = Vec<Integer>;

impl Tables {
    fn new(n: &Network) -> Self {
        let (arch, n0) = (n.arch(), n.arch().n0);
        let mut t = Tables {
            neurons: Vec::new(),
            tab: Vec::new(),
            active: vec![false; arch.n1],
            cur: Vec::new(),
        };
        for k in 0..arch.n2 {
            let v: Vec<Rational> = (0..arch.n3).map(|o| n.w3()[o][k].clone()).collect();
            if v.iter().all(Rational::is_zero) {
                continue;
            }
            let prods: Vec<Option<Affine>> = (0..arch.n1)
                .map(|j| {
                    let w = &n.w2()[k][j];
                    let f = n.w1()[j].iter().chain([&n.b1()[j]]);
                    (!w.is_zero()).then(|| f.map(|c| w * c).collect())
                })
                .collect();
            let mut d = n.b2()[k].denom();
            for x in prods.iter().flatten().flatten() {
                let q = x.denom();
                d = (&d * &q).div_exact(&d.gcd(&q));
            }
            let scale = |x: &Rational| x.numer() * d.div_exact(&x.denom());
            let mut base = vec![Integer::zero(); n0 + 1];
            base[n0] = scale(&n.b2()[k]);
            let row = prods
                .iter()
                .map(|f| f.as_ref().map(|f| f.iter().map(scale).collect()));
            t.tab.push(row.collect());
            t.cur.push(base);
            t.neurons.push((k, v, d));
        }
        t
    }
}

/// The tables of A and B, built at the first `"canonical"` leaf of a branch tree.
pub(crate) struct Cache<'n> {
    nets: [&'n Network; 2],
    tables: Option<[Tables; 2]>,
}

impl<'n> Cache<'n> {
    /// A cache for the step from `a` to `b`.
    pub(crate) fn new(a: &'n Network, b: &'n Network) -> Self {
        Cache {
            nets: [a, b],
            tables: None,
        }
    }

    /// Checks a `"canonical"` leaf: equal canonical data of A and B restricted to the path.
    pub(crate) fn check(&mut self, path: &Path) -> Result<(), Rejection> {
        let [a, b] = self.nets;
        let [ta, tb] = self
            .tables
            .get_or_insert_with(|| [Tables::new(a), Tables::new(b)]);
        let (fa, ja) = data(path, Side::A, a, ta)?;
        let (fb, jb) = data(path, Side::B, b, tb)?;
        if let Some(o) = (0..fa.len()).find(|&o| fa[o] != fb[o]) {
            return Err(Rejection(format!(
                "leaf \"canonical\": the affine parts of f_a and f_b differ (output {o})"
            )));
        }
        if ja != jb {
            return Err(Rejection(
                "leaf \"canonical\": f_a and f_b have different hyperplanes or jumps".into(),
            ));
        }
        Ok(())
    }
}

/// The canonical data of one network restricted to the path's polyhedron.
fn data(path: &Path, side: Side, n: &Network, t: &mut Tables) -> Result<Data, Rejection> {
    let (n0, arch) = (path.n0(), n.arch());
    for j in 0..arch.n1 {
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
    let mut affine: Vec<Affine> = (0..arch.n3)
        .map(|o| {
            let mut f = vec![Rational::zero(); n0 + 1];
            f[n0] = n.b3()[o].clone();
            f
        })
        .collect();
    let mut jumps: HashMap<Affine, Vec<Rational>> = HashMap::new();
    for ((k, v, d), num) in t.neurons.iter().zip(&t.cur) {
        let k = *k;
        let to_q = |x: &Integer| Rational::new(x.clone(), d.clone()).expect("d > 0");
        let z: Affine = num.iter().map(to_q).collect();
        match path.phase_of(id(side, 2, k)) {
            Some(Phase::Inactive) => continue,
            Some(Phase::Active) => {
                add_outer(&mut affine, v, &z);
                continue;
            }
            None => {}
        }
        let Some(c) = z[..n0].iter().find(|c| !c.is_zero()).cloned() else {
            if z[n0].is_positive() {
                add_outer(&mut affine, v, &z);
            }
            continue;
        };
        if c.is_negative() {
            add_outer(&mut affine, v, &z);
        }
        let key: Affine = z.iter().map(|x| x / &c).collect();
        let abs = c.abs();
        let jump = jumps
            .entry(key)
            .or_insert_with(|| vec![Rational::zero(); arch.n3]);
        for (j, vo) in jump.iter_mut().zip(v) {
            *j += vo * &abs;
        }
    }
    jumps.retain(|_, j| j.iter().any(|x| !x.is_zero()));
    Ok((affine, jumps))
}
