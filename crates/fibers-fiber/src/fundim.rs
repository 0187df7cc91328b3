//! The functional dimension of a parameter: the exact rank over Q of the Jacobian of
//! `θ ↦ (f_θ(x_i))_i`, over rational points inside every linear region of `f_θ`.
//!
//! **Regions.** The activation regions of the network (every hidden neuron with a strict
//! sign) are enumerated by a branch tree over the neurons, layer 1 first: once the layer-1
//! phases are fixed every layer-2 pre-activation is affine in `x`. A node keeps a point `x*`
//! and a margin `t* > 0` with `σ_ν p_ν(x*) ≥ t*` for every fixed neuron; the child of the
//! sign of `p(x*)` inherits the point, the other child is tested by the exact LP
//! `max t : σ_ν p_ν(x) ≥ t, t ≤ 1`. A neuron whose pre-activation is constant on the node
//! needs no branching. One that is identically zero (its weights and bias all zero on the node)
//! can make `f_θ(x)` non-differentiable in θ on the whole region: a small change of its bias
//! enters through `σ`, one-sidedly. Such a region adds no gradients, as docs/theory.md §12
//! (Definition 12.1) takes the span over the inputs at which `f_θ(x)` is differentiable in θ;
//! it is counted in [`FunDim::non_differentiable_regions`]. On a region, `f_θ(x)` is
//! differentiable in θ exactly when every identically zero layer-2 neuron has `v = 0` and every
//! identically zero layer-1 neuron `j` has `Σ_k W3[o][k] W2[k][j] = 0` over the active layer-2
//! neurons `k`, for every output `o` (each such neuron's bias enters alone, so its one-sided
//! term cannot be cancelled by another's).
//!
//! **Points.** In each region `f_θ(x) = C(θ) x + d(θ)` near θ, so `∇_θ f_θ(x)` is affine in
//! `x` and its span over the region is spanned by its values at `x*` and `x* + δ e_i`
//! (`i < n0`), with `δ = t* / (1 + max_ν |∂p_ν/∂x_i|)` keeping every sign strict. The rank of
//! all these gradients is therefore exactly the rank of `θ ↦ f_θ` over all inputs.

use fibers_exact::lp::{solve as lp_solve, LinearProgram};
use fibers_exact::{linalg, LpOutcome, Matrix, Rational};
use fibers_net::Network;

/// Options of [`functional_dimension`].
#[derive(Clone, Debug)]
pub struct FunDimOptions {
    /// Stop (error) after this many regions.
    pub max_regions: usize,
}

impl Default for FunDimOptions {
    fn default() -> Self {
        FunDimOptions { max_regions: 4096 }
    }
}

/// The result of [`functional_dimension`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunDim {
    /// The rank of the Jacobian (the functional dimension).
    pub rank: usize,
    /// The number of parameters `D`.
    pub params: usize,
    /// The number of linear (activation) regions found.
    pub regions: usize,
    /// How many of them were left out because `f_θ(x)` is not differentiable in θ there (an
    /// identically zero neuron whose one-sided effect reaches the output; see the
    /// [module docs](self)). When all are, the span is empty and the rank is 0.
    pub non_differentiable_regions: usize,
    /// One interior point per region that adds gradients (the others are these plus `δ e_i`).
    pub interior_points: Vec<Vec<Rational>>,
    /// The number of points at which the Jacobian was evaluated.
    pub points: usize,
}

impl FunDim {
    /// `D − rank`.
    pub fn corank(&self) -> usize {
        self.params - self.rank
    }
}

/// Why the functional dimension could not be computed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FunDimError {
    /// More regions than the budget.
    Budget(usize),
    /// Some neuron has an identically zero pre-activation on a region. No longer produced:
    /// such regions are left out of the span (docs/theory.md §12, Definition 12.1) and
    /// counted in [`FunDim::non_differentiable_regions`].
    NotDifferentiable(String),
}

impl std::fmt::Display for FunDimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FunDimError::Budget(n) => {
                write!(f, "more than {n} linear regions (raise --max-regions)")
            }
            FunDimError::NotDifferentiable(m) => write!(f, "{m}"),
        }
    }
}

#[derive(Clone)]
struct Cons {
    g: Vec<Rational>,
    h: Rational,
    sign: i32,
}

fn value(g: &[Rational], h: &Rational, x: &[Rational]) -> Rational {
    let mut v = h.clone();
    for (a, b) in g.iter().zip(x) {
        if !a.is_zero() && !b.is_zero() {
            v += a * b;
        }
    }
    v
}

