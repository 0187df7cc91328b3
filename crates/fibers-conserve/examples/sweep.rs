//! Sweeps random networks and random datasets and reports every case where the Lie-algebra
//! count differs from the number of laws found: `sweep N0 N1 N2 N3 SEEDS POINTS`.
use fibers_conserve::{analyse, Dataset, Options};
use fibers_net::random::{random_network, Lcg};
use fibers_net::Architecture;

fn main() {
    let a: Vec<usize> = std::env::args()
        .skip(1)
        .map(|s| s.parse().unwrap())
        .collect();
    let arch = Architecture::new(a[0], a[1], a[2], a[3]);
    let (seeds, points) = (a[4] as u64, a[5]);
    let (mut agree, mut total, mut formula) = (0, 0, 0);
    for seed in 1..=seeds {
        let net = random_network(arch, &mut Lcg::new(seed));
        for data in [None, Some(Dataset::seeded(&net, points, seed + 1000))] {
            let an = analyse(&net, data.as_ref(), &Options::default()).expect("analysis");
            total += 1;
            if an.agrees() && an.lie.certified {
                agree += 1;
            } else {
                println!(
                    "seed {seed} data {}: laws {} lie {} ({:?})\n{}",
                    data.is_some(),
                    an.law_count(),
                    an.lie.count,
                    an.lie.stop,
                    an.laws_text()
                );
            }
            if data.is_none() && an.theory.applies.is_ok() {
                formula += 1;
            }
            if data.is_none() && an.theory.applies.is_ok() && an.theory.refined != an.law_count() {
                println!(
                    "seed {seed}: refined docs/theory.md formula {} vs laws {}",
                    an.theory.refined,
                    an.law_count()
                );
            }
        }
    }
    println!("{agree}/{total} certified agreements; docs/theory.md formula applicable (and checked) on {formula} networks");
}
