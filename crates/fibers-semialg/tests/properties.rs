//! Property tests: ring axioms, derivative rules, substitution, identity testing, Lie
//! brackets, JSON round trips and the variable order.

use fibers_exact::Rational;
use fibers_semialg::{Monomial, Point, Polynomial, Var, VectorField};
use proptest::prelude::*;
use std::collections::BTreeMap;

const NAMES: [&str; 7] = ["x", "y", "z", "W1[0][0]", "b1[0]", "W2[1][0]", "mu"];

fn pool() -> Vec<Var> {
    NAMES.iter().map(|n| Var::new(n)).collect()
}

fn rational(max: i64) -> impl Strategy<Value = Rational> {
    (-max..=max, 1i64..=4).prop_map(|(n, d)| Rational::ratio(n, d))
}

/// Polynomials in the first `nvars` variables of the pool, up to `nterms` terms with up to
/// three factors of exponent up to `maxexp`.
fn poly_in(nvars: usize, nterms: usize, maxexp: u32) -> impl Strategy<Value = Polynomial> {
    let term = (
        rational(6),
        prop::collection::vec((0..nvars, 0..=maxexp), 0..=3),
    );
    prop::collection::vec(term, 0..=nterms).prop_map(|terms| {
        let vars = pool();
        Polynomial::from_terms(terms.into_iter().map(|(c, factors)| {
            (
                c,
                Monomial::from_powers(factors.into_iter().map(|(i, e)| (vars[i].clone(), e))),
            )
        }))
    })
}

fn poly() -> impl Strategy<Value = Polynomial> {
    poly_in(NAMES.len(), 4, 3)
}

fn point_with(max: i64) -> impl Strategy<Value = Point> {
    prop::collection::vec(rational(max), NAMES.len())
        .prop_map(|vals| pool().into_iter().zip(vals).collect())
}

fn point() -> impl Strategy<Value = Point> {
    point_with(9)
}

