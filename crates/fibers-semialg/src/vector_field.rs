//! Polynomial vector fields `X = Σᵢ fᵢ ∂/∂xᵢ` with polynomial components.
//!
//! A field acts on polynomials as a derivation, `X(p) = Σᵢ fᵢ ∂p/∂xᵢ` ([`VectorField::apply`]);
//! `p` is a conservation law of the flow of `X` when `X(p) = 0`. The Lie bracket is
//! `[X, Y]ᵢ = X(Yᵢ) − Y(Xᵢ)`, so that `[X, Y](p) = X(Y(p)) − Y(X(p))`.
//!
//! Text form: `(2*x - y)*d/dx + (x^2)*d/dy`, components in canonical variable order, `0` for
//! the zero field. LaTeX: `\left(2 x - y\right) \frac{\partial}{\partial x} + …`.

use crate::dimension::rank;
use crate::polynomial::{EvalError, Point, Polynomial};
use crate::render::var_latex;
use crate::var::Var;
use fibers_exact::Rational;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::{Add, Neg, Sub};

/// A vector field with polynomial components; components not stored are zero.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct VectorField {
    components: BTreeMap<Var, Polynomial>,
}

impl VectorField {
    /// The zero field.
    pub fn zero() -> VectorField {
        VectorField::default()
    }

    /// The field with components `f` at `v` for the pairs `(v, f)`; repeated variables add up.
    pub fn new<I: IntoIterator<Item = (Var, Polynomial)>>(components: I) -> VectorField {
        let mut x = VectorField::zero();
        for (v, f) in components {
            x.add_component(v, &f);
        }
        x
    }

    /// The gradient field `Σ ∂p/∂v ∂/∂v` over the variables of `p`.
    pub fn gradient_of(p: &Polynomial) -> VectorField {
        VectorField::new(p.variables().into_iter().map(|v| {
            let d = p.derivative(&v);
            (v, d)
        }))
    }

    fn add_component(&mut self, v: Var, f: &Polynomial) {
        let slot = self.components.entry(v.clone()).or_default();
        *slot += f;
        if slot.is_zero() {
            self.components.remove(&v);
        }
    }

    /// Whether every component is zero.
    pub fn is_zero(&self) -> bool {
        self.components.is_empty()
    }

    /// The component at `v` (zero when absent).
    pub fn component(&self, v: &Var) -> Polynomial {
        self.components.get(v).cloned().unwrap_or_default()
    }

    /// The nonzero components, in canonical variable order.
    pub fn components(&self) -> impl Iterator<Item = (&Var, &Polynomial)> + '_ {
        self.components.iter()
    }

    /// All variables the field involves: those with a nonzero component and those occurring
    /// in a component.
    pub fn variables(&self) -> BTreeSet<Var> {
        let mut vars: BTreeSet<Var> = self.components.keys().cloned().collect();
        for f in self.components.values() {
            vars.extend(f.variables());
        }
        vars
    }

    /// The derivative of `p` along the field: `X(p) = Σ fᵢ ∂p/∂xᵢ`.
    pub fn apply(&self, p: &Polynomial) -> Polynomial {
        self.components
            .iter()
            .map(|(v, f)| f * &p.derivative(v))
            .sum()
    }

    /// The Lie bracket `[self, other]`.
    pub fn lie_bracket(&self, other: &VectorField) -> VectorField {
        let vars: BTreeSet<&Var> = self
            .components
            .keys()
            .chain(other.components.keys())
            .collect();
        VectorField::new(vars.into_iter().map(|v| {
            let c = self.apply(&other.component(v)) - other.apply(&self.component(v));
            (v.clone(), c)
        }))
    }

    /// `c · self`.
    pub fn scale(&self, c: &Rational) -> VectorField {
        VectorField::new(self.components.iter().map(|(v, f)| (v.clone(), f.scale(c))))
    }

    /// `p · self` (each component multiplied by `p`).
    pub fn mul_poly(&self, p: &Polynomial) -> VectorField {
        VectorField::new(self.components.iter().map(|(v, f)| (v.clone(), f * p)))
    }

    /// The value at a point: the nonzero components evaluated exactly, in canonical order.
    /// (A component that vanishes at the point is still listed, with value 0.)
    pub fn eval(&self, point: &Point) -> Result<BTreeMap<Var, Rational>, EvalError> {
        self.components
            .iter()
            .map(|(v, f)| Ok((v.clone(), f.eval(point)?)))
            .collect()
    }

    /// The value at a point as a vector of the components at `vars`, in that order
    /// (components at other variables are not included).
    pub fn eval_vector(&self, vars: &[Var], point: &Point) -> Result<Vec<Rational>, EvalError> {
        vars.iter()
            .map(|v| match self.components.get(v) {
                Some(f) => f.eval(point),
                None => Ok(Rational::zero()),
            })
            .collect()
    }

    /// Text form (also `Display`); see the [module docs](self).
    pub fn to_text(&self) -> String {
        if self.is_zero() {
            return "0".into();
        }
        let parts: Vec<String> = self
            .components
            .iter()
            .map(|(v, f)| format!("({f})*d/d{v}"))
            .collect();
        parts.join(" + ")
    }

    /// LaTeX form; see the [module docs](self).
    pub fn to_latex(&self) -> String {
        if self.is_zero() {
            return "0".into();
        }
        let parts: Vec<String> = self
            .components
            .iter()
            .map(|(v, f)| {
                format!(
                    "\\left({}\\right) \\frac{{\\partial}}{{\\partial {}}}",
                    f.to_latex(),
                    var_latex(v)
                )
            })
            .collect();
        parts.join(" + ")
    }
}

