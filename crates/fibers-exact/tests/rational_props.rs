//! Field axioms, ordering and conversions of `Rational` and `Integer` (run on both backends).

use fibers_exact::{Integer, ParseRationalError, Rational};
use proptest::prelude::*;
use std::cmp::Ordering;

/// Integers from a few 63-bit limbs: small ones often, big ones too.
fn integer() -> impl Strategy<Value = Integer> {
    prop_oneof![
        3 => (-20i64..=20).prop_map(Integer::from),
        3 => any::<i64>().prop_map(Integer::from),
        2 => (any::<bool>(), prop::collection::vec(0i64..=i64::MAX, 1..4)).prop_map(|(neg, limbs)| {
            let shift = Integer::pow2(63);
            let mut acc = Integer::zero();
            for l in limbs {
                acc = acc * &shift + Integer::from(l);
            }
            if neg { -acc } else { acc }
        }),
    ]
}

fn nonzero_integer() -> impl Strategy<Value = Integer> {
    integer().prop_filter("nonzero", |n| !n.is_zero())
}

fn rational() -> impl Strategy<Value = Rational> {
    (integer(), nonzero_integer()).prop_map(|(n, d)| Rational::new(n, d).unwrap())
}

fn nonzero_rational() -> impl Strategy<Value = Rational> {
    rational().prop_filter("nonzero", |r| !r.is_zero())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn addition_is_a_commutative_group(a in rational(), b in rational(), c in rational()) {
        prop_assert_eq!(&a + &b, &b + &a);
        prop_assert_eq!(&(&a + &b) + &c, &a + &(&b + &c));
        prop_assert_eq!(&a + &Rational::zero(), a.clone());
        prop_assert_eq!(&a + &(-&a), Rational::zero());
        prop_assert_eq!(&a - &b, &a + &(-&b));
        let mut s = a.clone();
        s += &b;
        s -= &c;
        prop_assert_eq!(s, &(&a + &b) - &c);
    }

    #[test]
    fn multiplication_is_commutative_associative_distributive(
        a in rational(), b in rational(), c in rational()
    ) {
        prop_assert_eq!(&a * &b, &b * &a);
        prop_assert_eq!(&(&a * &b) * &c, &a * &(&b * &c));
        prop_assert_eq!(&a * &(&b + &c), &(&a * &b) + &(&a * &c));
        prop_assert_eq!(&a * &Rational::one(), a.clone());
        prop_assert_eq!(&a * &Rational::zero(), Rational::zero());
        let mut p = a.clone();
        p *= &b;
        prop_assert_eq!(p, &a * &b);
    }

    #[test]
    fn nonzero_elements_are_invertible(a in nonzero_rational(), b in rational()) {
        let inv = a.recip().unwrap();
        prop_assert_eq!(&a * &inv, Rational::one());
        prop_assert_eq!(&b / &a, &b * &inv);
        prop_assert_eq!(b.checked_div(&a), Some(&b * &inv));
        prop_assert_eq!(&(&b / &a) * &a, b.clone());
        prop_assert_eq!(inv.recip().unwrap(), a.clone());
        let mut q = b.clone();
        q /= &a;
        prop_assert_eq!(q, &b / &a);
    }

    #[test]
    fn zero_has_no_inverse(b in rational()) {
        prop_assert_eq!(Rational::zero().recip(), None);
        prop_assert_eq!(b.checked_div(&Rational::zero()), None);
        prop_assert_eq!(Rational::zero().pow(-1), None);
    }

    #[test]
    fn representation_is_canonical(n in integer(), d in nonzero_integer()) {
        let r = Rational::new(n.clone(), d.clone()).unwrap();
        prop_assert!(r.denom() > Integer::zero());
        prop_assert_eq!(r.numer().gcd(&r.denom()), if r.is_zero() { r.denom() } else { Integer::one() });
        // n/d == numer/denom  <=>  n * denom == numer * d
        prop_assert_eq!(&n * &r.denom(), &r.numer() * &d);
        prop_assert_eq!(r.is_integer(), r.denom() == Integer::one());
        prop_assert_eq!(r.signum(), n.signum() * d.signum());
    }

    #[test]
    fn order_is_total_and_compatible(a in rational(), b in rational(), c in rational()) {
        let ab = a.cmp(&b);
        prop_assert_eq!(ab, b.cmp(&a).reverse());
        prop_assert_eq!(ab == Ordering::Equal, a == b);
        prop_assert_eq!(ab, (&a - &b).signum().cmp(&0));
        // Compatible with addition.
        prop_assert_eq!((&a + &c).cmp(&(&b + &c)), ab);
        // Compatible with multiplication by positives; reversed by negatives.
        match c.signum() {
            1 => prop_assert_eq!((&a * &c).cmp(&(&b * &c)), ab),
            -1 => prop_assert_eq!((&a * &c).cmp(&(&b * &c)), ab.reverse()),
            _ => prop_assert_eq!(&a * &c, &b * &c),
        }
        // Transitivity.
        if a <= b && b <= c {
            prop_assert!(a <= c);
        }
        prop_assert_eq!(a.min_ref(&b), if a <= b { &a } else { &b });
        prop_assert_eq!(a.max_ref(&b), if a >= b { &a } else { &b });
    }

    #[test]
    fn sign_abs_floor_ceil(a in rational()) {
        prop_assert!(a.abs() >= Rational::zero());
        prop_assert!(a.abs() == a || a.abs() == -&a);
        prop_assert_eq!(a.is_positive(), a > Rational::zero());
        prop_assert_eq!(a.is_negative(), a < Rational::zero());
        prop_assert_eq!(a.is_zero(), a == 0);
        let f = Rational::from_integer(a.floor());
        let c = Rational::from_integer(a.ceil());
        prop_assert!(f <= a && a < &f + &Rational::one());
        prop_assert!(&c - &Rational::one() < a && a <= c);
        prop_assert_eq!(f == c, a.is_integer());
    }

    #[test]
    fn powers(a in nonzero_rational(), e in 0i32..6, k in 0i32..6) {
        prop_assert_eq!(a.pow(0), Some(Rational::one()));
        prop_assert_eq!(a.pow(e + k).unwrap(), a.pow(e).unwrap() * a.pow(k).unwrap());
        prop_assert_eq!(a.pow(-e).unwrap(), a.pow(e).unwrap().recip().unwrap());
    }

    #[test]
    fn small_integer_comparisons(a in rational(), k in -5i64..=5) {
        let kq = Rational::from(k);
        prop_assert_eq!(a == k, a == kq);
        prop_assert_eq!(a.partial_cmp(&k), Some(a.cmp(&kq)));
        let n = a.floor();
        let nk = Integer::from(k);
        prop_assert_eq!(n == k, n == nk);
        prop_assert_eq!(n.partial_cmp(&k), Some(n.cmp(&nk)));
        // Beyond the i64 range.
        let big = &n * &Integer::pow2(70) + Integer::from(1);
        prop_assert_eq!(big == k, big == nk);
        prop_assert_eq!(big.partial_cmp(&k), Some(big.cmp(&nk)));
    }

    #[test]
    fn integer_ring_operations(a in integer(), b in nonzero_integer(), c in integer()) {
        prop_assert_eq!(&a + &b, &b + &a);
        prop_assert_eq!(&a * &(&b + &c), &(&a * &b) + &(&a * &c));
        prop_assert_eq!(&(&a - &b) + &b, a.clone());
        let mut t = c.clone();
        t.submul(&a, &b);
        prop_assert_eq!(t, &c - &(&a * &b));
        let mut q = &a * &b;
        q.divide_exactly_by(&b);
        prop_assert_eq!(&q, &a);
        prop_assert_eq!((&a * &b).div_exact(&b), a.clone());
        let g = a.gcd(&b);
        prop_assert!(g > Integer::zero());
        prop_assert!(a.div_exact(&g) * &g == a && b.div_exact(&g) * &g == b);
        prop_assert_eq!(a.abs().signum(), if a.is_zero() { 0 } else { 1 });
        prop_assert_eq!(a.pow(3), &(&a * &a) * &a);
        prop_assert_eq!(a.bits() == 0, a.is_zero());
    }

    #[test]
    fn display_from_str_round_trip(a in rational(), n in integer()) {
        let s = a.to_string();
        prop_assert_eq!(s.parse::<Rational>().unwrap(), a.clone());
        prop_assert_eq!(format!("{a:?}"), s);
        prop_assert_eq!(n.to_string().parse::<Integer>().unwrap(), n.clone());
        prop_assert_eq!(Rational::from_integer(n.clone()).numer(), n.clone());
        prop_assert_eq!(Rational::from(n.clone()).to_string(), n.to_string());
        prop_assert_eq!(Rational::from_integer(n.clone()).floor(), n.clone());
        if let Some(v) = n.to_i64() {
            prop_assert_eq!(Rational::from(v), Rational::from_integer(n.clone()));
            prop_assert_eq!(Integer::from(v), n);
        }
    }

    #[test]
    fn f64_round_trip(bits in any::<u64>()) {
        let v = f64::from_bits(bits);
        let r = Rational::from_f64_exact(v);
        if v.is_finite() {
            let r = r.unwrap();
            // -0.0 maps to zero, which converts back to +0.0 (equal as f64).
            prop_assert_eq!(r.to_f64_lossy(), v);
            if v != 0.0 {
                prop_assert_eq!(r.to_f64_lossy().to_bits(), bits);
            }
            prop_assert_eq!(r.signum(), if v > 0.0 { 1 } else if v < 0.0 { -1 } else { 0 });
        } else {
            prop_assert_eq!(r, None);
        }
    }

    #[test]
    fn f64_conversion_is_correctly_rounded(p in any::<i32>(), q in 1i32..=i32::MAX) {
        // p and q are exact in f64, so IEEE division is the correctly rounded p / q.
        let r = Rational::new(Integer::from(p), Integer::from(q)).unwrap();
        prop_assert_eq!(r.to_f64_lossy(), f64::from(p) / f64::from(q));
        prop_assert_eq!((-&r).to_f64_lossy(), -(f64::from(p) / f64::from(q)));
    }

    #[test]
    fn integer_to_f64_is_correctly_rounded(v in any::<i64>(), shift in 0u32..1100) {
        // `as` rounds to nearest, ties to even.
        prop_assert_eq!(Integer::from(v).to_f64_lossy(), v as f64);
        let big = Integer::from(v) * Integer::pow2(shift);
        // Scaling by a power of two commutes with rounding (overflow gives ±inf either way).
        let expected = if v == 0 { 0.0 } else { (v as f64) * 2f64.powi(shift as i32) };
        prop_assert_eq!(big.to_f64_lossy(), expected);
    }

    #[test]
    fn f64_conversion_is_monotone(a in rational(), b in rational()) {
        if a <= b {
            prop_assert!(a.to_f64_lossy() <= b.to_f64_lossy());
        }
    }

    #[test]
    fn decimal_strings_parse_exactly(
        neg in any::<bool>(),
        int_part in 0u64..1_000_000,
        frac in prop::collection::vec(0u8..10, 0..12),
        exp in -30i32..30,
    ) {
        let frac_str: String = frac.iter().map(|d| char::from(b'0' + d)).collect();
        let sign = if neg { "-" } else { "" };
        let text = format!("{sign}{int_part}.{frac_str}e{exp}");
        let mut expected = Rational::from_integer(Integer::from(int_part));
        for (k, d) in frac.iter().enumerate() {
            let place = Rational::from(10).pow(-(k as i32 + 1)).unwrap();
            expected += Rational::from(i64::from(*d)) * place;
        }
        expected *= Rational::from(10).pow(exp).unwrap();
        if neg {
            expected = -expected;
        }
        prop_assert_eq!(text.parse::<Rational>().unwrap(), expected.clone());
        if exp == 0 {
            prop_assert_eq!(format!("{sign}{int_part}.{frac_str}").parse::<Rational>().unwrap(), expected);
        }
    }
}