fn field() -> impl Strategy<Value = VectorField> {
    prop::collection::vec(poly_in(3, 2, 2), 3)
        .prop_map(|comps| VectorField::new(pool().into_iter().take(3).zip(comps)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn ring_axioms(p in poly(), q in poly(), r in poly()) {
        prop_assert_eq!(&p + &q, &q + &p);
        prop_assert_eq!(&p * &q, &q * &p);
        prop_assert_eq!(&(&p + &q) + &r, &p + &(&q + &r));
        prop_assert_eq!(&(&p * &q) * &r, &p * &(&q * &r));
        prop_assert_eq!(&p * &(&q + &r), &(&p * &q) + &(&p * &r));
        prop_assert_eq!(&p + &Polynomial::zero(), p.clone());
        prop_assert_eq!(&p * &Polynomial::one(), p.clone());
        prop_assert!((&p * &Polynomial::zero()).is_zero());
        prop_assert!((&p + &(-&p)).is_zero());
        prop_assert_eq!(&p - &q, &p + &(-&q));
        prop_assert_eq!(p.pow(3), &(&p * &p) * &p);
        // Canonical form: no zero coefficients, terms strictly increasing.
        let s = &(&p * &q) - &r;
        prop_assert!(s.terms().all(|(_, c)| !c.is_zero()));
        let ms: Vec<&Monomial> = s.terms().map(|(m, _)| m).collect();
        prop_assert!(ms.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn product_rule_and_linearity(p in poly(), q in poly(), c in rational(5), i in 0..NAMES.len()) {
        let v = &pool()[i];
        prop_assert_eq!(
            (&p * &q).derivative(v),
            &(&p.derivative(v) * &q) + &(&p * &q.derivative(v))
        );
        prop_assert_eq!(
            (&p + &q.scale(&c)).derivative(v),
            &p.derivative(v) + &q.derivative(v).scale(&c)
        );
        // Partial derivatives commute.
        let w = &pool()[(i + 1) % NAMES.len()];
        prop_assert_eq!(p.derivative(v).derivative(w), p.derivative(w).derivative(v));
        prop_assert_eq!(p.gradient(&pool())[i].clone(), p.derivative(v));
    }

    #[test]
    fn substitution_commutes_with_arithmetic(
        p in poly(), q in poly(), pt in point(), keep in prop::collection::vec(any::<bool>(), NAMES.len()),
    ) {
        // Full evaluation is a ring homomorphism.
        let (ep, eq) = (p.eval(&pt).unwrap(), q.eval(&pt).unwrap());
        prop_assert_eq!((&p + &q).eval(&pt).unwrap(), &ep + &eq);
        prop_assert_eq!((&p * &q).eval(&pt).unwrap(), &ep * &eq);
        prop_assert_eq!((-&p).eval(&pt).unwrap(), -&ep);
        // Partial substitution is too, and finishing it gives the full value.
        let partial: Point = pt
            .iter()
            .zip(&keep)
            .filter(|(_, &k)| k)
            .map(|((v, x), _)| (v.clone(), x.clone()))
            .collect();
        prop_assert_eq!((&p + &q).substitute(&partial), &p.substitute(&partial) + &q.substitute(&partial));
        prop_assert_eq!((&p * &q).substitute(&partial), &p.substitute(&partial) * &q.substitute(&partial));
        prop_assert_eq!(p.substitute(&partial).eval(&pt).unwrap(), ep.clone());
        prop_assert!(p.substitute(&partial).variables().iter().all(|v| !partial.contains_key(v)));
        // Substituting constants through `compose` agrees with `substitute`.
        let consts: BTreeMap<Var, Polynomial> =
            partial.iter().map(|(v, x)| (v.clone(), Polynomial::constant(x.clone()))).collect();
        prop_assert_eq!(p.compose(&consts), p.substitute(&partial));
        // Composition is a ring homomorphism.
        let images: BTreeMap<Var, Polynomial> =
            [(pool()[0].clone(), q.clone()), (pool()[1].clone(), &q * &q)].into_iter().collect();
        prop_assert_eq!((&p * &q).compose(&images), &p.compose(&images) * &q.compose(&images));
        // Sign agrees with the value.
        prop_assert_eq!(p.sign_at(&pt).unwrap(), fibers_semialg::Sign::of(&ep));
    }

    #[test]
    fn identity_test_agrees_with_evaluation(
        p in poly_in(4, 4, 3),
        q in poly_in(4, 4, 3),
        pts in prop::collection::vec(point_with(1000), 8),
    ) {
        // Expressions that are identically zero although built differently.
        let zero = &(&(&p + &q).pow(2) - &p.pow(2)) - &(&(&p * &q).scale(&Rational::from(2)) + &q.pow(2));
        prop_assert!(zero.is_zero());
        for pt in &pts {
            prop_assert!(zero.eval(pt).unwrap().is_zero());
        }
        // A nonzero polynomial of degree ≤ 6 vanishes at a random point of [-1000, 1000]^n / 4
        // with probability ≤ 6/2001 (Schwartz–Zippel), so eight points detect it.
        let r = &(&p * &q) - &q;
        let values: Vec<Rational> = pts.iter().map(|pt| r.eval(pt).unwrap()).collect();
        prop_assert_eq!(r.is_zero(), values.iter().all(Rational::is_zero));
    }

    #[test]
    fn jacobi_identity_and_bracket_action(x in field(), y in field(), z in field(), p in poly_in(3, 3, 2)) {
        let jacobi = &(&x.lie_bracket(&y.lie_bracket(&z)) + &y.lie_bracket(&z.lie_bracket(&x)))
            + &z.lie_bracket(&x.lie_bracket(&y));
        prop_assert!(jacobi.is_zero(), "Jacobi sum = {}", jacobi);
        prop_assert_eq!(x.lie_bracket(&y), -&y.lie_bracket(&x));
        prop_assert!(x.lie_bracket(&x).is_zero());
        // [X, Y] acts as the commutator of derivations.
        prop_assert_eq!(
            x.lie_bracket(&y).apply(&p),
            &x.apply(&y.apply(&p)) - &y.apply(&x.apply(&p))
        );
        // X is a derivation.
        prop_assert_eq!(x.apply(&(&p * &p)), (&p * &x.apply(&p)).scale(&Rational::from(2)));
    }

    #[test]
    fn json_and_text_round_trip(p in poly()) {
        let back = Polynomial::from_json_str(&p.to_json_string()).unwrap();
        prop_assert_eq!(&back, &p);
        let v: Polynomial = serde_json::from_value(serde_json::to_value(&p).unwrap()).unwrap();
        prop_assert_eq!(&v, &p);
        prop_assert_eq!(p.to_string() == "0", p.is_zero());
    }

    #[test]
    fn variable_order_is_total_and_consistent(
        a in "[a-zA-Z][a-zA-Z0-9_\\[\\]]{0,8}",
        b in "[a-zA-Z][a-zA-Z0-9_\\[\\]]{0,8}",
        c in "(W|b)[1-3](\\[[0-9]{1,2}\\]){1,2}",
    ) {
        let (va, vb, vc) = (Var::new(&a), Var::new(&b), Var::new(&c));
        prop_assert_eq!(va.cmp(&vb) == std::cmp::Ordering::Equal, a == b);
        prop_assert_eq!(va.cmp(&vb), vb.cmp(&va).reverse());
        // Transitivity over all orderings of the three.
        let vs = [&va, &vb, &vc];
        for x in vs {
            for y in vs {
                for z in vs {
                    if x <= y && y <= z {
                        prop_assert!(x <= z);
                    }
                }
            }
        }
        // Parameter names come before all other names.
        if vc.parameter().is_some() && va.parameter().is_none() {
            prop_assert!(vc < va);
        }
    }
}

proptest! {
    // Composition of degree-6 polynomials with quadratic images is the slowest property.
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn chain_rule(
        p in poly_in(4, 4, 2),
        images in prop::collection::vec(prop::option::of(poly_in(4, 3, 2)), 4),
        t in 0..4usize,
    ) {
        // d/dt p(q(·)) = Σ_v (∂p/∂v)(q(·)) · ∂q_v/∂t, with q_v = v where no image is given.
        let vars = pool();
        let map: BTreeMap<Var, Polynomial> = vars
            .iter()
            .take(4)
            .zip(&images)
            .filter_map(|(v, q)| q.clone().map(|q| (v.clone(), q)))
            .collect();
        let t = &vars[t];
        let lhs = p.compose(&map).derivative(t);
        let rhs: Polynomial = vars
            .iter()
            .take(4)
            .map(|v| {
                let qv = map.get(v).cloned().unwrap_or_else(|| Polynomial::var(v.clone()));
                &p.derivative(v).compose(&map) * &qv.derivative(t)
            })
            .sum();
        prop_assert_eq!(lhs, rhs);
    }
}

/// A valid set document, to be mutated by the robustness property.
fn sample_set_json() -> String {
    let x = Var::new("x");
    let mu = Var::new("mu");
    let p = |v: &Var| Polynomial::var(v.clone());
    let set = fibers_semialg::BasicSet::new(
        vec![x.clone(), Var::w1(0, 0)],
        vec![mu.clone()],
        vec![
            fibers_semialg::Constraint::positive(p(&mu)),
            fibers_semialg::Constraint::zero(
                &(&p(&x) * &p(&mu)) - &Polynomial::constant(Rational::ratio(-3, 7)),
            ),
            fibers_semialg::Constraint::nonzero(p(&Var::w1(0, 0)).pow(2)),
        ],
    )
    .unwrap();
    serde_json::to_string(&set).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Reading never panics on malformed input: byte edits and truncations of a valid
    /// document, and arbitrary strings, give `Ok` or a located error.
    #[test]
    fn reading_malformed_json_never_panics(
        edits in prop::collection::vec(
            (any::<prop::sample::Index>(), prop::sample::select(vec![
                "", "0", "-", "/", "/0", "1.5", "\"", "{", "}", "[", "]", ",", ":", "null",
                "\"rel\"", "\"<\"", "\"powers\"", "1e999999", "4294967296", "\"2x\"", "[]", "{}",
            ])),
            1..4,
        ),
        cut in any::<prop::sample::Index>(),
        junk in ".{0,40}",
    ) {
        let mut text = sample_set_json();
        for (at, with) in &edits {
            let mut i = at.index(text.len() + 1);
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            let j = (i + 1).min(text.len());
            let j = if text.is_char_boundary(j) { j } else { i };
            text.replace_range(i..j, with);
        }
        let _ = fibers_semialg::SemiAlgebraicSet::from_json_str(&text);
        let _ = fibers_semialg::BasicSet::from_json_str(&text);
        let mut k = cut.index(text.len() + 1);
        while !text.is_char_boundary(k) {
            k -= 1;
        }
        let _ = fibers_semialg::SemiAlgebraicSet::from_json_str(&text[..k]);
        let _ = Polynomial::from_json_str(&junk);
        if let Err(e) = fibers_semialg::SemiAlgebraicSet::from_json_str(&text) {
            prop_assert!(e.path.starts_with('$'));
        }
    }
}
