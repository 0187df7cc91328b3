//! Near-equivalence on float32 copies, checker acceptance and rejection, and soundness of the
//! certified bound against exact evaluation at sampled points.

use fibers_check::within::{
    check_near, difference_at, near_from_value, near_to_value, InputBox, NearClaim,
};
use fibers_exact::Rational;
use fibers_near::testing::{random_f64_network, round_f32, scaled_permuted_f32};
use fibers_near::{near, NearOptions, NearVerdict};
use fibers_net::random::{random_network, Lcg};
use fibers_net::{Architecture, Network};

fn unit_box(n: usize, lo: i64, hi: i64) -> InputBox {
    InputBox {
        lo: vec![Rational::from(lo); n],
        hi: vec![Rational::from(hi); n],
    }
}

fn opts(tol: Rational, bx: InputBox) -> NearOptions {
    let mut o = NearOptions::new(tol, bx);
    o.samples = 400;
    o.max_nodes = Some(200);
    // A finer grid only in low input dimension (keeps the test fast).
    o.max_cells = if o.input_box.lo.len() <= 2 { 64 } else { 1 };
    o
}

/// Adds `d` to every output bias.
fn shift_outputs(n: &Network, d: &Rational) -> Network {
    let mut m = n.clone();
    for b in m.layer_mut(3).bias.iter_mut() {
        *b += d;
    }
    m
}

/// The float32 case: permutation recovered, bounds within 10× of the sampled difference,
/// certificate accepted, and rejected once B is perturbed by 10·ε.
fn float32_case(a: &Network, b: &Network, back: Option<&[Vec<usize>; 2]>, bx: InputBox) {
    // First pass with a loose tolerance gives the bound; then ε = the bound.
    let r0 = near(a, b, &opts(Rational::one(), bx.clone())).unwrap();
    assert!(r0.matched, "rows must match");
    if let Some(back) = back {
        assert_eq!(r0.alignment.layer1.permutation, back[0]);
        assert_eq!(r0.alignment.layer2.permutation, back[1]);
    }
    // Dense sampling: the best of many points, exactly evaluated.
    let dense = fibers_near::search::search(a, b, &bx, 4000, 8, 7).difference;
    assert!(!dense.is_zero());
    let ratio = r0.upper.to_f64_lossy() / dense.to_f64_lossy();
    eprintln!(
        "arch {} ‖B*−A‖max {:.3e} rel {:.3e} upper {:.3e} sampled {:.3e} ratio {ratio:.2}",
        a.arch(),
        r0.param_max.to_f64_lossy(),
        r0.param_rel,
        r0.upper.to_f64_lossy(),
        dense.to_f64_lossy()
    );
    assert!(
        r0.upper >= dense,
        "unsound: bound below a sampled difference"
    );
    // Within 10× for low input dimension (the grid tightens the intervals); interval
    // propagation loses about √width per hidden layer in higher dimension (docs/near.md).
    let limit = if a.arch().n0 <= 2 { 10.0 } else { 40.0 };
    assert!(ratio <= limit, "bound {ratio}× the sampled difference");
    let eps = r0.upper.clone();
    let r = near(a, b, &opts(eps.clone(), bx.clone())).unwrap();
    assert_eq!(r.verdict, NearVerdict::Within);
    let cert = r.certificate.clone().unwrap();
    // JSON round trip, then the checker.
    let back_cert = near_from_value(&near_to_value(&cert), "test").unwrap();
    assert_eq!(back_cert, cert);
    assert_eq!(check_near(&cert, a, b, true), Ok(true));
    // B perturbed by 10·ε: the checker rejects the certificate (hashes off: the kernel itself).
    let bad = shift_outputs(b, &(&eps * &Rational::from(10)));
    assert!(check_near(&cert, a, &bad, false).is_err());
    // And the engine finds a witness there.
    let rb = near(a, &bad, &opts(eps.clone(), bx.clone())).unwrap();
    assert_eq!(rb.verdict, NearVerdict::NotWithin);
    let wc = rb.certificate.unwrap();
    assert!(matches!(wc.claim, NearClaim::NotWithin { .. }));
    assert_eq!(check_near(&wc, a, &bad, true), Ok(false));
}

