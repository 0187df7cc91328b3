//! Exact LP: certificates, brute-force vertex enumeration, degenerate and edge cases (run on
//! both backends).

use fibers_exact::linalg::inverse;
use fibers_exact::lp::{feasible_point, solve, LinearProgram, LpOutcome};
use fibers_exact::lp_certificate::{
    check_feasible, check_infeasible, check_optimal, check_outcome, check_unbounded,
};
use fibers_exact::{Matrix, Rational};
use proptest::prelude::*;

fn q(n: i64, d: i64) -> Rational {
    Rational::ratio(n, d)
}

fn v(xs: &[i64]) -> Vec<Rational> {
    xs.iter().map(|&x| Rational::from(x)).collect()
}

fn dot(a: &[Rational], b: &[Rational]) -> Rational {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Every subset of `k` elements of `0..n`.
fn subsets(n: usize, k: usize) -> Vec<Vec<usize>> {
    fn go(start: usize, n: usize, k: usize, cur: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if cur.len() == k {
            out.push(cur.clone());
            return;
        }
        for i in start..n {
            cur.push(i);
            go(i + 1, n, k, cur, out);
            cur.pop();
        }
    }
    let mut out = Vec::new();
    go(0, n, k, &mut Vec::new(), &mut out);
    out
}

/// The feasible vertices of `{A x ≤ b}`: solutions of every nonsingular `n × n` subsystem
/// taken as equalities that satisfy all constraints.
fn vertices(a: &Matrix, b: &[Rational]) -> Vec<Vec<Rational>> {
    let n = a.cols();
    let mut out = Vec::new();
    for s in subsets(a.rows(), n) {
        let sub = a.select_rows(&s);
        let Some(inv) = inverse(&sub) else { continue };
        let bs: Vec<Rational> = s.iter().map(|&i| b[i].clone()).collect();
        let x = inv.mul_vec(&bs);
        if (0..a.rows()).all(|i| dot(a.row(i), &x) <= b[i]) {
            out.push(x);
        }
    }
    out
}

/// Brute-force maximum of `c·x` over the vertices, if there is a vertex.
fn brute_force_max(a: &Matrix, b: &[Rational], c: &[Rational]) -> Option<Rational> {
    vertices(a, b).iter().map(|x| dot(c, x)).max()
}

/// Appends the box `-bound ≤ x_i ≤ bound`.
fn with_box(lp: &LinearProgram, bound: i64) -> LinearProgram {
    let n = lp.a.cols();
    let mut a = lp.a.clone();
    let mut b = lp.b.clone();
    for i in 0..n {
        for sign in [1, -1] {
            let mut row = vec![Rational::zero(); n];
            row[i] = Rational::from(sign);
            a.push_row(row);
            b.push(Rational::from(bound));
        }
    }
    LinearProgram::new(a, b, lp.c.clone())
}

fn small_lp(max_vars: usize, max_cons: usize) -> impl Strategy<Value = LinearProgram> {
    (0..=max_vars, 0..=max_cons).prop_flat_map(|(n, m)| {
        (
            prop::collection::vec(prop_oneof![2 => Just(0i64), 5 => -3i64..=3], m * n),
            prop::collection::vec(-5i64..=5, m),
            prop::collection::vec(-3i64..=3, n),
        )
            .prop_map(move |(a, b, c)| LinearProgram::new(Matrix::from_i64(m, n, &a), v(&b), v(&c)))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_certificate_passes_its_checker(lp in small_lp(4, 7)) {
        let out = solve(&lp);
        prop_assert!(check_outcome(&lp, &out), "{:?} -> {:?}", lp, out);
    }

    #[test]
    fn bounded_optimum_equals_vertex_enumeration(lp in small_lp(3, 6)) {
        let boxed = with_box(&lp, 4);
        let out = solve(&boxed);
        prop_assert!(check_outcome(&boxed, &out));
        match (&out, brute_force_max(&boxed.a, &boxed.b, &boxed.c)) {
            (LpOutcome::Optimal { value, .. }, Some(best)) => prop_assert_eq!(value, &best),
            (LpOutcome::Infeasible { .. }, None) => {}
            (o, best) => prop_assert!(false, "solver {:?} but vertex enumeration {:?}", o, best),
        }
    }

    #[test]
    fn unboxed_outcome_agrees_with_vertex_enumeration(lp in small_lp(3, 6)) {
        let out = solve(&lp);
        prop_assert!(check_outcome(&lp, &out));
        let best = brute_force_max(&lp.a, &lp.b, &lp.c);
        match &out {
            // A vertex is a feasible point, so the polyhedron is pointed and the optimum is
            // attained at a vertex.
            LpOutcome::Optimal { value, .. } => {
                if let Some(best) = best {
                    prop_assert_eq!(value, &best);
                }
            }
            LpOutcome::Infeasible { .. } => prop_assert!(best.is_none()),
            LpOutcome::Unbounded { .. } => {}
        }
        // Feasibility agrees with the feasibility oracle.
        match feasible_point(&lp.a, &lp.b) {
            Ok(x) => {
                prop_assert!(check_feasible(&lp.a, &lp.b, &x));
                prop_assert!(!out.is_infeasible());
            }
            Err(y) => {
                prop_assert!(check_infeasible(&lp.a, &lp.b, &y));
                prop_assert!(out.is_infeasible());
            }
        }
    }

    #[test]
    fn highly_degenerate_programs_match_vertex_enumeration(
        (n, m, a, x0, slack, c) in (1usize..=3, 3usize..=6).prop_flat_map(|(n, m)| (
            Just(n),
            Just(m),
            prop::collection::vec(-2i64..=2, m * n),
            prop::collection::vec(-2i64..=2, n),
            prop::collection::vec(prop_oneof![4 => Just(0i64), 1 => 0i64..=2], m),
            prop::collection::vec(-2i64..=2, n),
        ))
    ) {
        // Most constraints are tight at x0 (b = A x0 + mostly zero slack), and a row repeats.
        let a = Matrix::from_i64(m, n, &a);
        let x0 = v(&x0);
        let b: Vec<Rational> = a
            .mul_vec(&x0)
            .into_iter()
            .zip(&slack)
            .map(|(ax, &s)| ax + Rational::from(s))
            .collect();
        let doubled = a.vstack(&a.select_rows(&[0]));
        let b2: Vec<Rational> = b.iter().chain(&b[..1]).cloned().collect();
        let lp = with_box(&LinearProgram::new(doubled, b2, v(&c)), 3);
        let out = solve(&lp);
        prop_assert!(check_outcome(&lp, &out));
        // x0 is feasible unless it lies outside the box.
        if x0.iter().all(|x| x.abs() <= Rational::from(3)) {
            prop_assert!(out.is_optimal());
        }
        prop_assert_eq!(out.value().cloned(), brute_force_max(&lp.a, &lp.b, &lp.c));
    }

    #[test]
    fn rational_data_certificates(
        (n, m, a, b, c) in (1usize..=5, 1usize..=10).prop_flat_map(|(n, m)| (
            Just(n),
            Just(m),
            prop::collection::vec((-20i64..=20, 1i64..=9), m * n),
            prop::collection::vec((-20i64..=20, 1i64..=9), m),
            prop::collection::vec((-20i64..=20, 1i64..=9), n),
        ))
    ) {
        let r = |xs: Vec<(i64, i64)>| xs.into_iter().map(|(p, d)| q(p, d)).collect::<Vec<_>>();
        let lp = LinearProgram::new(Matrix::new(m, n, r(a)), r(b), r(c));
        let out = solve(&lp);
        prop_assert!(check_outcome(&lp, &out));
        let boxed = with_box(&lp, 3);
        let out = solve(&boxed);
        prop_assert!(check_outcome(&boxed, &out));
        prop_assert!(!out.is_unbounded());
    }

    #[test]
    fn tampered_certificates_are_rejected(lp in small_lp(3, 6)) {
        match solve(&lp) {
            LpOutcome::Optimal { x, dual, value } => {
                prop_assert!(check_optimal(&lp, &x, &dual, &value));
                prop_assert!(!check_optimal(&lp, &x, &dual, &(&value + &Rational::one())));
                // Raising a multiplier of a constraint that is not `0 ≤ 0` breaks Aᵀy = c or
                // b·y = value.
                let row_matters = |i: usize| !lp.b[i].is_zero() || !lp.a.row(i).iter().all(Rational::is_zero);
                if let Some(i) = (0..dual.len()).find(|&i| row_matters(i)) {
                    let mut bad = dual.clone();
                    bad[i] += Rational::one();
                    prop_assert!(!check_optimal(&lp, &x, &bad, &value));
                }
            }
            LpOutcome::Infeasible { farkas } => {
                prop_assert!(check_infeasible(&lp.a, &lp.b, &farkas));
                let neg: Vec<Rational> = farkas.iter().map(|y| -y).collect();
                prop_assert!(!check_infeasible(&lp.a, &lp.b, &neg));
            }
            LpOutcome::Unbounded { x, ray } => {
                prop_assert!(check_unbounded(&lp, &x, &ray));
                let neg: Vec<Rational> = ray.iter().map(|y| -y).collect();
                prop_assert!(!check_unbounded(&lp, &x, &neg));
            }
        }
    }
}

/// Solves and checks the certificate; returns the outcome.
fn solve_checked(lp: &LinearProgram) -> LpOutcome {
    let out = solve(lp);
    assert!(
        check_outcome(lp, &out),
        "bad certificate for {lp:?}: {out:?}"
    );
    out
}

/// `max c·x, A x ≤ b, x ≥ 0` in the free-variable form (appends `-x ≤ 0`).
fn nonnegative(a: &Matrix, b: &[Rational], c: &[Rational]) -> LinearProgram {
    let n = a.cols();
    let mut a = a.clone();
    let mut b = b.to_vec();
    for i in 0..n {
        let mut row = vec![Rational::zero(); n];
        row[i] = Rational::from(-1);
        a.push_row(row);
        b.push(Rational::zero());
    }
    LinearProgram::new(a, b, c.to_vec())
}

#[test]
fn beale_cycling_example() {
    // Beale (1955): cycles under the textbook largest-coefficient rule without anti-cycling.
    let a = Matrix::new(
        3,
        4,
        vec![
            q(1, 4),
            q(-8, 1),
            q(-1, 1),
            q(9, 1),
            q(1, 2),
            q(-12, 1),
            q(-1, 2),
            q(3, 1),
            q(0, 1),
            q(0, 1),
            q(1, 1),
            q(0, 1),
        ],
    );
    let b = v(&[0, 0, 1]);
    let c = vec![q(3, 4), q(-20, 1), q(1, 2), q(-6, 1)];
    let lp = nonnegative(&a, &b, &c);
    let out = solve_checked(&lp);
    assert_eq!(out.value(), Some(&q(5, 4)));
    assert_eq!(brute_force_max(&lp.a, &lp.b, &lp.c), Some(q(5, 4)));
}

#[test]
fn kuhn_cycling_example() {
    // Kuhn's example (as in Chvátal's "Linear Programming", degenerate at the origin).
    let a = Matrix::from_i64(3, 4, &[-2, -9, 1, 9, 1, 3, -1, -6, 2, 3, -1, -12]);
    let b = v(&[0, 0, 2]);
    let c = v(&[2, 3, -1, -12]);
    let lp = nonnegative(&a, &b, &c);
    let out = solve_checked(&lp);
    assert_eq!(out.value().cloned(), brute_force_max(&lp.a, &lp.b, &lp.c));
}

#[test]
fn many_constraints_through_one_vertex() {
    // Highly degenerate: 30 distinct constraints a·x ≤ 0 all tight at the origin, plus a box.
    let mut rows = Vec::new();
    for i in -3i64..=3 {
        for j in -3i64..=3 {
            if (i, j) != (0, 0) && rows.len() < 30 && (i + 2 * j) % 3 != 0 {
                rows.push(vec![
                    Rational::from(i),
                    Rational::from(j),
                    Rational::from(-1),
                ]);
            }
        }
    }
    let m = rows.len();
    let a = Matrix::from_rows(rows);
    let lp = with_box(
        &LinearProgram::new(a, vec![Rational::zero(); m], v(&[1, 1, -1])),
        5,
    );
    let out = solve_checked(&lp);
    assert_eq!(out.value().cloned(), brute_force_max(&lp.a, &lp.b, &lp.c));
}

#[test]
fn duplicate_and_redundant_constraints() {
    // x + y ≤ 1 three times, 2x + 2y ≤ 2, x ≤ 1, y ≤ 1, -x ≤ 0, -y ≤ 0, 0 ≤ 0.
    let a = Matrix::from_i64(
        9,
        2,
        &[1, 1, 1, 1, 1, 1, 2, 2, 1, 0, 0, 1, -1, 0, 0, -1, 0, 0],
    );
    let b = v(&[1, 1, 1, 2, 1, 1, 0, 0, 0]);
    for (c, best) in [
        (v(&[1, 1]), 1),
        (v(&[1, 0]), 1),
        (v(&[-1, -1]), 0),
        (v(&[0, 0]), 0),
    ] {
        let lp = LinearProgram::new(a.clone(), b.clone(), c);
        assert_eq!(solve_checked(&lp).value(), Some(&Rational::from(best)));
    }
    // The 0 ≤ -1 row alone makes it infeasible.
    let mut bad = b.clone();
    bad[8] = Rational::from(-1);
    let lp = LinearProgram::new(a, bad, v(&[1, 1]));
    match solve_checked(&lp) {
        LpOutcome::Infeasible { farkas } => assert!(farkas[8].is_positive()),
        o => panic!("{o:?}"),
    }
}

#[test]
fn objective_outside_the_row_space() {
    // Rows of A span only the first coordinate; c has a second component: unbounded.
    let lp = LinearProgram::new(
        Matrix::from_i64(2, 2, &[1, 0, -1, 0]),
        v(&[1, 1]),
        v(&[1, 1]),
    );
    assert!(solve_checked(&lp).is_unbounded());
    // Lineality space orthogonal to c: optimal, though there are no vertices.
    let lp = LinearProgram::new(
        Matrix::from_i64(2, 2, &[1, 0, -1, 0]),
        v(&[1, 1]),
        v(&[1, 0]),
    );
    assert_eq!(solve_checked(&lp).value(), Some(&Rational::one()));
}

#[test]
fn klee_minty_cubes() {
    for n in 1..=6usize {
        // max Σ 2^(n-1-j) x_j  s.t.  Σ_{j<i} 2^(i-j+1) x_j + x_i ≤ 5^(i+1), x ≥ 0.
        let a = Matrix::from_fn(n, n, |i, j| match j.cmp(&i) {
            std::cmp::Ordering::Less => Rational::from(1i64 << (i - j + 1)),
            std::cmp::Ordering::Equal => Rational::one(),
            std::cmp::Ordering::Greater => Rational::zero(),
        });
        let b: Vec<Rational> = (0..n)
            .map(|i| Rational::from(5i64.pow(i as u32 + 1)))
            .collect();
        let c: Vec<Rational> = (0..n)
            .map(|j| Rational::from(1i64 << (n - 1 - j)))
            .collect();
        let lp = nonnegative(&a, &b, &c);
        let out = solve_checked(&lp);
        assert_eq!(out.value(), Some(&Rational::from(5i64.pow(n as u32))));
    }
}

#[test]
fn no_constraints() {
    for n in [0usize, 1, 3] {
        let lp = LinearProgram::new(Matrix::zeros(0, n), vec![], vec![Rational::zero(); n]);
        match solve_checked(&lp) {
            LpOutcome::Optimal { x, dual, value } => {
                assert_eq!(x.len(), n);
                assert!(dual.is_empty());
                assert!(value.is_zero());
            }
            o => panic!("{o:?}"),
        }
        if n > 0 {
            let mut c = vec![Rational::zero(); n];
            c[n - 1] = Rational::from(-2);
            let lp = LinearProgram::new(Matrix::zeros(0, n), vec![], c);
            assert!(solve_checked(&lp).is_unbounded());
        }
        assert_eq!(
            feasible_point(&Matrix::zeros(0, n), &[]),
            Ok(vec![Rational::zero(); n])
        );
    }
}

#[test]
fn no_variables() {
    let lp = LinearProgram::new(Matrix::zeros(3, 0), v(&[0, 1, 2]), vec![]);
    assert_eq!(
        solve_checked(&lp),
        LpOutcome::Optimal {
            x: vec![],
            dual: v(&[0, 0, 0]),
            value: Rational::zero()
        }
    );
    let lp = LinearProgram::new(Matrix::zeros(3, 0), v(&[0, -1, 2]), vec![]);
    match solve_checked(&lp) {
        LpOutcome::Infeasible { farkas } => assert_eq!(farkas, v(&[0, 1, 0])),
        o => panic!("{o:?}"),
    }
    assert_eq!(
        feasible_point(&Matrix::zeros(2, 0), &v(&[0, 0])),
        Ok(vec![])
    );
    let y = feasible_point(&Matrix::zeros(2, 0), &v(&[3, -1])).unwrap_err();
    assert!(check_infeasible(&Matrix::zeros(2, 0), &v(&[3, -1]), &y));
    let lp = LinearProgram::new(Matrix::zeros(0, 0), vec![], vec![]);
    assert_eq!(solve_checked(&lp).value(), Some(&Rational::zero()));
}

#[test]
fn equality_via_two_inequalities_and_maximizing_a_slack() {
    // Strict feasibility of {x + y < 1, x > 0, y > 0} by maximizing s in x + y + s ≤ 1,
    // -x + s ≤ 0, -y + s ≤ 0, s ≤ 1.
    let a = Matrix::from_i64(4, 3, &[1, 1, 1, -1, 0, 1, 0, -1, 1, 0, 0, 1]);
    let lp = LinearProgram::new(a, v(&[1, 0, 0, 1]), v(&[0, 0, 1]));
    assert_eq!(solve_checked(&lp).value(), Some(&q(1, 3)));
    // x + y = 1 as two inequalities, with x, y ≥ 0: max x - y = 1.
    let a = Matrix::from_i64(4, 2, &[1, 1, -1, -1, -1, 0, 0, -1]);
    let lp = LinearProgram::new(a, v(&[1, -1, 0, 0]), v(&[1, -1]));
    assert_eq!(solve_checked(&lp).value(), Some(&Rational::one()));
}

/// A deterministic pseudo-random LP: `n` variables, `m` random constraints plus a box.
fn lcg_lp(n: usize, m: usize, seed: u64) -> LinearProgram {
    let mut state = seed;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) % 19) as i64 - 9
    };
    let a = Matrix::from_fn(m, n, |_, _| Rational::from(next()));
    let b: Vec<Rational> = (0..m).map(|_| Rational::from(next() + 12)).collect();
    let c: Vec<Rational> = (0..n).map(|_| Rational::from(next())).collect();
    with_box(&LinearProgram::new(a, b, c), 10)
}

#[test]
fn medium_sized_programs() {
    for seed in 0..3 {
        let lp = lcg_lp(12, 40, seed);
        let out = solve_checked(&lp);
        assert!(out.is_optimal());
    }
    let lp = lcg_lp(25, 80, 7);
    assert!(solve_checked(&lp).is_optimal());
}

#[test]
#[should_panic(expected = "A is 2×2 but b has length 1")]
fn shape_mismatch_panics() {
    let _ = LinearProgram::new(Matrix::zeros(2, 2), v(&[1]), v(&[1, 1]));
}

#[test]
fn unbounded_program_with_fractional_data() {
    // Unbounded along (0, 1) from (0, 10); met by the decider in fibers-tree.
    let r = |s: &str| s.parse::<Rational>().unwrap();
    let a = Matrix::from_rows(vec![
        vec![r("1"), r("-7/5")],
        vec![r("1"), r("-6/5")],
        vec![r("42/5"), r("-254/25")],
        vec![r("-7/10"), r("17/25")],
    ]);
    let b = vec![r("-7"), r("-7/4"), r("-92/5"), r("-439/40")];
    let lp = LinearProgram::new(a, b, vec![r("-7/2"), r("4")]);
    assert!(solve_checked(&lp).is_unbounded());
}
