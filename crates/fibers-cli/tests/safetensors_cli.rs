//! `.safetensors` networks through the `fibers` binary: exact evaluation, `--keys`,
//! `fibers convert` both ways, and bad files (truncated, wrong dtypes, wrong shapes, NaN) giving
//! exit status 2 and one line naming the file and place, never a panic.

use safetensors::tensor::{Dtype, TensorView};
use std::path::{Path, PathBuf};
use std::process::Command;

const NAMES: [&str; 6] = [
    "0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias",
];
const VALUES: [&[f32]; 6] = [
    &[0.1, -0.3, 2.5, 0.001],
    &[0.7, -1.1],
    &[1.5, -0.2, 0.3, 0.9],
    &[-0.05, 0.4],
    &[1.25, -0.6],
    &[0.01],
];
const SHAPES: [&[usize]; 6] = [&[2, 2], &[2], &[2, 2], &[2], &[1, 2], &[1]];

/// One tensor to write: name, dtype, shape, raw little-endian bytes.
type Spec = (String, Dtype, Vec<usize>, Vec<u8>);

fn f32_specs() -> Vec<Spec> {
    (0..6)
        .map(|i| {
            (
                NAMES[i].to_string(),
                Dtype::F32,
                SHAPES[i].to_vec(),
                VALUES[i].iter().flat_map(|v| v.to_le_bytes()).collect(),
            )
        })
        .collect()
}

