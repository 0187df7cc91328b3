//! Exact evaluation of a (64, 32, 256, 10) network. Run once per arithmetic backend:
//! `cargo bench -p fibers-net --bench eval` and `cargo bench -p fibers-net --bench eval --features gmp`.

use criterion::{black_box, criterion_main, Criterion};
use fibers_net::json::{network_from_str, network_to_string};
use fibers_net::random::{random_network, random_point, Lcg};
use fibers_net::Architecture;

fn bench(c: &mut Criterion) {
    let backend = fibers_exact::backend_name();
    let mut rng = Lcg::new(42);
    let net = random_network(Architecture::new(64, 32, 256, 10), &mut rng);
    let x = random_point(64, &mut rng);
    c.bench_function(&format!("eval_64_32_256_10/{backend}"), |b| {
        b.iter(|| black_box(net.eval(black_box(&x))))
    });
    let text = network_to_string(&net);
    c.bench_function(&format!("parse_64_32_256_10/{backend}"), |b| {
        b.iter(|| black_box(network_from_str(black_box(&text), "bench").unwrap()))
    });
}

/// The benchmark group (in a module: criterion's macro generates an undocumented function).
mod group {
    use super::{bench, Criterion};

    criterion::criterion_group! {
        name = benches;
        config = Criterion::default().sample_size(30);
        targets = bench
    }
}
criterion_main!(group::benches);
