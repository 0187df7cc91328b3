//! `fibers conserve`: the JSON report, the flow outputs (CSV, SVG), and bad input (exit 2, one
//! line, no panic).

use std::path::PathBuf;
use std::process::Command;

fn fixture(rel: &str) -> String {
    format!("{}/../../{rel}", env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_fibers"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("fibers-conserve-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn json_report_has_laws_and_lie_count() {
    let net = fixture("fixtures/conserve/s2_2221_hidden.json");
    let (code, out, err) = run(&["conserve", &net, "--json", "--exhaustive"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["mode"], "exhaustive");
    assert_eq!(v["certification"]["law_count"]["how"], "exhaustive");
    assert_eq!(v["lie_count"], 4);
    assert_eq!(v["law_count"], 4);
    assert_eq!(v["agreement"], true);
    let laws = v["laws"].as_array().unwrap();
    assert_eq!(laws.len(), 4);
    for l in laws {
        assert!(l["name"].is_string());
        assert_eq!(l["scope"], "global");
        assert!(l["polynomial"]["terms"].is_array());
    }
    let shift = v["non_conserved"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["symmetry"] == "hidden shift h=0")
        .unwrap();
    assert_eq!(shift["first_order_change"]["dQ_dt"], "19/6");
    assert_eq!(v["law_count_formula"]["predicted"], 4);
}

#[test]
fn flow_writes_csv_and_svg() {
    let net = fixture("fixtures/conserve/s3_2221_one_linear.json");
    let dir = temp_dir("flow");
    let (csv, svg) = (dir.join("f.csv"), dir.join("f.svg"));
    let (code, out, err) = run(&[
        "conserve",
        &net,
        "--csv",
        csv.to_str().unwrap(),
        "--plot",
        svg.to_str().unwrap(),
        "--steps",
        "200",
        "--exhaustive",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("flow: 200 steps"), "{out}");
    let text = std::fs::read_to_string(&csv).unwrap();
    let header = text.lines().next().unwrap();
    assert!(
        header.starts_with("step,t,loss,L1 scaling j=0,"),
        "{header}"
    );
    assert!(header.contains("bias exchange b2[1] <-> b3 candidate"));
    assert_eq!(text.lines().count(), 1 + 201);
    let svg_text = std::fs::read_to_string(&svg).unwrap();
    assert!(svg_text.starts_with("<svg"));
    assert!(svg_text.contains("law: L2 scaling k=1"));
    assert!(svg_text.contains("NOT conserved"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn data_file_sets_the_patterns() {
    let net = fixture("fixtures/conserve/s1_2221_crossing.json");
    let data = fixture("fixtures/conserve/data/s1_constant_region.json");
    let (code, out, err) = run(&["conserve", &net, "--data", &data, "--json", "--exhaustive"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["patterns"]["source"], "data");
    assert_eq!(v["law_count"], 13);
    assert_eq!(v["lie_count"], 14);
    assert_eq!(v["agreement"], false);
    assert_eq!(v["certification"]["law_count"]["certified"], false);
    // The bounds from the data's patterns alone.
    let (code, out, err) = run(&["conserve", &net, "--data", &data, "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["mode"], "bounds");
    assert_eq!(v["patterns"]["source"], "data");
    let c = &v["certification"]["law_count"];
    assert!(c["lower"].as_u64().unwrap() >= 13, "{c}");
    assert!(c["upper"].as_u64().unwrap() <= 14, "{c}");
}

#[test]
fn default_mode_certifies_by_bounds() {
    let net = fixture("fixtures/conserve/s2_2221_hidden.json");
    let (code, out, err) = run(&["conserve", &net, "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["mode"], "bounds");
    assert_eq!(v["law_count"], 4);
    let c = &v["certification"]["law_count"];
    assert_eq!(c["certified"], true);
    assert_eq!(c["how"], "bounds met");
    assert_eq!(c["lower"], 4);
    assert_eq!(c["upper"], 4);
    assert!(v["upper_bound"]["brackets_adding_rank"].as_u64().unwrap() >= 1);
    assert!(err.contains("conserve: budget:"), "{err}");
    let (code, out, err) = run(&["conserve", &net]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("number of independent conservation laws: 4 (certified: bounds met)"),
        "{out}"
    );
    let (code, out, _) = run(&["conserve", &net, "--exhaustive"]);
    assert_eq!(code, 0);
    assert!(out.contains("(certified: exhaustive"), "{out}");
}

#[test]
fn default_mode_flow_tracks_the_laws() {
    let net = fixture("fixtures/conserve/s3_2221_one_linear.json");
    let dir = temp_dir("flow-bounds");
    let csv = dir.join("f.csv");
    let (code, out, err) = run(&[
        "conserve",
        &net,
        "--csv",
        csv.to_str().unwrap(),
        "--steps",
        "100",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("flow: 100 steps"), "{out}");
    let text = std::fs::read_to_string(&csv).unwrap();
    let header = text.lines().next().unwrap();
    assert!(
        header.starts_with("step,t,loss,L1 scaling j=0,"),
        "{header}"
    );
    assert!(header.contains("|theta|^2"), "{header}");
    assert_eq!(text.lines().count(), 1 + 101);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_input_is_one_line_exit_2() {
    let net = fixture("fixtures/conserve/s1_2221_crossing.json");
    let dir = temp_dir("bad");
    let data = dir.join("d.json");
    let cases: Vec<(Vec<String>, &str, &str)> = vec![
        (
            vec!["--data".into(), data.display().to_string()],
            r#"{"x": [[1]], "y": [[0]]}"#,
            "x[0]: expected 2 numbers, found 1",
        ),
        (
            vec!["--data".into(), data.display().to_string()],
            r#"{"x": [[1, 2]], "y": [[0]], "w": []}"#,
            "unknown key \"w\"",
        ),
        (
            vec!["--data".into(), data.display().to_string()],
            r#"{"x": [[1, 2]], "y": [["1/0"]]}"#,
            "y[0][0]: zero denominator",
        ),
        (
            vec!["--data".into(), data.display().to_string()],
            r#"{"x": [[1, 2]"#,
            "truncated file",
        ),
        (
            vec!["--dt".into(), "-1".into(), "--csv".into(), "x.csv".into()],
            "",
            "--dt",
        ),
        (vec!["--dt".into(), "NaN".into()], "", "--dt"),
        (vec!["--points".into(), "0".into()], "", "--points"),
        (
            vec![
                "--csv".into(),
                dir.join("no/such/dir/f.csv").display().to_string(),
            ],
            "",
            "f.csv",
        ),
    ];
    for (extra, text, want) in cases {
        std::fs::write(&data, text).unwrap();
        let mut args = vec!["conserve".to_string(), net.clone()];
        args.extend(extra.iter().cloned());
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, _, err) = run(&argv);
        assert_eq!(code, 2, "{argv:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{argv:?}: {err}");
        assert!(err.contains(want), "{argv:?}: {err}");
        assert!(!err.contains("panicked"));
    }
    let (code, _, err) = run(&["conserve", "/no/such/net.json"]);
    assert_eq!(code, 2, "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn flow_step_is_chosen_and_large_steps_warn() {
    let net = fixture("fixtures/conserve/s2_2221_hidden.json");
    let dir = temp_dir("step");
    let svg = dir.join("f.svg");
    let base = [
        "conserve",
        &net,
        "--points",
        "300",
        "--steps",
        "300",
        "--plot",
        svg.to_str().unwrap(),
    ];
    let (code, out, err) = run(&base);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("flow step h = ") && err.contains("curvature"),
        "{err}"
    );
    assert!(out.contains("  step: h = "), "{out}");
    assert!(!err.contains("warning"), "{err}");
    let mut forced = base.to_vec();
    forced.extend(["--dt", "1e-3"]);
    let (code, out, err) = run(&forced);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("fixed by --dt"), "{err}");
    assert!(
        err.contains("warning: law") && err.contains("more than the integration error allows"),
        "{err}"
    );
    assert!(out.contains("warning: law"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}
