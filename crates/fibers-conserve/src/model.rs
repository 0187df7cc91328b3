//! The network as polynomials: parameter and input variables, the output of an activation
//! pattern as a polynomial in `(θ, x)`, and the gradient vector fields that generate the flow.
//!
//! Within a fixed activation pattern `s = (s1, s2)` (`s1[j] = 1` when layer-1 neuron `j` is
//! active, likewise `s2[k]`), the network is the polynomial
//!
//! ```text
//! f_s(θ, x)_o = b3[o] + Σ_k W3[o][k] s2[k] (b2[k] + Σ_j W2[k][j] s1[j] (b1[j] + Σ_i W1[j][i] x[i]))
//! ```
//!
//! of degree at most 1 in `x`. Its gradient in `θ` is `∇_θ f_s = G_1 + Σ_i x[i] G_{x[i]}`, where the
//! *coefficient fields* `G_m` (one per `x`-monomial `m ∈ {1, x[0], …}`) are polynomial vector
//! fields in `θ` alone. As `x` ranges over an open set, the gradient fields `∇_θ f_s(x)_o` span
//! exactly the span of the coefficient fields: these are the generators of the Lie algebra of
//! [`crate::lie`].
//!
//! Convention for the kink: a neuron whose pre-activation is exactly 0 counts as inactive (the
//! derivative `σ'(0) = 0`, as in PyTorch).

use fibers_exact::Rational;
use fibers_net::pattern::Phase;
use fibers_net::{ActivationPattern, Architecture, Network};
use fibers_semialg::{Monomial, Point, Polynomial, Var, VectorField};
use std::collections::BTreeMap;
use std::fmt;

/// An activation pattern with two phases per neuron (active or not); `Boundary` phases of
/// [`ActivationPattern`] count as inactive (`σ'(0) = 0`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pattern {
    /// Whether each layer-1 neuron is active.
    pub layer1: Vec<bool>,
    /// Whether each layer-2 neuron is active.
    pub layer2: Vec<bool>,
}

impl Pattern {
    /// The pattern of an exact activation pattern (`Boundary` counts as inactive).
    pub fn from_activation(p: &ActivationPattern) -> Pattern {
        Pattern {
            layer1: p.layer1.iter().map(|&ph| ph == Phase::Active).collect(),
            layer2: p.layer2.iter().map(|&ph| ph == Phase::Active).collect(),
        }
    }

    /// The pattern of the network at `x` (and whether some neuron sits exactly on its kink).
    pub fn at(net: &Network, x: &[Rational]) -> (Pattern, bool) {
        let p = net.pattern(x);
        let on_kink = p
            .layer1
            .iter()
            .chain(&p.layer2)
            .any(|&ph| ph == Phase::Boundary);
        (Pattern::from_activation(&p), on_kink)
    }
}

impl fmt::Display for Pattern {
    /// `+-|++-`: layer 1, a bar, layer 2 (`+` active, `-` inactive).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = |b: &bool| if *b { '+' } else { '-' };
        let a: String = self.layer1.iter().map(s).collect();
        let b: String = self.layer2.iter().map(s).collect();
        write!(f, "{a}|{b}")
    }
}

/// The parameter variables in the order of [`Architecture::param_names`] (and of
/// [`Network::params`]).
pub fn param_vars(arch: &Architecture) -> Vec<Var> {
    arch.param_names().iter().map(|n| Var::new(n)).collect()
}

/// The input variables `x[0], …, x[n0-1]`.
pub fn input_vars(n0: usize) -> Vec<Var> {
    (0..n0).map(input_var).collect()
}

/// The input variable `x[i]`.
pub fn input_var(i: usize) -> Var {
    Var::new(&format!("x[{i}]"))
}

/// Whether `v` is an input variable `x[i]` (not a parameter).
pub fn is_input_var(v: &Var) -> bool {
    v.name().starts_with("x[")
}

/// The parameter values of `net` as a point (names of [`param_vars`]).
pub fn param_point(net: &Network) -> Point {
    param_vars(&net.arch())
        .into_iter()
        .zip(net.params())
        .collect()
}

/// A point from parameter values in the order of [`param_vars`].
pub fn point_from_values(vars: &[Var], values: &[Rational]) -> Point {
    vars.iter().cloned().zip(values.iter().cloned()).collect()
}

fn var(v: Var) -> Polynomial {
    Polynomial::var(v)
}

/// The layer-1 pre-activation `y_j = b1[j] + Σ_i W1[j][i] x[i]` as a polynomial.
pub fn preactivation1(arch: &Architecture, j: usize) -> Polynomial {
    let mut y = var(Var::b1(j));
    for i in 0..arch.n0 {
        y += var(Var::w1(j, i)) * var(input_var(i));
    }
    y
}

/// The layer-2 pre-activation `z_k` in pattern `s1` of layer 1, as a polynomial in `(θ, x)`.
pub fn preactivation2(arch: &Architecture, layer1: &[bool], k: usize) -> Polynomial {
    let mut z = var(Var::b2(k));
    for (j, &active) in layer1.iter().enumerate() {
        if active {
            z += var(Var::w2(k, j)) * preactivation1(arch, j);
        }
    }
    z
}