#[test]
fn scaled_permuted_float32_copies() {
    for (arch, seed) in [
        (Architecture::new(2, 16, 8, 2), 1u64),
        (Architecture::new(8, 24, 12, 3), 2),
        (Architecture::new(16, 32, 16, 10), 3),
    ] {
        let a = round_f32(&random_f64_network(arch, seed));
        let (b, back) = scaled_permuted_f32(&a, seed);
        float32_case(&a, &b, Some(&back), unit_box(arch.n0, 0, 1));
    }
}

#[test]
fn float64_to_float32_round_trip() {
    for (arch, seed) in [
        (Architecture::new(2, 16, 8, 2), 11u64),
        (Architecture::new(16, 32, 16, 10), 12),
    ] {
        let a = random_f64_network(arch, seed);
        let b = round_f32(&a);
        let id: [Vec<usize>; 2] = [(0..arch.n1).collect(), (0..arch.n2).collect()];
        float32_case(&a, &b, Some(&id), unit_box(arch.n0, -1, 1));
    }
}

#[test]
fn exact_symmetric_image_is_equivalent() {
    let a = random_network(Architecture::new(2, 4, 3, 1), &mut Lcg::new(5));
    // An exact image: layer-1 neuron 0 scaled by 3, neurons 1 and 2 swapped.
    let al = fibers_check::within::Alignment {
        layer1: fibers_check::within::LayerAlignment {
            permutation: vec![0, 2, 1, 3],
            scales: vec![
                Rational::from(3),
                Rational::one(),
                Rational::one(),
                Rational::one(),
            ],
        },
        layer2: fibers_check::within::LayerAlignment::identity(3),
        shifts: Vec::new(),
    };
    let b = fibers_check::within::apply_alignment(&a, &al).unwrap();
    let r = near(&a, &b, &opts(Rational::ratio(1, 1000), unit_box(2, -1, 1))).unwrap();
    assert_eq!(r.verdict, NearVerdict::Equivalent);
    assert!(r.param_max.is_zero());
    assert!(r.upper.is_zero());
}

/// Soundness: for random pairs (small rational networks and perturbed or unrelated partners),
/// the certified bound is never below the difference at sampled points of the box, evaluated
/// exactly.
#[test]
fn bound_is_sound_on_random_pairs() {
    let mut rng = Lcg::new(99);
    for seed in 0..24u64 {
        let arch = Architecture::new(1 + (seed as usize % 3), 3, 3, 1 + (seed as usize % 2));
        let a = random_network(arch, &mut rng);
        let b = if seed % 3 == 0 {
            random_network(arch, &mut rng)
        } else {
            let p: Vec<Rational> = a
                .params()
                .iter()
                .map(|x| x + &Rational::ratio(rng.range(-3, 3), 64))
                .collect();
            Network::from_params(arch, &p).unwrap()
        };
        let bx = InputBox {
            lo: (0..arch.n0)
                .map(|_| Rational::from(rng.range(-3, 0)))
                .collect(),
            hi: (0..arch.n0)
                .map(|_| Rational::from(rng.range(1, 3)))
                .collect(),
        };
        // A large tolerance, so that the box is split (up to 16 cells).
        let mut o = opts(Rational::from(1000), bx.clone());
        o.exact = false;
        o.max_cells = 16;
        let r = near(&a, &b, &o).unwrap();
        let mut prng = Lcg::new(seed);
        for _ in 0..300 {
            let x: Vec<Rational> = (0..arch.n0)
                .map(|k| {
                    let t = Rational::ratio(prng.range(0, 1024), 1024);
                    &bx.lo[k] + &(&t * &(&bx.hi[k] - &bx.lo[k]))
                })
                .collect();
            let d = difference_at(&a, &b, &x);
            assert!(
                r.upper >= d,
                "seed {seed}: bound below f at a sampled point"
            );
        }
        assert!(r.upper >= r.witness.difference);
    }
}

