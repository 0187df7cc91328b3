//! Layer-2 roles on the orthant and the canonical data of `G` on `U = R^{n1}_{≥0}`
//! (docs/theory.md §4, §6).
//!
//! `G(u) = W3 σ(W2 u + b2) + b3` restricted to `U` is written uniquely as
//!
//! ```text
//! G(u) = Σ_P J_P σ(ẑ_P(u)) + A u + a        (u ∈ U)
//! ```
//!
//! with distinct canonical kinks `ẑ_P = (ŵ_P, β̂_P)` (first nonzero entry 1, hyperplane meeting
//! the interior of `U`), nonzero jumps `J_P ∈ Q^{n3}` and an affine part `(A, a)`. The
//! identity is exact on `U`; uniqueness is proved in `docs/bottleneck.md`.

use crate::affine::AffineSums;
use fibers_exact::Rational;
use fibers_net::Network;
use std::collections::BTreeMap;

/// The role of a layer-2 neuron on the orthant `U` (docs/theory.md §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer2Role {
    /// `v = 0` or `(w, β) = 0`: contributes nothing.
    Null,
    /// All entries of `(w, β)` are `≤ 0` (not all zero): inactive on all of `U`.
    Dead,
    /// All entries of `(w, β)` are `≥ 0` (not all zero): active on all of `U`, contributes an
    /// affine map.
    Linear,
    /// Some entry `> 0` and some `< 0`: its hyperplane meets the interior of `U`.
    Crossing,
}

impl Layer2Role {
    /// `"null"`, `"dead"`, `"linear"` or `"crossing"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Layer2Role::Null => "null",
            Layer2Role::Dead => "dead",
            Layer2Role::Linear => "linear",
            Layer2Role::Crossing => "crossing",
        }
    }
}

/// The role of a neuron with incoming `(w, β)` and outgoing column `v` (given as `v_zero`).
pub fn layer2_role(w: &[Rational], beta: &Rational, v_zero: bool) -> Layer2Role {
    if v_zero {
        return Layer2Role::Null;
    }
    let (mut pos, mut neg) = (false, false);
    for e in w.iter().chain(std::iter::once(beta)) {
        match e.signum() {
            1 => pos = true,
            -1 => neg = true,
            _ => {}
        }
    }
    match (pos, neg) {
        (false, false) => Layer2Role::Null,
        (true, false) => Layer2Role::Linear,
        (false, true) => Layer2Role::Dead,
        (true, true) => Layer2Role::Crossing,
    }
}

/// The columns of `W3`: `v_k` for every layer-2 neuron `k`.
pub fn outgoing_columns(net: &Network) -> Vec<Vec<Rational>> {
    let n2 = net.arch().n2;
    let mut cols = vec![Vec::with_capacity(net.arch().n3); n2];
    for row in net.w3() {
        for (k, x) in row.iter().enumerate() {
            cols[k].push(x.clone());
        }
    }
    cols
}

/// The roles of all layer-2 neurons of a network.
pub fn layer2_roles(net: &Network) -> Vec<Layer2Role> {
    let cols = outgoing_columns(net);
    net.w2()
        .iter()
        .zip(net.b2())
        .zip(&cols)
        .map(|((w, b), v)| layer2_role(w, b, v.iter().all(Rational::is_zero)))
        .collect()
}

/// One canonical kink `J σ(ẑ(u))` of `G` on `U`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Kink {
    /// `ẑ = (ŵ_1, …, ŵ_{n1}, β̂)`: the hyperplane `ŵ·u + β̂ = 0`, first nonzero entry 1.
    pub normal: Vec<Rational>,
    /// The jump `J ∈ Q^{n3}` (never zero).
    pub jump: Vec<Rational>,
}

