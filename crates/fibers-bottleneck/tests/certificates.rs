//! Certificates of the fast path: accepted by the independent checker, round-tripped through
//! the file format, and rejected once tampered with.

use fibers_bottleneck::certified::{chain_certificate, fast};
use fibers_bottleneck::{decide, FastOutcome};
use fibers_check::bottleneck::{BottleneckStep, Relabeling};
use fibers_check::{
    certificate_from_str, certificate_to_string, check, Certificate, CheckOptions, Proof, Step,
    StepBody, Verdict,
};
use fibers_exact::Rational;
use fibers_net::json::read_network;
use fibers_net::Network;
use std::path::PathBuf;

fn fixture(name: &str) -> Network {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../fixtures/strata/{name}.json"));
    read_network(&p).expect("fixture reads")
}

const OPTS: CheckOptions = CheckOptions { check_hashes: true };

fn equivalent_cert(a: &Network, b: &Network) -> Certificate {
    match decide(a, b, 16) {
        FastOutcome::Equivalent(links) => chain_certificate(a, b, &links),
        other => panic!("expected equivalent, got {other:?}"),
    }
}

/// A certificate whose single step is `step` (target B).
fn one_step(a: &Network, b: &Network, step: BottleneckStep) -> Certificate {
    let mut c = equivalent_cert(a, a);
    c.b = fibers_check::network_info(b);
    c.proof = Some(Proof {
        steps: vec![Step {
            network: None,
            body: StepBody::Bottleneck(step),
        }],
    });
    c
}

fn scale(net: &Network, j: usize, l: &Rational) -> Network {
    let mut out = net.clone();
    let row: Vec<Rational> = net.w1()[j].iter().map(|x| x * l).collect();
    out.layer_mut(1).weight[j] = row;
    out.layer_mut(1).bias[j] = &net.b1()[j] * l;
    for k in 0..net.arch().n2 {
        out.layer_mut(2).weight[k][j] = &net.w2()[k][j] / l;
    }
    out
}

#[test]
fn fast_certificates_pass_and_round_trip() {
    for (a, b) in [
        ("all-crossing", "flip"),
        ("all-crossing", "split"),
        ("hidden", "hidden-at-tmin"),
        ("one-linear", "one-linear"),
    ] {
        let (na, nb) = (fixture(a), fixture(b));
        let c = equivalent_cert(&na, &nb);
        assert_eq!(
            check(&c, &na, &nb, OPTS),
            Ok(Verdict::Equivalent),
            "{a} ~ {b}"
        );
        let text = certificate_to_string(&c);
        let back = certificate_from_str(&text, "cert").expect("reads back");
        assert_eq!(back, c);
    }
}

#[test]
fn not_equivalent_witness_is_exact() {
    let (a, b) = (fixture("all-crossing"), fixture("one-dead"));
    let (d, _) = fast(&a, &b).expect("fast path decides");
    match d {
        fibers_tree::Outcome::NotEquivalent {
            witness,
            certificate,
        } => {
            assert_ne!(a.eval(&witness), b.eval(&witness));
            assert_eq!(
                check(&certificate, &a, &b, OPTS),
                Ok(Verdict::NotEquivalent)
            );
        }
        _ => panic!("expected not equivalent"),
    }
}

#[test]
fn tampered_hidden_shift_is_rejected() {
    let (a, b) = (fixture("hidden"), fixture("hidden-at-tmin"));
    let good = one_step(
        &a,
        &b,
        BottleneckStep::HiddenShift {
            neuron: 0,
            t: Rational::from(-1),
            forward: true,
        },
    );
    assert_eq!(check(&good, &a, &b, OPTS), Ok(Verdict::Equivalent));
    // The same step read backwards.
    let back = one_step(
        &b,
        &a,
        BottleneckStep::HiddenShift {
            neuron: 0,
            t: Rational::from(-1),
            forward: false,
        },
    );
    assert_eq!(check(&back, &b, &a, OPTS), Ok(Verdict::Equivalent));
    // Below t_min: the sign conditions fail, even though the target is computed correctly.
    let below = fibers_bottleneck::layer1::hidden_shift(&a, 0, &Rational::from(-2));
    let bad = one_step(
        &a,
        &below,
        BottleneckStep::HiddenShift {
            neuron: 0,
            t: Rational::from(-2),
            forward: true,
        },
    );
    let r = check(&bad, &a, &below, OPTS).unwrap_err();
    assert!(r.0.contains("below the threshold"), "{r}");
    // Neuron 1 is not hidden.
    let other = fibers_bottleneck::layer1::hidden_shift(&a, 1, &Rational::from(1));
    let bad = one_step(
        &a,
        &other,
        BottleneckStep::HiddenShift {
            neuron: 1,
            t: Rational::from(1),
            forward: true,
        },
    );
    assert!(check(&bad, &a, &other, OPTS).is_err());
    // A wrong t for the given target.
    let bad = one_step(
        &a,
        &b,
        BottleneckStep::HiddenShift {
            neuron: 0,
            t: Rational::ratio(-1, 2),
            forward: true,
        },
    );
    assert!(check(&bad, &a, &b, OPTS).is_err());
}

