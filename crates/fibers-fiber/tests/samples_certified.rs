//! Soundness of the description: parameters drawn from every part of the fiber of every
//! stratum fixture (`fixtures/strata`, and the docs/theory.md §9 instances in `fixtures/conserve`) are
//! certified equivalent to the fixture by the exact branch tree, satisfy the basic set of
//! their part, and are found in the description by `--member`.
//!
//! The default run draws `FIBERS_SAMPLES_PER_FIXTURE` samples per fixture (200 in release
//! mode, 12 in debug mode); `long_run` (ignored; `cargo test --release -p fibers-fiber
//! --test samples_certified -- --ignored`) draws 2,000.

mod common;

use common::*;
use fibers_fiber::member::permuted_params;
use fibers_fiber::sample::sample_part;
use fibers_fiber::system::param_point;
use fibers_fiber::{describe, DescribeOptions, MemberOptions};
use fibers_net::json::network_to_string;
use fibers_testkit::moves::Lcg;
use fibers_tree::{Outcome, TreeOptions};

fn run(per_fixture: usize, seed: u64) {
    let opts = DescribeOptions {
        fundim: None,
        ..DescribeOptions::default()
    };
    let mut rng = Lcg::new(seed);
    let mut lines = Vec::new();
    let mut total = 0;
    let mut fixtures = fixture_networks("strata");
    fixtures.extend(fixture_networks("conserve"));
    for (name, net) in fixtures {
        let d = describe(&net, &opts, &mut |_, _| {}).expect("describe");
        let Some(frame) = &d.frame else {
            lines.push(format!("{name:<40} {:<16} no description", d.kind.name()));
            continue;
        };
        assert!(!d.parts.is_empty(), "{name}: no part");
        let (mut certified, mut in_description, mut same_part) = (0, 0, 0);
        let mut visited = vec![false; d.parts.len()];
        let mut hit = vec![false; d.parts.len()];
        for i in 0..per_fixture.max(d.parts.len()) {
            let p = i % d.parts.len();
            let key = &d.parts[p].key;
            let s = sample_part(frame, key, &mut rng)
                .unwrap_or_else(|| panic!("{name}: sampling part {key} failed"));
            visited[p] = true;
            let r = fibers_tree::run(&net, &s, &TreeOptions::default(), &mut |_| {})
                .expect("the referee runs");
            assert!(
                matches!(r.outcome, Outcome::Equivalent { .. }),
                "{name}: a sample of part {key} is not equivalent:\n{}",
                network_to_string(&s)
            );
            certified += 1;
            let m = d
                .membership(&s, &MemberOptions::default(), &mut |_| {})
                .expect("membership");
            assert_eq!(
                m.member,
                Some(true),
                "{name}: sample of part {key} not a member"
            );
            if let Some(w) = &m.witness {
                in_description += 1;
                // The witness satisfies its part's basic set (re-checked independently here).
                let set = fibers_fiber::system::basic_set(frame, &w.part);
                let point = param_point(s.arch(), &permuted_params(&s, w));
                assert_eq!(set.contains_with(&point, &w.aux), Ok(true), "{name}");
                same_part += usize::from(&w.part == key);
                hit[p] |= &w.part == key;
            }
        }
        assert!(visited.iter().all(|v| *v), "{name}: a part was not sampled");
        assert_eq!(
            in_description, certified,
            "{name}: a sample outside the description"
        );
        total += certified;
        let missed: Vec<String> = (0..d.parts.len())
            .filter(|&p| !hit[p])
            .map(|p| d.parts[p].key.to_string())
            .collect();
        lines.push(format!(
            "{name:<40} {:<16} parts {:>3}  certified {certified:>5}  in own part {same_part:>5}{}",
            d.kind.name(),
            d.parts.len(),
            if missed.is_empty() {
                String::new()
            } else {
                format!("  (parts only met in other parts: {})", missed.join("; "))
            }
        ));
    }
    println!("{}", lines.join("\n"));
    println!("total certified: {total}");
}

fn per_fixture() -> usize {
    std::env::var("FIBERS_SAMPLES_PER_FIXTURE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if cfg!(debug_assertions) { 12 } else { 200 })
}

#[test]
fn samples_of_every_part_are_certified() {
    run(per_fixture(), 2024);
}

#[test]
#[ignore = "long run: 2,000 samples per fixture (release mode recommended)"]
fn long_run() {
    run(2000, 99);
}
