//! The kernel on hand-written certificates: every node kind (split, fix, empty, zero leaf,
//! bounds leaf on a lower-dimensional polyhedron), the example of `docs/certificates.md`, and
//! targeted corruptions that must be rejected.

use fibers_check::{certificate_from_str, check, network_hash, CheckOptions, Rejection, Verdict};
use fibers_net::json::network_from_str;
use fibers_net::Network;
use serde_json::{json, Value};

fn net(v: Value) -> Network {
    network_from_str(&v.to_string(), "test").expect("valid network")
}

/// `f(x) = σ(σ(x))` written with scale 1.
fn id_relu() -> Network {
    net(json!({"architecture": [1, 1, 1, 1], "layers": [
        {"weight": [[1]], "bias": [0]},
        {"weight": [[1]], "bias": [0]},
        {"weight": [[1]], "bias": [0]}]}))
}

/// The same function with layer 1 scaled by 2 (M2).
fn id_relu_scaled() -> Network {
    net(json!({"architecture": [1, 1, 1, 1], "layers": [
        {"weight": [[2]], "bias": [0]},
        {"weight": [["1/2"]], "bias": [0]},
        {"weight": [[1]], "bias": [0]}]}))
}

/// `f(x) = σ(σ(x) + σ(x − 1))`.
fn two_kinks() -> Network {
    net(json!({"architecture": [1, 2, 1, 1], "layers": [
        {"weight": [[1], [1]], "bias": [0, -1]},
        {"weight": [[1, 1]], "bias": [0]},
        {"weight": [[1]], "bias": [0]}]}))
}

fn cert(verdict: &str, a: &Network, b: &Network, body: Value) -> fibers_check::Certificate {
    let mut v = json!({
        "format": "fibers-certificate", "version": 1, "verdict": verdict,
        "networks": {
            "a": {"sha256": network_hash(a), "architecture": [0, 0, 0, 0]},
            "b": {"sha256": network_hash(b), "architecture": [0, 0, 0, 0]}
        }
    });
    for (k, x) in body.as_object().expect("object") {
        v[k] = x.clone();
    }
    certificate_from_str(&v.to_string(), "test").expect("well formed")
}

fn tree(nodes: Value) -> Value {
    json!({"proof": {"steps": [{"kind": "branch-tree", "nodes": nodes}]}})
}

/// A tree for σ(σ(x)) vs its scaled copy, with a lower-dimensional leaf (x = 0) closed by
/// bounds.
fn scaled_nodes() -> Value {
    json!([
        {"id": 0, "split": "a:1:0", "active": 1, "inactive": 8},
        {"id": 1, "split": "b:1:0", "active": 2, "inactive": 5},
        {"id": 2, "fix": "a:2:0", "phase": "active", "bound": [[0, 1]], "next": 3},
        {"id": 3, "fix": "b:2:0", "phase": "active", "bound": [[0, 1]], "next": 4},
        {"id": 4, "leaf": "zero"},
        {"id": 5, "fix": "a:2:0", "phase": "active", "bound": [[0, 1]], "next": 6},
        {"id": 6, "fix": "b:2:0", "phase": "inactive", "bound": [], "next": 7},
        {"id": 7, "leaf": "bounds", "bounds": [{"output": 0, "upper": [[1, "1/2"]], "lower": [[0, 1]]}]},
        {"id": 8, "fix": "b:1:0", "phase": "inactive", "bound": [[0, 2]], "next": 9},
        {"id": 9, "fix": "a:2:0", "phase": "inactive", "bound": [], "next": 10},
        {"id": 10, "fix": "b:2:0", "phase": "inactive", "bound": [], "next": 11},
        {"id": 11, "leaf": "zero"}
    ])
}

/// A tree for σ(σ(x) + σ(x − 1)) against itself with an empty (Farkas) child.
fn two_kinks_nodes() -> Value {
    json!([
        {"split": "a:1:0", "active": 1, "inactive": 12},
        {"split": "a:1:1", "active": 2, "inactive": 7},
        {"fix": "b:1:0", "phase": "active", "bound": [[0, 1]], "next": 3},
        {"fix": "b:1:1", "phase": "active", "bound": [[1, 1]], "next": 4},
        {"fix": "a:2:0", "phase": "active", "bound": [[0, 1], [1, 1]], "next": 5},
        {"fix": "b:2:0", "phase": "active", "bound": [[4, 1]], "next": 6},
        {"leaf": "zero"},
        {"fix": "b:1:0", "phase": "active", "bound": [[0, 1]], "next": 8},
        {"fix": "b:1:1", "phase": "inactive", "bound": [[1, 1]], "next": 9},
        {"fix": "a:2:0", "phase": "active", "bound": [[0, 1]], "next": 10},
        {"fix": "b:2:0", "phase": "active", "bound": [[0, 1]], "next": 11},
        {"leaf": "zero"},
        {"split": "a:1:1", "active": 13, "inactive": 14},
        {"empty": [[0, 1], [1, 1]]},
        {"fix": "b:1:0", "phase": "inactive", "bound": [[0, 1]], "next": 15},
        {"fix": "b:1:1", "phase": "inactive", "bound": [[1, 1]], "next": 16},
        {"fix": "a:2:0", "phase": "inactive", "bound": [], "next": 17},
        {"fix": "b:2:0", "phase": "inactive", "bound": [], "next": 18},
        {"leaf": "zero"}
    ])
}

