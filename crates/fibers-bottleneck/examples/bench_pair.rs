//! Writes a benchmark pair of generic bottleneck networks: `a.json`, `b.json` (equivalent to A
//! by random symmetry moves), `c.json` (B with one layer-2 weight perturbed) and `d.json` (B
//! with one layer-1 weight perturbed), and `x.txt` (an input for `fibers eval`).
//!
//! `cargo run --release -p fibers-bottleneck --example bench_pair -- N0 N1 N2 N3 OUTDIR [SEED]`

use fibers_exact::Rational;
use fibers_net::json::network_to_string;
use fibers_net::Architecture;
use fibers_testkit::moves::{self, Lcg};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 5 {
        eprintln!("usage: bench_pair N0 N1 N2 N3 OUTDIR [SEED]");
        std::process::exit(2);
    }
    let w: Vec<usize> = args[..4]
        .iter()
        .map(|s| s.parse().expect("width"))
        .collect();
    let dir = std::path::PathBuf::from(&args[4]);
    let seed = args.get(5).and_then(|s| s.parse().ok()).unwrap_or(1);
    let (a, b, c, d) =
        fibers_bottleneck_bench_pair(Architecture::new(w[0], w[1], w[2], w[3]), seed);
    std::fs::create_dir_all(&dir).expect("output directory");
    for (name, n) in [("a", &a), ("b", &b), ("c", &c), ("d", &d)] {
        std::fs::write(dir.join(format!("{name}.json")), network_to_string(n)).expect("write");
    }
    let x: Vec<String> = (0..w[0])
        .map(|i| format!("{}/{}", (i % 7) as i64 - 3, 1 + i % 4))
        .collect();
    std::fs::write(dir.join("x.txt"), x.join(",")).expect("write");
}

/// The pair (see the module documentation).
fn fibers_bottleneck_bench_pair(
    arch: Architecture,
    seed: u64,
) -> (
    fibers_net::Network,
    fibers_net::Network,
    fibers_net::Network,
    fibers_net::Network,
) {
    let mut rng = Lcg::new(seed);
    let a = moves::random_network(&mut rng, arch);
    let mut b = moves::random_positive_scaling(&moves::random_permute(&a, &mut rng), &mut rng);
    for _ in 0..4 {
        b = moves::random_symmetry(&b, &mut rng, false).0;
    }
    let k = arch.n1 * (arch.n0 + 1) + arch.n1 / 2;
    let c = moves::perturb(&b, k, &Rational::ratio(1, 3));
    let d = moves::perturb(&b, 1, &Rational::ratio(1, 3));
    (a, b, c, d)
}
