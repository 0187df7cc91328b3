//! The symmetry fast path (`fibers_decide::symmetry`, `--method symmetry`, first in `auto`)
//! against the region-wise decision and the branch tree: it answers on every pair made by
//! hidden permutations and positive scalings (bottleneck and wide architectures, `n3 > 1`,
//! degenerate networks with zero rows, zero columns and duplicate neurons), gives up on every
//! near miss, and whenever it answers the region-wise decision agrees and `fibers_check`
//! accepts its `relabel` certificate. Tampered certificates are rejected. A summary line is
//! printed (`-- --nocapture`).

use fibers_check::{
    certificate_from_value, certificate_to_value, check, Certificate, CheckOptions, Verdict,
};
use fibers_decide::{decide, symmetry, DecideOptions, Method, Outcome, Procedure};
use fibers_exact::Rational;
use fibers_net::{Architecture, Network};
use fibers_testkit::moves::*;
use fibers_testkit::mutations::assert_mutations_rejected_or_true;
use serde_json::Value;

const NO_HASHES: CheckOptions = CheckOptions {
    check_hashes: false,
};

/// The verdict of `method` on the pair, with its certificate checked.
fn verdict(a: &Network, b: &Network, method: Method) -> Verdict {
    let opts = DecideOptions {
        method,
        ..DecideOptions::default()
    };
    let d = decide(a, b, &opts).expect("same widths");
    let cert = d.certificate().expect("decided without a budget");
    let v = match d.outcome {
        Outcome::Equivalent { .. } => Verdict::Equivalent,
        _ => Verdict::NotEquivalent,
    };
    assert_eq!(check(cert, a, b, CheckOptions::default()), Ok(v));
    v
}

/// The symmetry path's certificate, checked, when it answers.
fn symmetric(a: &Network, b: &Network) -> Option<Certificate> {
    let c = symmetry::run(a, b).ok()?;
    assert_eq!(
        check(&c, a, b, CheckOptions::default()),
        Ok(Verdict::Equivalent),
        "symmetry certificate rejected\nA = {}\nB = {}",
        fibers_net::json::network_to_string(a),
        fibers_net::json::network_to_string(b)
    );
    Some(c)
}

fn arch(t: (usize, usize, usize, usize)) -> Architecture {
    Architecture::new(t.0, t.1, t.2, t.3)
}

/// Architectures small enough for the region-wise decision as referee in a debug build.
const REFEREED: [(usize, usize, usize, usize); 14] = [
    (2, 2, 2, 1),
    (3, 2, 3, 2),
    (4, 2, 4, 1),
    (1, 2, 2, 1),
    (1, 3, 3, 1),
    (2, 3, 3, 1),
    (2, 4, 3, 2),
    (2, 3, 4, 1),
    (1, 4, 5, 3),
    (3, 4, 3, 2),
    (2, 5, 4, 1),
    (2, 6, 6, 1),
    (3, 5, 4, 3),
    (4, 8, 8, 1),
];

/// Larger architectures: the symmetry path and the checker only.
const LARGE: [(usize, usize, usize, usize); 4] =
    [(6, 8, 8, 1), (2, 32, 32, 1), (3, 32, 32, 2), (10, 8, 20, 2)];

