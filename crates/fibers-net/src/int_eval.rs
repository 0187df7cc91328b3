//! Exact evaluation in machine integers, for networks whose parameters are small fractions.
//!
//! [`IntNetwork`] holds each layer over one common denominator per layer: `W_l = P_l / D_l`,
//! `b_l = q_l / D_l` with integer `P_l`, `q_l` (`i64`; values are `i128`). At an input `x = X / d` (integer `X`,
//! `d > 0`) the pre-activations of layer `l` are integers over `D_1 ⋯ D_l d`, and since every
//! denominator is positive, `σ` acts on the numerators alone:
//!
//! ```text
//! Y = P1 X + q1 d,  Z = P2 σ(Y) + q2 D1 d,  O = P3 σ(Z) + q3 D1 D2 d,
//! f(x) = O / (D1 D2 D3 d).
//! ```
//!
//! Every operation is checked: conversion ([`IntNetwork::new`]) gives `None` when a parameter
//! or a common denominator does not fit, evaluation ([`IntNetwork::eval`]) gives `None` on any
//! overflow, and the caller then evaluates with [`Network::eval`] instead. A `Some` is always
//! the exact value (tested against [`Network::eval`]).

use crate::network::{Layer, Network};
use fibers_exact::{Integer, Rational};

/// One layer over a common denominator: `weight / den`, `bias / den`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct IntLayer {
    /// Row-major numerators, `rows × cols`.
    weight: Vec<i64>,
    bias: Vec<i64>,
    cols: usize,
    den: i64,
}

/// A network held in machine integers (see the module documentation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntNetwork {
    layers: [IntLayer; 3],
    /// `D1`, `D1 D2`, `D1 D2 D3`.
    dens: [i128; 3],
}

/// An exact output `numer / den` (one denominator for all coordinates, `den > 0`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntOutput {
    /// The numerators, one per output.
    pub numer: Vec<i128>,
    /// The common positive denominator.
    pub den: i128,
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn int_layer(l: &Layer, cols: usize) -> Option<IntLayer> {
    // Parts of every entry, and the least common multiple of the denominators.
    let mut den: i64 = 1;
    let mut parts = Vec::with_capacity(l.weight.len() * cols + l.bias.len());
    for r in l.weight.iter().flatten().chain(&l.bias) {
        let (p, q) = r.to_i64_parts()?;
        if q != 1 && den % q != 0 {
            let g = gcd(den as u64, q as u64) as i64;
            den = den.checked_mul(q / g)?;
        }
        parts.push((p, q));
    }
    let scaled = |&(p, q): &(i64, i64)| {
        if q == 1 {
            p.checked_mul(den)
        } else {
            p.checked_mul(den / q)
        }
    };
    let (w, b) = parts.split_at(l.weight.len() * cols);
    Some(IntLayer {
        weight: w.iter().map(scaled).collect::<Option<_>>()?,
        bias: b.iter().map(scaled).collect::<Option<_>>()?,
        cols,
        den,
    })
}

/// `w · x`, checked (without the slow 128-bit overflow test when `x` fits in 64 bits).
fn mul(w: i64, x: i128) -> Option<i128> {
    match i64::try_from(x) {
        Ok(x) => Some(i128::from(w) * i128::from(x)),
        Err(_) => i128::from(w).checked_mul(x),
    }
}

impl IntLayer {
    /// `weight · x + bias · scale` into `out`, every step checked; with `relu`, negative
    /// values of `x` count as zero.
    fn apply<T: Copy + Into<i128>>(
        &self,
        x: &[T],
        scale: i128,
        relu: bool,
        out: &mut Vec<i128>,
    ) -> Option<()> {
        out.clear();
        for (i, &b) in self.bias.iter().enumerate() {
            let row = &self.weight[i * self.cols..(i + 1) * self.cols];
            let mut acc = mul(b, scale)?;
            for (&w, &xi) in row.iter().zip(x) {
                let xi: i128 = xi.into();
                if w != 0 && (xi > 0 || (!relu && xi != 0)) {
                    acc = acc.checked_add(mul(w, xi)?)?;
                }
            }
            out.push(acc);
        }
        Some(())
    }
}