fn run(a: &Network, b: &Network, nodes: Value) -> Result<Verdict, Rejection> {
    check(
        &cert("equivalent", a, b, tree(nodes)),
        a,
        b,
        CheckOptions::default(),
    )
}

#[test]
fn hand_written_trees_are_accepted() {
    assert_eq!(
        run(&id_relu(), &id_relu_scaled(), scaled_nodes()),
        Ok(Verdict::Equivalent)
    );
    assert_eq!(
        run(&two_kinks(), &two_kinks(), two_kinks_nodes()),
        Ok(Verdict::Equivalent)
    );
}

fn corrupt(nodes: &Value, i: usize, f: impl FnOnce(&mut Value)) -> Value {
    let mut n = nodes.clone();
    f(&mut n[i]);
    n
}

#[test]
fn corrupted_trees_are_rejected() {
    let (a, b) = (two_kinks(), two_kinks());
    let base = two_kinks_nodes();
    let bad = [
        // Farkas multipliers that do not prove emptiness.
        corrupt(&base, 13, |n| n["empty"] = json!([[0, 1]])),
        // A Farkas combination with a negative multiplier.
        corrupt(&base, 13, |n| n["empty"] = json!([[0, 1], [1, -1]])),
        // A fix whose bound is too weak (wrong multiplier).
        corrupt(&base, 4, |n| n["bound"] = json!([[0, 1], [1, "1/2"]])),
        // A fix of the wrong phase.
        corrupt(&base, 8, |n| n["phase"] = json!("active")),
        // A leaf before every neuron that matters has a phase.
        corrupt(&base, 13, |n| *n = json!({"leaf": "zero"})),
        // A neuron decided twice on one path.
        corrupt(&base, 3, |n| n["fix"] = json!("b:1:0")),
        // A layer-2 neuron before its inputs.
        corrupt(
            &base,
            2,
            |n| *n = json!({"fix": "b:2:0", "phase": "active", "bound": [[0, 1]], "next": 3}),
        ),
        // A neuron that does not exist.
        corrupt(&base, 0, |n| n["split"] = json!("a:1:5")),
        // A multiplier index beyond the path.
        corrupt(&base, 2, |n| n["bound"] = json!([[7, 1]])),
        // Children not after their parent / shared children / orphans.
        corrupt(&base, 12, |n| n["active"] = json!(1)),
        corrupt(&base, 12, |n| n["active"] = json!(14)),
        corrupt(&base, 0, |n| n["inactive"] = json!(13)),
    ];
    for (i, nodes) in bad.into_iter().enumerate() {
        let r = run(&a, &b, nodes);
        assert!(r.is_err(), "corruption {i} accepted");
    }
    // A "zero" leaf where h ≠ 0 (the lower-dimensional leaf of the scaled pair).
    let bad = corrupt(&scaled_nodes(), 7, |n| {
        *n = json!({"id": 7, "leaf": "zero"})
    });
    assert!(run(&id_relu(), &id_relu_scaled(), bad).is_err());
    // Bounds that prove only one side.
    let bad = corrupt(&scaled_nodes(), 7, |n| {
        n["bounds"] = json!([{"output": 0, "upper": [[1, "1/2"]], "lower": []}])
    });
    assert!(run(&id_relu(), &id_relu_scaled(), bad).is_err());
}

#[test]
fn a_tree_for_one_pair_is_rejected_for_another() {
    // The scaled pair's tree against a network that differs for x > 0.
    let other = net(json!({"architecture": [1, 1, 1, 1], "layers": [
        {"weight": [[2]], "bias": [0]},
        {"weight": [["1/3"]], "bias": [0]},
        {"weight": [[1]], "bias": [0]}]}));
    let c = cert(
        "equivalent",
        &id_relu(),
        &id_relu_scaled(),
        tree(scaled_nodes()),
    );
    let opts = CheckOptions {
        check_hashes: false,
    };
    assert!(check(&c, &id_relu(), &other, opts).is_err());
    // With the hashes on, the friendly message names the network.
    let e = check(&c, &id_relu(), &other, CheckOptions::default()).unwrap_err();
    assert!(e.0.contains("another network B"), "{e}");
}

