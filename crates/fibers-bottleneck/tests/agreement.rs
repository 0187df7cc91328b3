//! Agreement of the fast path with the exact branch tree on random pairs from every stratum,
//! every certificate accepted by the independent checker.
//!
//! The default run decides `FIBERS_AGREEMENT_PAIRS` pairs (5,040 unless set), which takes a
//! few tens of seconds in release mode (`cargo test --release -p fibers-bottleneck --test
//! agreement`) and far longer in debug mode, where the count drops to 140 unless set.
//! A table of verdicts and fallbacks per stratum is printed (`-- --nocapture`).

use fibers_bottleneck::certified::fast;
use fibers_bottleneck::decide::{decide_with, FastOutcome};
use fibers_check::{check, CheckOptions, Verdict};
use fibers_exact::Rational;
use fibers_net::{Architecture, Network};
use fibers_tree::moves::{self, Lcg, Role};
use fibers_tree::{DecideOptions, Decision, Method};
use std::collections::BTreeMap;

const STRATA: [&str; 14] = [
    "symmetry",
    "near-miss",
    "hidden-at-tmin",
    "hidden-above-tmin",
    "hidden-below-tmin",
    "flip-compensated",
    "flip-uncompensated",
    "split-dead-slot",
    "linear-block",
    "relay-1d",
    "one-dim-near-miss",
    "constant",
    "wide",
    "non-generic",
];

fn bottleneck_arch(rng: &mut Lcg) -> Architecture {
    let choices = [
        Architecture::new(2, 2, 3, 1),
        Architecture::new(3, 2, 3, 1),
        Architecture::new(2, 2, 3, 2),
        Architecture::new(3, 3, 2, 1),
        Architecture::new(2, 2, 4, 1),
    ];
    choices[rng.below(choices.len())]
}

fn random_roles(rng: &mut Lcg, n2: usize) -> Vec<Role> {
    (0..n2)
        .map(|_| match rng.below(8) {
            0 => Role::Linear,
            1 => Role::Dead,
            2 => Role::Null,
            _ => Role::Crossing,
        })
        .collect()
}

fn base(rng: &mut Lcg, arch: Architecture) -> Network {
    let roles = random_roles(rng, arch.n2);
    moves::random_network_with_roles(rng, arch, &roles)
}

fn symmetries(net: &Network, rng: &mut Lcg, count: usize) -> Network {
    let mut n = net.clone();
    for _ in 0..count {
        n = moves::random_symmetry(&n, rng, n.arch().n2 < 6).0;
    }
    n
}

