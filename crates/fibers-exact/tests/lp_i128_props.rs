//! The machine-integer LP (`solve_i128`, `solve_i128_exact`, `feasible_point_i128`) against the
//! rational LP on the same integer data: the same outcome whenever it answers, `None` (never a
//! wrong answer) on overflow, and a certificate that passes its checker either way.

use fibers_exact::lp::{
    feasible_point, feasible_point_i128, optimum_i128, solve, solve_i128, solve_i128_exact,
    IntVector, LinearProgram, LpOutcome,
};
use fibers_exact::lp_certificate::check_outcome;
use fibers_exact::{Matrix, Rational};
use proptest::prelude::*;

fn q(v: &[i128]) -> Vec<Rational> {
    v.iter()
        .map(|x| x.to_string().parse::<Rational>().expect("an integer"))
        .collect()
}

fn rational_lp(m: usize, n: usize, a: &[i128], b: &[i128], c: &[i128]) -> LinearProgram {
    LinearProgram::new(Matrix::new(m, n, q(a)), q(b), q(c))
}

/// Small programs, with a chance of huge entries (to force overflow) and of degenerate data
/// (zero right-hand sides, repeated rows).
fn arb_lp() -> impl Strategy<Value = (usize, usize, Vec<i128>, Vec<i128>, Vec<i128>)> {
    (
        0usize..=5,
        0usize..=9,
        prop_oneof![4 => Just(0u32), 1 => 20u32..=62],
    )
        .prop_flat_map(|(n, m, shift)| {
            (
                Just(m),
                Just(n),
                prop::collection::vec(prop_oneof![2 => Just(0i64), 5 => -6i64..=6], m * n),
                prop::collection::vec(prop_oneof![2 => Just(0i64), 3 => -6i64..=6], m),
                prop::collection::vec(-3i64..=3, n),
                Just(shift),
            )
        })
        .prop_map(|(m, n, a, b, c, shift)| {
            let big = |x: i64| i128::from(x) << shift;
            let mut a: Vec<i128> = a.into_iter().map(big).collect();
            // A repeated row now and then (degenerate vertices).
            if m >= 2 && n > 0 && a.len() >= 2 * n && a[0] % 2 == 0 {
                let first: Vec<i128> = a[..n].to_vec();
                a[n..2 * n].copy_from_slice(&first);
            }
            let b = b.into_iter().map(big).collect();
            let c = c.into_iter().map(i128::from).collect();
            (m, n, a, b, c)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn i128_outcome_is_the_rational_outcome((m, n, a, b, c) in arb_lp()) {
        let lp = rational_lp(m, n, &a, &b, &c);
        let exact = solve(&lp);
        prop_assert!(check_outcome(&lp, &exact));
        if let Some(fast) = solve_i128(m, n, &a, &b, &c) {
            prop_assert_eq!(&fast, &exact);
        }
        if let Some(fast) = solve_i128_exact(m, n, &a, &b, &c, None) {
            prop_assert_eq!(fast.to_rational(), exact.clone());
        }
        if let Some(opt) = optimum_i128(m, n, &a, &b, &c) {
            match (opt, &exact) {
                (Some((y, (vn, vd))), LpOutcome::Optimal { dual, value, .. }) => {
                    prop_assert_eq!(&y.to_rational(), dual);
                    let v = IntVector { num: vec![vn], den: vd }.to_rational();
                    prop_assert_eq!(&v[0], value);
                }
                (None, o) => prop_assert!(!o.is_optimal()),
                (Some(_), o) => prop_assert!(false, "an optimum where solve says {:?}", o),
            }
        }
    }

    #[test]
    fn feasibility_in_i128_is_the_rational_one((m, n, a, b, _c) in arb_lp()) {
        let exact = feasible_point(&Matrix::new(m, n, q(&a)), &q(&b));
        if let Some(fast) = feasible_point_i128(m, n, &a, &b) {
            prop_assert_eq!(fast, exact);
        }
    }

    /// With a candidate point, an unbounded program keeps that point when it is feasible, and
    /// the answer is a valid certificate whether or not the candidate is feasible.
    #[test]
    fn candidate_points_are_checked(
        (m, n, a, b, c) in arb_lp(),
        num in prop::collection::vec(-4i128..=4, 5),
        den in 1i128..=3,
    ) {
        let lp = rational_lp(m, n, &a, &b, &c);
        let exact = solve(&lp);
        let point = (&num[..n], den);
        if let Some(fast) = solve_i128_exact(m, n, &a, &b, &c, Some(point)) {
            let fast = fast.to_rational();
            prop_assert!(check_outcome(&lp, &fast), "{:?}", fast);
            // Same kind of outcome, same optimum.
            prop_assert_eq!(fast.value(), exact.value());
            prop_assert_eq!(fast.is_infeasible(), exact.is_infeasible());
            prop_assert_eq!(fast.is_unbounded(), exact.is_unbounded());
        }
    }
}

#[test]
fn overflow_gives_none_and_the_rational_path_answers() {
    // Entries near 2^62 in a 4 × 3 program: products of minors leave i128.
    let (m, n) = (4, 3);
    let s = |x: i128| x << 62;
    let a: Vec<i128> = [3, -1, 2, 1, 4, -2, -5, 1, 1, 2, 2, -3]
        .into_iter()
        .map(s)
        .collect();
    let b: Vec<i128> = [7, -2, 5, 3].into_iter().map(s).collect();
    let c = [1, 2, -1];
    assert!(solve_i128(m, n, &a, &b, &c).is_none());
    let lp = rational_lp(m, n, &a, &b, &c);
    assert!(check_outcome(&lp, &solve(&lp)));
}

#[test]
fn unbounded_with_a_known_point() {
    // max x subject to -x ≤ 0, y ≤ 1: unbounded; (1/2, 0) is feasible and is kept.
    let (a, b, c) = ([-1i128, 0, 0, 1], [0i128, 1], [1i128, 0]);
    let out = solve_i128_exact(2, 2, &a, &b, &c, Some((&[1, 0], 2))).expect("small");
    let LpOutcome::Unbounded { x, .. } = out.to_rational() else {
        panic!("unbounded expected, got {out:?}")
    };
    assert_eq!(x, vec![Rational::ratio(1, 2), Rational::zero()]);
    // An infeasible candidate (y = 2 > 1) is not used.
    let out = solve_i128_exact(2, 2, &a, &b, &c, Some((&[0, 2], 1))).expect("small");
    let LpOutcome::Unbounded { x, .. } = out.to_rational() else {
        panic!("unbounded expected")
    };
    assert_ne!(x, vec![Rational::zero(), Rational::from(2)]);
}
