//! The affine balance of a role assignment: can the linear neurons, the mixed kink groups and
//! the anti-parallel zero-sum groups supply the affine part of `G` on `U`?
//!
//! Write `B` for the `n3 × n1` matrix `A + Σ_{P all flipped} J_P ŵ_Pᵀ` (the linear part the
//! neurons must produce once the forced flip terms are moved over; constants are absorbed by
//! `b3`). The neurons supply
//!
//! - `V Wᵀ` with `W ≥ 0` (`n1 × L`): the `L` linear neurons;
//! - `−F_P ŵ_Pᵀ` with `F_P` free, for each kink `P` with members of both orientations;
//! - `E_g ν_gᵀ` with `E_g`, `ν_g` free, for each zero-sum group with members of both
//!   orientations (`G` of them),
//!
//! and the role assignment is realisable iff `B = V Wᵀ − Σ F_P ŵ_Pᵀ + Σ E_g ν_gᵀ` has a
//! solution. With `Z = span{ŵ_P : P mixed}`, `T = rowspace(B) + Z`, `ρ = dim T − dim Z` and
//! `κ = dim(span(T ∩ R^{n1}_{≥0}) + Z) − dim Z`, this holds iff
//!
//! ```text
//! ρ ≤ G,   or   L ≥ ρ − G + 1,   or   (L = ρ − G and L ≤ κ).
//! ```
//!
//! Proof. The equation says every row of `B` lies in `span(W) + Z + Q` for some `Q` of
//! dimension `≤ G` (take `Q` the row space of `Σ E_g ν_gᵀ`; conversely split each row along
//! `span(W)`, `Z` and `Q`). So it is solvable iff some nonnegative `W` makes
//! `m = dim((span(W) + Z) ∩ T / Z) ≥ ρ − G`. `L` nonnegative vectors give `m = L` only if all
//! of them lie in `T` and are independent modulo `Z`, which needs `L ≤ κ`; and they always
//! give any `L − 1` chosen directions `d_i` (take `w_0 = 1` and `w_i = d_i + c·1`, `c` large).
//! So the largest `m` is `min(ρ, L)` when `L ≤ κ` and `min(ρ, L − 1)` otherwise. ∎
//!
//! `span(T ∩ R^{n1}_{≥0}) = T ∩ {x_I = 0}`, where `I` is the set of coordinates that vanish on
//! all of `T ∩ R^{n1}_{≥0}` (one exact LP per coordinate). [`AffineProblem::solve`] follows
//! the proof and returns an explicit, randomised solution.

use crate::lin;
use crate::orbit::Lcg;
use fibers_exact::lp::{solve as lp_solve, LinearProgram};
use fibers_exact::{Matrix, Rational};

/// One instance of the affine balance (see the [module docs](self)).
#[derive(Clone, Debug)]
pub struct AffineProblem {
    /// `n1`.
    pub n1: usize,
    /// `B` (`n3` rows of length `n1`).
    pub b: Vec<Vec<Rational>>,
    /// `ŵ_P` of the mixed kinks.
    pub mixed: Vec<Vec<Rational>>,
    /// Number `G` of zero-sum groups with both orientations.
    pub groups: usize,
    /// Number `L` of linear neurons.
    pub linear: usize,
}

/// An explicit solution of an [`AffineProblem`].
#[derive(Clone, Debug)]
pub struct AffineSolution {
    /// The weights `w_l ≥ 0` of the linear neurons (`L` vectors of length `n1`).
    pub w: Vec<Vec<Rational>>,
    /// Their outgoing vectors `v_l` (`L` vectors of length `n3`).
    pub v: Vec<Vec<Rational>>,
    /// `F_P` for each mixed kink (length `n3`).
    pub f: Vec<Vec<Rational>>,
    /// `(E_g, ν_g)` for each mixed group (`ν_g` of length `n1`).
    pub groups: Vec<(Vec<Rational>, Vec<Rational>)>,
}

/// The subspaces the criterion is built from.
struct Spaces {
    /// Basis of `Z`.
    z: Vec<Vec<Rational>>,
    /// Basis of `T = rowspace(B) + Z`.
    t: Vec<Vec<Rational>>,
    /// `ρ`.
    rho: usize,
}

