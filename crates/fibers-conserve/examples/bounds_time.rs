//! Times the certified bounds on a random network: `bounds_time N0 N1 N2 N3 [SEED]`, or on a
//! network file: `bounds_time FILE`. With `BOUNDS_WRITE=PATH` the network is also written as JSON;
//! with `BOUNDS_SAMPLED_ONLY=1` the upper bound comes from sampled patterns and brackets only
//! (no rows chosen by structure). `FIBERS_BOUNDS_DEBUG=1` prints the time of each phase.
use fibers_conserve::bounds::{bounds_with_progress, BoundsOptions};
use fibers_net::random::{random_network, Lcg};
use fibers_net::Architecture;
use std::time::Instant;

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let net = if a.len() == 1 {
        fibers_net::json::read_network(std::path::Path::new(&a[0])).expect("network")
    } else {
        let n: Vec<usize> = a.iter().map(|s| s.parse().unwrap()).collect();
        let seed = n.get(4).copied().unwrap_or(1) as u64;
        random_network(
            Architecture::new(n[0], n[1], n[2], n[3]),
            &mut Lcg::new(seed),
        )
    };
    if let Ok(path) = std::env::var("BOUNDS_WRITE") {
        std::fs::write(&path, fibers_net::json::network_to_value(&net).to_string()).expect("write");
    }
    let t = Instant::now();
    let opts = BoundsOptions {
        structured: std::env::var_os("BOUNDS_SAMPLED_ONLY").is_none(),
        ..BoundsOptions::default()
    };
    let b = bounds_with_progress(&net, None, &opts, &mut |m| {
        eprintln!("[{:.2}s] {m}", t.elapsed().as_secs_f64())
    });
    println!(
        "{}: D {} bounds [{}, {}] certified {} patterns {} points {} brackets {:?} in {:.3}s",
        net.arch(),
        b.parameters,
        b.lower,
        b.upper,
        b.certified(),
        b.patterns,
        b.points,
        b.brackets,
        t.elapsed().as_secs_f64()
    );
}
