//! Prints decision time and tree size for equivalent pairs of growing architectures
//! (a quick look at scaling; the criterion benchmark `decide` gives the medians).

use fibers_net::Architecture;
use fibers_testkit::moves::*;
use fibers_tree::{run, TreeOptions};
use std::time::Instant;

fn main() {
    let sizes: Vec<(usize, usize, usize, usize)> = std::env::args()
        .skip(1)
        .map(|s| {
            let v: Vec<usize> = s.split(',').map(|x| x.parse().expect("width")).collect();
            (v[0], v[1], v[2], v[3])
        })
        .collect();
    for t in sizes {
        let mut rng = Lcg::new(77);
        let arch = Architecture::new(t.0, t.1, t.2, t.3);
        let a = random_network_with_roles(&mut rng, arch, &vec![Role::Crossing; t.2]);
        let b = random_positive_scaling(&random_permute(&a, &mut rng), &mut rng);
        let start = Instant::now();
        let r = run(&a, &b, &TreeOptions::default(), &mut |_| {}).expect("runs");
        println!(
            "{arch}: {:.3} s, {:?}",
            start.elapsed().as_secs_f64(),
            r.stats
        );
    }
}
