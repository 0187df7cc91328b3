//! The fast path against one exact evaluation and against the branch tree, on generic
//! bottleneck pairs made by random symmetry moves (B ~ A) and one perturbed layer-2 weight
//! (C ≁ A). `cargo bench -p fibers-bottleneck --bench fast`.

use criterion::{criterion_main, Criterion};
use fibers_exact::Rational;
use fibers_net::{Architecture, Network};
use fibers_testkit::moves::{self, Lcg};
use fibers_tree::{Outcome, TreeOptions};

fn pair(arch: Architecture, seed: u64) -> (Network, Network, Network) {
    let mut rng = Lcg::new(seed);
    let a = moves::random_network(&mut rng, arch);
    let mut b = moves::random_positive_scaling(&moves::random_permute(&a, &mut rng), &mut rng);
    for _ in 0..4 {
        b = moves::random_symmetry(&b, &mut rng, false).0;
    }
    let k = arch.n1 * (arch.n0 + 1) + arch.n1 / 2;
    let c = moves::perturb(&b, k, &Rational::ratio(1, 3));
    (a, b, c)
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("bottleneck");
    g.sample_size(10);
    for (n0, n1, n2, n3) in [
        (4, 2, 8, 1),
        (16, 8, 64, 3),
        (64, 32, 256, 10),
        (128, 64, 512, 20),
    ] {
        let arch = Architecture::new(n0, n1, n2, n3);
        let (a, b, cc) = pair(arch, 1);
        let x: Vec<Rational> = (0..n0)
            .map(|i| Rational::ratio((i % 7) as i64 - 3, 1 + (i % 4) as i64))
            .collect();
        let name = format!("{n0}-{n1}-{n2}-{n3}");
        g.bench_function(format!("eval/{name}"), |bn| bn.iter(|| a.eval(&x)));
        g.bench_function(format!("fast-equivalent/{name}"), |bn| {
            bn.iter(|| fibers_bottleneck::certified::fast(&a, &b).expect("decides"))
        });
        let (d, _) = fibers_bottleneck::certified::fast(&a, &b).expect("decides");
        let Outcome::Equivalent { certificate } = d else {
            panic!("equivalent by construction")
        };
        let opts = fibers_check::CheckOptions { check_hashes: true };
        g.bench_function(format!("check-equivalent/{name}"), |bn| {
            bn.iter(|| fibers_check::check(&certificate, &a, &b, opts).expect("valid"))
        });
        g.bench_function(format!("fast-not-equivalent/{name}"), |bn| {
            bn.iter(|| fibers_bottleneck::certified::fast(&a, &cc).expect("decides"))
        });
        g.bench_function(format!("deterministic-witness/{name}"), |bn| {
            bn.iter(|| {
                let r = fibers_bottleneck::decide::decide_with(&a, &cc, 48, false);
                assert!(matches!(
                    r,
                    fibers_bottleneck::FastOutcome::NotEquivalent(..)
                ));
            })
        });
        if n0 <= 4 {
            let t = TreeOptions {
                ..TreeOptions::default()
            };
            g.bench_function(format!("tree-equivalent/{name}"), |bn| {
                bn.iter(|| fibers_tree::run(&a, &b, &t, &mut |_| {}).expect("decides"))
            });
        }
    }
    g.finish();
}

/// The benchmark group (the macro's function carries no documentation of its own).
#[allow(missing_docs)]
mod harness {
    criterion::criterion_group!(benches, super::bench);
}
criterion_main!(harness::benches);
