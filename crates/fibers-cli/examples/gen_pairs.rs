//! Writes `N` seeded small pairs of networks as JSON Lines (`{"a": NET, "b": NET}`), the input
//! of `fibers batch equiv`: `cargo run --release -p fibers-cli --example gen_pairs -- 10000`.

use fibers_testkit::pairs;

use std::io::Write;

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("N: a count"))
        .unwrap_or(10_000);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for seed in 0..n {
        let (a, b, _) = pairs::pair(seed);
        if writeln!(out, "{}", pairs::pair_line(&a, &b)).is_err() {
            return;
        }
    }
}
