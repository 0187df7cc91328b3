//! Times the symmetry normal form (docs/theory.md §11, Proposition 11.8) in-process, next to
//! the region-wise decision on the same pairs in the same run.
//!
//! ```sh
//! cargo run --release -p fibers-decide --example time_normal_form -- A.json B.json [A B ...]
//! ```
//!
//! Prints one markdown row per pair: the normal form's answer (`equivalent` or `gave-up`), then
//! median microseconds of the producer (`normal_form`: machine integers, rationals on
//! overflow), of its exact-rational path alone, of hashing both networks (`network_info`, the
//! certificate's header), of the checker (hash comparison off), and of `fibers_regions::run`
//! (the decision the normal form runs before), with the ratio regions / producer. With the
//! environment variable `PRODUCER_ONLY` set it runs only the producer, for a profiler; with
//! `NO_REGIONS` set it leaves out the region-wise decision.

use fibers_check::{check, network_info, CheckOptions};
use fibers_decide::normal_form::{certificate, normal_form, rational_normal_form};
use fibers_net::json::read_network;
use fibers_regions::TreeOptions;
use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

/// Median microseconds of `f` over repeated runs (about 0.2 s in all, at least `min` runs).
fn micros(min: usize, mut f: impl FnMut()) -> f64 {
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < min || (start.elapsed().as_secs_f64() < 0.2 && times.len() < 100_000) {
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
    let regions = std::env::var_os("NO_REGIONS").is_none();
    println!(
        "| pair | normal form | producer (µs) | rational path (µs) | hashing A, B (µs) | \
         check (µs) | regions decide (µs) | regions / producer |"
    );
    println!("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for pair in args.chunks(2) {
        let read = |p: &str| {
            read_network(Path::new(p)).unwrap_or_else(|e| {
                eprintln!("{e}");
                std::process::exit(2)
            })
        };
        let (a, b) = (read(&pair[0]), read(&pair[1]));
        if std::env::var_os("PRODUCER_ONLY").is_some() {
            let t = Instant::now();
            while t.elapsed().as_secs_f64() < 2.0 {
                black_box(normal_form(&a, &b));
            }
            continue;
        }
        let stem = |p: &str| {
            Path::new(p)
                .file_stem()
                .map_or(p.to_string(), |s| s.to_string_lossy().into_owned())
        };
        let label = format!("{} / {}", stem(&pair[0]), stem(&pair[1]));
        let producer = micros(5, || {
            black_box(normal_form(&a, &b));
        });
        let rational = micros(5, || {
            black_box(rational_normal_form(&a, &b));
        });
        let hashing = micros(5, || {
            black_box((network_info(&a), network_info(&b)));
        });
        let (answer, checking) = match certificate(&a, &b) {
            None => ("gave-up", "-".to_string()),
            Some(c) => {
                let no_hash = CheckOptions {
                    check_hashes: false,
                };
                check(&c, &a, &b, CheckOptions::default()).expect("the certificate checks");
                let t = micros(5, || {
                    black_box(check(&c, &a, &b, no_hash).ok());
                });
                ("equivalent", format!("{t:.1}"))
            }
        };
        let (reg, ratio) = if regions {
            let t = micros(3, || {
                black_box(fibers_regions::run(&a, &b, &TreeOptions::default(), &mut |_| {}).ok());
            });
            (format!("{t:.0}"), format!("{:.0}×", t / producer))
        } else {
            ("-".into(), "-".into())
        };
        println!(
            "| {label} | {answer} | {producer:.1} | {rational:.1} | {hashing:.1} | {checking} | \
             {reg} | {ratio} |"
        );
    }
}
