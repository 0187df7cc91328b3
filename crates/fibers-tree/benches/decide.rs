//! Decision time of the branch tree against architecture size, on equivalent pairs (the
//! expensive case: the whole tree must be built) made by permuting and rescaling a random
//! network with crossing layer-2 neurons, plus one non-equivalent pair per size.
//!
//! `cargo bench -p fibers-tree --bench decide`; medians are reported in `BENCH.md`.

// criterion's macros generate undocumented public items.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use fibers_net::{Architecture, Network};
use fibers_testkit::moves::*;
use fibers_tree::{run, TreeOptions};
use std::time::Duration;

/// The architectures measured, from tiny to the largest that stays within a few seconds.
pub const SIZES: [(usize, usize, usize, usize); 11] = [
    (2, 2, 2, 1),
    (2, 4, 4, 1),
    (3, 3, 3, 1),
    (2, 6, 6, 1),
    (4, 4, 4, 1),
    (3, 5, 5, 2),
    (2, 8, 8, 1),
    (3, 6, 6, 1),
    (2, 12, 12, 1),
    (4, 6, 6, 1),
    (3, 8, 8, 2),
];

fn pair(t: (usize, usize, usize, usize)) -> (Network, Network) {
    let mut rng = Lcg::new(77);
    let arch = Architecture::new(t.0, t.1, t.2, t.3);
    let a = random_network_with_roles(&mut rng, arch, &vec![Role::Crossing; t.2]);
    let b = random_positive_scaling(&random_permute(&a, &mut rng), &mut rng);
    (a, b)
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("equivalent");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    for t in SIZES {
        let (a, b) = pair(t);
        let name = format!("{:?}", t);
        g.bench_with_input(
            BenchmarkId::from_parameter(&name),
            &(a, b),
            |bch, (a, b)| {
                bch.iter(|| run(a, b, &TreeOptions::default(), &mut |_| {}).expect("runs"))
            },
        );
    }
    g.finish();
    let mut g = c.benchmark_group("near-miss");
    g.sample_size(10);
    for t in SIZES {
        let (a, b) = pair(t);
        let bad = flip_uncompensated(&b, 0);
        let name = format!("{:?}", t);
        g.bench_with_input(
            BenchmarkId::from_parameter(&name),
            &(a, bad),
            |bch, (a, b)| {
                bch.iter(|| run(a, b, &TreeOptions::default(), &mut |_| {}).expect("runs"))
            },
        );
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
