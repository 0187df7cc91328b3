//! Agreement of the region-wise decision (`fibers-regions`, docs/theory.md §11) with the
//! exact branch tree and the bottleneck fast path on every pair family of the differential
//! tests (moves, near misses, wide, degenerate, different widths); every certificate is
//! checked by `fibers-check`. A summary line is printed (`-- --nocapture`).

#[path = "../../fibers-tree/tests/common/mod.rs"]
mod common;

use common::*;
use fibers_bottleneck::certified::fast;
use fibers_check::{check, CheckOptions, Verdict};
use fibers_exact::Rational;
use fibers_net::{Architecture, Network};
use fibers_testkit::moves::*;
use fibers_tree::{Outcome, TreeOptions};

fn verdict_of(d: &Outcome, a: &Network, b: &Network, who: &str) -> Verdict {
    let (cert, v) = match d {
        Outcome::Equivalent { certificate } => (certificate, Verdict::Equivalent),
        Outcome::NotEquivalent { certificate, .. } => (certificate, Verdict::NotEquivalent),
        Outcome::Undecided => panic!("{who}: undecided without a budget"),
    };
    assert_eq!(
        check(cert, a, b, CheckOptions::default()),
        Ok(v),
        "{who}: certificate rejected"
    );
    v
}

#[derive(Default)]
struct Tally {
    pairs: usize,
    equivalent: usize,
    fast: usize,
    canonical_leaves: usize,
}

/// Decides with the tree, the regions and the fast path; all verdicts must agree (and equal
/// `want` when given).
fn agree(t: &mut Tally, a: &Network, b: &Network, want: Option<Verdict>, what: &str) {
    let opts = TreeOptions::default();
    let tree = fibers_tree::run(a, b, &opts, &mut |_| {}).expect("runs");
    let tv = verdict_of(&tree.outcome, a, b, "tree");
    let reg = fibers_regions::run(a, b, &opts, &mut |_| {}).expect("runs");
    let rv = verdict_of(&reg.outcome, a, b, "regions");
    if let Outcome::Equivalent { certificate } = &reg.outcome {
        let text = fibers_check::certificate_to_string(certificate);
        t.canonical_leaves += text.matches("\"canonical\"").count();
    }
    let fv = fast(a, b).ok().map(|(d, _)| verdict_of(&d, a, b, "fast"));
    let bad = rv != tv || fv.is_some_and(|f| f != tv) || want.is_some_and(|w| w != tv);
    if bad {
        panic!(
            "{what}: tree {tv:?}, regions {rv:?}, fast {fv:?}, expected {want:?}\nA = {}\nB = {}",
            fibers_net::json::network_to_string(a),
            fibers_net::json::network_to_string(b)
        );
    }
    t.pairs += 1;
    t.fast += fv.is_some() as usize;
    t.equivalent += (tv == Verdict::Equivalent) as usize;
}

fn archs() -> Vec<Architecture> {
    BOTTLENECK
        .iter()
        .chain(WIDE.iter())
        .chain([(2, 5, 4, 1), (3, 4, 3, 2), (1, 4, 5, 3)].iter())
        .map(|&t| arch(t))
        .collect()
}

/// Adds `extra` layer-1 neurons that feed nothing (different hidden widths, same function).
fn widen_layer1(n: &Network, extra: usize, rng: &mut Lcg) -> Network {
    let a = n.arch();
    let arch = Architecture::new(a.n0, a.n1 + extra, a.n2, a.n3);
    let mut out = Network::zeros(arch);
    for j in 0..a.n1 + extra {
        out.layer_mut(1).weight[j] = if j < a.n1 {
            n.w1()[j].clone()
        } else {
            (0..a.n0).map(|_| rng.nonzero()).collect()
        };
        out.layer_mut(1).bias[j] = if j < a.n1 {
            n.b1()[j].clone()
        } else {
            rng.nonzero()
        };
    }
    for k in 0..a.n2 {
        for j in 0..a.n1 {
            out.layer_mut(2).weight[k][j] = n.w2()[k][j].clone();
        }
        out.layer_mut(2).bias[k] = n.b2()[k].clone();
        for o in 0..a.n3 {
            out.layer_mut(3).weight[o][k] = n.w3()[o][k].clone();
        }
    }
    out.layer_mut(3).bias = n.b3().to_vec();
    out
}

