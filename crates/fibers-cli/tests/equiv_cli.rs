//! `fibers equiv`, `fibers check` and `fibers demo` on the built binary: verdicts, JSON
//! output, certificates written and checked, exit codes 0/1/2/3 and one-line bad-input
//! messages.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fibers(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fibers"))
        .args(args)
        .output()
        .expect("run fibers")
}

fn pair(name: &str) -> (String, String) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/pairs")
        .join(name);
    (
        dir.join("a.json").display().to_string(),
        dir.join("b.json").display().to_string(),
    )
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fibers-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

#[test]
fn equivalent_pair_with_certificate_that_checks() {
    let (a, b) = pair("permuted-scaled");
    let cert = tmp("perm.cert.json");
    let c = cert.display().to_string();
    let o = fibers(&["equiv", &a, &b, "--cert", &c, "--method", "tree"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(out.lines().next(), Some("equivalent"));
    assert!(out.contains("method: tree"));
    let o = fibers(&["check", &c, &a, &b]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("ok: "));
    // The same certificate against another B: rejected (exit 1), with and without hashes.
    let (_, other) = pair("wide-perturbed");
    let (a3, b3) = pair("negative-scaling");
    let o = fibers(&["check", &c, &a3, &b3]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("another network"));
    let o = fibers(&["check", &c, &a3, &b3, "--ignore-hashes"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("rejected"));
    // Architecture mismatch between the files: bad input.
    let o = fibers(&["check", &c, &a, &other]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn not_equivalent_pair_has_a_witness() {
    let (a, b) = pair("hidden-shift-below-tmin");
    let cert = tmp("below.cert.json");
    let c = cert.display().to_string();
    let o = fibers(&["equiv", &a, &b, "--cert", &c]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(out.lines().next(), Some("not equivalent"));
    assert!(out.contains("witness x = ["));
    let o = fibers(&["check", &c, &a, &b]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("not equivalent"));
    // The witness does not separate a's pair with itself.
    let o = fibers(&["check", &c, &a, &a, "--ignore-hashes"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("does not separate"));
}

#[test]
fn json_output() {
    let (a, b) = pair("negative-scaling");
    let o = fibers(&["equiv", &a, &b, "--json", "--method", "tree"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).expect("one JSON object");
    assert_eq!(v["verdict"], "not-equivalent");
    assert_eq!(v["method"], "tree");
    assert!(v["witness"].is_array());
    // `auto` may take a faster path; the verdict is the same.
    let o = fibers(&["equiv", &a, &b, "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).expect("one JSON object");
    assert_eq!(v["verdict"], "not-equivalent");
    let (a, b) = pair("relay");
    let o = fibers(&["equiv", &a, &b, "--json", "--method", "tree"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).expect("one JSON object");
    assert_eq!(v["verdict"], "equivalent");
    assert!(v["nodes"].as_u64().unwrap() > 0);
    assert!(v.get("witness").is_none());
}

#[test]
fn node_budget_gives_undecided_and_exit_3() {
    let (a, b) = pair("wide-permuted-dead");
    let o = fibers(&["equiv", &a, &b, "--max-nodes", "5", "--method", "tree"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().next(), Some("undecided"));
    let o = fibers(&[
        "equiv",
        &a,
        &b,
        "--max-nodes",
        "5",
        "--json",
        "--method",
        "tree",
    ]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stdout(&o).contains("\"undecided\""));
}

#[test]
fn bad_input_exits_2_with_one_line() {
    let (a, _) = pair("permuted-scaled");
    let (_, wide_b) = pair("wide-permuted-dead");
    let (relay_a, _) = pair("relay");
    // n3 differs: (2,3,3,1) vs (2,4,4,2).
    let o = fibers(&["equiv", &a, &wide_b]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("n3") && e.lines().count() == 1, "{e}");
    // Same n0 and n3, different hidden widths: fine.
    let o = fibers(&["equiv", &a, &relay_a]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // A missing file, a malformed network.
    let o = fibers(&["equiv", &a, "/nonexistent/net.json"]);
    assert_eq!(o.status.code(), Some(2));
    let bad = tmp("bad.json");
    std::fs::write(&bad, r#"{"architecture": [2, 3, 3, 1], "layers": [1, 2]}"#).unwrap();
    let bad = bad.display().to_string();
    let o = fibers(&["equiv", &a, &bad]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains(&bad) && e.lines().count() == 1, "{e}");
    // Malformed certificates: bad input, naming the file and place.
    let cert = tmp("bad.cert.json");
    std::fs::write(
        &cert,
        r#"{"format": "fibers-certificate", "version": 1, "verdict": 3}"#,
    )
    .unwrap();
    let c = cert.display().to_string();
    let o = fibers(&["check", &c, &a, &a]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains(&c) && e.contains("verdict") && e.lines().count() == 1,
        "{e}"
    );
    std::fs::write(&cert, "{ not json").unwrap();
    let o = fibers(&["check", &c, &a, &a]);
    assert_eq!(o.status.code(), Some(2));
    let o = fibers(&["check", "/nonexistent/cert.json", &a, &a]);
    assert_eq!(o.status.code(), Some(2));
    // Bad option values.
    let o = fibers(&["equiv", &a, &a, "--method", "magic"]);
    assert_eq!(o.status.code(), Some(2));
    let o = fibers(&["equiv", &a, &a, "--max-nodes", "-1"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn demo_reports_checked_verdicts() {
    let dir = tmp("demo");
    let d = dir.display().to_string();
    let o = fibers(&["demo", "--out", &d]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("all verdicts as expected"));
    assert!(out.contains("relay"));
    // The certificates are on disk and pass `fibers check`.
    let (a, b) = pair("flip-compensated");
    let c = dir.join("flip-compensated.cert.json").display().to_string();
    let o = fibers(&["check", &c, &a, &b]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn regions_method_and_auto_fallback_to_regions() {
    let (a, b) = pair("wide-permuted-dead");
    let cert = tmp("regions.cert.json");
    let c = cert.display().to_string();
    let o = fibers(&["equiv", &a, &b, "--method", "regions", "--cert", &c]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(out.lines().next(), Some("equivalent"));
    assert!(out.contains("method: regions"), "{out}");
    let o = fibers(&["check", &c, &a, &b]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // auto: the symmetry procedure decides by one normal-form step (the dead neuron changed,
    // no relabelling) before the fast path, which gives up at n1 > n0, and the regions.
    let o = fibers(&["equiv", &a, &b, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["method"], "symmetry");
    assert!(v.get("fallback").is_none(), "{v}");
    // A near miss: a witness from the regions.
    let (a, b) = pair("wide-perturbed");
    let o = fibers(&["equiv", &a, &b, "--method", "regions"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().next(), Some("not equivalent"));
}

#[test]
fn symmetry_method_decides_permuted_scaled_pairs_and_is_undecided_otherwise() {
    let (a, b) = pair("permuted-scaled");
    let cert = tmp("symmetry.cert.json");
    let c = cert.display().to_string();
    let o = fibers(&["equiv", &a, &b, "--method", "symmetry", "--cert", &c]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(out.lines().next(), Some("equivalent"));
    assert!(out.contains("method: symmetry"), "{out}");
    let text = std::fs::read_to_string(&cert).expect("certificate written");
    assert!(text.contains("\"relabel\""), "{text}");
    let o = fibers(&["check", &c, &a, &b]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // auto decides the same pair by the symmetry path, without a fallback.
    let o = fibers(&["equiv", &a, &b, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["method"], "symmetry");
    assert!(v.get("fallback").is_none(), "{v}");
    // Off the orbit: undecided (exit 3) with the reason.
    let (a, b) = pair("wide-perturbed");
    let o = fibers(&["equiv", &a, &b, "--method", "symmetry"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("symmetry:"), "{}", stderr(&o));
    // A value that is not a method is bad input.
    let o = fibers(&["equiv", &a, &b, "--method", "orbit"]);
    assert_eq!(o.status.code(), Some(2));
}
