//! Exact demonstrations that a candidate charge is not conserved.
//!
//! For a quantity `Q` and the loss `L = ½ Σ_i |f_θ(x_i) − y_i|²`, the flow `θ̇ = −∇L` moves `Q`
//! at the rate `dQ/dt = −∇Q(θ) · ∇L(θ)`. [`first_order_change`] looks for a one-point dataset
//! `{(x, y)}` with `y = f_θ(x) − e_o` (so the residual is the unit vector `e_o` and
//! `∇L = ∇_θ f_θ(x)_o`) at which this rate is nonzero, trying the witness point of each pattern
//! (and each output) in turn. Everything is exact: the rate is a rational number computed by an
//! exact backward pass ([`crate::grad`]), then recomputed from the dataset itself.

use crate::grad::{loss_and_gradient, output_gradient};
use crate::laws::gradient_at;
use crate::model::{param_point, param_vars, Pattern};
use fibers_exact::Rational;
use fibers_net::Network;
use fibers_semialg::Polynomial;

/// A dataset and parameter at which `Q` changes to first order along the flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FirstOrderChange {
    /// The input of the one-point dataset.
    pub x: Vec<Rational>,
    /// Its target `f_θ(x) − e_o`.
    pub y: Vec<Rational>,
    /// The output `o` whose residual is 1.
    pub output: usize,
    /// `dQ/dt = −∇Q · ∇L` at `θ` (nonzero).
    pub rate: Rational,
}

/// `−∇Q(θ) · ∇L(θ)` for the dataset `(xs, ys)`, exactly.
pub fn rate_of_change(
    net: &Network,
    q: &Polynomial,
    xs: &[Vec<Rational>],
    ys: &[Vec<Rational>],
) -> Rational {
    let arch = net.arch();
    let grad_q = gradient_at(q, &param_vars(&arch), &param_point(net));
    let (_, grad_l) = loss_and_gradient(&arch, &net.params(), xs, ys);
    -grad_q
        .iter()
        .zip(&grad_l)
        .map(|(a, b)| a * b)
        .sum::<Rational>()
}

/// The first witness point and output at which `Q` changes to first order (see the
/// [module docs](self)); `None` when `∇Q · ∇_θ f_θ(x)_o = 0` at all of them. Points on a
/// kink are skipped.
pub fn first_order_change(
    net: &Network,
    q: &Polynomial,
    witnesses: &[Vec<Rational>],
) -> Option<FirstOrderChange> {
    let arch = net.arch();
    let theta = net.params();
    let grad_q = gradient_at(q, &param_vars(&arch), &param_point(net));
    for x in witnesses {
        if Pattern::at(net, x).1 {
            continue;
        }
        for o in 0..arch.n3 {
            let g = output_gradient(&arch, &theta, x, o);
            let dot: Rational = grad_q.iter().zip(&g).map(|(a, b)| a * b).sum();
            if dot.is_zero() {
                continue;
            }
            let mut y = net.eval(x);
            y[o] -= Rational::one();
            let rate = rate_of_change(net, q, std::slice::from_ref(x), std::slice::from_ref(&y));
            debug_assert_eq!(rate, -dot.clone());
            return Some(FirstOrderChange {
                x: x.clone(),
                y,
                output: o,
                rate,
            });
        }
    }
    None
}
