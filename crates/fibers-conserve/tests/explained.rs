//! Disagreements explained exactly (docs/conservation.md):
//!
//! 1. A dataset whose points all lie in one region where the output is constant in `x`: the
//!    Lie-algebra count exceeds the polynomial laws by one, and the extra law is not
//!    polynomial (`e^{b3} (v0 − β0)`), checked exactly here on every generator.
//! 2. docs/theory.md §9's formula at parameters that `fibers-bottleneck` calls generic: a linear neuron with
//!    `β = 0` (its pre-activation vanishes on a whole region), and two positively parallel
//!    crossing neurons (fixtures/counterexamples/conserve-*).

use fibers_conserve::lie::Stop;
use fibers_conserve::model::{gradient_generators, param_point, param_vars};
use fibers_conserve::span::VectorSpan;
use fibers_conserve::{analyse, Dataset, Options};
use fibers_semialg::{Polynomial, Var, VectorField};
use std::path::Path;

fn root(rel: &str) -> String {
    format!("{}/../../{rel}", env!("CARGO_MANIFEST_DIR"))
}

fn net(rel: &str) -> fibers_net::Network {
    fibers_net::json::read_network(Path::new(&root(rel))).expect("network")
}

#[test]
fn non_polynomial_law_in_a_constant_region() {
    let net = net("fixtures/conserve/s1_2221_crossing.json");
    let data = Dataset::read(
        Path::new(&root("fixtures/conserve/data/s1_constant_region.json")),
        2,
        1,
    )
    .unwrap();
    let a = analyse(&net, Some(&data), &Options::default()).unwrap();
    assert_eq!(a.patterns.patterns.len(), 1);
    assert_eq!(a.patterns.patterns[0].to_string(), "--|+-");
    assert_eq!(a.law_count(), 13);
    assert_eq!((a.lie.count, a.lie.stop), (14, Stop::Closed));
    assert!(a.lie.certified);
    // No polynomial law of degree ≤ 2 is missing.
    assert_eq!(a.search, Some(0));
    // f = v0 β0 + b3 here; Q = e^{b3} g with g = v0 − β0 satisfies, for every generator G,
    // G(Q) = e^{b3} (G(g) + g G(b3)), which vanishes identically:
    let b3 = Var::b3(0);
    let g = Polynomial::var(Var::w3(0, 0)) - Polynomial::var(Var::b2(0));
    let arch = net.arch();
    let gens = gradient_generators(&arch, &a.patterns.patterns);
    assert!(!gens.is_empty());
    for gen in &gens {
        let f = &gen.field;
        let e = f.apply(&g) + &g * &f.apply(&Polynomial::var(b3.clone()));
        assert!(e.is_zero(), "{e}");
    }
    // Its gradient at θ, e^{b3}(∇g + g ∇b3) ∝ ∇g + g(θ) e_{b3}, is independent of the 13
    // polynomial laws: together they are 14 = the Lie count.
    let vars = param_vars(&arch);
    let point = param_point(&net);
    let mut span = VectorSpan::new();
    for c in &a.laws {
        assert!(span.insert(fibers_conserve::laws::gradient_at(
            &c.law.polynomial,
            &vars,
            &point
        )));
    }
    let gval = g.eval(&point).unwrap();
    let mut grad = VectorField::gradient_of(&g)
        .eval_vector(&vars, &point)
        .unwrap();
    let i = vars.iter().position(|v| *v == b3).unwrap();
    grad[i] += &gval;
    assert!(!gval.is_zero());
    assert!(span.insert(grad));
    assert_eq!(span.rank(), a.lie.count);
}

#[test]
fn formula_fails_for_a_linear_neuron_with_zero_bias() {
    let net = net("fixtures/counterexamples/conserve-linear-bias-zero/net.json");
    let a = analyse(&net, None, &Options::default()).unwrap();
    assert!(a.lie.certified && a.agrees());
    assert_eq!(a.law_count(), 5);
    assert_eq!(a.theory.predicted, 6);
    assert_eq!(a.patterns.degenerate, vec![(2, 1)]);
    assert!(a
        .theory
        .applies
        .as_ref()
        .unwrap_err()
        .contains("vanishes identically"));
}

#[test]
fn formula_undercounts_parallel_crossing_neurons() {
    let net = net("fixtures/counterexamples/conserve-parallel-crossing/net.json");
    let a = analyse(&net, None, &Options::default()).unwrap();
    assert!(a.lie.certified && a.agrees());
    assert_eq!(a.law_count(), 7);
    assert_eq!(a.theory.applies, Ok(()));
    assert_eq!(a.theory.predicted, 6);
    assert_eq!(a.theory.parallel_groups, vec![vec![0, 3]]);
    assert_eq!(a.theory.refined, 7);
    assert!(a.laws.iter().any(|c| c.law.name == "L2 mixing k=0,l=3"));
}
