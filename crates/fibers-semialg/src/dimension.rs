//! Jacobians and the local dimension of a basic set at a point.
//!
//! Let `S = { x ∈ Rⁿ | p₁ = … = p_m = 0, g_i ≥ 0, h_j > 0, k_l ≠ 0 }` (no auxiliary
//! variables) and `x ∈ S`. Let `r` be the rank over Q of the Jacobian `J = (∂p_a/∂x_b)(x)`.
//! Constraints `>` and `≠`, and `≥` constraints with `g_i(x) > 0`, hold on a neighbourhood of
//! `x` and do not change the local dimension. The *active* `≥` constraints (`g_i(x) = 0`) are
//! harmless when their gradients at `x` are independent modulo the rows of `J`, that is when
//! `rank [J; ∇g_active] = r + #active`: then some tangent direction increases all of them.
//!
//! [`BasicSet::local_dimension`] returns `n − r` with a [`Certainty`]:
//!
//! - [`Certainty::Proven`]: `r = m` (the equalities are regular at `x`, so by the implicit
//!   function theorem their zero set is a manifold of dimension `n − m` near `x`) and the
//!   active `≥` constraints are harmless. The local dimension is exactly `n − r`.
//! - [`Certainty::AssumingSmooth`]: `r < m` (redundant or singular equalities) and the active
//!   `≥` constraints are harmless. If the zero set of the equalities is smooth at `x` (a
//!   manifold of dimension `n − r` near `x`, e.g. when the Jacobian has constant rank `r` near
//!   `x`), the local dimension is `n − r`; in general `n − r` is an upper bound (`x² = 0` in R
//!   has rank 0 at 0 but dimension 0).
//! - [`Certainty::UpperBound`]: the gradients of the active `≥` constraints are dependent
//!   modulo `J`; `n − r` is an upper bound only (`−x² ≥ 0`).
//!
//! All ranks are exact ranks of rational matrices.

use crate::polynomial::{EvalError, Point, Polynomial, Sign};
use crate::set::{BasicSet, Relation};
use crate::var::Var;
use fibers_exact::{Matrix, Rational};

/// The exact rank of a matrix given by rows (no rows: rank 0).
pub(crate) fn rank(rows: &[Vec<Rational>]) -> usize {
    fibers_exact::linalg::rank(&Matrix::from_rows(rows.to_vec()))
}

/// The Jacobian matrix `(∂polys[a]/∂vars[b])`, one row per polynomial.
pub fn jacobian(polys: &[Polynomial], vars: &[Var]) -> Vec<Vec<Polynomial>> {
    polys.iter().map(|p| p.gradient(vars)).collect()
}

/// The Jacobian matrix evaluated exactly at a point.
pub fn jacobian_at(
    polys: &[Polynomial],
    vars: &[Var],
    point: &Point,
) -> Result<Vec<Vec<Rational>>, EvalError> {
    polys
        .iter()
        .map(|p| vars.iter().map(|v| p.derivative(v).eval(point)).collect())
        .collect()
}

/// The exact rank over Q of the Jacobian at a point.
pub fn jacobian_rank_at(
    polys: &[Polynomial],
    vars: &[Var],
    point: &Point,
) -> Result<usize, EvalError> {
    Ok(rank(&jacobian_at(polys, vars, point)?))
}

/// How much [`LocalDimension::dimension`] is known to mean (see the [module docs](self)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Certainty {
    /// The local dimension is exactly `dimension`.
    Proven,
    /// The local dimension is `dimension` if the equalities are smooth at the point, and at
    /// most `dimension` in any case.
    AssumingSmooth,
    /// The local dimension is at most `dimension`.
    UpperBound,
}

/// The local dimension of a basic set at a point, with the data it comes from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LocalDimension {
    /// The number of variables `n`.
    pub ambient: usize,
    /// The number of equality constraints `m`.
    pub equalities: usize,
    /// The rank `r` of the Jacobian of the equalities at the point.
    pub jacobian_rank: usize,
    /// The indices of the active `≥` constraints (zero at the point).
    pub active_inequalities: Vec<usize>,
    /// `n − r`.
    pub dimension: usize,
    /// How `dimension` relates to the true local dimension.
    pub certainty: Certainty,
}

/// Why a local dimension could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DimensionError {
    /// The set has auxiliary variables (the dimension of a projection is not computed here).
    #[error("the set has auxiliary variables; local dimension needs an unquantified set")]
    Quantified,
    /// The point gives no value to a variable.
    #[error("no value given for variable {0}")]
    MissingValue(Var),
    /// The point is not in the set.
    #[error("the point is not in the set: constraint {index} ({constraint}) fails")]
    NotInSet {
        /// Index of a failing constraint.
        index: usize,
        /// The failing constraint in text form.
        constraint: String,
    },
}

impl From<EvalError> for DimensionError {
    fn from(e: EvalError) -> DimensionError {
        match e {
            EvalError::MissingValue(v) => DimensionError::MissingValue(v),
        }
    }
}

