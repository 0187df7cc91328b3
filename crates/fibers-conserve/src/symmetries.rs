//! The continuous symmetries at a parameter: infinitesimal generators, exact checks, and the
//! Noether charge each one induces or fails to induce.
//!
//! A generator is a polynomial vector field `X` on parameter space with `X(f_s,o) ≡ 0` for every
//! pattern `s` of the pattern set and output `o` (checked exactly: [`Symmetry::verified`]).
//! Its **candidate charge** is the Poincaré potential `Q_X(θ) = ∫₀¹ X(tθ)·θ dt`: for a linear
//! field `X = Mθ` this is `½ θᵀMθ`, for a translation `X = e` it is `e·θ`, and for
//! `X = e + Nθ` it is `e·θ + ½ θᵀNθ`. When `X` is a gradient field (`∂ᵢXⱼ = ∂ⱼXᵢ`, checked
//! exactly: [`Symmetry::gradient_field`]), `∇Q_X = X`, and `X(f) ≡ 0` says exactly that `Q_X`
//! is conserved: the symmetry *induces* the law `Q_X`. When `X` is not a gradient field, `Q_X`
//! is only the natural candidate, and [`crate::nonconserved`] shows exactly that it changes
//! along the flow (the Lie-algebra count of [`crate::lie`] shows that no other function is
//! conserved in its place either).
//!
//! Symmetries listed (those present at the parameter and the pattern set):
//!
//! - scaling of each layer-1 and each layer-2 neuron (M2): `X = Mθ`, `M` diagonal ±1;
//! - mixing of two layer-2 neurons with the same phase in every pattern (M4 for two linear
//!   neurons), symmetric part (a law) and antisymmetric part (a rotation-like field, not a
//!   gradient field: no law); likewise for two layer-1 neurons with the same phase in every
//!   pattern where some layer-2 neuron is active;
//! - a frozen parameter (dead-neuron freedom M3): the translation `∂/∂p`;
//! - hidden shift (M7) of a hidden layer-1 neuron `h`:
//!   `∂/∂c_h − Σ_{k: w_kh > 0} W2[k][h] ∂/∂β_k`;
//! - bias exchange of an always-active layer-2 neuron `k` with `b3`:
//!   `∂/∂β_k − Σ_o W3[o][k] ∂/∂b3[o]`; of a layer-1 neuron `j` active in every pattern where
//!   some layer-2 neuron is, with `b2`: `∂/∂c_j − Σ_k W2[k][j] ∂/∂β_k`;
//! - kernel freedom of a block of `n3 + 1` always-active layer-2 neurons `S` (M4, docs/theory.md's
//!   `lin`): `Σ_{k∈S} n_k(V) ∂/∂p_k[i]` with `n(V)` the signed maximal minors of `V = W3[:, S]`
//!   (so `V n = 0`) and `p_k[i]` an entry of `(w_k, β_k)`.

use crate::model::{output_polynomial, Pattern};
use crate::regions::PatternSet;
use fibers_exact::Rational;
use fibers_net::{Architecture, Network};
use fibers_semialg::{Polynomial, Var, VectorField};

/// The family a symmetry belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SymmetryKind {
    /// Positive scaling of a neuron (M2).
    Scaling,
    /// Symmetric mixing of always-active neurons (M4).
    MixingSymmetric,
    /// Antisymmetric mixing of always-active neurons (M4).
    MixingAntisymmetric,
    /// A parameter that no output depends on (M3).
    Frozen,
    /// Hidden shift (M7).
    HiddenShift,
    /// Exchange of an always-active neuron's bias with the next layer's bias.
    BiasExchange,
    /// Kernel freedom of a linear block wider than `n3`.
    KernelFreedom,
}

