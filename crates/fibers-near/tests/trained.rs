//! Near-equivalence on trained networks: the digits network (`fixtures/models/
//! digits-64-32-16-10.safetensors`, inputs in `[0, 1]^64`) and a two-moons network
//! (`fixtures/near/moons-2-16-8-1.json`, made by `fixtures/near/make_moons.py`), each against
//! float32 copies made by an arbitrary positive rescaling and permutation of both hidden layers,
//! and against the float32 rounding of a float64 rescaled copy (the float64 → float32 round
//! trip). Checked: the recovered permutations equal the applied ones; `‖B* − A‖` is within 10×
//! of the distance of the exact inverse of the applied symmetry; the certified bound is within
//! 10× of the largest difference found by dense sampling (exactly evaluated); the checker
//! accepts every `within ε` certificate and rejects it once B is perturbed by `10·ε`.

use fibers_check::within::{
    apply_alignment, check_near, near_from_value, near_to_value, Alignment, InputBox,
    LayerAlignment,
};
use fibers_exact::Rational;
use fibers_import::{read_network_file, ImportOptions};
use fibers_near::testing::{round_f32, scaled_permuted};
use fibers_near::{near, param_distance, NearOptions, NearVerdict};
use fibers_net::Network;
use std::path::Path;

fn fixture(rel: &str) -> Network {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel);
    read_network_file(&p, &ImportOptions::default())
        .expect("fixture loads")
        .network
}

fn boxed(lo: &[Rational], hi: &[Rational]) -> InputBox {
    InputBox {
        lo: lo.to_vec(),
        hi: hi.to_vec(),
    }
}

fn opts(tol: Rational, bx: InputBox) -> NearOptions {
    let mut o = NearOptions::new(tol, bx);
    o.exact = false;
    o.samples = 1000;
    o.max_cells = if o.input_box.lo.len() <= 2 { 64 } else { 1 };
    o
}

/// The exact inverse of the applied symmetry (scales `1 / c` exactly).
fn inverse(back: &[Vec<usize>; 2], scales: &[Vec<f64>; 2]) -> Alignment {
    let layer = |l: usize| LayerAlignment {
        permutation: back[l].clone(),
        scales: back[l]
            .iter()
            .map(|&j| {
                Rational::from_f64_exact(scales[l][j])
                    .unwrap()
                    .recip()
                    .unwrap()
            })
            .collect(),
    };
    Alignment {
        layer1: layer(0),
        layer2: layer(1),
        shifts: Vec::new(),
    }
}

fn case(name: &str, a: &Network, b: &Network, truth: &Alignment, bx: &InputBox) {
    let r0 = near(a, b, &opts(Rational::one(), bx.clone())).unwrap();
    assert!(r0.matched, "{name}: rows must match");
    assert_eq!(
        r0.alignment.layer1.permutation, truth.layer1.permutation,
        "{name}"
    );
    assert_eq!(
        r0.alignment.layer2.permutation, truth.layer2.permutation,
        "{name}"
    );
    let true_image = apply_alignment(b, truth).unwrap();
    let (true_max, _) = param_distance(a, &true_image);
    let dense = fibers_near::search::search(a, b, bx, 4000, 8, 7).difference;
    let ratio = r0.upper.to_f64_lossy() / dense.to_f64_lossy();
    let pratio = r0.param_max.to_f64_lossy() / true_max.to_f64_lossy();
    eprintln!(
        "{name}: ‖B*−A‖max {:.3e} (exact inverse {:.3e}, ratio {pratio:.2}) rel {:.3e}; \
         upper {:.3e} ({} cells) sampled {:.3e} ratio {ratio:.2}",
        r0.param_max.to_f64_lossy(),
        true_max.to_f64_lossy(),
        r0.param_rel,
        r0.upper.to_f64_lossy(),
        r0.cells,
        dense.to_f64_lossy()
    );
    assert!(r0.upper >= dense, "{name}: unsound");
    assert!(
        ratio <= 10.0,
        "{name}: bound {ratio}× the sampled difference"
    );
    assert!(
        pratio <= 10.0,
        "{name}: ‖B* − A‖ {pratio}× that of the exact inverse"
    );
    let eps = r0.upper.clone();
    let r = near(a, b, &opts(eps.clone(), bx.clone())).unwrap();
    assert_eq!(r.verdict, NearVerdict::Within, "{name}");
    let cert = r.certificate.clone().unwrap();
    let back = near_from_value(&near_to_value(&cert), "test").unwrap();
    assert_eq!(back, cert);
    assert_eq!(check_near(&cert, a, b, true), Ok(true), "{name}");
    // B perturbed by 10·ε (every output bias): the checker rejects the certificate.
    let mut bad = b.clone();
    for v in bad.layer_mut(3).bias.iter_mut() {
        *v += &eps * &Rational::from(10);
    }
    assert!(check_near(&cert, a, &bad, false).is_err(), "{name}");
}

fn run(name: &str, a: &Network, bx: &InputBox) {
    for seed in [1u64, 2] {
        let (b, back, scales) = scaled_permuted(a, seed, true);
        case(
            &format!("{name} scaled+permuted f32 (seed {seed})"),
            a,
            &b,
            &inverse(&back, &scales),
            bx,
        );
    }
    // float64 → float32: A64 is a float64 rescaled, permuted copy; B its float32 rounding.
    let (a64, _, _) = scaled_permuted(a, 3, false);
    let b = round_f32(&a64);
    let n = a.arch();
    let id = Alignment {
        layer1: LayerAlignment::identity(n.n1),
        layer2: LayerAlignment::identity(n.n2),
        shifts: Vec::new(),
    };
    case(&format!("{name} f64 → f32"), &a64, &b, &id, bx);
}

#[test]
fn digits_float32_copies() {
    let a = fixture("models/digits-64-32-16-10.safetensors");
    let bx = boxed(&vec![Rational::zero(); 64], &vec![Rational::one(); 64]);
    run("digits", &a, &bx);
}

#[test]
fn moons_float32_copies() {
    let a = fixture("near/moons-2-16-8-1.json");
    let bx = boxed(
        &[Rational::ratio(-6, 5), Rational::ratio(-7, 10)],
        &[Rational::ratio(11, 5), Rational::ratio(13, 10)],
    );
    run("moons", &a, &bx);
}
