//! Text and LaTeX rendering.
//!
//! # Text
//!
//! Polynomials are written from the largest term to the smallest in the canonical term order
//! ([`crate::monomial`]), with `*` for products, `^` for powers and coefficients in lowest
//! terms: `W1[0][0]^2 - 1/2*W2[1][0]*mu + 3`. The text is unambiguous under the usual
//! precedence (`^` before `*` and `/`, then `+` and `-`).
//!
//! # LaTeX
//!
//! Output is math-mode LaTeX for `amsmath`/`amssymb`. Variables are rendered as follows:
//!
//! | name          | LaTeX                  |
//! |---------------|------------------------|
//! | `W2[0][1]`    | `W^{(2)}_{0,1}`        |
//! | `b1[0]`       | `b^{(1)}_{0}`          |
//! | `mu`, `Gamma` | `\mu`, `\Gamma` (Greek letter names) |
//! | `mu_2`, `mu2` | `\mu_{2}`              |
//! | `x`, `x_12`, `x12` | `x`, `x_{12}`, `x_{12}` |
//! | anything else | `\mathrm{…}` with `_` escaped |
//!
//! A power of a variable whose rendering already carries a superscript (or a prime) is braced:
//! `{W^{(2)}_{0,1}}^{2}`. Fractions are `\frac{p}{q}`. [`latex_document`] wraps math in a
//! complete document that compiles with `pdflatex`.

use crate::monomial::Monomial;
use crate::polynomial::Polynomial;
use crate::var::{Parameter, Var};
use fibers_exact::Rational;
use std::fmt;

const GREEK: &[&str] = &[
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "varepsilon",
    "zeta",
    "eta",
    "theta",
    "vartheta",
    "iota",
    "kappa",
    "lambda",
    "mu",
    "nu",
    "xi",
    "pi",
    "rho",
    "sigma",
    "tau",
    "upsilon",
    "phi",
    "varphi",
    "chi",
    "psi",
    "omega",
    "Gamma",
    "Delta",
    "Theta",
    "Lambda",
    "Xi",
    "Pi",
    "Sigma",
    "Upsilon",
    "Phi",
    "Psi",
    "Omega",
];

/// Escapes a valid variable name (letters, digits, `_`, `[`, `]`, `'`) for `\mathrm{}`.
fn escape_mathrm(s: &str) -> String {
    s.replace('_', "\\_")
}

/// Splits `base_sub` / `base123` into a base of letters and a subscript of digits or of the
/// text after the first underscore.
fn split_subscript(name: &str) -> Option<(&str, &str)> {
    if let Some((base, sub)) = name.split_once('_') {
        if !sub.is_empty() && base.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Some((base, sub));
        }
        return None;
    }
    let digits = name.bytes().rev().take_while(u8::is_ascii_digit).count();
    if digits > 0 && digits < name.len() {
        let (base, sub) = name.split_at(name.len() - digits);
        if base.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Some((base, sub));
        }
    }
    None
}

/// The LaTeX of a base name of ASCII letters: a Greek letter command, a single letter, or
/// `\mathrm{…}`.
fn latex_base(base: &str) -> String {
    if GREEK.contains(&base) {
        format!("\\{base}")
    } else if base.len() == 1 {
        base.to_string()
    } else {
        format!("\\mathrm{{{}}}", escape_mathrm(base))
    }
}

/// The LaTeX of a variable (see the [module docs](self)).
pub fn var_latex(v: &Var) -> String {
    match v.parameter() {
        Some(Parameter::Weight { layer, row, col }) => format!("W^{{({layer})}}_{{{row},{col}}}"),
        Some(Parameter::Bias { layer, unit }) => format!("b^{{({layer})}}_{{{unit}}}"),
        None => {
            let name = v.name();
            if name.bytes().all(|b| b.is_ascii_alphabetic()) {
                return latex_base(name);
            }
            match split_subscript(name) {
                Some((base, sub)) => {
                    let sub = if sub.bytes().all(|b| b.is_ascii_digit()) {
                        sub.to_string()
                    } else {
                        format!("\\mathrm{{{}}}", escape_mathrm(sub))
                    };
                    format!("{}_{{{sub}}}", latex_base(base))
                }
                None => format!("\\mathrm{{{}}}", escape_mathrm(name)),
            }
        }
    }
}

/// The LaTeX of a monomial (`1` for the empty monomial).
pub fn monomial_latex(m: &Monomial) -> String {
    if m.is_one() {
        return "1".to_string();
    }
    let factors: Vec<String> = m
        .powers()
        .map(|(v, e)| {
            let base = var_latex(v);
            if e == 1 {
                base
            } else if base.contains(['^', '\'']) {
                format!("{{{base}}}^{{{e}}}")
            } else {
                format!("{base}^{{{e}}}")
            }
        })
        .collect();
    factors.join(" ")
}

/// The LaTeX of a nonnegative rational: `3` or `\frac{1}{2}`.
fn abs_rational_latex(c: &Rational) -> String {
    let a = c.abs();
    if a.is_integer() {
        a.numer().to_string()
    } else {
        format!("\\frac{{{}}}{{{}}}", a.numer(), a.denom())
    }
}

