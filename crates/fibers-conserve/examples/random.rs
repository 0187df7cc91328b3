//! Times the analysis of random networks: `random N0 N1 N2 N3 SEED...`.
use fibers_conserve::{analyse, Options};
use fibers_net::random::{random_network, Lcg};
use fibers_net::Architecture;

fn main() {
    let a: Vec<u64> = std::env::args()
        .skip(1)
        .map(|s| s.parse().unwrap())
        .collect();
    let arch = Architecture::new(a[0] as usize, a[1] as usize, a[2] as usize, a[3] as usize);
    for &seed in &a[4..] {
        let net = random_network(arch, &mut Lcg::new(seed));
        let t = std::time::Instant::now();
        let an = analyse(&net, None, &Options::default()).expect("regions");
        println!("== seed {seed} ({:.2?})\n{}", t.elapsed(), an.laws_text());
        println!("lie levels: {:?}\n", an.lie.levels);
    }
}