/// Makes `net` degenerate in one random way (zero rows or columns, duplicate neurons); the
/// result is a network like any other (its function may differ from `net`'s).
fn degenerate(net: &Network, rng: &mut Lcg) -> Network {
    let a = net.arch();
    let mut n = net.clone();
    let zero = Rational::zero();
    let (i, k) = (rng.below(a.n1), rng.below(a.n2));
    match rng.below(8) {
        // A layer-1 neuron with zero incoming weights and bias (always 0).
        0 => {
            n.layer_mut(1).weight[i] = vec![zero.clone(); a.n0];
            n.layer_mut(1).bias[i] = zero;
        }
        // A layer-1 neuron with zero incoming weights (constant).
        1 => n.layer_mut(1).weight[i] = vec![zero; a.n0],
        // A layer-1 neuron with a zero outgoing column.
        2 => {
            for row in &mut n.layer_mut(2).weight {
                row[i] = zero.clone();
            }
        }
        // A layer-2 neuron with zero incoming row (and bias, or not).
        3 => {
            n.layer_mut(2).weight[k] = vec![zero.clone(); a.n1];
            if rng.coin() {
                n.layer_mut(2).bias[k] = zero;
            }
        }
        // A layer-2 neuron with a zero outgoing column.
        4 => {
            for row in &mut n.layer_mut(3).weight {
                row[k] = zero.clone();
            }
        }
        // A layer-1 neuron duplicating another up to a positive factor, outgoing column
        // kept, copied or zero.
        5 if a.n1 > 1 => {
            let j = (i + 1) % a.n1;
            let s = rng.positive();
            n.layer_mut(1).weight[j] = n.w1()[i].iter().map(|x| x * &s).collect();
            n.layer_mut(1).bias[j] = &n.b1()[i] * &s;
            let how = rng.below(3);
            for row in &mut n.layer_mut(2).weight {
                match how {
                    0 => {}
                    1 => row[j] = &row[i] / &s,
                    _ => row[j] = Rational::zero(),
                }
            }
        }
        // A layer-2 neuron duplicating another up to a positive factor (outgoing kept or
        // copied).
        6 if a.n2 > 1 => {
            let l = (k + 1) % a.n2;
            let s = rng.positive();
            n.layer_mut(2).weight[l] = n.w2()[k].iter().map(|x| x * &s).collect();
            n.layer_mut(2).bias[l] = &n.b2()[k] * &s;
            if rng.coin() {
                for row in &mut n.layer_mut(3).weight {
                    row[l] = &row[k] / &s;
                }
            }
        }
        // Every layer-1 neuron the same (all duplicates), distinct outgoing columns.
        7 => {
            for j in 0..a.n1 {
                n.layer_mut(1).weight[j] = n.w1()[0].clone();
                n.layer_mut(1).bias[j] = n.b1()[0].clone();
            }
        }
        _ => {}
    }
    n
}

/// A random base network: generic, or made degenerate once or twice.
fn base(rng: &mut Lcg, a: Architecture, round: usize) -> Network {
    let mut n = random_network(rng, a);
    for _ in 0..round % 3 {
        n = degenerate(&n, rng);
    }
    n
}

fn moved(n: &Network, rng: &mut Lcg) -> Network {
    random_positive_scaling(&random_permute(n, rng), rng)
}

#[test]
fn symmetry_answers_on_every_permutation_and_scaling_and_agrees_with_regions() {
    let mut rng = Lcg::new(1301);
    let (mut pairs, mut refereed) = (0, 0);
    for round in 0..6 {
        for t in REFEREED.iter().chain(LARGE.iter()) {
            let n = base(&mut rng, arch(*t), round);
            let m = moved(&n, &mut rng);
            let what = format!("{t:?} round {round}");
            assert!(
                symmetric(&n, &m).is_some(),
                "{what}: symmetry gave up: {:?}\nA = {}\nB = {}",
                symmetry::run(&n, &m).err(),
                fibers_net::json::network_to_string(&n),
                fibers_net::json::network_to_string(&m)
            );
            pairs += 1;
            if REFEREED.contains(t) && t.1 <= 6 {
                assert_eq!(verdict(&n, &m, Method::Regions), Verdict::Equivalent);
                refereed += 1;
            }
            // Auto decides by the symmetry path, and says so.
            let d = decide(&n, &m, &DecideOptions::default()).unwrap();
            assert_eq!(d.procedure, Some(Procedure::Symmetry), "{what}");
            assert_eq!(d.method, "symmetry");
            assert!(d.fallback.is_none());
        }
    }
    eprintln!("symmetry answered on {pairs} of {pairs} permuted and scaled pairs ({refereed} refereed by the regions)");
}

