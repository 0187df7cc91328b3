//! Builds a small fiber-like system in network parameters, prints it as text, LaTeX and JSON,
//! decides membership (finding the auxiliary μ), computes a local dimension and a Lie bracket.
//!
//! Run with `cargo run -p fibers-semialg --example fiber_system [OUT.tex]`; with an argument,
//! also writes a complete LaTeX document there.

use fibers_exact::Rational;
use fibers_semialg::{latex_document, BasicSet, Constraint, Point, Polynomial, Var, VectorField};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let p = |v: &Var| Polynomial::var(v.clone());
    let k = |n: i64, d: i64| Polynomial::constant(Rational::ratio(n, d));
    let (a0, a1, c, w0, w1) = (
        Var::w1(0, 0),
        Var::w1(0, 1),
        Var::b1(0),
        Var::w2(0, 0),
        Var::w2(1, 0),
    );
    let mu = Var::new("mu");
    let params = vec![a0.clone(), a1.clone(), c.clone(), w0.clone(), w1.clone()];

    // Positive rescalings of hidden unit 0 with reference values (2, -1, 1/2, 3, -1).
    let orbit = BasicSet::new(
        params.clone(),
        vec![mu.clone()],
        vec![
            Constraint::positive(p(&mu)),
            Constraint::zero(p(&a0) - k(2, 1) * p(&mu)),
            Constraint::zero(p(&a1) + p(&mu)),
            Constraint::zero(p(&c) - k(1, 2) * p(&mu)),
            Constraint::zero(p(&mu) * p(&w0) - k(3, 1)),
            Constraint::zero(p(&mu) * p(&w1) + k(1, 1)),
        ],
    )?;
    println!("Text:\n{orbit}\n");
    println!("LaTeX:\n{}\n", orbit.to_latex());
    println!("JSON:\n{}\n", orbit.to_json_string());

    let theta: Point = [
        (a0.clone(), Rational::from(4)),
        (a1.clone(), Rational::from(-2)),
        (c.clone(), Rational::from(1)),
        (w0.clone(), Rational::ratio(3, 2)),
        (w1.clone(), Rational::ratio(-1, 2)),
    ]
    .into_iter()
    .collect();
    println!("membership of {theta:?}: {:?}", orbit.membership(&theta)?);

    // The same orbit with mu eliminated (mu = W1[0][0] / 2): a curve in R^5.
    let curve = BasicSet::new(
        params.clone(),
        vec![],
        vec![
            Constraint::positive(p(&a0)),
            Constraint::zero(p(&a1) + k(1, 2) * p(&a0)),
            Constraint::zero(p(&c) - k(1, 4) * p(&a0)),
            Constraint::zero(p(&a0) * p(&w0) - k(6, 1)),
            Constraint::zero(p(&a0) * p(&w1) + k(2, 1)),
        ],
    )?;
    let dim = curve.local_dimension(&theta)?;
    println!(
        "local dimension of the eliminated orbit at theta: {} (Jacobian rank {} of {} equalities, {:?})",
        dim.dimension, dim.jacobian_rank, dim.equalities, dim.certainty
    );

    // The rescaling field of unit 0 and the conservation law it induces.
    let x = VectorField::new([
        (a0.clone(), p(&a0)),
        (a1.clone(), p(&a1)),
        (c.clone(), p(&c)),
        (w0.clone(), -p(&w0)),
        (w1.clone(), -p(&w1)),
    ]);
    let h = p(&a0).pow(2) + p(&a1).pow(2) + p(&c).pow(2) - p(&w0).pow(2) - p(&w1).pow(2);
    println!("rescaling field X = {x}");
    println!(
        "conservation law h = {h}; grad h = 2 X: {}",
        VectorField::gradient_of(&h) == x.scale(&Rational::from(2))
    );
    let y = VectorField::new([(a0.clone(), p(&w0))]);
    println!("[X, W2[0][0] d/dW1[0][0]] = {}", x.lie_bracket(&y));

    if let Some(path) = std::env::args().nth(1) {
        let doc = latex_document([orbit.to_latex(), h.to_latex(), x.to_latex()]);
        std::fs::write(&path, doc)?;
        println!("wrote {path}");
    }
    Ok(())
}
