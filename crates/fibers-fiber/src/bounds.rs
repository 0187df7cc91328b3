//! The functional dimension by two certified bounds that meet (docs/theory.md §12), in
//! polynomial time, without enumerating linear regions.
//!
//! **Setting.** `θ = (W1, b1, W2, b2, W3, b3)` with `n1 ≤ n0` and `rank W1 = n1` (checked by a
//! rank over a prime field, which can only under-report). The functional dimension `fd(θ)` is
//! the rank of the Jacobian of `θ ↦ (f_θ(x))_x` over all inputs at which `f_θ(x)` is
//! differentiable in θ.
//!
//! **Reduction to layer-1 coordinates.** On an open activation region `R` of input space,
//! `f_θ(x) = M_R(θ) [x; 1]`, and the rows `∂M_R/∂θ` span the same space as the gradients
//! `∂f_θ(x)/∂θ` at `n0 + 1` affinely independent points of `R`. Let
//! `Φ = [[W1, b1], [0, 1]]` (full row rank) and write every layer-1 perturbation as
//! `δ[W1 b1] = H Φ + C K` with `K` a basis of a complement of the row space of `Φ`. Multiplying
//! `∂M_R` on the right by an inverse of `[Φ; K]` splits every region's rows into rows in
//! `(H, δW2, δb2, δW3, δb3)` alone — exactly the rows of the *reduced* network
//! `F(y) = W3 σ(W2 σ(y) + b2) + b3` with layer 1 perturbed by `H` — and rows `N_R C` in `C`
//! alone, where `N_R = W3 S2 W2 S1` (`S1`, `S2` the diagonal phase matrices of `R`). Hence
//! `fd(θ) = fd_red + (n0 − n1) · rank(N_R over all regions)`, and both parts are bounded here
//! from the same sampled regions. No matrix with `n0` columns is ever formed.
//!
//! **Lower bound.** Ranks over `F_p` ([`fibers_exact::modp`], a valid lower bound for the rank
//! over Q) of rows of the reduced Jacobian: the jump of `∂M` across every layer-1 kink
//! (a point `y` with `y_j = 0`, every other pre-activation nonzero) and every layer-2 kink
//! inside the open orthant (a point with `z_k = 0`), as differences of the rows of the two
//! adjacent regions; then the rows of whole regions at the negative orthant, the positive
//! orthant and random points, until the bounds meet or the budget of points runs out. The
//! rows are computed modulo `p` from the reduced parameters (reduction mod `p` is a ring
//! homomorphism, so these are the reductions of the exact rational rows); every sign that
//! decides which region a point lies in is evaluated exactly.
//!
//! **Upper bound.** `D − dim T`, where `T` is spanned by tangent vectors of symmetries whose
//! side conditions hold at θ (checked exactly on the parameters), each a vector `v` with
//! `J(x) v = 0` at every differentiable input `x` by a phase argument: positive scaling of
//! each layer-1 and layer-2 neuron (homogeneity of σ), the hidden shift of a hidden layer-1
//! neuron (the affected layer-2 neurons are inactive wherever `y_h < 0`), dead freedom
//! (a neuron with `(w, β) ≤ 0` is inactive at every differentiable input), null freedom
//! (`v = 0`), a layer-1 neuron feeding only dead neurons, positively parallel layer-2 neurons
//! (only `Σ μ v` matters) and the linear block (neurons with `(w, β) ≥ 0` are active at every
//! differentiable input, so only their total affine map matters). Each vector is also checked
//! against every sampled row (`J_X v = 0` mod p); a vector failing the check is dropped. `dim T`
//! is a rank over `F_p`, a lower bound for the rational rank, so `D − dim T` stays a valid upper
//! bound.
//!
//! When the bounds meet, `fd(θ)` is certified and the local dimension of the fiber is
//! `D − fd(θ)` (every symmetry direction is then tangent to the fiber and no other direction
//! keeps `f`).

use fibers_exact::modp::{self, EchelonModP, SparseRow, PRIMES};
use fibers_exact::{linalg, Matrix, Rational};
use fibers_net::random::Lcg;
use fibers_net::Network;
use std::collections::HashMap;

/// Options of [`fundim_bounds`].
#[derive(Clone, Debug)]
pub struct BoundsOptions {
    /// Random activation regions sampled after the kinks and the two orthants, at most.
    pub max_points: usize,
    /// Seed of the random points (the result is certified whatever the seed).
    pub seed: u64,
}

impl Default for BoundsOptions {
    fn default() -> Self {
        BoundsOptions {
            max_points: 64,
            seed: 1,
        }
    }
}

/// One family of symmetry directions counted in `T`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoveCount {
    /// Name of the move (e.g. `"layer-1 scaling"`).
    pub name: &'static str,
    /// Number of tangent vectors of this kind (before taking the rank of their union).
    pub vectors: usize,
}