/// Coordinates that are positive somewhere on `T ∩ R^n_{≥0}`, each with a point of the cone
/// (in `T`) that is positive there.
fn cone_support(t: &[Vec<Rational>], n: usize) -> Vec<(usize, Vec<Rational>)> {
    let dim = t.len();
    if dim == 0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    for i in 0..n {
        // Variables c (dim); x = Σ c_m t_m; constraints -x ≤ 0 and x_i ≤ 1; maximise x_i.
        let mut rows = Vec::with_capacity(n + 1);
        let mut rhs = Vec::with_capacity(n + 1);
        for j in 0..n {
            rows.push((0..dim).map(|m| -&t[m][j]).collect::<Vec<_>>());
            rhs.push(Rational::zero());
        }
        rows.push((0..dim).map(|m| t[m][i].clone()).collect());
        rhs.push(Rational::one());
        let obj: Vec<Rational> = (0..dim).map(|m| t[m][i].clone()).collect();
        let lp = LinearProgram::new(Matrix::from_rows(rows), rhs, obj);
        if let fibers_exact::LpOutcome::Optimal { x, value, .. } = lp_solve(&lp) {
            if value.is_positive() {
                let point: Vec<Rational> = (0..n)
                    .map(|j| (0..dim).map(|m| &x[m] * &t[m][j]).sum())
                    .collect();
                out.push((i, point));
            }
        }
    }
    out
}

/// A basis of `span(T ∩ R^n_{≥0}) = T ∩ {x_I = 0}`.
fn cone_span(t: &[Vec<Rational>], support: &[usize], n: usize) -> Vec<Vec<Rational>> {
    let zero_coords: Vec<usize> = (0..n).filter(|j| !support.contains(j)).collect();
    // c with Σ c_m t_m[j] = 0 for j in I.
    let cols: Vec<Vec<Rational>> = t
        .iter()
        .map(|tm| zero_coords.iter().map(|&j| tm[j].clone()).collect())
        .collect();
    let rel = if zero_coords.is_empty() {
        (0..t.len())
            .map(|m| {
                let mut e = vec![Rational::zero(); t.len()];
                e[m] = Rational::one();
                e
            })
            .collect()
    } else {
        lin::column_relations(&cols, zero_coords.len())
    };
    let vecs: Vec<Vec<Rational>> = rel
        .iter()
        .map(|c| {
            (0..n)
                .map(|j| (0..t.len()).map(|m| &c[m] * &t[m][j]).sum())
                .collect()
        })
        .collect();
    lin::basis(&vecs, n)
}

impl AffineProblem {
    fn spaces(&self) -> Spaces {
        let n = self.n1;
        let z = lin::basis(&self.mixed, n);
        let mut all = self.b.clone();
        all.extend(z.iter().cloned());
        let t = lin::basis(&all, n);
        let rho = t.len() - z.len();
        Spaces { z, t, rho }
    }

    /// `κ` of the [module docs](self).
    fn kappa(&self, sp: &Spaces) -> usize {
        let n = self.n1;
        let support: Vec<usize> = cone_support(&sp.t, n).into_iter().map(|x| x.0).collect();
        let span = cone_span(&sp.t, &support, n);
        let mut with = span;
        with.extend(sp.z.iter().cloned());
        lin::rank(&with, n) - sp.z.len()
    }

    /// Whether the balance has a solution (exact; see the [module docs](self)).
    pub fn feasible(&self) -> bool {
        let sp = self.spaces();
        let (rho, g, l) = (sp.rho, self.groups, self.linear);
        if rho <= g || l > rho - g {
            return true;
        }
        l == rho - g && l <= self.kappa(&sp)
    }

