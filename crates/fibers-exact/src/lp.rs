//! Exact linear programming over the rationals, with certificates.
//!
//! [`solve`] maximizes `c·x` over `{x ∈ Qⁿ : A x ≤ b}` (no sign constraints on `x`) and
//! returns one of three certified outcomes ([`LpOutcome`]); [`feasible_point`] finds a point of
//! `{A x ≤ b}` or proves it empty. The certificates can be checked independently with
//! [`crate::lp_certificate`].
//!
//! # Method
//!
//! The primal `max c·x, A x ≤ b, x free` is solved through its dual in standard form,
//! `min b·y, Aᵀ y = c, y ≥ 0`, whose tableau has one row per variable of `x` and one column per
//! constraint, so free variables need no splitting. The dual is solved by the two-phase primal
//! simplex method in exact rational arithmetic:
//!
//! - Phase 1 minimizes the sum of artificial variables. A positive optimum yields `d` with
//!   `A d ≤ 0` and `c·d > 0` (the dual is infeasible), so the primal is unbounded if it is
//!   feasible at all, which [`feasible_point`] settles.
//! - Artificials left in the basis at level zero are pivoted out; rows where that is
//!   impossible are redundant and stay inert.
//! - Phase 2 minimizes `b·y`. An unbounded edge `r ≥ 0`, `Aᵀ r = 0`, `b·r < 0` is a Farkas
//!   certificate that `A x ≤ b` is empty. At an optimum the simplex multipliers are a primal
//!   optimal `x` (they satisfy `A x ≤ b` because the reduced costs are non-negative), with
//!   `c·x = b·y` by complementary slackness.
//!
//! The entering column is chosen by Dantzig's rule (most negative reduced cost); after a run of
//! degenerate pivots the method switches to Bland's rule (smallest index, ties in the ratio test
//! broken by smallest basic index) until the objective strictly improves again. Bland's rule
//! cannot cycle and there are finitely many strict improvements, so the method terminates on
//! every input, however degenerate.

use crate::matrix::Matrix;
use crate::rational::Rational;

/// The linear program `maximize c·x subject to A x ≤ b`, with `x` free in `Qⁿ`.
///
/// `a` is `m × n`, `b` has length `m` and `c` length `n`; `m` and `n` may be zero.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinearProgram {
    /// Constraint matrix `A` (`m × n`).
    pub a: Matrix,
    /// Right-hand side `b` (length `m`).
    pub b: Vec<Rational>,
    /// Objective `c` (length `n`), maximized.
    pub c: Vec<Rational>,
}

impl LinearProgram {
    /// `maximize c·x subject to a x ≤ b`. Panics when the shapes do not fit.
    pub fn new(a: Matrix, b: Vec<Rational>, c: Vec<Rational>) -> Self {
        let lp = LinearProgram { a, b, c };
        lp.check_shapes("LinearProgram::new");
        lp
    }

    /// Number of variables `n`.
    pub fn num_vars(&self) -> usize {
        self.a.cols()
    }

    /// Number of constraints `m`.
    pub fn num_constraints(&self) -> usize {
        self.a.rows()
    }

    fn check_shapes(&self, who: &str) {
        assert_eq!(
            self.a.rows(),
            self.b.len(),
            "{who}: A is {}×{} but b has length {}",
            self.a.rows(),
            self.a.cols(),
            self.b.len()
        );
        assert_eq!(
            self.a.cols(),
            self.c.len(),
            "{who}: A is {}×{} but c has length {}",
            self.a.rows(),
            self.a.cols(),
            self.c.len()
        );
    }
}

