//! Exact search for every polynomial conservation law of degree at most 2.
//!
//! A polynomial `Q = Σ_u q_u m_u` over the monomials `m_u ∈ {θ_i, θ_i θ_j}` is a law iff
//! `∇Q · g ≡ 0` for every generator `g` (the gradient coefficient fields of
//! [`crate::model::gradient_generators`]): a homogeneous linear system in the unknowns `q_u`,
//! one equation per generator and monomial of the product. Its solution space, computed
//! exactly (sparse elimination over Q), is the space of all laws of degree ≤ 2 (constants
//! aside). Used to check that no polynomial law of low degree is missing when the Lie-algebra
//! count exceeds the number of laws found.

use crate::span::SparseEchelon;
use fibers_exact::Rational;
use fibers_semialg::{Monomial, Polynomial, Var, VectorField};
use std::collections::BTreeMap;

/// The largest number of parameters for which [`quadratic_laws`] is run by the report.
pub const MAX_SEARCH_PARAMETERS: usize = 40;

/// A basis of the laws of degree ≤ 2 (without constant term) of the generators.
pub fn quadratic_laws(generators: &[VectorField], vars: &[Var]) -> Vec<Polynomial> {
    let mut monomials: Vec<Monomial> = vars.iter().map(|v| Monomial::var(v.clone())).collect();
    for (a, v) in vars.iter().enumerate() {
        for w in &vars[a..] {
            monomials.push(Monomial::from_powers([(v.clone(), 1), (w.clone(), 1)]));
        }
    }
    let gradients: Vec<VectorField> = monomials
        .iter()
        .map(|m| VectorField::gradient_of(&Polynomial::from(m.clone())))
        .collect();
    let mut system = SparseEchelon::new();
    for g in generators {
        // Rows indexed by the monomials of ∇m_u · g, columns by u.
        let mut rows: BTreeMap<Monomial, BTreeMap<usize, Rational>> = BTreeMap::new();
        for (u, grad) in gradients.iter().enumerate() {
            let p: Polynomial = grad.components().map(|(v, d)| d * &g.component(v)).sum();
            for (m, c) in p.terms() {
                rows.entry(m.clone()).or_default().insert(u, c.clone());
            }
        }
        for (_, row) in rows {
            system.insert(row);
        }
    }
    system
        .nullspace(monomials.len())
        .into_iter()
        .map(|q| Polynomial::from_terms(q.into_iter().zip(&monomials).map(|(c, m)| (c, m.clone()))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_and_translation() {
        // On (x, y, z): generators R = -y d/dx + x d/dy and T = d/dz... plus nothing else: the
        // laws of degree ≤ 2 are spanned by x² + y² (and nothing with z).
        let (x, y, z) = (Var::new("x"), Var::new("y"), Var::new("z"));
        let px = Polynomial::var(x.clone());
        let py = Polynomial::var(y.clone());
        let r = VectorField::new([(x.clone(), -py.clone()), (y.clone(), px.clone())]);
        let t = VectorField::new([(z.clone(), Polynomial::one())]);
        let laws = quadratic_laws(&[r, t], &[x, y, z]);
        assert_eq!(laws.len(), 1);
        let q = &laws[0];
        let want = px.pow(2) + py.pow(2);
        let ratio = q.coefficient(&Monomial::power(Var::new("x"), 2));
        assert_eq!(q, &want.scale(&ratio));
    }
}
