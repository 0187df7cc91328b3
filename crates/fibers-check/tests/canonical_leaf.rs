//! The `"canonical"` leaf on hand-written certificates (docs/theory.md §11): accepted when the
//! restricted canonical data agree, rejected when a layer-1 neuron feeding the rest has no
//! phase, when the partner differs, and when the leaf sits above an unjustified fix.

use fibers_check::{certificate_from_str, check, network_hash, CheckOptions, Verdict};
use fibers_net::json::network_from_str;
use fibers_net::Network;
use serde_json::{json, Value};

fn net(w1: i64, w2: &str, b3: i64) -> Network {
    let v = json!({"architecture": [1, 1, 1, 1], "layers": [
        {"weight": [[w1]], "bias": [0]},
        {"weight": [[w2]], "bias": [0]},
        {"weight": [[1]], "bias": [b3]}]});
    network_from_str(&v.to_string(), "test").expect("valid network")
}

fn cert(a: &Network, b: &Network, nodes: Value) -> fibers_check::Certificate {
    let arch = |n: &Network| {
        let a = n.arch();
        [a.n0, a.n1, a.n2, a.n3]
    };
    let v = json!({
        "format": "fibers-certificate", "version": 1, "verdict": "equivalent",
        "networks": {
            "a": {"sha256": network_hash(a), "architecture": arch(a)},
            "b": {"sha256": network_hash(b), "architecture": arch(b)}
        },
        "proof": {"steps": [{"kind": "branch-tree", "nodes": nodes}]}
    });
    certificate_from_str(&v.to_string(), "test").expect("well formed")
}

/// Split on A's layer-1 neuron, fix B's (2x has the sign of x), close both cells canonically.
fn nodes() -> Value {
    json!([
        {"id": 0, "split": "a:1:0", "active": 1, "inactive": 3},
        {"id": 1, "fix": "b:1:0", "phase": "active", "bound": [[0, 2]], "next": 2},
        {"id": 2, "leaf": "canonical"},
        {"id": 3, "fix": "b:1:0", "phase": "inactive", "bound": [[0, 2]], "next": 4},
        {"id": 4, "leaf": "canonical"}
    ])
}

const NO_HASH: CheckOptions = CheckOptions {
    check_hashes: false,
};

#[test]
fn canonical_leaves_accept_a_rescaled_copy() {
    let (a, b) = (net(1, "1", 0), net(2, "1/2", 0));
    let c = cert(&a, &b, nodes());
    assert_eq!(
        check(&c, &a, &b, CheckOptions::default()),
        Ok(Verdict::Equivalent)
    );
}

#[test]
fn canonical_leaf_rejections() {
    let (a, b) = (net(1, "1", 0), net(2, "1/2", 0));
    // A different partner: other output bias, other slope.
    for bad in [net(2, "1/2", 1), net(2, "1", 0)] {
        let r = check(&cert(&a, &bad, nodes()), &a, &bad, NO_HASH);
        assert!(r.is_err(), "{r:?}");
    }
    // At the root no layer-1 phase is known.
    let r = check(
        &cert(&a, &b, json!([{"id": 0, "leaf": "canonical"}])),
        &a,
        &b,
        NO_HASH,
    );
    assert!(r.unwrap_err().0.contains("has no phase"));
    // B's layer-1 neuron left undecided in one cell.
    let mut n = nodes();
    n[1] = json!({"id": 1, "leaf": "canonical"});
    n[2] = json!({"id": 2, "leaf": "zero"});
    n[0]["active"] = json!(1);
    let n = json!([n[0], n[1], n[3], n[4]]);
    let mut n = n;
    n[0]["inactive"] = json!(2);
    n[2]["id"] = json!(2);
    n[2]["next"] = json!(3);
    n[3]["id"] = json!(3);
    assert!(check(&cert(&a, &b, n), &a, &b, NO_HASH).is_err());
    // A wrong phase for B's neuron (its bound then fails).
    let mut n = nodes();
    n[1]["phase"] = json!("inactive");
    assert!(check(&cert(&a, &b, n), &a, &b, NO_HASH).is_err());
}

#[test]
fn canonical_leaf_with_bounds_key_is_malformed() {
    let v = json!({
        "format": "fibers-certificate", "version": 1, "verdict": "equivalent",
        "networks": {"a": {"sha256": "", "architecture": [1, 1, 1, 1]},
                     "b": {"sha256": "", "architecture": [1, 1, 1, 1]}},
        "proof": {"steps": [{"kind": "branch-tree",
                             "nodes": [{"id": 0, "leaf": "canonical", "bounds": []}]}]}
    });
    assert!(certificate_from_str(&v.to_string(), "test").is_err());
}

/// `u = σ(w1 x)` feeding two layer-2 neurons `z = (w2[0] u, w2[1] u)`, output `w3 · σ(z)`.
fn two(w1: i64, w2: [i64; 2], w3: [&str; 2]) -> Network {
    let v = json!({"architecture": [1, 1, 2, 1], "layers": [
        {"weight": [[w1]], "bias": [0]},
        {"weight": [[w2[0]], [w2[1]]], "bias": [0, 0]},
        {"weight": [[w3[0], w3[1]]], "bias": [0]}]});
    network_from_str(&v.to_string(), "test").expect("valid network")
}

#[test]
fn canonical_leaves_fold_opposite_and_rescaled_hyperplanes() {
    // On the cell x > 0, A is σ(x) − σ(−x) and B is (1/6)σ(6x) − (1/4)σ(−4x) (B's layer-1
    // neuron is 2x): in both the jumps on the hyperplane x = 0 cancel and the negative
    // normals leave the affine part x.
    let a = two(1, [1, -1], ["1", "-1"]);
    let b = two(2, [3, -2], ["1/6", "-1/4"]);
    assert_eq!(
        check(&cert(&a, &b, nodes()), &a, &b, NO_HASH),
        Ok(Verdict::Equivalent)
    );
    // A jump left over (and a different affine part): rejected.
    let bad = two(2, [3, -2], ["1/6", "-1/5"]);
    let r = check(&cert(&a, &bad, nodes()), &a, &bad, NO_HASH);
    assert!(r.is_err(), "{r:?}");
}
