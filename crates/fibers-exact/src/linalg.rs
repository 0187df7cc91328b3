//! Exact linear algebra over the rationals.
//!
//! - [`rref`], [`nullspace`], [`solve`], [`inverse`], [`right_inverse`]: Gauss–Jordan
//!   elimination over `Q` (entries of a reduced echelon form are ratios of minors, so they
//!   stay small).
//! - [`rank`], [`determinant`]: fraction-free (Bareiss) elimination on the matrix with each
//!   row scaled to integers, so no gcd is taken inside the elimination.
//!
//! All results are exact; there is no tolerance anywhere.

use crate::integer::Integer;
use crate::matrix::Matrix;
use crate::rational::Rational;

/// The reduced row echelon form of `a` and its pivot columns (increasing).
///
/// Every pivot is `1`, is the only nonzero entry of its column, and zero rows come last; the
/// number of pivots is the rank.
pub fn rref(a: &Matrix) -> (Matrix, Vec<usize>) {
    let (rows, pivots) = rref_rows(a.to_rows(), a.cols());
    let m = if rows.is_empty() {
        Matrix::zeros(0, a.cols())
    } else {
        Matrix::from_rows(rows)
    };
    (m, pivots)
}

/// The rank of `a`.
pub fn rank(a: &Matrix) -> usize {
    bareiss(integer_rows(a).0, a.cols()).rank
}

/// The dimension of the nullspace of `a`: `a.cols() - rank(a)`.
pub fn nullity(a: &Matrix) -> usize {
    a.cols() - rank(a)
}

/// A basis of the nullspace `{v : a v = 0}`: one vector per non-pivot column `f` of the
/// reduced echelon form, with `v[f] = 1` and zeros at the other non-pivot columns.
///
/// The basis has `a.cols() - rank(a)` vectors (none when `a` has full column rank).
pub fn nullspace(a: &Matrix) -> Vec<Vec<Rational>> {
    let n = a.cols();
    let (r, pivots) = rref_rows(a.to_rows(), n);
    let mut is_pivot = vec![false; n];
    for &p in &pivots {
        is_pivot[p] = true;
    }
    (0..n)
        .filter(|&f| !is_pivot[f])
        .map(|f| {
            let mut v = vec![Rational::zero(); n];
            v[f] = Rational::one();
            for (row, &p) in r.iter().zip(&pivots) {
                v[p] = -&row[f];
            }
            v
        })
        .collect()
}

/// Some solution `x` of `a x = b`, or `None` when the system is inconsistent.
///
/// The solution returned is the basic one: zero at every non-pivot column of the reduced
/// echelon form of `a`. Panics unless `b.len() == a.rows()`.
pub fn solve(a: &Matrix, b: &[Rational]) -> Option<Vec<Rational>> {
    assert_eq!(
        a.rows(),
        b.len(),
        "linalg::solve: {}×{} matrix with right-hand side of length {}",
        a.rows(),
        a.cols(),
        b.len()
    );
    let n = a.cols();
    let rows = a
        .row_iter()
        .zip(b)
        .map(|(row, bi)| {
            let mut r = row.to_vec();
            r.push(bi.clone());
            r
        })
        .collect();
    let (r, pivots) = rref_rows(rows, n);
    if r[pivots.len()..].iter().any(|row| !row[n].is_zero()) {
        return None;
    }
    let mut x = vec![Rational::zero(); n];
    for (row, &p) in r.iter().zip(&pivots) {
        x[p] = row[n].clone();
    }
    Some(x)
}

/// The determinant of a square matrix (`1` for the `0 × 0` matrix). Panics unless square.
pub fn determinant(a: &Matrix) -> Rational {
    assert!(
        a.is_square(),
        "linalg::determinant: {}×{} matrix is not square",
        a.rows(),
        a.cols()
    );
    let n = a.rows();
    if n == 0 {
        return Rational::one();
    }
    let (rows, scales) = integer_rows(a);
    let e = bareiss(rows, n);
    if e.rank < n {
        return Rational::zero();
    }
    let mut det = Rational::from_integer(e.last_pivot);
    if e.swaps_odd {
        det = -det;
    }
    let scale: Integer = scales.iter().fold(Integer::one(), |acc, s| acc * s);
    det / Rational::from_integer(scale)
}

/// The inverse of a square matrix, or `None` when it is singular. Panics unless square.
pub fn inverse(a: &Matrix) -> Option<Matrix> {
    assert!(
        a.is_square(),
        "linalg::inverse: {}×{} matrix is not square",
        a.rows(),
        a.cols()
    );
    right_inverse(a)
}