/// `max t` subject to `sign_c (g_c·x + h_c) ≥ t` for all constraints, `t ≤ 1`.
fn interior(cons: &[Cons], n0: usize) -> Option<(Vec<Rational>, Rational)> {
    let mut rows = Vec::with_capacity(cons.len() + 1);
    let mut rhs = Vec::with_capacity(cons.len() + 1);
    for c in cons {
        let s = Rational::from(c.sign);
        let mut row: Vec<Rational> = c.g.iter().map(|x| -(x * &s)).collect();
        row.push(Rational::one());
        rows.push(row);
        rhs.push(&c.h * &s);
    }
    let mut last = vec![Rational::zero(); n0];
    last.push(Rational::one());
    rows.push(last);
    rhs.push(Rational::one());
    let mut obj = vec![Rational::zero(); n0];
    obj.push(Rational::one());
    match lp_solve(&LinearProgram::new(Matrix::from_rows(rows), rhs, obj)) {
        LpOutcome::Optimal { mut x, value, .. } if value.is_positive() => {
            x.truncate(n0);
            Some((x, value))
        }
        _ => None,
    }
}

struct Leaf {
    x: Vec<Rational>,
    t: Rational,
    cons: Vec<Cons>,
    /// Whether `f_θ(x)` is differentiable in θ on the region.
    differentiable: bool,
}

struct Search<'a> {
    net: &'a Network,
    leaves: Vec<Leaf>,
    /// The neurons (layer 1 first) with an identically zero pre-activation on the node.
    zeros: Vec<usize>,
    budget: usize,
    progress: &'a mut dyn FnMut(usize),
}

impl Search<'_> {
    /// The affine pre-activation of neuron `nu` (layer 1 first) given the phases so far.
    fn affine(&self, nu: usize, phases: &[bool]) -> (Vec<Rational>, Rational) {
        let a = self.net.arch();
        if nu < a.n1 {
            return (self.net.w1()[nu].clone(), self.net.b1()[nu].clone());
        }
        let k = nu - a.n1;
        let mut g = vec![Rational::zero(); a.n0];
        let mut h = self.net.b2()[k].clone();
        for j in 0..a.n1 {
            let w = &self.net.w2()[k][j];
            if phases[j] && !w.is_zero() {
                for (gi, aji) in g.iter_mut().zip(&self.net.w1()[j]) {
                    *gi += w * aji;
                }
                h += w * &self.net.b1()[j];
            }
        }
        (g, h)
    }

    /// Whether `f_θ(x)` is differentiable in θ on the region of the complete `phases` (see the
    /// [module docs](self)).
    fn differentiable(&self, phases: &[bool]) -> bool {
        let a = self.net.arch();
        let (w2, w3) = (self.net.w2(), self.net.w3());
        self.zeros.iter().all(|&nu| {
            if nu >= a.n1 {
                let k = nu - a.n1;
                return w3.iter().all(|r| r[k].is_zero());
            }
            w3.iter().all(|r| {
                let e: Rational = (0..a.n2)
                    .filter(|&k| phases[a.n1 + k] && !r[k].is_zero() && !w2[k][nu].is_zero())
                    .map(|k| &r[k] * &w2[k][nu])
                    .sum();
                e.is_zero()
            })
        })
    }

    fn rec(
        &mut self,
        nu: usize,
        phases: &mut Vec<bool>,
        cons: &mut Vec<Cons>,
        x: Vec<Rational>,
        t: Rational,
    ) -> Result<(), FunDimError> {
        let a = self.net.arch();
        if nu == a.n1 + a.n2 {
            if self.leaves.len() >= self.budget {
                return Err(FunDimError::Budget(self.budget));
            }
            let differentiable = self.differentiable(phases);
            self.leaves.push(Leaf {
                x,
                t,
                cons: cons.clone(),
                differentiable,
            });
            (self.progress)(self.leaves.len());
            return Ok(());
        }
        let (g, h) = self.affine(nu, phases);
        if g.iter().all(Rational::is_zero) {
            let zero = h.is_zero();
            if zero {
                self.zeros.push(nu);
            }
            phases.push(h.is_positive());
            let r = self.rec(nu + 1, phases, cons, x, t);
            phases.pop();
            if zero {
                self.zeros.pop();
            }
            return r;
        }
        let here = value(&g, &h, &x);
        for sign in [1i32, -1] {
            let cons_new = Cons {
                g: g.clone(),
                h: h.clone(),
                sign,
            };
            let inherited = here.signum() == sign;
            let child = if inherited {
                let margin = &here * &Rational::from(sign);
                let t2 = if margin < t { margin } else { t.clone() };
                Some((x.clone(), t2))
            } else {
                cons.push(cons_new.clone());
                let r = interior(cons, a.n0);
                cons.pop();
                r
            };
            if let Some((x2, t2)) = child {
                cons.push(cons_new);
                phases.push(sign > 0);
                let r = self.rec(nu + 1, phases, cons, x2, t2);
                phases.pop();
                cons.pop();
                r?;
            }
        }
        Ok(())
    }
}

