//! Arithmetic in the prime field `F_p`, `p = 2^61 − 1`, and an incremental row echelon form.
//!
//! Used only for *upper bounds on ranks' complements*, never for a verdict on its own: the rank
//! of a rational matrix reduced mod `p` is at most its rank over `Q` (a nonzero minor mod `p` is
//! a nonzero rational minor), so `D − rank_p` bounds `D − rank_Q` from above, and vectors
//! independent mod `p` are independent over `Q`. A rational whose denominator is divisible by
//! `p` has no image; the callers then skip that vector (a smaller rank is still a valid bound).
//!
//! The field arithmetic (powers, inverses, images of integers and rationals) is
//! [`fibers_exact::modp`]'s, over its first prime `2^61 − 1` (reduced by shifts there); this
//! module adds only a value type with operators (used by the dual numbers of the bounds) and
//! [`Echelon`], a dense elimination that, unlike
//! [`fibers_exact::modp::EchelonModP`], returns the residual of a reduced vector and restricts
//! pivots to a column range (the block structure of the bounds needs both).

use fibers_exact::modp::{self, PRIMES};
use fibers_exact::{Integer, Rational};
use std::ops::{Add, Mul, Neg, Sub};

/// The prime `2^61 − 1` (the first of [`fibers_exact::modp::PRIMES`]).
pub const P: u64 = PRIMES[0];

/// An element of `F_p`, kept reduced in `0..P`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Fp(pub u64);

impl Fp {
    /// Zero.
    pub const ZERO: Fp = Fp(0);
    /// One.
    pub const ONE: Fp = Fp(1);

    /// Whether zero.
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// `self^e`.
    pub fn pow(self, e: u64) -> Fp {
        Fp(modp::pow_mod(self.0, e, P))
    }

    /// The inverse (of a nonzero element).
    pub fn inv(self) -> Fp {
        Fp(modp::inv_mod(self.0, P))
    }

    /// The image of a small integer.
    pub fn from_i64(v: i64) -> Fp {
        Fp(v.rem_euclid(P as i64) as u64)
    }

    /// The image of an integer.
    pub fn from_integer(n: &Integer) -> Fp {
        Fp(modp::reduce(&Rational::from(n.clone()), P).expect("an integer has an image"))
    }

    /// The image of a rational, or `None` when `p` divides its denominator.
    pub fn from_rational(r: &Rational) -> Option<Fp> {
        modp::reduce(r, P).map(Fp)
    }
}

impl Add for Fp {
    type Output = Fp;
    #[inline]
    fn add(self, o: Fp) -> Fp {
        Fp(modp::add_mod(self.0, o.0, P))
    }
}
impl Sub for Fp {
    type Output = Fp;
    #[inline]
    fn sub(self, o: Fp) -> Fp {
        Fp(modp::sub_mod(self.0, o.0, P))
    }
}
impl Neg for Fp {
    type Output = Fp;
    #[inline]
    fn neg(self) -> Fp {
        Fp::ZERO - self
    }
}
impl Mul for Fp {
    type Output = Fp;
    #[inline]
    fn mul(self, o: Fp) -> Fp {
        Fp(modp::mul_mod(self.0, o.0, P))
    }
}

/// An incremental row echelon form over `F_p` for vectors of a fixed length.
///
/// Every stored row is zero at the pivot columns of the rows stored before it and has entry 1
/// at its own pivot, so reducing a vector by the rows in order leaves it zero at every pivot
/// column. The stored rows are independent and span every vector inserted.
#[derive(Clone, Debug, Default)]
pub struct Echelon {
    rows: Vec<(usize, Vec<Fp>)>,
}

impl Echelon {
    /// An empty echelon form.
    pub fn new() -> Self {
        Echelon::default()
    }

    /// The number of stored (independent) rows.
    pub fn rank(&self) -> usize {
        self.rows.len()
    }

    /// Reduces `v` by the stored rows (in order). The pivot columns must lie in
    /// `0..pivot_limit` of `v`; the whole of `v` is updated.
    pub fn reduce(&self, v: &mut [Fp]) {
        for (p, row) in &self.rows {
            let c = v[*p];
            if c.is_zero() {
                continue;
            }
            for (a, b) in v.iter_mut().zip(row) {
                if !b.is_zero() {
                    *a = *a - c * *b;
                }
            }
        }
    }

    /// Reduces `v`; if a nonzero entry remains among the columns `0..pivot_limit`, stores `v`
    /// with its first such column as pivot and returns `true`. Otherwise returns `false` and
    /// leaves the reduced vector in `v`.
    pub fn insert_within(&mut self, v: &mut Vec<Fp>, pivot_limit: usize) -> bool {
        self.reduce(v);
        match v[..pivot_limit].iter().position(|a| !a.is_zero()) {
            Some(p) => {
                let inv = v[p].inv();
                for a in v.iter_mut() {
                    *a = *a * inv;
                }
                self.rows.push((p, std::mem::take(v)));
                true
            }
            None => false,
        }
    }

    /// Reduces and stores `v` if it is independent of the stored rows.
    pub fn insert(&mut self, mut v: Vec<Fp>) -> bool {
        let n = v.len();
        self.insert_within(&mut v, n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_and_images() {
        let a = Fp::from_i64(-3);
        assert_eq!(a + Fp::from_i64(3), Fp::ZERO);
        assert_eq!(a * a.inv(), Fp::ONE);
        let half = Fp::from_rational(&Rational::ratio(1, 2)).unwrap();
        assert_eq!(half * Fp::from_i64(2), Fp::ONE);
        let big = Integer::from(P) * Integer::from(P) + Integer::from(5u64);
        assert_eq!(Fp::from_integer(&big), Fp::from_i64(5));
        assert_eq!(Fp::from_integer(&-big), Fp::from_i64(-5));
        assert!(
            Fp::from_rational(&Rational::new(Integer::one(), Integer::from(P)).unwrap()).is_none()
        );
    }

    #[test]
    fn echelon_rank() {
        let f = |v: &[i64]| v.iter().map(|&x| Fp::from_i64(x)).collect::<Vec<_>>();
        let mut e = Echelon::new();
        assert!(e.insert(f(&[1, 2, 3])));
        assert!(e.insert(f(&[2, 4, 7])));
        assert!(!e.insert(f(&[3, 6, 10])));
        assert!(e.insert(f(&[0, 1, 0])));
        assert_eq!(e.rank(), 3);
    }
}