/// The certified result of [`solve`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LpOutcome {
    /// `x` feasible, dual `y ≥ 0` with `Aᵀy = c` and `b·y = c·x = value`.
    Optimal {
        /// An optimal point.
        x: Vec<Rational>,
        /// Optimal dual multipliers, one per constraint.
        dual: Vec<Rational>,
        /// The optimal value.
        value: Rational,
    },
    /// Farkas certificate `y ≥ 0` with `Aᵀy = 0` and `b·y < 0`.
    Infeasible {
        /// Non-negative multipliers, one per constraint.
        farkas: Vec<Rational>,
    },
    /// `x` feasible and a ray `d` with `A d ≤ 0` and `c·d > 0`.
    Unbounded {
        /// A feasible point.
        x: Vec<Rational>,
        /// A recession direction along which the objective increases.
        ray: Vec<Rational>,
    },
}

impl LpOutcome {
    /// The optimal value, when there is one.
    pub fn value(&self) -> Option<&Rational> {
        match self {
            LpOutcome::Optimal { value, .. } => Some(value),
            _ => None,
        }
    }

    /// Whether the program has an optimum.
    pub fn is_optimal(&self) -> bool {
        matches!(self, LpOutcome::Optimal { .. })
    }

    /// Whether the program is infeasible.
    pub fn is_infeasible(&self) -> bool {
        matches!(self, LpOutcome::Infeasible { .. })
    }

    /// Whether the program is unbounded.
    pub fn is_unbounded(&self) -> bool {
        matches!(self, LpOutcome::Unbounded { .. })
    }
}

/// Solves `maximize c·x subject to A x ≤ b`, `x` free, exactly.
///
/// Panics when the shapes of `lp` do not fit.
pub fn solve(lp: &LinearProgram) -> LpOutcome {
    lp.check_shapes("lp::solve");
    let outcome = match solve_dual(&lp.a, &lp.b, &lp.c) {
        DualResult::Optimal { x, y, value } => LpOutcome::Optimal { x, dual: y, value },
        DualResult::Farkas(farkas) => LpOutcome::Infeasible { farkas },
        DualResult::DualInfeasible(ray) => match feasible_point(&lp.a, &lp.b) {
            Ok(x) => LpOutcome::Unbounded { x, ray },
            Err(farkas) => LpOutcome::Infeasible { farkas },
        },
    };
    debug_assert!(crate::lp_certificate::check_outcome(lp, &outcome));
    outcome
}

/// A point of `{x : A x ≤ b}`, or a Farkas certificate `y ≥ 0` with `Aᵀy = 0` and `b·y < 0`
/// that the set is empty.
///
/// Solves `maximize -t subject to A x - t·1 ≤ b, t ≥ 0`, which is always feasible and bounded;
/// the optimum is `0` exactly when the set is nonempty. Panics unless `b.len() == a.rows()`.
pub fn feasible_point(a: &Matrix, b: &[Rational]) -> Result<Vec<Rational>, Vec<Rational>> {
    assert_eq!(
        a.rows(),
        b.len(),
        "lp::feasible_point: A is {}×{} but b has length {}",
        a.rows(),
        a.cols(),
        b.len()
    );
    let (m, n) = (a.rows(), a.cols());
    let mut data = Vec::with_capacity((m + 1) * (n + 1));
    for row in a.row_iter() {
        data.extend_from_slice(row);
        data.push(Rational::from(-1));
    }
    data.extend((0..n).map(|_| Rational::zero()));
    data.push(Rational::from(-1));
    let aug = Matrix::new(m + 1, n + 1, data);
    let mut aug_b = b.to_vec();
    aug_b.push(Rational::zero());
    let mut aug_c = vec![Rational::zero(); n + 1];
    aug_c[n] = Rational::from(-1);
    match solve_dual(&aug, &aug_b, &aug_c) {
        DualResult::Optimal {
            mut x,
            mut y,
            value,
        } => {
            if value.is_zero() {
                x.truncate(n);
                debug_assert!(crate::lp_certificate::check_feasible(a, b, &x));
                Ok(x)
            } else {
                y.truncate(m);
                debug_assert!(crate::lp_certificate::check_infeasible(a, b, &y));
                Err(y)
            }
        }
        // x = 0 with t = max(0, -min b) is feasible, and -t ≤ 0 bounds the objective.
        DualResult::Farkas(_) | DualResult::DualInfeasible(_) => {
            unreachable!("the auxiliary feasibility program is feasible and bounded")
        }
    }
}