/// `f_s(θ, x)_o`, the output `o` of the network in pattern `s`, as a polynomial in `(θ, x)`.
pub fn output_polynomial(arch: &Architecture, pattern: &Pattern, o: usize) -> Polynomial {
    let mut f = var(Var::b3(o));
    for k in 0..arch.n2 {
        if pattern.layer2[k] {
            f += var(Var::w3(o, k)) * preactivation2(arch, &pattern.layer1, k);
        }
    }
    f
}

/// The pattern indicator variable `s1[j]` (layer 1) or `s2[k]` (layer 2).
pub fn pattern_var(layer: usize, unit: usize) -> Var {
    Var::new(&format!("s{layer}[{unit}]"))
}

/// The output `o` with the pattern left symbolic: each `σ` replaced by multiplication with an
/// indicator variable `s1[j]` or `s2[k]`. Substituting 0/1 for the indicators gives
/// [`output_polynomial`] of every pattern, so an identity in `(θ, x, s)` holds in every
/// activation pattern (a *global* identity).
pub fn symbolic_output(arch: &Architecture, o: usize) -> Polynomial {
    let mut f = var(Var::b3(o));
    for k in 0..arch.n2 {
        let mut z = var(Var::b2(k));
        for j in 0..arch.n1 {
            z += var(Var::w2(k, j)) * var(pattern_var(1, j)) * preactivation1(arch, j);
        }
        f += var(Var::w3(o, k)) * var(pattern_var(2, k)) * z;
    }
    f
}

/// Splits a polynomial in `(θ, x)` by `x`-monomials: `p = Σ_m m · p_m` with `p_m` free of `x`.
pub fn split_by_input_monomial(p: &Polynomial) -> BTreeMap<Monomial, Polynomial> {
    let mut out: BTreeMap<Monomial, Polynomial> = BTreeMap::new();
    for (m, c) in p.terms() {
        let xs = Monomial::from_powers(
            m.powers()
                .filter(|(v, _)| is_input_var(v))
                .map(|(v, e)| (v.clone(), e)),
        );
        let rest = Monomial::from_powers(
            m.powers()
                .filter(|(v, _)| !is_input_var(v))
                .map(|(v, e)| (v.clone(), e)),
        );
        *out.entry(xs).or_default() += Polynomial::term(c.clone(), rest);
    }
    out
}

/// One generator of the Lie algebra: the coefficient field of an `x`-monomial in the gradient
/// `∇_θ f_s(θ, x)_o` of one output in one pattern.
#[derive(Clone, Debug)]
pub struct Generator {
    /// Index of the pattern in the pattern list it was built from.
    pub pattern: usize,
    /// The output `o`.
    pub output: usize,
    /// The `x`-monomial (`1` or `x[i]`).
    pub monomial: Monomial,
    /// The coefficient field, a polynomial vector field in `θ`.
    pub field: VectorField,
}

/// The coefficient fields of `∇_θ f_s(θ, x)_o` for every pattern and output (zero fields are
/// dropped).
pub fn gradient_generators(arch: &Architecture, patterns: &[Pattern]) -> Vec<Generator> {
    let mut out = Vec::new();
    for (pi, pat) in patterns.iter().enumerate() {
        for o in 0..arch.n3 {
            let f = output_polynomial(arch, pat, o);
            for (m, coef) in split_by_input_monomial(&f) {
                let field = VectorField::gradient_of(&coef);
                if !field.is_zero() {
                    out.push(Generator {
                        pattern: pi,
                        output: o,
                        monomial: m,
                        field,
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use fibers_net::random::{random_network, random_point, Lcg};

    #[test]
    fn pattern_polynomial_matches_exact_evaluation() {
        let arch = Architecture::new(3, 2, 3, 2);
        let mut rng = Lcg::new(7);
        for _ in 0..5 {
            let net = random_network(arch, &mut rng);
            let x = random_point(3, &mut rng);
            let (pat, _) = Pattern::at(&net, &x);
            let mut pt = param_point(&net);
            for (i, xi) in x.iter().enumerate() {
                pt.insert(input_var(i), xi.clone());
            }
            let out = net.eval(&x);
            for (o, want) in out.iter().enumerate() {
                assert_eq!(&output_polynomial(&arch, &pat, o).eval(&pt).unwrap(), want);
            }
        }
    }

    #[test]
    fn symbolic_pattern_specialises() {
        let arch = Architecture::new(2, 2, 2, 1);
        let pat = Pattern {
            layer1: vec![true, false],
            layer2: vec![false, true],
        };
        let mut sub = Point::new();
        for (j, &a) in pat.layer1.iter().enumerate() {
            sub.insert(pattern_var(1, j), Rational::from(i64::from(a)));
        }
        for (k, &a) in pat.layer2.iter().enumerate() {
            sub.insert(pattern_var(2, k), Rational::from(i64::from(a)));
        }
        assert_eq!(
            symbolic_output(&arch, 0).substitute(&sub),
            output_polynomial(&arch, &pat, 0)
        );
    }

    #[test]
    fn split_reassembles() {
        let arch = Architecture::new(2, 2, 2, 1);
        let pat = Pattern {
            layer1: vec![true, true],
            layer2: vec![true, true],
        };
        let f = output_polynomial(&arch, &pat, 0);
        let parts = split_by_input_monomial(&f);
        assert_eq!(parts.len(), 3); // 1, x[0], x[1]
        let back: Polynomial = parts
            .iter()
            .map(|(m, p)| Polynomial::from(m.clone()) * p)
            .sum();
        assert_eq!(back, f);
        assert_eq!(pat.to_string(), "++|++");
    }
}