/// A right inverse `r` (`a · r = I`) of a matrix of full row rank, or `None` when the rows of
/// `a` are linearly dependent.
///
/// For an `m × n` matrix `a` the result is `n × m`; it is the basic right inverse, zero on the
/// rows that are non-pivot columns of the reduced echelon form of `a` (for a square matrix it
/// is the inverse).
pub fn right_inverse(a: &Matrix) -> Option<Matrix> {
    let (m, n) = (a.rows(), a.cols());
    let rows = a
        .row_iter()
        .enumerate()
        .map(|(i, row)| {
            let mut r = Vec::with_capacity(n + m);
            r.extend_from_slice(row);
            r.extend((0..m).map(|k| {
                if k == i {
                    Rational::one()
                } else {
                    Rational::zero()
                }
            }));
            r
        })
        .collect();
    let (r, pivots) = rref_rows(rows, n);
    if pivots.len() < m {
        return None;
    }
    let mut inv = Matrix::zeros(n, m);
    for (row, &p) in r.iter().zip(&pivots) {
        inv.row_mut(p).clone_from_slice(&row[n..]);
    }
    Some(inv)
}

/// Gauss–Jordan elimination on `rows`, choosing pivots only among the first `pivot_cols`
/// columns (later columns are carried along, e.g. a right-hand side). Returns the reduced rows
/// and the pivot columns.
fn rref_rows(mut rows: Vec<Vec<Rational>>, pivot_cols: usize) -> (Vec<Vec<Rational>>, Vec<usize>) {
    let mut pivots = Vec::new();
    let mut r = 0;
    for col in 0..pivot_cols {
        if r == rows.len() {
            break;
        }
        let Some(p) = (r..rows.len()).find(|&i| !rows[i][col].is_zero()) else {
            continue;
        };
        rows.swap(r, p);
        let inv = rows[r][col].recip().expect("pivot is nonzero");
        if inv != 1 {
            for x in rows[r].iter_mut() {
                if !x.is_zero() {
                    *x *= &inv;
                }
            }
        }
        let pivot_row = std::mem::take(&mut rows[r]);
        let support: Vec<usize> = (col..pivot_row.len())
            .filter(|&j| !pivot_row[j].is_zero())
            .collect();
        for (i, row) in rows.iter_mut().enumerate() {
            if i == r || row[col].is_zero() {
                continue;
            }
            let f = row[col].clone();
            for &j in &support {
                row[j] -= &f * &pivot_row[j];
            }
        }
        rows[r] = pivot_row;
        pivots.push(col);
        r += 1;
    }
    (rows, pivots)
}

/// Each row of `a` multiplied by the least common multiple of its denominators, and those
/// multipliers.
fn integer_rows(a: &Matrix) -> (Vec<Vec<Integer>>, Vec<Integer>) {
    let mut rows = Vec::with_capacity(a.rows());
    let mut scales = Vec::with_capacity(a.rows());
    for row in a.row_iter() {
        let mut l = Integer::one();
        for x in row {
            let d = x.denom();
            if d != 1 {
                let g = l.gcd(&d);
                l *= d.div_exact(&g);
            }
        }
        rows.push(
            row.iter()
                .map(|x| x.numer() * l.div_exact(&x.denom()))
                .collect(),
        );
        scales.push(l);
    }
    (rows, scales)
}

/// What fraction-free elimination reports.
struct Elimination {
    rank: usize,
    /// The last pivot: for a nonsingular square matrix, ± its determinant.
    last_pivot: Integer,
    /// Whether an odd number of row swaps happened.
    swaps_odd: bool,
}