fn serialize(specs: &[Spec]) -> Vec<u8> {
    let views: Vec<(String, TensorView<'_>)> = specs
        .iter()
        .map(|(n, d, s, b)| (n.clone(), TensorView::new(*d, s.clone(), b).unwrap()))
        .collect();
    safetensors::serialize(views, None).unwrap()
}

struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("fibers-st-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    fn file(&self, name: &str, bytes: &[u8]) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, bytes).unwrap();
        p.to_str().unwrap().to_string()
    }
    fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// (exit status, stdout, stderr)
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

/// Runs and asserts exit 2 with one line naming `file` and containing `expected`.
fn assert_bad(args: &[&str], file: &str, expected: &str) {
    let (code, _, err) = run(args);
    assert_eq!(code, 2, "{args:?}: expected exit 2, stderr {err:?}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err:?}");
    assert!(err.contains(file), "names the file {file}: {err:?}");
    assert!(err.contains(expected), "expected {expected:?} in {err:?}");
}

#[test]
fn f32_file_evaluates_exactly() {
    let dir = TempDir::new();
    let p = dir.file("model.safetensors", &serialize(&f32_specs()));
    // Exact value with the f32 parameters (0.1f32 = 13421773/134217728, ...), computed
    // independently with Python's fractions.
    let (code, out, err) = run(&["eval", &p, "--x", "1,2"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.trim(),
        "-309206959068891841896457/302231454903657293676544"
    );
    let (_, out, _) = run(&["eval", &p, "--x", "3,-1/3", "--json"]);
    assert_eq!(
        out.trim(),
        r#"{"output":["-2105789654920891880332749/604462909807314587353088"]}"#
    );
}

#[test]
fn keys_option_names_other_tensors() {
    let dir = TempDir::new();
    let mut specs = f32_specs();
    for (s, n) in specs.iter_mut().zip([
        "fc1.weight",
        "fc1.bias",
        "fc2.weight",
        "fc2.bias",
        "fc3.weight",
        "fc3.bias",
    ]) {
        s.0 = n.to_string();
    }
    let p = dir.file("fc.safetensors", &serialize(&specs));
    let expected = "-309206959068891841896457/302231454903657293676544";
    for keys in [
        "fc1.weight,fc1.bias,fc2.weight,fc2.bias,fc3.weight,fc3.bias",
        "fc1,fc2,fc3",
    ] {
        let (code, out, err) = run(&["eval", &p, "--x", "1,2", "--keys", keys]);
        assert_eq!((code, out.trim()), (0, expected), "{err}");
        // Global option: also before the subcommand.
        let (code, out, _) = run(&["--keys", keys, "eval", &p, "--x", "1,2"]);
        assert_eq!((code, out.trim()), (0, expected));
    }
    // Without --keys the three Linear layers are found by name.
    let (code, out, err) = run(&["eval", &p, "--x", "1,2"]);
    assert_eq!((code, out.trim()), (0, expected), "{err}");
    // Explicit names that are not in the file.
    assert_bad(
        &["eval", &p, "--x", "1,2", "--keys", "0,2,4"],
        &p,
        "0.weight: no such tensor (the file has fc1.bias, fc1.weight,",
    );
    let (code, _, err) = run(&["eval", &p, "--x", "1,2", "--keys", "fc1,fc2"]);
    assert_eq!(code, 2);
    assert!(err.contains("--keys: expected 6"), "{err}");
    let (code, _, err) = run(&["eval", &p, "--x", "1,2", "--keys", "fc1,fc1,fc3"]);
    assert_eq!(code, 2);
    assert!(err.contains("--keys:"), "{err}");
}

#[test]
fn convert_round_trips_exactly() {
    let dir = TempDir::new();
    let st = dir.file("model.safetensors", &serialize(&f32_specs()));
    let json = dir.path("model.json");
    let back = dir.path("back.safetensors");
    let json2 = dir.path("back.json");
    assert_eq!(run(&["convert", &st, &json]).0, 0);
    let text = std::fs::read_to_string(&json).unwrap();
    assert!(text.contains("\"13421773/134217728\""), "{text}");
    assert!(text.contains("\"architecture\": [2, 2, 2, 1]"), "{text}");
    // JSON -> safetensors (f64) -> JSON gives the same exact network.
    let (code, _, err) = run(&["convert", &json, &back]);
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "nothing rounded: {err}");
    assert_eq!(run(&["convert", &back, &json2]).0, 0);
    assert_eq!(text, std::fs::read_to_string(&json2).unwrap());
    // Other names on the way out.
    let fc = dir.path("fc.safetensors");
    assert_eq!(run(&["convert", &json, &fc, "--keys", "a,b,c"]).0, 0);
    let (_, out1, _) = run(&["eval", &fc, "--x", "1,2", "--keys", "a,b,c"]);
    let (_, out2, _) = run(&["eval", &st, "--x", "1,2"]);
    assert_eq!(out1, out2);
}

#[test]
fn convert_refuses_inexact_rationals_unless_lossy() {
    let dir = TempDir::new();
    let json = dir.file(
        "third.json",
        br#"{"architecture": [1, 1, 1, 1], "layers": [
            {"weight": [[1]], "bias": [0]},
            {"weight": [["1/3"]], "bias": ["0.1"]},
            {"weight": [[2]], "bias": [0]}]}"#,
    );
    let out = dir.path("third.safetensors");
    assert_bad(
        &["convert", &json, &out],
        &json,
        "layers[1].weight[0][0]: 1/3 is not exactly representable as an f64 (use --lossy",
    );
    assert!(!Path::new(&out).exists(), "nothing written on refusal");
    let (code, _, err) = run(&["convert", &json, &out, "--lossy"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("rounded 2 of 6 parameters to the nearest f64")
            && err.contains(
                "layers[1].weight[0][0] = 1/3 written as 6004799503160661/18014398509481984"
            ),
        "{err}"
    );
    // 0.1 became the nearest f64, 3602879701896397/2^55.
    let back = dir.path("back.json");
    assert_eq!(run(&["convert", &out, &back]).0, 0);
    let text = std::fs::read_to_string(&back).unwrap();
    assert!(
        text.contains("3602879701896397/36028797018963968"),
        "{text}"
    );
    // Beyond the f64 range: refused even with --lossy.
    let huge = dir.file(
        "huge.json",
        br#"{"architecture": [1, 1, 1, 1], "layers": [
            {"weight": [[1]], "bias": [0]}, {"weight": [[1]], "bias": [0]},
            {"weight": [[2]], "bias": ["1e400"]}]}"#,
    );
    assert_bad(
        &["convert", &huge, &out, "--lossy"],
        &huge,
        "layers[2].bias[0]: 1000000000000",
    );
}

#[test]
fn truncated_files_exit_2() {
    let dir = TempDir::new();
    let good = serialize(&f32_specs());
    let header_len = u64::from_le_bytes(good[..8].try_into().unwrap()) as usize;
    let cuts = [
        0,
        3,
        8,
        9,
        8 + header_len / 2,
        8 + header_len,
        8 + header_len + 5,
        good.len() - 1,
    ];
    for cut in cuts {
        let p = dir.file(&format!("cut{cut}.safetensors"), &good[..cut]);
        let (code, _, err) = run(&["eval", &p, "--x", "1,2"]);
        assert_eq!(code, 2, "cut at {cut}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err:?}");
        assert!(err.contains(&p), "{err}");
        assert!(
            err.contains("truncated") || err.contains("malformed JSON header"),
            "cut at {cut}: {err}"
        );
    }
    // Padding after the data is not a valid file either.
    let mut padded = good.clone();
    padded.extend([0u8; 3]);
    let p = dir.file("padded.safetensors", &padded);
    assert_bad(
        &["eval", &p, "--x", "1,2"],
        &p,
        "data: the file size does not match",
    );
}

