//! Writes the bundled pairs of `fixtures/pairs/` (used by `fibers demo` and the CLI tests).
//!
//! Run from the repository root: `cargo run -p fibers-tree --example make_pairs`.
//! Deterministic: the same seeds give the same files.

use fibers_exact::Rational;
use fibers_net::json::network_to_string;
use fibers_net::{Architecture, Network};
use fibers_testkit::moves::*;
use fibers_tree::{run, Outcome, TreeOptions};
use std::path::Path;

fn write(name: &str, a: &Network, b: &Network) {
    let dir = Path::new("fixtures/pairs").join(name);
    std::fs::create_dir_all(&dir).expect("create fixtures/pairs/NAME");
    std::fs::write(dir.join("a.json"), network_to_string(a)).expect("write a.json");
    std::fs::write(dir.join("b.json"), network_to_string(b)).expect("write b.json");
    println!("{} {} -> {}", name, a.arch(), b.arch());
}

fn main() {
    use Role::*;
    // M1 + M2 on a small generic network.
    let mut rng = Lcg::new(11);
    let a = random_network(&mut rng, Architecture::new(2, 3, 3, 1));
    let b = random_positive_scaling(&random_permute(&a, &mut rng), &mut rng);
    write("permuted-scaled", &a, &b);

    // M5: a crossing neuron flipped, its affine term supplied by two new linear neurons.
    let mut rng = Lcg::new(12);
    let a = random_network_with_roles(
        &mut rng,
        Architecture::new(2, 2, 3, 1),
        &[Crossing, Crossing, Linear],
    );
    write("flip-compensated", &a, &flip_compensated(&a, 0));
    // Near miss: the same flip without compensation.
    write("flip-uncompensated", &a, &flip_uncompensated(&a, 0));

    // Near miss: a negative layer-1 scaling.
    let mut rng = Lcg::new(13);
    let a = random_network(&mut rng, Architecture::new(2, 2, 2, 1));
    write(
        "negative-scaling",
        &a,
        &scale_layer1(&a, 1, &Rational::from(-2)),
    );

    // M7: a hidden layer-1 neuron shifted exactly to t_min; near miss just below it.
    let mut rng = Lcg::new(14);
    let base = random_network_with_roles(
        &mut rng,
        Architecture::new(2, 2, 3, 1),
        &[Crossing, Crossing, Crossing],
    );
    let a = make_hidden(&base, 0);
    let t = t_min(&a, 0).expect("an affected neuron");
    write("hidden-shift-at-tmin", &a, &hidden_shift(&a, 0, &t));
    write(
        "hidden-shift-below-tmin",
        &a,
        &hidden_shift(&a, 0, &(&t - &Rational::ratio(1, 4))),
    );

    // Relay (n1 = 1): the kink moves from layer 1 to layer 2.
    let mut rng = Lcg::new(15);
    let mut a = random_network(&mut rng, Architecture::new(2, 1, 3, 1));
    for (k, (w, beta)) in [(2, -3), (1, 2), (-1, -1)].into_iter().enumerate() {
        a.layer_mut(2).weight[k][0] = Rational::from(w);
        a.layer_mut(2).bias[k] = Rational::from(beta);
    }
    let b = relay(&a, &Rational::ratio(1, 2)).expect("relay applies");
    write("relay", &a, &b);

    // A wide network (n1 > n0): permutation, scaling and dead-neuron changes.
    let mut rng = Lcg::new(16);
    let a = random_network_with_roles(
        &mut rng,
        Architecture::new(2, 4, 4, 2),
        &[Crossing, Crossing, Dead, Crossing],
    );
    let b = dead_change(&a, &mut rng).expect("has a dead neuron");
    let b = random_positive_scaling(&random_permute(&b, &mut rng), &mut rng);
    write("wide-permuted-dead", &a, &b);
    // Near miss on the wide network: one weight off by 1/100.
    write(
        "wide-perturbed",
        &a,
        &perturb(&b, 3, &Rational::ratio(1, 100)),
    );

    // Not a pair of the demo: on a wide architecture (n1 > n0) the image of layer 1 is not
    // the whole orthant, and a hidden shift below t_min can still keep f (docs/theory.md §5 states the
    // failure below t_min for the bottleneck regime). The first such case from a seeded search.
    let mut rng = Lcg::new(17);
    for _ in 0..200 {
        let base = random_network_with_roles(
            &mut rng,
            Architecture::new(1, 3, 3, 1),
            &[Crossing, Crossing, Crossing],
        );
        let a = make_hidden(&base, 0);
        let Some(t) = t_min(&a, 0) else { continue };
        let b = hidden_shift(&a, 0, &(&t - &Rational::ratio(1, 2)));
        let r = run(&a, &b, &TreeOptions::default(), &mut |_| {}).expect("decides");
        if matches!(r.outcome, Outcome::Equivalent { .. }) {
            let dir = Path::new("fixtures/counterexamples/wide-hidden-shift-below-tmin");
            std::fs::create_dir_all(dir).expect("create dir");
            std::fs::write(dir.join("a.json"), network_to_string(&a)).expect("write");
            std::fs::write(dir.join("b.json"), network_to_string(&b)).expect("write");
            println!("wide-hidden-shift-below-tmin (t_min = {t}, shift t_min - 1/2) is equivalent");
            break;
        }
    }
}