/// The result of [`fundim_bounds`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// The number of parameters `D`.
    pub params: usize,
    /// Certified lower bound on the functional dimension (rank of sampled Jacobian rows).
    pub lower: usize,
    /// Certified upper bound on the functional dimension (`D − dim T`).
    pub upper: usize,
    /// Lower bound on `dim T`, the span of the verified symmetry directions.
    pub symmetry_rank: usize,
    /// The symmetry directions used, by kind.
    pub moves: Vec<MoveCount>,
    /// Tangent vectors dropped because some sampled row did not vanish on them (0 expected).
    pub rejected: usize,
    /// Kinks sampled (layer 1 and layer 2).
    pub kinks: usize,
    /// Whole activation regions sampled.
    pub regions: usize,
    /// Jacobian rows pushed (each a combination of point gradients).
    pub rows: usize,
    /// The prime of the field the ranks were taken over.
    pub prime: u64,
    /// Whether the budget of random points ran out before the bounds met.
    pub budget_exhausted: bool,
    /// Whether the lower bound is a triangular minor of the structured sample (linear time,
    /// no elimination) rather than an elimination over F_p.
    pub triangular: bool,
    /// Rank that `T` loses without the directions valid at θ only (the exchanges between
    /// positively parallel crossing neurons: at θ they share their phases, near θ they do
    /// not). They bound the functional dimension, but the local dimension of the fiber is then
    /// only bracketed (`D − fd` is an upper bound: the fiber's tangent cone lies in the kernel
    /// of the Jacobian).
    pub pointwise: usize,
}

impl Bounds {
    /// Whether the bounds meet (the functional dimension is then certified).
    pub fn certified(&self) -> bool {
        self.lower == self.upper
    }
    /// The functional dimension, if certified.
    pub fn value(&self) -> Option<usize> {
        self.certified().then_some(self.lower)
    }
    /// `D − fd`, the local dimension of the fiber, if certified: the bounds meet and every
    /// symmetry direction used is a vector field of symmetries near θ (docs/theory.md §12,
    /// Proposition 12.3).
    pub fn fiber_dimension(&self) -> Option<usize> {
        if self.pointwise > 0 {
            return None;
        }
        self.value().map(|v| self.params - v)
    }
    /// Bounds on the local fiber dimension: `(D − upper − pointwise, D − lower)`.
    pub fn fiber_dimension_bounds(&self) -> (usize, usize) {
        (
            (self.params - self.upper).saturating_sub(self.pointwise),
            self.params - self.lower,
        )
    }
}

/// Why the bounds method does not apply (the caller falls back to region enumeration).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotApplicable(pub String);

impl std::fmt::Display for NotApplicable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Column layout of the reduced parameter space `(H, δW2, δb2, δW3, δb3)`, numbered so that
/// elimination removes the off-diagonal of `H` first, then each layer-2 neuron's own block,
/// then the diagonal of `H` and `b3` (small fill-in).
struct Cols {
    n1: usize,
    n3: usize,
    base2: usize,
    bs: usize,
    diag: usize,
    b3: usize,
    total: usize,
}

impl Cols {
    fn new(n1: usize, n2: usize, n3: usize) -> Self {
        let base2 = n1 * n1;
        let bs = n3 + n1 + 1;
        let diag = base2 + n2 * bs;
        let b3 = diag + n1;
        Cols {
            n1,
            n3,
            base2,
            bs,
            diag,
            b3,
            total: b3 + n3,
        }
    }
    /// `H[j][i]`, `i ≤ n1` (`i = n1` is the bias column).
    fn h(&self, j: usize, i: usize) -> usize {
        if i == j {
            self.diag + j
        } else {
            j * self.n1 + if i < j { i } else { i - 1 }
        }
    }
    /// `W3[o][k]`.
    fn v(&self, k: usize, o: usize) -> usize {
        self.base2 + k * self.bs + o
    }
    /// `W2[k][i]` for `i < n1`, `b2[k]` for `i = n1`.
    fn w(&self, k: usize, i: usize) -> usize {
        self.base2 + k * self.bs + self.n3 + i
    }
    fn b3(&self, o: usize) -> usize {
        self.b3 + o
    }
}

/// The reduced network with exact and mod-p parameters.
struct Reduced<'a> {
    net: &'a Network,
    n1: usize,
    n2: usize,
    n3: usize,
    p: u64,
    /// `(w_k, β_k)` mod p.
    r: Vec<Vec<u64>>,
    /// `v[k][o] = W3[o][k]` mod p.
    v: Vec<Vec<u64>>,
    cols: Cols,
}

fn red(q: &Rational, p: u64) -> Option<u64> {
    modp::reduce(q, p)
}

impl<'a> Reduced<'a> {
    fn new(net: &'a Network, p: u64) -> Option<Self> {
        let a = net.arch();
        let mut r = Vec::with_capacity(a.n2);
        for k in 0..a.n2 {
            let mut row = Vec::with_capacity(a.n1 + 1);
            for x in &net.w2()[k] {
                row.push(red(x, p)?);
            }
            row.push(red(&net.b2()[k], p)?);
            r.push(row);
        }
        let mut v = vec![vec![0; a.n3]; a.n2];
        for o in 0..a.n3 {
            for k in 0..a.n2 {
                v[k][o] = red(&net.w3()[o][k], p)?;
            }
        }
        Some(Reduced {
            net,
            n1: a.n1,
            n2: a.n2,
            n3: a.n3,
            p,
            r,
            v,
            cols: Cols::new(a.n1, a.n2, a.n3),
        })
    }

    fn w(&self, k: usize, j: usize) -> &Rational {
        &self.net.w2()[k][j]
    }
    fn beta(&self, k: usize) -> &Rational {
        &self.net.b2()[k]
    }
    fn v_zero(&self, k: usize) -> bool {
        self.net.w3().iter().all(|row| row[k].is_zero())
    }

    /// Exact layer-2 pre-activations at `u`.
    fn z(&self, u: &[Rational]) -> Vec<Rational> {
        (0..self.n2)
            .map(|k| {
                let mut s = self.beta(k).clone();
                for (j, uj) in u.iter().enumerate() {
                    let w = self.w(k, j);
                    if !uj.is_zero() && !w.is_zero() {
                        s += w * uj;
                    }
                }
                s
            })
            .collect()
    }

