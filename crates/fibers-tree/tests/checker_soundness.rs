//! Soundness of the checker against certificates made by the decider: certificates presented
//! with other networks are rejected, non-separating witnesses are rejected, and random
//! mutations of certificates are rejected or still prove a true statement.
//!
//! The content hashes are switched off here (`check_hashes: false`), so every rejection comes
//! from the kernel's own recomputation, not from the friendly hash comparison.

mod common;

use common::*;
use fibers_check::{
    certificate_from_value, certificate_to_value, check, Certificate, CheckOptions, Verdict,
};
use fibers_exact::Rational;
use fibers_net::{Architecture, Network};
use fibers_testkit::moves::*;
use fibers_testkit::mutations::{assert_mutations_rejected_or_true, NO_HASH};
use fibers_tree::{run, Outcome, TreeOptions};

fn certificate(a: &Network, b: &Network) -> Certificate {
    match run(a, b, &TreeOptions::default(), &mut |_| {})
        .expect("decide runs")
        .outcome
    {
        Outcome::Equivalent { certificate } | Outcome::NotEquivalent { certificate, .. } => {
            certificate
        }
        Outcome::Undecided => panic!("no budget"),
    }
}

/// Equivalent pairs with nontrivial trees (bottleneck and wide).
fn equivalent_pairs() -> Vec<(Network, Network)> {
    let mut rng = Lcg::new(4242);
    let mut out = Vec::new();
    for t in [(2, 2, 3, 1), (2, 3, 3, 2), (3, 2, 2, 1), (1, 3, 2, 1)] {
        let a = crossing_base(&mut rng, arch(t));
        let b = random_positive_scaling(&random_permute(&a, &mut rng), &mut rng);
        out.push((a.clone(), b));
        out.push((a.clone(), flip_compensated(&a, 0)));
    }
    out
}

#[test]
fn equivalence_certificate_rejected_for_a_non_equivalent_partner() {
    let mut rng = Lcg::new(1);
    for (a, b) in equivalent_pairs() {
        let cert = certificate(&a, &b);
        assert_eq!(check(&cert, &a, &b, NO_HASH), Ok(Verdict::Equivalent));
        // B' differs from B by small changes in several places.
        for _ in 0..4 {
            let idx = rng.below(b.arch().param_count());
            let b2 = perturb(&b, idx, &Rational::ratio(1, 7));
            let (truth, _) = decide_checked(&a, &b2);
            let r = check(&cert, &a, &b2, NO_HASH);
            if truth == Verdict::NotEquivalent {
                assert!(r.is_err(), "certificate accepted for a non-equivalent B'");
            } else {
                // The perturbed parameter did not matter: acceptance is then a true statement.
                assert!(r.is_err() || r == Ok(Verdict::Equivalent));
            }
            // With the hashes on, the friendly error fires first.
            assert!(check(&cert, &a, &b2, CheckOptions::default()).is_err());
        }
        // Swapped roles (B, A) are a different statement of the same truth; the tree names
        // neurons by side, so it is rejected (or accepted, which would still be true).
        let r = check(&cert, &b, &a, NO_HASH);
        assert!(r.is_err() || r == Ok(Verdict::Equivalent));
    }
}

#[test]
fn witness_that_does_not_separate_is_rejected() {
    let mut rng = Lcg::new(2);
    for t in [(2, 2, 2, 1), (2, 3, 3, 2)] {
        let a = crossing_base(&mut rng, arch(t));
        let c = scale_layer1(&a, 0, &Rational::from(-3));
        let cert = certificate(&a, &c);
        assert_eq!(cert.verdict, Verdict::NotEquivalent);
        assert_eq!(check(&cert, &a, &c, NO_HASH), Ok(Verdict::NotEquivalent));
        // The same witness for an equivalent pair does not separate.
        let a2 = random_permute(&a, &mut rng);
        assert!(check(&cert, &a, &a2, NO_HASH).is_err());
        // A witness moved to a point where both agree.
        let mut v = certificate_to_value(&cert);
        let n0 = a.arch().n0;
        let agree = (0..200)
            .map(|_| {
                (0..n0)
                    .map(|_| Rational::from(rng.range(-20, 20)))
                    .collect::<Vec<_>>()
            })
            .find(|x| a.eval(x) == c.eval(x));
        if let Some(x) = agree {
            v["witness"] = serde_json::json!({ "x": fibers_net::json::vector_to_value(&x) });
            let moved = certificate_from_value(&v, "mutated").expect("well formed");
            assert!(check(&moved, &a, &c, NO_HASH).is_err());
        }
        // Wrong claimed outputs are rejected even when x separates.
        let mut v = certificate_to_value(&cert);
        v["witness"]["output_a"] = v["witness"]["output_b"].clone();
        let wrong = certificate_from_value(&v, "mutated").expect("well formed");
        assert!(check(&wrong, &a, &c, NO_HASH).is_err());
    }
}

#[test]
fn random_mutations_are_rejected_or_still_true() {
    let mut rng = Lcg::new(3);
    let mut cases: Vec<(Network, Network, Verdict)> = equivalent_pairs()
        .into_iter()
        .map(|(a, b)| (a, b, Verdict::Equivalent))
        .collect();
    for t in [(2, 2, 3, 1), (2, 3, 2, 1)] {
        let a = crossing_base(&mut rng, arch(t));
        cases.push((a.clone(), flip_uncompensated(&a, 0), Verdict::NotEquivalent));
        cases.push((
            a.clone(),
            hidden_shift(&make_hidden(&a, 0), 0, &Rational::from(-50)),
            Verdict::NotEquivalent,
        ));
    }
    assert_mutations_rejected_or_true(&cases, certificate, &mut rng, 60);
}

#[test]
fn certificates_round_trip_through_text() {
    let (a, b) = equivalent_pairs().remove(0);
    let cert = certificate(&a, &b);
    let text = fibers_check::certificate_to_string(&cert);
    let back = fibers_check::certificate_from_str(&text, "round trip").expect("parses");
    assert_eq!(back, cert);
    assert_eq!(
        check(&back, &a, &b, CheckOptions::default()),
        Ok(Verdict::Equivalent)
    );
}

#[test]
fn deep_trees_parse_without_recursion_limits() {
    // A wide architecture gives long paths; the flat node list keeps JSON nesting shallow.
    let mut rng = Lcg::new(5);
    let a = crossing_base(&mut rng, Architecture::new(1, 8, 4, 1));
    let b = random_positive_scaling(&random_permute(&a, &mut rng), &mut rng);
    let cert = certificate(&a, &b);
    let text = fibers_check::certificate_to_string(&cert);
    let back = fibers_check::certificate_from_str(&text, "deep").expect("parses");
    assert_eq!(
        check(&back, &a, &b, CheckOptions::default()),
        Ok(cert.verdict)
    );
}
