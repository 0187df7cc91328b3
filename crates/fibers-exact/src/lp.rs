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
//! simplex method, exactly:
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
//!
//! The tableau is kept fraction-free (integer pivoting): each row of the dual system is scaled to
//! integers once, and afterwards every entry is an integer minor of that system over the common
//! denominator `|det B|` of the current basis `B`. A pivot is then two products, a difference
//! and an exact division per entry, with no gcd, and entries never grow beyond the minors.
//! Certificates are converted back to rationals (and rays to primitive integer vectors) at the
//! end. For a few hundred constraints this is about 50 times faster than a rational tableau.
//!
//! The tableau runs first in `i128` with checked arithmetic, and over big integers only when
//! some entry overflows: the pivots compare exact values, so both runs take the same pivots
//! and give the same certificate. [`solve_i128`] and [`feasible_point_i128`] take integer data
//! directly in machine integers (no rational input to scale), for small programs solved by the
//! thousand.

use crate::integer::Integer;
use crate::lp_tableau::{solve_dual, solve_dual_fast, DualResult, Entry, System};
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
    let outcome = match solve_dual_fast(&rational_system(&lp.a, &lp.b, &lp.c)) {
        r @ DualResult::Optimal { .. } => {
            let (x, dual, value) = optimum(&r).expect("optimal");
            LpOutcome::Optimal { x, dual, value }
        }
        DualResult::Farkas(farkas) => LpOutcome::Infeasible {
            farkas: integers(&farkas),
        },
        DualResult::DualInfeasible(ray) => match feasible_point(&lp.a, &lp.b) {
            Ok(x) => LpOutcome::Unbounded {
                x,
                ray: integers(&ray),
            },
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
    let r = solve_dual_fast(&rational_system(&aug, &aug_b, &aug_c));
    let answer = feasibility_answer(&r, m, n);
    debug_assert!(match &answer {
        Ok(x) => crate::lp_certificate::check_feasible(a, b, x),
        Err(y) => crate::lp_certificate::check_infeasible(a, b, y),
    });
    answer
}

/// The least common multiple of the denominators of `xs` (1 for none).
fn common_denominator<'a>(xs: impl IntoIterator<Item = &'a Rational>) -> Integer {
    let mut l = Integer::one();
    for x in xs {
        if !x.is_integer() {
            let d = x.denom();
            let g = l.gcd(&d);
            l *= d.div_exact(&g);
        }
    }
    l
}

/// `x · scale` for an `x` whose denominator divides `scale`.
fn scaled_to_integer(x: &Rational, scale: &Integer) -> Integer {
    if x.is_zero() {
        Integer::zero()
    } else {
        x.numer() * scale.div_exact(&x.denom())
    }
}

/// The integer dual system of `max c·x, A x ≤ b`: column `i` of `A` and `cᵢ` scaled to
/// integers by their common denominator, `b` by its own.
fn rational_system(a: &Matrix, b: &[Rational], c: &[Rational]) -> System<Integer> {
    let m = a.rows();
    let (mut cols, mut cs, mut mus) = (Vec::new(), Vec::new(), Vec::new());
    for (i, ci) in c.iter().enumerate() {
        let mu = common_denominator((0..m).map(|j| a.get(j, i)).chain(std::iter::once(ci)));
        cols.push(
            (0..m)
                .map(|j| scaled_to_integer(a.get(j, i), &mu))
                .collect(),
        );
        cs.push(scaled_to_integer(ci, &mu));
        mus.push(mu);
    }
    let cost_scale = common_denominator(b);
    System {
        m,
        cols,
        c: cs,
        mu: mus,
        b: b.iter()
            .map(|x| scaled_to_integer(x, &cost_scale))
            .collect(),
        cost_scale,
    }
}

fn ratio(num: &Integer, den: &Integer) -> Rational {
    if *den == 1 {
        Rational::from_integer(num.clone())
    } else {
        Rational::new(num.clone(), den.clone()).expect("positive denominator")
    }
}