    /// Rows of the jump across the layer-1 kink `y_j = 0` with layer-2 phases `s2`; also the
    /// `N`-row (`e_j` when the jump is nonzero).
    fn layer1_kink(&self, j: usize, s2: &[bool]) -> (Vec<SparseRow>, Vec<SparseRow>) {
        let p = self.p;
        let c = &self.cols;
        let g: Vec<u64> = (0..self.n3)
            .map(|o| {
                (0..self.n2).filter(|&k| s2[k]).fold(0, |acc, k| {
                    modp::add_mod(acc, modp::mul_mod(self.v[k][o], self.r[k][j], p), p)
                })
            })
            .collect();
        let dg = |o: usize| -> SparseRow {
            let mut row = Vec::with_capacity(2 * self.n2 + 1);
            for k in (0..self.n2).filter(|&k| s2[k]) {
                row.push((c.v(k, o), self.r[k][j]));
                row.push((c.w(k, j), self.v[k][o]));
            }
            row.push((c.h(j, j), g[o]));
            row
        };
        let mut rows = Vec::new();
        let Some(ostar) = (0..self.n3).find(|&o| g[o] != 0) else {
            for o in 0..self.n3 {
                rows.push(dg(o));
            }
            return (rows, Vec::new());
        };
        for i in 0..=self.n1 {
            if i == j {
                rows.push(dg(ostar));
            } else {
                rows.push(vec![(c.h(j, i), g[ostar])]);
            }
        }
        for o in (0..self.n3).filter(|&o| o != ostar) {
            rows.push(dg(o));
        }
        (rows, vec![vec![(j, 1)]])
    }

    /// Rows of the jump across the layer-2 kink `z_k = 0` inside the face of the orthant where
    /// the layer-1 neurons `s1` are active.
    fn layer2_kink(&self, k: usize, s1: &[bool]) -> (Vec<SparseRow>, Vec<SparseRow>) {
        let c = &self.cols;
        let rk: Vec<u64> = (0..=self.n1)
            .map(|i| {
                if i == self.n1 || s1[i] {
                    self.r[k][i]
                } else {
                    0
                }
            })
            .collect();
        let rk = &rk;
        let vk = &self.v[k];
        let entry = |o: usize, i: usize| -> SparseRow {
            let mut row = Vec::with_capacity(self.n1 + 2);
            row.push((c.v(k, o), rk[i]));
            if i == self.n1 || s1[i] {
                row.push((c.w(k, i), vk[o]));
            }
            for j in 0..self.n1 {
                row.push((c.h(j, i), modp::mul_mod(vk[o], rk[j], self.p)));
            }
            row
        };
        let mut rows = Vec::new();
        let (Some(ostar), Some(istar)) = (
            (0..self.n3).find(|&o| vk[o] != 0),
            (0..=self.n1).find(|&i| rk[i] != 0),
        ) else {
            return (rows, Vec::new());
        };
        for i in 0..=self.n1 {
            rows.push(entry(ostar, i));
        }
        for o in (0..self.n3).filter(|&o| o != ostar) {
            rows.push(entry(o, istar));
        }
        let nrow: SparseRow = (0..self.n1)
            .filter(|&j| rk[j] != 0)
            .map(|j| (j, rk[j]))
            .collect();
        (rows, vec![nrow])
    }

    /// All rows of the region with phases `s1`, `s2`, and its `N`-rows.
    fn region(&self, s1: &[bool], s2: &[bool]) -> (Vec<SparseRow>, Vec<SparseRow>) {
        let p = self.p;
        let c = &self.cols;
        let act2: Vec<usize> = (0..self.n2).filter(|&k| s2[k]).collect();
        let act1: Vec<usize> = (0..self.n1).filter(|&j| s1[j]).collect();
        let mut rows = Vec::new();
        let mut nrows = Vec::new();
        for o in 0..self.n3 {
            let n: Vec<u64> = act1
                .iter()
                .map(|&j| {
                    act2.iter().fold(0, |acc, &k| {
                        modp::add_mod(acc, modp::mul_mod(self.v[k][o], self.r[k][j], p), p)
                    })
                })
                .collect();
            nrows.push(act1.iter().zip(&n).map(|(&j, &x)| (j, x)).collect());
            for i in 0..=self.n1 {
                let mut row = Vec::with_capacity(2 * act2.len() + act1.len() + 1);
                if i == self.n1 || s1[i] {
                    for &k in &act2 {
                        row.push((c.v(k, o), self.r[k][i]));
                        row.push((c.w(k, i), self.v[k][o]));
                    }
                }
                if i == self.n1 {
                    row.push((c.b3(o), 1));
                }
                for (&j, &x) in act1.iter().zip(&n) {
                    row.push((c.h(j, i), x));
                }
                rows.push(row);
            }
        }
        (rows, nrows)
    }
}

