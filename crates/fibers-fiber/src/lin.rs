//! Small exact linear-algebra helpers on row vectors (`Vec<Vec<Rational>>`), on top of
//! [`fibers_exact::linalg`].

use fibers_exact::{linalg, Matrix, Rational};

/// The matrix with the given rows (each of length `cols`).
pub fn matrix(rows: &[Vec<Rational>], cols: usize) -> Matrix {
    if rows.is_empty() {
        Matrix::zeros(0, cols)
    } else {
        Matrix::from_rows(rows.to_vec())
    }
}

/// The rank of a set of row vectors of length `cols`.
pub fn rank(rows: &[Vec<Rational>], cols: usize) -> usize {
    if rows.is_empty() {
        0
    } else {
        linalg::rank(&matrix(rows, cols))
    }
}

/// A basis of the span of the rows (the nonzero rows of the reduced echelon form).
pub fn basis(rows: &[Vec<Rational>], cols: usize) -> Vec<Vec<Rational>> {
    if rows.is_empty() {
        return Vec::new();
    }
    let (r, piv) = linalg::rref(&matrix(rows, cols));
    (0..piv.len()).map(|i| r.row(i).to_vec()).collect()
}

/// Whether `v` lies in the span of `rows`.
pub fn in_span(rows: &[Vec<Rational>], v: &[Rational]) -> bool {
    let cols = v.len();
    let mut with = rows.to_vec();
    with.push(v.to_vec());
    rank(&with, cols) == rank(rows, cols)
}

/// Some `c` with `Σ_m c_m columns[m] = rhs`, or `None`.
pub fn solve_columns(columns: &[Vec<Rational>], rhs: &[Rational]) -> Option<Vec<Rational>> {
    let n = rhs.len();
    if columns.is_empty() {
        return rhs.iter().all(Rational::is_zero).then(Vec::new);
    }
    let a = Matrix::from_fn(n, columns.len(), |i, m| columns[m][i].clone());
    linalg::solve(&a, rhs)
}

/// A basis of `{c : Σ_m c_m columns[m] = 0}`.
pub fn column_relations(columns: &[Vec<Rational>], n: usize) -> Vec<Vec<Rational>> {
    if columns.is_empty() {
        return Vec::new();
    }
    let a = Matrix::from_fn(n, columns.len(), |i, m| columns[m][i].clone());
    linalg::nullspace(&a)
}

/// Extends a basis of a subspace `Y` of `Q^n` by standard vectors to a basis of `Q^n`; returns
/// the indices of the standard vectors added.
pub fn complement_coordinates(y: &[Vec<Rational>], n: usize) -> Vec<usize> {
    let mut cur = y.to_vec();
    let mut added = Vec::new();
    for j in 0..n {
        let mut e = vec![Rational::zero(); n];
        e[j] = Rational::one();
        if !in_span(&cur, &e) {
            cur.push(e);
            added.push(j);
        }
    }
    added
}

/// `a + t b`.
pub fn axpy(a: &[Rational], t: &Rational, b: &[Rational]) -> Vec<Rational> {
    a.iter().zip(b).map(|(x, y)| x + &(t * y)).collect()
}

/// `t a`.
pub fn scaled(a: &[Rational], t: &Rational) -> Vec<Rational> {
    a.iter().map(|x| x * t).collect()
}