fn integers(v: &[Integer]) -> Vec<Rational> {
    v.iter()
        .map(|x| Rational::from_integer(x.clone()))
        .collect()
}

/// The rational form of an optimal dual result: `(x, y, value)`.
fn optimum<T: Entry>(r: &DualResult<T>) -> Option<(Vec<Rational>, Vec<Rational>, Rational)> {
    let DualResult::Optimal {
        x_num,
        x_den,
        y_num,
        y_den,
        value_num,
    } = r
    else {
        return None;
    };
    let (xd, yd) = (x_den.to_integer(), y_den.to_integer());
    let x = x_num.iter().map(|v| ratio(&v.to_integer(), &xd)).collect();
    let y = y_num.iter().map(|v| ratio(&v.to_integer(), &yd)).collect();
    Some((x, y, ratio(&value_num.to_integer(), &xd)))
}

/// The dual system of the feasibility program of [`feasible_point`] for integer data
/// (`a` row-major `m × n`): `maximize -t subject to A x - t·1 ≤ b, -t ≤ 0`.
fn feasibility_system(m: usize, n: usize, a: &[i128], b: &[i128]) -> System<i128> {
    let mut cols: Vec<Vec<i128>> = (0..n)
        .map(|i| {
            let mut col: Vec<i128> = (0..m).map(|j| a[j * n + i]).collect();
            col.push(0);
            col
        })
        .collect();
    cols.push(vec![-1; m + 1]);
    let mut c = vec![0; n + 1];
    c[n] = -1;
    let mut bb = b.to_vec();
    bb.push(0);
    System {
        m: m + 1,
        cols,
        c,
        mu: vec![1; n + 1],
        b: bb,
        cost_scale: 1,
    }
}

/// [`feasible_point`] for integer data in `i128` (`a` row-major `m × n`); `None` when the
/// arithmetic overflows.
pub fn feasible_point_i128(
    m: usize,
    n: usize,
    a: &[i128],
    b: &[i128],
) -> Option<Result<Vec<Rational>, Vec<Rational>>> {
    assert!(
        a.len() == m * n && b.len() == m,
        "lp::feasible_point_i128: shapes do not fit"
    );
    Some(match feasibility_i128(m, n, a, b)? {
        Ok(x) => Ok(x.to_rational()),
        Err(y) => Err(y.to_rational()),
    })
}

/// The feasibility program of [`feasible_point`] in `i128`: a point, or Farkas multipliers.
fn feasibility_i128(
    m: usize,
    n: usize,
    a: &[i128],
    b: &[i128],
) -> Option<Result<IntVector, IntVector>> {
    let DualResult::Optimal {
        mut x_num,
        x_den,
        mut y_num,
        y_den,
        value_num,
    } = solve_dual(&feasibility_system(m, n, a, b)).ok()?
    else {
        // x = 0 with t = max(0, -min b) is feasible, and -t ≤ 0 bounds the objective.
        unreachable!("the auxiliary feasibility program is feasible and bounded")
    };
    Some(if value_num == 0 {
        x_num.truncate(n);
        Ok(IntVector {
            num: x_num,
            den: x_den,
        })
    } else {
        y_num.truncate(m);
        Err(IntVector {
            num: y_num,
            den: y_den,
        })
    })
}

fn feasibility_answer<T: Entry>(
    r: &DualResult<T>,
    m: usize,
    n: usize,
) -> Result<Vec<Rational>, Vec<Rational>> {
    // x = 0 with t = max(0, -min b) is feasible, and -t ≤ 0 bounds the objective.
    let (mut x, mut y, value) =
        optimum(r).expect("the auxiliary feasibility program is feasible and bounded");
    if value.is_zero() {
        x.truncate(n);
        Ok(x)
    } else {
        y.truncate(m);
        Err(y)
    }
}

/// A rational vector as `i128` numerators over one positive `i128` denominator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntVector {
    /// Numerators.
    pub num: Vec<i128>,
    /// The common denominator (positive).
    pub den: i128,
}

