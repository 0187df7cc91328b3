//! Rank over a prime field against the exact rational rank (run on both backends).

use fibers_exact::linalg::rank;
use fibers_exact::modp::{rank_mod_p, EchelonModP};
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

fn matrix() -> impl Strategy<Value = Matrix> {
    (0usize..7, 0usize..7).prop_flat_map(|(r, c)| {
        prop::collection::vec(entry(), r * c).prop_map(move |data| Matrix::new(r, c, data))
    })
}

/// A low-rank matrix: a product of two random factors.
fn low_rank() -> impl Strategy<Value = Matrix> {
    (1usize..7, 1usize..7, 0usize..4).prop_flat_map(|(r, c, k)| {
        (
            prop::collection::vec(entry(), r * k),
            prop::collection::vec(entry(), k * c),
        )
            .prop_map(move |(a, b)| Matrix::new(r, k, a).mul(&Matrix::new(k, c, b)))
    })
}

/// Wider matrices (rows longer than 8 entries take the sparse-accumulator path).
fn wide() -> impl Strategy<Value = Matrix> {
    (1usize..10, 9usize..20).prop_flat_map(|(r, c)| {
        prop::collection::vec(entry(), r * c).prop_map(move |data| Matrix::new(r, c, data))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// With a 61-bit prime and small entries every nonzero minor stays nonzero mod p, so the
    /// ranks agree exactly.
    #[test]
    fn equals_rational_rank(m in matrix()) {
        prop_assert_eq!(rank_mod_p(&m.to_rows()), rank(&m));
    }

    #[test]
    fn equals_rational_rank_low_rank(m in low_rank()) {
        prop_assert_eq!(rank_mod_p(&m.to_rows()), rank(&m));
    }

    /// Over a tiny prime the rank may drop, never exceed the rational rank.
    #[test]
    fn small_prime_is_a_lower_bound(m in matrix(), pi in 0usize..3) {
        let p = [2u64, 3, 7][pi];
        let mut e = EchelonModP::new(p, m.cols());
        let mut skipped = false;
        for row in m.row_iter() {
            if e.push_rational(row).is_none() {
                skipped = true;
            }
        }
        // Skipped rows only lower the count further.
        prop_assert!(e.rank() <= rank(&m), "rank mod {} = {} > {} (skipped {})", p, e.rank(), rank(&m), skipped);
    }

    #[test]
    fn equals_rational_rank_wide(m in wide()) {
        prop_assert_eq!(rank_mod_p(&m.to_rows()), rank(&m));
        // Rows stacked with combinations of themselves keep the rank.
        let mut rows = m.to_rows();
        let extra: Vec<Rational> = rows[0].iter().zip(rows.last().unwrap()).map(|(a, b)| a - &(b * &Rational::ratio(3, 2))).collect();
        rows.push(extra);
        prop_assert_eq!(rank_mod_p(&rows), rank(&m));
    }

    /// Streaming in any row order gives the same rank.
    #[test]
    fn order_independent(m in matrix()) {
        let mut rows = m.to_rows();
        rows.reverse();
        prop_assert_eq!(rank_mod_p(&rows), rank_mod_p(&m.to_rows()));
    }
}
