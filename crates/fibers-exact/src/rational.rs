//! Exact rational numbers behind one API with two backends.
//!
//! [`Rational`] wraps `num_rational::BigRational` by default and `rug::Rational` with the
//! `gmp` feature. Values are always in lowest terms with a positive denominator. Arithmetic
//! operators panic on division by zero, like the integer types of `std`; use
//! [`Rational::checked_div`] or [`Rational::recip`] where a zero divisor is possible.

use crate::integer::Integer;
use std::cmp::Ordering;
use std::fmt;
use std::iter::{Product, Sum};
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};
use std::str::FromStr;

#[cfg(not(feature = "gmp"))]
type RatInner = num_rational::BigRational;
#[cfg(feature = "gmp")]
type RatInner = rug::Rational;

/// The default of [`max_digits`]: the most decimal digits a number read by
/// [`Rational::from_str`] may have in its numerator or denominator, counted after expanding a
/// decimal exponent (`"9e999"` has 1000 digits). A weight of a real network (a float written
/// exactly) has at most a few hundred.
pub const DEFAULT_MAX_DIGITS: usize = 1_000;
/// The largest absolute decimal exponent [`Rational::from_str`] ever accepts, whatever the
/// digit limit.
pub const MAX_EXPONENT: i64 = 100_000_000;

static MAX_DIGITS: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(DEFAULT_MAX_DIGITS);