/// What solving the dual `min b·y, Aᵀy = c, y ≥ 0` gives.
enum DualResult {
    /// Dual optimum `y`, primal optimum `x` (the simplex multipliers), common value.
    Optimal {
        x: Vec<Rational>,
        y: Vec<Rational>,
        value: Rational,
    },
    /// The dual is unbounded: a Farkas certificate for the primal.
    Farkas(Vec<Rational>),
    /// The dual is infeasible: `d` with `A d ≤ 0`, `c·d > 0`.
    DualInfeasible(Vec<Rational>),
}

/// How many consecutive degenerate Dantzig pivots are allowed before switching to Bland's rule.
const DEGENERATE_PIVOTS_BEFORE_BLAND: usize = 8;

/// A dense simplex tableau for `M y + s = rhs`, `M = ±Aᵀ` row by row, with one artificial
/// column per row.
///
/// Columns `0..m` are the structural variables `y_j` (one per primal constraint), columns
/// `m..m + n` the artificials; the last entry of every row is its right-hand side. `obj` holds
/// the reduced costs and, last, minus the current objective value.
struct Tableau {
    /// Number of structural columns.
    m: usize,
    rows: Vec<Vec<Rational>>,
    obj: Vec<Rational>,
    basis: Vec<usize>,
    /// Rows multiplied by -1 to make the right-hand side non-negative.
    flipped: Vec<bool>,
}

/// Why a simplex run stopped.
enum Stop {
    /// No improving column (or, in phase 1, objective zero reached).
    Optimal,
    /// Column `s` improves the objective without bound.
    Unbounded(usize),
}

impl Tableau {
    /// The phase-1 tableau for `Aᵀ y = c`, `y ≥ 0`, with all artificials basic.
    fn phase_one(a: &Matrix, c: &[Rational]) -> Self {
        let (m, n) = (a.rows(), a.cols());
        let width = m + n;
        let mut rows = Vec::with_capacity(n);
        let mut flipped = Vec::with_capacity(n);
        for (i, ci) in c.iter().enumerate() {
            let flip = ci.is_negative();
            let mut row = Vec::with_capacity(width + 1);
            row.extend((0..m).map(|j| {
                let v = a.get(j, i);
                if flip {
                    -v
                } else {
                    v.clone()
                }
            }));
            row.extend((0..n).map(|k| {
                if k == i {
                    Rational::one()
                } else {
                    Rational::zero()
                }
            }));
            row.push(ci.abs());
            rows.push(row);
            flipped.push(flip);
        }
        // Phase-1 costs: 0 on structurals, 1 on artificials; reduced costs c - c_B B⁻¹ M.
        let mut obj = vec![Rational::zero(); width + 1];
        for row in &rows {
            for j in (0..m).chain(std::iter::once(width)) {
                if !row[j].is_zero() {
                    obj[j] -= &row[j];
                }
            }
        }
        Tableau {
            m,
            rows,
            obj,
            basis: (m..m + n).collect(),
            flipped,
        }
    }

    fn width(&self) -> usize {
        self.m + self.rows.len()
    }

    /// Minus the value of the current objective at the current basic solution.
    fn neg_objective(&self) -> &Rational {
        &self.obj[self.width()]
    }