/// Soundness in the regime the bound is made for: float networks and copies perturbed by about
/// 1e-6 (relative), up to (6, 12, 8, 3); the bound is never below the best of 10^5 points of the
/// box ranked in floating point (the best 16 evaluated exactly) nor below 200 uniform points
/// evaluated exactly. The producer's and the checker's independent implementations agree to
/// 1e-3 (relative) on every pair, and the claimed bound is at least the checker's.
#[test]
fn bound_is_sound_on_near_pairs_with_1e5_samples() {
    let mut rng = Lcg::new(7);
    for seed in 0..8u64 {
        let s = seed as usize;
        let arch = Architecture::new(1 + s % 6, 4 + 2 * (s % 5), 3 + s % 6, 1 + s % 3);
        let a = random_f64_network(arch, 100 + seed);
        let p: Vec<Rational> = a
            .params()
            .iter()
            .map(|x| x * &(Rational::one() + Rational::ratio(rng.range(-1000, 1000), 1 << 30)))
            .collect();
        let b = Network::from_params(arch, &p).unwrap();
        let bx = unit_box(arch.n0, -1, 1);
        let mut o = opts(Rational::one(), bx.clone());
        o.exact = false;
        o.max_cells = 8;
        let r = near(&a, &b, &o).unwrap();
        assert_eq!(r.verdict, NearVerdict::Within);
        let best = fibers_near::search::search(&a, &b, &bx, 100_000, 16, seed).difference;
        assert!(
            r.upper >= best,
            "seed {seed}: bound below a sampled difference"
        );
        let mut prng = Lcg::new(seed);
        for _ in 0..200 {
            let x: Vec<Rational> = (0..arch.n0)
                .map(|_| Rational::ratio(prng.range(-1024, 1024), 1024))
                .collect();
            assert!(r.upper >= difference_at(&a, &b, &x), "seed {seed}");
        }
        // Producer against checker on the whole box (B* = B: identity alignment).
        let prod = fibers_near::bound::Bounder::new(&a, &b).bound(&bx);
        let check = fibers_check::within::split_bound(&a, &b, &bx, &[-1], 64).unwrap();
        let (pf, cf) = (prod.to_f64_lossy(), check.to_f64_lossy());
        assert!(
            (pf - cf).abs() <= 1e-3 * pf.max(cf),
            "seed {seed}: {pf} vs {cf}"
        );
        eprintln!(
            "seed {seed} {arch}: bound {:.3e} sampled {:.3e} ratio {:.2}; producer {pf:.9e} checker {cf:.9e}",
            r.upper.to_f64_lossy(),
            best.to_f64_lossy(),
            r.upper.to_f64_lossy() / best.to_f64_lossy()
        );
    }
}