#[test]
fn symmetry_gives_up_on_near_misses() {
    let mut rng = Lcg::new(1302);
    let (mut misses, mut gave_up, mut refuted) = (0, 0, 0);
    for round in 0..6 {
        for t in REFEREED.iter().chain(LARGE.iter()) {
            let a = arch(*t);
            let n = base(&mut rng, a, round);
            let m = moved(&n, &mut rng);
            let idx = rng.below(a.param_count());
            let delta = Rational::ratio(rng.range(1, 5), 7);
            let bad = perturb(&m, idx, &delta);
            misses += 1;
            match symmetric(&n, &bad) {
                None => gave_up += 1,
                // Only when the perturbation kept the network in the orbit (the certificate
                // was checked); the regions must agree.
                Some(_) => assert_eq!(verdict(&n, &bad, Method::Regions), Verdict::Equivalent),
            }
            // A near miss the regions find inequivalent: the symmetry path gave up.
            if REFEREED.contains(t)
                && t.1 <= 6
                && verdict(&n, &bad, Method::Regions) == Verdict::NotEquivalent
            {
                refuted += 1;
                assert!(
                    symmetry::run(&n, &bad).is_err(),
                    "{t:?}: answered on a near miss"
                );
            }
            // Auto never reports the symmetry path's reason when a later procedure decides.
            if REFEREED.contains(t) && t.1 <= 5 {
                let d = decide(&n, &bad, &DecideOptions::default()).unwrap();
                if d.procedure != Some(Procedure::Symmetry) {
                    assert!(!d.fallback.unwrap_or_default().contains("symmetry"));
                }
            }
        }
    }
    // The others are equivalent (a perturbed weight of a removable neuron), with a checked
    // certificate and the regions agreeing.
    eprintln!(
        "symmetry gave up on {gave_up} of {misses} near misses ({refuted} refuted by the \
         regions, all given up)"
    );
    assert!(gave_up * 10 >= misses * 9, "{gave_up} of {misses}");
}

/// Differential agreement on the seeded pair families (symmetry moves, perturbations,
/// independent networks) and on chains of random moves: whenever the symmetry path answers,
/// the branch tree and the regions say `equivalent` too.
#[test]
fn symmetry_agrees_with_tree_and_regions_on_the_pair_families() {
    let (mut total, mut answered) = (0, 0);
    for seed in 0..240 {
        let (a, b, _how) = fibers_testkit::pairs::pair(seed);
        if a.arch().n1 != b.arch().n1 || a.arch().n2 != b.arch().n2 {
            assert!(symmetry::run(&a, &b).is_err());
            continue;
        }
        total += 1;
        if symmetric(&a, &b).is_some() {
            answered += 1;
            assert_eq!(
                verdict(&a, &b, Method::Tree),
                Verdict::Equivalent,
                "seed {seed}"
            );
            assert_eq!(verdict(&a, &b, Method::Regions), Verdict::Equivalent);
        }
    }
    let mut rng = Lcg::new(1303);
    for t in REFEREED.iter().take(11) {
        let n = random_network(&mut rng, arch(*t));
        let mut m = n.clone();
        for _ in 0..3 {
            m = random_symmetry(&m, &mut rng, false).0;
            total += 1;
            if symmetric(&n, &m).is_some() {
                answered += 1;
                assert_eq!(verdict(&n, &m, Method::Regions), Verdict::Equivalent);
            }
        }
    }
    eprintln!("symmetry answered on {answered} of {total} family pairs, all agreeing");
    assert!(answered > 20, "only {answered}");
}

fn relabel_of(v: &mut Value) -> &mut Value {
    v.pointer_mut("/proof/steps/0/layer1")
        .expect("a layer-1 relabelling")
}

