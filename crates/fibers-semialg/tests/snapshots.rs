//! Snapshots of the text, LaTeX and JSON forms of representative systems. Each `.snap` file
//! under `tests/snapshots/` was read by hand.

mod common;

use common::*;
use fibers_exact::Rational;
use fibers_semialg::{Membership, Point, SemiAlgebraicSet, Var};

fn point(values: &[(Var, Rational)]) -> Point {
    values.iter().cloned().collect()
}

#[test]
fn fiber_system_with_quantified_mu() {
    let s = fiber_system();
    insta::assert_snapshot!("fiber_text", s.to_string());
    insta::assert_snapshot!("fiber_latex", s.to_latex());
    insta::assert_snapshot!("fiber_json", s.to_json_string());
    // The reference point rescaled by mu = 2 is in the set; the search finds mu.
    let theta = point(&[
        (Var::w1(0, 0), Rational::from(4)),
        (Var::w1(0, 1), Rational::from(-2)),
        (Var::b1(0), Rational::from(1)),
        (Var::w2(0, 0), Rational::ratio(3, 2)),
        (Var::w2(1, 0), Rational::ratio(-1, 2)),
    ]);
    let witness = point(&[(Var::new("mu"), Rational::from(2))]);
    assert_eq!(
        s.membership(&theta),
        Ok(Membership::Member {
            witness: witness.clone()
        })
    );
    assert_eq!(s.contains_with(&theta, &witness), Ok(true));
    // Rescaling by mu = -2 (not a symmetry of ReLU) is not.
    let negated: Point = theta.iter().map(|(v, x)| (v.clone(), -x)).collect();
    assert_eq!(s.membership(&negated), Ok(Membership::NotMember));
}

#[test]
fn scaling_conservation_law() {
    let h = scaling_law(0, 2, 3);
    insta::assert_snapshot!("scaling_law_text", h.to_string());
    insta::assert_snapshot!("scaling_law_latex", h.to_latex());
    insta::assert_snapshot!("scaling_law_json", h.to_json_string());
    let x = scaling_field(0, 2, 3);
    insta::assert_snapshot!("scaling_field_text", x.to_string());
    insta::assert_snapshot!("scaling_field_latex", x.to_latex());
    // ∇h = 2 X: along a gradient flow of a loss invariant under X, dh/dt = −2 X(L) = 0.
    assert_eq!(
        fibers_semialg::VectorField::gradient_of(&h),
        x.scale(&Rational::from(2))
    );
    // X kills the products W2[k][0]·W1[0][i] and W2[k][0]·b1[0] that the network sees.
    for k in 0..3 {
        let w = var(&Var::w2(k, 0));
        for i in 0..2 {
            assert!(x.apply(&(&w * &var(&Var::w1(0, i)))).is_zero());
        }
        assert!(x.apply(&(&w * &var(&Var::b1(0)))).is_zero());
    }
}

#[test]
fn union_of_two_basic_sets() {
    let s = relu_graph();
    insta::assert_snapshot!("relu_graph_text", s.to_string());
    insta::assert_snapshot!("relu_graph_latex", s.to_latex());
    insta::assert_snapshot!("relu_graph_json", s.to_json_string());
    let json = s.to_json_string();
    assert_eq!(SemiAlgebraicSet::from_json_str(&json).unwrap(), s);
    let at = |x: i64, y: i64| {
        s.membership(&point(&[
            (Var::new("x"), Rational::from(x)),
            (Var::new("y"), Rational::from(y)),
        ]))
        .unwrap()
        .decided()
    };
    assert_eq!(at(3, 3), Some(true));
    assert_eq!(at(0, 0), Some(true));
    assert_eq!(at(-3, 0), Some(true));
    assert_eq!(at(-3, -3), Some(false));
    assert_eq!(at(3, 0), Some(false));
}