#[test]
fn wrong_dtypes_exit_2() {
    let dir = TempDir::new();
    for (dtype, size) in [
        (Dtype::I32, 4),
        (Dtype::U8, 1),
        (Dtype::I64, 8),
        (Dtype::BOOL, 1),
        (Dtype::F8_E4M3, 1),
    ] {
        let mut specs = f32_specs();
        specs[2].1 = dtype;
        specs[2].3 = vec![0u8; 4 * size];
        let p = dir.file("int.safetensors", &serialize(&specs));
        assert_bad(
            &["eval", &p, "--x", "1,2"],
            &p,
            &format!("2.weight: dtype {dtype} is not supported (expected F16, BF16, F32 or F64)"),
        );
        let out = dir.path("out.json");
        assert_bad(&["convert", &p, &out], &p, "2.weight: dtype");
    }
}

#[test]
fn shape_mismatches_exit_2() {
    let dir = TempDir::new();
    let f = |n: usize| vec![0u8; 4 * n];
    let cases: Vec<(usize, Vec<usize>, &str)> =
        vec![
        (
            2,
            vec![2, 3],
            "2.weight: shape [2, 3] does not fit: expected 2 columns, one per output of 0.weight",
        ),
        (1, vec![3], "0.bias: expected shape [2] (one entry per row of 0.weight), found shape [3]"),
        (0, vec![4], "0.weight: a tensor of rank 1: not the weight of a Linear layer"),
        (0, vec![2, 2, 1], "0.weight: a tensor of rank 3"),
        (4, vec![1, 3], "4.weight: shape [1, 3] does not fit: expected 2 columns"),
        (5, vec![1, 1], "4.bias: a tensor of rank 2: not the bias"),
        (5, vec![], "4.bias: a tensor of rank 0: not the bias"),
        (0, vec![2, 0], "0.weight: shape [2, 0]: the input width must be at least 1"),
        (4, vec![0, 2], "4.weight: shape [0, 2]: the output width must be at least 1"),
        (0, vec![2_000_000, 0], "width out = 2000000 is over the limit"),
    ];
    for (idx, shape, expected) in cases {
        let mut specs = f32_specs();
        let n: usize = shape.iter().product();
        specs[idx].2 = shape;
        specs[idx].3 = f(n);
        let p = dir.file("shape.safetensors", &serialize(&specs));
        assert_bad(&["eval", &p, "--x", "1,2"], &p, expected);
    }
}

#[test]
fn nan_is_named_by_tensor_and_index() {
    let dir = TempDir::new();
    let mut specs = f32_specs();
    specs[2].3[12..16].copy_from_slice(&f32::NAN.to_le_bytes());
    let p = dir.file("model.safetensors", &serialize(&specs));
    let (code, _, err) = run(&["eval", &p, "--x", "1,2"]);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim(),
        format!("fibers: {p}: 2.weight[1][1]: NaN is not a number")
    );
}

#[test]
fn not_safetensors_at_all_exit_2() {
    let dir = TempDir::new();
    let json = br#"{"architecture": [1, 1, 1, 1], "layers": []}"#;
    let p = dir.file("json.safetensors", json);
    assert_bad(&["eval", &p, "--x", "1"], &p, "header");
    let p = dir.file("empty.safetensors", b"");
    assert_bad(&["eval", &p, "--x", "1"], &p, "truncated file: 0 bytes");
    let mut huge = u64::MAX.to_le_bytes().to_vec();
    huge.extend(b"{}");
    let p = dir.file("huge.safetensors", &huge);
    assert_bad(&["eval", &p, "--x", "1"], &p, "header");
    let mut bad_json = 6u64.to_le_bytes().to_vec();
    bad_json.extend(b"{\"a\":\n");
    let p = dir.file("badjson.safetensors", &bad_json);
    assert_bad(&["eval", &p, "--x", "1"], &p, "malformed JSON header");
    let mut no_tensors = 2u64.to_le_bytes().to_vec();
    no_tensors.extend(b"{}");
    let p = dir.file("none.safetensors", &no_tensors);
    assert_bad(
        &["eval", &p, "--x", "1"],
        &p,
        "tensors: found no Linear layers",
    );
    let p = dir.path("missing.safetensors");
    assert_bad(&["eval", &p, "--x", "1"], &p, "file:");
    // Writing to a place that cannot be written.
    let ok = dir.file("ok.safetensors", &serialize(&f32_specs()));
    assert_bad(
        &["convert", &ok, "/nonexistent/dir/out.json"],
        "/nonexistent/dir/out.json",
        "cannot write",
    );
}

