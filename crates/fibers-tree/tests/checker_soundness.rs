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
use fibers_tree::{run, Outcome, TreeOptions};
use serde_json::Value;

const NO_HASH: CheckOptions = CheckOptions {
    check_hashes: false,
};

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

/// All JSON pointers to numbers or number strings inside the proof nodes and the witness.
fn number_pointers(v: &Value, here: String, out: &mut Vec<String>) {
    match v {
        Value::Array(a) => {
            for (i, e) in a.iter().enumerate() {
                number_pointers(e, format!("{here}/{i}"), out);
            }
        }
        Value::Object(m) => {
            for (k, e) in m {
                if k == "networks" || k == "format" || k == "producer" {
                    continue;
                }
                number_pointers(e, format!("{here}/{k}"), out);
            }
        }
        Value::Number(_) => out.push(here),
        Value::String(s) if s.parse::<Rational>().is_ok() => out.push(here),
        _ => {}
    }
}

fn mutate(v: &Value, rng: &mut Lcg) -> (Value, String) {
    let mut m = v.clone();
    let kind = rng.below(9);
    let nodes_ptr = "/proof/steps/0/nodes";
    match kind {
        0..=2 => {
            let mut ptrs = Vec::new();
            number_pointers(&m, String::new(), &mut ptrs);
            if ptrs.is_empty() {
                return (m, "none".into());
            }
            let p = &ptrs[rng.below(ptrs.len())];
            let target = m.pointer_mut(p).expect("pointer exists");
            let old: Rational = match target {
                Value::Number(n) => n.to_string().parse().expect("number"),
                Value::String(s) => s.parse().expect("number"),
                _ => unreachable!(),
            };
            let new = match rng.below(5) {
                0 => &old + &Rational::one(),
                1 => &old * &Rational::from(2),
                2 => -old.clone(),
                3 => Rational::zero(),
                _ => &old - &Rational::ratio(1, 7),
            };
            *target = Value::String(new.to_string());
            (m, format!("number at {p}: {old} -> {new}"))
        }
        3 => {
            // Drop a node, with the ids removed so that the kernel sees the shifted list.
            let Some(Value::Array(nodes)) = m.pointer_mut(nodes_ptr) else {
                return (m, "none".into());
            };
            for n in nodes.iter_mut() {
                n.as_object_mut().expect("object").remove("id");
            }
            let i = rng.below(nodes.len());
            nodes.remove(i);
            (m, format!("drop node {i}"))
        }
        4 => {
            let Some(Value::Array(nodes)) = m.pointer_mut(nodes_ptr) else {
                return (m, "none".into());
            };
            let splits: Vec<usize> = (0..nodes.len())
                .filter(|&i| nodes[i].get("split").is_some())
                .collect();
            if splits.is_empty() {
                return (m, "none".into());
            }
            let i = splits[rng.below(splits.len())];
            let n = nodes[i].as_object_mut().expect("object");
            let a = n["active"].clone();
            n.insert("active".into(), n["inactive"].clone());
            n.insert("inactive".into(), a);
            (m, format!("swap children of node {i}"))
        }
        5 => {
            let other = if m["verdict"] == "equivalent" {
                "not-equivalent"
            } else {
                "equivalent"
            };
            m["verdict"] = Value::from(other);
            (m, "flip verdict".into())
        }
        6 => {
            let Some(Value::Array(nodes)) = m.pointer_mut(nodes_ptr) else {
                return (m, "none".into());
            };
            let i = rng.below(nodes.len());
            let n = nodes[i].as_object_mut().expect("object");
            for key in ["split", "fix"] {
                if let Some(Value::String(s)) = n.get(key) {
                    let mut parts: Vec<String> = s.split(':').map(String::from).collect();
                    match rng.below(3) {
                        0 => parts[0] = if parts[0] == "a" { "b" } else { "a" }.into(),
                        1 => parts[1] = if parts[1] == "1" { "2" } else { "1" }.into(),
                        _ => {
                            let k: usize = parts[2].parse().expect("index");
                            parts[2] = (k + 1).to_string();
                        }
                    }
                    let new = parts.join(":");
                    n.insert(key.into(), Value::from(new.clone()));
                    return (m, format!("neuron of node {i} -> {new}"));
                }
            }
            (m, "none".into())
        }
        7 => {
            let Some(Value::Array(nodes)) = m.pointer_mut(nodes_ptr) else {
                return (m, "none".into());
            };
            let i = rng.below(nodes.len());
            let n = nodes[i].as_object_mut().expect("object");
            if let Some(Value::String(p)) = n.get("phase") {
                let flipped = if p == "active" { "inactive" } else { "active" };
                n.insert("phase".into(), Value::from(flipped));
                return (m, format!("flip phase of node {i}"));
            }
            if let Some(Value::Array(b)) = n.get_mut("bound") {
                if !b.is_empty() {
                    b.pop();
                    return (m, format!("drop a multiplier of node {i}"));
                }
            }
            (m, "none".into())
        }
        _ => {
            // Replace a node by a "zero" leaf (cutting its subtree off).
            let Some(Value::Array(nodes)) = m.pointer_mut(nodes_ptr) else {
                return (m, "none".into());
            };
            let i = rng.below(nodes.len());
            nodes[i] = serde_json::json!({ "id": i, "leaf": "zero" });
            (m, format!("node {i} -> zero leaf"))
        }
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
    let mut rejected = 0;
    let mut total = 0;
    for (a, b, truth) in &cases {
        let cert = certificate(a, b);
        let v = certificate_to_value(&cert);
        for _ in 0..60 {
            let (m, what) = mutate(&v, &mut rng);
            if what == "none" {
                continue;
            }
            total += 1;
            let Ok(c) = certificate_from_value(&m, "mutated") else {
                rejected += 1;
                continue;
            };
            match check(&c, a, b, NO_HASH) {
                Err(_) => rejected += 1,
                Ok(verdict) => assert_eq!(
                    verdict, *truth,
                    "mutation ({what}) made the checker accept a false verdict"
                ),
            }
        }
    }
    eprintln!("{rejected} of {total} mutations rejected; the rest proved the true verdict");
    // Most mutations must be caught (the rest are harmless: e.g. a multiplier on a slack
    // constraint, or a bound made weaker than needed but still valid).
    assert!(
        rejected * 2 > total,
        "only {rejected} of {total} mutations rejected"
    );
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
