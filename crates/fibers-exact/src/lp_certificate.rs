//! Independent checkers for the certificates of [`crate::lp`].
//!
//! Each checker recomputes every claimed identity and inequality from the raw data with plain
//! loops over the matrix rows; nothing here shares code with the solver, so a certificate that
//! passes is correct whatever the solver did. Checkers return `false` (never panic) on vectors
//! of the wrong length.

use crate::lp::{LinearProgram, LpOutcome};
use crate::matrix::Matrix;
use crate::rational::Rational;

fn inner(a: &[Rational], b: &[Rational]) -> Rational {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `Aᵀ y`, for `y` with one entry per row of `a`.
fn transpose_times(a: &Matrix, y: &[Rational]) -> Vec<Rational> {
    let mut out = vec![Rational::zero(); a.cols()];
    for (i, yi) in y.iter().enumerate() {
        for (o, aij) in out.iter_mut().zip(a.row(i)) {
            *o += yi * aij;
        }
    }
    out
}

fn shapes_ok(a: &Matrix, b: &[Rational]) -> bool {
    b.len() == a.rows()
}

fn lp_shapes_ok(lp: &LinearProgram) -> bool {
    shapes_ok(&lp.a, &lp.b) && lp.c.len() == lp.a.cols()
}

/// Whether `x` satisfies `A x ≤ b`.
pub fn check_feasible(a: &Matrix, b: &[Rational], x: &[Rational]) -> bool {
    shapes_ok(a, b) && x.len() == a.cols() && (0..a.rows()).all(|i| inner(a.row(i), x) <= b[i])
}

/// Whether `farkas` proves `{x : A x ≤ b}` empty: `y ≥ 0`, `Aᵀy = 0` and `b·y < 0`.
///
/// (If `A x ≤ b` then `0 = (Aᵀy)·x = y·(A x) ≤ y·b < 0`, a contradiction.)
pub fn check_infeasible(a: &Matrix, b: &[Rational], farkas: &[Rational]) -> bool {
    shapes_ok(a, b)
        && farkas.len() == a.rows()
        && farkas.iter().all(|y| !y.is_negative())
        && transpose_times(a, farkas).iter().all(Rational::is_zero)
        && inner(b, farkas).is_negative()
}

/// Whether `x` is optimal with value `value`: `x` is feasible, `dual ≥ 0`, `Aᵀ dual = c`, and
/// `c·x = b·dual = value` (weak duality then bounds every feasible objective by `value`).
pub fn check_optimal(
    lp: &LinearProgram,
    x: &[Rational],
    dual: &[Rational],
    value: &Rational,
) -> bool {
    lp_shapes_ok(lp)
        && check_feasible(&lp.a, &lp.b, x)
        && dual.len() == lp.a.rows()
        && dual.iter().all(|y| !y.is_negative())
        && transpose_times(&lp.a, dual) == lp.c
        && inner(&lp.c, x) == *value
        && inner(&lp.b, dual) == *value
}

/// Whether `x` is feasible and `ray` is an improving recession direction: `A ray ≤ 0` and
/// `c·ray > 0`, so `x + t·ray` is feasible for all `t ≥ 0` with objective tending to infinity.
pub fn check_unbounded(lp: &LinearProgram, x: &[Rational], ray: &[Rational]) -> bool {
    lp_shapes_ok(lp)
        && check_feasible(&lp.a, &lp.b, x)
        && ray.len() == lp.a.cols()
        && (0..lp.a.rows()).all(|i| !inner(lp.a.row(i), ray).is_positive())
        && inner(&lp.c, ray).is_positive()
}

/// Whether the certificate carried by `outcome` is valid for `lp`.
pub fn check_outcome(lp: &LinearProgram, outcome: &LpOutcome) -> bool {
    match outcome {
        LpOutcome::Optimal { x, dual, value } => check_optimal(lp, x, dual, value),
        LpOutcome::Infeasible { farkas } => check_infeasible(&lp.a, &lp.b, farkas),
        LpOutcome::Unbounded { x, ray } => check_unbounded(lp, x, ray),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(xs: &[i64]) -> Vec<Rational> {
        xs.iter().map(|&x| Rational::from(x)).collect()
    }

    #[test]
    fn checkers_accept_and_reject() {
        // max x + y with x ≤ 1, y ≤ 2.
        let lp = LinearProgram::new(
            Matrix::from_i64(2, 2, &[1, 0, 0, 1]),
            v(&[1, 2]),
            v(&[1, 1]),
        );
        assert!(check_optimal(
            &lp,
            &v(&[1, 2]),
            &v(&[1, 1]),
            &Rational::from(3)
        ));
        assert!(!check_optimal(
            &lp,
            &v(&[1, 1]),
            &v(&[1, 1]),
            &Rational::from(3)
        ));
        assert!(!check_optimal(
            &lp,
            &v(&[1, 2]),
            &v(&[1, 1]),
            &Rational::from(2)
        ));
        assert!(!check_optimal(
            &lp,
            &v(&[1, 2]),
            &v(&[1]),
            &Rational::from(3)
        ));
        assert!(!check_optimal(
            &lp,
            &v(&[2, 1]),
            &v(&[1, 1]),
            &Rational::from(3)
        ));
        assert!(check_feasible(&lp.a, &lp.b, &v(&[-5, 2])));
        assert!(!check_feasible(&lp.a, &lp.b, &v(&[0, 3])));
        assert!(!check_feasible(&lp.a, &lp.b, &v(&[0])));
        assert!(!check_unbounded(&lp, &v(&[0, 0]), &v(&[-1, 0])));
        let free = LinearProgram::new(Matrix::from_i64(1, 2, &[1, 0]), v(&[1]), v(&[0, 1]));
        assert!(check_unbounded(&free, &v(&[0, 0]), &v(&[0, 1])));
        assert!(!check_unbounded(&free, &v(&[2, 0]), &v(&[0, 1])));
        assert!(!check_unbounded(&free, &v(&[0, 0]), &v(&[1, 1])));
        // x ≤ 0, -x ≤ -1.
        let a = Matrix::from_i64(2, 1, &[1, -1]);
        assert!(check_infeasible(&a, &v(&[0, -1]), &v(&[1, 1])));
        assert!(!check_infeasible(&a, &v(&[0, -1]), &v(&[2, 1])));
        assert!(!check_infeasible(&a, &v(&[0, 1]), &v(&[1, 1])));
        assert!(!check_infeasible(&a, &v(&[0, -1]), &v(&[-1, -1])));
        assert!(!check_infeasible(&a, &v(&[0, -1]), &v(&[0, 0])));
    }
}
