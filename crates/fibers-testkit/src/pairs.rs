//! Seeded small pairs of networks for the batch tests and the throughput example: a third
//! related by a symmetry move of docs/theory.md §5 (equivalent), a third by a small perturbation
//! of one parameter (usually not equivalent), a third independent random networks.

use crate::moves::{perturb, random_network, random_symmetry, Lcg};
use fibers_exact::Rational;
use fibers_net::{Architecture, Network};

/// The pair with this seed, and how B was made from A.
pub fn pair(seed: u64) -> (Network, Network, &'static str) {
    let mut rng = Lcg::new(seed);
    let arch = Architecture::new(
        1 + rng.below(3),
        1 + rng.below(3),
        1 + rng.below(3),
        1 + rng.below(2),
    );
    let a = random_network(&mut rng, arch);
    match seed % 3 {
        0 => {
            let (b, how) = random_symmetry(&a, &mut rng, true);
            (a, b, how)
        }
        1 => {
            let i = rng.below(arch.param_count());
            let delta = Rational::ratio(rng.range(1, 3), 2);
            (a.clone(), perturb(&a, i, &delta), "perturb")
        }
        _ => (a, random_network(&mut rng, arch), "independent"),
    }
}

/// One JSON Lines record `{"a": NET, "b": NET}`.
pub fn pair_line(a: &Network, b: &Network) -> String {
    serde_json::json!({
        "a": fibers_net::json::network_to_value(a),
        "b": fibers_net::json::network_to_value(b),
    })
    .to_string()
}