#[test]
fn tampered_relabel_certificates_are_rejected() {
    let mut rng = Lcg::new(1304);
    let mut cases = Vec::new();
    for t in [(2, 6, 6, 1), (3, 4, 5, 2), (2, 2, 3, 1)] {
        let a = random_network(&mut rng, arch(t));
        let b = moved(&a, &mut rng);
        let cert = symmetric(&a, &b).expect("answers");
        let v = certificate_to_value(&cert);
        // Swap two entries of the layer-1 order: rejected.
        let mut w = v.clone();
        let order = relabel_of(&mut w)["order"].as_array_mut().expect("order");
        order.swap(0, 1);
        let c = certificate_from_value(&w, "tampered").expect("still well formed");
        assert!(check(&c, &a, &b, NO_HASHES).is_err());
        // Double one scale factor: rejected.
        let mut w = v.clone();
        let s = &mut relabel_of(&mut w)["scale"][0];
        let x: Rational = match &*s {
            Value::String(t) => t.parse().expect("number"),
            other => other.to_string().parse().expect("number"),
        };
        *s = Value::String((&x * &Rational::from(2)).to_string());
        let c = certificate_from_value(&w, "tampered").expect("still well formed");
        assert!(check(&c, &a, &b, NO_HASHES).is_err());
        // A negative factor is refused.
        let mut w = v.clone();
        relabel_of(&mut w)["scale"][0] = Value::String((-x).to_string());
        if let Ok(c) = certificate_from_value(&w, "tampered") {
            assert!(check(&c, &a, &b, NO_HASHES).is_err());
        }
        // The certificate for a near miss of B: rejected.
        let bad = perturb(&b, 0, &Rational::ratio(1, 3));
        assert!(check(&cert, &a, &bad, NO_HASHES).is_err());
        cases.push((a, b, Verdict::Equivalent));
    }
    // Random mutations: refused, rejected, or still proving the true verdict.
    assert_mutations_rejected_or_true(
        &cases,
        |a, b| symmetry::run(a, b).expect("answers"),
        &mut rng,
        60,
    );
}

#[test]
fn symmetry_method_alone_is_undecided_off_the_orbit() {
    let mut rng = Lcg::new(1305);
    let a = random_network(&mut rng, arch((2, 4, 3, 1)));
    let b = perturb(&a, 3, &Rational::one());
    let opts = DecideOptions {
        method: Method::Symmetry,
        ..DecideOptions::default()
    };
    let d = decide(&a, &b, &opts).unwrap();
    assert!(matches!(d.outcome, Outcome::Undecided));
    assert_eq!(d.method, "symmetry");
    assert!(d.fallback.unwrap().starts_with("symmetry:"));
    // Auto on the same pair: a later procedure decides, without the symmetry reason.
    let d = decide(&a, &b, &DecideOptions::default()).unwrap();
    assert_eq!(d.verdict(), "not-equivalent");
}

/// Entries beyond machine words (and products that overflow them) take the exact rational
/// path: the same answers.
#[test]
fn large_numbers_take_the_rational_path() {
    let mut rng = Lcg::new(1306);
    for (t, big) in [
        ((2, 4, 3, 1), "123456789012345678901234567/7"),
        ((3, 5, 4, 2), "3074457345618258602"),
        ((2, 3, 3, 1), "1/3074457345618258602"),
    ] {
        let mut n = random_network(&mut rng, arch(t));
        let v: Rational = big.parse().expect("a number");
        n.layer_mut(2).weight[1][2] = v.clone();
        n.layer_mut(1).weight[0][1] = v;
        let m = moved(&n, &mut rng);
        assert!(symmetric(&n, &m).is_some(), "{t:?}");
        let bad = perturb(&m, 1, &Rational::ratio(1, 5));
        assert!(symmetry::run(&n, &bad).is_err());
    }
    // Removed and split neurons next to a huge positive scaling: no relabelling, but the
    // Symmetry procedure's normal-form step.
    let huge: Rational = "98765432109876543210987/3".parse().expect("a number");
    for kind in 0..5 {
        let (n, m) = reducible_pair(&mut rng, arch((2, 4, 3, 2)), kind);
        let n = scale_layer1(&n, 0, &huge);
        assert!(symmetry_procedure(&n, &m).is_some(), "kind {kind}");
    }
}

