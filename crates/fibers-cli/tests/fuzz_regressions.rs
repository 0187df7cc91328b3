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

#[path = "../../../fuzz/mutate.rs"]
mod mutate;
#[path = "../../../fuzz/oracles.rs"]
mod oracles;

use mutate::{dictionary, files, mutate, Rng};

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
        let dict = dictionary(&root(), target);
        let mut rng = Rng(0x9E3779B97F4A7C15 ^ (t as u64 + 1));
        for i in 0..iters {
            let data = mutate(&mut rng, &seeds, &dict);
            run_one(target, *oracle, &format!("mutation {i}"), &data);
        }
    }
}