const NET_A: &str = r#"{"architecture": [2, 2, 2, 1], "layers": [
    {"weight": [[1, "-0.5"], ["0.25", 2]], "bias": [0, -1]},
    {"weight": [[1, -1], ["1.5", 1]], "bias": ["0.5", -2]},
    {"weight": [[2, -1]], "bias": ["-0.5"]}]}"#;
/// NET_A with layer-1 neuron 0 scaled by 2 and the two layer-1 neurons swapped.
const NET_B: &str = r#"{"architecture": [2, 2, 2, 1], "layers": [
    {"weight": [["0.25", 2], [2, -1]], "bias": [-1, 0]},
    {"weight": [[-1, "0.5"], [1, "0.75"]], "bias": ["0.5", -2]},
    {"weight": [[2, -1]], "bias": ["-0.5"]}]}"#;

/// Every command that takes a network takes a `.safetensors` file too, with the same result
/// as for the JSON file, with default names and with `--keys`.
#[test]
fn every_network_command_takes_safetensors() {
    let dir = TempDir::new();
    let (ja, jb) = (
        dir.file("a.json", NET_A.as_bytes()),
        dir.file("b.json", NET_B.as_bytes()),
    );
    let (sa, sb) = (dir.path("a.safetensors"), dir.path("b.safetensors"));
    let (ka, kb) = (dir.path("ka.safetensors"), dir.path("kb.safetensors"));
    for (from, to, keys) in [
        (&ja, &sa, None),
        (&jb, &sb, None),
        (&ja, &ka, Some("l1,l2,l3")),
        (&jb, &kb, Some("l1,l2,l3")),
    ] {
        let mut args = vec!["convert", from.as_str(), to.as_str()];
        if let Some(k) = keys {
            args.extend(["--keys", k]);
        }
        let (code, _, err) = run(&args);
        assert_eq!(code, 0, "{err}");
    }
    let same = |json_args: &[&str], st_args: &[&str]| {
        let (c1, o1, e1) = run(json_args);
        let (c2, o2, e2) = run(st_args);
        assert_eq!(c1, 0, "{json_args:?}: {e1}");
        assert_eq!((c2, &o2), (0, &o1), "{st_args:?}: {e2}");
        o1
    };
    let verdict = same(
        &["equiv", &ja, &jb, "--json"],
        &["equiv", &sa, &sb, "--json"],
    );
    assert!(verdict.contains("\"verdict\":\"equivalent\""), "{verdict}");
    same(
        &["equiv", &ja, &jb, "--json"],
        &["equiv", &sa, &jb, "--json"],
    );
    same(
        &["equiv", &ja, &jb, "--json"],
        &["equiv", &ka, &kb, "--json", "--keys", "l1,l2,l3"],
    );
    same(&["canon", &ja, "--json"], &["canon", &sa, "--json"]);
    same(&["classify", &ja], &["classify", &sa]);
    same(&["classify", &ja], &["--keys", "l1,l2,l3", "classify", &ka]);
    same(
        &["eval", &ja, "--x", "3,-1/7"],
        &["eval", &sb, "--x", "3,-1/7"],
    );
    // A certificate made for the safetensors files checks against the JSON files (same
    // networks, same hashes), and the other way round.
    let cert = dir.path("cert.json");
    assert_eq!(run(&["equiv", &sa, &sb, "--cert", &cert]).0, 0);
    assert_eq!(run(&["check", &cert, &ja, &jb]).0, 0);
    assert_eq!(run(&["check", &cert, &ka, &kb, "--keys", "l1,l2,l3"]).0, 0);
    let cert2 = dir.path("cert2.json");
    assert_eq!(run(&["equiv", &ja, &jb, "--cert", &cert2]).0, 0);
    assert_eq!(run(&["check", &cert2, &sa, &sb]).0, 0);
    // Bad safetensors input to each command: exit 2, one line naming the file.
    let bad = dir.file(
        "bad.safetensors",
        b"\x10\x00\x00\x00\x00\x00\x00\x00{\"a\":",
    );
    for args in [
        vec!["eval", bad.as_str(), "--x", "1,2"],
        vec!["equiv", bad.as_str(), &sb],
        vec!["equiv", &sa, bad.as_str()],
        vec!["check", &cert, bad.as_str(), &sb],
        vec!["canon", bad.as_str()],
        vec!["classify", bad.as_str()],
        vec!["convert", bad.as_str(), "out.json"],
    ] {
        assert_bad(&args, &bad, "header: truncated file");
    }
}

