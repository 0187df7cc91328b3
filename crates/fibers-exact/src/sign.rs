//! Exact signs of linear forms and polynomials at rational points, and sign conditions.
//!
//! A polynomial is a slice of terms `(coefficient, exponents)` standing for
//! `Σ coefficient · ∏ xᵢ^exponentsᵢ`; an exponent vector may be shorter than the point (missing
//! exponents are zero) but not longer. Repeated monomials are allowed and simply add up.

use crate::rational::Rational;
use std::fmt;
use std::ops::{Mul, Neg};

/// The sign of an exact number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sign {
    /// Strictly below zero.
    Negative,
    /// Exactly zero.
    Zero,
    /// Strictly above zero.
    Positive,
}

impl Sign {
    /// The sign of an integer (e.g. of [`Rational::signum`]).
    pub fn from_i32(v: i32) -> Sign {
        match v {
            i32::MIN..=-1 => Sign::Negative,
            0 => Sign::Zero,
            1..=i32::MAX => Sign::Positive,
        }
    }

    /// The sign of `x`.
    pub fn of(x: &Rational) -> Sign {
        Sign::from_i32(x.signum())
    }

    /// `-1`, `0` or `1`.
    pub fn to_i32(self) -> i32 {
        match self {
            Sign::Negative => -1,
            Sign::Zero => 0,
            Sign::Positive => 1,
        }
    }

    /// The character `-`, `0` or `+`.
    pub fn symbol(self) -> char {
        match self {
            Sign::Negative => '-',
            Sign::Zero => '0',
            Sign::Positive => '+',
        }
    }
}

impl Neg for Sign {
    type Output = Sign;
    /// The sign of the negation.
    fn neg(self) -> Sign {
        Sign::from_i32(-self.to_i32())
    }
}

impl Mul for Sign {
    type Output = Sign;
    /// The sign of a product.
    fn mul(self, rhs: Sign) -> Sign {
        Sign::from_i32(self.to_i32() * rhs.to_i32())
    }
}

impl fmt::Display for Sign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.symbol())
    }
}

/// `coeffs · point + constant`. Panics unless `coeffs.len() == point.len()`.
pub fn evaluate_linear_form(
    coeffs: &[Rational],
    constant: &Rational,
    point: &[Rational],
) -> Rational {
    assert_eq!(
        coeffs.len(),
        point.len(),
        "linear form with {} coefficients evaluated at a point of dimension {}",
        coeffs.len(),
        point.len()
    );
    let mut s = constant.clone();
    for (a, x) in coeffs.iter().zip(point) {
        if !a.is_zero() && !x.is_zero() {
            s += a * x;
        }
    }
    s
}

/// The sign of `coeffs · point + constant`. Panics unless `coeffs.len() == point.len()`.
pub fn sign_of_linear_form(coeffs: &[Rational], constant: &Rational, point: &[Rational]) -> Sign {
    Sign::of(&evaluate_linear_form(coeffs, constant, point))
}

/// `Σ coef · ∏ point[i]^e[i]` over `terms = [(coef, e), …]`. Panics when an exponent vector is
/// longer than the point.
pub fn evaluate_polynomial(terms: &[(Rational, Vec<u32>)], point: &[Rational]) -> Rational {
    let mut s = Rational::zero();
    for (coef, exps) in terms {
        assert!(
            exps.len() <= point.len(),
            "monomial with {} exponents evaluated at a point of dimension {}",
            exps.len(),
            point.len()
        );
        if coef.is_zero() {
            continue;
        }
        let mut t = coef.clone();
        for (x, &e) in point.iter().zip(exps) {
            match e {
                0 => {}
                1 => t *= x,
                _ => {
                    let e = i32::try_from(e).expect("exponent fits in i32");
                    t *= x.pow(e).expect("non-negative power");
                }
            }
            if t.is_zero() {
                break;
            }
        }
        s += t;
    }
    s
}

/// The sign of the polynomial `terms` at `point` (see [`evaluate_polynomial`]).
pub fn sign_of_polynomial(terms: &[(Rational, Vec<u32>)], point: &[Rational]) -> Sign {
    Sign::of(&evaluate_polynomial(terms, point))
}

