//! `fibers batch` over checkpoint files (issue 16, item 2): a directory of 200 PyTorch-style
//! safetensors checkpoints deduplicated into the right classes with `representative` by id,
//! lines naming files, results streamed (the first result is written while the input is still
//! open), and progress lines on stderr when it is not a terminal.
//!
//! The timing comparison against inline JSON Lines is `#[ignore]`d (run it with
//! `cargo test --release -p fibers-cli --test batch_checkpoints -- --ignored --nocapture`).

mod statedict;

use serde_json::Value;
use statedict::*;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// 20 trained-like base networks, 10 symmetric copies of each (hidden units permuted and
/// scaled by powers of two, written under varying names), shuffled into 200 files. Bases
/// 0..16 are generic bottleneck networks (16, 6, 4, 3); bases 16..20 are wide (2, 5, 3, 1),
/// not generic, so they are grouped by certified pairwise decisions.
fn checkpoints(dir: &TempDir) -> Vec<(String, usize)> {
    let mut rng = Rng(2024);
    let mut files = Vec::new();
    // The input width of the generic bases (FIBERS_DEDUP_N0, e.g. 64 as for the digits).
    let n0 = std::env::var("FIBERS_DEDUP_N0")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(16);
    let generic = [n0, 6, 4, 3];
    for base in 0..20 {
        let widths: &[usize] = if base < 16 { &generic } else { &[2, 5, 3, 1] };
        let a = random_mlp(widths, &mut rng);
        for copy in 0..10 {
            let mut b = a.clone();
            for l in 0..2 {
                let n = widths[l + 1];
                let mut perm: Vec<usize> = (0..n).collect();
                perm.rotate_left((copy + l) % n);
                let scale: Vec<f32> = (0..n)
                    .map(|i| [0.5f32, 1.0, 2.0, 4.0][(i + copy) % 4])
                    .collect();
                permute_scale(&mut b, l, &perm, &scale);
            }
            let names: &[&str] = match copy % 3 {
                0 => &["0", "2", "4"],
                1 => &["fc1", "fc2", "fc3"],
                _ => &["module.net.0", "module.net.3", "module.net.6"],
            };
            let name = format!("ckpt-{:03}.safetensors", ((base * 10 + copy) * 37) % 200);
            dir.file(&name, &safetensors_bytes(&b, names));
            files.push((name, base));
        }
    }
    files
}

