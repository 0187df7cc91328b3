//! Baseline of `python/bench/overhead.py`: the work behind `fibers.equiv` (certified decision,
//! checker, certificate text), `fibers.canon` and `fibers.fiber` (the summary and its JSON) on
//! fixture pairs, through the Rust library.
//!
//!   cargo run --release -p fibers-py --example overhead -- REPEATS A B [A B ...]
//!
//! Prints per pair: `equiv PATH_A SECONDS_PER_CALL`, `canon PATH_A SECONDS` and
//! `fiber PATH_A SECONDS`.

use fibers::{decide, DecideOptions, Outcome};
use fibers_check::{certificate_to_string, check, CheckOptions};
use std::time::Instant;

/// Timed loops per call, the best kept (short loops, many of them: on a loaded machine some
/// run without being preempted).
const LOOPS: usize = 15;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let repeats: usize = args[0].parse().expect("REPEATS");
    for pair in args[1..].chunks(2) {
        let a = fibers_net::json::read_network(pair[0].as_ref()).expect("network A");
        let b = fibers_net::json::read_network(pair[1].as_ref()).expect("network B");
        let opts = DecideOptions::default();
        let mut best = f64::INFINITY;
        for _ in 0..LOOPS {
            let t = Instant::now();
            for _ in 0..repeats {
                let r = decide(&a, &b, &opts).expect("decided");
                let cert = match &r.outcome {
                    Outcome::Equivalent { certificate } => certificate,
                    Outcome::NotEquivalent { certificate, .. } => certificate,
                    Outcome::Undecided => panic!("undecided"),
                };
                std::hint::black_box(r.to_json(&a, &b));
                check(cert, &a, &b, CheckOptions::default()).expect("checked");
                std::hint::black_box(certificate_to_string(cert));
            }
            best = best.min(t.elapsed().as_secs_f64() / repeats as f64);
        }
        println!("equiv {} {best:.9}", pair[0]);
        let mut best = f64::INFINITY;
        for _ in 0..LOOPS {
            let t = Instant::now();
            for _ in 0..repeats {
                let c = fibers_bottleneck::canonicalize(&a);
                std::hint::black_box(
                    c.map(|c| (c.form.hash(), c.form.text(), c.form.to_json()))
                        .ok(),
                );
            }
            best = best.min(t.elapsed().as_secs_f64() / repeats as f64);
        }
        println!("canon {} {best:.9}", pair[0]);
        let mut best = f64::INFINITY;
        for _ in 0..LOOPS {
            let t = Instant::now();
            for _ in 0..repeats {
                let s = fibers_fiber::summarize(
                    &a,
                    &fibers_fiber::BoundsOptions {
                        max_points: 64,
                        seed: 1,
                    },
                    &mut |_| {},
                );
                std::hint::black_box(s.to_json());
            }
            best = best.min(t.elapsed().as_secs_f64() / repeats as f64);
        }
        println!("fiber {} {best:.9}", pair[0]);
    }
}