/// One continuous symmetry.
#[derive(Clone, Debug)]
pub struct Symmetry {
    /// A short name, e.g. `"hidden shift h=0"`.
    pub name: String,
    /// The family.
    pub kind: SymmetryKind,
    /// The infinitesimal generator.
    pub generator: VectorField,
    /// Whether `X(f_s,o) ≡ 0` for every pattern of the set and every output (exact).
    pub verified: bool,
    /// Whether `X` is a gradient field (exact).
    pub gradient_field: bool,
    /// The candidate charge `Q_X` (Poincaré potential).
    pub charge: Polynomial,
    /// Other names of the same generator (e.g. the hidden shift of `h` is also the exchange
    /// of `b1[h]` with `b2` when every neuron reading `h` has `w_kh > 0`).
    pub aliases: Vec<String>,
}

impl Symmetry {
    /// Whether the symmetry induces a conservation law (its charge): verified and a gradient
    /// field.
    pub fn induces_law(&self) -> bool {
        self.verified && self.gradient_field
    }
}

/// The Poincaré potential `∫₀¹ X(tθ)·θ dt` (see the [module docs](self)).
pub fn poincare_potential(x: &VectorField) -> Polynomial {
    let mut q = Polynomial::zero();
    for (v, f) in x.components() {
        for (m, c) in f.terms() {
            let deg = i64::try_from(m.degree()).expect("small degree");
            let coef = c * &Rational::ratio(1, deg + 1);
            q += Polynomial::term(coef, m.clone()) * Polynomial::var(v.clone());
        }
    }
    q
}

/// Whether `x` is a gradient field: `∂X_v/∂w = ∂X_w/∂v` for all pairs of variables.
pub fn is_gradient_field(x: &VectorField) -> bool {
    let vars: Vec<Var> = x.variables().into_iter().collect();
    for (a, v) in vars.iter().enumerate() {
        for w in &vars[a + 1..] {
            if x.component(v).derivative(w) != x.component(w).derivative(v) {
                return false;
            }
        }
    }
    true
}

/// Whether `X(f_s,o) ≡ 0` for every pattern and output.
pub fn is_symmetry(x: &VectorField, arch: &Architecture, patterns: &[Pattern]) -> bool {
    patterns
        .iter()
        .all(|p| (0..arch.n3).all(|o| x.apply(&output_polynomial(arch, p, o)).is_zero()))
}

fn pv(v: Var) -> Polynomial {
    Polynomial::var(v)
}

/// Row `p_k = (w_k, β_k)` of layer 2 as variables.
fn row2(arch: &Architecture, k: usize) -> Vec<Var> {
    (0..arch.n1)
        .map(|j| Var::w2(k, j))
        .chain([Var::b2(k)])
        .collect()
}
/// Row `(a_j, c_j)` of layer 1 as variables.
fn row1(arch: &Architecture, j: usize) -> Vec<Var> {
    (0..arch.n0)
        .map(|i| Var::w1(j, i))
        .chain([Var::b1(j)])
        .collect()
}

/// The mixing field `δp_k = p_l, δp_l = ±p_k, δv_k = ∓v_l, δv_l = −v_k` (sign `+` symmetric).
fn mixing_field(rows: (&[Var], &[Var]), cols: (&[Var], &[Var]), symmetric: bool) -> VectorField {
    let s = if symmetric { 1 } else { -1 };
    let sgn = Polynomial::from(s);
    let mut comps = Vec::new();
    for (a, b) in rows.0.iter().zip(rows.1) {
        comps.push((a.clone(), pv(b.clone())));
        comps.push((b.clone(), &sgn * &pv(a.clone())));
    }
    for (a, b) in cols.0.iter().zip(cols.1) {
        comps.push((a.clone(), &(-&sgn) * &pv(b.clone())));
        comps.push((b.clone(), -pv(a.clone())));
    }
    VectorField::new(comps)
}

/// Determinant of a square matrix of polynomials (Laplace expansion; small sizes only).
fn det(m: &[Vec<Polynomial>]) -> Polynomial {
    match m.len() {
        0 => Polynomial::one(),
        1 => m[0][0].clone(),
        n => (0..n)
            .map(|c| {
                let minor: Vec<Vec<Polynomial>> = m[1..]
                    .iter()
                    .map(|r| {
                        r.iter()
                            .enumerate()
                            .filter(|(i, _)| *i != c)
                            .map(|(_, x)| x.clone())
                            .collect()
                    })
                    .collect();
                let t = &m[0][c] * &det(&minor);
                if c % 2 == 0 {
                    t
                } else {
                    -t
                }
            })
            .sum(),
    }
}

