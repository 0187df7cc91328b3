//! Arithmetic in the prime field `F_p`, `p = 2^61 − 1`, and an incremental row echelon form.
//!
//! Used only for *upper bounds on ranks' complements*, never for a verdict on its own: the rank
//! of a rational matrix reduced mod `p` is at most its rank over `Q` (a nonzero minor mod `p` is
//! a nonzero rational minor), so `D − rank_p` bounds `D − rank_Q` from above, and vectors
//! independent mod `p` are independent over `Q`. A rational whose denominator is divisible by
//! `p` has no image; the callers then skip that vector (a smaller rank is still a valid bound).

use fibers_exact::{Integer, Rational};
use std::ops::{Add, Mul, Neg, Sub};

/// The prime `2^61 − 1`.
pub const P: u64 = (1 << 61) - 1;

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
    pub fn pow(self, mut e: u64) -> Fp {
        let (mut b, mut r) = (self, Fp::ONE);
        while e > 0 {
            if e & 1 == 1 {
                r = r * b;
            }
            b = b * b;
            e >>= 1;
        }
        r
    }

    /// The inverse (of a nonzero element).
    pub fn inv(self) -> Fp {
        debug_assert!(!self.is_zero());
        self.pow(P - 2)
    }

    /// The image of a small integer.
    pub fn from_i64(v: i64) -> Fp {
        let r = v.rem_euclid(P as i64);
        Fp(r as u64)
    }

    /// The image of an integer.
    pub fn from_integer(n: &Integer) -> Fp {
        if let Some(v) = n.to_i64() {
            return Fp::from_i64(v);
        }
        // n − p·floor(n/p) is in 0..p.
        let p = Integer::from(P);
        let q = Rational::new(n.clone(), p.clone())
            .expect("p is nonzero")
            .floor();
        let r = n - &(q * &p);
        Fp::from_i64(r.to_i64().expect("the remainder is below p"))
    }

    /// The image of a rational, or `None` when `p` divides its denominator.
    pub fn from_rational(r: &Rational) -> Option<Fp> {
        let d = Fp::from_integer(&r.denom());
        if d.is_zero() {
            return None;
        }
        Some(Fp::from_integer(&r.numer()) * d.inv())
    }
}

#[inline]
fn reduce(t: u128) -> u64 {
    let lo = (t as u64) & P;
    let hi = (t >> 61) as u64;
    let s = lo + hi;
    let s = (s & P) + (s >> 61);
    if s >= P {
        s - P
    } else {
        s
    }
}

impl Add for Fp {
    type Output = Fp;
    #[inline]
    fn add(self, o: Fp) -> Fp {
        let s = self.0 + o.0;
        Fp(if s >= P { s - P } else { s })
    }
}
impl Sub for Fp {
    type Output = Fp;
    #[inline]
    fn sub(self, o: Fp) -> Fp {
        Fp(if self.0 >= o.0 {
            self.0 - o.0
        } else {
            self.0 + P - o.0
        })
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
        Fp(reduce(u128::from(self.0) * u128::from(o.0)))
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
