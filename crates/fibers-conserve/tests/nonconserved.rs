//! docs/theory.md §9: the hidden shift and the exchange of a linear neuron's bias with b3 induce no
//! conservation law. For each, an exact rational dataset and the fixture's parameter where the
//! natural candidate (the Poincaré potential of the generator) changes along the flow to first
//! order; the rate `dQ/dt = −∇Q · ∇L` is recomputed here independently, from the symbolic
//! gradient of the pattern polynomial.

use fibers_conserve::model::{input_var, output_polynomial, param_point, param_vars, Pattern};
use fibers_conserve::{analyse, Options};
use fibers_exact::Rational;
use fibers_semialg::VectorField;
use std::path::Path;

fn fixture(name: &str) -> fibers_net::Network {
    let path = format!(
        "{}/../../fixtures/conserve/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    fibers_net::json::read_network(Path::new(&path)).expect("fixture")
}

fn independent_rate(
    net: &fibers_net::Network,
    q: &fibers_semialg::Polynomial,
    x: &[Rational],
    y: &[Rational],
) -> Rational {
    let arch = net.arch();
    let (pat, kink) = Pattern::at(net, x);
    assert!(!kink);
    let mut pt = param_point(net);
    for (i, xi) in x.iter().enumerate() {
        pt.insert(input_var(i), xi.clone());
    }
    let vars = param_vars(&arch);
    let gq = VectorField::gradient_of(q).eval_vector(&vars, &pt).unwrap();
    let out = net.eval(x);
    let mut rate = Rational::zero();
    for o in 0..arch.n3 {
        let r = &out[o] - &y[o];
        let gf = VectorField::gradient_of(&output_polynomial(&arch, &pat, o))
            .eval_vector(&vars, &pt)
            .unwrap();
        let dot: Rational = gq.iter().zip(&gf).map(|(a, b)| a * b).sum();
        rate -= r * dot;
    }
    rate
}

fn demonstrate(name: &str, symmetry: &str, want: Rational) {
    let net = fixture(name);
    let a = analyse(&net, None, &Options::default()).unwrap();
    let s = a
        .symmetries
        .iter()
        .find(|s| s.name == symmetry)
        .expect("symmetry listed");
    assert!(s.verified, "the generator is an exact symmetry");
    assert!(!s.gradient_field && !s.induces_law());
    let n = a.non_laws.iter().find(|n| n.symmetry == symmetry).unwrap();
    let c = n.change.as_ref().expect("first-order change found");
    assert_eq!(c.rate, want);
    assert_eq!(independent_rate(&net, &n.charge, &c.x, &c.y), want);
    // The candidate is also no law on the patterns (exact polynomial identity fails).
    let v = fibers_conserve::laws::verify(&n.charge, &net.arch(), &a.patterns.patterns);
    assert!(!v.holds);
}

#[test]
fn hidden_shift_has_no_law() {
    demonstrate("s2_2221_hidden", "hidden shift h=0", Rational::ratio(19, 6));
    demonstrate(
        "s6_2232_hidden_three_crossing",
        "hidden shift h=0",
        Rational::ratio(19, 6),
    );
}

#[test]
fn bias_exchange_has_no_law() {
    demonstrate(
        "s3_2221_one_linear",
        "bias exchange b2[1] <-> b3",
        Rational::ratio(11, 8),
    );
    demonstrate(
        "s4_2232_two_linear",
        "bias exchange b2[2] <-> b3",
        Rational::ratio(-3, 8),
    );
}
