//! Cost per input byte of the fuzz targets (issue 15, docs/resources.md, "Fuzzing for cost").
//!
//! A stable, cost-guided mutation harness over the three fuzz targets of `fuzz/` (the same
//! properties, `fuzz/oracles.rs`, and the same mutator, `fuzz/mutate.rs`). A counting global
//! allocator (the `peak_alloc` crate) gives the peak of the heap above its level before each
//! input; a monotonic clock gives the time (the worst time of a target is the fastest of three
//! runs of that input). For every target it reports the executions, the
//! largest `peak bytes / input byte` and `ns / input byte` over inputs of at least
//! [`MIN_LEN`] bytes (below that, fixed costs dominate: their absolute maxima are reported too),
//! and saves the worst inputs to `target/fuzz-cost/{short,long}/<target>/`. Inputs that raise a target's
//! worst ratio join its pool of seeds, so the run drifts towards expensive inputs.
//!
//! The default test runs a few hundred inputs per target and asserts the bounds below; the long
//! run is `#[ignore]`d:
//!
//! ```sh
//! FIBERS_FUZZ_SECONDS=3600 nice -n 19 cargo test -p fibers-cli --test fuzz_resources \
//!     -- --ignored --nocapture
//! ```

#[path = "../../../fuzz/mutate.rs"]
mod mutate;
#[path = "../../../fuzz/oracles.rs"]
mod oracles;

use mutate::{dictionary, files, mutate, Rng};
use peak_alloc::PeakAlloc;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[global_allocator]
static PEAK: PeakAlloc = PeakAlloc;

type Oracle = fn(&[u8]);

/// Targets with their largest input (the `-max_len` of `scripts/fuzz.sh`).
const TARGETS: [(&str, Oracle, usize); 3] = [
    ("json_network", oracles::json_network, 4096),
    ("safetensors_network", oracles::safetensors_network, 4096),
    ("certificate", oracles::certificate, 32768),
];

/// Inputs shorter than this are measured but not used for the ratios.
const MIN_LEN: usize = 256;

/// The bound asserted by the short run on `peak bytes / input byte` (inputs of at least
/// [`MIN_LEN`] bytes). The readers keep the JSON value tree and the exact numbers, and the
/// oracles write the network back and read it again, so a few tens of bytes per input byte are
/// expected; a quadratic or exponent-amplified allocation gives thousands.
const MAX_BYTES_PER_BYTE: f64 = 400.0;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[derive(Default)]
struct Stats {
    runs: u64,
    measured: u64,
    bytes: u64,
    time: Duration,
    worst_mem: (f64, usize, Vec<u8>),
    worst_time: (f64, usize, Vec<u8>),
    small_peak: usize,
    small_time: Duration,
}

/// Runs one input; returns (peak heap bytes above the level before, elapsed time).
fn measure(oracle: Oracle, data: &[u8]) -> (usize, Duration) {
    let before = PEAK.current_usage();
    PEAK.reset_peak_usage();
    let t0 = Instant::now();
    oracle(data);
    let dt = t0.elapsed();
    (PEAK.peak_usage().saturating_sub(before), dt)
}