/// A safetensors file under another name is recognised by its header; a `.json` name is
/// always read as JSON.
#[test]
fn safetensors_content_is_recognised_without_the_extension() {
    let dir = TempDir::new();
    let bytes = serialize(&f32_specs());
    let expected = "-309206959068891841896457/302231454903657293676544";
    for name in ["model.bin", "model", "model.pt"] {
        let p = dir.file(name, &bytes);
        let (code, out, err) = run(&["eval", &p, "--x", "1,2"]);
        assert_eq!((code, out.trim()), (0, expected), "{name}: {err}");
    }
    let p = dir.file("model.json", &bytes);
    assert_bad(&["eval", &p, "--x", "1,2"], &p, "not valid UTF-8");
    let p = dir.file("junk.bin", b"\xff\xfe\x00garbage");
    assert_bad(
        &["eval", &p, "--x", "1,2"],
        &p,
        "byte 0: not valid UTF-8 text (neither a JSON network nor a safetensors file)",
    );
    // A JSON network under another name still reads as JSON.
    let p = dir.file(
        "net.txt",
        br#"{"architecture": [1, 1, 1, 1], "layers": [
        {"weight": [[1]], "bias": [0]}, {"weight": [[1]], "bias": [0]},
        {"weight": [[2]], "bias": [0]}]}"#,
    );
    let (code, out, _) = run(&["eval", &p, "--x", "3"]);
    assert_eq!((code, out.trim()), (0, "6"));
}

/// Files written by Python's `safetensors` package (`fixtures/models/make.py`, numpy front
/// end of the producer behind `safetensors.torch.save_file`): every entry reads as the
/// rational Python's `fractions` gives for the float, and evaluation agrees exactly with
/// Python's rational evaluation.
#[test]
fn python_written_models_load_exactly() {
    let dir = TempDir::new();
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/models");
    let mut checked = 0;
    for name in ["seq_f32", "fc_f16", "seq_f64"] {
        let model = models.join(format!("{name}.safetensors"));
        let model = model.to_str().unwrap();
        let text = std::fs::read_to_string(models.join(format!("{name}.expected"))).unwrap();
        let expected: serde_json::Value = serde_json::from_str(&text).unwrap();
        let keys = expected["keys"].as_str().unwrap();
        let want = fibers_net::json::network_from_value(&expected["network"], name).unwrap();
        let out = dir.path(&format!("{name}.json"));
        let (code, _, err) = run(&["convert", model, &out, "--keys", keys]);
        assert_eq!(code, 0, "{name}: {err}");
        let got = fibers_net::json::read_network(Path::new(&out)).unwrap();
        assert_eq!(got, want, "{name}");
        for e in expected["evaluations"].as_array().unwrap() {
            let x: Vec<&str> = e["x"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            let (code, stdout, err) =
                run(&["eval", model, "--keys", keys, "--x", &x.join(","), "--json"]);
            assert_eq!(code, 0, "{name}: {err}");
            let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
            let got: Vec<fibers_exact::Rational> = v["output"]
                .as_array()
                .unwrap()
                .iter()
                .map(|q| fibers_net::json::rational_from_value(q, "out", "output").unwrap())
                .collect();
            let want: Vec<fibers_exact::Rational> = e["output"]
                .as_array()
                .unwrap()
                .iter()
                .map(|q| q.as_str().unwrap().parse().unwrap())
                .collect();
            assert_eq!(got, want, "{name} at {x:?}");
            checked += 1;
        }
    }
    assert_eq!(checked, 7);
}
