use fibers_check::within::InputBox;
use fibers_exact::Rational;
use fibers_near::testing::{random_f64_network, round_f32, scaled_permuted_f32};
use fibers_net::Architecture;
use std::time::Instant;
fn main() {
    let arch = Architecture::new(784, 256, 128, 10);
    let a = round_f32(&random_f64_network(arch, 1));
    let (b, _) = scaled_permuted_f32(&a, 1);
    let bx = InputBox { lo: vec![Rational::zero(); 784], hi: vec![Rational::one(); 784] };
    let m = fibers_near::align::find_alignment(&a, &b).unwrap();
    let bstar = fibers_check::within::apply_alignment(&b, &m.alignment()).unwrap();
    let t = Instant::now();
    let w = fibers_near::search::search(&a, &b, &bx, 2000, 4, 1);
    println!("search {:.3e} {:.2}", w.difference.to_f64_lossy(), t.elapsed().as_secs_f64());
    let t = Instant::now();
    let ch = fibers_check::within::cell_bound(&a, &bstar, &bx, 48);
    println!("checker {:.6e} {:.2}", ch.to_f64_lossy(), t.elapsed().as_secs_f64());
}
