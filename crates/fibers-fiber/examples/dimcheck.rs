//! Checks the docs/theory.md §8 dimension formula against the functional dimension and the exact
//! Jacobian rank of the parameter's part, on random generic parameters of many strata.
//!
//! `cargo run --release -p fibers-fiber --example dimcheck [-- COUNT SEED]`

use fibers_fiber::{describe, DescribeOptions, Kind};
use fibers_net::Architecture;
use fibers_testkit::moves::{self, Lcg, Role};
use std::collections::BTreeMap;

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let count = args.first().copied().unwrap_or(300) as usize;
    let mut rng = Lcg::new(args.get(1).copied().unwrap_or(11));
    let archs = [
        Architecture::new(2, 2, 2, 1),
        Architecture::new(2, 2, 3, 1),
        Architecture::new(2, 2, 3, 2),
        Architecture::new(3, 2, 3, 1),
        Architecture::new(3, 3, 3, 1),
        Architecture::new(2, 2, 4, 2),
        Architecture::new(3, 3, 4, 2),
        Architecture::new(4, 2, 4, 3),
    ];
    let mut stats: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for i in 0..count {
        let arch = archs[i % archs.len()];
        let roles: Vec<Role> = (0..arch.n2)
            .map(|_| match rng.below(6) {
                0 => Role::Linear,
                1 => Role::Dead,
                _ => Role::Crossing,
            })
            .collect();
        let mut net = moves::random_network_with_roles(&mut rng, arch, &roles);
        let hidden = rng.below(4) == 0;
        if hidden {
            net = moves::make_hidden(&net, rng.below(arch.n1));
        }
        let d = describe(&net, &DescribeOptions::default(), &mut |_, _| {}).expect("describe");
        if d.kind != Kind::Bottleneck {
            continue;
        }
        let f = d.formula.clone().unwrap();
        let pd = d.part_dimension.clone().unwrap();
        let fd = match &d.fundim {
            Some(Ok(f)) => f.corank(),
            _ => continue,
        };
        let key = format!("{} {}", arch, d.classification.stratum);
        let e = stats.entry(key.clone()).or_default();
        e.0 += 1;
        if f.value != fd || pd.dimension != fd {
            e.1 += 1;
            println!(
                "MISMATCH {key}: formula {} ({:?}) part {} ({:?}) D-fundim {fd}\n{}",
                f.value,
                f.note,
                pd.dimension,
                pd.certainty,
                fibers_net::json::network_to_string(&net)
            );
        }
    }
    for (k, (n, bad)) in &stats {
        println!("{k}: {n} parameters, {bad} mismatches");
    }
}
