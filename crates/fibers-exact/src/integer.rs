//! Arbitrary-precision integers behind one API with two backends.
//!
//! The default backend is pure Rust (`num-bigint`); the cargo feature `gmp` switches to GMP
//! through `rug`. Both expose exactly the same methods and trait implementations, so the rest
//! of the workspace never names a backend type.

use std::cmp::Ordering;
use std::fmt;
use std::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};
use std::str::FromStr;

#[cfg(not(feature = "gmp"))]
pub(crate) type IntInner = num_bigint::BigInt;
#[cfg(feature = "gmp")]
pub(crate) type IntInner = rug::Integer;

/// An arbitrary-precision signed integer.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Integer(pub(crate) IntInner);

/// The error returned when a string is not a decimal integer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an integer: {0:?}")]
pub struct ParseIntegerError(pub String);

impl Integer {
    /// Zero.
    pub fn zero() -> Self {
        Integer(IntInner::from(0))
    }
    /// One.
    pub fn one() -> Self {
        Integer(IntInner::from(1))
    }
    /// Whether this is zero.
    pub fn is_zero(&self) -> bool {
        self.signum() == 0
    }
    /// Sign as -1, 0 or 1.
    pub fn signum(&self) -> i32 {
        #[cfg(not(feature = "gmp"))]
        {
            match self.0.sign() {
                num_bigint::Sign::Minus => -1,
                num_bigint::Sign::NoSign => 0,
                num_bigint::Sign::Plus => 1,
            }
        }
        #[cfg(feature = "gmp")]
        {
            match self.0.cmp0() {
                Ordering::Less => -1,
                Ordering::Equal => 0,
                Ordering::Greater => 1,
            }
        }
    }
    /// Absolute value.
    pub fn abs(&self) -> Self {
        if self.signum() < 0 {
            -self.clone()
        } else {
            self.clone()
        }
    }
    /// `self` raised to a non-negative power.
    pub fn pow(&self, exp: u32) -> Self {
        #[cfg(not(feature = "gmp"))]
        {
            Integer(num_traits::Pow::pow(&self.0, exp))
        }
        #[cfg(feature = "gmp")]
        {
            use rug::ops::Pow;
            Integer(rug::Integer::from((&self.0).pow(exp)))
        }
    }
    /// Greatest common divisor (non-negative).
    pub fn gcd(&self, other: &Integer) -> Self {
        #[cfg(not(feature = "gmp"))]
        {
            Integer(num_integer::Integer::gcd(&self.0, &other.0))
        }
        #[cfg(feature = "gmp")]
        {
            Integer(rug::Integer::from(self.0.gcd_ref(&other.0)))
        }
    }
    /// Exact division when `other` divides `self` (truncating otherwise). Panics if `other` is 0.
    pub fn div_exact(&self, other: &Integer) -> Self {
        #[cfg(not(feature = "gmp"))]
        {
            Integer(&self.0 / &other.0)
        }
        #[cfg(feature = "gmp")]
        {
            Integer(rug::Integer::from(&self.0 / &other.0))
        }
    }
    /// Divides in place by a divisor known to divide `self` exactly (as in fraction-free
    /// elimination). With GMP this uses exact division, which is much faster than
    /// [`Integer::div_exact`]; the result is unspecified if the division is not exact (checked
    /// in debug builds). Panics if `other` is 0.
    pub fn divide_exactly_by(&mut self, other: &Integer) {
        #[cfg(not(feature = "gmp"))]
        {
            debug_assert!(
                (&self.0 % &other.0) == IntInner::from(0),
                "inexact division"
            );
            self.0 /= &other.0;
        }
        #[cfg(feature = "gmp")]
        {
            assert!(other.signum() != 0, "division by zero");
            debug_assert!(self.0.is_divisible(&other.0), "inexact division");
            self.0.div_exact_mut(&other.0);
        }
    }
    /// `self -= a · b` without a temporary (GMP's `mpz_submul`).
    pub fn submul(&mut self, a: &Integer, b: &Integer) {
        self.0 -= &a.0 * &b.0;
    }
    /// The value as an `i64`, if it fits.
    pub fn to_i64(&self) -> Option<i64> {
        #[cfg(not(feature = "gmp"))]
        {
            num_traits::ToPrimitive::to_i64(&self.0)
        }
        #[cfg(feature = "gmp")]
        {
            self.0.to_i64()
        }
    }
    /// Number of bits of the absolute value (0 for zero).
    pub fn bits(&self) -> u64 {
        #[cfg(not(feature = "gmp"))]
        {
            self.0.bits()
        }
        #[cfg(feature = "gmp")]
        {
            u64::from(self.0.significant_bits())
        }
    }
    /// The nearest `f64` (ties to even, `±inf` beyond the finite range), for display and
    /// plotting only (never for a decision). Both backends give the same bits.
    pub fn to_f64_lossy(&self) -> f64 {
        crate::rational::Rational::from_integer(self.clone()).to_f64_lossy()
    }
    /// `2^k`.
    pub fn pow2(k: u32) -> Self {
        Integer::from(2).pow(k)
    }
}

