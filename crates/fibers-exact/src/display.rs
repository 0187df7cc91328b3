//! Decimal approximations of exact rationals, for text meant for people (the exact value is
//! always printed too; these are never used in a decision).

use crate::{Integer, Rational};

/// `r` rounded to `digits` significant decimal digits (half away from zero), computed exactly:
/// plain notation for magnitudes from `1e-4` to below `1e7` (`0.333333`, `-1234.57`), scientific
/// otherwise (`4.86125e+28`). Trailing zeros are dropped; zero is `0`.
pub fn approx(r: &Rational, digits: usize) -> String {
    if r.is_zero() {
        return "0".to_string();
    }
    let k = digits.max(1) as i32;
    let a = r.abs();
    // First guess of the decimal exponent e with 10^e <= a < 10^(e+1), from the bit lengths.
    let bits = a.numer().bits() as f64 - a.denom().bits() as f64;
    let mut e = (bits * std::f64::consts::LOG10_2).floor() as i32;
    let ten = Rational::from(10);
    let half = Rational::ratio(1, 2);
    let lo = Integer::from(10i64).pow(k as u32 - 1);
    let hi = Integer::from(10i64).pow(k as u32);
    let m = loop {
        let scaled = &a * &ten.pow(k - 1 - e).expect("nonzero");
        let m = (&scaled + &half).floor();
        if m >= hi {
            e += 1;
        } else if m < lo {
            e -= 1;
        } else {
            break m;
        }
    };
    let sign = if r.is_negative() { "-" } else { "" };
    let d = m.to_string();
    if (-4..7).contains(&e) {
        // Plain notation: the point after e + 1 digits.
        let text = if e >= 0 {
            let (int, frac) = d.split_at((e as usize + 1).min(d.len()));
            let int = format!(
                "{int}{}",
                "0".repeat((e as usize + 1).saturating_sub(d.len()))
            );
            let frac = frac.trim_end_matches('0');
            if frac.is_empty() {
                int
            } else {
                format!("{int}.{frac}")
            }
        } else {
            let frac = format!("{}{d}", "0".repeat((-e - 1) as usize));
            format!("0.{}", frac.trim_end_matches('0'))
        };
        format!("{sign}{text}")
    } else {
        let (lead, rest) = d.split_at(1);
        let rest = rest.trim_end_matches('0');
        let mant = if rest.is_empty() {
            lead.to_string()
        } else {
            format!("{lead}.{rest}")
        };
        format!("{sign}{mant}e{}{}", if e < 0 { "-" } else { "+" }, e.abs())
    }
}

/// `r` followed by ` ≈ DECIMAL` (6 significant digits) unless `r` is an integer or a decimal
/// with at most 6 significant digits that prints the same.
pub fn with_approx(r: &Rational) -> String {
    let exact = r.to_string();
    if r.is_integer() {
        return exact;
    }
    format!("{exact} ≈ {}", approx(r, 6))
}

/// A vector of rationals as `[a, b, …]` in decimals (6 significant digits).
pub fn approx_vector(v: &[Rational]) -> String {
    let parts: Vec<String> = v.iter().map(|r| approx(r, 6)).collect();
    format!("[{}]", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Rational {
        s.parse().unwrap()
    }

    #[test]
    fn decimals() {
        assert_eq!(approx(&q("1/3"), 6), "0.333333");
        assert_eq!(approx(&q("-2/3"), 6), "-0.666667");
        assert_eq!(approx(&q("1/2"), 6), "0.5");
        assert_eq!(approx(&q("1234567/1000"), 6), "1234.57");
        assert_eq!(approx(&q("999999.6"), 6), "1000000");
        assert_eq!(approx(&q("12345678"), 6), "1.23457e+7");
        assert_eq!(approx(&q("1/80000"), 6), "1.25e-5");
        assert_eq!(approx(&q("1/8000"), 6), "0.000125");
        assert_eq!(approx(&q("100"), 6), "100");
        assert_eq!(approx(&q("0"), 6), "0");
        assert_eq!(
            approx(
                &q("-4861245098126257642349843796617/39614081257132168796771975168"),
                6
            ),
            "-122.715"
        );
        assert_eq!(with_approx(&q("3")), "3");
        assert_eq!(with_approx(&q("1/3")), "1/3 ≈ 0.333333");
    }
}
