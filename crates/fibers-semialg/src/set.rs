//! Basic semi-algebraic sets and their finite unions.
//!
//! A [`BasicSet`] in Rⁿ is
//!
//! ```text
//! { x ∈ Rⁿ | ∃ u ∈ Rᵐ : p₁(x, u) ρ₁ 0, …, p_r(x, u) ρ_r 0 }
//! ```
//!
//! with *variables* `x` (the coordinates of the ambient space, in a fixed order), optional
//! existentially quantified *auxiliary variables* `u`, and constraints whose relation `ρ` is
//! one of `=`, `>`, `≥`, `≠` ([`Relation`]). With no auxiliary variables it is a plain
//! conjunction. A [`SemiAlgebraicSet`] is a finite union of basic sets over the same variables.
//!
//! # Membership
//!
//! [`BasicSet::contains_with`] decides membership exactly given values for the auxiliary
//! variables. [`BasicSet::membership`] decides it from the point alone where the auxiliary
//! variables are pinned down by equations that become linear once the point is substituted:
//! it repeatedly solves (exactly) the equalities that are of degree at most one in the
//! auxiliary variables still unknown, substitutes the solution (which may leave some of them
//! free), and stops when no such equality is left. If then no constraint depends on an unknown
//! auxiliary variable, the answer is exact ([`Membership::Member`] with a witness, or
//! [`Membership::NotMember`]); otherwise it is [`Membership::Undecided`].
//!
//! # Rendering
//!
//! `Display` writes, for variables `(x, y)` and an auxiliary `mu`,
//!
//! ```text
//! { (x, y) in R^2 | exists mu in R:
//!     mu > 0,
//!     x - 2*mu = 0 }
//! ```
//!
//! and `to_latex` writes a set-builder expression whose constraints are aligned at their
//! relation signs. Unions are written part by part, separated by `union` (`\cup`).