/// A pair of the given stratum.
fn pair(stratum: &str, rng: &mut Lcg) -> (Network, Network) {
    match stratum {
        "symmetry" => {
            let arch = bottleneck_arch(rng);
            let a = base(rng, arch);
            let k = 1 + rng.below(3);
            let b = symmetries(&a, rng, k);
            (a, b)
        }
        "near-miss" => {
            let arch = bottleneck_arch(rng);
            let a = base(rng, arch);
            let b = symmetries(&a, rng, 1);
            let idx = rng.below(b.arch().param_count());
            let d = Rational::ratio(rng.range(1, 3), rng.range(2, 9))
                * Rational::from(if rng.coin() { 1 } else { -1 });
            (a, moves::perturb(&b, idx, &d))
        }
        "hidden-at-tmin" | "hidden-above-tmin" | "hidden-below-tmin" => {
            let arch = bottleneck_arch(rng);
            let h = rng.below(arch.n1);
            let a = moves::make_hidden(&moves::random_network(rng, arch), h);
            let t0 = moves::t_min(&a, h).unwrap_or_else(Rational::zero);
            let t = match stratum {
                "hidden-at-tmin" => t0,
                "hidden-above-tmin" => t0 + Rational::ratio(rng.range(1, 6), 2),
                _ => t0 - Rational::ratio(rng.range(1, 4), rng.range(1, 8)),
            };
            let b = moves::hidden_shift(&a, h, &t);
            let b = if rng.coin() {
                symmetries(&b, rng, 1)
            } else {
                b
            };
            (a, b)
        }
        "flip-compensated" | "flip-uncompensated" => {
            let arch = bottleneck_arch(rng);
            let a = base(rng, arch);
            let k = rng.below(arch.n2);
            let b = if stratum == "flip-compensated" {
                moves::flip_compensated(&a, k)
            } else {
                moves::flip_uncompensated(&a, k)
            };
            (a, b)
        }
        "split-dead-slot" => {
            let arch = bottleneck_arch(rng);
            let mut roles = random_roles(rng, arch.n2);
            roles[0] = Role::Crossing;
            let slot = 1 + rng.below(arch.n2 - 1);
            roles[slot] = if rng.coin() { Role::Dead } else { Role::Null };
            let a = moves::random_network_with_roles(rng, arch, &roles);
            let t: Vec<Rational> = (0..arch.n3).map(|_| rng.nonzero()).collect();
            let b = moves::split_into_slot(&a, 0, slot, &rng.positive(), &t);
            (a, b)
        }
        "linear-block" => {
            let arch = bottleneck_arch(rng);
            let mut roles = random_roles(rng, arch.n2);
            roles[0] = Role::Linear;
            roles[1] = Role::Linear;
            let a = moves::random_network_with_roles(rng, arch, &roles);
            let b = moves::linear_block_change(&a, rng).unwrap_or_else(|| a.clone());
            (a, b)
        }
        "relay-1d" | "one-dim-near-miss" => {
            let arch = Architecture::new(1 + rng.below(2), 1, 2 + rng.below(3), 1 + rng.below(2));
            let mut roles = random_roles(rng, arch.n2);
            roles[0] = Role::Linear;
            let a = moves::random_network_with_roles(rng, arch, &roles);
            let b = moves::relay(&a, &Rational::ratio(rng.range(0, 6), 2))
                .unwrap_or_else(|| symmetries(&a, rng, 2));
            if stratum == "relay-1d" {
                (a, b)
            } else {
                let idx = rng.below(b.arch().param_count());
                (
                    a,
                    moves::perturb(&b, idx, &Rational::ratio(1, rng.range(2, 9))),
                )
            }
        }
        "constant" => {
            let arch = bottleneck_arch(rng);
            let dead = vec![Role::Dead; arch.n2];
            let a = moves::random_network_with_roles(rng, arch, &dead);
            let mut b = moves::random_network_with_roles(rng, arch, &dead);
            b.layer_mut(3).bias = if rng.below(3) == 0 {
                a.b3().iter().map(|x| x + &Rational::ratio(1, 3)).collect()
            } else {
                a.b3().to_vec()
            };
            (a, b)
        }
        "wide" => {
            let arch = Architecture::new(1, 2, 2, 1);
            let a = base(rng, arch);
            let b = if rng.coin() {
                symmetries(&a, rng, 1)
            } else {
                let idx = rng.below(arch.param_count());
                moves::perturb(&a, idx, &Rational::ratio(1, 5))
            };
            (a, b)
        }
        "non-generic" => {
            // Layer 1 of rank < n1 (a repeated row), or a layer-1 neuron G ignores.
            let arch = Architecture::new(2, 2, 3, 1);
            let mut a = base(rng, arch);
            if rng.coin() {
                let r = a.w1()[0].iter().map(|x| x * &Rational::from(2)).collect();
                a.layer_mut(1).weight[1] = r;
            } else {
                for k in 0..arch.n2 {
                    a.layer_mut(2).weight[k][1] = Rational::zero();
                }
            }
            let b = if rng.coin() {
                symmetries(&a, rng, 1)
            } else {
                let idx = rng.below(arch.param_count());
                moves::perturb(&a, idx, &Rational::ratio(1, 5))
            };
            (a, b)
        }
        other => panic!("unknown stratum {other}"),
    }
}

#[derive(Default, Debug)]
struct Row {
    pairs: usize,
    equivalent: usize,
    fast: usize,
    fallback: usize,
    fallback_without_probe: usize,
    methods: BTreeMap<&'static str, usize>,
    reasons: BTreeMap<String, usize>,
}

fn verdict(d: &Decision) -> Option<Verdict> {
    match d {
        Decision::Equivalent { .. } => Some(Verdict::Equivalent),
        Decision::NotEquivalent { .. } => Some(Verdict::NotEquivalent),
        Decision::Undecided => None,
    }
}

fn certificate(d: &Decision) -> &fibers_check::Certificate {
    match d {
        Decision::Equivalent { certificate } | Decision::NotEquivalent { certificate, .. } => {
            certificate
        }
        Decision::Undecided => panic!("undecided"),
    }
}

fn short_reason(r: &str) -> String {
    r.split(':').take(2).collect::<Vec<_>>().join(":")
}

