//! Sparse multivariate polynomials over Q with named variables.
//!
//! A [`Polynomial`] is a map from [`Monomial`] to nonzero [`Rational`] coefficient, so every
//! polynomial has exactly one representation: two polynomials are equal as functions on Qⁿ
//! if and only if they are equal as values, and `p ≡ 0` is [`Polynomial::is_zero`].
//! Terms are kept in the canonical term order of [`crate::monomial`].

use crate::monomial::Monomial;
use crate::var::Var;
use fibers_exact::Rational;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// An assignment of rational values to variables.
pub type Point = BTreeMap<Var, Rational>;

pub use fibers_exact::Sign;

/// Why a polynomial could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// The point gives no value to a variable of the polynomial.
    #[error("no value given for variable {0}")]
    MissingValue(Var),
}

/// A polynomial with rational coefficients in named variables.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Polynomial {
    terms: BTreeMap<Monomial, Rational>,
}

/// `base^exp` by repeated squaring.
pub(crate) fn rat_pow(base: &Rational, mut exp: u32) -> Rational {
    let mut result = Rational::one();
    let mut b = base.clone();
    while exp > 0 {
        if exp & 1 == 1 {
            result *= &b;
        }
        exp >>= 1;
        if exp > 0 {
            b = &b * &b;
        }
    }
    result
}

impl Polynomial {
    /// The zero polynomial.
    pub fn zero() -> Polynomial {
        Polynomial::default()
    }

    /// The constant `1`.
    pub fn one() -> Polynomial {
        Polynomial::constant(Rational::one())
    }

    /// A constant polynomial.
    pub fn constant(c: Rational) -> Polynomial {
        Polynomial::term(c, Monomial::one())
    }

    /// The polynomial `v`.
    pub fn var(v: Var) -> Polynomial {
        Polynomial::term(Rational::one(), Monomial::var(v))
    }

    /// The single term `c · m` (zero when `c` is zero).
    pub fn term(c: Rational, m: Monomial) -> Polynomial {
        let mut terms = BTreeMap::new();
        if !c.is_zero() {
            terms.insert(m, c);
        }
        Polynomial { terms }
    }

    /// The sum of the terms `c · m`; repeated monomials are added up and zero coefficients
    /// dropped.
    pub fn from_terms<I: IntoIterator<Item = (Rational, Monomial)>>(terms: I) -> Polynomial {
        let mut p = Polynomial::zero();
        for (c, m) in terms {
            p.add_term(c, m);
        }
        p
    }