/// The exact rank over Q of the vectors `X(point)` for the given fields: the dimension of the
/// span of their values at the point.
pub fn rank_at(fields: &[VectorField], point: &Point) -> Result<usize, EvalError> {
    let vars: Vec<Var> = fields
        .iter()
        .flat_map(|x| x.components.keys().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let rows = fields
        .iter()
        .map(|x| x.eval_vector(&vars, point))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rank(&rows))
}

impl fmt::Display for VectorField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl Add<&VectorField> for &VectorField {
    type Output = VectorField;
    fn add(self, rhs: &VectorField) -> VectorField {
        let mut x = self.clone();
        for (v, f) in &rhs.components {
            x.add_component(v.clone(), f);
        }
        x
    }
}
impl Sub<&VectorField> for &VectorField {
    type Output = VectorField;
    fn sub(self, rhs: &VectorField) -> VectorField {
        self + &(-rhs)
    }
}
impl Neg for &VectorField {
    type Output = VectorField;
    fn neg(self) -> VectorField {
        VectorField::new(self.components.iter().map(|(v, f)| (v.clone(), -f)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Var {
        Var::new(s)
    }
    fn p(s: &str) -> Polynomial {
        Polynomial::var(v(s))
    }

    #[test]
    fn rotation_and_scaling() {
        // Rotation R = -y d/dx + x d/dy conserves x^2 + y^2; Euler E = x d/dx + y d/dy.
        let r = VectorField::new([(v("x"), -p("y")), (v("y"), p("x"))]);
        let e = VectorField::new([(v("x"), p("x")), (v("y"), p("y"))]);
        let h = p("x").pow(2) + p("y").pow(2);
        assert!(r.apply(&h).is_zero());
        assert_eq!(e.apply(&h), Polynomial::from(2) * &h);
        assert!(r.lie_bracket(&e).is_zero());
        assert_eq!(r.to_text(), "(-y)*d/dx + (x)*d/dy");
        assert_eq!(
            r.to_latex(),
            "\\left(-y\\right) \\frac{\\partial}{\\partial x} + \\left(x\\right) \\frac{\\partial}{\\partial y}"
        );
        let pt: Point = [(v("x"), Rational::from(1)), (v("y"), Rational::from(0))]
            .into_iter()
            .collect();
        assert_eq!(rank_at(&[r.clone(), e.clone()], &pt), Ok(2));
        let origin: Point = [(v("x"), Rational::zero()), (v("y"), Rational::zero())]
            .into_iter()
            .collect();
        assert_eq!(rank_at(&[r.clone(), e], &origin), Ok(0));
        assert_eq!(rank_at(&[], &origin), Ok(0));
        assert_eq!(
            r.eval_vector(&[v("y"), v("x")], &pt).unwrap(),
            vec![Rational::from(1), Rational::from(0)]
        );
        assert!((&r - &r).is_zero());
    }

    #[test]
    fn bracket_of_translation_and_dilation() {
        // [d/dx, x d/dx] = d/dx.
        let t = VectorField::new([(v("x"), Polynomial::one())]);
        let d = VectorField::new([(v("x"), p("x"))]);
        assert_eq!(t.lie_bracket(&d), t);
        assert_eq!(d.lie_bracket(&t), -&t);
    }
}
