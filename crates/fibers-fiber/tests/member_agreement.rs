//! Completeness and soundness of `--member` against the referee (the exact branch tree) on
//! the random pair families of the fast-decision agreement test, plus pairs drawn from the
//! description itself (samples of every part, and samples with one parameter perturbed).
//!
//! Pairs whose second network is wider (the compensated flip, a widening symmetry) are made
//! comparable by appending null neurons to the first, which keeps its function: the second
//! must then lie in the fiber of the widened first network.
//!
//! The run decides `FIBERS_MEMBER_PAIRS` pairs (2,800 in release mode unless set, 80 in debug
//! mode). A table per family is printed (`-- --nocapture`). Every disagreement fails the test
//! and prints both networks; a pair found in the fiber by the referee but not by the
//! description is a counterexample to docs/theory.md §8.

mod common;

use common::*;
use fibers_exact::Rational;
use fibers_fiber::{describe, DescribeOptions, Kind, MemberOptions};
use fibers_net::json::network_to_string;
use fibers_testkit::moves::Lcg;
use std::collections::BTreeMap;

fn pairs_wanted() -> usize {
    std::env::var("FIBERS_MEMBER_PAIRS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if cfg!(debug_assertions) { 80 } else { 2800 })
}

#[derive(Default, Debug)]
struct Row {
    pairs: usize,
    member: usize,
    by_description: usize,
    fallback: usize,
}

#[test]
fn member_agrees_with_the_branch_tree() {
    let total = pairs_wanted();
    let families: Vec<&str> = STRATA
        .iter()
        .copied()
        .chain(["sample", "sample-perturbed"])
        .collect();
    let per = total.div_ceil(families.len());
    let mut rng = Lcg::new(0x5eed_f1be);
    let mut table: BTreeMap<&str, Row> = BTreeMap::new();
    let mut failures = Vec::new();
    let opts = DescribeOptions {
        fundim: None,
        ..DescribeOptions::default()
    };
    for fam in &families {
        for _ in 0..per {
            let (a, b) = match *fam {
                "sample" | "sample-perturbed" => {
                    let (a, _) = pair("symmetry", &mut rng);
                    let d = describe(&a, &opts, &mut |_, _| {}).expect("describe");
                    let (Some(frame), false) = (&d.frame, d.parts.is_empty()) else {
                        continue;
                    };
                    let key = &d.parts[rng.below(d.parts.len())].key;
                    let Some(s) = fibers_fiber::sample::sample_part(frame, key, &mut rng) else {
                        failures.push(format!("sampling failed for part {key}"));
                        continue;
                    };
                    let b = if *fam == "sample" {
                        s
                    } else {
                        let idx = rng.below(s.arch().param_count());
                        fibers_testkit::moves::perturb(
                            &s,
                            idx,
                            &Rational::ratio(1, rng.range(2, 9)),
                        )
                    };
                    (a, b)
                }
                f => pair(f, &mut rng),
            };
            let n2 = a.arch().n2.max(b.arch().n2);
            let (a, b) = (widen_to(&a, n2), widen_to(&b, n2));
            let d = describe(&a, &opts, &mut |_, _| {}).expect("describe");
            let r = d
                .membership(&b, &MemberOptions::default(), &mut |_| {})
                .expect("membership");
            let truth = referee(&a, &b);
            let row = table.entry(fam).or_default();
            row.pairs += 1;
            row.member += usize::from(truth);
            if r.method == "description" {
                row.by_description += 1;
            } else {
                row.fallback += 1;
            }
            let described = matches!(d.kind, Kind::Bottleneck);
            if r.member != Some(truth) || r.description_counterexample {
                failures.push(format!(
                    "{fam}: member {:?} (method {}, in description {:?}: {:?}) but the branch \
                     tree says {truth}; counterexample to docs/theory.md: {}\nA = {}\nB = {}",
                    r.member,
                    r.method,
                    r.in_description,
                    r.description_reason,
                    r.description_counterexample,
                    network_to_string(&a),
                    network_to_string(&b)
                ));
            }
            // For a generic bottleneck A the description alone must agree with the referee.
            if described && r.in_description != Some(truth) {
                failures.push(format!(
                    "{fam}: the description says {:?} ({:?}) but the branch tree says {truth}\n\
                     A = {}\nB = {}",
                    r.in_description,
                    r.description_reason,
                    network_to_string(&a),
                    network_to_string(&b)
                ));
            }
        }
    }
    let mut sum = Row::default();
    println!(
        "{:<20} {:>6} {:>7} {:>12} {:>9}",
        "family", "pairs", "member", "description", "fallback"
    );
    for (f, r) in &table {
        println!(
            "{f:<20} {:>6} {:>7} {:>12} {:>9}",
            r.pairs, r.member, r.by_description, r.fallback
        );
        sum.pairs += r.pairs;
        sum.member += r.member;
        sum.by_description += r.by_description;
        sum.fallback += r.fallback;
    }
    println!(
        "{:<20} {:>6} {:>7} {:>12} {:>9}",
        "total", sum.pairs, sum.member, sum.by_description, sum.fallback
    );
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(sum.pairs >= total / 2, "too few pairs: {}", sum.pairs);
}
