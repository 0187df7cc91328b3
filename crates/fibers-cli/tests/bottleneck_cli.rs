//! `fibers classify`, `fibers canon` and `fibers equiv --method auto` on the stratum fixtures.

use std::path::PathBuf;
use std::process::Command;

fn fibers(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_fibers"))
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn strata(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../fixtures/strata/{name}.json"))
        .display()
        .to_string()
}

#[test]
fn classify_and_canon_report() {
    let (code, out, _) = fibers(&["classify", &strata("hidden")]);
    assert_eq!(code, 0);
    assert!(out.contains("layer-1 roles hidden visible"), "{out}");
    assert!(out.contains("hidden neuron 0 t_min -1"), "{out}");
    let (code, out, _) = fibers(&["classify", "--json", &strata("wide")]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["generic"], false);
    assert_eq!(v["not_generic"]["condition"], "bottleneck");
    let (code, a, _) = fibers(&["canon", &strata("all-crossing")]);
    assert_eq!(code, 0);
    let (_, b, _) = fibers(&["canon", &strata("flip")]);
    assert_eq!(a, b, "flip keeps the canonical form");
    let (code, out, _) = fibers(&["canon", &strata("non-generic-parallel-rows")]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("not generic: distinct-layer1-directions"),
        "{out}"
    );
    let (code, out, _) = fibers(&["canon", "--json", &strata("non-generic-irrelevant")]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["status"], "not-generic");
    assert_eq!(v["condition"], "relevant-layer1");
}

#[test]
fn canon_representative_network_is_equivalent() {
    let dir = std::env::temp_dir().join(format!("fibers-canon-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rep = dir.join("rep.json");
    let rep_s = rep.display().to_string();
    let (code, _, _) = fibers(&["canon", &strata("hidden"), "--network", &rep_s]);
    assert_eq!(code, 0);
    let (code, out, _) = fibers(&["equiv", "--method", "tree", &strata("hidden"), &rep_s]);
    assert_eq!(code, 0);
    assert!(out.starts_with("equivalent"), "{out}");
    let (code, _, err) = fibers(&["canon", &strata("relay-1d"), "--network", &rep_s]);
    assert_eq!(code, 2, "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn equiv_auto_reports_its_path() {
    let dir = std::env::temp_dir().join(format!("fibers-auto-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cert = dir.join("c.json").display().to_string();
    let (code, out, _) = fibers(&[
        "equiv",
        "--json",
        "--cert",
        &cert,
        &strata("hidden"),
        &strata("hidden-at-tmin"),
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["verdict"], "equivalent");
    assert_eq!(v["method"], "bottleneck");
    let (code, _, _) = fibers(&["check", &cert, &strata("hidden"), &strata("hidden-at-tmin")]);
    assert_eq!(code, 0);
    let (code, out, _) = fibers(&[
        "equiv",
        "--json",
        &strata("all-crossing"),
        &strata("one-dead"),
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["verdict"], "not-equivalent");
    assert!(v["method"] == "bottleneck" || v["method"] == "probe", "{v}");
    let (code, out, _) = fibers(&["equiv", "--json", &strata("wide"), &strata("wide")]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    // A network and itself: the symmetry normal forms agree before the fast path runs (auto's
    // fallback to the region-wise decision off the fast path: `equiv_cli.rs`).
    assert_eq!(v["method"], "symmetry");
    assert!(v.get("fallback").is_none(), "{v}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_input_exits_2() {
    for cmd in ["classify", "canon"] {
        let (code, _, err) = fibers(&[cmd, "/nonexistent/net.json"]);
        assert_eq!(code, 2, "{cmd}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    let dir = std::env::temp_dir().join(format!("fibers-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\"architecture\": [2, 2, 1, 1], \"layers\": [").unwrap();
    let (code, _, err) = fibers(&["canon", &bad.display().to_string()]);
    assert_eq!(code, 2);
    assert!(err.contains("truncated"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
