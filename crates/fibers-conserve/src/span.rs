//! Incremental exact spans: of rational vectors (values of fields at a point) and of polynomial
//! vector fields as elements of a Q-vector space (their coefficients).

use fibers_exact::Rational;
use fibers_semialg::{Monomial, Var, VectorField};
use std::collections::BTreeMap;

/// The span of rational vectors of a fixed length, kept in semi-echelon form: each stored row
/// has a pivot entry 1 and zeros at the pivots of the rows stored before it.
#[derive(Clone, Debug, Default)]
pub struct VectorSpan {
    rows: Vec<(usize, Vec<Rational>)>,
}

impl VectorSpan {
    /// The zero span.
    pub fn new() -> Self {
        VectorSpan::default()
    }

    /// The dimension of the span.
    pub fn rank(&self) -> usize {
        self.rows.len()
    }

    /// Reduces `v` against the stored rows (the result is zero iff `v` is in the span).
    pub fn reduce(&self, mut v: Vec<Rational>) -> Vec<Rational> {
        for (p, row) in &self.rows {
            if !v[*p].is_zero() {
                let f = v[*p].clone();
                for (x, y) in v.iter_mut().zip(row) {
                    if !y.is_zero() {
                        *x -= &f * y;
                    }
                }
            }
        }
        v
    }

    /// Whether `v` lies in the span.
    pub fn contains(&self, v: &[Rational]) -> bool {
        self.reduce(v.to_vec()).iter().all(Rational::is_zero)
    }

    /// Adds `v`; returns whether the dimension grew.
    pub fn insert(&mut self, v: Vec<Rational>) -> bool {
        let mut v = self.reduce(v);
        let Some(p) = v.iter().position(|x| !x.is_zero()) else {
            return false;
        };
        let inv = v[p].recip().expect("pivot is nonzero");
        for x in v.iter_mut() {
            *x *= &inv;
        }
        self.rows.push((p, v));
        true
    }
}

/// A coordinate of a polynomial vector field as a Q-vector: (component, monomial).
type Key = (Var, Monomial);

/// The Q-linear span of polynomial vector fields (linear combinations with constant rational
/// coefficients), kept as sparse rows with distinct leading coordinates.
#[derive(Clone, Debug, Default)]
pub struct FieldSpan {
    rows: BTreeMap<Key, BTreeMap<Key, Rational>>,
}

fn coordinates(x: &VectorField) -> BTreeMap<Key, Rational> {
    let mut out = BTreeMap::new();
    for (v, f) in x.components() {
        for (m, c) in f.terms() {
            out.insert((v.clone(), m.clone()), c.clone());
        }
    }
    out
}

impl FieldSpan {
    /// The zero span.
    pub fn new() -> Self {
        FieldSpan::default()
    }

    /// The dimension of the span over Q.
    pub fn dimension(&self) -> usize {
        self.rows.len()
    }

    /// Adds `x`; returns whether it was independent of the fields already in the span.
    pub fn insert(&mut self, x: &VectorField) -> bool {
        let mut v = coordinates(x);
        loop {
            let Some((lead, c)) = v.iter().next().map(|(k, c)| (k.clone(), c.clone())) else {
                return false;
            };
            match self.rows.get(&lead) {
                Some(row) => {
                    for (k, a) in row {
                        let e = v.entry(k.clone()).or_insert_with(Rational::zero);
                        *e -= &c * a;
                        if e.is_zero() {
                            v.remove(k);
                        }
                    }
                }
                None => {
                    let inv = c.recip().expect("nonzero leading coefficient");
                    for a in v.values_mut() {
                        *a *= &inv;
                    }
                    self.rows.insert(lead, v);
                    return true;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fibers_semialg::Polynomial;

    #[test]
    fn vector_span_rank() {
        let r = |v: &[i64]| v.iter().map(|&x| Rational::from(x)).collect::<Vec<_>>();
        let mut s = VectorSpan::new();
        assert!(s.insert(r(&[0, 2, 4])));
        assert!(s.insert(r(&[1, 1, 1])));
        assert!(!s.insert(r(&[1, 2, 3])));
        assert!(!s.insert(r(&[0, 0, 0])));
        assert!(s.contains(&r(&[2, 5, 8])));
        assert!(!s.contains(&r(&[0, 0, 1])));
        assert!(s.insert(r(&[0, 0, 1])));
        assert_eq!(s.rank(), 3);
    }

    #[test]
    fn field_span_is_linear_over_q() {
        let x = Var::new("x");
        let y = Var::new("y");
        let px = Polynomial::var(x.clone());
        let py = Polynomial::var(y.clone());
        let a = VectorField::new([(x.clone(), px.clone()), (y.clone(), py.clone())]);
        let b = VectorField::new([(x.clone(), py.clone())]);
        // x·a is not a constant multiple of a: independent over Q.
        let c = a.mul_poly(&px);
        let mut s = FieldSpan::new();
        assert!(s.insert(&a));
        assert!(s.insert(&b));
        assert!(!s.insert(&(&a.scale(&Rational::from(3)) - &b)));
        assert!(s.insert(&c));
        assert!(!s.insert(&VectorField::zero()));
        assert_eq!(s.dimension(), 3);
    }
}