#[test]
fn decimal_examples() {
    let cases = [
        ("-0.125", Rational::ratio(-1, 8)),
        ("0.1", Rational::ratio(1, 10)),
        (".5", Rational::ratio(1, 2)),
        ("2.", Rational::from(2)),
        ("+7", Rational::from(7)),
        ("1e-3", Rational::ratio(1, 1000)),
        ("6.02E3", Rational::from(6020)),
        ("-3/4", Rational::ratio(-3, 4)),
        (" 10/4 ", Rational::ratio(5, 2)),
        ("-0", Rational::zero()),
        ("0.000", Rational::zero()),
    ];
    for (s, v) in cases {
        assert_eq!(s.parse::<Rational>().unwrap(), v, "{s}");
    }
}

#[test]
fn malformed_strings_are_rejected() {
    for s in [
        "NaN", "nan", "inf", "-inf", "+inf", "infinity", "abc", "1.2.3", "1e", "e5", "--1", "+-1",
        ".", "-", "1/", "/2", "1/2/3", "0x10", "1_000", "1 000", "1.5/2", "6/-8", "3/+4", "1 / 2",
        "1/ 2", "- 1", "½", "1e+-3", "١",
    ] {
        assert!(
            matches!(s.parse::<Rational>(), Err(ParseRationalError::Invalid(_))),
            "{s:?} -> {:?}",
            s.parse::<Rational>()
        );
    }
    assert_eq!("".parse::<Rational>(), Err(ParseRationalError::Empty));
    assert_eq!("   ".parse::<Rational>(), Err(ParseRationalError::Empty));
    for s in ["1/0", "0/0", "-5/000"] {
        assert!(
            matches!(
                s.parse::<Rational>(),
                Err(ParseRationalError::ZeroDenominator(_))
            ),
            "{s}"
        );
    }
    let long = "1".repeat(100_000);
    assert!(matches!(
        long.parse::<Rational>(),
        Err(ParseRationalError::TooLong(_))
    ));
    let long_frac = format!("1/{long}");
    assert!(matches!(
        long_frac.parse::<Rational>(),
        Err(ParseRationalError::TooLong(_))
    ));
    for s in [
        "1e999999999",
        "1e-99999",
        "1e30000",
        "9e20000",
        "9e1000",
        "1e-1000",
    ] {
        assert!(
            matches!(
                s.parse::<Rational>(),
                Err(ParseRationalError::ExponentTooLarge(_))
            ),
            "{s}"
        );
    }
    for s in ["", "-", "+", "1.0", "1e3", "abc", "--2"] {
        assert!(s.parse::<Integer>().is_err(), "{s:?}");
    }
    assert_eq!("-12".parse::<Integer>().unwrap(), Integer::from(-12));
    assert_eq!("+7".parse::<Integer>().unwrap(), Integer::from(7));
}