/// Bareiss fraction-free elimination: every division is exact, and after `k` pivots each
/// remaining entry is a `(k + 1)`-minor of the input.
fn bareiss(mut m: Vec<Vec<Integer>>, cols: usize) -> Elimination {
    let mut prev = Integer::one();
    let mut r = 0;
    let mut swaps_odd = false;
    for col in 0..cols {
        if r == m.len() {
            break;
        }
        let Some(p) = (r..m.len()).find(|&i| !m[i][col].is_zero()) else {
            continue;
        };
        if p != r {
            m.swap(r, p);
            swaps_odd = !swaps_odd;
        }
        let (top, rest) = m.split_at_mut(r + 1);
        let pivot_row = &top[r];
        let pivot = &pivot_row[col];
        for row in rest.iter_mut() {
            let f = std::mem::replace(&mut row[col], Integer::zero());
            for j in col + 1..cols {
                let mut v = &row[j] * pivot;
                if !f.is_zero() && !pivot_row[j].is_zero() {
                    v -= &f * &pivot_row[j];
                }
                row[j] = if prev == 1 { v } else { v.div_exact(&prev) };
            }
        }
        prev = m[r][col].clone();
        r += 1;
    }
    Elimination {
        rank: r,
        last_pivot: prev,
        swaps_odd,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64, d: i64) -> Rational {
        Rational::ratio(n, d)
    }

    fn v(xs: &[i64]) -> Vec<Rational> {
        xs.iter().map(|&x| Rational::from(x)).collect()
    }

    #[test]
    fn rref_of_a_small_matrix() {
        let a = Matrix::from_i64(3, 4, &[1, 2, 1, 0, 2, 4, 0, 2, 3, 6, 1, 2]);
        let (r, p) = rref(&a);
        assert_eq!(p, vec![0, 2]);
        assert_eq!(
            r,
            Matrix::from_i64(3, 4, &[1, 2, 0, 1, 0, 0, 1, -1, 0, 0, 0, 0])
        );
        assert_eq!(rank(&a), 2);
        assert_eq!(nullity(&a), 2);
    }

    #[test]
    fn nullspace_vectors() {
        let a = Matrix::from_i64(2, 3, &[1, 2, 3, 2, 4, 6]);
        let ns = nullspace(&a);
        assert_eq!(ns, vec![v(&[-2, 1, 0]), v(&[-3, 0, 1])]);
        for x in &ns {
            assert!(a.mul_vec(x).iter().all(Rational::is_zero));
        }
        assert_eq!(nullspace(&Matrix::identity(3)), Vec::<Vec<Rational>>::new());
        assert_eq!(
            nullspace(&Matrix::zeros(0, 2)),
            vec![v(&[1, 0]), v(&[0, 1])]
        );
    }

    #[test]
    fn solving() {
        let a = Matrix::from_i64(2, 2, &[2, 1, 1, 3]);
        assert_eq!(solve(&a, &v(&[3, 5])), Some(vec![q(4, 5), q(7, 5)]));
        let s = Matrix::from_i64(2, 2, &[1, 1, 2, 2]);
        assert_eq!(solve(&s, &v(&[1, 3])), None);
        assert_eq!(solve(&s, &v(&[1, 2])), Some(v(&[1, 0])));
        assert_eq!(solve(&Matrix::zeros(0, 2), &[]), Some(v(&[0, 0])));
        assert_eq!(solve(&Matrix::zeros(1, 0), &v(&[0])), Some(vec![]));
        assert_eq!(solve(&Matrix::zeros(1, 0), &v(&[1])), None);
    }

    #[test]
    fn determinants() {
        assert_eq!(determinant(&Matrix::zeros(0, 0)), Rational::one());
        assert_eq!(
            determinant(&Matrix::from_i64(1, 1, &[-7])),
            Rational::from(-7)
        );
        assert_eq!(
            determinant(&Matrix::from_i64(2, 2, &[1, 2, 3, 4])),
            Rational::from(-2)
        );
        assert_eq!(
            determinant(&Matrix::from_i64(2, 2, &[0, 1, 1, 0])),
            Rational::from(-1)
        );
        assert_eq!(
            determinant(&Matrix::from_i64(2, 2, &[1, 2, 2, 4])),
            Rational::zero()
        );
        let h = Matrix::from_fn(3, 3, |i, j| q(1, (i + j + 1) as i64));
        assert_eq!(determinant(&h), q(1, 2160));
        let a = Matrix::from_i64(3, 3, &[0, 2, 1, 3, 0, 0, 1, 1, 1]);
        assert_eq!(determinant(&a), Rational::from(-3));
    }

    #[test]
    fn inverses() {
        let a = Matrix::from_i64(2, 2, &[2, 1, 1, 1]);
        let inv = inverse(&a).unwrap();
        assert_eq!(inv, Matrix::from_i64(2, 2, &[1, -1, -1, 2]));
        assert_eq!(a.mul(&inv), Matrix::identity(2));
        assert_eq!(inverse(&Matrix::from_i64(2, 2, &[1, 2, 2, 4])), None);
        assert_eq!(inverse(&Matrix::zeros(0, 0)), Some(Matrix::zeros(0, 0)));
        let w = Matrix::from_i64(2, 3, &[1, 0, 1, 0, 1, 1]);
        let r = right_inverse(&w).unwrap();
        assert_eq!((r.rows(), r.cols()), (3, 2));
        assert_eq!(w.mul(&r), Matrix::identity(2));
        assert_eq!(right_inverse(&Matrix::from_i64(2, 2, &[1, 1, 1, 1])), None);
        assert_eq!(
            right_inverse(&Matrix::zeros(0, 3)),
            Some(Matrix::zeros(3, 0))
        );
    }
}
