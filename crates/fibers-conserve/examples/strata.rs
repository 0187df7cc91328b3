//! Prints the conservation-law analysis of every network file given on the command line.
use fibers_conserve::{analyse, Options};
use std::path::Path;

fn main() {
    for arg in std::env::args().skip(1) {
        let net = fibers_net::json::read_network(Path::new(&arg)).expect("readable network");
        let t = std::time::Instant::now();
        let a = analyse(&net, None, &Options::default()).expect("regions");
        println!("== {arg} ({:.2?})\n{}", t.elapsed(), a.laws_text());
        println!("lie levels: {:?}\n", a.lie.levels);
    }
}
