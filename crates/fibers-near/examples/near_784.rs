//! Times near-equivalence against the exact decision of `fibers equiv` on one pair of
//! (784, 256, 128, 10) float32 networks (B: a rescaled, permuted float32 copy of A), in one run,
//! with the parts of `near` timed alone and the checker on the certificate.
//!
//! `cargo run --release -p fibers-near --example near_784`

use fibers_check::within::{apply_alignment, check_near, split_bound, InputBox};
use fibers_decide::{DecideOptions, Outcome};
use fibers_exact::Rational;
use fibers_near::testing::{random_f64_network, round_f32, scaled_permuted_f32};
use fibers_near::{near, NearOptions};
use fibers_net::Architecture;
use std::time::Instant;

fn main() {
    let arch = Architecture::new(784, 256, 128, 10);
    let a = round_f32(&random_f64_network(arch, 1));
    let (b, back) = scaled_permuted_f32(&a, 1);
    let bx = InputBox {
        lo: vec![Rational::zero(); 784],
        hi: vec![Rational::one(); 784],
    };
    let t = Instant::now();
    let r = fibers_decide::decide(
        &a,
        &b,
        &DecideOptions {
            max_nodes: Some(2000),
            ..DecideOptions::default()
        },
    )
    .expect("same widths");
    let t_exact = t.elapsed().as_secs_f64();
    println!(
        "fibers equiv (exact decision): {} by {} in {t_exact:.2} s",
        match r.outcome {
            Outcome::Equivalent { .. } => "equivalent",
            Outcome::NotEquivalent { .. } => "not equivalent",
            Outcome::Undecided => "undecided",
        },
        r.method
    );
    // The parts of near, timed alone.
    let t = Instant::now();
    let m = fibers_near::align::find_alignment(&a, &b).expect("rows match");
    let bstar = apply_alignment(&b, &m.alignment()).expect("valid");
    println!(
        "  part: alignment and B*: {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let w = fibers_near::search::search(&a, &b, &bx, 2000, 4, 1);
    println!(
        "  part: search (lower bound {:.3e}): {:.2} s",
        w.difference.to_f64_lossy(),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let up = fibers_near::bound::Bounder::new(&a, &bstar).bound(&bx);
    println!(
        "  part: producer's bound {:.6e}: {:.2} s",
        up.to_f64_lossy(),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let ch = split_bound(&a, &bstar, &bx, &[-1], 48).expect("one cell");
    println!(
        "  part: checker's bound {:.6e} (precision 48): {:.2} s",
        ch.to_f64_lossy(),
        t.elapsed().as_secs_f64()
    );
    let mut o = NearOptions::new(Rational::ratio(1, 1000), bx);
    o.exact = false;
    let t = Instant::now();
    let rep = near(&a, &b, &o).expect("same architecture");
    let t_near = t.elapsed().as_secs_f64();
    println!(
        "near (equiv --tol without the exact decision, certificate validated): {} in {t_near:.2} s; \
         permutation recovered: {}; ‖B*−A‖ max {:.3e} rel {:.3e}; upper {:.3e}, lower {:.3e}, \
         ratio {:.0}",
        fibers_near::render::verdict_line(&rep),
        rep.alignment.layer1.permutation == back[0] && rep.alignment.layer2.permutation == back[1],
        rep.param_max.to_f64_lossy(),
        rep.param_rel,
        rep.upper.to_f64_lossy(),
        rep.witness.difference.to_f64_lossy(),
        rep.upper.to_f64_lossy() / rep.witness.difference.to_f64_lossy()
    );
    let t = Instant::now();
    let ok = rep
        .certificate
        .as_ref()
        .map(|c| check_near(c, &a, &b, true).is_ok());
    let t_check = t.elapsed().as_secs_f64();
    println!("checker on the certificate: {ok:?} in {t_check:.2} s");
    println!(
        "ratios to the exact decision: near {:.2}, check {:.2}, near + exact decision {:.2}",
        t_near / t_exact,
        t_check / t_exact,
        (t_near + t_exact) / t_exact
    );
}