#[test]
fn fast_path_agrees_with_branch_tree() {
    let default = if cfg!(debug_assertions) { 140 } else { 5040 };
    let total: usize = std::env::var("FIBERS_AGREEMENT_PAIRS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    let per = total.div_ceil(STRATA.len());
    let mut rng = Lcg::new(0xa9e3_3e7e);
    let mut table: BTreeMap<&str, Row> = BTreeMap::new();
    let opts = DecideOptions {
        method: Method::Tree,
        ..DecideOptions::default()
    };
    let copts = CheckOptions::default();
    let start = std::time::Instant::now();
    let mut fast_time = std::time::Duration::ZERO;
    for stratum in STRATA {
        let row = table.entry(stratum).or_default();
        for _ in 0..per {
            let (a, b) = pair(stratum, &mut rng);
            let tree = fibers_tree::decide(&a, &b, &opts, &mut |_| {}).expect("same widths");
            let tv = verdict(&tree.decision).expect("the tree decides small pairs");
            assert_eq!(check(certificate(&tree.decision), &a, &b, copts), Ok(tv));
            // The region-wise decision (docs/theory.md §11) must agree too.
            let reg = fibers_regions::decide(&a, &b, &DecideOptions::default()).expect("runs");
            let rv = verdict(&reg.decision).expect("the regions decide without a budget");
            assert_eq!(rv, tv, "stratum {stratum}: regions disagree with the tree");
            assert_eq!(check(certificate(&reg.decision), &a, &b, copts), Ok(rv));
            row.pairs += 1;
            if tv == Verdict::Equivalent {
                row.equivalent += 1;
            }
            let t0 = std::time::Instant::now();
            let f = fast(&a, &b);
            fast_time += t0.elapsed();
            match f {
                Ok((d, method)) => {
                    if stratum == "wide" {
                        assert!(
                            method == "constant" || method == "probe",
                            "a wide pair may only be decided as constant or by a probe"
                        );
                    }
                    *row.methods.entry(method).or_default() += 1;
                    let fv = verdict(&d).expect("fast path never returns undecided");
                    if fv != tv {
                        panic!(
                            "stratum {stratum}: fast path says {fv:?}, tree says {tv:?}\nA = {}\nB = {}",
                            fibers_net::json::network_to_string(&a),
                            fibers_net::json::network_to_string(&b)
                        );
                    }
                    let c = check(certificate(&d), &a, &b, copts);
                    assert_eq!(c, Ok(fv), "stratum {stratum}: fast certificate rejected");
                    row.fast += 1;
                }
                Err(reason) => {
                    row.fallback += 1;
                    *row.reasons.entry(short_reason(&reason)).or_default() += 1;
                }
            }
            // The same without the initial probe point: the witness search from canonical
            // forms must also agree (witnesses are checked by exact evaluation).
            match decide_with(&a, &b, fibers_bottleneck::certified::WITNESS_BUDGET, false) {
                FastOutcome::Equivalent(_) => assert_eq!(tv, Verdict::Equivalent, "{stratum}"),
                FastOutcome::NotEquivalent(x, _) => {
                    assert_eq!(tv, Verdict::NotEquivalent, "{stratum}");
                    assert_ne!(a.eval(&x), b.eval(&x));
                }
                FastOutcome::GaveUp(_) => row.fallback_without_probe += 1,
            }
        }
    }
    let mut pairs = 0;
    println!("| stratum | pairs | equivalent (tree) | fast verdicts (by path) | fallbacks | fallback rate | reasons | fallbacks without the probe |");
    println!("| --- | ---: | ---: | --- | ---: | ---: | --- | ---: |");
    for s in STRATA {
        let r = &table[s];
        pairs += r.pairs;
        let reasons: Vec<String> = r.reasons.iter().map(|(k, v)| format!("{v}× {k}")).collect();
        let methods: Vec<String> = r.methods.iter().map(|(k, v)| format!("{v} {k}")).collect();
        println!(
            "| {s} | {} | {} | {} ({}) | {} | {:.1}% | {} | {} |",
            r.pairs,
            r.equivalent,
            r.fast,
            methods.join(", "),
            r.fallback,
            100.0 * r.fallback as f64 / r.pairs as f64,
            reasons.join("; "),
            r.fallback_without_probe
        );
    }
    println!(
        "{pairs} pairs in {:.1?} (fast path {:.1?} in total)",
        start.elapsed(),
        fast_time
    );
    assert!(pairs >= total);
    // Fallback must happen where the fast path does not apply, and must be rare where it does.
    for s in [
        "symmetry",
        "hidden-at-tmin",
        "hidden-above-tmin",
        "flip-compensated",
        "split-dead-slot",
        "relay-1d",
        "constant",
    ] {
        let r = &table[s];
        assert!(
            r.fallback * 10 <= r.pairs,
            "stratum {s}: too many fallbacks: {r:?}"
        );
    }
}