impl Kink {
    /// The weights `ŵ` (without `β̂`).
    pub fn weights(&self) -> &[Rational] {
        &self.normal[..self.normal.len() - 1]
    }
    /// The offset `β̂`.
    pub fn offset(&self) -> &Rational {
        self.normal.last().expect("normal has n1+1 entries")
    }
    /// `ẑ(u) = ŵ·u + β̂`.
    pub fn value_at(&self, u: &[Rational]) -> Rational {
        let mut acc = self.offset().clone();
        for (w, x) in self.weights().iter().zip(u) {
            if !w.is_zero() && !x.is_zero() {
                acc += w * x;
            }
        }
        acc
    }
}

/// The canonical data of `G` on the orthant `U` (docs/theory.md §6).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OrthantData {
    /// Width of layer 1 (the dimension of `U`).
    pub n1: usize,
    /// Output width.
    pub n3: usize,
    /// The kinks, sorted by `normal`, distinct normals, nonzero jumps.
    pub kinks: Vec<Kink>,
    /// The linear part `A` (`n3 × n1`, row-major).
    pub linear: Vec<Vec<Rational>>,
    /// The constant `a ∈ Q^{n3}`.
    pub offset: Vec<Rational>,
}

/// Accumulates ReLU terms `v σ(w·u + β)` and affine terms into canonical data.
#[derive(Clone, Debug)]
pub struct OrthantBuilder {
    n1: usize,
    n3: usize,
    kinks: BTreeMap<Vec<Rational>, Vec<Rational>>,
    linear: Vec<Vec<Rational>>,
    offset: Vec<Rational>,
    sums: AffineSums,
}

fn add_scaled(acc: &mut [Rational], v: &[Rational], s: &Rational) {
    for (a, x) in acc.iter_mut().zip(v) {
        if !x.is_zero() {
            *a += x * s;
        }
    }
}

impl OrthantBuilder {
    /// An empty sum (`G = 0`) for layer-1 width `n1` and output width `n3`.
    pub fn new(n1: usize, n3: usize) -> Self {
        OrthantBuilder {
            n1,
            n3,
            kinks: BTreeMap::new(),
            linear: vec![vec![Rational::zero(); n1]; n3],
            offset: vec![Rational::zero(); n3],
            sums: AffineSums::new(n1, n3),
        }
    }
    /// Adds the constant `c`.
    pub fn add_constant(&mut self, c: &[Rational]) {
        add_scaled(&mut self.offset, c, &Rational::one());
    }
    /// Adds the affine term `v (w·u + β)`.
    pub fn add_affine(&mut self, w: &[Rational], beta: &Rational, v: &[Rational]) {
        for (o, vo) in v.iter().enumerate() {
            if vo.is_zero() {
                continue;
            }
            for (i, wi) in w.iter().enumerate() {
                if !wi.is_zero() {
                    self.linear[o][i] += vo * wi;
                }
            }
            if !beta.is_zero() {
                self.offset[o] += vo * beta;
            }
        }
    }
    /// Adds the term `v σ(w·u + β)` on `U`, by its role.
    pub fn add_relu(&mut self, w: &[Rational], beta: &Rational, v: &[Rational]) {
        assert_eq!(w.len(), self.n1, "weight length must be n1");
        assert_eq!(v.len(), self.n3, "outgoing length must be n3");
        match layer2_role(w, beta, v.iter().all(Rational::is_zero)) {
            Layer2Role::Null | Layer2Role::Dead => {}
            Layer2Role::Linear => self.sums.add(w, beta, v),
            Layer2Role::Crossing => {
                let s = w
                    .iter()
                    .chain(std::iter::once(beta))
                    .find(|e| !e.is_zero())
                    .expect("crossing has a nonzero entry")
                    .clone();
                let inv = s.recip().expect("nonzero");
                let normal: Vec<Rational> = w
                    .iter()
                    .chain(std::iter::once(beta))
                    .map(|e| e * &inv)
                    .collect();
                let abs = s.abs();
                if s.is_negative() {
                    // v σ(s ẑ) = v|s| σ(ẑ) − v|s| ẑ, and −v|s| ẑ = v (w, β) since s < 0.
                    self.sums.add(w, beta, v);
                }
                let entry = self
                    .kinks
                    .entry(normal)
                    .or_insert_with(|| vec![Rational::zero(); v.len()]);
                add_scaled(entry, v, &abs);
            }
        }
    }
    /// The canonical data (zero jumps dropped, kinks sorted).
    pub fn finish(mut self) -> OrthantData {
        let (lin, off) = self.sums.finish();
        for (row, extra) in self.linear.iter_mut().zip(&lin) {
            for (x, y) in row.iter_mut().zip(extra) {
                if !y.is_zero() {
                    *x += y;
                }
            }
        }
        for (x, y) in self.offset.iter_mut().zip(&off) {
            if !y.is_zero() {
                *x += y;
            }
        }
        let kinks = self
            .kinks
            .into_iter()
            .filter(|(_, j)| j.iter().any(|x| !x.is_zero()))
            .map(|(normal, jump)| Kink { normal, jump })
            .collect();
        OrthantData {
            n1: self.n1,
            n3: self.n3,
            kinks,
            linear: self.linear,
            offset: self.offset,
        }
    }
}

