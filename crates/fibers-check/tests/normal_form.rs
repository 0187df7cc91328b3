//! The `"normal-form"` step (docs/theory.md §11, Proposition 11.8) on a hand-made certificate:
//! accepted as written; every tampered claim (a wrong or zero scale, a class out of range, a
//! `linear` row with a negative entry, a `dead` row with a positive entry, a merged output
//! column or a linear part that differs, wrong lengths) rejected with a message naming the place;
//! bad shapes refused by the reader with the place. Never a panic.
//!
//! A (`n0 = 1`): layer 1 `x`, `−2x + 1`; layer-2 rows in class coordinates `(1, 2, 0)` and
//! `(2, 0, 1)` linear, `(−1, 2, 0)` crossing, `(−1, −2, −1)` dead. B: layer 1 `3·(−x + 1/2)`,
//! `2x` and a zero neuron (its own, dead, class); one crossing row twice A's, one linear row
//! carrying A's whole linear part, one dead row.

use fibers_check::{certificate_from_value, check, network_hash, CheckOptions, Verdict};
use fibers_exact::Rational;
use fibers_net::json::network_from_str;
use fibers_net::Network;
use serde_json::{json, Value};

fn net(v: Value) -> Network {
    network_from_str(&v.to_string(), "test").expect("valid network")
}

fn a() -> Network {
    net(json!({"architecture": [1, 2, 4, 1], "layers": [
        {"weight": [[1], [-2]], "bias": [0, 1]},
        {"weight": [[1, 1], [2, 0], [-1, 1], [-1, -1]], "bias": [0, 1, 0, -1]},
        {"weight": [[1, 2, 3, 4]], "bias": [5]}]}))
}

fn b_with(w3: Value, b3: Value) -> Network {
    net(json!({"architecture": [1, 3, 3, 1], "layers": [
        {"weight": [[-3], [2], [0]], "bias": ["3/2", 0, 0]},
        {"weight": [["4/3", -1, 7], ["2/3", "5/2", -3], ["-1/3", 0, 5]], "bias": [0, 2, 0]},
        {"weight": w3, "bias": b3}]}))
}

fn b() -> Network {
    b_with(json!([["3/2", 1, 9]]), json!([5]))
}

fn step() -> Value {
    json!({"kind": "normal-form",
        "layer1": {"classes": [[1, 0], [-1, "1/2"], [0, 0]],
                   "a": [{"class": 0, "scale": 1}, {"class": 1, "scale": 2}],
                   "b": [{"class": 1, "scale": 3}, {"class": 0, "scale": 2}, {"class": 2, "scale": 1}]},
        "layer2": {"classes": [[-1, 2, 0, 0]],
                   "a": ["linear", "linear", {"class": 0, "scale": 1}, "dead"],
                   "b": [{"class": 0, "scale": 2}, "linear", "dead"]}})
}

fn cert_value(a: &Network, b: &Network, step: Value) -> Value {
    let arch = |n: &Network| {
        let a = n.arch();
        [a.n0, a.n1, a.n2, a.n3]
    };
    json!({
        "format": "fibers-certificate", "version": 1, "verdict": "equivalent",
        "networks": {
            "a": {"sha256": network_hash(a), "architecture": arch(a)},
            "b": {"sha256": network_hash(b), "architecture": arch(b)}
        },
        "proof": {"steps": [step]}
    })
}

const NO_HASH: CheckOptions = CheckOptions {
    check_hashes: false,
};

/// The checker's answer for `step` between `a` and `b`: `Ok(())` or the rejection message.
fn verdict(a: &Network, b: &Network, step: Value) -> Result<(), String> {
    let c = certificate_from_value(&cert_value(a, b, step), "test").expect("well formed");
    check(&c, a, b, NO_HASH)
        .map(|v| assert_eq!(v, Verdict::Equivalent))
        .map_err(|r| r.0)
}

