//! Dense row-major matrices with exact rational entries.
//!
//! [`Matrix`] is a plain container with the products the rest of the workspace needs; the
//! algorithms (echelon form, rank, nullspace, solving, inverses) live in [`crate::linalg`].
//! Shape mismatches are programmer errors and panic with a message naming both shapes.

use crate::rational::Rational;
use std::fmt;
use std::ops::{Index, IndexMut};

/// A dense `rows × cols` matrix of [`Rational`] entries, stored row by row.
///
/// Either dimension may be zero.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<Rational>,
}

impl Matrix {
    /// The `rows × cols` matrix whose entries, row by row, are `data`.
    ///
    /// Panics unless `data.len() == rows * cols`.
    pub fn new(rows: usize, cols: usize, data: Vec<Rational>) -> Self {
        assert_eq!(
            Some(data.len()),
            rows.checked_mul(cols),
            "Matrix::new: {rows}×{cols} matrix needs {} entries, got {}",
            rows.saturating_mul(cols),
            data.len()
        );
        Matrix { rows, cols, data }
    }

    /// The matrix with the given rows. All rows must have the same length; an empty list gives
    /// the `0 × 0` matrix (use [`Matrix::zeros`]`(0, n)` for zero rows of length `n`).
    pub fn from_rows(rows: Vec<Vec<Rational>>) -> Self {
        let cols = rows.first().map_or(0, Vec::len);
        let n_rows = rows.len();
        let mut data = Vec::with_capacity(n_rows * cols);
        for (i, row) in rows.into_iter().enumerate() {
            assert_eq!(
                row.len(),
                cols,
                "Matrix::from_rows: row {i} has {} entries, row 0 has {cols}",
                row.len()
            );
            data.extend(row);
        }
        Matrix {
            rows: n_rows,
            cols,
            data,
        }
    }

    /// The `rows × cols` matrix with small integer entries given row by row (for constants and
    /// tests). Panics unless `data.len() == rows * cols`.
    pub fn from_i64(rows: usize, cols: usize, data: &[i64]) -> Self {
        Matrix::new(
            rows,
            cols,
            data.iter().map(|&v| Rational::from(v)).collect(),
        )
    }

    /// The matrix with entry `f(i, j)` at row `i`, column `j`.
    pub fn from_fn(rows: usize, cols: usize, mut f: impl FnMut(usize, usize) -> Rational) -> Self {
        let mut data = Vec::with_capacity(rows * cols);
        for i in 0..rows {
            for j in 0..cols {
                data.push(f(i, j));
            }
        }
        Matrix { rows, cols, data }
    }