impl BasicSet {
    /// The local dimension at a point of the set (values for all variables; other entries are
    /// ignored), from the exact rank of the Jacobian of the equalities; see the
    /// [module docs](crate::dimension) for what is proven.
    pub fn local_dimension(&self, point: &Point) -> Result<LocalDimension, DimensionError> {
        if self.is_quantified() {
            return Err(DimensionError::Quantified);
        }
        let vars = self.variables();
        let mut equalities = Vec::new();
        let mut active = Vec::new();
        for (index, c) in self.constraints().iter().enumerate() {
            let sign = c.poly.sign_at(point)?;
            if !c.rel.holds(sign) {
                return Err(DimensionError::NotInSet {
                    index,
                    constraint: c.to_text(),
                });
            }
            match c.rel {
                Relation::Eq => equalities.push(c.poly.clone()),
                Relation::Ge if sign == Sign::Zero => active.push(index),
                _ => {}
            }
        }
        // Check that every variable has a value, even those the constraints do not use.
        if let Some(v) = vars.iter().find(|v| !point.contains_key(v)) {
            return Err(DimensionError::MissingValue(v.clone()));
        }
        let mut rows = jacobian_at(&equalities, vars, point)?;
        let r = rank(&rows);
        let active_polys: Vec<Polynomial> = active
            .iter()
            .map(|&i| self.constraints()[i].poly.clone())
            .collect();
        rows.extend(jacobian_at(&active_polys, vars, point)?);
        let harmless = rank(&rows) == r + active.len();
        let certainty = match (harmless, r == equalities.len()) {
            (false, _) => Certainty::UpperBound,
            (true, true) => Certainty::Proven,
            (true, false) => Certainty::AssumingSmooth,
        };
        Ok(LocalDimension {
            ambient: vars.len(),
            equalities: equalities.len(),
            jacobian_rank: r,
            active_inequalities: active,
            dimension: vars.len() - r,
            certainty,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::set::Constraint;

    fn v(s: &str) -> Var {
        Var::new(s)
    }
    fn p(s: &str) -> Polynomial {
        Polynomial::var(v(s))
    }
    fn c(x: i64) -> Polynomial {
        Polynomial::from(x)
    }
    fn pt(vals: &[(&str, i64)]) -> Point {
        vals.iter()
            .map(|&(n, x)| (v(n), Rational::from(x)))
            .collect()
    }

    #[test]
    fn sphere_and_cone() {
        let vars = vec![v("x"), v("y"), v("z")];
        let sphere = p("x").pow(2) + p("y").pow(2) + p("z").pow(2) - c(1);
        let s =
            BasicSet::new(vars.clone(), vec![], vec![Constraint::zero(sphere.clone())]).unwrap();
        let d = s
            .local_dimension(&pt(&[("x", 1), ("y", 0), ("z", 0)]))
            .unwrap();
        assert_eq!(
            (d.dimension, d.jacobian_rank, d.certainty),
            (2, 1, Certainty::Proven)
        );
        // The same equation twice: rank 1 < 2 equations.
        let s2 = BasicSet::new(
            vars.clone(),
            vec![],
            vec![
                Constraint::zero(sphere.clone()),
                Constraint::zero(sphere.clone()),
            ],
        )
        .unwrap();
        let d = s2
            .local_dimension(&pt(&[("x", 0), ("y", 1), ("z", 0)]))
            .unwrap();
        assert_eq!((d.dimension, d.certainty), (2, Certainty::AssumingSmooth));
        // Half sphere z >= 0 at the equator: the boundary is transversal.
        let s3 = BasicSet::new(
            vars.clone(),
            vec![],
            vec![Constraint::zero(sphere), Constraint::nonnegative(p("z"))],
        )
        .unwrap();
        let d = s3
            .local_dimension(&pt(&[("x", 1), ("y", 0), ("z", 0)]))
            .unwrap();
        assert_eq!(d.active_inequalities, vec![1]);
        assert_eq!((d.dimension, d.certainty), (2, Certainty::Proven));
        // -z^2 >= 0 is degenerate at z = 0.
        let s4 = BasicSet::new(
            vars.clone(),
            vec![],
            vec![Constraint::nonnegative(-p("z").pow(2))],
        )
        .unwrap();
        let d = s4
            .local_dimension(&pt(&[("x", 1), ("y", 0), ("z", 0)]))
            .unwrap();
        assert_eq!((d.dimension, d.certainty), (3, Certainty::UpperBound));
        assert!(matches!(
            s4.local_dimension(&pt(&[("x", 1), ("y", 0), ("z", 1)])),
            Err(DimensionError::NotInSet { index: 0, .. })
        ));
        assert_eq!(
            s4.local_dimension(&pt(&[("x", 1), ("z", 0)])),
            Err(DimensionError::MissingValue(v("y")))
        );
    }

    #[test]
    fn rank_of_rows() {
        let m = |rows: &[&[i64]]| -> Vec<Vec<Rational>> {
            rows.iter()
                .map(|r| r.iter().map(|&x| Rational::from(x)).collect())
                .collect()
        };
        assert_eq!(rank(&[]), 0);
        assert_eq!(rank(&m(&[&[0, 0], &[0, 0]])), 0);
        assert_eq!(rank(&m(&[&[1, 2, 3], &[4, 5, 6], &[7, 8, 9]])), 2);
        assert_eq!(rank(&m(&[&[0, 1], &[1, 0], &[1, 1]])), 2);
    }

    #[test]
    fn jacobian_rank() {
        let vars = [v("x"), v("y")];
        let polys = [p("x") * p("y"), p("x") + p("y")];
        assert_eq!(
            jacobian_rank_at(&polys, &vars, &pt(&[("x", 1), ("y", 2)])),
            Ok(2)
        );
        assert_eq!(
            jacobian_rank_at(&polys, &vars, &pt(&[("x", 1), ("y", 1)])),
            Ok(1)
        );
        assert_eq!(
            jacobian(&polys, &vars),
            vec![vec![p("y"), p("x")], vec![c(1), c(1)]]
        );
    }
}
