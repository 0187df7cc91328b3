//! Properties of exact signs and sign conditions (run on both backends).

use fibers_exact::sign::{
    evaluate_linear_form, evaluate_polynomial, sign_of_linear_form, sign_of_polynomial, Expression,
    Relation,
};
use fibers_exact::{Rational, Sign, SignCondition};
use proptest::prelude::*;

fn rational() -> impl Strategy<Value = Rational> {
    (-50i64..=50, 1i64..=12).prop_map(|(n, d)| Rational::ratio(n, d))
}

fn point(n: usize) -> impl Strategy<Value = Vec<Rational>> {
    prop::collection::vec(rational(), n)
}

fn polynomial(n: usize) -> impl Strategy<Value = Vec<(Rational, Vec<u32>)>> {
    prop::collection::vec((rational(), prop::collection::vec(0u32..4, 0..=n)), 0..6)
}

fn relation() -> impl Strategy<Value = Relation> {
    prop_oneof![
        Just(Relation::Less),
        Just(Relation::LessEq),
        Just(Relation::Equal),
        Just(Relation::NotEqual),
        Just(Relation::GreaterEq),
        Just(Relation::Greater),
    ]
}

/// The product of two polynomials as a term list (exponent vectors padded to length `n`).
fn product(
    p: &[(Rational, Vec<u32>)],
    q: &[(Rational, Vec<u32>)],
    n: usize,
) -> Vec<(Rational, Vec<u32>)> {
    let mut out = Vec::new();
    for (a, ea) in p {
        for (b, eb) in q {
            let e = (0..n)
                .map(|i| ea.get(i).copied().unwrap_or(0) + eb.get(i).copied().unwrap_or(0))
                .collect();
            out.push((a * b, e));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn sign_is_multiplicative_and_ordered(a in rational(), b in rational()) {
        prop_assert_eq!(Sign::of(&(&a * &b)), Sign::of(&a) * Sign::of(&b));
        prop_assert_eq!(Sign::of(&-&a), -Sign::of(&a));
        prop_assert_eq!(Sign::of(&a).to_i32(), a.signum());
        prop_assert_eq!(Sign::from_i32(a.signum()), Sign::of(&a));
        prop_assert_eq!(Sign::of(&(&a - &b)), match a.cmp(&b) {
            std::cmp::Ordering::Less => Sign::Negative,
            std::cmp::Ordering::Equal => Sign::Zero,
            std::cmp::Ordering::Greater => Sign::Positive,
        });
    }

    #[test]
    fn linear_forms_agree_with_polynomials(
        (coeffs, x) in (0usize..5).prop_flat_map(|n| (point(n), point(n))),
        constant in rational(),
    ) {
        let n = coeffs.len();
        let mut terms: Vec<(Rational, Vec<u32>)> = (0..n)
            .map(|i| {
                let mut e = vec![0; n];
                e[i] = 1;
                (coeffs[i].clone(), e)
            })
            .collect();
        terms.push((constant.clone(), vec![]));
        prop_assert_eq!(evaluate_linear_form(&coeffs, &constant, &x), evaluate_polynomial(&terms, &x));
        prop_assert_eq!(sign_of_linear_form(&coeffs, &constant, &x), sign_of_polynomial(&terms, &x));
    }

    #[test]
    fn polynomial_signs_multiply(
        (p, r, x) in (0usize..4).prop_flat_map(|n| (polynomial(n), polynomial(n), point(n))),
    ) {
        let n = x.len();
        let pr = product(&p, &r, n);
        prop_assert_eq!(
            evaluate_polynomial(&pr, &x),
            evaluate_polynomial(&p, &x) * evaluate_polynomial(&r, &x)
        );
        prop_assert_eq!(sign_of_polynomial(&pr, &x), sign_of_polynomial(&p, &x) * sign_of_polynomial(&r, &x));
        // Squares are never negative.
        prop_assert_ne!(sign_of_polynomial(&product(&p, &p, n), &x), Sign::Negative);
    }

    #[test]
    fn conditions_and_their_negations(
        (p, x) in (0usize..4).prop_flat_map(|n| (polynomial(n), point(n))),
        rel in relation(),
    ) {
        let c = SignCondition::polynomial(p.clone(), rel);
        let value = evaluate_polynomial(&p, &x);
        let expected = match rel {
            Relation::Less => value < Rational::zero(),
            Relation::LessEq => value <= Rational::zero(),
            Relation::Equal => value.is_zero(),
            Relation::NotEqual => !value.is_zero(),
            Relation::GreaterEq => value >= Rational::zero(),
            Relation::Greater => value > Rational::zero(),
        };
        prop_assert_eq!(c.holds_at(&x), expected);
        prop_assert_eq!(c.negation().holds_at(&x), !expected);
        // p REL 0  <=>  -p FLIP(REL) 0
        let neg: Vec<(Rational, Vec<u32>)> = p.iter().map(|(a, e)| (-a, e.clone())).collect();
        prop_assert_eq!(SignCondition::polynomial(neg, rel.flip()).holds_at(&x), expected);
        prop_assert_eq!(Expression::Polynomial { terms: p }.sign_at(&x), Sign::of(&value));
    }
}