#[test]
fn tampered_canonical_data_is_rejected() {
    let a = fixture("all-crossing");
    let b = scale(&fixture("flip"), 1, &Rational::from(3));
    // flip's layer 1 is all-crossing's; B's row 1 is 3 times it.
    let align = |s: i64| Relabeling {
        order: vec![0, 1],
        scale: vec![Rational::one(), Rational::ratio(1, s)],
    };
    let good = one_step(
        &a,
        &b,
        BottleneckStep::CanonicalData {
            align: Some(align(3)),
        },
    );
    assert_eq!(check(&good, &a, &b, OPTS), Ok(Verdict::Equivalent));
    for bad_align in [
        None,
        Some(align(2)),
        Some(Relabeling {
            order: vec![1, 0],
            scale: vec![Rational::one(), Rational::ratio(1, 3)],
        }),
        Some(Relabeling {
            order: vec![0, 0],
            scale: vec![Rational::one(), Rational::ratio(1, 3)],
        }),
        Some(Relabeling {
            order: vec![0, 1],
            scale: vec![Rational::one(), Rational::ratio(-1, 3)],
        }),
    ] {
        let c = one_step(
            &a,
            &b,
            BottleneckStep::CanonicalData {
                align: bad_align.clone(),
            },
        );
        assert!(check(&c, &a, &b, OPTS).is_err(), "{bad_align:?}");
    }
    // Same layer 1, different canonical data.
    let d = fixture("one-dead");
    let c = one_step(&a, &d, BottleneckStep::CanonicalData { align: None });
    let r = check(&c, &a, &d, OPTS).unwrap_err();
    assert!(r.0.contains("canonical data"), "{r}");
    // An intermediate network altered in the chain.
    let h = fixture("hidden");
    let shifted = fibers_bottleneck::layer1::hidden_shift(&h, 0, &Rational::from(5));
    let mut c = equivalent_cert(&h, &shifted);
    assert_eq!(check(&c, &h, &shifted, OPTS), Ok(Verdict::Equivalent));
    let steps = &mut c.proof.as_mut().unwrap().steps;
    assert!(steps.len() >= 2, "a chain with an intermediate network");
    let n = steps[0].network.as_mut().unwrap();
    n.layer_mut(3).bias[0] += Rational::ratio(1, 100);
    assert!(check(&c, &h, &shifted, OPTS).is_err());
}

#[test]
fn one_dimensional_and_constant_steps() {
    let a = fixture("relay-1d");
    // A positive rescaling of layer 1 keeps the function; a perturbation does not.
    let b = scale(&a, 0, &Rational::from(5));
    let c = one_step(&a, &b, BottleneckStep::OneDimensional);
    assert_eq!(check(&c, &a, &b, OPTS), Ok(Verdict::Equivalent));
    let mut p = b.clone();
    p.layer_mut(2).bias[1] += Rational::ratio(1, 7);
    let c = one_step(&a, &p, BottleneckStep::OneDimensional);
    assert!(check(&c, &a, &p, OPTS).is_err());
    // Constant: same value with different layers 1; a different value is rejected.
    let k = fixture("constant");
    let mut k2 = k.clone();
    k2.layer_mut(1).weight[0][0] = Rational::from(7);
    let c = one_step(&k, &k2, BottleneckStep::Constant);
    assert_eq!(check(&c, &k, &k2, OPTS), Ok(Verdict::Equivalent));
    let mut k3 = k.clone();
    k3.layer_mut(3).bias[0] = Rational::from(3);
    let c = one_step(&k, &k3, BottleneckStep::Constant);
    assert!(check(&c, &k, &k3, OPTS).is_err());
    // A non-constant network is not accepted as constant.
    let n = fixture("all-crossing");
    let c = one_step(&n, &n, BottleneckStep::Constant);
    assert!(check(&c, &n, &n, OPTS).is_err());
}

#[test]
fn relabel_step() {
    let a = fixture("two-linear");
    let b = scale(&a, 0, &Rational::ratio(2, 3));
    let step = |s: Rational| BottleneckStep::Relabel {
        layer1: Some(Relabeling {
            order: vec![0, 1],
            scale: vec![s, Rational::one()],
        }),
        layer2: None,
    };
    let c = one_step(&a, &b, step(Rational::ratio(2, 3)));
    assert_eq!(check(&c, &a, &b, OPTS), Ok(Verdict::Equivalent));
    let c = one_step(&a, &b, step(Rational::ratio(3, 2)));
    assert!(check(&c, &a, &b, OPTS).is_err());
}
