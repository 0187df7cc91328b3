//! `fibers align A B` (issue 16, item 3): the permutation and positive scales that carry a
//! retrained-style copy B to A, as a table and as JSON, checked against the map the test used
//! to make B; hidden shifts from the certificate's chain; no map for inequivalent networks.

mod statedict;

use serde_json::Value;
use statedict::*;

#[test]
fn align_recovers_the_permutation_and_scales() {
    let dir = TempDir::new("align");
    let a = random_mlp(&[5, 4, 3, 2], &mut Rng(41));
    let mut b = a.clone();
    let (perm1, scale1) = ([3usize, 0, 2, 1], [2.0f32, 0.5, 4.0, 1.0]);
    let (perm2, scale2) = ([1usize, 2, 0], [0.25f32, 1.0, 8.0]);
    permute_scale(&mut b, 0, &perm1, &scale1);
    permute_scale(&mut b, 1, &perm2, &scale2);
    let pa = dir.file(
        "a.safetensors",
        &safetensors_bytes(&a, &["fc1", "fc2", "fc3"]),
    );
    let pb = dir.file("b.safetensors", &safetensors_bytes(&b, &["0", "2", "4"]));
    let (code, out, err) = run(&["align", &pa, &pb, "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["verdict"], "equivalent");
    assert_eq!(v["parameters_mapped"], true);
    let steps = v["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 1);
    // B unit i = scale[i] × A unit perm[i], so A unit perm[i] = B unit i / scale[i].
    for (layer, perm, scale) in [
        ("layer1", &perm1[..], &scale1[..]),
        ("layer2", &perm2[..], &scale2[..]),
    ] {
        let units = steps[0][layer]["b_unit"].as_array().unwrap();
        let scales = steps[0][layer]["scale"].as_array().unwrap();
        for (i, (&p, &s)) in perm.iter().zip(scale).enumerate() {
            assert_eq!(units[p], i, "{layer}: {v}");
            let expected = if s >= 1.0 {
                format!("1/{}", s as i64)
            } else {
                format!("{}", (1.0 / s) as i64)
            };
            let got = match &scales[p] {
                Value::String(t) => t.clone(),
                n => n.to_string(),
            };
            let expected = if expected == "1/1" {
                "1".to_string()
            } else {
                expected
            };
            assert_eq!(got, expected, "{layer} unit {p}: {v}");
        }
    }
    let (code, out, err) = run(&["align", &pa, &pb]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("verified: the relabelled B has exactly A's parameters"),
        "{out}"
    );
    assert!(out.contains("A unit  B unit  scale"), "{out}");
    assert!(out.contains("1/4 ≈ 0.25"), "{out}");
}

#[test]
fn align_reads_hidden_shifts_from_the_chain_and_refuses_inequivalent_pairs() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/pairs");
    let (code, out, err) = run(&[
        "align",
        &format!("{root}/hidden-shift-at-tmin/a.json"),
        &format!("{root}/hidden-shift-at-tmin/b.json"),
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    assert!(
        v["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["kind"] == "hidden-shift"),
        "{v}"
    );
    let (code, out, _) = run(&[
        "align",
        &format!("{root}/negative-scaling/a.json"),
        &format!("{root}/negative-scaling/b.json"),
    ]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("not equivalent: no symmetry carries B to A"),
        "{out}"
    );
}
