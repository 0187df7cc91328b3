//! Forward and backward passes over any number type: exact (`Rational`, for decisions) and
//! `f64` (only for the numerical gradient-flow demonstration).
//!
//! Parameters are a flat vector in the order of [`fibers_net::Architecture::param_names`].
//! The loss is `L(θ) = ½ Σ_i |f_θ(x_i) − y_i|²`; the derivative of `σ` at 0 is taken as 0.

use fibers_exact::Rational;
use fibers_net::Architecture;
use std::ops::{Add, Mul, Sub};

/// The arithmetic the passes need.
pub trait Scalar:
    Clone + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Sized
{
    /// Zero.
    fn zero() -> Self;
    /// One.
    fn one() -> Self;
    /// `self / 2`.
    fn half(self) -> Self;
    /// Whether strictly positive.
    fn positive(&self) -> bool;
}

impl Scalar for f64 {
    fn zero() -> Self {
        0.0
    }
    fn one() -> Self {
        1.0
    }
    fn half(self) -> Self {
        self / 2.0
    }
    fn positive(&self) -> bool {
        *self > 0.0
    }
}

impl Scalar for Rational {
    fn zero() -> Self {
        Rational::zero()
    }
    fn one() -> Self {
        Rational::one()
    }
    fn half(self) -> Self {
        self * Rational::ratio(1, 2)
    }
    fn positive(&self) -> bool {
        self.is_positive()
    }
}

/// Offsets of the parameter blocks in the flat vector.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    arch: Architecture,
}

impl Layout {
    /// The layout of `arch`.
    pub fn new(arch: Architecture) -> Self {
        Layout { arch }
    }
    /// Index of `W_l[r][c]`.
    pub fn weight(&self, l: usize, r: usize, c: usize) -> usize {
        let (_, cols) = self.arch.weight_shape(l);
        self.start(l) + r * cols + c
    }
    /// Index of `b_l[r]`.
    pub fn bias(&self, l: usize, r: usize) -> usize {
        let (rows, cols) = self.arch.weight_shape(l);
        self.start(l) + rows * cols + r
    }
    fn start(&self, l: usize) -> usize {
        (1..l)
            .map(|m| {
                let (r, c) = self.arch.weight_shape(m);
                r * (c + 1)
            })
            .sum()
    }
}

/// One forward pass: layer values and the output.
struct Forward<T> {
    u: Vec<T>,
    s: Vec<T>,
    act1: Vec<bool>,
    act2: Vec<bool>,
    out: Vec<T>,
}

fn forward<T: Scalar>(arch: &Architecture, lay: &Layout, theta: &[T], x: &[T]) -> Forward<T> {
    let mut u = Vec::with_capacity(arch.n1);
    let mut act1 = Vec::with_capacity(arch.n1);
    for j in 0..arch.n1 {
        let mut y = theta[lay.bias(1, j)].clone();
        for (i, xi) in x.iter().enumerate() {
            y = y + theta[lay.weight(1, j, i)].clone() * xi.clone();
        }
        let a = y.positive();
        act1.push(a);
        u.push(if a { y } else { T::zero() });
    }
    let mut s = Vec::with_capacity(arch.n2);
    let mut act2 = Vec::with_capacity(arch.n2);
    for k in 0..arch.n2 {
        let mut z = theta[lay.bias(2, k)].clone();
        for (j, uj) in u.iter().enumerate() {
            z = z + theta[lay.weight(2, k, j)].clone() * uj.clone();
        }
        let a = z.positive();
        act2.push(a);
        s.push(if a { z } else { T::zero() });
    }
    let mut out = Vec::with_capacity(arch.n3);
    for o in 0..arch.n3 {
        let mut v = theta[lay.bias(3, o)].clone();
        for (k, sk) in s.iter().enumerate() {
            v = v + theta[lay.weight(3, o, k)].clone() * sk.clone();
        }
        out.push(v);
    }
    Forward {
        u,
        s,
        act1,
        act2,
        out,
    }
}

/// `f_θ(x)`.
pub fn output<T: Scalar>(arch: &Architecture, theta: &[T], x: &[T]) -> Vec<T> {
    forward(arch, &Layout::new(*arch), theta, x).out
}