/// A comparison of a value with zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Relation {
    /// `< 0`
    Less,
    /// `<= 0`
    LessEq,
    /// `= 0`
    Equal,
    /// `!= 0`
    NotEqual,
    /// `>= 0`
    GreaterEq,
    /// `> 0`
    Greater,
}

impl Relation {
    /// Whether a value of sign `s` satisfies `value REL 0`.
    pub fn holds(self, s: Sign) -> bool {
        match self {
            Relation::Less => s == Sign::Negative,
            Relation::LessEq => s != Sign::Positive,
            Relation::Equal => s == Sign::Zero,
            Relation::NotEqual => s != Sign::Zero,
            Relation::GreaterEq => s != Sign::Negative,
            Relation::Greater => s == Sign::Positive,
        }
    }

    /// The logical complement (`<` becomes `>=`, `=` becomes `!=`, …).
    pub fn complement(self) -> Relation {
        match self {
            Relation::Less => Relation::GreaterEq,
            Relation::LessEq => Relation::Greater,
            Relation::Equal => Relation::NotEqual,
            Relation::NotEqual => Relation::Equal,
            Relation::GreaterEq => Relation::Less,
            Relation::Greater => Relation::LessEq,
        }
    }

    /// The relation after multiplying both sides by -1 (`<` becomes `>`, `=` stays).
    pub fn flip(self) -> Relation {
        match self {
            Relation::Less => Relation::Greater,
            Relation::LessEq => Relation::GreaterEq,
            Relation::Equal => Relation::Equal,
            Relation::NotEqual => Relation::NotEqual,
            Relation::GreaterEq => Relation::LessEq,
            Relation::Greater => Relation::Less,
        }
    }

    /// `<`, `<=`, `=`, `!=`, `>=` or `>`.
    pub fn symbol(self) -> &'static str {
        match self {
            Relation::Less => "<",
            Relation::LessEq => "<=",
            Relation::Equal => "=",
            Relation::NotEqual => "!=",
            Relation::GreaterEq => ">=",
            Relation::Greater => ">",
        }
    }
}

impl fmt::Display for Relation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// A function of a point whose sign a [`SignCondition`] constrains.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Expression {
    /// `coeffs · x + constant`.
    Linear {
        /// One coefficient per coordinate.
        coeffs: Vec<Rational>,
        /// The constant term.
        constant: Rational,
    },
    /// `Σ coef · ∏ xᵢ^eᵢ` (see [`evaluate_polynomial`]).
    Polynomial {
        /// The terms `(coef, exponents)`.
        terms: Vec<(Rational, Vec<u32>)>,
    },
}

impl Expression {
    /// The value at `point`.
    pub fn evaluate(&self, point: &[Rational]) -> Rational {
        match self {
            Expression::Linear { coeffs, constant } => {
                evaluate_linear_form(coeffs, constant, point)
            }
            Expression::Polynomial { terms } => evaluate_polynomial(terms, point),
        }
    }

    /// The sign at `point`.
    pub fn sign_at(&self, point: &[Rational]) -> Sign {
        Sign::of(&self.evaluate(point))
    }
}

/// The condition `expression REL 0`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SignCondition {
    /// The constrained function.
    pub expression: Expression,
    /// How it compares with zero.
    pub relation: Relation,
}

impl SignCondition {
    /// `expression REL 0`.
    pub fn new(expression: Expression, relation: Relation) -> Self {
        SignCondition {
            expression,
            relation,
        }
    }

    /// `coeffs · x + constant REL 0`.
    pub fn linear(coeffs: Vec<Rational>, constant: Rational, relation: Relation) -> Self {
        SignCondition::new(Expression::Linear { coeffs, constant }, relation)
    }

    /// `Σ coef · ∏ xᵢ^eᵢ REL 0`.
    pub fn polynomial(terms: Vec<(Rational, Vec<u32>)>, relation: Relation) -> Self {
        SignCondition::new(Expression::Polynomial { terms }, relation)
    }

    /// Whether the condition holds at `point`.
    pub fn holds_at(&self, point: &[Rational]) -> bool {
        self.relation.holds(self.expression.sign_at(point))
    }

