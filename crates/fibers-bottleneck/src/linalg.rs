//! The small amount of exact linear algebra the fast path needs: the rank of `W1` (certified
//! full by one nonzero minor modulo a prime, exact elimination otherwise) and exact solutions of
//! `W1 x = y − b1` through an invertible square submatrix.

use fibers_exact::modp::{inv_mod, mul_mod, reduce};
use fibers_exact::{linalg, Matrix, Rational};

const PRIMES: [u64; 3] = [2_305_843_009_213_693_951, 4_294_967_291, 2_147_483_647];

/// Gaussian elimination modulo `p`; the pivot columns, or `None` when some denominator is
/// divisible by `p`.
fn pivots_mod(rows: &[Vec<Rational>], p: u64) -> Option<Vec<usize>> {
    let cols = rows.first().map_or(0, Vec::len);
    let mut m: Vec<Vec<u64>> = Vec::with_capacity(rows.len());
    for r in rows {
        let mut row = Vec::with_capacity(cols);
        for x in r {
            row.push(reduce(x, p)?);
        }
        m.push(row);
    }
    let mut pivots = Vec::new();
    let mut next = 0usize;
    for c in 0..cols {
        let Some(pr) = (next..m.len()).find(|&r| m[r][c] != 0) else {
            continue;
        };
        m.swap(next, pr);
        let inv = inv_mod(m[next][c], p);
        for x in m[next].iter_mut() {
            *x = mul_mod(*x, inv, p);
        }
        let pivot_row = m[next].clone();
        for (r, row) in m.iter_mut().enumerate() {
            if r != next && row[c] != 0 {
                let f = row[c];
                for (x, y) in row.iter_mut().zip(&pivot_row) {
                    *x = (*x + p - mul_mod(f, *y, p)) % p;
                }
            }
        }
        pivots.push(c);
        next += 1;
        if next == m.len() {
            break;
        }
    }
    Some(pivots)
}

/// The pivot columns of the reduced echelon form of the rows (exact, over `Q`).
fn exact_pivots(rows: &[Vec<Rational>]) -> Vec<usize> {
    linalg::rref(&Matrix::from_rows(rows.to_vec())).1
}

/// Columns of a nonsingular `rows.len() × rows.len()` submatrix, when the rows are linearly
/// independent; `None` when the rank is smaller than the number of rows.
///
/// A nonzero maximal minor modulo a prime is a nonzero minor over `Q` (reduction modulo `p` is
/// a ring morphism on rationals whose denominators `p` does not divide), so the modular answer
/// "full rank" is exact; any other modular answer is confirmed by exact elimination.
pub fn independent_columns(rows: &[Vec<Rational>]) -> Option<Vec<usize>> {
    let n = rows.len();
    if n == 0 {
        return Some(Vec::new());
    }
    for p in PRIMES {
        if let Some(piv) = pivots_mod(rows, p) {
            if piv.len() == n {
                return Some(piv);
            }
            break;
        }
    }
    let piv = exact_pivots(rows);
    (piv.len() == n).then_some(piv)
}

/// Solves the square systems `S X = B` exactly (`S` nonsingular, `B` given by columns); `None`
/// when `S` is singular.
pub fn solve_square(s: &[Vec<Rational>], rhs: &[Vec<Rational>]) -> Option<Vec<Vec<Rational>>> {
    if s.is_empty() {
        return Some(vec![Vec::new(); rhs.len()]);
    }
    let inv = linalg::inverse(&Matrix::from_rows(s.to_vec()))?;
    Some(
        rhs.iter()
            .map(|b| {
                (0..s.len())
                    .map(|i| {
                        inv.row(i)
                            .iter()
                            .zip(b)
                            .fold(Rational::zero(), |acc, (x, y)| acc + x * y)
                    })
                    .collect()
            })
            .collect(),
    )
}

/// A right inverse of a full-row-rank `W1`, applied lazily: `x` with `W1 x + b1 = y`.
#[derive(Clone, Debug)]
pub struct Preimage {
    n0: usize,
    cols: Vec<usize>,
    square: Vec<Vec<Rational>>,
    full: Vec<Vec<Rational>>,
    b1: Vec<Rational>,
}

