//! Shared helpers: the random pair families (from `fibers_testkit::strata`, shared with the
//! fast-decision agreement test), the referee, and fixtures.
#![allow(dead_code)]

use fibers_net::Network;
use fibers_testkit::moves;
use fibers_tree::{Outcome, TreeOptions};
use std::path::PathBuf;

#[allow(unused_imports)]
pub use fibers_testkit::strata::{pair, STRATA};

/// The exact branch-tree verdict (the referee): `true` iff `f_a = f_b`.
pub fn referee(a: &Network, b: &Network) -> bool {
    let opts = TreeOptions::default();
    match fibers_tree::run(a, b, &opts, &mut |_| {})
        .expect("the referee runs")
        .outcome
    {
        Outcome::Equivalent { .. } => true,
        Outcome::NotEquivalent { witness, .. } => {
            assert_ne!(a.eval(&witness), b.eval(&witness), "referee witness");
            false
        }
        Outcome::Undecided => panic!("no budget was set"),
    }
}

/// `net` with null layer-2 neurons appended up to width `n2` (same function).
pub fn widen_to(net: &Network, n2: usize) -> Network {
    let extra = n2.saturating_sub(net.arch().n2);
    if extra == 0 {
        net.clone()
    } else {
        moves::widen_layer2(net, extra)
    }
}

/// The directory `fixtures/` of the workspace.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// The fixtures of one subdirectory, sorted, as `(file stem, network)`.
pub fn fixture_networks(dir: &str) -> Vec<(String, Network)> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(fixtures().join(dir))
        .expect("fixture directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    v.sort();
    v.into_iter()
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (
                name,
                fibers_net::json::read_network(&p).expect("fixture network"),
            )
        })
        .collect()
}

/// The small architectures the random sweeps cycle through (some take only the first ones).
pub fn sweep_archs() -> Vec<fibers_net::Architecture> {
    use fibers_net::Architecture;
    vec![
        Architecture::new(2, 2, 2, 1),
        Architecture::new(2, 2, 3, 2),
        Architecture::new(3, 2, 3, 1),
        Architecture::new(3, 3, 3, 1),
        Architecture::new(2, 2, 4, 2),
        Architecture::new(4, 2, 4, 3),
        Architecture::new(4, 3, 4, 1),
        Architecture::new(3, 1, 3, 2),
    ]
}

/// Random case `i` of a sweep over `archs`: a random parameter one time in five, otherwise one
/// with random layer-2 roles (mostly crossing), a hidden layer-1 neuron one time in four.
pub fn random_role_case(
    rng: &mut moves::Lcg,
    archs: &[fibers_net::Architecture],
    i: usize,
) -> Network {
    use moves::Role;
    let arch = archs[i % archs.len()];
    if i % 5 == 4 {
        return moves::random_network(rng, arch);
    }
    let roles: Vec<Role> = (0..arch.n2)
        .map(|_| match rng.below(8) {
            0 => Role::Linear,
            1 => Role::Dead,
            2 => Role::Null,
            _ => Role::Crossing,
        })
        .collect();
    let mut net = moves::random_network_with_roles(rng, arch, &roles);
    if rng.below(4) == 0 {
        net = moves::make_hidden(&net, rng.below(arch.n1));
    }
    net
}