/// The gradient rows `∂f_o/∂θ` (one per output `o`) at `x`, in the order of
/// [`fibers_net::Architecture::param_names`].
pub fn gradient_rows(net: &Network, x: &[Rational]) -> Vec<Vec<Rational>> {
    let a = net.arch();
    let tr = net.trace(x);
    let d: Vec<bool> = tr.z.iter().map(Rational::is_positive).collect();
    let act1: Vec<bool> = tr.y.iter().map(Rational::is_positive).collect();
    let s: Vec<Rational> =
        tr.z.iter()
            .map(|z| {
                if z.is_positive() {
                    z.clone()
                } else {
                    Rational::zero()
                }
            })
            .collect();
    let mut rows = Vec::with_capacity(a.n3);
    for o in 0..a.n3 {
        let mut row = Vec::with_capacity(a.param_count());
        // e_j = Σ_k W3[o][k] d_k W2[k][j] for active j.
        let e: Vec<Rational> = (0..a.n1)
            .map(|j| {
                if !act1[j] {
                    return Rational::zero();
                }
                (0..a.n2)
                    .filter(|&k| d[k])
                    .map(|k| &net.w3()[o][k] * &net.w2()[k][j])
                    .sum()
            })
            .collect();
        for ej in &e {
            for xi in x {
                row.push(ej * xi);
            }
        }
        row.extend(e.iter().cloned());
        for k in 0..a.n2 {
            for j in 0..a.n1 {
                row.push(if d[k] {
                    &net.w3()[o][k] * &tr.u[j]
                } else {
                    Rational::zero()
                });
            }
        }
        for k in 0..a.n2 {
            row.push(if d[k] {
                net.w3()[o][k].clone()
            } else {
                Rational::zero()
            });
        }
        for o2 in 0..a.n3 {
            for sk in &s {
                row.push(if o2 == o {
                    sk.clone()
                } else {
                    Rational::zero()
                });
            }
        }
        for o2 in 0..a.n3 {
            row.push(Rational::from(i64::from(o2 == o)));
        }
        rows.push(row);
    }
    rows
}

/// The functional dimension of `net` (see the [module docs](self)); `progress` is called with
/// the number of regions found so far.
pub fn functional_dimension(
    net: &Network,
    opts: &FunDimOptions,
    progress: &mut dyn FnMut(usize),
) -> Result<FunDim, FunDimError> {
    let a = net.arch();
    let mut search = Search {
        net,
        leaves: Vec::new(),
        zeros: Vec::new(),
        budget: opts.max_regions,
        progress,
    };
    search.rec(
        0,
        &mut Vec::new(),
        &mut Vec::new(),
        vec![Rational::zero(); a.n0],
        Rational::one(),
    )?;
    let leaves = std::mem::take(&mut search.leaves);
    let mut rows: Vec<Vec<Rational>> = Vec::new();
    let mut points = 0;
    let mut interior_points = Vec::with_capacity(leaves.len());
    let mut non_differentiable_regions = 0;
    for leaf in &leaves {
        if !leaf.differentiable {
            non_differentiable_regions += 1;
            continue;
        }
        let mut pts = vec![leaf.x.clone()];
        for i in 0..a.n0 {
            let m = leaf
                .cons
                .iter()
                .map(|c| c.g[i].abs())
                .fold(Rational::zero(), |acc, v| if v > acc { v } else { acc });
            let delta = &leaf.t / &(m + Rational::one());
            let mut p = leaf.x.clone();
            p[i] += &delta;
            pts.push(p);
        }
        for p in &pts {
            debug_assert!(leaf
                .cons
                .iter()
                .all(|c| value(&c.g, &c.h, p).signum() == c.sign));
            rows.extend(gradient_rows(net, p));
        }
        points += pts.len();
        interior_points.push(leaf.x.clone());
    }
    let rank = if rows.is_empty() {
        0
    } else {
        linalg::rank(&Matrix::from_rows(rows))
    };
    Ok(FunDim {
        rank,
        params: a.param_count(),
        regions: leaves.len(),
        non_differentiable_regions,
        interior_points,
        points,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64, d: i64) -> Rational {
        Rational::from(n) / Rational::from(d)
    }

    /// A linear layer-2 neuron with `β = 0` (issue 15): its pre-activation vanishes on the
    /// region `x < -1/2` where both layer-1 neurons are off, so f is not differentiable in θ
    /// there; the rank is that of the gradients on the other two regions.
    #[test]
    fn a_linear_neuron_with_zero_bias_leaves_its_region_out() {
        let text = r#"{"architecture": [1, 2, 2, 1], "layers": [
            {"weight": [[1], [2]], "bias": [0, 1]},
            {"weight": [[1, 1], [1, -1]], "bias": [0, 1]},
            {"weight": [[1, 1]], "bias": [0]}]}"#;
        let net = fibers_net::json::network_from_str(text, "test").expect("valid network");
        let f =
            functional_dimension(&net, &FunDimOptions::default(), &mut |_| {}).expect("answered");
        assert_eq!((f.regions, f.non_differentiable_regions), (3, 1));
        // Independently: two points in each differentiable region (x > 0, -1/2 < x < 0).
        let mut rows = Vec::new();
        for x in [q(1, 1), q(2, 1), q(-1, 4), q(-1, 3)] {
            rows.extend(gradient_rows(&net, &[x]));
        }
        assert_eq!(f.rank, linalg::rank(&Matrix::from_rows(rows)));
        assert_eq!(f.rank, 4);
    }
}
