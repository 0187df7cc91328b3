//! Output people can read (issue 16, item 4): decimals beside exact numbers, the size of the
//! difference at a witness, short witnesses, and statistics that say what ran.

mod statedict;

use serde_json::Value;
use statedict::*;

/// A trained-like network and a copy with one weight nudged: the exact outputs have long
/// denominators, the witness should not.
fn nudged_pair(dir: &TempDir) -> (String, String) {
    let a = random_mlp(&[8, 3, 2, 2], &mut Rng(99));
    let mut b = a.clone();
    b[1].weight[0][1] += 0.01;
    (
        dir.file("a.safetensors", &safetensors_bytes(&a, &["0", "2", "4"])),
        dir.file("b.safetensors", &safetensors_bytes(&b, &["0", "2", "4"])),
    )
}

#[test]
fn witness_text_has_decimals_difference_and_few_digits() {
    let dir = TempDir::new("human");
    let (pa, pb) = nudged_pair(&dir);
    let (code, out, err) = run(&["equiv", &pa, &pb]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "not equivalent");
    let witness = lines[1].strip_prefix("witness x = ").unwrap();
    // Short rationals: at most a few characters per coordinate.
    assert!(witness.len() < 8 * 12, "{witness}");
    assert!(
        lines[2].starts_with("  f_A(x) = [") && lines[2].contains(" ≈ "),
        "{out}"
    );
    assert!(
        lines[3].starts_with("  f_B(x) = [") && lines[3].contains(" ≈ "),
        "{out}"
    );
    assert!(lines[4].starts_with("  f_A(x) - f_B(x) = ["), "{out}");
    assert!(
        lines[5].starts_with("  size of the difference: max |f_A(x) - f_B(x)| = "),
        "{out}"
    );
    assert!(!out.contains("0 nodes"), "{out}");
    // The JSON gives the same witness, its difference, and no tree counters when no tree ran.
    let (_, json, _) = run(&["equiv", &pa, &pb, "--json"]);
    let v: Value = serde_json::from_str(json.trim()).unwrap();
    assert!(v["difference"].is_array());
    if v["method"] != "tree" {
        assert!(v.get("nodes").is_none() && v.get("probes").is_none(), "{v}");
    }
    // The certificate of the short witness passes the checker.
    let cert = dir.0.join("c.json");
    let (code, _, err) = run(&["equiv", &pa, &pb, "--cert", cert.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(&["check", cert.to_str().unwrap(), &pa, &pb]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("not equivalent"), "{out}");
}

#[test]
fn fast_verdicts_do_not_claim_a_search() {
    let dir = TempDir::new("humanfast");
    let a = random_mlp(&[4, 3, 2, 1], &mut Rng(5));
    let mut b = a.clone();
    permute_scale(&mut b, 0, &[2, 0, 1], &[2.0, 1.0, 0.5]);
    let pa = dir.file("a.safetensors", &safetensors_bytes(&a, &["0", "2", "4"]));
    let pb = dir.file("b.safetensors", &safetensors_bytes(&b, &["0", "2", "4"]));
    let (code, out, err) = run(&["equiv", &pa, &pb]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("equivalent"), "{out}");
    assert!(
        out.contains("search: none (decided by the fast path"),
        "{out}"
    );
    let (_, json, _) = run(&["equiv", &pa, &pb, "--json"]);
    let v: Value = serde_json::from_str(json.trim()).unwrap();
    // A permutation and positive scaling: the symmetry normal forms decide first.
    assert_eq!(v["method"], "symmetry");
    assert!(v.get("probes").is_none() && v.get("nodes").is_none(), "{v}");
    // With the tree, the counters are there and non-zero.
    let (_, json, _) = run(&["equiv", &pa, &pb, "--json", "--method", "tree"]);
    let v: Value = serde_json::from_str(json.trim()).unwrap();
    assert!(v["nodes"].as_u64().unwrap() > 0, "{v}");
}
