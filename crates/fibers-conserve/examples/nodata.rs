//! Analyses one random network without data: `nodata N0 N1 N2 N3 SEED`.
use fibers_conserve::{analyse, Options};
use fibers_net::random::{random_network, Lcg};
use fibers_net::Architecture;

fn main() {
    let a: Vec<usize> = std::env::args()
        .skip(1)
        .map(|s| s.parse().unwrap())
        .collect();
    let arch = Architecture::new(a[0], a[1], a[2], a[3]);
    let net = random_network(arch, &mut Lcg::new(a[4] as u64));
    let an = analyse(&net, None, &Options::default()).unwrap();
    println!("{}", an.laws_text());
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