/// A sparse tangent vector in the reduced columns, with exact entries.
type Tangent = (&'static str, Vec<(usize, Rational)>);

fn tangents(net: &Network, cols: &Cols) -> Vec<Tangent> {
    let a = net.arch();
    let (n1, n2, n3) = (a.n1, a.n2, a.n3);
    let r = |k: usize, i: usize| -> &Rational {
        if i < n1 {
            &net.w2()[k][i]
        } else {
            &net.b2()[k]
        }
    };
    let v = |k: usize, o: usize| -> &Rational { &net.w3()[o][k] };
    let v_zero = |k: usize| (0..n3).all(|o| v(k, o).is_zero());
    let r_zero = |k: usize| (0..=n1).all(|i| r(k, i).is_zero());
    let nonpos = |k: usize| (0..=n1).all(|i| !r(k, i).is_positive());
    let nonneg = |k: usize| (0..=n1).all(|i| !r(k, i).is_negative());
    let mut out: Vec<Tangent> = Vec::new();
    // Layer-1 scalings.
    for j in 0..n1 {
        let mut t = vec![(cols.h(j, j), Rational::one())];
        for k in 0..n2 {
            if !net.w2()[k][j].is_zero() {
                t.push((cols.w(k, j), -&net.w2()[k][j]));
            }
        }
        out.push(("layer-1 scaling", t));
    }
    // Dead (w, β) ≤ 0: v and (w, β) free; null v = 0: (w, β) free.
    for k in 0..n2 {
        let dead = nonpos(k);
        if dead || v_zero(k) {
            for i in 0..=n1 {
                out.push((
                    "dead or null freedom",
                    vec![(cols.w(k, i), Rational::one())],
                ));
            }
        }
        if dead {
            for o in 0..n3 {
                out.push((
                    "dead or null freedom",
                    vec![(cols.v(k, o), Rational::one())],
                ));
            }
        }
    }
    let live = |k: usize| !v_zero(k) && !nonpos(k);
    // Hidden shift (raw conditions of docs/theory.md §4) and unused layer-1 neurons.
    for h in 0..n1 {
        let hidden = (0..n2)
            .filter(|&k| !v_zero(k))
            .all(|k| !r(k, n1).is_positive() && (0..n1).all(|i| i == h || !r(k, i).is_positive()));
        if hidden {
            let mut t = vec![(cols.h(h, n1), Rational::one())];
            for k in 0..n2 {
                if !v_zero(k) && net.w2()[k][h].is_positive() {
                    t.push((cols.w(k, n1), -&net.w2()[k][h]));
                }
            }
            out.push(("hidden shift", t));
        }
        let unused = (0..n2).all(|k| !live(k) || net.w2()[k][h].is_zero());
        if unused {
            for i in 0..=n1 {
                out.push((
                    "unused layer-1 neuron",
                    vec![(cols.h(h, i), Rational::one())],
                ));
            }
        }
    }
    // Classes of layer-2 neurons that share their phase at every differentiable input: the
    // linear neurons ((w, β) ≥ 0, always active, together with b3) and each class of
    // positively parallel crossing neurons. Only Σ_k v_k (w_k, β_k) over a class matters:
    // every (δv, δw, δβ[, δb3]) with Σ δv_k ⊗ r_k + v_k ⊗ δr_k (+ δb3 ⊗ e_last) = 0 is a
    // direction of the kernel. A single crossing neuron gives its scaling.
    let mut classes: Vec<(Vec<usize>, Vec<Rational>)> = Vec::new();
    let mut lin: Vec<usize> = Vec::new();
    for k in 0..n2 {
        if r_zero(k) || nonpos(k) {
            continue;
        }
        if nonneg(k) {
            lin.push(k);
            continue;
        }
        let first = (0..=n1).find(|&i| !r(k, i).is_zero()).expect("nonzero");
        let s = r(k, first).abs();
        let norm: Vec<Rational> = (0..=n1).map(|i| r(k, i) / &s).collect();
        match classes.iter_mut().find(|(_, n)| *n == norm) {
            Some((members, _)) => members.push(k),
            None => classes.push((vec![k], norm)),
        }
    }
    let scaling = |k: usize| -> Tangent {
        let mut t = Vec::new();
        for i in 0..=n1 {
            if !r(k, i).is_zero() {
                t.push((cols.w(k, i), r(k, i).clone()));
            }
        }
        for o in 0..n3 {
            if !v(k, o).is_zero() {
                t.push((cols.v(k, o), -v(k, o)));
            }
        }
        ("layer-2 scaling", t)
    };
    let mut groups: Vec<(Vec<usize>, bool)> =
        classes.into_iter().map(|(m, _)| (m, false)).collect();
    if !lin.is_empty() {
        groups.push((lin, true));
    }
    for (members, with_b3) in groups {
        if members.len() == 1 && !with_b3 {
            out.push(scaling(members[0]));
            continue;
        }
        let bs = n3 + n1 + 1;
        let nvars = members.len() * bs + if with_b3 { n3 } else { 0 };
        let neq = n3 * (n1 + 1);
        let name = if with_b3 {
            "linear block"
        } else {
            "parallel layer-2 neurons"
        };
        if nvars * neq > 400_000 {
            // Too large for an exact nullspace: scalings and the simplest exchanges only (the
            // upper bound may then not meet the lower one).
            for &k in &members {
                out.push(scaling(k));
                if with_b3 {
                    let mut t = vec![(cols.w(k, n1), Rational::one())];
                    for o in 0..n3 {
                        if !v(k, o).is_zero() {
                            t.push((cols.b3(o), -v(k, o)));
                        }
                    }
                    out.push((name, t));
                }
            }
            continue;
        }
        if !with_b3 {
            // The scalings, and the exchanges of outgoing weights that keep `Σ_k v_k r_k`
            // (`r_a = ρ r_b`: `δv_a = e_o`, `δv_b = −ρ e_o`), are fields of symmetries near θ
            // (the members stay parallel); the other kernel vectors below hold at θ only.
            let a = members[0];
            let first = (0..=n1).find(|&i| !r(a, i).is_zero()).expect("nonzero");
            for &k in &members {
                out.push(scaling(k));
                if k != a {
                    let rho = r(a, first) / r(k, first);
                    for o in 0..n3 {
                        out.push((
                            "parallel outgoing exchange",
                            vec![(cols.v(a, o), Rational::one()), (cols.v(k, o), -&rho)],
                        ));
                    }
                }
            }
        }
        let var_v = |li: usize, o: usize| li * bs + o;
        let var_r = |li: usize, i: usize| li * bs + n3 + i;
        let var_b3 = |o: usize| members.len() * bs + o;
        let mut m = Matrix::zeros(neq, nvars);
        for o in 0..n3 {
            for i in 0..=n1 {
                let e = o * (n1 + 1) + i;
                for (li, &k) in members.iter().enumerate() {
                    m.set(e, var_v(li, o), r(k, i).clone());
                    m.set(e, var_r(li, i), v(k, o).clone());
                }
                if with_b3 && i == n1 {
                    m.set(e, var_b3(o), Rational::one());
                }
            }
        }
        for basis in linalg::nullspace(&m) {
            let mut t = Vec::new();
            for (li, &k) in members.iter().enumerate() {
                for o in 0..n3 {
                    let x = &basis[var_v(li, o)];
                    if !x.is_zero() {
                        t.push((cols.v(k, o), x.clone()));
                    }
                }
                for i in 0..=n1 {
                    let x = &basis[var_r(li, i)];
                    if !x.is_zero() {
                        t.push((cols.w(k, i), x.clone()));
                    }
                }
            }
            if with_b3 {
                for o in 0..n3 {
                    let x = &basis[var_b3(o)];
                    if !x.is_zero() {
                        t.push((cols.b3(o), x.clone()));
                    }
                }
            }
            out.push((name, t));
        }
    }
    out
}

/// Lower bound on `rank W1` (mod p): `n1` means layer 1 is onto.
fn layer1_rank(net: &Network, p: u64) -> Option<usize> {
    let a = net.arch();
    let mut e = EchelonModP::new(p, a.n0);
    for row in net.w1() {
        e.push_rational(row)?;
    }
    Some(e.rank())
}

struct State<'a> {
    red: &'a Reduced<'a>,
    ech: EchelonModP,
    nech: EchelonModP,
    /// Tangent vectors mod p, and the column index `col → [(vector, value)]`.
    tvals: Vec<Option<Vec<(usize, u64)>>>,
    tindex: HashMap<usize, Vec<(usize, u64)>>,
    rows: usize,
    d_red: usize,
    c_factor: usize,
    c_upper: usize,
    upper: usize,
}

