//! Times the phases of the fast path on a pair written by `bench_pair`, in units of one exact
//! evaluation of network A (best of 5 runs each).
//!
//! `cargo run --release -p fibers-bottleneck --example profile -- DIR`

use fibers_bottleneck::orthant::OrthantData;
use std::time::{Duration, Instant};

fn best<T>(f: impl Fn() -> T) -> Duration {
    (0..5)
        .map(|_| {
            let t = Instant::now();
            let _ = f();
            t.elapsed()
        })
        .min()
        .expect("five runs")
}

fn main() {
    let d = std::env::args().nth(1).expect("usage: profile DIR");
    let rd = |n: &str| {
        fibers_net::json::read_network(std::path::Path::new(&format!("{d}/{n}.json")))
            .expect("network")
    };
    let (a, b, c, dd) = (rd("a"), rd("b"), rd("c"), rd("d"));
    let x: Vec<fibers_exact::Rational> = std::fs::read_to_string(format!("{d}/x.txt"))
        .expect("x.txt")
        .split(',')
        .map(|s| s.parse().expect("number"))
        .collect();
    let ev = best(|| a.eval(&x));
    let r = |t: Duration| t.as_secs_f64() / ev.as_secs_f64();
    println!("one evaluation of A: {ev:?}");
    println!("parse A: {:.1} evaluations", r(best(|| rd("a"))));
    let od = best(|| OrthantData::of_network(&a));
    println!("canonical data of G_A: {:.1}", r(od));
    println!(
        "canonical form of A: {:.1}",
        r(best(|| fibers_bottleneck::canonicalize(&a)))
    );
    let t = best(|| fibers_bottleneck::certified::fast(&a, &b));
    println!("fast verdict A ~ B (with certificate): {:.1}", r(t));
    let (dec, _) = fibers_bottleneck::certified::fast(&a, &b).expect("decides");
    let cert = match dec {
        fibers_tree::Outcome::Equivalent { certificate } => certificate,
        _ => panic!("A and B are equivalent"),
    };
    let opts = fibers_check::CheckOptions { check_hashes: true };
    println!(
        "check of that certificate: {:.1}",
        r(best(|| fibers_check::check(&cert, &a, &b, opts)))
    );
    println!(
        "fast verdict A vs C (layer-2 weight perturbed): {:.1}",
        r(best(|| fibers_bottleneck::certified::fast(&a, &c)))
    );
    println!(
        "fast verdict A vs D (layer-1 weight perturbed): {:.1}",
        r(best(|| fibers_bottleneck::certified::fast(&a, &dd)))
    );
}
