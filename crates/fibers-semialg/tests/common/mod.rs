//! Sample systems shared by the integration tests.
#![allow(dead_code)]

use fibers_exact::Rational;
use fibers_semialg::{BasicSet, Constraint, Polynomial, SemiAlgebraicSet, Var, VectorField};

pub fn q(n: i64, d: i64) -> Polynomial {
    Polynomial::constant(Rational::ratio(n, d))
}

pub fn var(v: &Var) -> Polynomial {
    Polynomial::var(v.clone())
}

/// The parameters of hidden unit 0 of the first layer in a network with 2 inputs and 2
/// second-layer units: incoming weights W1[0][0], W1[0][1], bias b1[0], outgoing weights
/// W2[0][0], W2[1][0].
pub fn unit0_parameters() -> Vec<Var> {
    vec![
        Var::w1(0, 0),
        Var::w1(0, 1),
        Var::b1(0),
        Var::w2(0, 0),
        Var::w2(1, 0),
    ]
}

/// The positive-rescaling orbit of the reference values
/// (W1[0][0], W1[0][1], b1[0], W2[0][0], W2[1][0]) = (2, -1, 1/2, 3, -1):
/// { θ | ∃ μ > 0 : W1[0][·] = μ·(2, -1), b1[0] = μ/2, μ·W2[·][0] = (3, -1) }.
pub fn fiber_system() -> BasicSet {
    let mu = Var::new("mu");
    let m = var(&mu);
    let [a0, a1, c, w0, w1] = [
        Var::w1(0, 0),
        Var::w1(0, 1),
        Var::b1(0),
        Var::w2(0, 0),
        Var::w2(1, 0),
    ]
    .map(|v| var(&v));
    BasicSet::new(
        unit0_parameters(),
        vec![mu],
        vec![
            Constraint::positive(m.clone()),
            Constraint::zero(&a0 - &(q(2, 1) * &m)),
            Constraint::zero(&a1 + &m),
            Constraint::zero(&c - &(q(1, 2) * &m)),
            Constraint::zero(&m * &w0 - q(3, 1)),
            Constraint::zero(&m * &w1 + q(1, 1)),
        ],
    )
    .expect("valid system")
}

/// The scaling conservation law of hidden unit `j` of the first layer:
/// |a_j|² + c_j² − |W2[:, j]|² with a_j = W1[j][·] (d0 inputs), c_j = b1[j], and d2
/// second-layer units.
pub fn scaling_law(j: usize, d0: usize, d2: usize) -> Polynomial {
    let incoming: Polynomial = (0..d0).map(|i| var(&Var::w1(j, i)).pow(2)).sum();
    let outgoing: Polynomial = (0..d2).map(|k| var(&Var::w2(k, j)).pow(2)).sum();
    incoming + var(&Var::b1(j)).pow(2) - outgoing
}

/// The infinitesimal positive rescaling of hidden unit `j`:
/// Σ_i W1[j][i] ∂/∂W1[j][i] + b1[j] ∂/∂b1[j] − Σ_k W2[k][j] ∂/∂W2[k][j].
pub fn scaling_field(j: usize, d0: usize, d2: usize) -> VectorField {
    let mut comps: Vec<(Var, Polynomial)> = (0..d0)
        .map(|i| (Var::w1(j, i), var(&Var::w1(j, i))))
        .collect();
    comps.push((Var::b1(j), var(&Var::b1(j))));
    comps.extend((0..d2).map(|k| (Var::w2(k, j), -var(&Var::w2(k, j)))));
    VectorField::new(comps)
}

/// The graph of ReLU as a union of two basic sets in (x, y):
/// { y − x = 0, x ≥ 0 } ∪ { y = 0, −x > 0 }.
pub fn relu_graph() -> SemiAlgebraicSet {
    let x = Var::new("x");
    let y = Var::new("y");
    let vars = vec![x.clone(), y.clone()];
    let active = BasicSet::new(
        vars.clone(),
        vec![],
        vec![
            Constraint::zero(var(&y) - var(&x)),
            Constraint::nonnegative(var(&x)),
        ],
    )
    .expect("valid");
    let inactive = BasicSet::new(
        vars.clone(),
        vec![],
        vec![Constraint::zero(var(&y)), Constraint::positive(-var(&x))],
    )
    .expect("valid");
    SemiAlgebraicSet::union(vars, vec![active, inactive]).expect("valid")
}
