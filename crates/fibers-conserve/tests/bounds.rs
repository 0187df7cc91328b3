//! The certified bounds (`fibers_conserve::bounds`) against the exhaustive analysis (every
//! linear region, symbolic Lie algebra): on every fixture and on a sweep of random small
//! networks, with and without data. Whenever the bounds meet, their count must equal the
//! exhaustive one; when they do not, they must bracket it. Zero disagreements.
//!
//! The larger sweep is ignored by default:
//! `cargo test --release -p fibers-conserve --test bounds -- --ignored`.

use fibers_conserve::bounds::{bounds, BoundsOptions};
use fibers_conserve::regions::PatternSet;
use fibers_conserve::{analyse, Dataset, Options};
use fibers_net::random::{random_network, Lcg};
use fibers_net::{Architecture, Network};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `(agrees, certified)`; panics with a description on a disagreement.
fn check(name: &str, net: &Network, data: Option<&Dataset>) -> bool {
    let an = analyse(net, data, &Options::default()).expect("the exhaustive mode finishes");
    let ex = an.law_count();
    let set = data.map(|d| PatternSet::from_data(net, &d.x));
    let b = bounds(net, set.as_ref(), &BoundsOptions::default());
    if !(an.agrees() && an.lie.certified) {
        // The exhaustive mode is open too: the bounds must still contain its laws found
        // (a lower bound on the truth), and the lower bound stay below its certified Lie count.
        assert!(b.upper >= ex, "{name}: upper {} below {ex} laws", b.upper);
        if an.lie.certified {
            assert!(b.lower <= an.lie.count, "{name}: lower above the Lie count");
        }
        return b.certified();
    }
    assert!(
        b.failed.is_empty(),
        "{name}: failed candidates {:?}",
        b.failed
    );
    assert!(
        b.lower <= ex && ex <= b.upper,
        "{name}: bounds [{}, {}] do not bracket the exhaustive count {ex}",
        b.lower,
        b.upper
    );
    if b.certified() {
        assert_eq!(b.lower, ex, "{name}: certified count differs");
    }
    b.certified()
}

fn fixtures() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["fixtures/conserve", "fixtures/strata"] {
        for e in std::fs::read_dir(root().join(dir)).expect("fixture dir") {
            let p = e.expect("entry").path();
            if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    for e in std::fs::read_dir(root().join("fixtures/counterexamples")).expect("dir") {
        let p = e.expect("entry").path().join("net.json");
        if p.exists() {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn every_fixture_is_certified_and_agrees() {
    let files = fixtures();
    assert!(files.len() >= 20, "fixtures found: {}", files.len());
    for f in &files {
        let net = fibers_net::json::read_network(f).expect("network");
        assert!(
            check(&f.display().to_string(), &net, None),
            "{}: bounds did not meet",
            f.display()
        );
        if net.arch().n0 > 0 {
            let d = Dataset::seeded(&net, 5, 7);
            check(&format!("{} with data", f.display()), &net, Some(&d));
        }
    }
    let net =
        fibers_net::json::read_network(&root().join("fixtures/conserve/s1_2221_crossing.json"))
            .expect("network");
    let arch = net.arch();
    let d = Dataset::read(
        &root().join("fixtures/conserve/data/s1_constant_region.json"),
        arch.n0,
        arch.n3,
    )
    .expect("data");
    check("s1 with its data", &net, Some(&d));
}

fn sweep(seeds: u64) -> (usize, usize) {
    let archs = [
        (2, 2, 2, 1),
        (2, 2, 3, 2),
        (3, 2, 3, 1),
        (3, 3, 2, 2),
        (2, 3, 3, 1),
        (1, 2, 2, 1),
        (3, 2, 2, 2),
        (2, 2, 4, 1),
    ];
    let (mut total, mut certified) = (0, 0);
    for (a, b, c, d) in archs {
        let arch = Architecture::new(a, b, c, d);
        for seed in 1..=seeds {
            let net = random_network(arch, &mut Lcg::new(seed * 7919 + a as u64));
            for data in [None, Some(Dataset::seeded(&net, 4, seed + 1000))] {
                let name = format!("{arch} seed {seed} data {}", data.is_some());
                total += 1;
                certified += usize::from(check(&name, &net, data.as_ref()));
            }
        }
    }
    (total, certified)
}

#[test]
fn random_sweep_agrees() {
    let (total, certified) = sweep(20);
    assert!(total >= 300, "{total} cases");
    eprintln!("{certified} of {total} certified, no disagreement");
    assert!(
        certified * 10 >= total * 9,
        "only {certified} of {total} certified"
    );
}

#[test]
#[ignore]
fn random_sweep_agrees_large() {
    let (total, certified) = sweep(150);
    eprintln!("{certified} of {total} certified, no disagreement");
}

/// The upper bound by rows chosen by structure (layer 1 of full row rank, no data) is taken on
/// these networks, agrees with the exhaustive count, and on fixtures whose extra Lie
/// directions only brackets reach, the sampled patterns and brackets take over.
#[test]
fn structured_rows_agree_and_fall_back() {
    let (mut structured, mut met_by_structure) = (0, 0);
    for (a, b, c, d) in [(3, 2, 3, 1), (4, 3, 3, 2), (3, 3, 2, 2), (5, 2, 4, 3)] {
        let arch = Architecture::new(a, b, c, d);
        for seed in 1..=8 {
            let net = random_network(arch, &mut Lcg::new(seed * 104_729 + a as u64));
            let name = format!("{arch} seed {seed}");
            check(&name, &net, None);
            let bd = bounds(&net, None, &BoundsOptions::default());
            let s = bd.structured.expect("layer 1 has full row rank");
            structured += 1;
            assert!(
                bd.parameters - s.rank >= bd.upper,
                "{name}: upper above D − rank"
            );
            if bd.patterns == 0 && bd.certified() {
                met_by_structure += 1;
                assert!(bd.upper_how().contains("chosen by structure"), "{name}");
            }
        }
    }
    // (Small random networks often have dead or always-active neurons, whose extra Lie
    // directions only brackets reach: 16 of these 32 are met by the structured rows alone.)
    eprintln!("{met_by_structure} of {structured} met by the structured rows alone");
    assert!(
        met_by_structure * 4 >= structured,
        "{met_by_structure} of {structured}"
    );
    // Fixtures: whenever the structured rows fall short, the sampled bound is at least as good.
    let mut fell_back = 0;
    for f in fixtures() {
        let net = fibers_net::json::read_network(&f).expect("network");
        let bd = bounds(&net, None, &BoundsOptions::default());
        if let Some(s) = bd.structured {
            assert!(bd.rank >= s.rank, "{}", f.display());
            if bd.parameters - s.rank > bd.lower {
                fell_back += 1;
                assert!(
                    bd.patterns > 0,
                    "{}: no sampling after the structured rows",
                    f.display()
                );
            }
        }
    }
    assert!(
        fell_back > 0,
        "no fixture needs the sampled patterns and brackets"
    );
}
