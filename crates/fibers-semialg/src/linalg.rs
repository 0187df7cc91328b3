//! Small exact linear algebra over Q used inside this crate: rank and reduced row echelon
//! form of dense rational matrices (rows of equal length).

use fibers_exact::Rational;

/// Reduces `rows` in place to reduced row echelon form and returns the pivot columns (one
/// per nonzero row, increasing; the nonzero rows come first).
pub(crate) fn rref(rows: &mut [Vec<Rational>]) -> Vec<usize> {
    let ncols = rows.first().map_or(0, Vec::len);
    let mut pivots = Vec::new();
    let mut r = 0;
    for c in 0..ncols {
        if r == rows.len() {
            break;
        }
        let Some(p) = (r..rows.len()).find(|&i| !rows[i][c].is_zero()) else {
            continue;
        };
        rows.swap(r, p);
        let inv = rows[r][c].recip().expect("pivot is nonzero");
        for x in rows[r].iter_mut() {
            *x *= &inv;
        }
        let pivot_row = rows[r].clone();
        for (i, row) in rows.iter_mut().enumerate() {
            if i != r && !row[c].is_zero() {
                let f = row[c].clone();
                for (x, y) in row.iter_mut().zip(&pivot_row) {
                    *x -= &f * y;
                }
            }
        }
        pivots.push(c);
        r += 1;
    }
    pivots
}

/// The rank of a matrix given by rows.
pub(crate) fn rank(rows: &[Vec<Rational>]) -> usize {
    let mut m = rows.to_vec();
    rref(&mut m).len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(rows: &[&[i64]]) -> Vec<Vec<Rational>> {
        rows.iter()
            .map(|r| r.iter().map(|&x| Rational::from(x)).collect())
            .collect()
    }

    #[test]
    fn rank_examples() {
        assert_eq!(rank(&m(&[])), 0);
        assert_eq!(rank(&m(&[&[0, 0], &[0, 0]])), 0);
        assert_eq!(rank(&m(&[&[1, 2], &[2, 4]])), 1);
        assert_eq!(rank(&m(&[&[1, 2, 3], &[4, 5, 6], &[7, 8, 9]])), 2);
        assert_eq!(rank(&m(&[&[0, 1], &[1, 0], &[1, 1]])), 2);
    }

    #[test]
    fn rref_solves() {
        // x + y = 3, x - y = 1  →  x = 2, y = 1.
        let mut a = m(&[&[1, 1, 3], &[1, -1, 1]]);
        assert_eq!(rref(&mut a), vec![0, 1]);
        assert_eq!(a, m(&[&[1, 0, 2], &[0, 1, 1]]));
    }
}