    /// The `rows × cols` zero matrix.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Matrix::new(rows, cols, vec![Rational::zero(); rows * cols])
    }

    /// The `n × n` identity matrix.
    pub fn identity(n: usize) -> Self {
        let mut m = Matrix::zeros(n, n);
        for i in 0..n {
            m.data[i * n + i] = Rational::one();
        }
        m
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Whether the matrix is square.
    pub fn is_square(&self) -> bool {
        self.rows == self.cols
    }

    /// Whether every entry is zero (true for empty matrices).
    pub fn is_zero(&self) -> bool {
        self.data.iter().all(Rational::is_zero)
    }

    /// The entry at row `i`, column `j`. Panics when out of range.
    pub fn get(&self, i: usize, j: usize) -> &Rational {
        &self.data[self.offset(i, j)]
    }

    /// Replaces the entry at row `i`, column `j`. Panics when out of range.
    pub fn set(&mut self, i: usize, j: usize, value: Rational) {
        let k = self.offset(i, j);
        self.data[k] = value;
    }

    /// Row `i` as a slice. Panics when out of range.
    pub fn row(&self, i: usize) -> &[Rational] {
        assert!(
            i < self.rows,
            "Matrix::row: row {i} out of range for {}×{} matrix",
            self.rows,
            self.cols
        );
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// Row `i` as a mutable slice. Panics when out of range.
    pub fn row_mut(&mut self, i: usize) -> &mut [Rational] {
        assert!(
            i < self.rows,
            "Matrix::row_mut: row {i} out of range for {}×{} matrix",
            self.rows,
            self.cols
        );
        &mut self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// Iterator over the rows, as slices.
    pub fn row_iter(&self) -> impl Iterator<Item = &[Rational]> + '_ {
        (0..self.rows).map(move |i| self.row(i))
    }

    /// Column `j`, copied into a vector. Panics when out of range.
    pub fn col(&self, j: usize) -> Vec<Rational> {
        assert!(
            j < self.cols,
            "Matrix::col: column {j} out of range for {}×{} matrix",
            self.rows,
            self.cols
        );
        (0..self.rows).map(|i| self.get(i, j).clone()).collect()
    }

    /// The entries row by row.
    pub fn as_slice(&self) -> &[Rational] {
        &self.data
    }

    /// The rows as vectors.
    pub fn to_rows(&self) -> Vec<Vec<Rational>> {
        self.row_iter().map(<[Rational]>::to_vec).collect()
    }

    /// The entries row by row, consuming the matrix.
    pub fn into_vec(self) -> Vec<Rational> {
        self.data
    }

    /// Appends a row. Panics unless it has [`Matrix::cols`] entries; on a `0 × 0` matrix the
    /// first row sets the number of columns.
    pub fn push_row(&mut self, row: Vec<Rational>) {
        if self.rows == 0 && self.cols == 0 {
            self.cols = row.len();
        }
        assert_eq!(
            row.len(),
            self.cols,
            "Matrix::push_row: row has {} entries, matrix has {} columns",
            row.len(),
            self.cols
        );
        self.data.extend(row);
        self.rows += 1;
    }

    /// The matrix formed by the rows with the given indices, in that order (repeats allowed).
    pub fn select_rows(&self, indices: &[usize]) -> Matrix {
        let mut data = Vec::with_capacity(indices.len() * self.cols);
        for &i in indices {
            data.extend_from_slice(self.row(i));
        }
        Matrix::new(indices.len(), self.cols, data)
    }

    /// The matrix formed by the columns with the given indices, in that order (repeats allowed).
    pub fn select_cols(&self, indices: &[usize]) -> Matrix {
        for &j in indices {
            assert!(
                j < self.cols,
                "Matrix::select_cols: column {j} out of range for {}×{} matrix",
                self.rows,
                self.cols
            );
        }
        Matrix::from_fn(self.rows, indices.len(), |i, k| {
            self.get(i, indices[k]).clone()
        })
    }

    /// `self` on top of `other`. Panics unless both have the same number of columns.
    pub fn vstack(&self, other: &Matrix) -> Matrix {
        assert_eq!(
            self.cols, other.cols,
            "Matrix::vstack: {}×{} on top of {}×{}",
            self.rows, self.cols, other.rows, other.cols
        );
        let mut data = Vec::with_capacity(self.data.len() + other.data.len());
        data.extend_from_slice(&self.data);
        data.extend_from_slice(&other.data);
        Matrix::new(self.rows + other.rows, self.cols, data)
    }

    /// `self` to the left of `other`. Panics unless both have the same number of rows.
    pub fn hstack(&self, other: &Matrix) -> Matrix {
        assert_eq!(
            self.rows, other.rows,
            "Matrix::hstack: {}×{} beside {}×{}",
            self.rows, self.cols, other.rows, other.cols
        );
        let mut data = Vec::with_capacity(self.data.len() + other.data.len());
        for i in 0..self.rows {
            data.extend_from_slice(self.row(i));
            data.extend_from_slice(other.row(i));
        }
        Matrix::new(self.rows, self.cols + other.cols, data)
    }

    /// The transpose.
    pub fn transpose(&self) -> Matrix {
        Matrix::from_fn(self.cols, self.rows, |i, j| self.get(j, i).clone())
    }

    /// The product `self · other`. Panics unless `self.cols() == other.rows()`.
    pub fn mul(&self, other: &Matrix) -> Matrix {
        assert_eq!(
            self.cols, other.rows,
            "Matrix::mul: cannot multiply {}×{} by {}×{}",
            self.rows, self.cols, other.rows, other.cols
        );
        let mut out = Matrix::zeros(self.rows, other.cols);
        for i in 0..self.rows {
            for (k, a) in self.row(i).iter().enumerate() {
                if a.is_zero() {
                    continue;
                }
                for (o, b) in out.row_mut(i).iter_mut().zip(other.row(k)) {
                    if !b.is_zero() {
                        *o += a * b;
                    }
                }
            }
        }
        out
    }

    /// The matrix–vector product `self · v`. Panics unless `v.len() == self.cols()`.
    pub fn mul_vec(&self, v: &[Rational]) -> Vec<Rational> {
        assert_eq!(
            self.cols,
            v.len(),
            "Matrix::mul_vec: cannot multiply {}×{} matrix by vector of length {}",
            self.rows,
            self.cols,
            v.len()
        );
        self.row_iter().map(|row| dot(row, v)).collect()
    }

    /// The vector–matrix product `vᵀ · self` (equivalently `selfᵀ · v`). Panics unless
    /// `v.len() == self.rows()`.
    pub fn vec_mul(&self, v: &[Rational]) -> Vec<Rational> {
        assert_eq!(
            self.rows,
            v.len(),
            "Matrix::vec_mul: cannot multiply vector of length {} by {}×{} matrix",
            v.len(),
            self.rows,
            self.cols
        );
        let mut out = vec![Rational::zero(); self.cols];
        for (row, a) in self.row_iter().zip(v) {
            if a.is_zero() {
                continue;
            }
            for (o, b) in out.iter_mut().zip(row) {
                if !b.is_zero() {
                    *o += a * b;
                }
            }
        }
        out
    }

    /// Every entry multiplied by `k`.
    pub fn scale(&self, k: &Rational) -> Matrix {
        Matrix::new(
            self.rows,
            self.cols,
            self.data.iter().map(|x| x * k).collect(),
        )
    }

    fn offset(&self, i: usize, j: usize) -> usize {
        assert!(
            i < self.rows && j < self.cols,
            "Matrix: index ({i}, {j}) out of range for {}×{} matrix",
            self.rows,
            self.cols
        );
        i * self.cols + j
    }
}

/// The dot product of two vectors of the same length. Panics when the lengths differ.
pub fn dot(a: &[Rational], b: &[Rational]) -> Rational {
    assert_eq!(
        a.len(),
        b.len(),
        "dot: vectors of lengths {} and {}",
        a.len(),
        b.len()
    );
    let mut s = Rational::zero();
    for (x, y) in a.iter().zip(b) {
        if !x.is_zero() && !y.is_zero() {
            s += x * y;
        }
    }
    s
}

impl Index<(usize, usize)> for Matrix {
    type Output = Rational;
    fn index(&self, (i, j): (usize, usize)) -> &Rational {
        self.get(i, j)
    }
}

impl IndexMut<(usize, usize)> for Matrix {
    fn index_mut(&mut self, (i, j): (usize, usize)) -> &mut Rational {
        let k = self.offset(i, j);
        &mut self.data[k]
    }
}

impl fmt::Display for Matrix {
    /// One bracketed line per row with right-aligned columns, e.g.
    /// `[   1 -1/2 ]` / `[ 3/4    2 ]`; an empty matrix prints as `[] (r×c)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.rows == 0 || self.cols == 0 {
            return write!(f, "[] ({}×{})", self.rows, self.cols);
        }
        let cells: Vec<String> = self.data.iter().map(ToString::to_string).collect();
        let widths: Vec<usize> = (0..self.cols)
            .map(|j| {
                (0..self.rows)
                    .map(|i| cells[i * self.cols + j].len())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for i in 0..self.rows {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "[")?;
            for (j, w) in widths.iter().enumerate() {
                write!(f, " {:>w$}", cells[i * self.cols + j], w = w)?;
            }
            write!(f, " ]")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Matrix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Matrix {}×{} ", self.rows, self.cols)?;
        f.debug_list().entries(self.row_iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64, d: i64) -> Rational {
        Rational::ratio(n, d)
    }

    #[test]
    fn construction_and_access() {
        let m = Matrix::from_i64(2, 3, &[1, 2, 3, 4, 5, 6]);
        assert_eq!((m.rows(), m.cols()), (2, 3));
        assert_eq!(m[(1, 2)], Rational::from(6));
        assert_eq!(m.get(0, 1), &Rational::from(2));
        assert_eq!(m.row(1), &[4, 5, 6].map(Rational::from)[..]);
        assert_eq!(m.col(0), vec![Rational::from(1), Rational::from(4)]);
        let r = Matrix::from_rows(vec![
            vec![1, 2, 3].into_iter().map(Rational::from).collect(),
            vec![4, 5, 6].into_iter().map(Rational::from).collect(),
        ]);
        assert_eq!(m, r);
        assert_eq!(Matrix::from_rows(vec![]), Matrix::zeros(0, 0));
        let mut z = Matrix::zeros(2, 2);
        z[(0, 1)] = q(1, 2);
        z.set(1, 0, q(-3, 4));
        assert_eq!(
            z.to_rows(),
            vec![vec![q(0, 1), q(1, 2)], vec![q(-3, 4), q(0, 1)]]
        );
        assert!(!z.is_zero());
        assert!(Matrix::zeros(3, 0).is_zero());
    }

    #[test]
    fn products() {
        let a = Matrix::from_i64(2, 3, &[1, 2, 3, 4, 5, 6]);
        let b = Matrix::from_i64(3, 2, &[7, 8, 9, 10, 11, 12]);
        assert_eq!(a.mul(&b), Matrix::from_i64(2, 2, &[58, 64, 139, 154]));
        assert_eq!(a.transpose().transpose(), a);
        assert_eq!(a.transpose(), Matrix::from_i64(3, 2, &[1, 4, 2, 5, 3, 6]));
        let v = [1, -1, 2].map(Rational::from);
        assert_eq!(a.mul_vec(&v), vec![Rational::from(5), Rational::from(11)]);
        let w = [1, 1].map(Rational::from);
        assert_eq!(a.vec_mul(&w), a.transpose().mul_vec(&w));
        assert_eq!(Matrix::identity(2).mul(&a), a);
        assert_eq!(a.mul(&Matrix::identity(3)), a);
        // Empty shapes.
        assert_eq!(
            Matrix::zeros(2, 0).mul(&Matrix::zeros(0, 3)),
            Matrix::zeros(2, 3)
        );
        assert_eq!(Matrix::zeros(0, 3).mul_vec(&v), Vec::<Rational>::new());
        assert_eq!(Matrix::zeros(2, 0).mul_vec(&[]), vec![Rational::zero(); 2]);
    }

    #[test]
    fn stacking_and_selection() {
        let a = Matrix::from_i64(2, 2, &[1, 2, 3, 4]);
        let b = Matrix::from_i64(1, 2, &[5, 6]);
        assert_eq!(a.vstack(&b), Matrix::from_i64(3, 2, &[1, 2, 3, 4, 5, 6]));
        assert_eq!(
            a.hstack(&Matrix::identity(2)),
            Matrix::from_i64(2, 4, &[1, 2, 1, 0, 3, 4, 0, 1])
        );
        assert_eq!(
            a.select_rows(&[1, 1]),
            Matrix::from_i64(2, 2, &[3, 4, 3, 4])
        );
        assert_eq!(a.select_cols(&[1]), Matrix::from_i64(2, 1, &[2, 4]));
        let mut m = Matrix::zeros(0, 0);
        m.push_row(vec![Rational::from(1), Rational::from(2)]);
        m.push_row(vec![Rational::from(3), Rational::from(4)]);
        assert_eq!(m, a);
        assert_eq!(
            a.scale(&q(1, 2)),
            Matrix::new(2, 2, vec![q(1, 2), q(1, 1), q(3, 2), q(2, 1)])
        );
    }

    #[test]
    fn display() {
        let m = Matrix::new(2, 2, vec![q(1, 1), q(-1, 2), q(3, 4), q(2, 1)]);
        assert_eq!(m.to_string(), "[   1 -1/2 ]\n[ 3/4    2 ]");
        assert_eq!(Matrix::zeros(0, 3).to_string(), "[] (0×3)");
        assert_eq!(
            format!("{:?}", Matrix::from_i64(1, 2, &[1, 2])),
            "Matrix 1×2 [[1, 2]]"
        );
    }

    #[test]
    #[should_panic(expected = "cannot multiply 2×3 by 2×3")]
    fn mul_shape_mismatch_panics() {
        let a = Matrix::zeros(2, 3);
        let _ = a.mul(&a);
    }

    #[test]
    #[should_panic(expected = "needs 4 entries, got 3")]
    fn new_shape_mismatch_panics() {
        let _ = Matrix::from_i64(2, 2, &[1, 2, 3]);
    }

    #[test]
    #[should_panic(expected = "row 1 has 1 entries, row 0 has 2")]
    fn ragged_rows_panic() {
        let _ = Matrix::from_rows(vec![vec![q(1, 1), q(2, 1)], vec![q(3, 1)]]);
    }

    #[test]
    #[should_panic(expected = "index (2, 0) out of range for 2×2 matrix")]
    fn index_out_of_range_panics() {
        let _ = &Matrix::identity(2)[(2, 0)];
    }
}