    /// A solution with random choices wherever the balance leaves freedom, or `None` when there
    /// is none.
    pub fn solve(&self, rng: &mut Lcg) -> Option<AffineSolution> {
        let n = self.n1;
        let n3 = self.b.len();
        let sp = self.spaces();
        let (rho, g, l) = (sp.rho, self.groups, self.linear);
        let ones = vec![Rational::one(); n];
        let random_positive =
            |rng: &mut Lcg| -> Vec<Rational> { (0..n).map(|_| rng.positive()).collect::<Vec<_>>() };
        // Directions of T independent modulo Z.
        let mut dirs: Vec<Vec<Rational>> = Vec::new();
        {
            let mut cur = sp.z.clone();
            for t in &sp.t {
                if !lin::in_span(&cur, t) {
                    cur.push(t.clone());
                    dirs.push(t.clone());
                }
            }
        }
        let mut w: Vec<Vec<Rational>> = Vec::with_capacity(l);
        if rho <= g {
            // No direction is needed from the linear neurons.
        } else if l > rho - g {
            let m = rho.min(l - 1);
            w.push(lin::scaled(&ones, &rng.positive()));
            for d in dirs.iter().take(m) {
                let c =
                    d.iter()
                        .map(|x| -x.clone())
                        .fold(Rational::zero(), |a, b| if b > a { b } else { a })
                        + rng.positive();
                w.push(lin::axpy(d, &c, &ones));
            }
        } else if l == rho - g {
            // L vectors of T ∩ R^n_{≥0}, independent modulo Z.
            let support = cone_support(&sp.t, n);
            let sup_idx: Vec<usize> = support.iter().map(|x| x.0).collect();
            let mut interior = vec![Rational::zero(); n];
            for (_, p) in &support {
                interior = lin::axpy(&interior, &Rational::one(), p);
            }
            let span = cone_span(&sp.t, &sup_idx, n);
            let mut candidates: Vec<Vec<Rational>> = Vec::new();
            for attempt in 0..(4 * l + 4) {
                let y: Vec<Rational> = if attempt < 2 * l + 2 {
                    span.iter().fold(vec![Rational::zero(); n], |acc, b| {
                        lin::axpy(&acc, &Rational::ratio(rng.range(-5, 5), 1), b)
                    })
                } else {
                    span.get(attempt % span.len().max(1))
                        .cloned()
                        .unwrap_or_else(|| vec![Rational::zero(); n])
                };
                // Largest step keeping interior + eps y ≥ 0, halved.
                let mut eps = Rational::one();
                for (x, yi) in interior.iter().zip(&y) {
                    if yi.is_negative() {
                        let lim = x / &(-yi);
                        if lim < eps {
                            eps = lim;
                        }
                    }
                }
                eps *= Rational::ratio(1, 2);
                candidates.push(lin::axpy(&interior, &eps, &y));
            }
            candidates.push(interior.clone());
            let mut cur = sp.z.clone();
            for c in candidates {
                if w.len() == l {
                    break;
                }
                if !lin::in_span(&cur, &c) {
                    cur.push(c.clone());
                    w.push(c);
                }
            }
            if w.len() < l {
                return None;
            }
        } else {
            return None;
        }
        // Spare linear neurons: positive multiples of the others (or, for the first, a random
        // positive vector or zero), so that their outgoing weights can cancel and the sample
        // has genuinely linear neurons rather than v = 0.
        while w.len() < l {
            let next = if w.is_empty() {
                if rng.coin() {
                    vec![Rational::zero(); n]
                } else {
                    random_positive(rng)
                }
            } else {
                let i = rng.below(w.len());
                lin::scaled(&w[i], &rng.positive())
            };
            w.push(next);
        }
        debug_assert!(w.iter().all(|v| v.iter().all(|x| !x.is_negative())));
        // Y = Z + span(W); split every row of B into Y and a complement.
        let mut yspan = sp.z.clone();
        yspan.extend(w.iter().cloned());
        let ybasis = lin::basis(&yspan, n);
        let comp = lin::complement_coordinates(&ybasis, n);
        let mut full_cols: Vec<Vec<Rational>> = ybasis.clone();
        for &j in &comp {
            let mut e = vec![Rational::zero(); n];
            e[j] = Rational::one();
            full_cols.push(e);
        }
        let mut q_rows: Vec<Vec<Rational>> = Vec::with_capacity(n3);
        let mut y_rows: Vec<Vec<Rational>> = Vec::with_capacity(n3);
        for row in &self.b {
            let c = lin::solve_columns(&full_cols, row).expect("a basis of Q^n");
            let mut q = vec![Rational::zero(); n];
            for (idx, &j) in comp.iter().enumerate() {
                q[j] = c[ybasis.len() + idx].clone();
            }
            let y: Vec<Rational> = row.iter().zip(&q).map(|(a, b)| a - b).collect();
            q_rows.push(q);
            y_rows.push(y);
        }
        if lin::rank(&q_rows, n) > g {
            return None;
        }
        // y_o = Σ_l V[o][l] w_l − Σ_m F_m[o] ŵ_m.
        let mut cols: Vec<Vec<Rational>> = w.clone();
        cols.extend(self.mixed.iter().map(|m| m.iter().map(|x| -x).collect()));
        let rel = lin::column_relations(&cols, n);
        let mut v = vec![vec![Rational::zero(); n3]; l];
        let mut f = vec![vec![Rational::zero(); n3]; self.mixed.len()];
        for (o, y) in y_rows.iter().enumerate() {
            let mut c = lin::solve_columns(&cols, y)?;
            for r in &rel {
                c = lin::axpy(&c, &Rational::ratio(rng.range(-3, 3), 1), r);
            }
            for (li, vl) in v.iter_mut().enumerate() {
                vl[o] = c[li].clone();
            }
            for (mi, fm) in f.iter_mut().enumerate() {
                fm[o] = c[l + mi].clone();
            }
        }
        // Σ_g E_g ν_gᵀ = Q.
        let qbasis = lin::basis(&q_rows, n);
        let mut nus: Vec<Vec<Rational>> = Vec::with_capacity(g);
        for i in 0..g {
            match qbasis.get(i) {
                Some(b) => nus.push(lin::scaled(b, &rng.nonzero())),
                None => nus.push((0..n).map(|_| rng.nonzero()).collect()),
            }
        }
        let mut es = vec![vec![Rational::zero(); n3]; g];
        for (o, q) in q_rows.iter().enumerate() {
            let c = lin::solve_columns(&nus, q)?;
            for (gi, e) in es.iter_mut().enumerate() {
                e[o] = c[gi].clone();
            }
        }
        Some(AffineSolution {
            w,
            v,
            f,
            groups: es.into_iter().zip(nus).collect(),
        })
    }
}

