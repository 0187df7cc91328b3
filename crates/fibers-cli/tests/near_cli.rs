//! `fibers equiv A B --tol EPS --box …` and `fibers check` on near-equivalence certificates.

use fibers_near::testing::{random_f64_network, round_f32, scaled_permuted_f32};
use fibers_net::json::network_to_string;
use fibers_net::Architecture;
use std::path::PathBuf;
use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
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

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("fibers-near-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn tol_verdicts_and_checker() {
    let d = dir("verdicts");
    let a = round_f32(&random_f64_network(Architecture::new(2, 8, 6, 2), 4));
    let (b, _) = scaled_permuted_f32(&a, 4);
    let (pa, pb) = (d.join("a.json"), d.join("b.json"));
    std::fs::write(&pa, network_to_string(&a)).unwrap();
    std::fs::write(&pb, network_to_string(&b)).unwrap();
    let (sa, sb) = (pa.to_str().unwrap(), pb.to_str().unwrap());
    let cert = d.join("cert.json");
    let sc = cert.to_str().unwrap();
    // Within 1e-3 on [-1, 1]^2.
    let (code, out, err) = run(&[
        "equiv", sa, sb, "--tol", "1/1000", "--box", "-1,1", "--cert", sc,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("within 1/1000\n"), "{out}");
    assert!(out.contains("exact equivalence: not equivalent"), "{out}");
    let (code, out, err) = run(&["check", sc, sa, sb]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("within 1/1000"), "{out}");
    // The certificate does not vouch for A against itself shifted: rejected (exit 1).
    let (code, _, _) = run(&["check", sc, sa, sa]);
    assert_eq!(code, 1);
    // Not within 1e-12: a witness, checked.
    let (code, out, err) = run(&[
        "equiv",
        sa,
        sb,
        "--tol",
        "1e-12",
        "--box",
        "-1,1,-1,1",
        "--cert",
        sc,
        "--json",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["verdict"], "not-within");
    let (code, out, err) = run(&["check", sc, sa, sb]);
    assert_eq!(code, 0, "{out}{err}");
    // Equivalent: a network against itself.
    let (code, out, _) = run(&["equiv", sa, sa, "--tol", "0", "--box", "0,1"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("equivalent\n"), "{out}");
    // Box from a data file.
    let data = d.join("data.csv");
    std::fs::write(&data, "# x y\n0, 0.5\n1 -1\n").unwrap();
    let (code, out, err) = run(&[
        "equiv",
        sa,
        sb,
        "--tol",
        "1/1000",
        "--box-data",
        data.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    // Bad input: no box, wrong box length.
    assert_eq!(run(&["equiv", sa, sb, "--tol", "1/1000"]).0, 2);
    assert_eq!(
        run(&["equiv", sa, sb, "--tol", "1/1000", "--box", "0,1,2"]).0,
        2
    );
    assert_eq!(run(&["equiv", sa, sb, "--tol", "x", "--box", "0,1"]).0, 2);
}