impl OrthantData {
    /// The canonical data of `G` of a network (its layers 2 and 3), in the network's own layer-1
    /// coordinates. Cost `O(n2 (n1 + n3))` arithmetic operations and a sort.
    pub fn of_network(net: &Network) -> Self {
        let a = net.arch();
        let cols = outgoing_columns(net);
        let mut b = OrthantBuilder::new(a.n1, a.n3);
        for ((w, beta), v) in net.w2().iter().zip(net.b2()).zip(&cols) {
            b.add_relu(w, beta, v);
        }
        b.add_constant(net.b3());
        b.finish()
    }
    /// Whether `G` is constant on `U` (no kinks, `A = 0`).
    pub fn is_constant(&self) -> bool {
        self.kinks.is_empty() && self.linear.iter().all(|r| r.iter().all(Rational::is_zero))
    }
    /// `G(u)` from the canonical data (meaningful for `u ∈ U`).
    pub fn eval(&self, u: &[Rational]) -> Vec<Rational> {
        let mut out = self.offset.clone();
        for (o, row) in self.linear.iter().enumerate() {
            for (a, x) in row.iter().zip(u) {
                if !a.is_zero() && !x.is_zero() {
                    out[o] += a * x;
                }
            }
        }
        for k in &self.kinks {
            let z = k.value_at(u);
            if z.is_positive() {
                add_scaled(&mut out, &k.jump, &z);
            }
        }
        out
    }
    /// The canonical data in relabelled layer-1 coordinates `ũ_i = scale[i] · u_{order[i]}`
    /// (`scale[i] > 0`): the same function `G`, written in the new coordinates.
    pub fn relabelled(&self, order: &[usize], scale: &[Rational]) -> OrthantData {
        let inv: Vec<Rational> = scale
            .iter()
            .map(|x| x.recip().expect("positive scale"))
            .collect();
        let n1 = self.n1;
        let mut linear: Vec<Vec<Rational>> = self
            .linear
            .iter()
            .map(|row| {
                order
                    .iter()
                    .zip(&inv)
                    .map(|(&o, si)| &row[o] * si)
                    .collect()
            })
            .collect();
        let mut offset = self.offset.clone();
        let mut sums = AffineSums::new(n1, self.n3);
        let mut kinks: Vec<Kink> = Vec::with_capacity(self.kinks.len());
        for k in &self.kinks {
            // ẑ(u) = n·(ũ, 1) with n = (ŵ_{order[i]} / scale[i], β̂). With f the first nonzero
            // entry of n: J σ(n) = J|f| σ(n/f), minus J|f| n/f = J n when f < 0.
            let mut n: Vec<Rational> = order
                .iter()
                .zip(&inv)
                .map(|(&o, si)| &k.normal[o] * si)
                .collect();
            n.push(k.normal[n1].clone());
            let f = n
                .iter()
                .find(|x| !x.is_zero())
                .expect("nonzero normal")
                .clone();
            if f.is_negative() {
                sums.add(&n[..n1], &n[n1], &k.jump);
            }
            let finv = f.recip().expect("nonzero");
            let abs = f.abs();
            let normal = n.iter().map(|x| x * &finv).collect();
            let jump = k.jump.iter().map(|j| j * &abs).collect();
            kinks.push(Kink { normal, jump });
        }
        kinks.sort();
        let (lin, off) = sums.finish();
        for (row, extra) in linear.iter_mut().zip(&lin) {
            for (x, y) in row.iter_mut().zip(extra) {
                if !y.is_zero() {
                    *x += y;
                }
            }
        }
        for (x, y) in offset.iter_mut().zip(&off) {
            if !y.is_zero() {
                *x += y;
            }
        }
        OrthantData {
            n1,
            n3: self.n3,
            kinks,
            linear,
            offset,
        }
    }
    /// Whether layer-1 coordinate `j` enters `G` at all: some kink has `ŵ_j ≠ 0` or column `j`
    /// of `A` is nonzero.
    pub fn depends_on(&self, j: usize) -> bool {
        self.kinks.iter().any(|k| !k.normal[j].is_zero())
            || self.linear.iter().any(|r| !r[j].is_zero())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fibers_net::{Architecture, Layer};

    fn lcg(state: &mut u64) -> i64 {
        *state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((*state >> 33) % 11) as i64 - 5
    }

    fn random_net(seed: u64, arch: Architecture) -> Network {
        let mut st = seed;
        let layers = [1, 2, 3].map(|l| {
            let (r, c) = arch.weight_shape(l);
            Layer {
                weight: (0..r)
                    .map(|_| {
                        (0..c)
                            .map(|_| Rational::ratio(lcg(&mut st), 1 + (lcg(&mut st) + 5) % 3))
                            .collect()
                    })
                    .collect(),
                bias: (0..r).map(|_| Rational::ratio(lcg(&mut st), 2)).collect(),
            }
        });
        Network::new(arch, layers).unwrap()
    }

    /// `G(u) = W3 σ(W2 u + b2) + b3` directly.
    fn g(net: &Network, u: &[Rational]) -> Vec<Rational> {
        let z = net.layer(2).apply(u);
        let s: Vec<Rational> = z.iter().map(fibers_net::network::relu).collect();
        net.layer(3).apply(&s)
    }

    #[test]
    fn canonical_data_is_g_on_the_orthant() {
        let arch = Architecture::new(3, 3, 7, 2);
        for seed in 0..40u64 {
            let net = random_net(seed, arch);
            let d = OrthantData::of_network(&net);
            let order = [2usize, 0, 1];
            let scale = [
                Rational::ratio(1, 3),
                Rational::from(2),
                Rational::ratio(5, 7),
            ];
            let r = d.relabelled(&order, &scale);
            let mut st = seed + 1000;
            for _ in 0..30 {
                let u: Vec<Rational> = (0..3)
                    .map(|_| Rational::ratio(lcg(&mut st).abs(), 2))
                    .collect();
                assert_eq!(d.eval(&u), g(&net, &u), "seed {seed} u {u:?}");
                // ũ_i = scale[i] u_{order[i]}
                let ut: Vec<Rational> = (0..3).map(|i| &scale[i] * &u[order[i]]).collect();
                assert_eq!(r.eval(&ut), g(&net, &u), "relabelled, seed {seed}");
            }
            assert!(r.kinks.windows(2).all(|p| p[0].normal < p[1].normal));
            assert!(r
                .kinks
                .iter()
                .all(|k| k.normal.iter().find(|x| !x.is_zero()) == Some(&Rational::one())));
        }
    }
}
