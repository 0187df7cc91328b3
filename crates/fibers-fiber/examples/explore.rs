//! Describes the fibers of the fixtures in `fixtures/strata` (or the files given), samples
//! from every part and certifies each sample with the exact branch tree.
//!
//! `cargo run --release -p fibers-fiber --example explore [-- SAMPLES FILE...]`

use fibers_fiber::{describe, render, DescribeOptions, MemberOptions};
use fibers_tree::{run, Outcome, TreeOptions};
use std::path::PathBuf;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let samples: usize = args
        .first()
        .and_then(|a| a.parse().ok())
        .inspect(|_| {
            args.remove(0);
        })
        .unwrap_or(20);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/strata");
    let files: Vec<PathBuf> = if args.is_empty() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(&root)
            .expect("fixtures/strata")
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        v.sort();
        v
    } else {
        args.iter().map(PathBuf::from).collect()
    };
    for f in files {
        let net = fibers_net::json::read_network(&f).expect("network");
        let d = describe(&net, &DescribeOptions::default(), &mut |_, _| {}).expect("describe");
        println!("==== {}", f.display());
        print!(
            "{}",
            render::to_text(&d, &render::RenderOptions { max_parts_shown: 0 })
        );
        let (Some(frame), false) = (&d.frame, d.parts.is_empty()) else {
            continue;
        };
        let keys: Vec<_> = d.parts.iter().map(|p| p.key.clone()).collect();
        let nets = fibers_fiber::sample::sample_parts(frame, &keys, samples, 1, &mut |_| {});
        let (mut ok, mut member, mut same_part, mut failed) = (0, 0, 0, 0);
        for (i, s) in nets.iter().enumerate() {
            let Some(s) = s else {
                failed += 1;
                continue;
            };
            let r = d
                .membership(s, &MemberOptions::default(), &mut |_| {})
                .expect("membership");
            if r.member == Some(true) {
                member += 1;
            }
            if r.witness
                .as_ref()
                .is_some_and(|w| w.part == keys[i % keys.len()])
            {
                same_part += 1;
            }
            let t = run(&net, s, &TreeOptions::default(), &mut |_| {}).expect("decide");
            match t.outcome {
                Outcome::Equivalent { .. } => ok += 1,
                other => println!("SAMPLE NOT EQUIVALENT: {other:?}\n{s:?}"),
            }
        }
        println!(
            "samples {} certified {ok} member {member} same part {same_part} failed {failed}",
            nets.len()
        );
    }
}