/// The LaTeX of a rational number: `-3`, `\frac{1}{2}`, `-\frac{1}{2}`.
pub fn rational_latex(c: &Rational) -> String {
    let sign = if c.is_negative() { "-" } else { "" };
    format!("{sign}{}", abs_rational_latex(c))
}

/// Writes signed terms `(negative, body)` as `a - b + c`.
fn join_signed(terms: impl Iterator<Item = (bool, String)>) -> String {
    let mut out = String::new();
    for (i, (negative, body)) in terms.enumerate() {
        match (i, negative) {
            (0, true) => out.push('-'),
            (0, false) => {}
            (_, true) => out.push_str(" - "),
            (_, false) => out.push_str(" + "),
        }
        out.push_str(&body);
    }
    if out.is_empty() {
        out.push('0');
    }
    out
}

/// The text form of a polynomial (see the [module docs](self)); also its `Display`.
pub fn polynomial_text(p: &Polynomial) -> String {
    join_signed(p.terms().rev().map(|(m, c)| {
        let a = c.abs();
        let body = if m.is_one() {
            a.to_string()
        } else if a == 1 {
            m.to_string()
        } else {
            format!("{a}*{m}")
        };
        (c.is_negative(), body)
    }))
}

/// The LaTeX of a polynomial (see the [module docs](self)).
pub fn polynomial_latex(p: &Polynomial) -> String {
    join_signed(p.terms().rev().map(|(m, c)| {
        let body = if m.is_one() {
            abs_rational_latex(c)
        } else if c.abs() == 1 {
            monomial_latex(m)
        } else {
            format!("{} {}", abs_rational_latex(c), monomial_latex(m))
        };
        (c.is_negative(), body)
    }))
}

impl fmt::Display for Polynomial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&polynomial_text(self))
    }
}
impl fmt::Debug for Polynomial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&polynomial_text(self))
    }
}

impl Polynomial {
    /// The LaTeX of this polynomial (see [`crate::render`]).
    pub fn to_latex(&self) -> String {
        polynomial_latex(self)
    }
}

/// A complete LaTeX document (`article` with `amsmath` and `amssymb`) showing each item of
/// `displays` as a displayed formula `\[ … \]`. The items are math-mode LaTeX such as the
/// output of [`Polynomial::to_latex`] or [`crate::BasicSet::to_latex`].
pub fn latex_document<I, S>(displays: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out = String::from(
        "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\allowdisplaybreaks\n\
         \\begin{document}\n",
    );
    for d in displays {
        out.push_str("\\[\n");
        out.push_str(d.as_ref());
        out.push_str("\n\\]\n");
    }
    out.push_str("\\end{document}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_latex() {
        let cases = [
            ("W2[0][1]", "W^{(2)}_{0,1}"),
            ("b1[0]", "b^{(1)}_{0}"),
            ("W3[10][2]", "W^{(3)}_{10,2}"),
            ("mu", "\\mu"),
            ("Gamma", "\\Gamma"),
            ("mu_2", "\\mu_{2}"),
            ("mu2", "\\mu_{2}"),
            ("lambda_ab", "\\lambda_{\\mathrm{ab}}"),
            ("x", "x"),
            ("x12", "x_{12}"),
            ("x_12", "x_{12}"),
            ("foo", "\\mathrm{foo}"),
            ("foo_bar_1", "\\mathrm{foo}_{\\mathrm{bar\\_1}}"),
            ("W1[01][0]", "\\mathrm{W1[01][0]}"),
            ("a1b", "\\mathrm{a1b}"),
            ("x'", "\\mathrm{x'}"),
        ];
        let m = Monomial::power(Var::new("x'"), 2);
        assert_eq!(monomial_latex(&m), "{\\mathrm{x'}}^{2}");
        for (name, want) in cases {
            assert_eq!(var_latex(&Var::new(name)), want, "{name}");
        }
    }

    #[test]
    fn polynomial_rendering() {
        let x = Polynomial::var(Var::new("x"));
        let w = Polynomial::var(Var::w2(0, 1));
        let p = x.pow(2) - Polynomial::from(Rational::ratio(1, 2)) * &w * &x
            + Polynomial::from(-3)
            + w.pow(2);
        assert_eq!(p.to_string(), "W2[0][1]^2 - 1/2*W2[0][1]*x + x^2 - 3");
        assert_eq!(
            p.to_latex(),
            "{W^{(2)}_{0,1}}^{2} - \\frac{1}{2} W^{(2)}_{0,1} x + x^{2} - 3"
        );
        assert_eq!(Polynomial::zero().to_string(), "0");
        assert_eq!(Polynomial::zero().to_latex(), "0");
        assert_eq!((-x.clone()).to_string(), "-x");
        assert_eq!(
            Polynomial::from(Rational::ratio(-1, 3)).to_latex(),
            "-\\frac{1}{3}"
        );
    }
}