impl IntNetwork {
    /// The integer form of `net`, or `None` when a parameter's numerator or denominator, a
    /// layer's common denominator or a numerator over it does not fit in `i64`, or the product
    /// of the three denominators does not fit in `i128`. Costs one pass over the parameters.
    pub fn new(net: &Network) -> Option<Self> {
        let a = net.arch();
        let layers = [
            int_layer(net.layer(1), a.n0)?,
            int_layer(net.layer(2), a.n1)?,
            int_layer(net.layer(3), a.n2)?,
        ];
        let d1 = i128::from(layers[0].den);
        let d12 = d1.checked_mul(i128::from(layers[1].den))?;
        let d123 = d12.checked_mul(i128::from(layers[2].den))?;
        Some(IntNetwork {
            layers,
            dens: [d1, d12, d123],
        })
    }

    /// `f(X / d)` exactly, or `None` on an overflow (then use [`Network::eval`]) or when `d`
    /// is not positive or `x` does not have `n0` entries.
    pub fn eval(&self, x: &[i64], d: i64) -> Option<IntOutput> {
        if d <= 0 || x.len() != self.layers[0].cols {
            return None;
        }
        let d = i128::from(d);
        let (mut y, mut z, mut o) = (Vec::new(), Vec::new(), Vec::new());
        self.layers[0].apply(x, d, false, &mut y)?;
        self.layers[1].apply(&y, self.dens[0].checked_mul(d)?, true, &mut z)?;
        self.layers[2].apply(&z, self.dens[1].checked_mul(d)?, true, &mut o)?;
        Some(IntOutput {
            numer: o,
            den: self.dens[2].checked_mul(d)?,
        })
    }
}

impl IntOutput {
    /// Whether two outputs are the same numbers (by cross-multiplication), or `None` on an
    /// overflow.
    pub fn same(&self, other: &IntOutput) -> Option<bool> {
        if self.numer.len() != other.numer.len() {
            return Some(false);
        }
        for (&p, &q) in self.numer.iter().zip(&other.numer) {
            if p.checked_mul(other.den)? != q.checked_mul(self.den)? {
                return Some(false);
            }
        }
        Some(true)
    }

    /// The outputs as exact rationals (in lowest terms).
    pub fn to_rationals(&self) -> Vec<Rational> {
        let den = integer_from_i128(self.den);
        self.numer
            .iter()
            .map(|&p| Rational::new(integer_from_i128(p), den.clone()).expect("den > 0"))
            .collect()
    }
}

