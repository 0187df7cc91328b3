//! Linear programs met by the decider on which the exact LP solver once failed. The decider
//! depends on `fibers_exact::lp::solve` being total and certified, so these stay as tests.

use fibers_exact::lp::{solve, LinearProgram, LpOutcome};
use fibers_exact::{Matrix, Rational};

fn r(s: &str) -> Rational {
    s.parse().expect("rational")
}

#[test]
fn unbounded_program_from_a_split_node() {
    let a = Matrix::from_rows(vec![
        vec![r("1"), r("-7/5")],
        vec![r("1"), r("-6/5")],
        vec![r("42/5"), r("-254/25")],
        vec![r("-7/10"), r("17/25")],
    ]);
    let b = vec![r("-7"), r("-7/4"), r("-92/5"), r("-439/40")];
    let c = vec![r("-7/2"), r("4")];
    let lp = LinearProgram {
        a: a.clone(),
        b: b.clone(),
        c: c.clone(),
    };
    let LpOutcome::Unbounded { x, ray } = solve(&lp) else {
        panic!("the program is unbounded: x = (0, 10 + t) is feasible for t ≥ 0");
    };
    for (i, bi) in b.iter().enumerate() {
        let ax: Rational = (0..2).map(|j| a.get(i, j) * &x[j]).sum();
        let ad: Rational = (0..2).map(|j| a.get(i, j) * &ray[j]).sum();
        assert!(&ax <= bi && ad <= Rational::zero());
    }
    let cd: Rational = (0..2).map(|j| &c[j] * &ray[j]).sum();
    assert!(cd.is_positive());
}