/// The digit limit in force for [`Rational::from_str`] (see [`DEFAULT_MAX_DIGITS`]).
pub fn max_digits() -> usize {
    MAX_DIGITS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Sets the digit limit of [`Rational::from_str`] for the whole process (the CLI's
/// `--max-digits`). Reading time and memory grow with it: a number of `d` digits costs
/// `O(d)` memory and its products `O(d^2)` time.
pub fn set_max_digits(n: usize) {
    MAX_DIGITS.store(n.max(1), std::sync::atomic::Ordering::Relaxed);
}

/// An exact rational number in lowest terms.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Rational(RatInner);

/// Why a string is not a rational number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseRationalError {
    /// The string is empty.
    #[error("empty number")]
    Empty,
    /// The string does not follow the grammar (integer, `p/q`, or decimal).
    #[error("not a number: {0:?} (expected an integer, \"p/q\", or a decimal such as \"-0.125\")")]
    Invalid(String),
    /// A `p/q` with `q = 0`.
    #[error("zero denominator in {0:?}")]
    ZeroDenominator(String),
    /// More digits than [`max_digits`] (the number of characters).
    #[error("number too long ({0} characters; the limit is {limit} digits, raise it with --max-digits)", limit = max_digits())]
    TooLong(usize),
    /// A decimal exponent that expands the number beyond [`max_digits`] digits.
    #[error("exponent too large in {0:?}: the number would have more than {limit} digits (raise the limit with --max-digits)", limit = max_digits())]
    ExponentTooLarge(String),
}

impl Rational {
    /// Zero.
    pub fn zero() -> Self {
        Rational::from(0)
    }
    /// One.
    pub fn one() -> Self {
        Rational::from(1)
    }
    /// `num / den`, or `None` when `den` is zero.
    pub fn new(num: Integer, den: Integer) -> Option<Self> {
        if den.is_zero() {
            return None;
        }
        #[cfg(not(feature = "gmp"))]
        {
            Some(Rational(RatInner::new(num.0, den.0)))
        }
        #[cfg(feature = "gmp")]
        {
            Some(Rational(RatInner::from((num.0, den.0))))
        }
    }
    /// `num / den` for small integers. Panics when `den` is zero (meant for constants and tests).
    pub fn ratio(num: i64, den: i64) -> Self {
        Rational::new(Integer::from(num), Integer::from(den)).expect("zero denominator")
    }
    /// The integer `n` as a rational.
    pub fn from_integer(n: Integer) -> Self {
        Rational::new(n, Integer::one()).expect("one is nonzero")
    }
    /// Numerator (carries the sign).
    pub fn numer(&self) -> Integer {
        #[cfg(not(feature = "gmp"))]
        {
            Integer(self.0.numer().clone())
        }
        #[cfg(feature = "gmp")]
        {
            Integer(self.0.numer().clone())
        }
    }
    /// Denominator (always positive).
    pub fn denom(&self) -> Integer {
        #[cfg(not(feature = "gmp"))]
        {
            Integer(self.0.denom().clone())
        }
        #[cfg(feature = "gmp")]
        {
            Integer(self.0.denom().clone())
        }
    }
    /// Whether this is zero.
    pub fn is_zero(&self) -> bool {
        self.signum() == 0
    }
    /// Whether the denominator is one.
    pub fn is_integer(&self) -> bool {
        #[cfg(not(feature = "gmp"))]
        {
            self.0.is_integer()
        }
        #[cfg(feature = "gmp")]
        {
            *self.0.denom() == 1
        }
    }
    /// Sign as -1, 0 or 1.
    pub fn signum(&self) -> i32 {
        #[cfg(not(feature = "gmp"))]
        {
            match self.0.numer().sign() {
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
    /// Whether strictly positive.
    pub fn is_positive(&self) -> bool {
        self.signum() > 0
    }
    /// Whether strictly negative.
    pub fn is_negative(&self) -> bool {
        self.signum() < 0
    }
    /// Absolute value.
    pub fn abs(&self) -> Self {
        if self.is_negative() {
            -self
        } else {
            self.clone()
        }
    }
    /// `1 / self`, or `None` for zero.
    pub fn recip(&self) -> Option<Self> {
        Rational::new(self.denom(), self.numer())
    }
    /// `self / rhs`, or `None` when `rhs` is zero.
    pub fn checked_div(&self, rhs: &Rational) -> Option<Self> {
        rhs.recip().map(|r| self * &r)
    }
    /// `self^exp` for any integer exponent; `None` for a negative power of zero.
    pub fn pow(&self, exp: i32) -> Option<Self> {
        let e = exp.unsigned_abs();
        let r = Rational::new(self.numer().pow(e), self.denom().pow(e)).expect("nonzero");
        if exp < 0 {
            r.recip()
        } else {
            Some(r)
        }
    }
    /// Largest integer `≤ self`.
    pub fn floor(&self) -> Integer {
        let (n, d) = (self.numer(), self.denom());
        let q = n.div_exact(&d); // truncates toward zero
        if self.is_negative() && !self.is_integer() {
            q - Integer::one()
        } else {
            q
        }
    }
    /// Smallest integer `≥ self`.
    pub fn ceil(&self) -> Integer {
        -(-self).floor()
    }
    /// The exact value of a finite `f64`; `None` for NaN and infinities.
    pub fn from_f64_exact(v: f64) -> Option<Self> {
        if !v.is_finite() {
            return None;
        }
        let bits = v.to_bits();
        let negative = bits >> 63 == 1;
        let exp_bits = ((bits >> 52) & 0x7ff) as i64;
        let frac = bits & ((1u64 << 52) - 1);
        let (mantissa, exp) = if exp_bits == 0 {
            (frac, -1074)
        } else {
            (frac | (1u64 << 52), exp_bits - 1075)
        };
        let m = Rational::from_integer(Integer::from(mantissa));
        let scale = Rational::from_integer(Integer::pow2(exp.unsigned_abs() as u32));
        let r = if exp >= 0 { m * scale } else { m / scale };
        Some(if negative { -r } else { r })
    }
    /// The nearest `f64` (ties to even; `±inf` beyond the finite range, `±0` below half the
    /// smallest subnormal), for display, plotting and numerical integration only (never for a
    /// decision). Both backends give the same bits, and
    /// `Rational::from_f64_exact(v).unwrap().to_f64_lossy() == v` for every finite `v`.
    pub fn to_f64_lossy(&self) -> f64 {
        let sign = self.signum();
        if sign == 0 {
            return 0.0;
        }
        let magnitude = Self::positive_to_f64(&self.numer().abs(), &self.denom());
        if sign < 0 {
            -magnitude
        } else {
            magnitude
        }
    }

    /// Correctly rounded `n / d` for positive integers, computed with integer arithmetic only.
    fn positive_to_f64(n: &Integer, d: &Integer) -> f64 {
        // n / d lies in [2^(diff-1), 2^(diff+1)).
        let diff = n.bits() as i64 - d.bits() as i64;
        if diff > 1025 {
            return f64::INFINITY;
        }
        if diff < -1080 {
            return 0.0;
        }
        // Scale so that the truncated quotient q has 55 or 56 bits: n 2^s / d in [2^54, 2^56).
        let s = 55 - diff;
        let scale = Integer::pow2(s.unsigned_abs() as u32);
        let (num, den) = if s >= 0 {
            (n * &scale, d.clone())
        } else {
            (n.clone(), d * &scale)
        };
        let q = num.div_exact(&den);
        let sticky = &q * &den != num;
        let q = q.to_i64().expect("quotient has at most 56 bits") as u64;
        // n / d = (q + f) 2^-s with 0 <= f < 1, and f > 0 exactly when `sticky`.
        let q_bits = 64 - i64::from(q.leading_zeros());
        let leading_exp = q_bits - 1 - s;
        // Weight of the last mantissa bit kept: 53 significant bits, or fewer when subnormal.
        let mut low = (leading_exp - 52).max(-1074);
        let drop = (low + s) as u32; // in 2..=61 by the range checks above
        let mut m = q >> drop;
        let rest = q & ((1u64 << drop) - 1);
        let half = 1u64 << (drop - 1);
        if rest > half || (rest == half && (sticky || m & 1 == 1)) {
            m += 1;
        }
        if m == 1u64 << 53 {
            m >>= 1;
            low += 1;
        }
        // m 2^low, encoded: the subnormal and normal encodings meet at m = 2^52, low = -1074.
        let biased = low + 1074;
        if biased + 1 >= 2047 {
            return f64::INFINITY;
        }
        f64::from_bits(((biased as u64) << 52) + m)
    }
    /// The smaller of two values (by reference).
    pub fn min_ref<'a>(&'a self, other: &'a Rational) -> &'a Rational {
        if self <= other {
            self
        } else {
            other
        }
    }
    /// The larger of two values (by reference).
    pub fn max_ref<'a>(&'a self, other: &'a Rational) -> &'a Rational {
        if self >= other {
            self
        } else {
            other
        }
    }
}

impl Rational {
    /// Numerator and (positive) denominator as machine integers when both fit in `i64`,
    /// read without allocating (the fast paths of exact evaluation and writing use it).
    pub fn to_i64_parts(&self) -> Option<(i64, i64)> {
        #[cfg(not(feature = "gmp"))]
        {
            use num_traits::ToPrimitive;
            Some((self.0.numer().to_i64()?, self.0.denom().to_i64()?))
        }
        #[cfg(feature = "gmp")]
        {
            Some((self.0.numer().to_i64()?, self.0.denom().to_i64()?))
        }
    }
}

impl From<i64> for Rational {
    fn from(v: i64) -> Self {
        Rational::from_integer(Integer::from(v))
    }
}
impl From<i32> for Rational {
    fn from(v: i32) -> Self {
        Rational::from(i64::from(v))
    }
}
impl From<Integer> for Rational {
    fn from(v: Integer) -> Self {
        Rational::from_integer(v)
    }
}

fn parse_int_checked(s: &str, whole: &str) -> Result<Integer, ParseRationalError> {
    s.parse::<Integer>()
        .map_err(|_| ParseRationalError::Invalid(whole.to_string()))
}

impl FromStr for Rational {
    type Err = ParseRationalError;
    /// Accepts an integer (`-12`), a fraction (`3/4`, `-3/4`), or a decimal with optional
    /// exponent (`-0.125`, `.5`, `2.`, `1e-3`, `6.02E23`), all read exactly.
    ///
    /// Grammar (after trimming surrounding white space): `[+-]?D` | `[+-]?D/D` |
    /// `[+-]?(D.D?|.D|D)([eE][+-]?D)?` with `D` a run of ASCII digits; nothing else (no space
    /// inside, no sign on a denominator). Numerator and denominator may have at most
    /// [`max_digits`] digits, counted after expanding the exponent.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.is_empty() {
            return Err(ParseRationalError::Empty);
        }
        let limit = max_digits();
        if t.len() > limit.saturating_add(16) {
            return Err(ParseRationalError::TooLong(t.len()));
        }
        let invalid = || ParseRationalError::Invalid(s.to_string());
        let all_digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
        let significant = |x: &str| x.trim_start_matches('0').len();
        if let Some((p, q)) = t.split_once('/') {
            let pd = p.strip_prefix(['-', '+']).unwrap_or(p);
            if pd.is_empty() || q.is_empty() || !all_digits(pd) || !all_digits(q) {
                return Err(invalid());
            }
            if significant(pd) > limit || significant(q) > limit {
                return Err(ParseRationalError::TooLong(t.len()));
            }
            let num = parse_int_checked(p, s)?;
            let den = parse_int_checked(q, s)?;
            return Rational::new(num, den)
                .ok_or_else(|| ParseRationalError::ZeroDenominator(s.to_string()));
        }
        // Decimal: sign, integer digits, optional fraction, optional exponent.
        let (negative, body) = match t.as_bytes()[0] {
            b'-' => (true, &t[1..]),
            b'+' => (false, &t[1..]),
            _ => (false, t),
        };
        let (mantissa, exponent) = match body.find(['e', 'E']) {
            Some(i) => (&body[..i], Some(&body[i + 1..])),
            None => (body, None),
        };
        let (int_part, frac_part) = match mantissa.split_once('.') {
            Some((a, b)) => (a, b),
            None => (mantissa, ""),
        };
        if (int_part.is_empty() && frac_part.is_empty())
            || !all_digits(int_part)
            || !all_digits(frac_part)
        {
            return Err(invalid());
        }
        let mut exp: i64 = match exponent {
            None => 0,
            Some(e) => {
                let digits = e.strip_prefix(['-', '+']).unwrap_or(e);
                if digits.is_empty() || !all_digits(digits) {
                    return Err(invalid());
                }
                if significant(digits) > 9 {
                    return Err(ParseRationalError::ExponentTooLarge(s.to_string()));
                }
                e.parse::<i64>().map_err(|_| invalid())?
            }
        };
        exp -= frac_part.len() as i64;
        let digits = format!("{int_part}{frac_part}");
        let m = significant(&digits);
        // Digits of the numerator (m + exp when exp ≥ 0) and the denominator (|exp| + 1).
        let expanded = if m == 0 {
            0
        } else if exp >= 0 {
            (m as i64).saturating_add(exp)
        } else {
            exp.saturating_neg().saturating_add(1).max(m as i64)
        };
        if exp.abs() > MAX_EXPONENT || expanded > limit as i64 {
            return Err(ParseRationalError::ExponentTooLarge(s.to_string()));
        }
        let m = Rational::from_integer(parse_int_checked(&digits, s)?);
        if m.is_zero() {
            return Ok(m);
        }
        let scale = Rational::from_integer(Integer::from(10).pow(exp.unsigned_abs() as u32));
        let r = if exp >= 0 { m * scale } else { m / scale };
        Ok(if negative { -r } else { r })
    }
}

impl fmt::Display for Rational {
    /// Writes `p` for integers and `p/q` otherwise, in lowest terms.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_integer() {
            write!(f, "{}", self.numer())
        } else {
            write!(f, "{}/{}", self.numer(), self.denom())
        }
    }
}
impl fmt::Debug for Rational {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl serde::Serialize for Rational {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}
impl<'de> serde::Deserialize<'de> for Rational {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Rational;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a rational number as an integer or a string \"p/q\"")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Rational, E> {
                Ok(Rational::from(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Rational, E> {
                Ok(Rational::from_integer(Integer::from(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Rational, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

impl Neg for Rational {
    type Output = Rational;
    fn neg(self) -> Rational {
        Rational(-self.0)
    }
}
impl Neg for &Rational {
    type Output = Rational;
    fn neg(self) -> Rational {
        -self.clone()
    }
}

macro_rules! rat_binop {
    ($tr:ident, $m:ident, $atr:ident, $am:ident, $op:tt) => {
        impl $tr<&Rational> for &Rational {
            type Output = Rational;
            fn $m(self, rhs: &Rational) -> Rational {
                #[cfg(not(feature = "gmp"))]
                {
                    Rational(&self.0 $op &rhs.0)
                }
                #[cfg(feature = "gmp")]
                {
                    Rational(rug::Rational::from(&self.0 $op &rhs.0))
                }
            }
        }
        impl $tr<Rational> for Rational {
            type Output = Rational;
            fn $m(self, rhs: Rational) -> Rational {
                &self $op &rhs
            }
        }
        impl $tr<&Rational> for Rational {
            type Output = Rational;
            fn $m(self, rhs: &Rational) -> Rational {
                &self $op rhs
            }
        }
        impl $tr<Rational> for &Rational {
            type Output = Rational;
            fn $m(self, rhs: Rational) -> Rational {
                self $op &rhs
            }
        }
        impl $atr<&Rational> for Rational {
            fn $am(&mut self, rhs: &Rational) {
                $atr::$am(&mut self.0, &rhs.0);
            }
        }
        impl $atr<Rational> for Rational {
            fn $am(&mut self, rhs: Rational) {
                $atr::$am(&mut self.0, rhs.0);
            }
        }
    };
}
rat_binop!(Add, add, AddAssign, add_assign, +);
rat_binop!(Sub, sub, SubAssign, sub_assign, -);
rat_binop!(Mul, mul, MulAssign, mul_assign, *);
rat_binop!(Div, div, DivAssign, div_assign, /);

impl Sum for Rational {
    fn sum<I: Iterator<Item = Rational>>(iter: I) -> Rational {
        iter.fold(Rational::zero(), |a, b| a + b)
    }
}
impl<'a> Sum<&'a Rational> for Rational {
    fn sum<I: Iterator<Item = &'a Rational>>(iter: I) -> Rational {
        iter.fold(Rational::zero(), |a, b| a + b)
    }
}
impl Product for Rational {
    fn product<I: Iterator<Item = Rational>>(iter: I) -> Rational {
        iter.fold(Rational::one(), |a, b| a * b)
    }
}

impl PartialEq<i64> for Rational {
    fn eq(&self, other: &i64) -> bool {
        #[cfg(not(feature = "gmp"))]
        {
            self.0.is_integer() && num_traits::ToPrimitive::to_i64(self.0.numer()) == Some(*other)
        }
        #[cfg(feature = "gmp")]
        {
            self.0 == *other
        }
    }
}
impl PartialOrd<i64> for Rational {
    fn partial_cmp(&self, other: &i64) -> Option<Ordering> {
        Some(self.cmp(&Rational::from(*other)))
    }
}

/// The name of the active arithmetic backend: `"num-bigint"` or `"gmp"`.
pub fn backend_name() -> &'static str {
    if cfg!(feature = "gmp") {
        "gmp"
    } else {
        "num-bigint"
    }
}
