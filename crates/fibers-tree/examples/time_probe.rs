//! In-process timing of the pieces before the search of every complete decision (release):
//! `cargo run --release -p fibers-tree --example time_probe -- A.json B.json [REPS]` prints,
//! in microseconds per call (the fastest of 20 batches of REPS / 20 calls, default 2000): the hash of each network
//! (`fibers_check::network_hash`), the canonical text of B alone, `pair_info`, the integer
//! form of B (`IntNetwork::new`), the shared `probe`, one rational evaluation of both
//! networks at the first probe point (the fallback's cost), and the witness certificate; and,
//! as the baseline of the same run, the hash and the probe as they were before the fast
//! writer and the integer probe (every number through `serde_json`, every point in rationals).

use fibers_net::int_eval::IntNetwork;
use fibers_net::Network;
use std::time::Instant;

/// Microseconds per call: the fastest of 20 batches of `reps / 20` calls (the machine is
/// shared; the minimum is the least disturbed).
fn per<T>(reps: u32, mut f: impl FnMut() -> T) -> f64 {
    let batch = reps.div_ceil(20).max(1);
    (0..20)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..batch {
                std::hint::black_box(f());
            }
            t.elapsed().as_secs_f64() / f64::from(batch) * 1e6
        })
        .fold(f64::INFINITY, f64::min)
}

/// The canonical text as it was written before the fast writer (every number through a
/// `serde_json::Value`), and its hash as it was computed: the baseline of the same run.
fn old_hash(net: &Network) -> String {
    use sha2::{Digest, Sha256};
    let s = fibers_net::json::reference_to_string(net);
    let digest = Sha256::digest(s.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The probe as it was: all points built up front, each evaluated with rationals, the
/// witness's outputs evaluated again for the certificate.
fn old_probe(a: &Network, b: &Network, opts: &fibers_tree::TreeOptions) -> Option<usize> {
    let pts = fibers_tree::probe_points(a.arch().n0, opts.probes, opts.seed);
    let k = pts.iter().position(|x| a.eval(x) != b.eval(x))?;
    std::hint::black_box((a.eval(&pts[k]), b.eval(&pts[k])));
    Some(k)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: time_probe A.json B.json [REPS]");
        std::process::exit(2);
    }
    let load = |p: &str| {
        fibers_net::json::read_network(std::path::Path::new(p)).unwrap_or_else(|e| {
            eprintln!("{e}");
            std::process::exit(2)
        })
    };
    let (a, b): (Network, Network) = (load(&args[1]), load(&args[2]));
    let reps: u32 = args
        .get(3)
        .and_then(|r| r.parse().ok())
        .unwrap_or(2000)
        .max(1);
    let opts = fibers_tree::TreeOptions::default();
    assert_eq!(old_hash(&a), fibers_check::network_hash(&a));
    assert_eq!(old_hash(&b), fibers_check::network_hash(&b));
    let old_hash_a = per(reps, || old_hash(&a));
    let old_hash_b = per(reps, || old_hash(&b));
    let old_probe_t = per(reps.div_ceil(20), || old_probe(&a, &b, &opts));
    let hash_a = per(reps, || fibers_check::network_hash(&a));
    let hash_b = per(reps, || fibers_check::network_hash(&b));
    let text_b = per(reps, || fibers_net::json::network_to_string(&b));
    let info_t = per(reps, || {
        fibers_tree::pair_info(&a, &b).expect("widths agree")
    });
    let int_b = per(reps, || IntNetwork::new(&b));
    let probe = per(reps, || fibers_tree::probe(&a, &b, &opts));
    let report = fibers_tree::probe(&a, &b, &opts);
    let x0 = fibers_tree::probe_points(a.arch().n0, 0, 1).remove(0);
    let eval = per(reps.div_ceil(10), || (a.eval(&x0), b.eval(&x0)));
    let info = fibers_tree::pair_info(&a, &b).expect("widths agree");
    let cert = per(reps, || {
        report
            .witness
            .clone()
            .map(|w| fibers_tree::probe_certificate(&info, w, "x"))
    });
    println!(
        "old: hash_a {old_hash_a:.2} hash_b {old_hash_b:.2} probe {old_probe_t:.2} | new: hash_a {hash_a:.2} hash_b {hash_b:.2} text_b {text_b:.2} pair_info {info_t:.2} \
         int_b {int_b:.2} probe {probe:.2} ({} points, {} in integers, witness {}) \
         rational_eval_pair {eval:.2} certificate {cert:.2} µs",
        report.points,
        report.integer_points,
        report.witness.is_some()
    );
}
