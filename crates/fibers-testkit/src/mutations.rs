//! Random mutations of certificates (JSON) and the checker-soundness harness shared by the
//! `checker_soundness` tests of `fibers-tree` and `fibers-regions`.

use crate::moves::Lcg;
use fibers_check::CheckOptions;
use fibers_check::{certificate_from_value, certificate_to_value, check, Certificate, Verdict};
use fibers_exact::Rational;
use fibers_net::Network;
use serde_json::Value;

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

/// One random mutation of a certificate's JSON value, and what was mutated (`"none"` when
/// nothing could be).
pub fn mutate(v: &Value, rng: &mut Lcg) -> (Value, String) {
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
            // Replace a node by a "zero" or "canonical" leaf (cutting its subtree off).
            let Some(Value::Array(nodes)) = m.pointer_mut(nodes_ptr) else {
                return (m, "none".into());
            };
            let i = rng.below(nodes.len());
            let kind = if rng.coin() { "zero" } else { "canonical" };
            nodes[i] = serde_json::json!({ "id": i, "leaf": kind });
            (m, format!("node {i} -> {kind} leaf"))
        }
    }
}

/// Checker options with the content hashes off, so every rejection comes from the kernel's own
/// recomputation, not from the friendly hash comparison.
pub const NO_HASH: CheckOptions = CheckOptions {
    check_hashes: false,
};

/// The soundness property under random mutations: for every case `(A, B, truth)`, the
/// certificate made by `certificate` is mutated `per_case` times; each mutation must be
/// refused by the reader, rejected by the checker, or still prove `truth`. More than half must
/// be refused or rejected (the rest are harmless: a multiplier on a slack constraint, a bound
/// weaker than needed but still valid). Returns `(rejected, total)`.
pub fn assert_mutations_rejected_or_true(
    cases: &[(Network, Network, Verdict)],
    certificate: impl Fn(&Network, &Network) -> Certificate,
    rng: &mut Lcg,
    per_case: usize,
) -> (usize, usize) {
    let (mut rejected, mut total) = (0, 0);
    for (a, b, truth) in cases {
        let v = certificate_to_value(&certificate(a, b));
        for _ in 0..per_case {
            let (m, what) = mutate(&v, rng);
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
    assert!(
        rejected * 2 > total,
        "only {rejected} of {total} mutations rejected"
    );
    (rejected, total)
}
