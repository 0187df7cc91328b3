//! Bad input gives exit status 2 and a one-line message naming the place, never a panic.

use std::process::Command;

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_fibers"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn with_file(text: &str, f: impl FnOnce(&str)) {
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("fibers-bad-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("net.json");
    std::fs::write(&p, text).unwrap();
    f(p.to_str().unwrap());
    let _ = std::fs::remove_dir_all(&dir);
}

const GOOD: &str = r#"{"architecture": [2, 1, 1, 1], "layers": [
  {"weight": [[1, 2]], "bias": [0]}, {"weight": [[1]], "bias": [0]}, {"weight": [[1]], "bias": [0]}]}"#;

#[test]
fn good_file_evaluates() {
    with_file(GOOD, |p| {
        let out = Command::new(env!("CARGO_BIN_EXE_fibers"))
            .args(["eval", p, "--x", "1,1/2"])
            .output()
            .unwrap();
        assert!(out.status.success());
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "2");
    });
}

#[test]
fn each_kind_of_bad_file_is_named() {
    let cases: Vec<(String, &str)> = vec![
        (
            GOOD.replace("[[1, 2]]", "[[1, \"1/0\"]]"),
            "layers[0].weight[0][1]: zero denominator",
        ),
        (
            GOOD.replace("[[1, 2]]", "[[1, \"NaN\"]]"),
            "layers[0].weight[0][1]: not a number",
        ),
        (
            GOOD.replace("[[1, 2]]", "[[1, \"inf\"]]"),
            "layers[0].weight[0][1]",
        ),
        (
            GOOD.replace("[[1, 2]]", "[[1]]"),
            "layers[0].weight[0]: expected 2 entries",
        ),
        (
            GOOD.replace("[2, 1, 1, 1]", "[2, 2, 1, 1]"),
            "layers[0].weight: expected 2 rows",
        ),
        (
            GOOD.replace("[2, 1, 1, 1]", "[2, 1, 1]"),
            "architecture: expected 4 widths",
        ),
        (
            GOOD.replace("\"bias\": [0]}, {", "\"bias\": [true]}, {"),
            "layers[0].bias[0]: expected a number",
        ),
        (GOOD[..GOOD.len() / 2].to_string(), "truncated file"),
        (
            "{\"architecture\": [2,1,1,1], \"layers\": [} ".to_string(),
            "malformed JSON",
        ),
        (
            GOOD.replace("[[1, 2]]", &format!("[[1, \"{}\"]]", "9".repeat(30_000))),
            "number too long",
        ),
        (
            GOOD.replace("\"layers\"", "\"layer\""),
            "missing key \"layers\"",
        ),
        (
            GOOD.replace("[[1, 2]]", "[[1, 1e999999999]]"),
            "exponent too large",
        ),
    ];
    for (text, expected) in cases {
        with_file(&text, |p| {
            let (code, err) = run(&["eval", p, "--x", "1,2"]);
            assert_eq!(code, 2, "{expected}: {err}");
            assert!(err.contains(expected), "expected {expected:?} in {err:?}");
            assert_eq!(err.trim_end().lines().count(), 1, "one line: {err:?}");
            assert!(err.contains(p), "names the file: {err:?}");
            assert!(!err.contains("panicked"));
        });
    }
}

#[test]
fn bad_arguments_exit_2() {
    with_file(GOOD, |p| {
        assert_eq!(run(&["eval", p, "--x", "1"]).0, 2);
        assert_eq!(run(&["eval", p, "--x", "1,x"]).0, 2);
        assert_eq!(run(&["eval", "/nonexistent/net.json", "--x", "1,2"]).0, 2);
        assert_eq!(run(&["frobnicate"]).0, 2);
    });
}

#[test]
fn closed_output_is_not_a_panic() {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_fibers"))
        .args(["demo"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away before the first line is written
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(141));
}