use crate::polynomial::{EvalError, Point, Polynomial, Sign};
use crate::render::var_latex;
use crate::var::Var;
use fibers_exact::{linalg, Matrix, Rational};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The relation of a constraint `p ρ 0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Relation {
    /// `p = 0`.
    Eq,
    /// `p > 0`.
    Gt,
    /// `p ≥ 0`.
    Ge,
    /// `p ≠ 0`.
    Ne,
}

impl Relation {
    /// All relations, in the order `=`, `>`, `>=`, `!=`.
    pub const ALL: [Relation; 4] = [Relation::Eq, Relation::Gt, Relation::Ge, Relation::Ne];

    /// The text (and JSON) symbol: `=`, `>`, `>=` or `!=`.
    pub fn symbol(self) -> &'static str {
        match self {
            Relation::Eq => "=",
            Relation::Gt => ">",
            Relation::Ge => ">=",
            Relation::Ne => "!=",
        }
    }

    /// The relation with this text symbol.
    pub fn from_symbol(s: &str) -> Option<Relation> {
        Relation::ALL.into_iter().find(|r| r.symbol() == s)
    }

    /// The LaTeX symbol: `=`, `>`, `\geq` or `\neq`.
    pub fn latex(self) -> &'static str {
        match self {
            Relation::Eq => "=",
            Relation::Gt => ">",
            Relation::Ge => "\\geq",
            Relation::Ne => "\\neq",
        }
    }

    /// Whether a value of this sign satisfies `value ρ 0`.
    pub fn holds(self, sign: Sign) -> bool {
        match self {
            Relation::Eq => sign == Sign::Zero,
            Relation::Gt => sign == Sign::Positive,
            Relation::Ge => sign != Sign::Negative,
            Relation::Ne => sign != Sign::Zero,
        }
    }

    /// Whether the relation defines an open set (`>` and `≠`).
    pub fn is_open(self) -> bool {
        matches!(self, Relation::Gt | Relation::Ne)
    }
}

impl fmt::Display for Relation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// A polynomial constraint `poly ρ 0`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Constraint {
    /// The left-hand side.
    pub poly: Polynomial,
    /// The relation to zero.
    pub rel: Relation,
}

impl Constraint {
    /// `poly ρ 0`.
    pub fn new(poly: Polynomial, rel: Relation) -> Constraint {
        Constraint { poly, rel }
    }
    /// `poly = 0`.
    pub fn zero(poly: Polynomial) -> Constraint {
        Constraint::new(poly, Relation::Eq)
    }
    /// `poly > 0`.
    pub fn positive(poly: Polynomial) -> Constraint {
        Constraint::new(poly, Relation::Gt)
    }
    /// `poly ≥ 0`.
    pub fn nonnegative(poly: Polynomial) -> Constraint {
        Constraint::new(poly, Relation::Ge)
    }
    /// `poly ≠ 0`.
    pub fn nonzero(poly: Polynomial) -> Constraint {
        Constraint::new(poly, Relation::Ne)
    }
    /// Whether the constraint holds at a point giving values to all its variables.
    pub fn holds_at(&self, point: &Point) -> Result<bool, EvalError> {
        Ok(self.rel.holds(self.poly.sign_at(point)?))
    }
    /// Text form `poly ρ 0`.
    pub fn to_text(&self) -> String {
        format!("{} {} 0", self.poly, self.rel)
    }
    /// LaTeX form `poly ρ 0`.
    pub fn to_latex(&self) -> String {
        format!("{} {} 0", self.poly.to_latex(), self.rel.latex())
    }
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

/// Why a set could not be built or a question about it answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetError {
    /// A name is listed twice among the variables and auxiliary variables.
    #[error("variable {0} is declared more than once")]
    DuplicateVariable(Var),
    /// A constraint uses a variable that is neither a variable nor an auxiliary variable.
    #[error("constraint {index} uses undeclared variable {var}")]
    UndeclaredVariable {
        /// Index of the constraint.
        index: usize,
        /// The variable.
        var: Var,
    },
    /// A point (or an assignment of the auxiliary variables) lacks a value.
    #[error("no value given for variable {0}")]
    MissingValue(Var),
    /// The parts of a union do not all have the union's variables.
    #[error("part {part} of the union has variables ({found}) instead of ({expected})")]
    VariablesMismatch {
        /// Index of the part.
        part: usize,
        /// The union's variables.
        expected: String,
        /// The part's variables.
        found: String,
    },
}

/// The answer of a membership search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Membership {
    /// The point belongs to the set; `witness` gives values to the auxiliary variables (of
    /// the first part that contains the point, for a union) that satisfy all constraints.
    Member {
        /// Values of the auxiliary variables (empty when there are none).
        witness: Point,
    },
    /// The point does not belong to the set (exact).
    NotMember,
    /// The search could not decide: some constraint still depends on auxiliary variables
    /// that no linear equation determines.
    Undecided {
        /// The constraints left, after substitution, in text form.
        reason: String,
    },
}

impl Membership {
    /// `Some(true)` or `Some(false)` when decided, `None` otherwise.
    pub fn decided(&self) -> Option<bool> {
        match self {
            Membership::Member { .. } => Some(true),
            Membership::NotMember => Some(false),
            Membership::Undecided { .. } => None,
        }
    }
}

/// A basic semi-algebraic set (see the [module docs](self)).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BasicSet {
    variables: Vec<Var>,
    auxiliary: Vec<Var>,
    constraints: Vec<Constraint>,
}

fn check_declarations(
    variables: &[Var],
    auxiliary: &[Var],
    constraints: &[Constraint],
) -> Result<(), SetError> {
    let mut declared = BTreeSet::new();
    for v in variables.iter().chain(auxiliary) {
        if !declared.insert(v.clone()) {
            return Err(SetError::DuplicateVariable(v.clone()));
        }
    }
    for (index, c) in constraints.iter().enumerate() {
        if let Some(var) = c
            .poly
            .variables()
            .into_iter()
            .find(|v| !declared.contains(v))
        {
            return Err(SetError::UndeclaredVariable { index, var });
        }
    }
    Ok(())
}

fn restrict(point: &Point, vars: &[Var]) -> Result<Point, SetError> {
    vars.iter()
        .map(|v| match point.get(v) {
            Some(x) => Ok((v.clone(), x.clone())),
            None => Err(SetError::MissingValue(v.clone())),
        })
        .collect()
}

fn join_names(vars: &[Var]) -> String {
    vars.iter()
        .map(Var::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl BasicSet {
    /// The set `{ x | ∃ aux : constraints }` with the given variables (in this order). Every
    /// variable of a constraint must be declared, and no name may be declared twice.
    pub fn new(
        variables: Vec<Var>,
        auxiliary: Vec<Var>,
        constraints: Vec<Constraint>,
    ) -> Result<BasicSet, SetError> {
        check_declarations(&variables, &auxiliary, &constraints)?;
        Ok(BasicSet {
            variables,
            auxiliary,
            constraints,
        })
    }

    /// Like [`BasicSet::new`], with the variables taken to be all variables of the
    /// constraints that are not auxiliary, in canonical order.
    pub fn from_constraints(
        auxiliary: Vec<Var>,
        constraints: Vec<Constraint>,
    ) -> Result<BasicSet, SetError> {
        let aux: BTreeSet<&Var> = auxiliary.iter().collect();
        let vars: BTreeSet<Var> = constraints
            .iter()
            .flat_map(|c| c.poly.variables())
            .filter(|v| !aux.contains(v))
            .collect();
        BasicSet::new(vars.into_iter().collect(), auxiliary, constraints)
    }

    /// The variables (coordinates of the ambient space), in order.
    pub fn variables(&self) -> &[Var] {
        &self.variables
    }
    /// The existentially quantified auxiliary variables.
    pub fn auxiliary(&self) -> &[Var] {
        &self.auxiliary
    }
    /// The constraints.
    pub fn constraints(&self) -> &[Constraint] {
        &self.constraints
    }
    /// Whether there are auxiliary variables.
    pub fn is_quantified(&self) -> bool {
        !self.auxiliary.is_empty()
    }

    /// Exact membership given values for the auxiliary variables: whether all constraints
    /// hold at `point` (values of all variables) together with `aux` (values of all auxiliary
    /// variables). Other entries of both maps are ignored.
    pub fn contains_with(&self, point: &Point, aux: &Point) -> Result<bool, SetError> {
        let mut full = restrict(point, &self.variables)?;
        full.extend(restrict(aux, &self.auxiliary)?);
        for c in &self.constraints {
            let holds = c.holds_at(&full).map_err(|EvalError::MissingValue(v)| {
                SetError::MissingValue(v) // unreachable: all declared variables have values
            })?;
            if !holds {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Membership of a point (values of all variables; other entries are ignored), with a
    /// search for the auxiliary variables as described in the [module docs](self).
    pub fn membership(&self, point: &Point) -> Result<Membership, SetError> {
        let fixed = restrict(point, &self.variables)?;
        let mut constraints: Vec<Constraint> = self
            .constraints
            .iter()
            .map(|c| Constraint::new(c.poly.substitute(&fixed), c.rel))
            .collect();
        // Auxiliary variables not yet determined, and the solved ones as polynomials in them.
        let mut unknown: BTreeSet<Var> = self.auxiliary.iter().cloned().collect();
        let mut solved: BTreeMap<Var, Polynomial> = BTreeMap::new();
        loop {
            // Constant constraints are decided now; the others stay.
            let mut pending = Vec::new();
            for c in constraints {
                if c.poly.is_constant() {
                    if !c.rel.holds(Sign::of(&c.poly.constant_term())) {
                        return Ok(Membership::NotMember);
                    }
                } else {
                    pending.push(c);
                }
            }
            constraints = pending;
            let linear: Vec<&Polynomial> = constraints
                .iter()
                .filter(|c| c.rel == Relation::Eq && c.poly.total_degree() == Some(1))
                .map(|c| &c.poly)
                .collect();
            if linear.is_empty() {
                break;
            }
            let cols: Vec<Var> = unknown.iter().cloned().collect();
            let rows: Vec<Vec<Rational>> = linear
                .iter()
                .map(|p| {
                    let mut row: Vec<Rational> = cols
                        .iter()
                        .map(|v| p.coefficient(&crate::Monomial::var(v.clone())))
                        .collect();
                    row.push(-p.constant_term());
                    row
                })
                .collect();
            let (reduced, pivots) = linalg::rref(&Matrix::from_rows(rows));
            if pivots.last() == Some(&cols.len()) {
                return Ok(Membership::NotMember); // 0 = nonzero constant
            }
            let mut images = BTreeMap::new();
            for (i, &pc) in pivots.iter().enumerate() {
                let row = reduced.row(i);
                // cols[pc] = rhs - Σ_{free j} row[j] · cols[j]
                let mut expr = Polynomial::constant(row[cols.len()].clone());
                for (j, v) in cols.iter().enumerate() {
                    if j != pc && !row[j].is_zero() {
                        expr -= Polynomial::var(v.clone()).scale(&row[j]);
                    }
                }
                images.insert(cols[pc].clone(), expr);
            }
            for v in images.keys() {
                unknown.remove(v);
            }
            for e in solved.values_mut() {
                *e = e.compose(&images);
            }
            solved.extend(images.clone());
            constraints = constraints
                .into_iter()
                .map(|c| Constraint::new(c.poly.compose(&images), c.rel))
                .collect();
        }
        if !constraints.is_empty() {
            let left: Vec<String> = constraints.iter().map(Constraint::to_text).collect();
            return Ok(Membership::Undecided {
                reason: format!(
                    "constraints not determined by linear equations: {}",
                    left.join(", ")
                ),
            });
        }
        // No constraint depends on the unknown auxiliary variables: set them to 0.
        let zeros: Point = unknown
            .iter()
            .map(|v| (v.clone(), Rational::zero()))
            .collect();
        let mut witness = zeros.clone();
        for (v, e) in &solved {
            witness.insert(v.clone(), e.substitute(&zeros).constant_term());
        }
        debug_assert_eq!(self.contains_with(point, &witness), Ok(true));
        Ok(Membership::Member { witness })
    }

    /// The text form (also `Display`); see the [module docs](self).
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{{ ({}) in R^{}",
            join_names(&self.variables),
            self.variables.len()
        );
        if self.constraints.is_empty() && self.auxiliary.is_empty() {
            out.push_str(" }");
            return out;
        }
        out.push_str(" |");
        if self.is_quantified() {
            out.push_str(&format!(" exists {} in R:", join_names(&self.auxiliary)));
        }
        if self.constraints.is_empty() {
            out.push_str(" true }");
            return out;
        }
        let lines: Vec<String> = self
            .constraints
            .iter()
            .map(|c| format!("\n    {c}"))
            .collect();
        out.push_str(&lines.join(","));
        out.push_str(" }");
        out
    }

    /// The LaTeX form, in math mode; see the [module docs](self).
    pub fn to_latex(&self) -> String {
        let vars: Vec<String> = self.variables.iter().map(var_latex).collect();
        let mut out = format!(
            "\\left\\{{ \\left({}\\right) \\in \\mathbb{{R}}^{{{}}}",
            vars.join(", "),
            self.variables.len()
        );
        if self.constraints.is_empty() && self.auxiliary.is_empty() {
            out.push_str(" \\right\\}");
            return out;
        }
        out.push_str(" \\;\\middle|\\; ");
        if self.is_quantified() {
            let aux: Vec<String> = self.auxiliary.iter().map(var_latex).collect();
            out.push_str(&format!(
                "\\exists\\, {} \\in \\mathbb{{R}} :\\ ",
                aux.join(", ")
            ));
        }
        if self.constraints.is_empty() {
            out.push_str("\\mathrm{true}");
        } else {
            let rows: Vec<String> = self
                .constraints
                .iter()
                .map(|c| format!("{} &{} 0", c.poly.to_latex(), c.rel.latex()))
                .collect();
            out.push_str(&format!(
                "\\begin{{aligned}} {} \\end{{aligned}}",
                rows.join(" \\\\ ")
            ));
        }
        out.push_str(" \\right\\}");
        out
    }
}

impl fmt::Display for BasicSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

/// A finite union of basic sets over the same variables (see the [module docs](self)).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SemiAlgebraicSet {
    variables: Vec<Var>,
    parts: Vec<BasicSet>,
}

impl SemiAlgebraicSet {
    /// The union of `parts`, each of which must have exactly the variables `variables` (in
    /// any order). An empty list of parts gives the empty set.
    pub fn union(variables: Vec<Var>, parts: Vec<BasicSet>) -> Result<SemiAlgebraicSet, SetError> {
        check_declarations(&variables, &[], &[])?;
        let expected: BTreeSet<&Var> = variables.iter().collect();
        for (i, p) in parts.iter().enumerate() {
            let found: BTreeSet<&Var> = p.variables.iter().collect();
            if found != expected {
                return Err(SetError::VariablesMismatch {
                    part: i,
                    expected: join_names(&variables),
                    found: join_names(&p.variables),
                });
            }
        }
        Ok(SemiAlgebraicSet { variables, parts })
    }

    /// The variables, in order.
    pub fn variables(&self) -> &[Var] {
        &self.variables
    }
    /// The basic sets whose union this is.
    pub fn parts(&self) -> &[BasicSet] {
        &self.parts
    }

    /// Membership: a member of some part, not a member of any, or undecided (see
    /// [`BasicSet::membership`]).
    pub fn membership(&self, point: &Point) -> Result<Membership, SetError> {
        restrict(point, &self.variables)?;
        let mut undecided = Vec::new();
        for (i, part) in self.parts.iter().enumerate() {
            match part.membership(point)? {
                m @ Membership::Member { .. } => return Ok(m),
                Membership::NotMember => {}
                Membership::Undecided { reason } => undecided.push(format!("part {i}: {reason}")),
            }
        }
        if undecided.is_empty() {
            Ok(Membership::NotMember)
        } else {
            Ok(Membership::Undecided {
                reason: undecided.join("; "),
            })
        }
    }

    /// The text form (also `Display`): the parts separated by lines `union`; the empty union
    /// is `{ (x, …) in R^n | false }`.
    pub fn to_text(&self) -> String {
        if self.parts.is_empty() {
            return format!(
                "{{ ({}) in R^{} | false }}",
                join_names(&self.variables),
                self.variables.len()
            );
        }
        let parts: Vec<String> = self.parts.iter().map(BasicSet::to_text).collect();
        parts.join("\nunion\n")
    }

    /// The LaTeX form, in math mode: the parts stacked in a `gathered` environment with `\cup`
    /// between them; the empty union is `\varnothing`.
    pub fn to_latex(&self) -> String {
        match self.parts.len() {
            0 => "\\varnothing".to_string(),
            1 => self.parts[0].to_latex(),
            _ => {
                let parts: Vec<String> = self.parts.iter().map(BasicSet::to_latex).collect();
                format!(
                    "\\begin{{gathered}} {} \\end{{gathered}}",
                    parts.join(" \\\\ \\cup \\\\ ")
                )
            }
        }
    }
}

impl From<BasicSet> for SemiAlgebraicSet {
    fn from(b: BasicSet) -> SemiAlgebraicSet {
        SemiAlgebraicSet {
            variables: b.variables.clone(),
            parts: vec![b],
        }
    }
}

impl fmt::Display for SemiAlgebraicSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
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
    fn c(x: i64) -> Polynomial {
        Polynomial::from(x)
    }
    fn pt(vals: &[(&str, i64)]) -> Point {
        vals.iter()
            .map(|&(n, x)| (v(n), Rational::from(x)))
            .collect()
    }

    /// `{ (x, y) | ∃ mu: mu > 0, x - 2 mu = 0, mu y - 3 = 0 }`.
    fn scaled() -> BasicSet {
        BasicSet::new(
            vec![v("x"), v("y")],
            vec![v("mu")],
            vec![
                Constraint::positive(p("mu")),
                Constraint::zero(p("x") - c(2) * p("mu")),
                Constraint::zero(p("mu") * p("y") - c(3)),
            ],
        )
        .unwrap()
    }

    #[test]
    fn declarations_are_checked() {
        let e = BasicSet::new(vec![v("x")], vec![], vec![Constraint::zero(p("y"))]);
        assert_eq!(
            e,
            Err(SetError::UndeclaredVariable {
                index: 0,
                var: v("y")
            })
        );
        let e = BasicSet::new(vec![v("x")], vec![v("x")], vec![]);
        assert_eq!(e, Err(SetError::DuplicateVariable(v("x"))));
    }

    #[test]
    fn membership_with_and_without_witness() {
        let s = scaled();
        let point = pt(&[("x", 4), ("y", 1)]);
        let mut q = point.clone();
        q.insert(v("y"), Rational::ratio(3, 2));
        assert_eq!(s.contains_with(&q, &pt(&[("mu", 2)])), Ok(true));
        assert_eq!(s.contains_with(&point, &pt(&[("mu", 2)])), Ok(false));
        assert_eq!(
            s.membership(&q),
            Ok(Membership::Member {
                witness: pt(&[("mu", 2)])
            })
        );
        assert_eq!(s.membership(&point), Ok(Membership::NotMember));
        // mu = -2 < 0.
        let mut r = pt(&[("x", -4)]);
        r.insert(v("y"), Rational::ratio(-3, 2));
        assert_eq!(s.contains_with(&r, &pt(&[("mu", -2)])), Ok(false));
        assert_eq!(s.membership(&r), Ok(Membership::NotMember));
        assert_eq!(
            s.membership(&pt(&[("x", 4)])),
            Err(SetError::MissingValue(v("y")))
        );
    }

    #[test]
    fn membership_chains_and_undecided() {
        // mu - x = 0 determines mu; then mu nu - 1 = 0 determines nu; nu > 1 is checked.
        let s = BasicSet::new(
            vec![v("x")],
            vec![v("mu"), v("nu")],
            vec![
                Constraint::zero(p("mu") * p("nu") - c(1)),
                Constraint::zero(p("mu") - p("x")),
                Constraint::positive(p("nu") - c(1)),
            ],
        )
        .unwrap();
        assert_eq!(
            s.membership(&[(v("x"), Rational::ratio(1, 2))].into_iter().collect()),
            Ok(Membership::Member {
                witness: [
                    (v("mu"), Rational::ratio(1, 2)),
                    (v("nu"), Rational::from(2))
                ]
                .into_iter()
                .collect()
            })
        );
        assert_eq!(s.membership(&pt(&[("x", 2)])), Ok(Membership::NotMember));
        assert_eq!(s.membership(&pt(&[("x", 0)])), Ok(Membership::NotMember));
        // mu^2 = x is not linear in mu.
        let t = BasicSet::new(
            vec![v("x")],
            vec![v("mu")],
            vec![Constraint::zero(p("mu").pow(2) - p("x"))],
        )
        .unwrap();
        assert!(matches!(
            t.membership(&pt(&[("x", 4)])),
            Ok(Membership::Undecided { .. })
        ));
        // A free auxiliary variable that no constraint depends on after solving.
        let u = BasicSet::new(
            vec![v("x")],
            vec![v("mu"), v("nu")],
            vec![
                Constraint::zero(p("mu") + p("nu") - p("x")),
                Constraint::nonzero(p("x")),
            ],
        )
        .unwrap();
        assert_eq!(
            u.membership(&pt(&[("x", 3)])),
            Ok(Membership::Member {
                witness: pt(&[("mu", 3), ("nu", 0)])
            })
        );
        assert_eq!(u.membership(&pt(&[("x", 0)])), Ok(Membership::NotMember));
    }

    #[test]
    fn union_membership() {
        let a = BasicSet::new(
            vec![v("x"), v("y")],
            vec![],
            vec![Constraint::positive(p("x"))],
        )
        .unwrap();
        let b =
            BasicSet::new(vec![v("y"), v("x")], vec![], vec![Constraint::zero(p("y"))]).unwrap();
        let u = SemiAlgebraicSet::union(vec![v("x"), v("y")], vec![a, b]).unwrap();
        assert_eq!(
            u.membership(&pt(&[("x", 1), ("y", 5)])).unwrap().decided(),
            Some(true)
        );
        assert_eq!(
            u.membership(&pt(&[("x", -1), ("y", 0)])).unwrap().decided(),
            Some(true)
        );
        assert_eq!(
            u.membership(&pt(&[("x", -1), ("y", 5)])).unwrap().decided(),
            Some(false)
        );
        let c = BasicSet::new(vec![v("x")], vec![], vec![]).unwrap();
        assert!(matches!(
            SemiAlgebraicSet::union(vec![v("x"), v("y")], vec![c]),
            Err(SetError::VariablesMismatch { part: 0, .. })
        ));
        let empty = SemiAlgebraicSet::union(vec![v("x")], vec![]).unwrap();
        assert_eq!(
            empty.membership(&pt(&[("x", 0)])),
            Ok(Membership::NotMember)
        );
        assert_eq!(empty.to_text(), "{ (x) in R^1 | false }");
    }
}
