//! Random pair families, one per stratum of docs/theory.md §5–§7: symmetric pairs, near misses,
//! hidden shifts at, above and below `t_min`, flips, dead slots, linear blocks, relays, the
//! one-dimensional and constant cases, wide and non-generic networks. The fast-path agreement
//! test and the fiber membership tests draw the same families from here.

use crate::moves::{self, Lcg, Role};
use fibers_exact::Rational;
use fibers_net::{Architecture, Network};

/// The strata, in the order the tests report them.
pub const STRATA: [&str; 14] = [
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
pub fn pair(stratum: &str, rng: &mut Lcg) -> (Network, Network) {
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
