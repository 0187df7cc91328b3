//! In-process timing of the one decision (`fibers_decide::decide`), without process start,
//! parsing or printing:
//!
//! ```text
//! cargo run --release -p fibers-decide --example time_decide -- A.json B.json [REPS] [--method M]
//! ```
//!
//! runs the decision with method `M` (`auto` by default; `symmetry`, `fast`, `regions`,
//! `tree`) `REPS` times (default 5) and prints one line (a stable format, read by
//! `scripts/bench_regions.sh`):
//!
//! ```text
//! VERDICT by PROCEDURE decide SECONDS s check SECONDS s hash SECONDS s
//! ```
//!
//! `VERDICT` is `equivalent`, `not-equivalent` or `undecided`; `PROCEDURE` the procedure that
//! decided (`probe`, `symmetry`, `fast`, `regions`, `tree`, or `none`); then, after one untimed
//! warm-up run, the median wall time of the
//! decision (including making the certificate), the median time of `fibers_check::check` on its
//! certificate (0 when undecided), and the median time of hashing both networks
//! (`fibers_check::network_info` twice, a part of the decision time, which every certificate
//! pays). Seconds are printed with 6 decimals.
//!
//! Exit status 2 on bad arguments or unreadable networks.

use fibers_check::{check, network_info, CheckOptions};
use fibers_decide::{decide, DecideOptions, Method};
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64()
}

fn usage() -> ! {
    eprintln!("usage: time_decide A.json B.json [REPS] [--method auto|symmetry|fast|regions|tree]");
    std::process::exit(2);
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut method = Method::Auto;
    if let Some(i) = args.iter().position(|a| a == "--method") {
        let name = args.get(i + 1).cloned().unwrap_or_else(|| usage());
        method = Method::ALL
            .into_iter()
            .find(|m| m.name() == name)
            .unwrap_or_else(|| usage());
        args.drain(i..i + 2);
    }
    if args.len() < 2 {
        usage();
    }
    let load = |p: &str| {
        fibers_net::json::read_network(std::path::Path::new(p)).unwrap_or_else(|e| {
            eprintln!("{p}: {e}");
            std::process::exit(2)
        })
    };
    let (a, b) = (load(&args[0]), load(&args[1]));
    let reps: usize = match args.get(2) {
        Some(r) => r.parse().unwrap_or_else(|_| usage()),
        None => 5,
    };
    let reps = reps.max(1);
    let opts = DecideOptions {
        method,
        ..DecideOptions::default()
    };
    let (mut decide_t, mut check_t, mut hash_t) = (Vec::new(), Vec::new(), Vec::new());
    let (mut verdict, mut by) = ("", "none");
    // One more run than timed: the first (cold caches, first allocations) is a warm-up.
    for _ in 0..=reps {
        let t = Instant::now();
        let d = decide(&a, &b, &opts).unwrap_or_else(|e| {
            eprintln!("{e}");
            std::process::exit(2)
        });
        decide_t.push(t.elapsed());
        verdict = d.verdict();
        by = d.procedure.map_or("none", |p| p.name());
        let t = Instant::now();
        if let Some(cert) = d.certificate() {
            check(cert, &a, &b, CheckOptions::default()).expect("the certificate checks");
        }
        check_t.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box((network_info(&a), network_info(&b)));
        hash_t.push(t.elapsed());
    }
    decide_t.remove(0);
    check_t.remove(0);
    hash_t.remove(0);
    println!(
        "{verdict} by {by} decide {:.6} s check {:.6} s hash {:.6} s",
        median(decide_t),
        median(check_t),
        median(hash_t)
    );
}