impl IntVector {
    /// The vector as rationals.
    pub fn to_rational(&self) -> Vec<Rational> {
        let den = crate::lp_tableau::integer_from_i128(self.den);
        self.num
            .iter()
            .map(|v| ratio(&crate::lp_tableau::integer_from_i128(*v), &den))
            .collect()
    }
}

/// [`LpOutcome`] in machine integers, as [`solve_i128_exact`] gives it: the same certificates,
/// each vector over a common denominator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LpOutcomeI128 {
    /// An optimal point, optimal dual multipliers, and the value `value.0 / value.1`
    /// (`value.1 > 0`).
    Optimal {
        /// An optimal point.
        x: IntVector,
        /// Optimal dual multipliers, one per constraint.
        dual: IntVector,
        /// The optimal value as (numerator, positive denominator).
        value: (i128, i128),
    },
    /// Farkas multipliers, one per constraint.
    Infeasible {
        /// Non-negative multipliers.
        farkas: IntVector,
    },
    /// A feasible point and an improving recession direction.
    Unbounded {
        /// A feasible point.
        x: IntVector,
        /// The direction (integers).
        ray: Vec<i128>,
    },
}

impl LpOutcomeI128 {
    /// The same outcome over the rationals.
    pub fn to_rational(&self) -> LpOutcome {
        let int = |v: i128| crate::lp_tableau::integer_from_i128(v);
        match self {
            LpOutcomeI128::Optimal { x, dual, value } => LpOutcome::Optimal {
                x: x.to_rational(),
                dual: dual.to_rational(),
                value: ratio(&int(value.0), &int(value.1)),
            },
            LpOutcomeI128::Infeasible { farkas } => LpOutcome::Infeasible {
                farkas: farkas.to_rational(),
            },
            LpOutcomeI128::Unbounded { x, ray } => LpOutcome::Unbounded {
                x: x.to_rational(),
                ray: ray
                    .iter()
                    .map(|v| Rational::from_integer(int(*v)))
                    .collect(),
            },
        }
    }
}

/// [`solve`] for integer data in `i128`: `maximize c·x subject to A x ≤ b` with `a` row-major
/// `m × n`. Returns `None` when an intermediate value overflows `i128` (the caller then uses
/// [`solve`] on the same data); otherwise exactly the outcome [`solve`] gives on that data
/// (the same pivots on the same integer tableau), at a fraction of the cost.
///
/// Panics when the shapes do not fit.
pub fn solve_i128(m: usize, n: usize, a: &[i128], b: &[i128], c: &[i128]) -> Option<LpOutcome> {
    solve_i128_near(m, n, a, b, c, None)
}

/// [`solve_i128_exact`] over the rationals.
pub fn solve_i128_near(
    m: usize,
    n: usize,
    a: &[i128],
    b: &[i128],
    c: &[i128],
    point: Option<(&[i128], i128)>,
) -> Option<LpOutcome> {
    Some(solve_i128_exact(m, n, a, b, c, point)?.to_rational())
}

/// The dual tableau's system of `max c·x subject to A x ≤ b` for integer data (`a` row-major,
/// `m × n`), with unit column scales. Panics (naming `what`) when the shapes do not fit.
fn int_system(m: usize, n: usize, a: &[i128], b: &[i128], c: &[i128], what: &str) -> System<i128> {
    assert!(
        a.len() == m * n && b.len() == m && c.len() == n,
        "{what}: shapes do not fit"
    );
    System {
        m,
        cols: (0..n)
            .map(|i| (0..m).map(|j| a[j * n + i]).collect())
            .collect(),
        c: c.to_vec(),
        mu: vec![1; n],
        b: b.to_vec(),
        cost_scale: 1,
    }
}