#[test]
fn the_hand_made_pair_is_equivalent_and_its_certificate_checks() {
    let (a, b) = (a(), b());
    for x in -4..=4 {
        let x = [Rational::ratio(x, 2)];
        assert_eq!(a.eval(&x), b.eval(&x), "at {x:?}");
    }
    let c = certificate_from_value(&cert_value(&a, &b, step()), "test").unwrap();
    assert_eq!(
        check(&c, &a, &b, CheckOptions::default()),
        Ok(Verdict::Equivalent)
    );
    // Written and read back unchanged.
    let text = fibers_check::certificate_to_string(&c);
    assert_eq!(fibers_check::certificate_from_str(&text, "test"), Ok(c));
}

#[test]
fn tampered_claims_are_rejected_naming_the_place() {
    let (a, b) = (a(), b());
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "/layer1/a/1/scale",
            json!(3),
            "layer1.a[1]: entry 0 is not 3 times",
        ),
        (
            "/layer1/b/0/scale",
            json!(0),
            "layer1.b[0]: the scale 0 is not positive",
        ),
        (
            "/layer1/b/1/scale",
            json!(-2),
            "layer1.b[1]: the scale -2 is not positive",
        ),
        (
            "/layer1/a/0/class",
            json!(1),
            "layer1.a[0]: entry 0 is not 1 times that of class 1",
        ),
        (
            "/layer1/a/0/class",
            json!(3),
            "layer1.a[0]: class 3 out of range (3 layer-1 classes)",
        ),
        (
            "/layer2/a/2",
            json!("linear"),
            "layer2.a[2] is \"linear\" but entry 0 of its row is negative",
        ),
        (
            "/layer2/a/0",
            json!("dead"),
            "layer2.a[0] is \"dead\" but entry 0 of its row is positive",
        ),
        (
            "/layer2/b/2",
            json!("linear"),
            "layer2.b[2] is \"linear\" but entry 1",
        ),
        (
            "/layer2/a/3",
            json!("linear"),
            "layer2.a[3] is \"linear\" but entry 0",
        ),
        (
            "/layer2/b/0/scale",
            json!(1),
            "layer2.b[0]: entry 0 is not 1 times that of class 0",
        ),
        (
            "/layer2/b/0/class",
            json!(1),
            "layer2.b[0]: class 1 out of range (1 layer-2 classes)",
        ),
        (
            "/layer2/classes/0",
            json!([-1, 2, 0]),
            "layer2.classes[0] has 3 entries, expected 4",
        ),
        (
            "/layer1/classes/2",
            json!([0]),
            "layer1.classes[2] has 1 entries, expected n0 + 1 = 2",
        ),
        (
            "/layer1/classes/1/1",
            json!(1),
            "layer1.a[1]: entry 1 is not 2 times that of class 1",
        ),
        (
            "/layer1/a",
            json!([{"class": 0, "scale": 1}]),
            "layer1.a and layer2.a have 1 and 4 entries, network a has 2 and 4",
        ),
        (
            "/layer2/b",
            json!([]),
            "layer1.b and layer2.b have 3 and 0 entries, network b has 3 and 3",
        ),
    ];
    for (ptr, new, msg) in cases {
        let mut s = step();
        *s.pointer_mut(ptr).expect(ptr) = new;
        let e = verdict(&a, &b, s).expect_err(ptr);
        assert!(e.starts_with("proof.steps[0]: normal-form: "), "{ptr}: {e}");
        assert!(e.contains(msg), "{ptr}: {e}");
    }
    // Another partner: an output column of the crossing class, the output bias, a linear row.
    let other = [
        (
            b_with(json!([[2, 1, 9]]), json!([5])),
            "the merged output columns of layer2.classes[0] differ",
        ),
        (
            b_with(json!([["3/2", 1, 9]]), json!([6])),
            "the linear parts differ (output 0",
        ),
        (
            b_with(json!([["3/2", 2, 9]]), json!([5])),
            "the linear parts differ (output 0",
        ),
    ];
    for (bad, msg) in other {
        let e = verdict(&a, &bad, step()).unwrap_err();
        assert!(e.contains(msg), "{e}");
        // The dead row's output weight is free.
    }
    assert_eq!(
        verdict(&a, &b_with(json!([["3/2", 1, -4]]), json!([5])), step()),
        Ok(())
    );
}

