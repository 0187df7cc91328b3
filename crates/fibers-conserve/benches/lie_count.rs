//! The exact Lie-algebra count of independent conservation laws.
//!
//! `cargo bench -p fibers-conserve --bench lie_count` (add `--features gmp` for the GMP backend).
//! Benchmarks: the Lie rank alone (generators already built) and the whole analysis (linear
//! regions by exact LP, candidate laws and their verification, generators, Lie rank,
//! symmetries) for a random (4, 3, 6, 2) network, and the (2, 2, 4, 2) three-linear fixture,
//! whose count needs symbolic brackets up to level 2.
#![allow(missing_docs)] // criterion's macros generate undocumented functions

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use fibers_conserve::lie::{lie_rank, LieOptions};
use fibers_conserve::model::{gradient_generators, param_point, param_vars};
use fibers_conserve::regions::linear_regions;
use fibers_conserve::{analyse, Options};
use fibers_net::random::{random_network, Lcg};
use fibers_net::{Architecture, Network};

fn fixture(name: &str) -> Network {
    let path = format!(
        "{}/../../fixtures/conserve/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    fibers_net::json::read_network(std::path::Path::new(&path)).expect("fixture")
}

fn bench_one(c: &mut Criterion, label: &str, net: &Network) {
    let backend = fibers_exact::backend_name();
    let arch = net.arch();
    let regions = linear_regions(net, 4096).expect("regions");
    let gens: Vec<_> = gradient_generators(&arch, &regions.patterns)
        .into_iter()
        .map(|g| g.field)
        .collect();
    let vars = param_vars(&arch);
    let point = param_point(net);
    let laws = analyse(net, None, &Options::default())
        .expect("analysis")
        .law_count();
    let bound = vars.len() - laws;
    c.bench_function(&format!("lie_rank_{label}/{backend}"), |b| {
        b.iter(|| {
            black_box(lie_rank(
                black_box(&gens),
                &vars,
                &point,
                bound,
                &LieOptions::default(),
            ))
        })
    });
    c.bench_function(&format!("analyse_{label}/{backend}"), |b| {
        b.iter(|| black_box(analyse(black_box(net), None, &Options::default()).unwrap()))
    });
}

fn bench(c: &mut Criterion) {
    let net = random_network(Architecture::new(4, 3, 6, 2), &mut Lcg::new(1));
    bench_one(c, "4_3_6_2", &net);
    bench_one(
        c,
        "2_2_4_2_three_linear",
        &fixture("s8_2242_three_linear.json"),
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
