//! Analyses one random network with seeded data and custom Lie limits:
//! `one N0 N1 N2 N3 SEED POINTS MAX_LEVEL STALL`.
use fibers_conserve::lie::LieOptions;
use fibers_conserve::{analyse, Dataset, Options};
use fibers_net::random::{random_network, Lcg};
use fibers_net::Architecture;

fn main() {
    let a: Vec<usize> = std::env::args()
        .skip(1)
        .map(|s| s.parse().unwrap())
        .collect();
    let arch = Architecture::new(a[0], a[1], a[2], a[3]);
    let seed = a[4] as u64;
    let net = random_network(arch, &mut Lcg::new(seed));
    let data = Dataset::seeded(&net, a[5], seed + 1000);
    let opts = Options {
        lie: LieOptions {
            max_level: a[6],
            stall_levels: a[7],
            max_fields: 200_000,
        },
        ..Options::default()
    };
    let t = std::time::Instant::now();
    let an = analyse(&net, Some(&data), &opts).unwrap();
    println!("{:.2?}\n{}", t.elapsed(), an.laws_text());
    println!(
        "{:?}",
        an.patterns
            .patterns
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
    );
    for l in &an.lie.levels {
        println!("{l:?}");
    }
    println!("{}", fibers_net::json::network_to_string(&net));
}