    /// Pivots column `s` into the basis at row `r`.
    fn pivot(&mut self, r: usize, s: usize) {
        let mut pivot_row = std::mem::take(&mut self.rows[r]);
        let inv = pivot_row[s].recip().expect("pivot element is nonzero");
        if inv != 1 {
            for x in pivot_row.iter_mut() {
                if !x.is_zero() {
                    *x *= &inv;
                }
            }
        }
        let support: Vec<usize> = (0..pivot_row.len())
            .filter(|&j| !pivot_row[j].is_zero())
            .collect();
        for row in self.rows.iter_mut().chain(std::iter::once(&mut self.obj)) {
            if row.is_empty() || row[s].is_zero() {
                continue;
            }
            let f = row[s].clone();
            for &j in &support {
                row[j] -= &f * &pivot_row[j];
            }
        }
        self.rows[r] = pivot_row;
        self.basis[r] = s;
    }

    /// Runs the simplex method on the current objective; only structural columns enter.
    /// With `stop_at_zero`, stops as soon as the objective is zero (phase 1).
    fn run(&mut self, stop_at_zero: bool) -> Stop {
        let rhs = self.width();
        let mut degenerate_run = 0;
        loop {
            if stop_at_zero && self.neg_objective().is_zero() {
                return Stop::Optimal;
            }
            let bland = degenerate_run >= DEGENERATE_PIVOTS_BEFORE_BLAND;
            let candidates = (0..self.m).filter(|&j| self.obj[j].is_negative());
            let entering = if bland {
                candidates.min()
            } else {
                // Most negative reduced cost; the first such column on ties.
                candidates.fold(None, |best: Option<usize>, j| match best {
                    Some(b) if self.obj[b] <= self.obj[j] => Some(b),
                    _ => Some(j),
                })
            };
            let Some(s) = entering else {
                return Stop::Optimal;
            };
            // Ratio test; ties go to the smallest basic variable (Bland).
            let mut leave: Option<(usize, Rational)> = None;
            for (i, row) in self.rows.iter().enumerate() {
                if !row[s].is_positive() {
                    continue;
                }
                let ratio = &row[rhs] / &row[s];
                let better = match &leave {
                    None => true,
                    Some((k, best)) => {
                        ratio < *best || (ratio == *best && self.basis[i] < self.basis[*k])
                    }
                };
                if better {
                    leave = Some((i, ratio));
                }
            }
            let Some((r, ratio)) = leave else {
                return Stop::Unbounded(s);
            };
            if ratio.is_zero() {
                degenerate_run += 1;
            } else {
                degenerate_run = 0;
            }
            self.pivot(r, s);
        }
    }

    /// After a phase 1 that reached zero: pivots basic artificials out where possible (these
    /// pivots are degenerate, so feasibility is kept). A row where it is impossible has only
    /// zeros in the structural columns, is redundant, and is never touched again.
    fn drive_out_artificials(&mut self) {
        for r in 0..self.rows.len() {
            if self.basis[r] < self.m {
                continue;
            }
            if let Some(j) = (0..self.m).find(|&j| !self.rows[r][j].is_zero()) {
                self.pivot(r, j);
            }
        }
    }

    /// Installs the phase-2 objective `min b·y` (zero cost on artificials).
    fn set_objective(&mut self, b: &[Rational]) {
        let width = self.width();
        let mut obj = Vec::with_capacity(width + 1);
        obj.extend_from_slice(b);
        obj.extend((self.m..=width).map(|_| Rational::zero()));
        for (row, &bv) in self.rows.iter().zip(&self.basis) {
            if bv >= self.m || b[bv].is_zero() {
                continue;
            }
            let cost = &b[bv];
            for (o, x) in obj.iter_mut().zip(row) {
                if !x.is_zero() {
                    *o -= cost * x;
                }
            }
        }
        self.obj = obj;
    }

    /// The simplex multipliers `π` in the original (unflipped) row signs, read off the
    /// reduced costs of the artificial columns, whose cost is `artificial_cost`:
    /// `d_{m+i} = artificial_cost - π'_i` and `π_i = ±π'_i`.
    fn multipliers(&self, artificial_cost: &Rational) -> Vec<Rational> {
        self.flipped
            .iter()
            .enumerate()
            .map(|(i, &flip)| {
                let p = artificial_cost - &self.obj[self.m + i];
                if flip {
                    -p
                } else {
                    p
                }
            })
            .collect()
    }
}