#[test]
fn regions_agree_with_tree_and_fast_path_on_every_family() {
    let mut t = Tally::default();
    let mut rng = Lcg::new(1313);
    let (eq, neq) = (Some(Verdict::Equivalent), Some(Verdict::NotEquivalent));
    for (i, a) in archs().into_iter().enumerate() {
        // M1 + M2, and chains of random moves (widening layer 2 too).
        let n = random_base(&mut rng, a);
        let m = random_positive_scaling(&random_permute(&n, &mut rng), &mut rng);
        agree(&mut t, &n, &m, eq, &format!("M1+M2 #{i}"));
        for c in 0..2 {
            let mut m = n.clone();
            for _ in 0..3 {
                m = random_symmetry(&m, &mut rng, m.arch().n2 < a.n2 + 3).0;
            }
            agree(&mut t, &n, &m, eq, &format!("chain #{i}.{c}"));
            // Near miss of the chain: perturb the output bias.
            let d = m.arch().param_count();
            let bad = perturb(&m, d - 1, &Rational::ratio(1, 99));
            agree(&mut t, &n, &bad, neq, &format!("near miss #{i}.{c}"));
        }
        // M3 dead / null freedom, M4 linear block, M6 split into a dead slot.
        let mut roles = vec![Role::Crossing; a.n2];
        roles[0] = Role::Dead;
        let d = random_network_with_roles(&mut rng, a, &roles);
        if let Some(m) = dead_change(&d, &mut rng) {
            agree(&mut t, &d, &m, eq, &format!("M3 #{i}"));
        }
        let mut roles = vec![Role::Linear; a.n2];
        roles[0] = Role::Crossing;
        let l = random_network_with_roles(&mut rng, a, &roles);
        if let Some(m) = linear_block_change(&l, &mut rng) {
            agree(&mut t, &l, &m, eq, &format!("M4 #{i}"));
        }
        if a.n2 >= 2 {
            let mut roles = vec![Role::Crossing; a.n2];
            roles[a.n2 - 1] = Role::Dead;
            let s = random_network_with_roles(&mut rng, a, &roles);
            let tv: Vec<Rational> = (0..a.n3).map(|_| rng.nonzero()).collect();
            let m = split_into_slot(&s, 0, a.n2 - 1, &rng.positive(), &tv);
            agree(&mut t, &s, &m, eq, &format!("M6 #{i}"));
        }
        // M5 flips, with and without compensation; negative layer-1 scaling.
        let c = crossing_base(&mut rng, a);
        let k = rng.below(a.n2);
        agree(
            &mut t,
            &c,
            &flip_compensated(&c, k),
            eq,
            &format!("M5 #{i}"),
        );
        agree(
            &mut t,
            &c,
            &flip_uncompensated(&c, k),
            neq,
            &format!("flip #{i}"),
        );
        let j = rng.below(a.n1);
        let neg = scale_layer1(&c, j, &-rng.positive());
        agree(&mut t, &c, &neg, neq, &format!("negative scaling #{i}"));
        // Small perturbations of any parameter (verdict from the tree).
        for _ in 0..2 {
            let idx = rng.below(a.param_count());
            let bad = perturb(&c, idx, &Rational::ratio(1, 1000));
            agree(
                &mut t,
                &c,
                &bad,
                None,
                &format!("perturbation #{i} at {idx}"),
            );
        }
        // M7 hidden shifts at, above and below t_min.
        let h = rng.below(a.n1);
        let hid = make_hidden(&crossing_base(&mut rng, a), h);
        if let Some(t0) = t_min(&hid, h) {
            for extra in [Rational::zero(), Rational::ratio(3, 2)] {
                let m = hidden_shift(&hid, h, &(&t0 + &extra));
                agree(&mut t, &hid, &m, eq, &format!("M7 +{extra} #{i}"));
            }
            let below = hidden_shift(&hid, h, &(&t0 - &Rational::ratio(1, 3)));
            agree(&mut t, &hid, &below, None, &format!("M7 below #{i}"));
        }
        // Different layer-1 widths: neurons that feed nothing.
        let w = widen_layer1(&c, 1 + i % 3, &mut rng);
        agree(&mut t, &c, &w, eq, &format!("wider layer 1 #{i}"));
        let wbad = perturb(&w, 0, &Rational::ratio(1, 3));
        agree(
            &mut t,
            &c,
            &wbad,
            None,
            &format!("wider layer 1 near miss #{i}"),
        );
    }
    // Relays in layer 1 (one neuron).
    for i in 0..6 {
        let a = Architecture::new(1 + i % 3, 1, 2 + i % 3, 1 + i % 2);
        let mut n = random_network(&mut rng, a);
        for k in 0..a.n2 {
            let (w, beta) = match k {
                0 => (rng.positive(), -rng.positive()),
                1 => (rng.positive(), rng.positive()),
                _ => (-rng.positive(), -rng.positive()),
            };
            n.layer_mut(2).weight[k][0] = w;
            n.layer_mut(2).bias[k] = beta;
        }
        if let Some(m) = relay(&n, &Rational::ratio(5, 2)) {
            agree(&mut t, &n, &m, eq, &format!("relay #{i}"));
        }
    }
    // Degenerate networks: zero widths, zero weights, zero rows, constants.
    let mut degenerate = Vec::new();
    for (n0, n1, n2, n3) in [(2, 0, 2, 1), (2, 3, 0, 1), (1, 0, 0, 2), (3, 2, 2, 1)] {
        let z = Network::zeros(Architecture::new(n0, n1, n2, n3));
        degenerate.push(z);
    }
    let mut zr = crossing_base(&mut rng, arch((2, 3, 3, 1)));
    zr.layer_mut(1).weight[1] = vec![Rational::zero(); 2];
    zr.layer_mut(1).bias[1] = Rational::from(2);
    degenerate.push(zr.clone());
    let mut zc = crossing_base(&mut rng, arch((2, 3, 3, 1)));
    zc.layer_mut(2).weight[0] = vec![Rational::zero(); 3];
    degenerate.push(zc);
    let mut c1 = Network::zeros(Architecture::new(2, 3, 3, 1));
    c1.layer_mut(3).bias[0] = Rational::from(7);
    let mut c2 = Network::zeros(Architecture::new(2, 1, 4, 1));
    c2.layer_mut(3).bias[0] = Rational::from(7);
    c2.layer_mut(2).bias[1] = Rational::from(3);
    let mut c3 = c2.clone();
    c3.layer_mut(3).weight[0][1] = Rational::from(1);
    agree(&mut t, &c1, &c2, eq, "constants 7 and 7");
    agree(&mut t, &c1, &c3, neq, "constants 7 and 10");
    for (i, d) in degenerate.iter().enumerate() {
        for (j, e) in degenerate.iter().enumerate() {
            let (x, y) = (d.arch(), e.arch());
            if x.n0 == y.n0 && x.n3 == y.n3 {
                agree(&mut t, d, e, None, &format!("degenerate {i} vs {j}"));
            }
        }
        let m = random_positive_scaling(&random_permute(d, &mut rng), &mut rng);
        agree(&mut t, d, &m, eq, &format!("degenerate {i} moved"));
    }
    let zr2 = perturb(&zr, 2 * 2 + 1, &Rational::ratio(1, 2));
    agree(&mut t, &zr, &zr2, None, "zero row perturbed");
    println!(
        "{} pairs ({} equivalent), regions = tree on all, fast path answered {} and agreed; \
         {} canonical leaves checked",
        t.pairs, t.equivalent, t.fast, t.canonical_leaves
    );
    assert!(t.pairs > 200);
}
