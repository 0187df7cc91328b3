//! In-process timing of the region-wise decision (docs/theory.md §11), without process start,
//! parsing or printing: `cargo run --release -p fibers-regions --example time_regions -- A B [R]`
//! runs `fibers_regions::run` on the pair `R` times (default 5) and prints one line: the
//! verdict, the median wall time of the decision (after one untimed warm-up run), and of the
//! checker on its certificate, and
//! the search counters.
//! Used by `scripts/bench_regions.sh`.

use fibers_check::{check, CheckOptions};
use fibers_regions::{run, Outcome, TreeOptions};
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: time_regions A.json B.json [REPEATS]");
        std::process::exit(2);
    }
    let load = |p: &str| {
        fibers_net::json::read_network(std::path::Path::new(p)).unwrap_or_else(|e| {
            eprintln!("{p}: {e}");
            std::process::exit(2)
        })
    };
    let (a, b) = (load(&args[1]), load(&args[2]));
    let reps: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(5).max(1);
    let (mut decide, mut checking) = (Vec::new(), Vec::new());
    let mut verdict = "";
    let mut stats = None;
    // One more run than timed: the first (cold caches, first allocations) is a warm-up.
    for _ in 0..=reps {
        let t = Instant::now();
        let r = run(&a, &b, &TreeOptions::default(), &mut |_| {}).expect("runs");
        decide.push(t.elapsed());
        stats = Some(r.stats.clone());
        let cert = match r.outcome {
            Outcome::Equivalent { certificate } => {
                verdict = "equivalent";
                certificate
            }
            Outcome::NotEquivalent { certificate, .. } => {
                verdict = "not-equivalent";
                certificate
            }
            Outcome::Undecided => panic!("undecided without a budget"),
        };
        let t = Instant::now();
        check(&cert, &a, &b, CheckOptions::default()).expect("the certificate checks");
        checking.push(t.elapsed());
    }
    decide.remove(0);
    checking.remove(0);
    println!(
        "{verdict} decide {:.6} s check {:.6} s {:?}",
        median(decide),
        median(checking),
        stats.expect("one run")
    );
}
