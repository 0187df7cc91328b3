//! Properties of exact linear algebra on small random matrices (run on both backends).

use fibers_exact::linalg::{
    determinant, inverse, nullity, nullspace, rank, right_inverse, rref, solve,
};
use fibers_exact::{Matrix, Rational};
use proptest::prelude::*;

/// Entries that are often zero (so that rank deficiency is common), small integers, or small
/// fractions.
fn entry() -> impl Strategy<Value = Rational> {
    prop_oneof![
        3 => Just(Rational::zero()),
        4 => (-3i64..=3).prop_map(Rational::from),
        2 => (-9i64..=9, 1i64..=7).prop_map(|(n, d)| Rational::ratio(n, d)),
    ]
}

fn matrix(
    rows: impl Strategy<Value = usize>,
    cols: impl Strategy<Value = usize>,
) -> impl Strategy<Value = Matrix> {
    (rows, cols).prop_flat_map(|(r, c)| {
        prop::collection::vec(entry(), r * c).prop_map(move |data| Matrix::new(r, c, data))
    })
}

fn square(n: impl Strategy<Value = usize>) -> impl Strategy<Value = Matrix> {
    n.prop_flat_map(|n| matrix(Just(n), Just(n)))
}

/// Determinant by cofactor expansion along the first row (independent of the library).
fn cofactor_det(m: &Matrix) -> Rational {
    let n = m.rows();
    if n == 0 {
        return Rational::one();
    }
    let mut det = Rational::zero();
    for j in 0..n {
        if m[(0, j)].is_zero() {
            continue;
        }
        let minor = Matrix::from_fn(n - 1, n - 1, |i, k| {
            m[(i + 1, if k < j { k } else { k + 1 })].clone()
        });
        let term = &m[(0, j)] * &cofactor_det(&minor);
        if j % 2 == 0 {
            det += term;
        } else {
            det -= term;
        }
    }
    det
}