#[test]
fn witnesses() {
    let (a, b) = (id_relu(), id_relu_scaled());
    let other = net(json!({"architecture": [1, 1, 1, 1], "layers": [
        {"weight": [[1]], "bias": [0]},
        {"weight": [[1]], "bias": [0]},
        {"weight": [[2]], "bias": [0]}]}));
    let w = |x: Value| json!({"witness": {"x": x}});
    let opts = CheckOptions {
        check_hashes: false,
    };
    // x = 1 separates σ(σ(x)) from 2σ(σ(x)); x = -1 and x = 0 do not.
    assert_eq!(
        check(
            &cert("not-equivalent", &a, &other, w(json!([1]))),
            &a,
            &other,
            opts
        ),
        Ok(Verdict::NotEquivalent)
    );
    for x in [json!([-1]), json!(["0"])] {
        assert!(check(&cert("not-equivalent", &a, &other, w(x)), &a, &other, opts).is_err());
    }
    // No witness separates an equivalent pair.
    assert!(check(&cert("not-equivalent", &a, &b, w(json!([1]))), &a, &b, opts).is_err());
    // Wrong length.
    assert!(check(
        &cert("not-equivalent", &a, &other, w(json!([1, 2]))),
        &a,
        &other,
        opts
    )
    .is_err());
    // A verdict without its evidence, or with the wrong kind.
    assert!(check(&cert("equivalent", &a, &b, json!({})), &a, &b, opts).is_err());
    assert!(check(
        &cert("not-equivalent", &a, &other, json!({})),
        &a,
        &other,
        opts
    )
    .is_err());
    assert!(check(&cert("equivalent", &a, &b, w(json!([1]))), &a, &b, opts).is_err());
}

#[test]
fn chains_check_every_link() {
    // A → A (identity tree) → B: the intermediate network is carried in the step.
    let (a, b) = (id_relu(), id_relu_scaled());
    let self_nodes = json!([
        {"split": "a:1:0", "active": 1, "inactive": 5},
        {"fix": "b:1:0", "phase": "active", "bound": [[0, 1]], "next": 2},
        {"fix": "a:2:0", "phase": "active", "bound": [[0, 1]], "next": 3},
        {"fix": "b:2:0", "phase": "active", "bound": [[0, 1]], "next": 4},
        {"leaf": "zero"},
        {"fix": "b:1:0", "phase": "inactive", "bound": [[0, 1]], "next": 6},
        {"fix": "a:2:0", "phase": "inactive", "bound": [], "next": 7},
        {"fix": "b:2:0", "phase": "inactive", "bound": [], "next": 8},
        {"leaf": "zero"}
    ]);
    let a_value: Value = serde_json::from_str(&fibers_net::json::network_to_string(&a)).unwrap();
    let body = json!({"proof": {"steps": [
        {"kind": "branch-tree", "network": a_value, "nodes": self_nodes},
        {"kind": "branch-tree", "nodes": scaled_nodes()}
    ]}});
    let c = cert("equivalent", &a, &b, body.clone());
    assert_eq!(
        check(&c, &a, &b, CheckOptions::default()),
        Ok(Verdict::Equivalent)
    );
    // The first link's tree does not prove A = B' for a different intermediate network.
    let mut bad = body;
    bad["proof"]["steps"][0]["network"]["layers"][2]["weight"] = json!([[3]]);
    let c = cert("equivalent", &a, &b, bad);
    assert!(check(&c, &a, &b, CheckOptions::default()).is_err());
}

#[test]
fn malformed_certificates_name_the_place() {
    let cases = [
        (r#"{"format": "other"}"#, "format"),
        (
            r#"{"format": "fibers-certificate", "version": 2}"#,
            "version",
        ),
        (
            r#"{"format": "fibers-certificate", "version": 1, "verdict": "maybe"}"#,
            "verdict",
        ),
        (
            r#"{"format": "fibers-certificate", "version": 1, "verdict": "equivalent",
               "networks": {"a": {"sha256": "x", "architecture": [1,1,1,1]},
                            "b": {"sha256": "y", "architecture": [1,1,1,1]}},
               "proof": {"steps": [{"kind": "branch-tree", "nodes": [{"split": "c:1:0"}]}]}}"#,
            "proof.steps[0].nodes[0].split",
        ),
        (
            r#"{"format": "fibers-certificate", "version": 1, "verdict": "equivalent",
               "networks": {"a": {"sha256": "x", "architecture": [1,1,1,1]},
                            "b": {"sha256": "y", "architecture": [1,1,1,1]}},
               "proof": {"steps": [{"kind": "branch-tree", "nodes": [{"empty": [[0, "1/0"]]}]}]}}"#,
            "proof.steps[0].nodes[0].empty[0][1]",
        ),
        (
            r#"{"format": "fibers-certificate", "version": 1, "verdict": "equivalent",
               "networks": {"a": {"sha256": "x", "architecture": [1,1,1,1]},
                            "b": {"sha256": "y", "architecture": [1,1,1,1]}},
               "proof": {"steps": [{"kind": "no-such-kind"}]}}"#,
            "proof.steps[0].kind",
        ),
        (r#"{"format": "fibers-certificate", "#, "line 1"),
    ];
    for (text, place) in cases {
        let e = certificate_from_str(text, "c.json").unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.starts_with("c.json: ") && msg.contains(place) && !msg.contains('\n'),
            "{msg}"
        );
    }
}