#[test]
fn bad_shapes_are_refused_by_the_reader_naming_the_place() {
    let (a, b) = (a(), b());
    let cases: Vec<(&str, Value, &str)> = vec![
        ("/layer1/a/0", json!("linear"), "proof.steps[0].layer1.a[0]"),
        ("/layer2/a/0", json!("alive"), "proof.steps[0].layer2.a[0]"),
        (
            "/layer2/a/2/scale",
            json!("x"),
            "proof.steps[0].layer2.a[2].scale",
        ),
        (
            "/layer2/a/2/class",
            json!(-1),
            "proof.steps[0].layer2.a[2].class",
        ),
        ("/layer1/classes", json!(7), "proof.steps[0].layer1.classes"),
        (
            "/layer1/classes/0",
            json!(["1/0", 0]),
            "proof.steps[0].layer1.classes[0][0]",
        ),
        ("/layer1/b/0/extra", json!(1), "proof.steps[0].layer1.b[0]"),
        ("/layer2/extra", json!(1), "proof.steps[0].layer2"),
        ("/extra", json!(1), "proof.steps[0]"),
    ];
    for (ptr, new, place) in cases {
        let mut s = step();
        let (parent, key) = ptr.rsplit_once('/').unwrap();
        match s.pointer_mut(parent).expect(parent) {
            Value::Object(m) => {
                m.insert(key.to_string(), new);
            }
            Value::Array(v) => v[key.parse::<usize>().unwrap()] = new,
            _ => unreachable!(),
        }
        let e = certificate_from_value(&cert_value(&a, &b, s), "test").expect_err(ptr);
        assert_eq!(e.place, place, "{ptr}: {e}");
    }
    for key in ["layer1", "layer2"] {
        let mut s = step();
        s.as_object_mut().unwrap().remove(key);
        let e = certificate_from_value(&cert_value(&a, &b, s), "test").unwrap_err();
        assert!(e.message.contains(&format!("missing key \"{key}\"")), "{e}");
    }
}

/// A constant layer-1 class (`w* = 0`): its neurons add `W2[:, i] σ(b1[i])` to the bias column.
#[test]
fn a_constant_layer1_class_goes_into_the_bias() {
    let a = net(json!({"architecture": [1, 1, 1, 1], "layers": [
        {"weight": [[0]], "bias": [2]},
        {"weight": [[1]], "bias": [0]},
        {"weight": [[1]], "bias": [1]}]}));
    let b = |b3: i64| {
        net(json!({"architecture": [1, 1, 1, 1], "layers": [
            {"weight": [[0]], "bias": [0]},
            {"weight": [[0]], "bias": [0]},
            {"weight": [[0]], "bias": [b3]}]}))
    };
    let step = |role_a: &str| {
        json!({"kind": "normal-form",
            "layer1": {"classes": [[0, 1], [0, 0]],
                       "a": [{"class": 0, "scale": 2}], "b": [{"class": 1, "scale": 1}]},
            "layer2": {"classes": [], "a": [role_a], "b": ["dead"]}})
    };
    assert_eq!(verdict(&a, &b(3), step("linear")), Ok(()));
    let e = verdict(&a, &b(2), step("linear")).unwrap_err();
    assert!(e.contains("the linear parts differ (output 0"), "{e}");
    let e = verdict(&a, &b(3), step("dead")).unwrap_err();
    assert!(
        e.contains("layer2.a[0] is \"dead\" but entry 2 of its row is positive"),
        "{e}"
    );
}