/// [`solve_i128`] with the answer left in machine integers, and with a candidate point
/// `num / den` (`den > 0`) of `{A x ≤ b}`: when the program is unbounded and the candidate is
/// feasible (checked here, exactly), it is the feasible point of the answer, which saves the
/// second program that finds one. `None` on overflow.
///
/// Panics when the shapes do not fit.
pub fn solve_i128_exact(
    m: usize,
    n: usize,
    a: &[i128],
    b: &[i128],
    c: &[i128],
    point: Option<(&[i128], i128)>,
) -> Option<LpOutcomeI128> {
    let sys = int_system(m, n, a, b, c, "lp::solve_i128");
    let outcome = match solve_dual(&sys).ok()? {
        DualResult::Optimal {
            x_num,
            x_den,
            y_num,
            y_den,
            value_num,
        } => LpOutcomeI128::Optimal {
            x: IntVector {
                num: x_num,
                den: x_den,
            },
            dual: IntVector {
                num: y_num,
                den: y_den,
            },
            value: (value_num, x_den),
        },
        DualResult::Farkas(v) => LpOutcomeI128::Infeasible {
            farkas: IntVector { num: v, den: 1 },
        },
        DualResult::DualInfeasible(ray) => {
            let known = point.filter(|(num, den)| feasible_i128(m, n, a, b, num, *den));
            let x = match known {
                Some((num, den)) => Ok(IntVector {
                    num: num.to_vec(),
                    den,
                }),
                None => feasibility_i128(m, n, a, b)?,
            };
            match x {
                Ok(x) => LpOutcomeI128::Unbounded { x, ray },
                Err(farkas) => LpOutcomeI128::Infeasible { farkas },
            }
        }
    };
    #[cfg(debug_assertions)]
    {
        let q = |v: &[i128]| -> Vec<Rational> {
            v.iter()
                .map(|x| Rational::from_integer(crate::lp_tableau::integer_from_i128(*x)))
                .collect()
        };
        let lp = LinearProgram::new(Matrix::new(m, n, q(a)), q(b), q(c));
        debug_assert!(crate::lp_certificate::check_outcome(
            &lp,
            &outcome.to_rational()
        ));
    }
    Some(outcome)
}

/// The optimum of `maximize c·x subject to A x ≤ b` (integer data, `a` row-major `m × n`) with
/// its dual multipliers, in `i128`: `Some(Some((dual, value)))` with `value` as (numerator,
/// positive denominator), `Some(None)` when the program has no optimum (infeasible or
/// unbounded, not told apart, so that no second program is solved), `None` on overflow. The
/// multipliers are those of [`solve_i128`]: `dual ≥ 0`, `Aᵀ dual = c`, `b·dual = value`, so
/// `c·x ≤ value` on the set.
///
/// Panics when the shapes do not fit.
pub fn optimum_i128(
    m: usize,
    n: usize,
    a: &[i128],
    b: &[i128],
    c: &[i128],
) -> Option<Option<(IntVector, (i128, i128))>> {
    let sys = int_system(m, n, a, b, c, "lp::optimum_i128");
    Some(match solve_dual(&sys).ok()? {
        DualResult::Optimal {
            y_num,
            y_den,
            value_num,
            x_den,
            ..
        } => Some((
            IntVector {
                num: y_num,
                den: y_den,
            },
            (value_num, x_den),
        )),
        DualResult::Farkas(_) | DualResult::DualInfeasible(_) => None,
    })
}

/// Whether `A (num / den) ≤ b` (`false` on overflow, or unless `den > 0`).
fn feasible_i128(m: usize, n: usize, a: &[i128], b: &[i128], num: &[i128], den: i128) -> bool {
    if den <= 0 || num.len() != n {
        return false;
    }
    (0..m).all(|j| {
        let mut acc: Option<i128> = Some(0);
        for (aj, x) in a[j * n..(j + 1) * n].iter().zip(num) {
            acc = acc.and_then(|s| s.checked_add(aj.checked_mul(*x)?));
        }
        match (acc, b[j].checked_mul(den)) {
            (Some(lhs), Some(rhs)) => lhs <= rhs,
            _ => false,
        }
    })
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
