//! Monomials: finite products of variables with positive integer exponents.
//!
//! # Term order
//!
//! Monomials are ordered *graded lexicographically* with respect to the canonical order of
//! variables (see [`crate::var`]): first by total degree, then, between monomials of equal
//! degree, the one with the larger exponent at the first variable (in canonical order) where
//! the exponents differ is the larger. With variables `x < y` this gives
//! `1 < y < x < y² < x y < x²`. Polynomials are displayed and written from the largest term
//! to the smallest, so `x² + x y + y² + x + y + 1`.

use crate::var::Var;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

/// A monomial `x₁^e₁ ⋯ xₙ^eₙ` with all exponents positive (the empty product is `1`).
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Monomial {
    powers: BTreeMap<Var, u32>,
}

impl Monomial {
    /// The monomial `1`.
    pub fn one() -> Monomial {
        Monomial::default()
    }

    /// The monomial `v`.
    pub fn var(v: Var) -> Monomial {
        Monomial::power(v, 1)
    }

    /// The monomial `v^exp` (`1` when `exp` is 0).
    pub fn power(v: Var, exp: u32) -> Monomial {
        Monomial::from_powers([(v, exp)])
    }

    /// The product of `v^e` over the pairs; repeated variables multiply, zero exponents are
    /// dropped. Panics if an exponent overflows `u32`.
    pub fn from_powers<I: IntoIterator<Item = (Var, u32)>>(powers: I) -> Monomial {
        let mut m = Monomial::one();
        for (v, e) in powers {
            if e > 0 {
                let slot = m.powers.entry(v).or_insert(0);
                *slot = slot.checked_add(e).expect("exponent overflow");
            }
        }
        m
    }

    /// Whether this is the monomial `1`.
    pub fn is_one(&self) -> bool {
        self.powers.is_empty()
    }

    /// Total degree (sum of the exponents).
    pub fn degree(&self) -> u64 {
        self.powers.values().map(|&e| u64::from(e)).sum()
    }

    /// The exponent of `v` (0 when absent).
    pub fn exponent(&self, v: &Var) -> u32 {
        self.powers.get(v).copied().unwrap_or(0)
    }

    /// The variables with their (positive) exponents, in canonical variable order.
    pub fn powers(&self) -> impl Iterator<Item = (&Var, u32)> + '_ {
        self.powers.iter().map(|(v, &e)| (v, e))
    }

    /// The variables that occur, in canonical order.
    pub fn vars(&self) -> impl Iterator<Item = &Var> + '_ {
        self.powers.keys()
    }

    /// The product of two monomials. Panics if an exponent overflows `u32`.
    pub fn mul(&self, other: &Monomial) -> Monomial {
        let mut m = self.clone();
        for (v, &e) in &other.powers {
            let slot = m.powers.entry(v.clone()).or_insert(0);
            *slot = slot.checked_add(e).expect("exponent overflow");
        }
        m
    }

    /// `self` with the exponent of `v` lowered by one, together with the old exponent; `None`
    /// when `v` does not occur.
    pub(crate) fn lower(&self, v: &Var) -> Option<(Monomial, u32)> {
        let e = *self.powers.get(v)?;
        let mut m = self.clone();
        if e == 1 {
            m.powers.remove(v);
        } else {
            m.powers.insert(v.clone(), e - 1);
        }
        Some((m, e))
    }

    /// Splits into the part whose variables satisfy `pred` and the rest.
    pub(crate) fn split<F: Fn(&Var) -> bool>(&self, pred: F) -> (Monomial, Monomial) {
        let (a, b): (BTreeMap<Var, u32>, BTreeMap<Var, u32>) = self
            .powers
            .iter()
            .map(|(v, &e)| (v.clone(), e))
            .partition(|(v, _)| pred(v));
        (Monomial { powers: a }, Monomial { powers: b })
    }
}

impl Ord for Monomial {
    fn cmp(&self, other: &Monomial) -> Ordering {
        self.degree().cmp(&other.degree()).then_with(|| {
            let mut a = self.powers.iter();
            let mut b = other.powers.iter();
            loop {
                match (a.next(), b.next()) {
                    (None, None) => return Ordering::Equal,
                    // The side that still has a variable has a positive exponent where the
                    // other has 0.
                    (Some(_), None) => return Ordering::Greater,
                    (None, Some(_)) => return Ordering::Less,
                    (Some((va, ea)), Some((vb, eb))) => match va.cmp(vb) {
                        // `va` comes first and occurs only in `self`.
                        Ordering::Less => return Ordering::Greater,
                        Ordering::Greater => return Ordering::Less,
                        Ordering::Equal => match ea.cmp(eb) {
                            Ordering::Equal => continue,
                            o => return o,
                        },
                    },
                }
            }
        })
    }
}
impl PartialOrd for Monomial {
    fn partial_cmp(&self, other: &Monomial) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Monomial {
    /// Text form: `1`, `x`, `x^2*y`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_one() {
            return f.write_str("1");
        }
        for (i, (v, e)) in self.powers().enumerate() {
            if i > 0 {
                f.write_str("*")?;
            }
            if e == 1 {
                write!(f, "{v}")?;
            } else {
                write!(f, "{v}^{e}")?;
            }
        }
        Ok(())
    }
}
impl fmt::Debug for Monomial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graded_lex_order() {
        let x = Var::new("x");
        let y = Var::new("y");
        let ms = [
            Monomial::one(),
            Monomial::var(y.clone()),
            Monomial::var(x.clone()),
            Monomial::power(y.clone(), 2),
            Monomial::from_powers([(x.clone(), 1), (y.clone(), 1)]),
            Monomial::power(x.clone(), 2),
            Monomial::from_powers([(x.clone(), 1), (y.clone(), 2)]),
            Monomial::from_powers([(x.clone(), 2), (y.clone(), 1)]),
        ];
        for (i, a) in ms.iter().enumerate() {
            for (j, b) in ms.iter().enumerate() {
                assert_eq!(a.cmp(b), i.cmp(&j), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn display() {
        let m = Monomial::from_powers([(Var::new("y"), 1), (Var::new("x"), 2), (Var::new("z"), 0)]);
        assert_eq!(m.to_string(), "x^2*y");
        assert_eq!(Monomial::one().to_string(), "1");
    }
}