/// Hidden shifts: a network where Theorem 5.7 applies to layer-1 neuron 0 (its layer-2
/// consumers have every other incoming weight and their bias ≤ 0), B = A shifted on that neuron
/// by t = 3/8, then rescaled, permuted and rounded to float32. The engine recovers the
/// permutations and the shift, `‖B* − A‖` is at float32 rounding level (without the shift it
/// would be about t), and the checker accepts the certificate.
#[test]
fn hidden_shift_is_recovered() {
    let arch = Architecture::new(3, 6, 4, 2);
    let a0 = random_f64_network(arch, 5);
    let mut l1 = a0.layers()[0].clone();
    let mut l2 = a0.layers()[1].clone();
    let l3 = a0.layers()[2].clone();
    for k in 0..arch.n2 {
        for i in 1..arch.n1 {
            l2.weight[k][i] = -l2.weight[k][i].abs();
        }
        l2.weight[k][0] = l2.weight[k][0].abs();
        l2.bias[k] = -l2.bias[k].abs();
    }
    l1.bias[0] = Rational::ratio(1, 4);
    let a = round_f32(&Network::new(arch, [l1.clone(), l2.clone(), l3.clone()]).unwrap());
    // B0 = A with neuron 0 shifted by t (Theorem 5.7: same function).
    let t = Rational::ratio(3, 8);
    let (mut s1, mut s2) = (a.layers()[0].clone(), a.layers()[1].clone());
    s1.bias[0] += &t;
    for k in 0..arch.n2 {
        let d = &s2.weight[k][0] * &t;
        s2.bias[k] -= &d;
    }
    let b0 = Network::new(arch, [s1, s2, a.layers()[2].clone()]).unwrap();
    let (b, back) = scaled_permuted_f32(&b0, 11);
    let bx = unit_box(3, -1, 1);
    let mut o = opts(Rational::ratio(1, 1000), bx.clone());
    o.exact = false;
    let r = near(&a, &b, &o).unwrap();
    assert!(r.matched);
    assert_eq!(r.alignment.layer1.permutation, back[0]);
    assert_eq!(r.alignment.layer2.permutation, back[1]);
    let shift0 = r
        .alignment
        .shifts
        .iter()
        .find(|(h, _)| *h == 0)
        .expect("neuron 0 shifted");
    let found = -shift0.1.to_f64_lossy();
    eprintln!(
        "shift found {found:.9} (applied 0.375); ‖B*−A‖max {:.3e}; shifts {}; bound {:.3e}",
        r.param_max.to_f64_lossy(),
        r.alignment.shifts.len(),
        r.upper.to_f64_lossy()
    );
    assert!((found - 0.375).abs() < 1e-5, "shift {found}");
    assert!(
        r.param_max < Rational::ratio(1, 10_000),
        "‖B* − A‖ too large"
    );
    assert_eq!(r.verdict, NearVerdict::Within);
    let cert = r.certificate.clone().unwrap();
    let back_cert = near_from_value(&near_to_value(&cert), "test").unwrap();
    assert_eq!(back_cert, cert);
    assert_eq!(check_near(&cert, &a, &b, true), Ok(true));
    // A shift on a neuron where Theorem 5.7 does not apply is rejected by the checker.
    if let NearClaim::Within { alignment, .. } = &cert.claim {
        let mut bad = cert.clone();
        let mut al = alignment.clone();
        al.shifts.push((1, Rational::ratio(-1, 2)));
        if let NearClaim::Within { alignment, .. } = &mut bad.claim {
            *alignment = al;
        }
        let err = check_near(&bad, &a, &b, true).unwrap_err();
        assert!(err.0.contains("shifts"), "{}", err.0);
    }
}

/// A weight beyond the `f64` range (10^400): the producer's floating-point-free fallback (the
/// checker's integer implementation) gives the bound; no panic, and the certificate checks.
#[test]
fn weights_beyond_f64_use_the_exact_fallback() {
    let arch = Architecture::new(2, 3, 2, 1);
    let mut rng = Lcg::new(3);
    let a0 = random_network(arch, &mut rng);
    let mut a = a0.clone();
    let big: Rational = "1e400".parse().unwrap();
    a.layer_mut(3).weight[0][0] = big;
    let mut b = a.clone();
    b.layer_mut(1).bias[0] += &Rational::ratio(1, 1 << 20);
    let bs = fibers_near::bound::Bounder::new(&a, &b);
    assert!(!bs.is_fast());
    let bx = unit_box(2, 0, 1);
    let mut o = opts(Rational::from(10).pow(402).unwrap(), bx.clone());
    o.exact = false;
    let r = near(&a, &b, &o).unwrap();
    assert!(r.upper >= r.witness.difference);
    if r.verdict == NearVerdict::Within {
        assert_eq!(
            check_near(r.certificate.as_ref().unwrap(), &a, &b, true),
            Ok(true)
        );
    }
}