/// Solves `min b·y, Aᵀ y = c, y ≥ 0` by the two-phase simplex method.
fn solve_dual(a: &Matrix, b: &[Rational], c: &[Rational]) -> DualResult {
    let m = a.rows();
    let mut t = Tableau::phase_one(a, c);
    match t.run(true) {
        Stop::Optimal => {}
        Stop::Unbounded(_) => unreachable!("phase 1 is bounded below by zero"),
    }
    if !t.neg_objective().is_zero() {
        // π·M'_j ≤ 0 for all structural j and π·c' = w > 0: d = ±π is an improving ray.
        return DualResult::DualInfeasible(t.multipliers(&Rational::one()));
    }
    t.drive_out_artificials();
    t.set_objective(b);
    let rhs = t.width();
    match t.run(false) {
        Stop::Unbounded(s) => {
            let mut ray = vec![Rational::zero(); m];
            ray[s] = Rational::one();
            for (row, &bv) in t.rows.iter().zip(&t.basis) {
                if bv < m && !row[s].is_zero() {
                    ray[bv] = -&row[s];
                }
            }
            DualResult::Farkas(ray)
        }
        Stop::Optimal => {
            let mut y = vec![Rational::zero(); m];
            for (row, &bv) in t.rows.iter().zip(&t.basis) {
                if bv < m {
                    y[bv] = row[rhs].clone();
                }
            }
            DualResult::Optimal {
                x: t.multipliers(&Rational::zero()),
                y,
                value: -t.neg_objective(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lp_certificate::check_outcome;

    fn v(xs: &[i64]) -> Vec<Rational> {
        xs.iter().map(|&x| Rational::from(x)).collect()
    }

    fn lp(m: usize, n: usize, a: &[i64], b: &[i64], c: &[i64]) -> LinearProgram {
        LinearProgram::new(Matrix::from_i64(m, n, a), v(b), v(c))
    }

    #[test]
    fn simple_optimum() {
        // max x + y, x ≤ 2, y ≤ 3, x + y ≤ 4.
        let p = lp(3, 2, &[1, 0, 0, 1, 1, 1], &[2, 3, 4], &[1, 1]);
        let out = solve(&p);
        assert!(check_outcome(&p, &out));
        assert_eq!(out.value(), Some(&Rational::from(4)));
    }

    #[test]
    fn infeasible_and_unbounded() {
        // x ≤ 1, -x ≤ -2.
        let p = lp(2, 1, &[1, -1], &[1, -2], &[1]);
        let out = solve(&p);
        assert!(out.is_infeasible() && check_outcome(&p, &out));
        // max x, -x ≤ 0.
        let p = lp(1, 1, &[-1], &[0], &[1]);
        let out = solve(&p);
        assert!(out.is_unbounded() && check_outcome(&p, &out));
        // Infeasible with an objective that is unbounded on the recession cone.
        let p = lp(2, 2, &[1, 0, -1, 0], &[0, -1], &[0, 1]);
        let out = solve(&p);
        assert!(out.is_infeasible() && check_outcome(&p, &out));
    }

    #[test]
    fn feasibility() {
        let a = Matrix::from_i64(3, 2, &[-1, 0, 0, -1, 1, 1]);
        let x = feasible_point(&a, &v(&[0, 0, 1])).unwrap();
        assert!(crate::lp_certificate::check_feasible(
            &a,
            &v(&[0, 0, 1]),
            &x
        ));
        let y = feasible_point(&a, &v(&[0, 0, -1])).unwrap_err();
        assert!(crate::lp_certificate::check_infeasible(
            &a,
            &v(&[0, 0, -1]),
            &y
        ));
    }
}
