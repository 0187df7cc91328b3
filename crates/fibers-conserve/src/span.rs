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

/// Sparse vectors with coordinates `K`, kept in echelon form: every stored row has a distinct
/// leading (smallest) coordinate with coefficient 1.
#[derive(Clone, Debug)]
pub struct SparseEchelon<K: Ord + Clone> {
    rows: BTreeMap<K, BTreeMap<K, Rational>>,
}

impl<K: Ord + Clone> Default for SparseEchelon<K> {
    fn default() -> Self {
        SparseEchelon {
            rows: BTreeMap::new(),
        }
    }
}

impl<K: Ord + Clone> SparseEchelon<K> {
    /// The zero span.
    pub fn new() -> Self {
        Self::default()
    }

    /// The dimension of the span.
    pub fn dimension(&self) -> usize {
        self.rows.len()
    }

    /// Adds `v` (zero entries allowed); returns whether it was independent of the rows.
    pub fn insert(&mut self, mut v: BTreeMap<K, Rational>) -> bool {
        v.retain(|_, c| !c.is_zero());
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

impl SparseEchelon<usize> {
    /// A basis of `{x ∈ Q^n : row · x = 0 for every row}`: one vector per non-leading
    /// coordinate `f < n`, with `x[f] = 1` and zeros at the other non-leading coordinates.
    pub fn nullspace(&self, n: usize) -> Vec<Vec<Rational>> {
        (0..n)
            .filter(|f| !self.rows.contains_key(f))
            .map(|f| {
                let mut x = vec![Rational::zero(); n];
                x[f] = Rational::one();
                // Leading coordinates in decreasing order: every other entry of a row lies
                // at a larger coordinate, already known.
                for (p, row) in self.rows.iter().rev() {
                    let mut acc = Rational::zero();
                    for (c, a) in row.range(p + 1..) {
                        if !x[*c].is_zero() {
                            acc += a * &x[*c];
                        }
                    }
                    x[*p] = -acc;
                }
                x
            })
            .collect()
    }
}

/// The Q-linear span of polynomial vector fields (linear combinations with constant rational
/// coefficients), over the coordinates (component, monomial).
#[derive(Clone, Debug, Default)]
pub struct FieldSpan {
    inner: SparseEchelon<(Var, Monomial)>,
}

fn coordinates(x: &VectorField) -> BTreeMap<(Var, Monomial), Rational> {
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
        self.inner.dimension()
    }

    /// Adds `x`; returns whether it was independent of the fields already in the span.
    pub fn insert(&mut self, x: &VectorField) -> bool {
        self.inner.insert(coordinates(x))
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

    #[test]
    fn sparse_nullspace() {
        // x0 + x2 = 0, x1 - 2 x2 = 0 in Q^4: basis (-1, 2, 1, 0), (0, 0, 0, 1).
        let mut e = SparseEchelon::new();
        let r = |v: &[(usize, i64)]| v.iter().map(|&(k, c)| (k, Rational::from(c))).collect();
        assert!(e.insert(r(&[(0, 1), (2, 1)])));
        assert!(e.insert(r(&[(1, 1), (2, -2)])));
        assert!(!e.insert(r(&[(0, 2), (1, 1)])));
        let ns = e.nullspace(4);
        let want: Vec<Vec<Rational>> = vec![
            [-1, 2, 1, 0].iter().map(|&x| Rational::from(x)).collect(),
            [0, 0, 0, 1].iter().map(|&x| Rational::from(x)).collect(),
        ];
        assert_eq!(ns, want);
    }
}
