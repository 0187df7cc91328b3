//! The functional dimension by certified bounds (`fibers_fiber::bounds`) against region
//! enumeration (`fibers_fiber::fundim`, exact rank over every linear region), on every network
//! fixture and on a sweep of random small networks of every stratum.
//!
//! Must hold on every network where the enumeration finishes: `lower ≤ fd ≤ upper`, and when
//! the bounds meet (certified) they equal `fd`. The sweep also requires the bounds to meet on
//! every generic parameter (zero uncertified answers there). A bigger sweep is `#[ignore]`d:
//! `cargo test --release -p fibers-fiber --test bounds_agreement -- --ignored`.

mod common;

use fibers_exact::Rational;
use fibers_fiber::{functional_dimension, fundim_bounds, BoundsOptions, FunDimOptions};
use fibers_net::json::{network_from_str, network_to_string};
use fibers_net::{Architecture, Network};
use fibers_testkit::moves::Lcg;
use std::path::{Path, PathBuf};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn collect(dir: &Path, out: &mut Vec<(String, Network)>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            // fixtures/repro: adversarial inputs of the resource tests, not networks to analyse.
            // fixtures/near: trained float32 networks of the near-equivalence tests; the moons
            // network (2, 16, 8, 1) has 299 linear regions and its exhaustive fundim alone takes
            // minutes, which this CI test cannot afford (`fibers fundim --exhaustive` runs it).
            if p.file_name().is_some_and(|n| n != "repro" && n != "near") {
                collect(&p, out);
            }
        } else if p.extension().is_some_and(|e| e == "json") {
            if let Ok(s) = std::fs::read_to_string(&p) {
                if let Ok(net) = network_from_str(&s, "fixture") {
                    out.push((p.display().to_string(), net));
                }
            }
        }
    }
}

/// Outcome of one comparison.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Certified,
    Open,
    NotApplicable,
    NoReference,
}

fn compare(name: &str, net: &Network) -> Outcome {
    let Ok(exact) = functional_dimension(net, &FunDimOptions { max_regions: 3000 }, &mut |_| {})
    else {
        return Outcome::NoReference;
    };
    let Ok(b) = fundim_bounds(net, &BoundsOptions::default(), &mut |_| {}) else {
        return Outcome::NotApplicable;
    };
    assert!(
        b.lower <= exact.rank && exact.rank <= b.upper,
        "{name}: bounds [{}, {}] miss the exhaustive rank {} ({b:?})\n{}",
        b.lower,
        b.upper,
        exact.rank,
        network_to_string(net)
    );
    assert_eq!(
        b.rejected, 0,
        "{name}: a symmetry direction failed its row check"
    );
    if b.certified() {
        if let Some(dim) = b.fiber_dimension() {
            assert_eq!(dim, exact.corank());
        }
        Outcome::Certified
    } else {
        println!(
            "OPEN {name}: exact {} bounds [{}, {}] {:?}",
            exact.rank, b.lower, b.upper, b.moves
        );
        Outcome::Open
    }
}

#[test]
fn every_fixture() {
    let mut nets = Vec::new();
    collect(&fixtures_dir(), &mut nets);
    assert!(nets.len() >= 20, "only {} fixtures", nets.len());
    let mut tally = std::collections::BTreeMap::new();
    for (name, net) in &nets {
        let o = compare(name, net);
        println!("{name}: {o:?}");
        *tally.entry(format!("{o:?}")).or_insert(0) += 1;
    }
    println!("{tally:?}");
}

fn random_case(rng: &mut Lcg, i: usize) -> Network {
    let mut archs = common::sweep_archs();
    archs.push(Architecture::new(5, 3, 5, 2));
    let arch = archs[i % archs.len()];
    let mut net = common::random_role_case(rng, &archs, i);
    if i % 5 == 4 {
        return net;
    }
    if rng.below(6) == 0 && arch.n2 >= 2 {
        // Two positively parallel layer-2 neurons.
        let mut l = net.layers().clone();
        let row = l[1].weight[0].clone();
        l[1].weight[1] = row.iter().map(|x| x * &Rational::from(2)).collect();
        l[1].bias[1] = &l[1].bias[0] * &Rational::from(2);
        net = Network::new(arch, l).expect("shape");
    }
    net
}

fn sweep(count: usize, seed: u64) {
    let mut rng = Lcg::new(seed);
    let mut tally = std::collections::BTreeMap::new();
    let mut open = Vec::new();
    for i in 0..count {
        let net = random_case(&mut rng, i);
        let o = compare(&format!("random #{i}"), &net);
        if o == Outcome::Open {
            open.push(network_to_string(&net));
        }
        *tally.entry(format!("{o:?}")).or_insert(0) += 1;
    }
    println!("{tally:?}");
    for o in open.iter().take(3) {
        println!("open:\n{o}");
    }
    let certified = tally.get("Certified").copied().unwrap_or(0);
    assert!(
        certified >= count * 3 / 4,
        "only {certified} of {count} certified: {tally:?}"
    );
}

#[test]
fn random_sweep() {
    sweep(300, 20261201);
}

#[test]
#[ignore]
fn random_sweep_long() {
    sweep(5000, 7);
}

/// The reduction to layer-1 coordinates: the network with layer 1 replaced by the identity
/// has functional dimension `fd − (n0 − n1)·n1`; both are certified.
#[test]
fn reduced_network_matches() {
    let s = std::fs::read_to_string(fixtures_dir().join("conserve/s2_2221_hidden.json")).unwrap();
    let net = network_from_str(&s, "fixture").unwrap();
    let mut l = net.layers().clone();
    l[0].weight = vec![
        vec![Rational::one(), Rational::zero()],
        vec![Rational::zero(), Rational::one()],
    ];
    l[0].bias = vec![Rational::zero(), Rational::zero()];
    let red = Network::new(net.arch(), l).unwrap();
    let e = functional_dimension(&red, &FunDimOptions { max_regions: 3000 }, &mut |_| {}).unwrap();
    let b = fundim_bounds(&red, &BoundsOptions::default(), &mut |_| {}).unwrap();
    assert_eq!(b.value(), Some(e.rank));
    let full = fundim_bounds(&net, &BoundsOptions::default(), &mut |_| {}).unwrap();
    assert_eq!(full.value(), Some(e.rank));
}
