//! The eight instances of docs/theory.md §9, one per stratum (fixtures/conserve/): the laws found, their
//! exact verification, the exact Lie-algebra count, and docs/theory.md's law-count formula.

use fibers_conserve::laws::Scope;
use fibers_conserve::lie::Stop;
use fibers_conserve::{analyse, Analysis, Options};
use fibers_net::Network;
use std::path::Path;

fn fixture(name: &str) -> Network {
    let path = format!(
        "{}/../../fixtures/conserve/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    fibers_net::json::read_network(Path::new(&path)).expect("fixture")
}

/// `fiber_dim` is docs/theory.md §8/§9's dimension of the fiber; the rank of the generators alone (level
/// 0: the gradient fields over all linear regions) is the functional dimension `D − fiber_dim`.
fn check(name: &str, laws: usize, lie_rank: usize, fiber_dim: usize) -> Analysis {
    let net = fixture(name);
    let a = analyse(&net, None, &Options::default()).expect("analysis");
    assert!(
        a.failed.is_empty(),
        "{name}: a candidate failed verification"
    );
    assert!(a.laws.iter().all(|c| c.verification.holds));
    assert_eq!(a.law_count(), laws, "{name}: laws\n{}", a.laws_text());
    assert_eq!(a.lie.rank, lie_rank, "{name}: Lie rank");
    assert_eq!(
        a.lie.levels[0].rank + fiber_dim,
        a.lie.ambient,
        "{name}: functional dimension"
    );
    assert_eq!(a.lie.count, laws, "{name}: Lie count");
    assert!(a.lie.certified && a.lie.stop == Stop::BoundReached);
    assert!(a.agrees());
    assert_eq!(a.theory.applies, Ok(()), "{name}");
    assert_eq!(a.theory.predicted, laws, "{name}: docs/theory.md formula");
    // Scaling laws are global, mixing and frozen-parameter laws local.
    for c in &a.laws {
        let global = c.law.name.contains("scaling");
        assert_eq!(c.law.scope == Scope::Global, global, "{}", c.law.name);
    }
    insta::assert_snapshot!(name, a.laws_text());
    a
}

#[test]
fn s1_2221_crossing() {
    let a = check("s1_2221_crossing", 4, 11, 4);
    assert!(a.non_laws.is_empty());
}

#[test]
fn s2_2221_hidden() {
    let a = check("s2_2221_hidden", 4, 11, 5);
    let shift = a
        .non_laws
        .iter()
        .find(|n| n.symmetry == "hidden shift h=0")
        .expect("hidden shift without a law");
    assert!(!shift
        .change
        .as_ref()
        .expect("first-order change")
        .rate
        .is_zero());
    // The generators alone span the functional dimension 10 = D - dim Fib (5); the bracket
    // level adds the hidden-shift direction.
    assert_eq!(a.lie.levels[0].rank, 10);
}

#[test]
fn s3_2221_one_linear() {
    let a = check("s3_2221_one_linear", 4, 11, 5);
    assert!(a
        .non_laws
        .iter()
        .any(|n| n.symmetry == "bias exchange b2[1] <-> b3" && n.change.is_some()));
    assert_eq!(a.lie.levels[0].rank, 10);
}

#[test]
fn s4_2232_two_linear() {
    check("s4_2232_two_linear", 6, 17, 9);
}

#[test]
fn s5_2232_one_dead() {
    let a = check("s5_2232_one_dead", 9, 14, 9);
    // The scaling law of the dead neuron is a combination of its frozen parameters.
    assert_eq!(a.dependent.len(), 1);
    assert_eq!(a.dependent[0].law.name, "L2 scaling k=2");
}

#[test]
fn s6_2232_hidden_three_crossing() {
    check("s6_2232_hidden_three_crossing", 5, 18, 6);
}

#[test]
fn s7_2231_two_linear() {
    check("s7_2231_two_linear", 6, 13, 9);
}

#[test]
fn s8_2242_three_linear() {
    let a = check("s8_2242_three_linear", 9, 19, 14);
    // This one needs symbolic brackets: level 1 does not reach the bound.
    assert!(a.lie.levels.len() >= 3);
}
