//! Layer-2 roles on the orthant and the canonical data of `G` on `U = R^{n1}_{≥0}`
//! (THEORY §4, §6).
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

use fibers_exact::Rational;
use fibers_net::Network;
use std::collections::BTreeMap;

/// The role of a layer-2 neuron on the orthant `U` (THEORY §4).
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

/// The canonical data of `G` on the orthant `U` (THEORY §6).
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
            Layer2Role::Linear => self.add_affine(w, beta, v),
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
                    // v σ(s ẑ) = v|s| σ(ẑ) − v|s| ẑ
                    let minus: Vec<Rational> = v.iter().map(|x| -(x * &abs)).collect();
                    self.add_affine(&normal[..self.n1], &normal[self.n1], &minus);
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
    pub fn finish(self) -> OrthantData {
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
    /// Whether layer-1 coordinate `j` enters `G` at all: some kink has `ŵ_j ≠ 0` or column `j`
    /// of `A` is nonzero.
    pub fn depends_on(&self, j: usize) -> bool {
        self.kinks.iter().any(|k| !k.normal[j].is_zero())
            || self.linear.iter().any(|r| !r[j].is_zero())
    }
}