impl State<'_> {
    /// Checks `J_X v = 0` on one row for every tangent vector still standing (a vector that
    /// fails is dropped) and counts the row.
    fn check(&mut self, row: &SparseRow) {
        let p = self.red.p;
        let mut acc: HashMap<usize, u64> = HashMap::new();
        for &(c, x) in row {
            if let Some(list) = self.tindex.get(&c) {
                for &(t, y) in list {
                    let e = acc.entry(t).or_insert(0);
                    *e = modp::add_mod(*e, modp::mul_mod(x, y, p), p);
                }
            }
        }
        for (t, val) in acc {
            if val != 0 {
                self.tvals[t] = None;
            }
        }
        self.rows += 1;
    }
    fn push(&mut self, rows: Vec<SparseRow>, nrows: Vec<SparseRow>) {
        for row in rows {
            self.check(&row);
            self.ech.push(row);
        }
        for row in nrows {
            self.nech.push(row);
        }
    }
    fn lower(&self) -> usize {
        self.ech.rank() + self.c_factor * self.nech.rank()
    }
    fn done(&self) -> bool {
        self.lower() >= self.upper
    }
}

/// A lower bound on the rank of a set of sparse rows by a triangular certificate, in time
/// linear in their entries: each row accepted takes as its pivot a column where it is nonzero
/// that no earlier accepted row is nonzero at, and every other column it is nonzero at is
/// closed to later pivots. The accepted rows restricted to their pivot columns form a square
/// lower-triangular matrix with a nonzero diagonal (row `t` is zero at the pivot of every row
/// accepted after it), so its determinant is nonzero mod `p` and the rank of the rows over
/// `F_p` — hence over `Q` — is at least the number accepted. No elimination, no fill-in.
struct Triangular {
    /// 0: open, 1: closed (some accepted row is nonzero there), 2: a pivot.
    state: Vec<u8>,
    rank: usize,
}

impl Triangular {
    fn new(cols: usize) -> Self {
        Triangular {
            state: vec![0; cols],
            rank: 0,
        }
    }
    /// Accepts the row if it has a nonzero entry at an open column (the first such becomes its
    /// pivot). Entries must be reduced mod p; zero entries are ignored.
    fn push(&mut self, row: &SparseRow) -> bool {
        let Some(&(pc, _)) = row.iter().find(|&&(c, x)| x != 0 && self.state[c] == 0) else {
            return false;
        };
        for &(c, x) in row {
            if x != 0 && self.state[c] == 0 {
                self.state[c] = 1;
            }
        }
        self.state[pc] = 2;
        self.rank += 1;
        true
    }
}

/// The rows of the structured sample: one layer-1 kink per layer-1 neuron and one layer-2
/// kink per live layer-2 neuron, all near one base point `u0` of the open orthant, and the
/// region of `u0`; each kink point is `u0` moved along one coordinate, so its exact
/// pre-activations cost `O(n2)` from those of `u0`.
struct Structured {
    /// Rows in the order the triangular certificate takes them: single-entry rows of the
    /// layer-1 kinks, layer-2 kink rows, region rows, the other layer-1 kink rows.
    rows: Vec<SparseRow>,
    nrows: Vec<SparseRow>,
    kinks: usize,
    regions: usize,
}

