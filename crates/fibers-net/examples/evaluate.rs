//! Build a small network in code, write it as JSON, read it back, and evaluate it exactly.
//!
//! `cargo run -p fibers-net --example evaluate`

use fibers_exact::Rational;
use fibers_net::json::{network_from_str, network_to_string};
use fibers_net::random::{random_network, Lcg};
use fibers_net::Architecture;

fn main() {
    let net = random_network(Architecture::new(2, 2, 3, 1), &mut Lcg::new(7));
    let text = network_to_string(&net);
    println!("{text}");
    let back = network_from_str(&text, "example").expect("round trip");
    let x = [Rational::ratio(1, 2), Rational::from(-3)];
    let t = back.trace(&x);
    println!(
        "f(1/2, -3) = {:?}  (pattern {})",
        t.output,
        back.pattern(&x)
    );
}