fn run(seconds: f64, min_iters: u64, out_dir: &str) -> Vec<(&'static str, Stats)> {
    let per_target = Duration::from_secs_f64(seconds / TARGETS.len() as f64);
    let mut out = Vec::new();
    for (t, (target, oracle, max_len)) in TARGETS.iter().enumerate() {
        let mut pool: Vec<Vec<u8>> = files(&root().join("fuzz/seeds").join(target))
            .into_iter()
            .chain(files(
                &root().join("fixtures/fuzz-regressions").join(target),
            ))
            .map(|(_, d)| d)
            .filter(|d| d.len() <= *max_len)
            .collect();
        assert!(!pool.is_empty(), "{target}: no seeds");
        let dict = dictionary(&root(), target);
        let mut rng = Rng(0xC057_u64 ^ (t as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        // Warm up (lazily built fixtures, first allocations of the readers).
        for d in pool.clone() {
            oracle(&d);
        }
        let mut s = Stats::default();
        let start = Instant::now();
        let mut i = 0usize;
        while s.runs < min_iters || start.elapsed() < per_target {
            // The seeds themselves first, then mutations.
            let mut data = if i < pool.len() {
                pool[i].clone()
            } else {
                mutate(&mut rng, &pool, &dict)
            };
            i += 1;
            data.truncate(*max_len);
            let (peak, dt) = measure(*oracle, &data);
            s.runs += 1;
            if data.len() < MIN_LEN {
                s.small_peak = s.small_peak.max(peak);
                s.small_time = s.small_time.max(dt);
                continue;
            }
            s.measured += 1;
            s.bytes += data.len() as u64;
            s.time += dt;
            let mem = peak as f64 / data.len() as f64;
            let mut ns = dt.as_nanos() as f64 / data.len() as f64;
            if ns > s.worst_time.0 {
                // A shared machine: a candidate for the worst time is run twice more and its
                // fastest run counts (scheduling noise only adds time).
                for _ in 0..2 {
                    let (_, again) = measure(*oracle, &data);
                    ns = ns.min(again.as_nanos() as f64 / data.len() as f64);
                }
            }
            let mut keep = false;
            if mem > s.worst_mem.0 {
                s.worst_mem = (mem, data.len(), data.clone());
                keep = true;
            }
            if ns > s.worst_time.0 {
                s.worst_time = (ns, data.len(), data.clone());
                keep = true;
            }
            if keep && pool.len() < 512 {
                pool.push(data);
            }
        }
        let dir = root().join(out_dir).join(target);
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(dir.join("worst-memory"), &s.worst_mem.2);
        let _ = std::fs::write(dir.join("worst-time"), &s.worst_time.2);
        out.push((*target, s));
    }
    out
}

fn report(stats: &[(&str, Stats)], seconds: f64) {
    println!(
        "fuzz cost: {:.0} s, inputs of at least {MIN_LEN} bytes for the ratios",
        seconds
    );
    println!("| target | executions | measured (≥ {MIN_LEN} B) | max peak bytes / input byte (at size) | max ns / input byte (at size) | mean ns / byte | inputs < {MIN_LEN} B: max peak, max time |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (t, s) in stats {
        let mean = if s.bytes > 0 {
            s.time.as_nanos() as f64 / s.bytes as f64
        } else {
            0.0
        };
        println!(
            "| {t} | {} | {} | {:.1} ({} B) | {:.0} ({} B) | {:.0} | {} B, {:.2?} |",
            s.runs,
            s.measured,
            s.worst_mem.0,
            s.worst_mem.1,
            s.worst_time.0,
            s.worst_time.1,
            mean,
            s.small_peak,
            s.small_time
        );
    }
}

#[test]
fn fuzz_inputs_cost_linear_memory() {
    let stats = run(0.0, 300, "target/fuzz-cost/short");
    report(&stats, 0.0);
    for (t, s) in &stats {
        assert!(s.measured > 0, "{t}: no input of at least {MIN_LEN} bytes");
        assert!(
            s.worst_mem.0 <= MAX_BYTES_PER_BYTE,
            "{t}: {:.1} peak bytes per input byte on a {}-byte input (saved in target/fuzz-cost/short/{t}/worst-memory)",
            s.worst_mem.0,
            s.worst_mem.1
        );
    }
}

#[test]
#[ignore = "long run: FIBERS_FUZZ_SECONDS (default 600) over the three targets"]
fn fuzz_cost_per_byte_long_run() {
    let seconds: f64 = std::env::var("FIBERS_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600.0);
    let stats = run(seconds, 0, "target/fuzz-cost/long");
    report(&stats, seconds);
    for (t, s) in &stats {
        assert!(
            s.worst_mem.0 <= MAX_BYTES_PER_BYTE,
            "{t}: {:.1} peak bytes per input byte",
            s.worst_mem.0
        );
    }
}