fn parse_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn dedup_over_a_directory_of_200_checkpoints() {
    let dir = TempDir::new("dedupdir");
    let files = checkpoints(&dir);
    let base_of: std::collections::HashMap<&str, usize> =
        files.iter().map(|(n, b)| (n.as_str(), *b)).collect();
    let (code, out, err) = run(&["batch", "dedup", dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let got = parse_lines(&out);
    assert_eq!(got.len(), 200);
    // Same class iff copies of the same base; representative = the id of a member.
    let mut class_of_base = std::collections::HashMap::new();
    let mut bases_of_class = std::collections::HashMap::new();
    for line in &got {
        let id = line["id"].as_str().unwrap();
        let base = base_of[id];
        let class = line["class"].as_u64().unwrap();
        assert_eq!(*class_of_base.entry(base).or_insert(class), class, "{line}");
        assert_eq!(*bases_of_class.entry(class).or_insert(base), base, "{line}");
        let rep = line["representative"].as_str().unwrap();
        assert_eq!(base_of[rep], base, "{line}");
        if line["new_class"] == false {
            assert_eq!(line["certificate"], "checked", "{line}");
        }
    }
    assert_eq!(class_of_base.len(), 20);
    assert!(got
        .iter()
        .any(|l| l["generic"] == false && l["by"] == "pairwise"));
    assert!(got.iter().any(|l| l["by"] == "canonical-form"));
    // Off a terminal, stderr has the summary line.
    assert!(err.contains("fibers: batch dedup: 200 lines"), "{err}");
}

#[test]
fn lines_naming_files_are_streamed_as_decided() {
    let dir = TempDir::new("dedupstream");
    let files = checkpoints(&dir);
    let mut child = Command::new(env!("CARGO_BIN_EXE_fibers"))
        .args(["batch", "dedup", "-"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    // Two lines, then wait for their results with the input still open.
    for (name, _) in &files[..2] {
        writeln!(stdin, r#"{{"id": "{name}", "path": "{name}"}}"#).unwrap();
    }
    stdin.flush().unwrap();
    for (k, (name, _)) in files.iter().enumerate().take(2) {
        let line = rx
            .recv_timeout(Duration::from_secs(120))
            .unwrap_or_else(|_| panic!("result {} not written while the input is open", k + 1));
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["id"], name.as_str());
    }
    for (name, _) in &files[2..] {
        writeln!(stdin, r#"{{"id": "{name}", "path": "{name}"}}"#).unwrap();
    }
    drop(stdin);
    let rest: Vec<String> = rx.iter().collect();
    reader.join().unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(rest.len(), 198);
}

#[test]
fn equiv_lines_name_files_relative_to_the_input() {
    let dir = TempDir::new("equivfiles");
    let files = checkpoints(&dir);
    let same = files
        .iter()
        .find(|f| f.1 == files[0].1 && f.0 != files[0].0)
        .unwrap();
    let other = files
        .iter()
        .find(|f| f.1 != files[0].1 && f.1 < 16)
        .unwrap();
    let text = format!(
        "{{\"id\": 1, \"a\": \"{}\", \"b\": {{\"path\": \"{}\"}}}}\n{{\"id\": 2, \"a\": \"{}\", \"b\": \"{}\"}}\n{{\"id\": 3, \"a\": \"missing.safetensors\", \"b\": \"{}\"}}\n",
        files[0].0, same.0, files[0].0, other.0, other.0
    );
    let input = dir.file("sub/pairs.jsonl", text.as_bytes());
    // Paths are relative to the input file's directory.
    let text = text.replace("\": \"ckpt", "\": \"../ckpt");
    std::fs::write(&input, text).unwrap();
    let (code, out, err) = run(&["batch", "equiv", &input]);
    assert_eq!(code, 2, "{err}");
    let got = parse_lines(&out);
    assert_eq!(got[0]["verdict"], "equivalent");
    assert_eq!(got[1]["verdict"], "not-equivalent");
    assert!(
        got[2]["error"].as_str().unwrap().starts_with("line 3: a: "),
        "{}",
        got[2]
    );
}

/// Measures `batch dedup` over the directory against the same networks inline in JSON Lines.
#[test]
#[ignore]
fn dedup_timing() {
    let dir = TempDir::new("deduptime");
    checkpoints(&dir);
    let t = Instant::now();
    let (code, out, err) = run(&["batch", "dedup", dir.path().to_str().unwrap(), "--quiet"]);
    assert_eq!(code, 0, "{err}");
    let files_secs = t.elapsed().as_secs_f64();
    // The same networks inline.
    let mut jsonl = String::new();
    for line in parse_lines(&out) {
        let p = dir.path().join(line["id"].as_str().unwrap());
        let (_, net, _) = run(&["convert", p.to_str().unwrap(), "/dev/stdout"]);
        jsonl.push_str(&net.replace('\n', ""));
        jsonl.push('\n');
    }
    let input = dir.file("nets.jsonl", jsonl.as_bytes());
    let t = Instant::now();
    let (code, _, err) = run(&["batch", "dedup", &input, "--quiet"]);
    assert_eq!(code, 0, "{err}");
    let inline_secs = t.elapsed().as_secs_f64();
    println!("batch dedup, 200 checkpoints: directory {files_secs:.2} s, inline JSON Lines {inline_secs:.2} s");
    println!("inline file for other binaries: {input}");
    std::thread::sleep(Duration::from_secs(
        std::env::var("FIBERS_KEEP_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0),
    ));
}