/// A pair `(A, B)` with the same function where B differs from a relabelling of A by
/// removable neurons (changed freely) or by a neuron split into positive multiples (a
/// different hidden width); `kind` picks which.
fn reducible_pair(rng: &mut Lcg, a: Architecture, kind: usize) -> (Network, Network) {
    let mut n = random_network(rng, a);
    let (i, k) = (rng.below(a.n1), rng.below(a.n2));
    let mut m;
    match kind % 5 {
        // A layer-2 neuron with a zero W3 column: its row and bias are free.
        0 => {
            for row in n.layer_mut(3).weight.iter_mut() {
                row[k] = Rational::zero();
            }
            m = n.clone();
            m.layer_mut(2).weight[k] = (0..a.n1).map(|_| rng.nonzero()).collect();
            m.layer_mut(2).bias[k] = rng.nonzero();
        }
        // A dead layer-2 neuron (row and bias ≤ 0): another dead row, any W3 column.
        1 => {
            for x in n.layer_mut(2).weight[k].iter_mut() {
                *x = -x.abs();
            }
            n.layer_mut(2).bias[k] = -rng.positive();
            m = n.clone();
            m.layer_mut(2).weight[k] = (0..a.n1).map(|_| -rng.positive()).collect();
            for row in m.layer_mut(3).weight.iter_mut() {
                row[k] = rng.nonzero();
            }
        }
        // A layer-1 neuron feeding nothing: its incoming weights are free.
        2 => {
            for row in n.layer_mut(2).weight.iter_mut() {
                row[i] = Rational::zero();
            }
            m = n.clone();
            m.layer_mut(1).weight[i] = (0..a.n0).map(|_| rng.nonzero()).collect();
            m.layer_mut(1).bias[i] = rng.nonzero();
        }
        // Layer-1 neuron i split into itself and a positive multiple sharing its column.
        3 => {
            let lam = rng.positive();
            let arch = Architecture::new(a.n0, a.n1 + 1, a.n2, a.n3);
            let mut s = Network::zeros(arch);
            for j in 0..a.n1 {
                s.layer_mut(1).weight[j] = n.w1()[j].clone();
                s.layer_mut(1).bias[j] = n.b1()[j].clone();
            }
            s.layer_mut(1).weight[a.n1] = n.w1()[i].iter().map(|x| x * &lam).collect();
            s.layer_mut(1).bias[a.n1] = &n.b1()[i] * &lam;
            let third = Rational::ratio(1, 3);
            for kk in 0..a.n2 {
                for j in 0..a.n1 {
                    s.layer_mut(2).weight[kk][j] = n.w2()[kk][j].clone();
                }
                s.layer_mut(2).weight[kk][i] = &n.w2()[kk][i] * &third;
                s.layer_mut(2).weight[kk][a.n1] = &(&n.w2()[kk][i] * &Rational::ratio(2, 3)) / &lam;
                s.layer_mut(2).bias[kk] = n.b2()[kk].clone();
            }
            s.layer_mut(3).weight = n.w3().to_vec();
            s.layer_mut(3).bias = n.b3().to_vec();
            m = s;
        }
        // Layer-2 neuron k split into itself and a positive multiple sharing its W3 column.
        _ => {
            let mu = rng.positive();
            let arch = Architecture::new(a.n0, a.n1, a.n2 + 1, a.n3);
            let mut s = Network::zeros(arch);
            s.layer_mut(1).weight = n.w1().to_vec();
            s.layer_mut(1).bias = n.b1().to_vec();
            for kk in 0..a.n2 {
                s.layer_mut(2).weight[kk] = n.w2()[kk].clone();
                s.layer_mut(2).bias[kk] = n.b2()[kk].clone();
            }
            s.layer_mut(2).weight[a.n2] = n.w2()[k].iter().map(|x| x * &mu).collect();
            s.layer_mut(2).bias[a.n2] = &n.b2()[k] * &mu;
            for q in 0..a.n3 {
                for kk in 0..a.n2 {
                    s.layer_mut(3).weight[q][kk] = n.w3()[q][kk].clone();
                }
                let v = &n.w3()[q][k] * &Rational::ratio(1, 4);
                s.layer_mut(3).weight[q][k] = v.clone();
                s.layer_mut(3).weight[q][a.n2] = &(&v * &Rational::from(3)) / &mu;
            }
            s.layer_mut(3).bias = n.b3().to_vec();
            m = s;
        }
    }
    let m = moved(&m, rng);
    (n, m)
}