/// An `i128` as an exact integer.
pub fn integer_from_i128(v: i128) -> Integer {
    match i64::try_from(v) {
        Ok(s) => Integer::from(s),
        // v = hi 2^64 + lo with 0 ≤ lo < 2^64 (the shift rounds toward minus infinity).
        Err(_) => Integer::from((v >> 64) as i64) * Integer::pow2(64) + Integer::from(v as u64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::architecture::Architecture;
    use proptest::prelude::*;

    fn rat(p: i64, q: i64) -> Rational {
        Rational::ratio(p, q)
    }

    /// Small integers and fractions: the integer form always exists.
    fn small() -> impl Strategy<Value = Rational> {
        prop_oneof![
            4 => (-6i64..=6).prop_map(Rational::from),
            3 => (-40i64..=40, 1i64..=12).prop_map(|(p, q)| rat(p, q)),
        ]
    }

    /// A number drawn from a mix of scales: small ones, numbers near the `i64` limit, and
    /// numbers beyond it (which the conversion must refuse).
    fn number() -> impl Strategy<Value = Rational> {
        prop_oneof![
            12 => small(),
            1 => (any::<i64>(), 1i64..=i64::MAX).prop_map(|(p, q)| rat(p, q)),
            1 => (any::<i32>(), any::<u32>()).prop_map(|(p, k)| {
                let big = Integer::from(p) * Integer::pow2(64 + k % 64);
                Rational::from_integer(big)
            }),
            2 => (-9i64..=9, 0u32..90).prop_map(|(p, k)| {
                Rational::new(Integer::from(p), Integer::pow2(k)).unwrap()
            }),
        ]
    }

    fn network() -> impl Strategy<Value = Network> {
        (1usize..4, 0usize..5, 0usize..5, 1usize..3, any::<bool>()).prop_flat_map(
            |(n0, n1, n2, n3, mixed)| {
                let arch = Architecture::new(n0, n1, n2, n3);
                let entry = if mixed {
                    number().boxed()
                } else {
                    small().boxed()
                };
                proptest::collection::vec(entry, arch.param_count())
                    .prop_map(move |p| Network::from_params(arch, &p).expect("length"))
            },
        )
    }

    fn point(n0: usize) -> impl Strategy<Value = (Vec<i64>, i64)> {
        (
            proptest::collection::vec(prop_oneof![4 => -30i64..=30, 1 => any::<i64>()], n0),
            prop_oneof![3 => 1i64..=4, 1 => 1i64..=i64::MAX],
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// Whenever the integer form gives a value, it is `Network::eval`'s exactly.
        #[test]
        fn agrees_with_exact_eval(
            (net, pts) in network().prop_flat_map(|n| {
                let n0 = n.arch().n0;
                (Just(n), proptest::collection::vec(point(n0), 1..4))
            })
        ) {
            let Some(int) = IntNetwork::new(&net) else { return Ok(()) };
            for (x, d) in pts {
                let xr: Vec<Rational> = x.iter().map(|&v| rat(v, d)).collect();
                let exact = net.eval(&xr);
                if let Some(out) = int.eval(&x, d) {
                    prop_assert_eq!(out.to_rationals(), exact.clone());
                    // Compared with itself and with a shifted copy by cross-multiplication.
                    prop_assert_ne!(out.same(&out), Some(false));
                }
            }
        }
    }

    #[test]
    fn refuses_what_does_not_fit_and_handles_empty_layers() {
        let arch = Architecture::new(2, 0, 0, 1);
        let mut net = Network::zeros(arch);
        net.layer_mut(3).bias[0] = rat(3, 7);
        let int = IntNetwork::new(&net).expect("fits");
        let out = int.eval(&[5, -1], 2).expect("fits");
        assert_eq!(out.to_rationals(), vec![rat(3, 7)]);
        net.layer_mut(3).bias[0] = Rational::from_integer(Integer::pow2(70));
        assert!(IntNetwork::new(&net).is_none());
        // Denominators whose product leaves i128.
        let arch = Architecture::new(1, 1, 1, 1);
        let mut net = Network::zeros(arch);
        for l in 1..=3 {
            net.layer_mut(l).weight[0][0] =
                Rational::new(Integer::one(), Integer::pow2(62)).unwrap();
        }
        assert!(IntNetwork::new(&net).is_none());
        net.layer_mut(3).weight[0][0] = Rational::one();
        let int = IntNetwork::new(&net).expect("fits");
        let x = [i64::MAX];
        let exact = net.eval(&[Rational::from(i64::MAX)]);
        if let Some(out) = int.eval(&x, 1) {
            assert_eq!(out.to_rationals(), exact);
        }
    }

    #[test]
    fn i128_to_integer() {
        for v in [
            0,
            1,
            -1,
            i128::from(i64::MIN) - 1,
            i128::MAX,
            i128::MIN,
            1 << 64,
            -(1 << 64),
        ] {
            assert_eq!(integer_from_i128(v).to_string(), v.to_string());
        }
    }
}
