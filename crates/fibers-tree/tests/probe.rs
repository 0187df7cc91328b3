//! The shared probe (`fibers_tree::probe`): lazy points in machine integers agree with the
//! exact rational evaluation at every point, on equivalent pairs, near misses, and networks
//! whose numbers overflow the machine integers (the rational fallback).

use fibers_exact::{Integer, Rational};
use fibers_net::{Architecture, Network};
use fibers_testkit::moves::*;
use fibers_tree::{probe, probe_points, ProbeWitness, TreeOptions};

/// The probe as it was: every point in rationals, the first difference.
fn reference(a: &Network, b: &Network, opts: &TreeOptions) -> (Option<ProbeWitness>, u64) {
    for (k, x) in probe_points(a.arch().n0, opts.probes, opts.seed)
        .into_iter()
        .enumerate()
    {
        let (oa, ob) = (a.eval(&x), b.eval(&x));
        if oa != ob {
            let w = ProbeWitness {
                x,
                output_a: oa,
                output_b: ob,
            };
            return (Some(w), k as u64 + 1);
        }
    }
    let n = probe_points(a.arch().n0, opts.probes, opts.seed).len();
    (None, n as u64)
}

/// Parameter `index` of `net` replaced by `v`.
fn set(net: &Network, index: usize, v: Rational) -> Network {
    let mut p = net.params();
    p[index] = v;
    Network::from_params(net.arch(), &p).expect("same length")
}

#[test]
fn probe_agrees_with_rational_evaluation() {
    let mut rng = Lcg::new(13);
    let archs = [
        (1, 2, 2, 1),
        (2, 3, 3, 1),
        (2, 6, 6, 1),
        (3, 4, 5, 2),
        (4, 8, 8, 1),
        (6, 8, 8, 1),
        (3, 0, 2, 1),
        (2, 3, 0, 2),
    ];
    let (mut witnesses, mut integer, mut fallback) = (0, 0, 0);
    for (i, &(n0, n1, n2, n3)) in archs.iter().cycle().take(160).enumerate() {
        let arch = Architecture::new(n0, n1, n2, n3);
        let a = random_network(&mut rng, arch);
        let sym = random_positive_scaling(&random_permute(&a, &mut rng), &mut rng);
        let count = arch.param_count();
        let index = rng.below(count);
        let b = match i % 5 {
            0 => sym,
            1 => perturb(&sym, index, &Rational::ratio(1, 1000)),
            2 => perturb(&a, index, &Rational::ratio(-3, 7)),
            // Past i64 (the conversion refuses): rationals throughout.
            3 => set(
                &sym,
                index,
                Rational::from_integer(Integer::pow2(70) + Integer::one()),
            ),
            // Converts, but products overflow i128 at some point (the fallback mid-probe).
            _ => set(
                &set(&sym, index, Rational::from(i64::MAX - 3)),
                (index + 1) % count,
                Rational::new(Integer::from(-5), Integer::from(i64::MAX)).expect("nonzero"),
            ),
        };
        for (opts_probes, seed) in [(24, 1), (5, 9)] {
            let opts = TreeOptions {
                probes: opts_probes,
                seed,
                ..TreeOptions::default()
            };
            let got = probe(&a, &b, &opts);
            let (want, points) = reference(&a, &b, &opts);
            assert_eq!(got.witness, want, "pair {i} {arch}");
            assert_eq!(got.points, points, "pair {i} {arch}");
            if let Some(w) = &got.witness {
                // The outputs the certificate reuses are Network::eval's exactly.
                assert_eq!(w.output_a, a.eval(&w.x));
                assert_eq!(w.output_b, b.eval(&w.x));
                assert_ne!(w.output_a, w.output_b);
                witnesses += 1;
            }
            integer += got.integer_points;
            fallback += got.points - got.integer_points;
        }
    }
    assert!(witnesses > 100, "{witnesses} witnesses");
    assert!(
        integer > 1000 && fallback > 200,
        "{integer} integer, {fallback} rational"
    );
}

/// `PairEval::differs` (machine integers when the point and the networks fit) is the rational
/// comparison at points of every kind: probe points, fractions with large denominators, and
/// coordinates past 64 bits.
#[test]
fn pair_eval_agrees_with_rational_evaluation() {
    use fibers_tree::probe::{integer_point, PairEval};
    let mut rng = Lcg::new(31);
    let (mut differ, mut same, mut fit) = (0, 0, 0);
    for i in 0..120 {
        let arch = Architecture::new(1 + i % 4, 1 + i % 5, 1 + i % 3, 1 + i % 2);
        let a = random_network(&mut rng, arch);
        let sym = random_positive_scaling(&random_permute(&a, &mut rng), &mut rng);
        let b = if i % 2 == 0 {
            sym
        } else {
            perturb(
                &sym,
                rng.below(arch.param_count()),
                &Rational::ratio(1, 997),
            )
        };
        let pair = PairEval::new(&a, &b);
        for k in 0..12 {
            let x: Vec<Rational> = (0..arch.n0)
                .map(|_| match k % 4 {
                    0 => Rational::ratio(rng.range(-9, 9), rng.range(1, 6)),
                    1 => Rational::ratio(rng.range(-9, 9), rng.range(1, 1 << 40)),
                    2 => {
                        Rational::from_integer(Integer::pow2(65) * Integer::from(rng.range(-3, 3)))
                    }
                    _ => Rational::ratio(rng.range(-(1 << 61), 1 << 61), rng.range(1, 1 << 61)),
                })
                .collect();
            if let Some(p) = integer_point(&x) {
                assert_eq!(p.to_rationals(), x);
                fit += 1;
            }
            let want = a.eval(&x) != b.eval(&x);
            assert_eq!(pair.differs(&x), want, "pair {i} point {x:?}");
            if want {
                differ += 1;
            } else {
                same += 1;
            }
        }
    }
    assert!(differ > 100 && same > 100, "{differ} differ, {same} same");
    assert!(fit > 500 && fit < 1400, "{fit} points in machine integers");
}