fn is_zero_vec(v: &[Rational]) -> bool {
    v.iter().all(Rational::is_zero)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    #[test]
    fn nullspace_is_a_basis_of_the_kernel(a in matrix(0usize..=5, 0usize..=6)) {
        let ns = nullspace(&a);
        let r = rank(&a);
        prop_assert_eq!(r + ns.len(), a.cols());
        prop_assert_eq!(nullity(&a), ns.len());
        for v in &ns {
            prop_assert_eq!(v.len(), a.cols());
            prop_assert!(is_zero_vec(&a.mul_vec(v)));
        }
        if !ns.is_empty() {
            // The basis vectors are linearly independent.
            prop_assert_eq!(rank(&Matrix::from_rows(ns.clone())), ns.len());
        }
    }

    #[test]
    fn rref_is_reduced_and_consistent(a in matrix(0usize..=5, 0usize..=6)) {
        let (r, pivots) = rref(&a);
        prop_assert_eq!((r.rows(), r.cols()), (a.rows(), a.cols()));
        prop_assert_eq!(pivots.len(), rank(&a));
        prop_assert_eq!(rank(&a), rank(&a.transpose()));
        prop_assert!(pivots.windows(2).all(|w| w[0] < w[1]));
        for (i, &p) in pivots.iter().enumerate() {
            for k in 0..r.rows() {
                let expected = if k == i { Rational::one() } else { Rational::zero() };
                prop_assert_eq!(&r[(k, p)], &expected);
            }
            // Nothing before the pivot in its row.
            prop_assert!(r.row(i)[..p].iter().all(Rational::is_zero));
        }
        for i in pivots.len()..r.rows() {
            prop_assert!(is_zero_vec(r.row(i)));
        }
        // Same row space: stacking does not raise the rank.
        prop_assert_eq!(rank(&a.vstack(&r)), pivots.len());
        // Idempotent.
        prop_assert_eq!(rref(&r), (r.clone(), pivots));
    }

    #[test]
    fn solve_finds_solutions_of_consistent_systems(
        a in matrix(0usize..=5, 0usize..=5),
        x0 in prop::collection::vec(entry(), 5),
        b_noise in prop::collection::vec(entry(), 5),
    ) {
        let x0 = &x0[..a.cols()];
        let b = a.mul_vec(x0);
        let x = solve(&a, &b).expect("A x0 = b is consistent");
        prop_assert_eq!(a.mul_vec(&x), b);
        // An arbitrary right-hand side: a solution iff rank does not grow when appending b.
        let b = &b_noise[..a.rows()];
        let augmented = a.hstack(&Matrix::new(a.rows(), 1, b.to_vec()));
        match solve(&a, b) {
            Some(x) => prop_assert_eq!(a.mul_vec(&x), b.to_vec()),
            None => prop_assert!(rank(&augmented) > rank(&a)),
        }
    }

    #[test]
    fn right_inverse_exists_exactly_for_full_row_rank(a in matrix(0usize..=4, 0usize..=6)) {
        match right_inverse(&a) {
            Some(r) => {
                prop_assert_eq!((r.rows(), r.cols()), (a.cols(), a.rows()));
                prop_assert_eq!(a.mul(&r), Matrix::identity(a.rows()));
            }
            None => prop_assert!(rank(&a) < a.rows()),
        }
    }

    #[test]
    fn determinant_matches_cofactor_expansion(a in square(0usize..=5)) {
        let d = determinant(&a);
        prop_assert_eq!(&d, &cofactor_det(&a));
        prop_assert_eq!(&determinant(&a.transpose()), &d);
        prop_assert_eq!(d.is_zero(), rank(&a) < a.rows());
    }

    #[test]
    fn determinant_is_multiplicative(
        (a, b) in (0usize..=4).prop_flat_map(|n| (matrix(Just(n), Just(n)), matrix(Just(n), Just(n))))
    ) {
        prop_assert_eq!(determinant(&a.mul(&b)), determinant(&a) * determinant(&b));
    }

    #[test]
    fn inverse_exists_exactly_for_nonzero_determinant(a in square(0usize..=5)) {
        let d = determinant(&a);
        match inverse(&a) {
            Some(inv) => {
                let id = Matrix::identity(a.rows());
                prop_assert_eq!(a.mul(&inv), id.clone());
                prop_assert_eq!(inv.mul(&a), id);
                prop_assert_eq!(determinant(&inv), d.recip().unwrap());
            }
            None => prop_assert!(d.is_zero()),
        }
    }

    #[test]
    fn products_are_associative_and_transpose_reverses(
        (a, b, c) in (0usize..=3, 0usize..=3, 0usize..=3, 0usize..=3).prop_flat_map(|(p, q, r, s)| {
            (matrix(Just(p), Just(q)), matrix(Just(q), Just(r)), matrix(Just(r), Just(s)))
        })
    ) {
        prop_assert_eq!(a.mul(&b).mul(&c), a.mul(&b.mul(&c)));
        prop_assert_eq!(a.mul(&b).transpose(), b.transpose().mul(&a.transpose()));
        let v: Vec<Rational> = (0..b.cols()).map(|k| Rational::from(k as i64 - 1)).collect();
        prop_assert_eq!(a.mul_vec(&b.mul_vec(&v)), a.mul(&b).mul_vec(&v));
        let w: Vec<Rational> = (0..a.rows()).map(|k| Rational::ratio(1, k as i64 + 1)).collect();
        prop_assert_eq!(a.vec_mul(&w), a.transpose().mul_vec(&w));
    }
}

#[test]
fn hilbert_matrices() {
    // det(H_n) = 1 / (1, 12, 2160, 6048000, 266716800000)
    let expected = [1i64, 12, 2160, 6_048_000, 266_716_800_000];
    for (n, &den) in (1..=5).zip(&expected) {
        let h = Matrix::from_fn(n, n, |i, j| Rational::ratio(1, (i + j + 1) as i64));
        assert_eq!(determinant(&h), Rational::ratio(1, den));
        let inv = inverse(&h).unwrap();
        assert!(inv.as_slice().iter().all(Rational::is_integer));
        assert_eq!(h.mul(&inv), Matrix::identity(n));
    }
}

#[test]
fn rank_of_a_larger_structured_matrix() {
    // a_ij = (i + 1) * (j + 2) + i  has rank 2.
    let a = Matrix::from_fn(12, 15, |i, j| {
        Rational::from(((i + 1) * (j + 2) + i) as i64)
    });
    assert_eq!(rank(&a), 2);
    assert_eq!(nullspace(&a).len(), 13);
    // Vandermonde on distinct points is nonsingular.
    let v = Matrix::from_fn(8, 8, |i, j| {
        Rational::from(i as i64 - 3).pow(j as i32).unwrap()
    });
    assert_eq!(rank(&v), 8);
    let mut d = Rational::one();
    for i in 0..8i64 {
        for j in 0..i {
            d *= Rational::from(i - j);
        }
    }
    assert_eq!(determinant(&v), d);
}
