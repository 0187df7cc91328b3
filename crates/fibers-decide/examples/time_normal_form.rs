//! Times the symmetry normal form (docs/theory.md §11, Proposition 11.8) in-process: the
//! producer, the network hashing of the certificate's header, and the checker.
//!
//! ```sh
//! cargo run --release -p fibers-decide --example time_normal_form -- A.json B.json [A B ...]
//! ```
//!
//! Prints one line per pair: the verdict of the normal form (`equivalent` or `gave-up`), then
//! median microseconds of the producer (`normal_form`, and its exact-rational path alone), of hashing both networks
//! (`network_info`), and of the checker with the hash comparison off and on. With the
//! environment variable `PRODUCER_ONLY` set it runs only the producer, for a profiler.

use fibers_check::{check, CheckOptions};
use fibers_decide::normal_form::{certificate, normal_form, rational_normal_form};
use fibers_net::json::read_network;
use std::time::Instant;

/// Median microseconds of `f` over repeated runs (about 0.2 s in all, at least 5 runs).
fn micros(mut f: impl FnMut()) -> f64 {
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < 5 || (start.elapsed().as_secs_f64() < 0.2 && times.len() < 100_000) {
        let t = Instant::now();
        f();
        times.push(t.elapsed().as_secs_f64() * 1e6);
    }
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() || !args.len().is_multiple_of(2) {
        eprintln!("usage: time_normal_form A.json B.json [A.json B.json ...]");
        std::process::exit(2);
    }
    println!("| pair | verdict | producer (µs) | producer, rational path (µs) | hashing A and B (µs) | check, no hashes (µs) | check with hashes (µs) |");
    println!("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
    for pair in args.chunks(2) {
        let read = |p: &str| {
            read_network(std::path::Path::new(p)).unwrap_or_else(|e| {
                eprintln!("{e}");
                std::process::exit(2)
            })
        };
        let (a, b) = (read(&pair[0]), read(&pair[1]));
        let name = |p: &str| {
            std::path::Path::new(p)
                .file_stem()
                .map_or(p.to_string(), |s| s.to_string_lossy().into_owned())
        };
        let label = format!("{} / {}", name(&pair[0]), name(&pair[1]));
        let producer = micros(|| {
            std::hint::black_box(normal_form(&a, &b));
        });
        if std::env::var_os("PRODUCER_ONLY").is_some() {
            // For profiling: the producer alone, for about 2 s.
            let t = Instant::now();
            while t.elapsed().as_secs_f64() < 2.0 {
                std::hint::black_box(normal_form(&a, &b));
            }
            continue;
        }
        let rational = micros(|| {
            std::hint::black_box(rational_normal_form(&a, &b));
        });
        let hashing = micros(|| {
            std::hint::black_box((
                fibers_check::network_info(&a),
                fibers_check::network_info(&b),
            ));
        });
        match certificate(&a, &b) {
            None => println!(
                "| {label} | gave-up | {producer:.1} | {rational:.1} | {hashing:.1} | - | - |"
            ),
            Some(c) => {
                let no_hash = CheckOptions {
                    check_hashes: false,
                };
                let v = check(&c, &a, &b, CheckOptions::default()).expect("the certificate checks");
                let chk = micros(|| {
                    std::hint::black_box(check(&c, &a, &b, no_hash).ok());
                });
                let chk_h = micros(|| {
                    std::hint::black_box(check(&c, &a, &b, CheckOptions::default()).ok());
                });
                println!(
                    "| {label} | {} | {producer:.1} | {rational:.1} | {hashing:.1} | {chk:.1} | {chk_h:.1} |",
                    v.as_str()
                );
            }
        }
    }
}