/// The Symmetry procedure's certificate (relabelling, then the `normal-form` step), checked,
/// when it decides.
fn symmetry_procedure(a: &Network, b: &Network) -> Option<Certificate> {
    let opts = DecideOptions {
        method: Method::Symmetry,
        ..DecideOptions::default()
    };
    let d = decide(a, b, &opts).expect("decide");
    assert!(!matches!(d.outcome, Outcome::NotEquivalent { .. }));
    let c = d.certificate()?.clone();
    assert_eq!(
        check(&c, a, b, CheckOptions::default()),
        Ok(Verdict::Equivalent),
        "symmetry certificate rejected"
    );
    Some(c)
}

/// Removable neurons changed freely and neurons split into positive multiples: no
/// relabelling, but the Symmetry procedure decides with one `normal-form` step the checker
/// accepts, the regions agree, and near misses of these pairs give up.
#[test]
fn symmetry_procedure_answers_after_removing_and_merging_neurons() {
    let mut rng = Lcg::new(1307);
    let (mut pairs, mut answered) = (0, 0);
    let (mut gave_up, mut refuted) = (0, 0);
    for t in REFEREED.iter().take(13) {
        for kind in 0..5 {
            let (n, m) = reducible_pair(&mut rng, arch(*t), kind);
            pairs += 1;
            let what = format!("{t:?} kind {kind}");
            let c = symmetry_procedure(&n, &m).unwrap_or_else(|| {
                panic!(
                    "{what}: gave up\nA = {}\nB = {}",
                    fibers_net::json::network_to_string(&n),
                    fibers_net::json::network_to_string(&m)
                )
            });
            let steps = &c.proof.as_ref().expect("a proof").steps;
            let kinds: Vec<&str> = steps.iter().map(|s| s.body.kind()).collect();
            assert_eq!(kinds, ["normal-form"], "{what}");
            answered += 1;
            assert_eq!(
                verdict(&n, &m, Method::Regions),
                Verdict::Equivalent,
                "{what}"
            );
            // A near miss: one output weight of B changed.
            let d = m.arch().param_count();
            let bad = perturb(&m, d - 1 - m.arch().n3, &Rational::ratio(1, 7));
            let rv = verdict(&n, &bad, Method::Regions);
            match symmetry_procedure(&n, &bad) {
                Some(_) => assert_eq!(rv, Verdict::Equivalent, "{what}: near miss"),
                None => gave_up += (rv == Verdict::NotEquivalent) as usize,
            }
            refuted += (rv == Verdict::NotEquivalent) as usize;
        }
    }
    eprintln!(
        "the symmetry procedure answered {answered} of {pairs} reducible pairs (one normal-form \
         step each); gave up on {gave_up} of {refuted} near misses the regions refute"
    );
    assert_eq!(gave_up, refuted);
    assert_eq!(answered, pairs);
}