/// Adds `∇_θ (g · f_θ(x))` to `grad` (the backward pass with output cotangent `g`).
fn backward<T: Scalar>(
    arch: &Architecture,
    lay: &Layout,
    theta: &[T],
    x: &[T],
    fw: &Forward<T>,
    g: &[T],
    grad: &mut [T],
) {
    let mut ds = vec![T::zero(); arch.n2];
    for (o, go) in g.iter().enumerate() {
        let i = lay.bias(3, o);
        grad[i] = grad[i].clone() + go.clone();
        for (k, dsk) in ds.iter_mut().enumerate() {
            let w = lay.weight(3, o, k);
            grad[w] = grad[w].clone() + go.clone() * fw.s[k].clone();
            *dsk = dsk.clone() + go.clone() * theta[w].clone();
        }
    }
    let mut du = vec![T::zero(); arch.n1];
    for (k, dz) in ds.into_iter().enumerate() {
        if !fw.act2[k] {
            continue;
        }
        let b = lay.bias(2, k);
        grad[b] = grad[b].clone() + dz.clone();
        for (j, duj) in du.iter_mut().enumerate() {
            let w = lay.weight(2, k, j);
            grad[w] = grad[w].clone() + dz.clone() * fw.u[j].clone();
            *duj = duj.clone() + dz.clone() * theta[w].clone();
        }
    }
    for (j, dy) in du.into_iter().enumerate() {
        if !fw.act1[j] {
            continue;
        }
        let b = lay.bias(1, j);
        grad[b] = grad[b].clone() + dy.clone();
        for (i, xi) in x.iter().enumerate() {
            let w = lay.weight(1, j, i);
            grad[w] = grad[w].clone() + dy.clone() * xi.clone();
        }
    }
}

/// `∇_θ f_θ(x)_o`.
pub fn output_gradient<T: Scalar>(arch: &Architecture, theta: &[T], x: &[T], o: usize) -> Vec<T> {
    let lay = Layout::new(*arch);
    let fw = forward(arch, &lay, theta, x);
    let mut g = vec![T::zero(); arch.n3];
    g[o] = T::one();
    let mut grad = vec![T::zero(); theta.len()];
    backward(arch, &lay, theta, x, &fw, &g, &mut grad);
    grad
}

/// The loss `½ Σ_i |f_θ(x_i) − y_i|²` and its gradient.
pub fn loss_and_gradient<T: Scalar>(
    arch: &Architecture,
    theta: &[T],
    xs: &[Vec<T>],
    ys: &[Vec<T>],
) -> (T, Vec<T>) {
    let lay = Layout::new(*arch);
    let mut grad = vec![T::zero(); theta.len()];
    let mut loss = T::zero();
    for (x, y) in xs.iter().zip(ys) {
        let fw = forward(arch, &lay, theta, x);
        let r: Vec<T> = fw
            .out
            .iter()
            .zip(y)
            .map(|(a, b)| a.clone() - b.clone())
            .collect();
        for ri in &r {
            loss = loss + ri.clone() * ri.clone();
        }
        backward(arch, &lay, theta, x, &fw, &r, &mut grad);
    }
    (loss.half(), grad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{input_var, output_polynomial, param_point, param_vars, Pattern};
    use fibers_net::random::{random_network, random_point, Lcg};
    use fibers_semialg::VectorField;

    #[test]
    fn exact_backprop_matches_symbolic_gradient() {
        let arch = Architecture::new(3, 2, 3, 2);
        let mut rng = Lcg::new(11);
        let vars = param_vars(&arch);
        for _ in 0..4 {
            let net = random_network(arch, &mut rng);
            let x = random_point(3, &mut rng);
            let theta = net.params();
            assert_eq!(output(&arch, &theta, &x), net.eval(&x));
            let (pat, _) = Pattern::at(&net, &x);
            let mut pt = param_point(&net);
            for (i, xi) in x.iter().enumerate() {
                pt.insert(input_var(i), xi.clone());
            }
            for o in 0..2 {
                let f = output_polynomial(&arch, &pat, o);
                let want = VectorField::gradient_of(&f)
                    .eval_vector(&vars, &pt)
                    .unwrap();
                assert_eq!(output_gradient(&arch, &theta, &x, o), want);
            }
        }
    }

    #[test]
    fn loss_gradient_is_sum_of_residual_weighted_gradients() {
        let arch = Architecture::new(2, 2, 2, 1);
        let mut rng = Lcg::new(3);
        let net = random_network(arch, &mut rng);
        let theta = net.params();
        let xs = vec![random_point(2, &mut rng), random_point(2, &mut rng)];
        let ys = vec![vec![Rational::from(1)], vec![Rational::ratio(-1, 3)]];
        let (loss, grad) = loss_and_gradient(&arch, &theta, &xs, &ys);
        let mut want_loss = Rational::zero();
        let mut want = vec![Rational::zero(); theta.len()];
        for (x, y) in xs.iter().zip(&ys) {
            let r = &net.eval(x)[0] - &y[0];
            want_loss += &r * &r * Rational::ratio(1, 2);
            for (w, g) in want.iter_mut().zip(output_gradient(&arch, &theta, x, 0)) {
                *w += &r * &g;
            }
        }
        assert_eq!(loss, want_loss);
        assert_eq!(grad, want);
        let f: Vec<f64> = theta.iter().map(Rational::to_f64_lossy).collect();
        let xf: Vec<Vec<f64>> = xs
            .iter()
            .map(|x| x.iter().map(Rational::to_f64_lossy).collect())
            .collect();
        let yf: Vec<Vec<f64>> = ys
            .iter()
            .map(|y| y.iter().map(Rational::to_f64_lossy).collect())
            .collect();
        let (lf, _) = loss_and_gradient(&arch, &f, &xf, &yf);
        assert!((lf - loss.to_f64_lossy()).abs() < 1e-9 * (1.0 + lf.abs()));
    }
}