fn structured(red: &Reduced<'_>, rng: &mut Lcg) -> Structured {
    let (n1, n2) = (red.n1, red.n2);
    let u0: Vec<Rational> = (0..n1)
        .map(|_| Rational::ratio(rng.range(1, 64), rng.range(1, 16)))
        .collect();
    let z0 = red.z(&u0);
    let mut single = Vec::new();
    let mut wide = Vec::new();
    let mut l2 = Vec::new();
    let mut reg = Vec::new();
    let mut nrows = Vec::new();
    let mut kinks = 0;
    let mut regions = 0;
    // Layer-1 kinks: u0 with u_j = 0.
    for j in 0..n1 {
        let z: Vec<Rational> = (0..n2)
            .map(|k| {
                let w = red.w(k, j);
                if w.is_zero() {
                    z0[k].clone()
                } else {
                    &z0[k] - &(w * &u0[j])
                }
            })
            .collect();
        if z.iter().any(Rational::is_zero) {
            continue;
        }
        let s2: Vec<bool> = z.iter().map(Rational::is_positive).collect();
        let (rows, nr) = red.layer1_kink(j, &s2);
        for r in rows {
            if r.len() <= 1 {
                single.push(r);
            } else {
                wide.push(r);
            }
        }
        nrows.extend(nr);
        kinks += 1;
    }
    // Layer-2 kinks: u0 moved along a coordinate i until z_k = 0, u_i growing.
    let all = vec![true; n1];
    for k in 0..n2 {
        if red.v_zero(k) || z0[k].is_zero() {
            continue;
        }
        let want_positive = z0[k].is_negative();
        let Some(i) = (0..n1).find(|&i| {
            let w = red.w(k, i);
            !w.is_zero() && w.is_positive() == want_positive
        }) else {
            continue;
        };
        let alpha = -(&z0[k] / red.w(k, i));
        let z: Vec<Rational> = (0..n2)
            .map(|k2| {
                let w = red.w(k2, i);
                if w.is_zero() {
                    z0[k2].clone()
                } else {
                    &z0[k2] + &(w * &alpha)
                }
            })
            .collect();
        debug_assert!(z[k].is_zero());
        if z.iter().enumerate().any(|(k2, zk)| k2 != k && zk.is_zero()) {
            continue;
        }
        let (rows, nr) = red.layer2_kink(k, &all);
        l2.extend(rows);
        nrows.extend(nr);
        kinks += 1;
    }
    // The region of u0.
    if !z0.iter().any(Rational::is_zero) {
        let s2: Vec<bool> = z0.iter().map(Rational::is_positive).collect();
        let (rows, nr) = red.region(&all, &s2);
        reg.extend(rows);
        nrows.extend(nr);
        regions += 1;
    }
    let mut rows = single;
    rows.extend(l2);
    rows.extend(reg);
    rows.extend(wide);
    for r in &mut rows {
        normalise_row(r, red.p);
    }
    for r in &mut nrows {
        normalise_row(r, red.p);
    }
    Structured {
        rows,
        nrows,
        kinks,
        regions,
    }
}

/// Sorts a row by column, merges repeated columns and drops zeros.
fn normalise_row(row: &mut SparseRow, p: u64) {
    row.sort_unstable_by_key(|e| e.0);
    let mut out: SparseRow = Vec::with_capacity(row.len());
    for &(c, x) in row.iter() {
        match out.last_mut() {
            Some(last) if last.0 == c => last.1 = modp::add_mod(last.1, x % p, p),
            _ => out.push((c, x % p)),
        }
    }
    out.retain(|e| e.1 != 0);
    *row = out;
}

