//! Stable-toolchain side of the fuzzing (`fuzz/`, cargo-fuzz + libFuzzer, needs nightly).
//!
//! - Replays every input kept in `fixtures/fuzz-regressions/<target>/` (findings of the fuzz
//!   runs, kept after the fix) and every seed in `fuzz/seeds/<target>/` through the same
//!   properties the fuzz targets check (`fuzz/oracles.rs`, included here by path).
//! - Runs a deterministic mutation harness on the seeds: truncations, byte flips, byte
//!   insertions and deletions, dictionary tokens, and splices of two seeds
//!   (`FIBERS_FUZZ_ITERS` inputs per target, default 3,000; `scripts/fuzz.sh` runs more).
//!
//! A failing input is written to `target/fuzz-failures/` and named in the failure message.

#[path = "../../../fuzz/oracles.rs"]
mod oracles;

use std::path::{Path, PathBuf};

type Oracle = fn(&[u8]);

const TARGETS: [(&str, Oracle); 3] = [
    ("json_network", oracles::json_network),
    ("safetensors_network", oracles::safetensors_network),
    ("certificate", oracles::certificate),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.path().is_file())
                .map(|e| {
                    (
                        e.path().display().to_string(),
                        std::fs::read(e.path()).unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Runs the oracle; on a panic saves the input and fails naming it.
fn run_one(target: &str, oracle: Oracle, what: &str, data: &[u8]) {
    let result = std::panic::catch_unwind(|| oracle(data));
    if let Err(p) = result {
        let msg = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        let dir = root().join("target/fuzz-failures").join(target);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("failure-{:016x}", fnv(data)));
        std::fs::write(&path, data).unwrap();
        panic!(
            "{target}: {what} fails: {msg}\ninput saved to {}",
            path.display()
        );
    }
}

fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf29ce484222325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

#[test]
fn regressions_and_seeds_replay_cleanly() {
    let mut count = 0;
    for (target, oracle) in TARGETS {
        let kept = files(&root().join("fixtures/fuzz-regressions").join(target));
        let seeds = files(&root().join("fuzz/seeds").join(target));
        assert!(
            !seeds.is_empty(),
            "{target}: no seeds in fuzz/seeds/{target}"
        );
        for (name, data) in kept.iter().chain(&seeds) {
            run_one(target, oracle, name, data);
            count += 1;
        }
    }
    assert!(count > 20, "{count} inputs");
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545F4914F6CDD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn dictionary(target: &str) -> Vec<Vec<u8>> {
    let text = std::fs::read_to_string(root().join(format!("fuzz/dict/{target}.dict")))
        .unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let l = l.trim();
            let inner = l.strip_prefix('"')?.strip_suffix('"')?;
            Some(unescape(inner))
        })
        .collect()
}

/// The escapes of libFuzzer dictionaries: `\\`, `\"`, `\xNN`.
fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            if b[i + 1] == b'x' && i + 3 < b.len() {
                if let Ok(v) = u8::from_str_radix(&s[i + 2..i + 4], 16) {
                    out.push(v);
                    i += 4;
                    continue;
                }
            }
            out.push(b[i + 1]);
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>], dict: &[Vec<u8>]) -> Vec<u8> {
    let mut d = seeds[rng.below(seeds.len())].clone();
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        let len = d.len();
        match rng.below(8) {
            0 => d.truncate(rng.below(len + 1)),
            1 if len > 0 => {
                let i = rng.below(len);
                d[i] ^= 1 << rng.below(8);
            }
            2 if len > 0 => {
                let i = rng.below(len);
                d[i] = rng.next() as u8;
            }
            3 => {
                let i = rng.below(len + 1);
                d.insert(i, rng.next() as u8);
            }
            4 if len > 0 => {
                let i = rng.below(len);
                let k = 1 + rng.below(16.min(len - i));
                d.drain(i..i + k);
            }
            5 if !dict.is_empty() => {
                let tok = &dict[rng.below(dict.len())];
                let i = rng.below(len + 1);
                d.splice(i..i, tok.iter().copied());
            }
            6 => {
                let other = &seeds[rng.below(seeds.len())];
                let (i, j) = (rng.below(len + 1), rng.below(other.len() + 1));
                d.truncate(i);
                d.extend_from_slice(&other[j..]);
            }
            _ => {
                // Repeat a slice (long numbers, duplicated members).
                if len > 0 {
                    let i = rng.below(len);
                    let k = 1 + rng.below(32.min(len - i));
                    let piece = d[i..i + k].to_vec();
                    let at = rng.below(len + 1);
                    d.splice(at..at, piece);
                }
            }
        }
    }
    d
}

#[test]
fn mutated_seeds_keep_the_properties() {
    let iters: usize = std::env::var("FIBERS_FUZZ_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3_000);
    for (t, (target, oracle)) in TARGETS.iter().enumerate() {
        let mut seeds: Vec<Vec<u8>> = files(&root().join("fuzz/seeds").join(target))
            .into_iter()
            .map(|(_, d)| d)
            .collect();
        seeds.extend(
            files(&root().join("fixtures/fuzz-regressions").join(target))
                .into_iter()
                .map(|(_, d)| d),
        );
        let dict = dictionary(target);
        let mut rng = Rng(0x9E3779B97F4A7C15 ^ (t as u64 + 1));
        for i in 0..iters {
            let data = mutate(&mut rng, &seeds, &dict);
            run_one(target, *oracle, &format!("mutation {i}"), &data);
        }
    }
}