    /// The condition that holds exactly where this one does not.
    pub fn negation(&self) -> SignCondition {
        SignCondition::new(self.expression.clone(), self.relation.complement())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(xs: &[i64]) -> Vec<Rational> {
        xs.iter().map(|&x| Rational::from(x)).collect()
    }

    #[test]
    fn signs() {
        assert_eq!(Sign::from_i32(-7), Sign::Negative);
        assert_eq!(Sign::from_i32(0), Sign::Zero);
        assert_eq!(Sign::from_i32(i32::MAX), Sign::Positive);
        assert_eq!(Sign::of(&Rational::ratio(-1, 3)), Sign::Negative);
        assert_eq!(-Sign::Negative, Sign::Positive);
        assert_eq!(Sign::Negative * Sign::Negative, Sign::Positive);
        assert_eq!(Sign::Zero * Sign::Negative, Sign::Zero);
        assert_eq!(Sign::Positive.to_string(), "+");
    }

    #[test]
    fn linear_forms() {
        let c = v(&[1, -2]);
        assert_eq!(
            sign_of_linear_form(&c, &Rational::zero(), &v(&[2, 1])),
            Sign::Zero
        );
        assert_eq!(
            sign_of_linear_form(&c, &Rational::ratio(-1, 2), &v(&[2, 1])),
            Sign::Negative
        );
        assert_eq!(
            sign_of_linear_form(&[], &Rational::one(), &[]),
            Sign::Positive
        );
    }

    #[test]
    fn polynomials() {
        // x² - 2y at (3, 4) = 1; at (2, 2) = 0; constant -1.
        let p = vec![(Rational::one(), vec![2]), (Rational::from(-2), vec![0, 1])];
        assert_eq!(sign_of_polynomial(&p, &v(&[3, 4])), Sign::Positive);
        assert_eq!(sign_of_polynomial(&p, &v(&[2, 2])), Sign::Zero);
        assert_eq!(sign_of_polynomial(&p, &v(&[0, 1])), Sign::Negative);
        assert_eq!(
            sign_of_polynomial(&[(Rational::from(-1), vec![])], &[]),
            Sign::Negative
        );
        assert_eq!(sign_of_polynomial(&[], &v(&[1])), Sign::Zero);
        // 0⁰ = 1.
        assert_eq!(
            evaluate_polynomial(&[(Rational::one(), vec![0])], &v(&[0])),
            Rational::one()
        );
        let x = Rational::ratio(-1, 2);
        assert_eq!(
            evaluate_polynomial(&[(Rational::one(), vec![3])], &[x]),
            Rational::ratio(-1, 8)
        );
    }

    #[test]
    fn conditions() {
        let rels = [
            Relation::Less,
            Relation::LessEq,
            Relation::Equal,
            Relation::NotEqual,
            Relation::GreaterEq,
            Relation::Greater,
        ];
        let table = [
            // Negative, Zero, Positive
            [true, false, false],
            [true, true, false],
            [false, true, false],
            [true, false, true],
            [false, true, true],
            [false, false, true],
        ];
        for (rel, row) in rels.iter().zip(table) {
            for (s, expected) in [Sign::Negative, Sign::Zero, Sign::Positive]
                .into_iter()
                .zip(row)
            {
                assert_eq!(rel.holds(s), expected, "{s} {rel} 0");
                assert_eq!(rel.complement().holds(s), !expected);
                assert_eq!(rel.flip().holds(-s), expected);
            }
        }
        let c = SignCondition::linear(v(&[1, 1]), Rational::from(-1), Relation::LessEq);
        assert!(c.holds_at(&v(&[0, 1])));
        assert!(!c.holds_at(&v(&[1, 1])));
        assert!(c.negation().holds_at(&v(&[1, 1])));
        let p = SignCondition::polynomial(vec![(Rational::one(), vec![1, 1])], Relation::Greater);
        assert!(p.holds_at(&v(&[-1, -1])));
        assert!(!p.holds_at(&v(&[0, 5])));
        assert_eq!(Relation::NotEqual.to_string(), "!=");
    }

    #[test]
    #[should_panic(expected = "2 coefficients evaluated at a point of dimension 1")]
    fn linear_form_dimension_mismatch_panics() {
        let _ = sign_of_linear_form(&v(&[1, 1]), &Rational::zero(), &v(&[1]));
    }
}