/// The most blocks `S` listed for the kernel freedom.
const MAX_KERNEL_BLOCKS: usize = 4;

fn combinations(items: &[usize], r: usize) -> Vec<Vec<usize>> {
    if r == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for (i, &x) in items.iter().enumerate() {
        for mut rest in combinations(&items[i + 1..], r - 1) {
            rest.insert(0, x);
            out.push(rest);
        }
    }
    out
}

/// All symmetries present at `net` for the pattern set (see the [module docs](self));
/// `hidden` lists the hidden layer-1 neurons (from `fibers_bottleneck::classify`).
pub fn symmetries(net: &Network, set: &PatternSet, hidden: &[usize]) -> Vec<Symmetry> {
    let arch = net.arch();
    let mut raw: Vec<(String, SymmetryKind, VectorField)> = Vec::new();
    for j in 0..arch.n1 {
        let mut comps: Vec<(Var, Polynomial)> = row1(&arch, j)
            .into_iter()
            .map(|v| (v.clone(), pv(v)))
            .collect();
        comps.extend((0..arch.n2).map(|k| (Var::w2(k, j), -pv(Var::w2(k, j)))));
        raw.push((
            format!("L1 scaling j={j}"),
            SymmetryKind::Scaling,
            VectorField::new(comps),
        ));
    }
    for k in 0..arch.n2 {
        let mut comps: Vec<(Var, Polynomial)> = row2(&arch, k)
            .into_iter()
            .map(|v| (v.clone(), pv(v)))
            .collect();
        comps.extend((0..arch.n3).map(|o| (Var::w3(o, k), -pv(Var::w3(o, k)))));
        raw.push((
            format!("L2 scaling k={k}"),
            SymmetryKind::Scaling,
            VectorField::new(comps),
        ));
    }
    let on2: Vec<usize> = (0..arch.n2)
        .filter(|&k| set.layer2_constancy()[k] == Some(true))
        .collect();
    let on1: Vec<usize> = (0..arch.n1)
        .filter(|&j| set.layer1_constancy()[j] == Some(true))
        .collect();
    for (k, l) in set.layer2_tied_pairs() {
        let (rk, rl) = (row2(&arch, k), row2(&arch, l));
        let ck: Vec<Var> = (0..arch.n3).map(|o| Var::w3(o, k)).collect();
        let cl: Vec<Var> = (0..arch.n3).map(|o| Var::w3(o, l)).collect();
        for sym in [true, false] {
            raw.push((
                format!(
                    "L2 mixing k={k},l={l} ({})",
                    if sym { "symmetric" } else { "antisymmetric" }
                ),
                if sym {
                    SymmetryKind::MixingSymmetric
                } else {
                    SymmetryKind::MixingAntisymmetric
                },
                mixing_field((&rk, &rl), (&ck, &cl), sym),
            ));
        }
    }
    for (j, l) in set.layer1_tied_pairs() {
        let (rj, rl) = (row1(&arch, j), row1(&arch, l));
        let cj: Vec<Var> = (0..arch.n2).map(|k| Var::w2(k, j)).collect();
        let cl: Vec<Var> = (0..arch.n2).map(|k| Var::w2(k, l)).collect();
        for sym in [true, false] {
            raw.push((
                format!(
                    "L1 mixing j={j},l={l} ({})",
                    if sym { "symmetric" } else { "antisymmetric" }
                ),
                if sym {
                    SymmetryKind::MixingSymmetric
                } else {
                    SymmetryKind::MixingAntisymmetric
                },
                mixing_field((&rj, &rl), (&cj, &cl), sym),
            ));
        }
    }
    for v in crate::laws::frozen_parameters(&arch, &set.patterns) {
        raw.push((
            format!("frozen {v}"),
            SymmetryKind::Frozen,
            VectorField::new([(v, Polynomial::one())]),
        ));
    }
    for &h in hidden {
        let mut comps = vec![(Var::b1(h), Polynomial::one())];
        for k in 0..arch.n2 {
            if net.w2()[k][h].is_positive() {
                comps.push((Var::b2(k), -pv(Var::w2(k, h))));
            }
        }
        raw.push((
            format!("hidden shift h={h}"),
            SymmetryKind::HiddenShift,
            VectorField::new(comps),
        ));
    }
    for &k in &on2 {
        let mut comps = vec![(Var::b2(k), Polynomial::one())];
        comps.extend((0..arch.n3).map(|o| (Var::b3(o), -pv(Var::w3(o, k)))));
        raw.push((
            format!("bias exchange b2[{k}] <-> b3"),
            SymmetryKind::BiasExchange,
            VectorField::new(comps),
        ));
    }
    for &j in &on1 {
        let mut comps = vec![(Var::b1(j), Polynomial::one())];
        comps.extend((0..arch.n2).map(|k| (Var::b2(k), -pv(Var::w2(k, j)))));
        raw.push((
            format!("bias exchange b1[{j}] <-> b2"),
            SymmetryKind::BiasExchange,
            VectorField::new(comps),
        ));
    }
    if on2.len() > arch.n3 {
        for block in combinations(&on2, arch.n3 + 1)
            .into_iter()
            .take(MAX_KERNEL_BLOCKS)
        {
            // n_k = (-1)^pos det(V without column k): Σ_k V[:,k] n_k = 0 (expansion of a
            // matrix with a repeated row).
            let normal: Vec<Polynomial> = (0..block.len())
                .map(|pos| {
                    let m: Vec<Vec<Polynomial>> = (0..arch.n3)
                        .map(|o| {
                            block
                                .iter()
                                .enumerate()
                                .filter(|(q, _)| *q != pos)
                                .map(|(_, &k)| pv(Var::w3(o, k)))
                                .collect()
                        })
                        .collect();
                    let d = det(&m);
                    if pos % 2 == 0 {
                        d
                    } else {
                        -d
                    }
                })
                .collect();
            for i in 0..=arch.n1 {
                let comps = block
                    .iter()
                    .zip(&normal)
                    .map(|(&k, n)| (row2(&arch, k)[i].clone(), n.clone()));
                let coord = if i < arch.n1 {
                    format!("W2[.][{i}]")
                } else {
                    "b2".to_string()
                };
                let names: Vec<String> = block.iter().map(|k| k.to_string()).collect();
                raw.push((
                    format!("kernel freedom k={} along {coord}", names.join(",")),
                    SymmetryKind::KernelFreedom,
                    VectorField::new(comps),
                ));
            }
        }
    }
    let mut out: Vec<Symmetry> = Vec::new();
    for (name, kind, generator) in raw {
        if let Some(s) = out.iter_mut().find(|s| s.generator == generator) {
            s.aliases.push(name);
            continue;
        }
        out.push(Symmetry {
            verified: is_symmetry(&generator, &arch, &set.patterns),
            gradient_field: is_gradient_field(&generator),
            charge: poincare_potential(&generator),
            name,
            aliases: Vec::new(),
            kind,
            generator,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn potentials() {
        let x = Var::new("x");
        let y = Var::new("y");
        // Scaling X = x d/dx - y d/dy: gradient of (x² - y²)/2.
        let s = VectorField::new([(x.clone(), pv(x.clone())), (y.clone(), -pv(y.clone()))]);
        assert!(is_gradient_field(&s));
        let q = poincare_potential(&s);
        assert_eq!(VectorField::gradient_of(&q), s);
        // X = d/dx - x d/dy is not a gradient field.
        let t = VectorField::new([(x.clone(), Polynomial::one()), (y.clone(), -pv(x.clone()))]);
        assert!(!is_gradient_field(&t));
        assert_eq!(
            poincare_potential(&t).to_string(),
            // x - x*y/2
            "-1/2*x*y + x"
        );
    }

    #[test]
    fn determinant() {
        let m = vec![
            vec![Polynomial::from(2), Polynomial::from(1)],
            vec![Polynomial::from(5), Polynomial::from(3)],
        ];
        assert_eq!(det(&m), Polynomial::from(1));
    }
}
