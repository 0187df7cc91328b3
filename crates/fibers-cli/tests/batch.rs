//! `fibers batch`: the same verdicts as the library decision and as single `fibers equiv`
//! runs, the same output on one thread and on all, one output line per input line in order,
//! bad lines reported without stopping, canonical forms as the library computes them, and
//! dedup classes that agree with pairwise certified decisions.
//!
//! The large run is 10,000 pairs in release builds (how CI runs the tests) and 1,000 in debug
//! builds.

use fibers::{decide, DecideOptions, Outcome};
use fibers_net::json::{network_to_string, network_to_value, vector_to_value};
use fibers_net::Network;
use fibers_testkit::pairs::{pair, pair_line};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Instant;

const PAIRS: u64 = if cfg!(debug_assertions) { 300 } else { 10_000 };

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("fibers-batch-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    fn file(&self, name: &str, text: &str) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn fibers(args: &[&str], threads: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_fibers"));
    c.args(args);
    if let Some(t) = threads {
        c.env("RAYON_NUM_THREADS", t);
    }
    c.output().unwrap()
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// What the library decision says, in the fields `fibers equiv --json` prints (the branch
/// tree's counters only when the tree decided; the witness is checked separately, since the
/// output gives a shortened one).
fn library_verdict(a: &Network, b: &Network) -> Value {
    let r = decide(a, b, &DecideOptions::default()).unwrap();
    let s = &r.stats;
    let mut v = json!({
        "verdict": match &r.outcome {
            Outcome::Equivalent { .. } => "equivalent",
            Outcome::NotEquivalent { .. } => "not-equivalent",
            Outcome::Undecided => "undecided",
        },
        "method": r.method,
    });
    if matches!(
        r.procedure,
        Some(fibers::Procedure::Tree | fibers::Procedure::Regions)
    ) {
        v["nodes"] = json!(s.nodes);
        v["leaves"] = json!(s.leaves);
        v["lps"] = json!(s.lps);
        v["probes"] = json!(s.probes);
    }
    if let Some(f) = &r.fallback {
        v["fallback"] = json!(f);
    }
    v
}

/// The witness of an output line separates `a` and `b`, with the outputs it states.
fn assert_witness(line: &Value, a: &Network, b: &Network) {
    let x = fibers_net::json::vector_from_value(&line["witness"], "line", "witness").unwrap();
    assert_eq!(vector_to_value(&a.eval(&x)), line["output_a"]);
    assert_eq!(vector_to_value(&b.eval(&x)), line["output_b"]);
    assert_ne!(line["output_a"], line["output_b"]);
}

fn project(line: &Value, like: &Value) -> Value {
    let keys = like.as_object().unwrap().keys();
    Value::Object(keys.map(|k| (k.clone(), line[k].clone())).collect())
}