#[test]
fn non_finite_floats_are_rejected() {
    assert_eq!(Rational::from_f64_exact(f64::NAN), None);
    assert_eq!(Rational::from_f64_exact(f64::INFINITY), None);
    assert_eq!(Rational::from_f64_exact(f64::NEG_INFINITY), None);
    assert_eq!(
        Rational::from_f64_exact(0.1).unwrap().to_string(),
        "3602879701896397/36028797018963968"
    );
}

#[test]
fn f64_extremes() {
    for v in [
        f64::MAX,
        f64::MIN,
        f64::MIN_POSITIVE,
        -f64::MIN_POSITIVE,
        f64::from_bits(1),
        f64::from_bits(0x000f_ffff_ffff_ffff),
        1.0,
        -0.5,
        f64::EPSILON,
    ] {
        assert_eq!(Rational::from_f64_exact(v).unwrap().to_f64_lossy(), v);
    }
    let max = Rational::from_f64_exact(f64::MAX).unwrap();
    // Far beyond the finite range: infinity; just beyond but closer to MAX: MAX.
    assert_eq!((&max * &Rational::from(2)).to_f64_lossy(), f64::INFINITY);
    assert_eq!(
        (-(&max * &Rational::from(2))).to_f64_lossy(),
        f64::NEG_INFINITY
    );
    let ulp_max = Rational::from_integer(Integer::pow2(971));
    assert_eq!(
        (&max + &(&ulp_max / &Rational::from(4))).to_f64_lossy(),
        f64::MAX
    );
    // Exactly halfway between MAX and 2^1024 rounds to even, which is 2^1024: infinity.
    assert_eq!(
        (&max + &(&ulp_max / &Rational::from(2))).to_f64_lossy(),
        f64::INFINITY
    );
    let tiny = Rational::from_f64_exact(f64::from_bits(1)).unwrap();
    // Half the smallest subnormal rounds to even (zero); a bit more rounds up.
    assert_eq!((&tiny / &Rational::from(2)).to_f64_lossy(), 0.0);
    assert_eq!(
        (&tiny * &Rational::ratio(3, 4)).to_f64_lossy(),
        f64::from_bits(1)
    );
    assert_eq!(
        (&tiny * &Rational::ratio(3, 2)).to_f64_lossy(),
        f64::from_bits(2)
    );
    let huge_den = Rational::new(Integer::one(), Integer::pow2(5000)).unwrap();
    assert_eq!(huge_den.to_f64_lossy(), 0.0);
    assert_eq!(Rational::ratio(1, 3).to_f64_lossy(), 1.0 / 3.0);
}

#[test]
fn digit_limit_counts_the_expanded_exponent() {
    // The default limit is 1000 digits in numerator or denominator after expansion.
    assert!("9e999".parse::<Rational>().is_ok());
    assert!("1e-999".parse::<Rational>().is_ok());
    assert!("0e99999".parse::<Rational>().is_ok());
    assert!("0.000001e5".parse::<Rational>().is_ok());
    let long = "7".repeat(1000);
    assert!(long.parse::<Rational>().is_ok());
    assert!(format!("{long}7").parse::<Rational>().is_err());
    assert!(format!("1/{long}").parse::<Rational>().is_ok());
    assert!(format!("1/{long}1").parse::<Rational>().is_err());
}
