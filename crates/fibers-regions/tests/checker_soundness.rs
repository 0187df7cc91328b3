//! Soundness of the checker against region-wise certificates (branch trees down to layer-1
//! cells closed by `"canonical"` leaves, with LP-fixed layer-2 neurons as `fix` nodes): the
//! certificates pass, random mutations are rejected or still prove the true verdict, and a
//! certificate presented with a non-equivalent partner is rejected.
//!
//! The content hashes are switched off (`check_hashes: false`), so every rejection comes from
//! the kernel's own recomputation.

#[path = "../../fibers-tree/tests/common/mod.rs"]
mod common;

use common::*;
use fibers_check::{check, Certificate, Verdict};
use fibers_exact::Rational;
use fibers_net::Network;
use fibers_regions::{run, Outcome, TreeOptions};
use fibers_testkit::moves::*;
use fibers_testkit::mutations::{assert_mutations_rejected_or_true, NO_HASH};

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

/// Equivalent pairs whose certificates have canonical leaves, some with LP-fixed neurons
/// (dead neurons changed, hidden shifts, compensated flips).
fn equivalent_pairs() -> Vec<(Network, Network)> {
    let mut rng = Lcg::new(777);
    let mut out = Vec::new();
    for t in [(2, 3, 3, 1), (1, 3, 2, 2), (2, 2, 3, 1), (3, 4, 3, 1)] {
        let a = crossing_base(&mut rng, arch(t));
        let b = random_positive_scaling(&random_permute(&a, &mut rng), &mut rng);
        out.push((a.clone(), b));
        out.push((a.clone(), flip_compensated(&a, 0)));
        let mut roles = vec![Role::Crossing; t.2];
        roles[0] = Role::Dead;
        let d = random_network_with_roles(&mut rng, arch(t), &roles);
        if let Some(m) = dead_change(&d, &mut rng) {
            out.push((d, m));
        }
        let h = make_hidden(&a, 0);
        if let Some(t0) = t_min(&h, 0) {
            let m = hidden_shift(&h, 0, &(t0 + Rational::one()));
            out.push((h, m));
        }
    }
    out
}

#[test]
fn region_certificates_pass_and_have_canonical_leaves_and_fixes() {
    let (mut leaves, mut fixes2) = (0, 0);
    for (a, b) in equivalent_pairs() {
        let cert = certificate(&a, &b);
        assert_eq!(check(&cert, &a, &b, NO_HASH), Ok(Verdict::Equivalent));
        let text = fibers_check::certificate_to_string(&cert);
        leaves += text.matches("\"canonical\"").count();
        fixes2 += text.matches("\"fix\": \"a:2").count() + text.matches("\"fix\":\"a:2").count();
        let back = fibers_check::certificate_from_str(&text, "round trip").expect("parses");
        assert_eq!(back, cert);
    }
    assert!(leaves > 20, "{leaves} canonical leaves");
    eprintln!("{leaves} canonical leaves, {fixes2} LP-fixed layer-2 neurons of A");
}

#[test]
fn canonical_leaves_are_rejected_for_a_non_equivalent_partner() {
    let mut rng = Lcg::new(778);
    for (a, b) in equivalent_pairs() {
        let cert = certificate(&a, &b);
        // Any change of B's output layer changes the restricted canonical data somewhere.
        let d = b.arch().param_count();
        let idx = d - 1 - rng.below(b.arch().n3 * (b.arch().n2 + 1));
        let c = perturb(&b, idx, &Rational::ratio(1, 7));
        if run(&a, &c, &TreeOptions::default(), &mut |_| {})
            .map(|r| matches!(r.outcome, Outcome::Equivalent { .. }))
            .expect("runs")
        {
            continue;
        }
        assert!(
            check(&cert, &a, &c, NO_HASH).is_err(),
            "accepted for a perturbed partner (parameter {idx})"
        );
    }
}

#[test]
fn random_mutations_of_region_certificates_are_rejected_or_still_true() {
    let mut rng = Lcg::new(31);
    let mut cases: Vec<(Network, Network, Verdict)> = equivalent_pairs()
        .into_iter()
        .map(|(a, b)| (a, b, Verdict::Equivalent))
        .collect();
    for t in [(2, 3, 3, 1), (1, 3, 2, 1)] {
        let a = crossing_base(&mut rng, arch(t));
        cases.push((a.clone(), flip_uncompensated(&a, 0), Verdict::NotEquivalent));
    }
    assert_mutations_rejected_or_true(&cases, certificate, &mut rng, 60);
}
