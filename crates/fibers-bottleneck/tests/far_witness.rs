//! Witnesses constructed from the canonical difference (issue 15): pairs whose functions differ
//! only near coordinates ~10^6 — a layer-2 kink `σ(ŵ·u − 10^6 s)` changed only far away (moved
//! by 1, its jump changed, or its direction tilted) on top of a common part with kinks near the
//! origin. Random probes and random lines through small points do not reach the difference;
//! the constructed witness lies on the differing kink. Every pair must be decided by the fast
//! path, and every witness is checked by exact evaluation of the two networks (and by the
//! checker, as a certificate).

use fibers_bottleneck::canonical::{canonicalize, CanonicalForm};
use fibers_bottleneck::certified::{fast, WITNESS_BUDGET};
use fibers_bottleneck::decide::{decide, FastOutcome};
use fibers_bottleneck::witness::{search, search_lines, separate_along_lines};
use fibers_check::{check, CheckOptions, Verdict};
use fibers_exact::Rational;
use fibers_net::{Architecture, Layer, Network};
use fibers_testkit::moves::Lcg;

const PAIRS: usize = 50;

fn small(rng: &mut Lcg) -> Rational {
    Rational::ratio(
        rng.range(1, 6) * if rng.coin() { 1 } else { -1 },
        rng.range(1, 3),
    )
}

/// A crossing layer-2 row `(w, β)` with small entries (mixed signs).
fn crossing(rng: &mut Lcg, n1: usize) -> (Vec<Rational>, Rational) {
    loop {
        let w: Vec<Rational> = (0..n1).map(|_| small(rng)).collect();
        let b = small(rng);
        let pos = w.iter().chain([&b]).any(Rational::is_positive);
        let neg = w.iter().chain([&b]).any(Rational::is_negative);
        if pos && neg {
            return (w, b);
        }
    }
}

/// A pair `(A, B)` with the same layer 1 and common crossing neurons, and one far neuron
/// `v σ(w·u − 10^6 s)` (`w > 0`) that `B` changes far away only.
fn far_pair(rng: &mut Lcg, variant: usize) -> (Network, Network) {
    let (n0, n1, common, n3) = (3 + rng.below(2), 2 + rng.below(2), 3, 2);
    let w1: Vec<Vec<Rational>> = (0..n1)
        .map(|_| (0..n0).map(|_| small(rng)).collect())
        .collect();
    let b1: Vec<Rational> = (0..n1).map(|_| small(rng)).collect();
    let mut w2 = Vec::new();
    let mut b2 = Vec::new();
    for _ in 0..common {
        let (w, b) = crossing(rng, n1);
        w2.push(w);
        b2.push(b);
    }
    let far_w: Vec<Rational> = (0..n1).map(|_| Rational::from(rng.range(1, 4))).collect();
    let far_b = Rational::from(-1_000_000 * rng.range(1, 3));
    let mut w3: Vec<Vec<Rational>> = (0..n3)
        .map(|_| (0..=common).map(|_| small(rng)).collect())
        .collect();
    let b3: Vec<Rational> = (0..n3).map(|_| small(rng)).collect();
    let net = |w2: &[Vec<Rational>], b2: &[Rational], w3: &[Vec<Rational>]| {
        let arch = Architecture::new(n0, n1, w2.len(), n3);
        Network::new(
            arch,
            [
                Layer {
                    weight: w1.clone(),
                    bias: b1.clone(),
                },
                Layer {
                    weight: w2.to_vec(),
                    bias: b2.to_vec(),
                },
                Layer {
                    weight: w3.to_vec(),
                    bias: b3.clone(),
                },
            ],
        )
        .expect("shapes")
    };
    let (mut w2a, mut b2a) = (w2.clone(), b2.clone());
    w2a.push(far_w.clone());
    b2a.push(far_b.clone());
    let a = net(&w2a, &b2a, &w3);
    let (mut w2b, mut b2b) = (w2, b2);
    match variant % 3 {
        // The far kink moved by 1.
        0 => {
            w2b.push(far_w);
            b2b.push(&far_b - &Rational::one());
        }
        // Its jump changed.
        1 => {
            w2b.push(far_w);
            b2b.push(far_b);
            for row in &mut w3 {
                row[common] = &row[common] * &Rational::from(2);
            }
        }
        // Its direction tilted: the kinks meet on a far hyperplane.
        _ => {
            let mut w = far_w;
            w[0] = &w[0] + &Rational::one();
            w2b.push(w);
            b2b.push(&far_b - &Rational::from(1_000_000));
        }
    }
    let b = net(&w2b, &b2b, &w3);
    (a, b)
}

#[test]
fn far_differences_get_constructed_witnesses() {
    let mut rng = Lcg::new(0xfa4_0001);
    let (mut tried, mut decided, mut old_decided) = (0usize, 0usize, 0usize);
    let mut pairs = 0usize;
    while pairs < PAIRS {
        tried += 1;
        assert!(tried < 20 * PAIRS, "too few generic pairs");
        let (a, b) = far_pair(&mut rng, pairs);
        let (Ok(ca), Ok(cb)) = (canonicalize(&a), canonicalize(&b)) else {
            continue;
        };
        let (
            CanonicalForm::Bottleneck {
                rows: ra, data: da, ..
            },
            CanonicalForm::Bottleneck {
                rows: rb, data: db, ..
            },
        ) = (&ca.form, &cb.form)
        else {
            continue;
        };
        assert_eq!(ra, rb, "same layer 1");
        assert_ne!(da, db, "the far neuron changes the canonical data");
        pairs += 1;
        // The fast path, as run by `equiv` (probes first): decided, witness exact.
        match decide(&a, &b, WITNESS_BUDGET) {
            FastOutcome::NotEquivalent(x, path) => {
                assert_ne!(
                    a.eval(&x),
                    b.eval(&x),
                    "pair {pairs}: witness does not separate"
                );
                assert_eq!(path, "bottleneck", "pair {pairs}: found by {path}");
                decided += 1;
            }
            other => panic!(
                "pair {pairs}: fast path {other:?}\nA = {}\nB = {}",
                fibers_net::json::network_to_string(&a),
                fibers_net::json::network_to_string(&b)
            ),
        }
        let (outcome, _) = fast(&a, &b).expect("decided");
        let cert = match &outcome {
            fibers_tree::Outcome::NotEquivalent { certificate, .. } => certificate,
            _ => panic!("not a witness"),
        };
        assert_eq!(
            check(cert, &a, &b, CheckOptions::default()),
            Ok(Verdict::NotEquivalent)
        );
        // What the random-line construction and the searches alone (before this change) find.
        let rows: Vec<(&[Rational], &Rational)> =
            ra.iter().map(|r| (r.weight.as_slice(), &r.bias)).collect();
        let old = separate_along_lines(&rows, da, db, &a, &b, 0x5eed_0001)
            .or_else(|| search_lines(&a, &b, WITNESS_BUDGET, 0x00f1_be25))
            .or_else(|| search(&a, &b, WITNESS_BUDGET, 0x00f1_be26));
        if old.is_some_and(|x| a.eval(&x) != b.eval(&x)) {
            old_decided += 1;
        }
    }
    println!(
        "far differences: {decided} of {pairs} pairs decided by the constructed witness \
         (random lines and searches alone: {old_decided}); {tried} pairs drawn"
    );
    assert_eq!(decided, PAIRS);
}
