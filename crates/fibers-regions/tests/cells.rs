//! The layer-1 cell search of `fibers-regions` (`cells::layer1_cells`) and the machine-integer
//! identity test of a cell, against the branch tree: degenerate layer-1 arrangements
//! (proportional, negated, parallel and constant neurons), parameters too large for machine
//! integers, and one leaf per cell of the joint arrangement.

use fibers_check::{check, CheckOptions, Verdict};
use fibers_exact::Rational;
use fibers_net::{Architecture, Layer, Network};
use fibers_regions::{run, Outcome, TreeOptions};
use fibers_testkit::moves::*;
use fibers_tree::tree::CellClose;

fn verdict(a: &Network, b: &Network) -> Verdict {
    let opts = TreeOptions::default();
    let (cert, v) = match run(a, b, &opts, &mut |_| {}).expect("runs").outcome {
        Outcome::Equivalent { certificate } => (certificate, Verdict::Equivalent),
        Outcome::NotEquivalent { certificate, .. } => (certificate, Verdict::NotEquivalent),
        Outcome::Undecided => panic!("undecided without a budget"),
    };
    assert_eq!(check(&cert, a, b, CheckOptions::default()), Ok(v));
    let tree = match fibers_tree::run(a, b, &opts, &mut |_| {})
        .expect("runs")
        .outcome
    {
        Outcome::Equivalent { .. } => Verdict::Equivalent,
        Outcome::NotEquivalent { .. } => Verdict::NotEquivalent,
        Outcome::Undecided => panic!("undecided without a budget"),
    };
    assert_eq!(v, tree, "regions and tree disagree");
    v
}

fn q(v: i64) -> Rational {
    Rational::from(v)
}

/// n0 = 2 with layer-1 rows that are proportional, negated, parallel, constant (either sign)
/// and general.
fn degenerate(rng: &mut Lcg) -> Network {
    let rows = [
        (1, 0, 0),
        (2, 0, 0),
        (-1, 0, 0),
        (1, 0, 1),
        (3, 0, -2),
        (0, 0, 3),
        (0, 0, -2),
        (1, 1, -1),
        (-2, -2, 2),
        (3, -2, 1),
    ];
    let n1 = rows.len();
    let arch = Architecture {
        n0: 2,
        n1,
        n2: 4,
        n3: 2,
    };
    let l1 = Layer {
        weight: rows.iter().map(|r| vec![q(r.0), q(r.1)]).collect(),
        bias: rows.iter().map(|r| q(r.2)).collect(),
    };
    let dense = |r: usize, c: usize, rng: &mut Lcg| Layer {
        weight: (0..r)
            .map(|_| (0..c).map(|_| rng.nonzero()).collect())
            .collect(),
        bias: (0..r).map(|_| rng.nonzero()).collect(),
    };
    let l2 = dense(4, n1, rng);
    let l3 = dense(2, 4, rng);
    Network::new(arch, [l1, l2, l3]).expect("shapes")
}

#[test]
fn degenerate_arrangements_agree_with_the_tree() {
    let mut rng = Lcg::new(1313);
    let (mut eq, mut ne) = (0, 0);
    for _ in 0..6 {
        let a = degenerate(&mut rng);
        let b = random_positive_scaling(&random_permute(&a, &mut rng), &mut rng);
        assert_eq!(verdict(&a, &b), Verdict::Equivalent);
        eq += 1;
        // A near miss in a layer-2 weight.
        let idx = a.arch().n1 * 3 + 2;
        let m = perturb(&b, idx, &Rational::ratio(1, 1000));
        if verdict(&a, &m) == Verdict::NotEquivalent {
            ne += 1;
        }
    }
    assert_eq!(eq, 6);
    assert!(ne >= 4, "near misses found: {ne}");
}

/// Scaling a layer-1 neuron by 10^30 (and its outgoing weights by 10^-30) keeps the function;
/// the machine-integer tables do not fit and the rational path decides.
#[test]
fn huge_parameters_fall_back_to_rationals() {
    let mut rng = Lcg::new(99);
    let a = degenerate(&mut rng);
    let big = Rational::from(fibers_exact::Integer::from(10i64).pow(30));
    let b = scale_layer1(&random_permute(&a, &mut rng), 3, &big);
    assert_eq!(verdict(&a, &b), Verdict::Equivalent);
    let m = perturb(&b, a.arch().n1 * 3, &Rational::ratio(1, 7));
    assert_eq!(verdict(&a, &m), Verdict::NotEquivalent);
}

/// The search has one leaf per cell of the joint layer-1 arrangement: as many as the
/// fixed-order layer-1 search of `fibers-tree`.
#[test]
fn one_leaf_per_cell() {
    let mut rng = Lcg::new(4242);
    for (n0, n1, n2) in [(1, 5, 2), (2, 5, 3), (2, 7, 2), (3, 5, 3), (4, 4, 2)] {
        let arch = Architecture { n0, n1, n2, n3: 1 };
        let a = random_network(&mut rng, arch);
        let b = random_network(&mut rng, arch);
        let points = fibers_tree::probe_points(n0, 8, 1);
        let mut ours = 0u64;
        let (r, _) = fibers_regions::cells::layer1_cells(
            &a,
            &b,
            None,
            points.clone(),
            &mut |_| {
                ours += 1;
                CellClose::Canonical(Vec::new())
            },
            &mut |_| {},
        );
        r.expect("no witness from this closer");
        let mut theirs = 0u64;
        let (r, _) = fibers_tree::tree::layer1_cells(
            &a,
            &b,
            None,
            points,
            &mut |_| {
                theirs += 1;
                CellClose::Canonical(Vec::new())
            },
            &mut |_| {},
        );
        r.expect("no witness from this closer");
        assert_eq!(ours, theirs, "cells of {arch}");
        assert!(ours > n1 as u64, "{arch}: {ours} cells");
    }
}