impl From<i64> for Integer {
    fn from(v: i64) -> Self {
        Integer(IntInner::from(v))
    }
}
impl From<i32> for Integer {
    fn from(v: i32) -> Self {
        Integer(IntInner::from(v))
    }
}
impl From<u64> for Integer {
    fn from(v: u64) -> Self {
        Integer(IntInner::from(v))
    }
}
impl From<usize> for Integer {
    fn from(v: usize) -> Self {
        Integer(IntInner::from(v as u64))
    }
}

impl FromStr for Integer {
    type Err = ParseIntegerError;
    /// Parses an optionally signed decimal integer (`-12`, `+7`, `0`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseIntegerError(s.to_string());
        let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        #[cfg(not(feature = "gmp"))]
        {
            s.parse::<IntInner>().map(Integer).map_err(|_| err())
        }
        #[cfg(feature = "gmp")]
        {
            IntInner::from_str_radix(s, 10)
                .map(Integer)
                .map_err(|_| err())
        }
    }
}

impl fmt::Display for Integer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}
impl fmt::Debug for Integer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Neg for Integer {
    type Output = Integer;
    fn neg(self) -> Integer {
        Integer(-self.0)
    }
}
impl Neg for &Integer {
    type Output = Integer;
    fn neg(self) -> Integer {
        -self.clone()
    }
}

macro_rules! int_binop {
    ($tr:ident, $m:ident, $atr:ident, $am:ident, $op:tt) => {
        impl $tr<&Integer> for &Integer {
            type Output = Integer;
            fn $m(self, rhs: &Integer) -> Integer {
                #[cfg(not(feature = "gmp"))]
                {
                    Integer(&self.0 $op &rhs.0)
                }
                #[cfg(feature = "gmp")]
                {
                    Integer(rug::Integer::from(&self.0 $op &rhs.0))
                }
            }
        }
        impl $tr<Integer> for Integer {
            type Output = Integer;
            fn $m(self, rhs: Integer) -> Integer {
                &self $op &rhs
            }
        }
        impl $tr<&Integer> for Integer {
            type Output = Integer;
            fn $m(self, rhs: &Integer) -> Integer {
                &self $op rhs
            }
        }
        impl $tr<Integer> for &Integer {
            type Output = Integer;
            fn $m(self, rhs: Integer) -> Integer {
                self $op &rhs
            }
        }
        impl $atr<&Integer> for Integer {
            fn $am(&mut self, rhs: &Integer) {
                $atr::$am(&mut self.0, &rhs.0);
            }
        }
        impl $atr<Integer> for Integer {
            fn $am(&mut self, rhs: Integer) {
                $atr::$am(&mut self.0, rhs.0);
            }
        }
    };
}
int_binop!(Add, add, AddAssign, add_assign, +);
int_binop!(Sub, sub, SubAssign, sub_assign, -);
int_binop!(Mul, mul, MulAssign, mul_assign, *);

impl PartialEq<i64> for Integer {
    fn eq(&self, other: &i64) -> bool {
        self.to_i64() == Some(*other)
    }
}
impl PartialOrd<i64> for Integer {
    fn partial_cmp(&self, other: &i64) -> Option<Ordering> {
        Some(match self.to_i64() {
            Some(v) => v.cmp(other),
            // Outside the i64 range: the sign decides.
            None if self.signum() > 0 => Ordering::Greater,
            None => Ordering::Less,
        })
    }
}