impl Preimage {
    /// For layer 1 `(w1, b1)`; `None` unless the rows of `w1` are independent.
    pub fn new(w1: &[Vec<Rational>], b1: &[Rational], n0: usize) -> Option<Self> {
        let cols = independent_columns(w1)?;
        let square = w1
            .iter()
            .map(|r| cols.iter().map(|&c| r[c].clone()).collect())
            .collect();
        Some(Preimage {
            n0,
            cols,
            square,
            full: w1.to_vec(),
            b1: b1.to_vec(),
        })
    }
    /// Inputs `x` with `W1 x + b1 = y`, one per given `y`, zero outside the chosen columns.
    #[cfg(test)]
    pub fn inputs(&self, ys: &[Vec<Rational>]) -> Vec<Vec<Rational>> {
        let free = vec![vec![Rational::zero(); self.n0]; ys.len()];
        self.inputs_with(ys, &free)
    }
    /// Inputs `x` with `W1 x + b1 = y`, whose coordinates outside the chosen columns are taken
    /// from `free` (one vector of length `n0` per `y`; entries at chosen columns are ignored).
    pub fn inputs_with(&self, ys: &[Vec<Rational>], free: &[Vec<Rational>]) -> Vec<Vec<Rational>> {
        let chosen: Vec<bool> = (0..self.n0).map(|c| self.cols.contains(&c)).collect();
        let rhs: Vec<Vec<Rational>> = ys
            .iter()
            .zip(free)
            .map(|(y, f)| {
                y.iter()
                    .zip(&self.b1)
                    .zip(&self.full)
                    .map(|((a, b), row)| {
                        let mut r = a - b;
                        for (c, (w, fc)) in row.iter().zip(f).enumerate() {
                            if !chosen[c] && !w.is_zero() && !fc.is_zero() {
                                r -= w * fc;
                            }
                        }
                        r
                    })
                    .collect()
            })
            .collect();
        let sol = solve_square(&self.square, &rhs).expect("nonsingular by construction");
        sol.into_iter()
            .zip(free)
            .map(|(s, f)| {
                let mut x: Vec<Rational> = (0..self.n0)
                    .map(|c| {
                        if chosen[c] {
                            Rational::zero()
                        } else {
                            f[c].clone()
                        }
                    })
                    .collect();
                for (c, v) in self.cols.iter().zip(s) {
                    x[*c] = v;
                }
                x
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(n: i64) -> Rational {
        Rational::from(n)
    }

    #[test]
    fn rank_detects_dependence() {
        let rows = vec![vec![r(1), r(2), r(3)], vec![r(2), r(4), r(6)]];
        assert_eq!(independent_columns(&rows), None);
        assert_eq!(exact_pivots(&rows).len(), 1);
        let rows = vec![vec![r(1), r(2), r(3)], vec![r(2), r(4), r(7)]];
        assert_eq!(independent_columns(&rows), Some(vec![0, 2]));
    }

    #[test]
    fn rank_with_fractions() {
        let rows = vec![
            vec![Rational::ratio(1, 3), Rational::ratio(2, 7)],
            vec![Rational::ratio(2, 3), Rational::ratio(4, 7)],
        ];
        assert_eq!(independent_columns(&rows), None);
    }

    #[test]
    fn preimage_maps_back() {
        let w1 = vec![
            vec![r(1), Rational::ratio(-1, 2), r(3)],
            vec![Rational::ratio(1, 4), r(2), r(0)],
        ];
        let b1 = vec![r(0), r(-1)];
        let p = Preimage::new(&w1, &b1, 3).unwrap();
        let ys = vec![vec![r(5), Rational::ratio(-3, 2)], vec![r(0), r(0)]];
        for (y, x) in ys.iter().zip(p.inputs(&ys)) {
            let got: Vec<Rational> = w1
                .iter()
                .zip(&b1)
                .map(|(row, b)| row.iter().zip(&x).map(|(a, c)| a * c).sum::<Rational>() + b)
                .collect();
            assert_eq!(&got, y);
        }
    }
}