#[test]
fn batch_equiv_agrees_with_library_and_single_runs() {
    let dir = TempDir::new("equiv");
    let pairs: Vec<(Network, Network, &str)> = (0..PAIRS).map(pair).collect();
    let text: String = pairs
        .iter()
        .map(|(a, b, _)| pair_line(a, b) + "\n")
        .collect();
    let input = dir.file("pairs.jsonl", &text);

    // One thread, then all threads: identical output.
    let t0 = Instant::now();
    let one = fibers(&["batch", "equiv", &input, "--quiet"], Some("1"));
    let t1 = t0.elapsed().as_secs_f64();
    let t0 = Instant::now();
    let all = fibers(&["batch", "equiv", &input, "--quiet"], None);
    let t2 = t0.elapsed().as_secs_f64();
    assert!(
        one.status.success(),
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
    assert!(
        all.status.success(),
        "{}",
        String::from_utf8_lossy(&all.stderr)
    );
    assert_eq!(one.stdout, all.stdout, "same output on 1 thread and on all");
    eprintln!(
        "batch equiv, {PAIRS} pairs: 1 thread {:.0} pairs/s, all threads {:.0} pairs/s",
        PAIRS as f64 / t1,
        PAIRS as f64 / t2
    );

    // Every line agrees with the library decision.
    let out = lines(&all);
    assert_eq!(out.len(), pairs.len(), "one output line per input line");
    let mut counts = [0usize; 3];
    for (i, ((a, b, how), line)) in pairs.iter().zip(&out).enumerate() {
        let lib = library_verdict(a, b);
        assert_eq!(project(line, &lib), lib, "pair {i} ({how})");
        let v = line["verdict"].as_str().unwrap();
        if v == "not-equivalent" {
            assert_witness(line, a, b);
        }
        counts[["equivalent", "not-equivalent", "undecided"]
            .iter()
            .position(|x| *x == v)
            .unwrap()] += 1;
        // Symmetry moves never change the function.
        if i % 3 == 0 {
            assert_eq!(v, "equivalent", "pair {i} ({how})");
        }
    }
    assert!(
        counts[0] > 0 && counts[1] > 0 && counts[2] == 0,
        "{counts:?}"
    );

    // A sample against the binary's single `fibers equiv --json`.
    let step = (PAIRS / 40) as usize;
    for (i, (a, b, _)) in pairs.iter().enumerate().step_by(step) {
        let pa = dir.file("a.json", &network_to_string(a));
        let pb = dir.file("b.json", &network_to_string(b));
        let single = fibers(&["equiv", &pa, &pb, "--json"], None);
        let single: Value = serde_json::from_slice(&single.stdout).unwrap();
        assert_eq!(out[i], single, "pair {i}: batch line = single run");
    }
}

#[test]
fn bad_lines_are_reported_in_place_and_the_batch_goes_on() {
    let dir = TempDir::new("bad");
    let (a, b, _) = pair(0);
    let good = pair_line(&a, &b);
    let mut with_id: Value = serde_json::from_str(&good).unwrap();
    with_id["id"] = json!("first");
    let bad_net = good.replacen("\"architecture\":[", "\"architecture\":[0,", 1);
    let mut other_width = serde_json::from_str::<Value>(&good).unwrap();
    other_width["b"] = network_to_value(&pair(1).0);
    let input_lines = [
        with_id.to_string(),
        "{not json".to_string(),
        String::new(),
        "[1, 2]".to_string(),
        r#"{"a": 1}"#.to_string(),
        good.replace("\"b\":", "\"c\":"),
        bad_net,
        good[..good.len() / 2].to_string(),
        good.replacen("\"bias\":[", "\"bias\":[\"1/0\",", 1),
        other_width.to_string(),
        good.clone(),
    ];
    let text = input_lines.join("\n") + "\n";
    let input = dir.file("pairs.jsonl", &text);
    // Small chunks: order is kept across chunk boundaries.
    let out = fibers(&["batch", "equiv", &input, "--chunk", "3"], None);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("8 of 10 lines could not be used (first: line 2:"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    // The blank line 3 is skipped: 10 output lines; messages keep the input's line numbers.
    let got = lines(&out);
    assert_eq!(got.len(), 10);
    assert_eq!(got[0]["id"], "first");
    assert_eq!(got[0]["verdict"], got[9]["verdict"]);
    let expected = [
        "line 2: column 2: malformed JSON: key must be a string",
        "line 4: expected a JSON object",
        "line 5: a: expected an object, found a number",
        "line 6: missing key \"b\"",
        "line 7: a.architecture: expected 4 widths",
        "line 8: column * malformed JSON: truncated line (unexpected end of input)",
        "line 9: a.layers[0].bias[0]: zero denominator",
        "line 10: a has architecture",
    ];
    for (k, e) in expected.iter().enumerate() {
        let msg = got[k + 1]["error"].as_str().unwrap_or_default();
        // `*` stands for a column number.
        let (head, tail) = e.split_once(" * ").unwrap_or((e, ""));
        assert!(
            msg.starts_with(head) && msg.contains(tail),
            "output line {}: expected {e:?}, got {msg:?}",
            k + 2
        );
    }
    // Same through standard input.
    let mut child = Command::new(env!("CARGO_BIN_EXE_fibers"))
        .args(["batch", "equiv", "-", "--quiet"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), text.as_bytes()).unwrap();
    let piped = child.wait_with_output().unwrap();
    assert_eq!(piped.stdout, out.stdout);
    assert_eq!(piped.status.code(), Some(2));
    // Over-long lines are reported and skipped, the rest goes on; CRLF line ends are fine.
    let long = format!("{}\r\n{}\r\n{}\r\n", good, "x".repeat(5000), good);
    let input2 = dir.file("long.jsonl", &long);
    let out2 = fibers(
        &[
            "batch",
            "equiv",
            &input2,
            "--max-line-bytes",
            "4000",
            "--quiet",
        ],
        None,
    );
    assert_eq!(out2.status.code(), Some(2));
    let got2 = lines(&out2);
    assert_eq!(got2.len(), 3);
    assert_eq!(
        got2[1]["error"],
        "line 2: line longer than 4000 bytes (see --max-line-bytes)"
    );
    assert_eq!(got2[0]["verdict"], got2[2]["verdict"]);
    assert!(got2[0]["verdict"].is_string());
    // Missing input file, bad options.
    assert_eq!(
        fibers(&["batch", "equiv", "/nonexistent.jsonl"], None)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        fibers(&["batch", "equiv", &input, "--chunk", "0"], None)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        fibers(&["batch", "canon", &input, "--threads", "0"], None)
            .status
            .code(),
        Some(2)
    );
}

fn network_lines(n: u64) -> Vec<Network> {
    let mut nets = Vec::new();
    for seed in 0..n {
        let (a, b, _) = pair(seed);
        nets.push(a);
        nets.push(b);
    }
    nets
}

#[test]
fn batch_canon_is_the_library_canonical_form() {
    let dir = TempDir::new("canon");
    let nets = network_lines(150);
    let text: String = nets
        .iter()
        .map(|n| network_to_value(n).to_string() + "\n")
        .collect();
    let input = dir.file("nets.jsonl", &text);
    let out = fibers(&["batch", "canon", &input, "--quiet"], None);
    assert!(out.status.success());
    let got = lines(&out);
    assert_eq!(got.len(), nets.len());
    let (mut generic, mut other) = (0, 0);
    for (i, (net, line)) in nets.iter().zip(&got).enumerate() {
        match fibers_bottleneck::canonicalize(net) {
            Ok(c) => {
                generic += 1;
                assert_eq!(line["status"], "canonical", "line {}", i + 1);
                assert_eq!(line["form"]["sha256"], c.form.hash(), "line {}", i + 1);
                assert_eq!(line["form"], c.form.to_json(), "line {}", i + 1);
            }
            Err(e) => {
                other += 1;
                assert_eq!(line["status"], "not-generic", "line {}", i + 1);
                assert_eq!(line["condition"], e.condition.name());
                assert_eq!(line["detail"], e.detail);
            }
        }
    }
    assert!(generic > 0 && other > 0, "{generic} generic, {other} not");
    // A sample against single `fibers canon --json` runs.
    for (i, net) in nets.iter().enumerate().step_by(15) {
        let p = dir.file("net.json", &network_to_string(net));
        let single = fibers(&["canon", &p, "--json"], None);
        let single: Value = serde_json::from_slice(&single.stdout).unwrap();
        assert_eq!(got[i], single, "line {}: batch line = single run", i + 1);
    }
}

#[test]
fn batch_dedup_classes_are_the_equivalence_classes() {
    let dir = TempDir::new("dedup");
    // Networks from a few seeds with several symmetric copies each, shuffled, plus
    // non-generic ones (wide layer 1).
    let mut nets = Vec::new();
    for seed in [0u64, 3, 6, 9, 12, 15] {
        let (a, b, _) = pair(seed);
        nets.push(a.clone());
        nets.push(b);
        let mut rng = fibers_testkit::moves::Lcg::new(seed + 100);
        let (c, _) = fibers_testkit::moves::random_symmetry(&a, &mut rng, true);
        nets.push(c);
    }
    for seed in [1u64, 2, 4, 5] {
        let (a, b, _) = pair(seed);
        nets.push(a);
        nets.push(b);
    }
    // Non-generic (n1 > n0) networks that vanish at every probe point (all kinks beyond
    // x = 100) and differ further out: only a certified decision can separate them.
    let far = |t: i64, scale: i64| {
        let text = format!(
            r#"{{"architecture": [1, 2, 1, 1], "layers": [
                {{"weight": [[{scale}], [1]], "bias": [{}, {}]}},
                {{"weight": [[1, 0]], "bias": [0]}},
                {{"weight": [["{}"]], "bias": [0]}}]}}"#,
            -t * scale,
            -t - 1,
            fibers_exact::Rational::ratio(1, scale)
        );
        fibers_net::json::network_from_str(&text, "far").unwrap()
    };
    nets.extend([far(100, 1), far(200, 1), far(100, 3)]);
    let mut rng = fibers_testkit::moves::Lcg::new(7);
    let order = rng.permutation(nets.len());
    let nets: Vec<Network> = order.iter().map(|&i| nets[i].clone()).collect();
    let text: String = nets
        .iter()
        .map(|n| network_to_value(n).to_string() + "\n")
        .collect();
    let input = dir.file("nets.jsonl", &text);
    let out = fibers(&["batch", "dedup", &input, "--quiet", "--chunk", "5"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = lines(&out);
    assert_eq!(got.len(), nets.len());
    let class: Vec<u64> = got.iter().map(|l| l["class"].as_u64().unwrap()).collect();
    let mut generic = 0;
    let mut fallback = 0;
    for (i, line) in got.iter().enumerate() {
        let rep = line["representative"].as_u64().unwrap() as usize;
        assert_eq!(
            class[rep - 1],
            class[i],
            "the representative is in the class"
        );
        assert_eq!(line["new_class"], rep == i + 1);
        if line["generic"] == true {
            generic += 1;
        } else {
            fallback += 1;
            assert!(line["fallback"]
                .as_str()
                .unwrap()
                .starts_with("not generic ("));
        }
        if rep != i + 1 {
            assert_eq!(line["certificate"], "checked");
        }
    }
    assert!(
        generic > 0 && fallback > 0,
        "{generic} generic, {fallback} not"
    );
    // Some new class was separated from another only by a certified decision.
    assert!(
        got.iter()
            .any(|l| l["new_class"] == true && l["compared"].as_u64().unwrap() > 0),
        "a pairwise decision that found two networks different"
    );
    // Same class iff the certified decision says equivalent (only same widths can be).
    for i in 0..nets.len() {
        for j in 0..i {
            let (x, y) = (nets[i].arch(), nets[j].arch());
            let equivalent = x.n0 == y.n0
                && x.n3 == y.n3
                && matches!(
                    decide(&nets[i], &nets[j], &DecideOptions::default())
                        .unwrap()
                        .outcome,
                    Outcome::Equivalent { .. }
                );
            assert_eq!(
                class[i] == class[j],
                equivalent,
                "lines {} and {}",
                j + 1,
                i + 1
            );
        }
    }
    let classes = class.iter().max().unwrap() + 1;
    assert!(classes < nets.len() as u64, "some networks share a class");
}

#[test]
fn out_of_budget_lines_say_undecided_and_exit_3() {
    let dir = TempDir::new("budget");
    // Symmetric pairs decided by the branch tree need more than one node.
    let text: String = (0..12)
        .step_by(3)
        .map(|seed| {
            let (a, b, _) = pair(seed);
            pair_line(&a, &b) + "\n"
        })
        .collect();
    let input = dir.file("pairs.jsonl", &text);
    let out = fibers(
        &[
            "batch",
            "equiv",
            &input,
            "--method",
            "tree",
            "--max-nodes",
            "1",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("some decisions ran out of budget (first: line "),
        "{stderr}"
    );
    let got = lines(&out);
    assert_eq!(got.len(), 4);
    assert!(got.iter().any(|l| l["verdict"] == "undecided"));
    assert!(got
        .iter()
        .all(|l| l["verdict"] == "undecided" || l["verdict"] == "equivalent"));
}