/// Certified lower and upper bounds on the functional dimension of `net` (see the
/// [module docs](self)). `progress` is called with a short message at each phase.
pub fn fundim_bounds(
    net: &Network,
    opts: &BoundsOptions,
    progress: &mut dyn FnMut(String),
) -> Result<Bounds, NotApplicable> {
    let a = net.arch();
    if a.n1 > a.n0 {
        return Err(NotApplicable(format!(
            "layer 1 is wider than the input ({} > {})",
            a.n1, a.n0
        )));
    }
    let Some((p, red)) = PRIMES.iter().find_map(|&p| {
        let r = Reduced::new(net, p)?;
        (layer1_rank(net, p)? == a.n1).then_some((p, r))
    }) else {
        return Err(NotApplicable(
            "layer 1 does not have full row rank (or no prime fits)".into(),
        ));
    };
    let (n1, n2) = (a.n1, a.n2);
    if let Some(k) = (0..n2).find(|&k| {
        !red.v_zero(k) && net.w2()[k].iter().all(Rational::is_zero) && red.beta(k).is_zero()
    }) {
        return Err(NotApplicable(format!(
            "layer-2 neuron {k} has zero incoming weights and a nonzero outgoing column, so f \
             is not differentiable in the parameters"
        )));
    }
    let cols = &red.cols;
    let d_red = cols.total;
    let c_factor = a.n0 - n1;

    // Upper bound.
    progress("symmetry directions".into());
    let tangents = tangents(net, cols);
    let unused = (0..n1)
        .filter(|&h| {
            (0..n2).all(|k| {
                red.v_zero(k)
                    || (0..=n1)
                        .all(|i| !(if i < n1 { red.w(k, i) } else { red.beta(k) }).is_positive())
                    || red.w(k, h).is_zero()
            })
        })
        .count();
    let c_upper = c_factor * (n1 - unused);
    let mut tvals = Vec::with_capacity(tangents.len());
    let mut tindex: HashMap<usize, Vec<(usize, u64)>> = HashMap::new();
    for (ti, (_, t)) in tangents.iter().enumerate() {
        match modp::sparse_mod(t.iter().map(|(c, x)| (*c, x)), p) {
            Some(sp) => {
                for &(c, x) in &sp {
                    tindex.entry(c).or_default().push((ti, x));
                }
                tvals.push(Some(sp));
            }
            None => tvals.push(None),
        }
    }
    let t_rank_of = |tvals: &[Option<SparseRow>]| {
        let mut e = EchelonModP::new(p, d_red);
        for t in tvals.iter().flatten() {
            e.push(t.clone());
        }
        e.rank()
    };
    let t_rank = t_rank_of(&tvals);
    let upper = d_red - t_rank + c_upper;
    // Directions valid at θ only: the exchanges within a class of positively parallel
    // crossing neurons (their scalings, genuine fields, are added separately).
    let genuine_rank = |tvals: &[Option<SparseRow>]| {
        let mut e = EchelonModP::new(p, d_red);
        for (t, (name, _)) in tvals.iter().zip(&tangents) {
            if let Some(t) = t {
                if *name != "parallel layer-2 neurons" {
                    e.push(t.clone());
                }
            }
        }
        e.rank()
    };
    let mut st = State {
        red: &red,
        ech: EchelonModP::new(p, d_red),
        nech: EchelonModP::new(p, n1),
        tvals,
        tindex,
        rows: 0,
        d_red,
        c_factor,
        c_upper,
        upper,
    };
    let mut rng = Lcg::new(opts.seed);
    let mut kinks = 0;
    let mut regions = 0;

    // Fast path: the structured sample with a triangular certificate (linear time). For a
    // generic parameter (every layer-2 neuron crossing) it meets the upper bound; otherwise
    // its rows go into the elimination below.
    progress("structured rows and a triangular certificate".into());
    let sr = structured(&red, &mut rng);
    let mut tri = Triangular::new(d_red);
    let mut ntri = Triangular::new(n1);
    for row in &sr.rows {
        st.check(row);
        tri.push(row);
    }
    for row in &sr.nrows {
        ntri.push(row);
    }
    kinks += sr.kinks;
    regions += sr.regions;
    let tri_lower = tri.rank + c_factor * ntri.rank;
    let rejected_fast =
        st.tvals.iter().filter(|t| t.is_none()).count() - tangents_unreducible(&tangents, p);
    if rejected_fast == 0 && tri_lower >= upper {
        let mut moves: Vec<MoveCount> = Vec::new();
        for (name, _) in &tangents {
            match moves.iter_mut().find(|m| m.name == *name) {
                Some(m) => m.vectors += 1,
                None => moves.push(MoveCount { name, vectors: 1 }),
            }
        }
        return Ok(Bounds {
            params: a.param_count(),
            lower: upper,
            upper,
            symmetry_rank: t_rank + c_factor * unused,
            moves,
            rejected: 0,
            kinks,
            regions,
            rows: st.rows,
            prime: p,
            budget_exhausted: false,
            triangular: true,
            pointwise: t_rank - genuine_rank(&st.tvals),
        });
    }
    for row in sr.rows {
        st.ech.push(row);
    }
    for row in sr.nrows {
        st.nech.push(row);
    }

    let mut deferred: Vec<SparseRow> = Vec::new();
    // Layer-1 kinks: y_j = 0, the other coordinates positive.
    progress(format!("layer-1 kinks (0/{n1})"));
    for j in 0..n1 {
        if st.done() {
            break;
        }
        let mut found = 0;
        for attempt in 0..6 {
            if found >= 3 || (found >= 1 && st.done()) {
                break;
            }
            // First the other layer-1 neurons all active, then random subsets of them.
            let mut u: Vec<Rational> = (0..n1)
                .map(|_| {
                    if attempt == 0 || rng.range(0, 2) > 0 {
                        Rational::ratio(rng.range(1, 64), rng.range(1, 16))
                    } else {
                        Rational::zero()
                    }
                })
                .collect();
            u[j] = Rational::zero();
            let z = red.z(&u);
            if z.iter().any(Rational::is_zero) {
                continue;
            }
            let s2: Vec<bool> = z.iter().map(Rational::is_positive).collect();
            let (rows, nrows) = red.layer1_kink(j, &s2);
            // The single-entry rows (off-diagonal of H) now; the rows through the layer-2
            // blocks after the layer-2 kinks, whose small pivot rows keep the fill-in local.
            let (single, wide): (Vec<SparseRow>, Vec<SparseRow>) =
                rows.into_iter().partition(|r| r.len() <= 1);
            st.push(single, nrows);
            deferred.extend(wide);
            kinks += 1;
            found += 1;
        }
    }
    // Layer-2 kinks inside the open orthant.
    progress(format!("layer-2 kinks ({n2} neurons)"));
    for k in 0..n2 {
        if st.done() {
            break;
        }
        if red.v_zero(k) {
            continue;
        }
        let mut found = 0;
        for attempt in 0..12 {
            if found >= 3 || (found >= 1 && st.done()) {
                break;
            }
            // First the open orthant, then random faces of it.
            let s1: Vec<bool> = (0..n1)
                .map(|_| attempt < 2 || rng.range(0, 2) > 0)
                .collect();
            if attempt >= 2 && s1 == vec![true; n1] {
                continue;
            }
            let Some(u) = kink_point(&red, k, &s1, &mut rng) else {
                continue;
            };
            let z = red.z(&u);
            debug_assert!(z[k].is_zero());
            if z.iter().enumerate().any(|(k2, zk)| k2 != k && zk.is_zero()) {
                continue;
            }
            let (rows, nrows) = red.layer2_kink(k, &s1);
            st.push(rows, nrows);
            kinks += 1;
            found += 1;
        }
    }
    st.push(deferred, Vec::new());
    // Whole regions: the negative orthant, the positive orthant, then random points.
    let mut budget_exhausted = false;
    let mut tried = 0usize;
    let mut sampled = 0usize;
    while !st.done() {
        let y: Vec<Rational> = match tried {
            0 => vec![Rational::from(-1); n1],
            1 => (0..n1)
                .map(|_| Rational::ratio(rng.range(1, 64), rng.range(1, 16)))
                .collect(),
            _ => {
                let scale = Rational::from(2)
                    .pow(rng.range(-6, 6) as i32)
                    .expect("nonzero");
                (0..n1)
                    .map(|_| &rng.nonzero_rational(64, 16) * &scale)
                    .collect()
            }
        };
        tried += 1;
        if tried > 2 {
            if sampled >= opts.max_points {
                budget_exhausted = true;
                break;
            }
            sampled += 1;
            progress(format!("random regions ({sampled}/{})", opts.max_points));
        }
        if tried > 2 + 4 * opts.max_points + 8 {
            budget_exhausted = true;
            break;
        }
        let u: Vec<Rational> = y
            .iter()
            .map(|t| {
                if t.is_positive() {
                    t.clone()
                } else {
                    Rational::zero()
                }
            })
            .collect();
        let z = red.z(&u);
        if z.iter().any(Rational::is_zero) {
            continue;
        }
        let s1: Vec<bool> = y.iter().map(Rational::is_positive).collect();
        let s2: Vec<bool> = z.iter().map(Rational::is_positive).collect();
        let (rows, nrows) = red.region(&s1, &s2);
        st.push(rows, nrows);
        regions += 1;
    }
    // Tangent vectors that failed a row check are dropped: recompute the upper bound.
    let rejected =
        st.tvals.iter().filter(|t| t.is_none()).count() - tangents_unreducible(&tangents, p);
    let t_rank = if rejected > 0 {
        t_rank_of(&st.tvals)
    } else {
        t_rank
    };
    let upper = st.d_red - t_rank + st.c_upper;
    let lower = st.lower().min(upper);
    let mut moves: Vec<MoveCount> = Vec::new();
    for (name, _) in &tangents {
        match moves.iter_mut().find(|m| m.name == *name) {
            Some(m) => m.vectors += 1,
            None => moves.push(MoveCount { name, vectors: 1 }),
        }
    }
    Ok(Bounds {
        params: a.param_count(),
        lower,
        upper,
        symmetry_rank: t_rank + c_factor * unused,
        moves,
        rejected,
        kinks,
        regions,
        rows: st.rows,
        prime: p,
        budget_exhausted: budget_exhausted && lower < upper,
        triangular: false,
        pointwise: t_rank - genuine_rank(&st.tvals),
    })
}

