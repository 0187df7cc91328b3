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
use fibers_testkit::moves::Lcg;
use fibers_tree::{Outcome, TreeOptions};
use std::collections::BTreeMap;

use fibers_testkit::strata::{pair, STRATA};

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

fn verdict(d: &Outcome) -> Option<Verdict> {
    match d {
        Outcome::Equivalent { .. } => Some(Verdict::Equivalent),
        Outcome::NotEquivalent { .. } => Some(Verdict::NotEquivalent),
        Outcome::Undecided => None,
    }
}

fn certificate(d: &Outcome) -> &fibers_check::Certificate {
    match d {
        Outcome::Equivalent { certificate } | Outcome::NotEquivalent { certificate, .. } => {
            certificate
        }
        Outcome::Undecided => panic!("undecided"),
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
    let opts = TreeOptions::default();
    let copts = CheckOptions::default();
    let start = std::time::Instant::now();
    let mut fast_time = std::time::Duration::ZERO;
    for stratum in STRATA {
        let row = table.entry(stratum).or_default();
        for _ in 0..per {
            let (a, b) = pair(stratum, &mut rng);
            let tree = fibers_tree::run(&a, &b, &opts, &mut |_| {}).expect("same widths");
            let tv = verdict(&tree.outcome).expect("the tree decides small pairs");
            assert_eq!(check(certificate(&tree.outcome), &a, &b, copts), Ok(tv));
            // The region-wise decision (docs/theory.md §11) must agree too.
            let reg = fibers_regions::run(&a, &b, &opts, &mut |_| {}).expect("runs");
            let rv = verdict(&reg.outcome).expect("the regions decide without a budget");
            assert_eq!(rv, tv, "stratum {stratum}: regions disagree with the tree");
            assert_eq!(check(certificate(&reg.outcome), &a, &b, copts), Ok(rv));
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