    fn add_term(&mut self, c: Rational, m: Monomial) {
        if c.is_zero() {
            return;
        }
        match self.terms.entry(m) {
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(c);
            }
            std::collections::btree_map::Entry::Occupied(mut e) => {
                *e.get_mut() += c;
                if e.get().is_zero() {
                    e.remove();
                }
            }
        }
    }

    /// Identity test: whether this is the zero polynomial (equivalently, vanishes at every
    /// point of Qⁿ).
    pub fn is_zero(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether this polynomial is a constant (including zero).
    pub fn is_constant(&self) -> bool {
        self.terms.keys().all(Monomial::is_one)
    }

    /// The constant term.
    pub fn constant_term(&self) -> Rational {
        self.coefficient(&Monomial::one())
    }

    /// The coefficient of a monomial (zero when absent).
    pub fn coefficient(&self, m: &Monomial) -> Rational {
        self.terms.get(m).cloned().unwrap_or_else(Rational::zero)
    }

    /// Number of (nonzero) terms.
    pub fn num_terms(&self) -> usize {
        self.terms.len()
    }

    /// The terms as `(monomial, coefficient)`, in *increasing* term order (the reverse of the
    /// display order).
    pub fn terms(&self) -> impl DoubleEndedIterator<Item = (&Monomial, &Rational)> + '_ {
        self.terms.iter()
    }

    /// Total degree; `None` for the zero polynomial.
    pub fn total_degree(&self) -> Option<u64> {
        self.terms.keys().map(Monomial::degree).max()
    }

    /// The degree in one variable (0 for the zero polynomial).
    pub fn degree_in(&self, v: &Var) -> u32 {
        self.terms.keys().map(|m| m.exponent(v)).max().unwrap_or(0)
    }

    /// The variables that occur, in canonical order.
    pub fn variables(&self) -> BTreeSet<Var> {
        self.terms.keys().flat_map(|m| m.vars().cloned()).collect()
    }

    /// `c · self`.
    pub fn scale(&self, c: &Rational) -> Polynomial {
        if c.is_zero() {
            return Polynomial::zero();
        }
        Polynomial {
            terms: self.terms.iter().map(|(m, a)| (m.clone(), a * c)).collect(),
        }
    }

    /// `self^exp` (`1` for `exp = 0`).
    pub fn pow(&self, mut exp: u32) -> Polynomial {
        let mut result = Polynomial::one();
        let mut base = self.clone();
        while exp > 0 {
            if exp & 1 == 1 {
                result = &result * &base;
            }
            exp >>= 1;
            if exp > 0 {
                base = &base * &base;
            }
        }
        result
    }

    /// The partial derivative `∂self/∂v`.
    pub fn derivative(&self, v: &Var) -> Polynomial {
        Polynomial::from_terms(self.terms.iter().filter_map(|(m, c)| {
            let (lowered, e) = m.lower(v)?;
            Some((c * Rational::from(i64::from(e)), lowered))
        }))
    }

    /// The gradient `(∂self/∂v)` for `v` in `vars`, in that order.
    pub fn gradient(&self, vars: &[Var]) -> Vec<Polynomial> {
        vars.iter().map(|v| self.derivative(v)).collect()
    }

    /// The exact value at a point; every variable of `self` must have a value (other entries
    /// of the point are ignored).
    pub fn eval(&self, point: &Point) -> Result<Rational, EvalError> {
        let mut total = Rational::zero();
        for (m, c) in &self.terms {
            let mut t = c.clone();
            for (v, e) in m.powers() {
                let x = point
                    .get(v)
                    .ok_or_else(|| EvalError::MissingValue(v.clone()))?;
                t *= rat_pow(x, e);
            }
            total += t;
        }
        Ok(total)
    }

    /// The exact sign at a point (see [`Polynomial::eval`]).
    pub fn sign_at(&self, point: &Point) -> Result<Sign, EvalError> {
        Ok(Sign::of(&self.eval(point)?))
    }

    /// Partial evaluation: replaces the variables that have a value in `point` by that value
    /// and keeps the others.
    pub fn substitute(&self, point: &Point) -> Polynomial {
        Polynomial::from_terms(self.terms.iter().map(|(m, c)| {
            let (fixed, rest) = m.split(|v| point.contains_key(v));
            let mut t = c.clone();
            for (v, e) in fixed.powers() {
                t *= rat_pow(&point[v], e);
            }
            (t, rest)
        }))
    }

    /// Composition: replaces each variable `v` that is a key of `images` by the polynomial
    /// `images[v]` (simultaneously) and keeps the others.
    pub fn compose(&self, images: &BTreeMap<Var, Polynomial>) -> Polynomial {
        let mut cache: BTreeMap<(Var, u32), Polynomial> = BTreeMap::new();
        let mut result = Polynomial::zero();
        for (m, c) in &self.terms {
            let (replaced, rest) = m.split(|v| images.contains_key(v));
            let mut t = Polynomial::term(c.clone(), rest);
            for (v, e) in replaced.powers() {
                let factor = cache
                    .entry((v.clone(), e))
                    .or_insert_with(|| images[v].pow(e));
                t = &t * &*factor;
            }
            result += t;
        }
        result
    }
}

impl From<Var> for Polynomial {
    fn from(v: Var) -> Polynomial {
        Polynomial::var(v)
    }
}
impl From<Rational> for Polynomial {
    fn from(c: Rational) -> Polynomial {
        Polynomial::constant(c)
    }
}
impl From<i64> for Polynomial {
    fn from(c: i64) -> Polynomial {
        Polynomial::constant(Rational::from(c))
    }
}
impl From<Monomial> for Polynomial {
    fn from(m: Monomial) -> Polynomial {
        Polynomial::term(Rational::one(), m)
    }
}

impl Neg for &Polynomial {
    type Output = Polynomial;
    fn neg(self) -> Polynomial {
        Polynomial {
            terms: self.terms.iter().map(|(m, c)| (m.clone(), -c)).collect(),
        }
    }
}
impl Neg for Polynomial {
    type Output = Polynomial;
    fn neg(mut self) -> Polynomial {
        for c in self.terms.values_mut() {
            *c = -&*c;
        }
        self
    }
}