fn tangents_unreducible(t: &[Tangent], p: u64) -> usize {
    t.iter()
        .filter(|(_, v)| modp::sparse_mod(v.iter().map(|(c, x)| (*c, x)), p).is_none())
        .count()
}

/// A point of the open orthant on the hyperplane `z_k = 0` (exact), if one is found.
fn kink_point(red: &Reduced<'_>, k: usize, s1: &[bool], rng: &mut Lcg) -> Option<Vec<Rational>> {
    let n1 = red.n1;
    let zero = Rational::zero();
    let w = |i: usize| if s1[i] { red.w(k, i) } else { &zero };
    let beta = red.beta(k);
    // Pick the solved coordinate i and (when β = 0) a driving coordinate l of opposite sign.
    let pos: Vec<usize> = (0..n1).filter(|&i| w(i).is_positive()).collect();
    let neg: Vec<usize> = (0..n1).filter(|&i| w(i).is_negative()).collect();
    let (i, drive) = if beta.is_positive() {
        (*pick(&neg, rng)?, None)
    } else if beta.is_negative() {
        (*pick(&pos, rng)?, None)
    } else {
        (*pick(&pos, rng)?, Some(*pick(&neg, rng)?))
    };
    let eps = Rational::ratio(1, rng.range(64, 4096));
    let mut u: Vec<Rational> = (0..n1)
        .map(|l| {
            if s1[l] {
                &eps * &Rational::ratio(rng.range(1, 64), rng.range(1, 16))
            } else {
                Rational::zero()
            }
        })
        .collect();
    if let Some(l) = drive {
        u[l] = Rational::ratio(rng.range(1, 16), rng.range(1, 4));
    }
    // Solve w·u + β = 0 for u_i.
    let mut rest = beta.clone();
    for (l, ul) in u.iter().enumerate() {
        if l != i {
            rest += w(l) * ul;
        }
    }
    let ui = -(&rest / w(i));
    if !ui.is_positive() {
        return None;
    }
    u[i] = ui;
    Some(u)
}

fn pick<'a>(v: &'a [usize], rng: &mut Lcg) -> Option<&'a usize> {
    if v.is_empty() {
        None
    } else {
        v.get(rng.range(0, v.len() as i64 - 1) as usize)
    }
}