impl AffineSolution {
    /// `V Wᵀ − Σ F_P ŵ_Pᵀ + Σ E_g ν_gᵀ` (to check a solution against `B`).
    pub fn product(&self, p: &AffineProblem) -> Vec<Vec<Rational>> {
        let n3 = p.b.len();
        let mut out = vec![vec![Rational::zero(); p.n1]; n3];
        for (o, row) in out.iter_mut().enumerate() {
            for (wl, vl) in self.w.iter().zip(&self.v) {
                *row = lin::axpy(row, &vl[o], wl);
            }
            for (m, fm) in p.mixed.iter().zip(&self.f) {
                *row = lin::axpy(row, &-&fm[o], m);
            }
            for (e, nu) in &self.groups {
                *row = lin::axpy(row, &e[o], nu);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(x: i64) -> Rational {
        Rational::from(x)
    }

    fn check(p: &AffineProblem, want: bool) {
        assert_eq!(p.feasible(), want, "{p:?}");
        let mut rng = Lcg::new(5);
        let s = p.solve(&mut rng);
        assert_eq!(s.is_some(), want, "{p:?}");
        if let Some(s) = s {
            assert_eq!(s.product(p), p.b);
            assert!(s.w.iter().all(|v| v.iter().all(|x| !x.is_negative())));
        }
    }

    #[test]
    fn one_linear_neuron_needs_a_sign_definite_row() {
        // B = [1, -1]: rowspace is the line through (1, -1), which has no nonzero point in
        // the orthant; one linear neuron cannot produce it, two can.
        let mk = |l, g, mixed: Vec<Vec<Rational>>| AffineProblem {
            n1: 2,
            b: vec![vec![r(1), r(-1)]],
            mixed,
            groups: g,
            linear: l,
        };
        check(&mk(0, 0, vec![]), false);
        check(&mk(1, 0, vec![]), false);
        check(&mk(2, 0, vec![]), true);
        check(&mk(0, 1, vec![]), true);
        // A mixed kink with ŵ = (1, -1) supplies it.
        check(&mk(0, 0, vec![vec![r(1), r(-1)]]), true);
        // ... but one with ŵ = (1, 2) leaves a direction that one linear neuron covers
        // (T = Q^2, Z = span(1,2), rho = 1, kappa = 1).
        check(&mk(1, 0, vec![vec![r(1), r(2)]]), true);
        check(&mk(0, 0, vec![vec![r(1), r(2)]]), false);
        // B = [2, 3] (sign-definite): one linear neuron suffices.
        let p = AffineProblem {
            n1: 2,
            b: vec![vec![r(2), r(3)]],
            mixed: vec![],
            groups: 0,
            linear: 1,
        };
        check(&p, true);
        let zero = AffineProblem {
            n1: 3,
            b: vec![vec![r(0), r(0), r(0)]; 2],
            mixed: vec![],
            groups: 1,
            linear: 2,
        };
        check(&zero, true);
    }

    #[test]
    fn rank_two_needs_two_directions() {
        let b = vec![vec![r(1), r(0), r(2)], vec![r(0), r(1), r(-1)]];
        for (l, g, want) in [
            (0, 0, false),
            (1, 0, false),
            (2, 0, true), // span{(1,0,2),(0,1,-1)} contains (1,0,2), (1,1,1) ≥ 0
            (3, 0, true),
            (1, 1, true),
            (0, 2, true),
            (0, 1, false),
        ] {
            let p = AffineProblem {
                n1: 3,
                b: b.clone(),
                mixed: vec![],
                groups: g,
                linear: l,
            };
            check(&p, want);
        }
    }
}