impl AddAssign<&Polynomial> for Polynomial {
    fn add_assign(&mut self, rhs: &Polynomial) {
        for (m, c) in &rhs.terms {
            self.add_term(c.clone(), m.clone());
        }
    }
}
impl SubAssign<&Polynomial> for Polynomial {
    fn sub_assign(&mut self, rhs: &Polynomial) {
        for (m, c) in &rhs.terms {
            self.add_term(-c, m.clone());
        }
    }
}
impl MulAssign<&Polynomial> for Polynomial {
    fn mul_assign(&mut self, rhs: &Polynomial) {
        *self = &*self * rhs;
    }
}
impl Mul<&Polynomial> for &Polynomial {
    type Output = Polynomial;
    fn mul(self, rhs: &Polynomial) -> Polynomial {
        let mut p = Polynomial::zero();
        for (ma, ca) in &self.terms {
            for (mb, cb) in &rhs.terms {
                p.add_term(ca * cb, ma.mul(mb));
            }
        }
        p
    }
}
impl Add<&Polynomial> for &Polynomial {
    type Output = Polynomial;
    fn add(self, rhs: &Polynomial) -> Polynomial {
        let mut p = self.clone();
        p += rhs;
        p
    }
}
impl Sub<&Polynomial> for &Polynomial {
    type Output = Polynomial;
    fn sub(self, rhs: &Polynomial) -> Polynomial {
        let mut p = self.clone();
        p -= rhs;
        p
    }
}

macro_rules! owned_ops {
    ($tr:ident, $m:ident, $atr:ident, $am:ident) => {
        impl $tr<Polynomial> for Polynomial {
            type Output = Polynomial;
            fn $m(self, rhs: Polynomial) -> Polynomial {
                (&self).$m(&rhs)
            }
        }
        impl $tr<&Polynomial> for Polynomial {
            type Output = Polynomial;
            fn $m(self, rhs: &Polynomial) -> Polynomial {
                (&self).$m(rhs)
            }
        }
        impl $tr<Polynomial> for &Polynomial {
            type Output = Polynomial;
            fn $m(self, rhs: Polynomial) -> Polynomial {
                self.$m(&rhs)
            }
        }
        impl $atr<Polynomial> for Polynomial {
            fn $am(&mut self, rhs: Polynomial) {
                self.$am(&rhs)
            }
        }
    };
}
owned_ops!(Add, add, AddAssign, add_assign);
owned_ops!(Sub, sub, SubAssign, sub_assign);
owned_ops!(Mul, mul, MulAssign, mul_assign);

impl std::iter::Sum for Polynomial {
    fn sum<I: Iterator<Item = Polynomial>>(iter: I) -> Polynomial {
        iter.fold(Polynomial::zero(), |a, b| a + b)
    }
}
impl std::iter::Product for Polynomial {
    fn product<I: Iterator<Item = Polynomial>>(iter: I) -> Polynomial {
        iter.fold(Polynomial::one(), |a, b| a * b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x() -> Polynomial {
        Polynomial::var(Var::new("x"))
    }
    fn y() -> Polynomial {
        Polynomial::var(Var::new("y"))
    }

    #[test]
    fn arithmetic_and_identity() {
        let p = &x() + &y();
        let lhs = p.pow(2);
        let rhs = x().pow(2) + Polynomial::from(2) * x() * y() + y().pow(2);
        assert_eq!(lhs, rhs);
        assert!((lhs - rhs).is_zero());
        assert_eq!(p.pow(0), Polynomial::one());
        assert!((&x() - &x()).is_zero());
    }

    #[test]
    fn derivative_and_eval() {
        let p = x().pow(3) * y() - Polynomial::from(Rational::ratio(1, 2)) * y();
        let vx = Var::new("x");
        let vy = Var::new("y");
        assert_eq!(p.derivative(&vx), Polynomial::from(3) * x().pow(2) * y());
        assert_eq!(
            p.derivative(&vy),
            x().pow(3) - Polynomial::from(Rational::ratio(1, 2))
        );
        let pt: Point = [
            (vx.clone(), Rational::from(2)),
            (vy.clone(), Rational::from(-3)),
        ]
        .into_iter()
        .collect();
        assert_eq!(p.eval(&pt).unwrap(), Rational::ratio(-45, 2));
        assert_eq!(p.sign_at(&pt).unwrap(), Sign::Negative);
        let partial: Point = [(vx.clone(), Rational::from(2))].into_iter().collect();
        assert_eq!(
            p.substitute(&partial),
            Polynomial::from(Rational::ratio(15, 2)) * y()
        );
        assert_eq!(p.eval(&partial), Err(EvalError::MissingValue(vy.clone())));
    }
}
