//! Rank over a prime field: a fast, valid **lower bound** for the rank over `Q`.
//!
//! A rational matrix whose entries all have denominators prime to `p` reduces to a matrix over
//! `F_p`. Every minor of the reduction is the reduction of the rational minor (times a unit), so
//! a minor that is nonzero mod `p` is nonzero over `Q`: **rank mod p ≤ rank over Q**, always.
//! The two agree unless `p` divides every maximal nonzero minor, which for a large prime
//! ([`PRIMES`] are about `2^61`) is rare. Use the result as a certified lower bound, never as
//! an upper bound.
//!
//! - [`rank_mod_p`]: rank of a dense rational matrix given as rows.
//! - [`EchelonModP`]: a streaming, sparse row-echelon builder over one prime: push rows one at
//!   a time (as sparse `(column, value)` lists), read the rank at any moment. Columns with a
//!   smaller index are eliminated first, so the caller chooses the elimination order by
//!   numbering columns (local variables first keeps fill-in small). Also: the remainder of a
//!   row modulo the span ([`EchelonModP::reduce`], [`EchelonModP::reduce_dense`]) and pivots
//!   limited to a range of columns ([`EchelonModP::push_within`],
//!   [`EchelonModP::push_dense_within`], dense rows for rows with many nonzero entries), as
//!   needed by block-structured ranks.
//! - [`Fp`]: a value type for `F_p`, `p = 2^61 − 1`, with the ring operators.
//! - [`reduce`]: one rational modulo `p` (`None` when `p` divides the denominator).
//!
//! ```
//! use fibers_exact::modp::rank_mod_p;
//! use fibers_exact::Rational;
//!
//! let r = |n: i64, d: i64| Rational::ratio(n, d);
//! let rows = vec![
//!     vec![r(1, 2), r(1, 3)],
//!     vec![r(3, 2), r(1, 1)], // 3 × the first row
//! ];
//! assert_eq!(rank_mod_p(&rows), 1);
//! ```

use crate::integer::Integer;
use crate::rational::Rational;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

/// Primes just below `2^62` and `2^61` used by [`rank_mod_p`], in the order tried.
///
/// Each is checked prime by a deterministic Miller–Rabin test in this module's tests.
pub const PRIMES: [u64; 4] = [
    2_305_843_009_213_693_951, // 2^61 − 1 (Mersenne)
    4_611_686_018_427_387_847, // 2^62 − 57
    4_611_686_018_427_387_817, // 2^62 − 87
    4_611_686_018_427_387_787, // 2^62 − 117
];

/// The Mersenne prime `2^61 − 1`, the first of [`PRIMES`] (reduction by shifts).
const M61: u64 = (1 << 61) - 1;

/// `a · b mod p` for `a, b < p`.
#[inline]
pub fn mul_mod(a: u64, b: u64, p: u64) -> u64 {
    let x = u128::from(a) * u128::from(b);
    if p == M61 {
        // x < 2^122: x = hi·2^61 + lo ≡ hi + lo, and hi + lo < 2p.
        let r = (x & u128::from(M61)) as u64 + (x >> 61) as u64;
        if r >= M61 {
            r - M61
        } else {
            r
        }
    } else {
        (x % u128::from(p)) as u64
    }
}

/// `a + b mod p` for `a, b < p`.
#[inline]
pub fn add_mod(a: u64, b: u64, p: u64) -> u64 {
    // p < 2^63, so a + b does not overflow.
    let s = a + b;
    if s >= p {
        s - p
    } else {
        s
    }
}

/// `a − b mod p` for `a, b < p`.
#[inline]
pub fn sub_mod(a: u64, b: u64, p: u64) -> u64 {
    if a >= b {
        a - b
    } else {
        p - (b - a)
    }
}

/// `a^e mod p`.
pub fn pow_mod(mut a: u64, mut e: u64, p: u64) -> u64 {
    let mut r = 1 % p;
    a %= p;
    while e > 0 {
        if e & 1 == 1 {
            r = mul_mod(r, a, p);
        }
        a = mul_mod(a, a, p);
        e >>= 1;
    }
    r
}

/// The inverse of `a ≠ 0 mod p` (`p` prime), by Fermat.
pub fn inv_mod(a: u64, p: u64) -> u64 {
    debug_assert!(!a.is_multiple_of(p), "inv_mod of zero");
    pow_mod(a, p - 2, p)
}

/// An element of `F_p` for the Mersenne prime `p = 2^61 − 1` (the first of [`PRIMES`]), kept
/// reduced in `0..p`, with the ring operators: a value type for evaluating polynomial maps
/// modulo `p` (for example with dual numbers built on it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Fp(pub u64);

impl Fp {
    /// The prime `2^61 − 1`.
    pub const P: u64 = M61;
    /// Zero.
    pub const ZERO: Fp = Fp(0);
    /// One.
    pub const ONE: Fp = Fp(1);

    /// Whether zero.
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// `self^e`.
    pub fn pow(self, e: u64) -> Fp {
        Fp(pow_mod(self.0, e, M61))
    }

    /// The inverse (of a nonzero element).
    pub fn inv(self) -> Fp {
        Fp(inv_mod(self.0, M61))
    }

    /// The image of a small integer.
    pub fn from_i64(v: i64) -> Fp {
        Fp(i128::from(v).rem_euclid(i128::from(M61)) as u64)
    }

    /// The image of an integer.
    pub fn from_integer(n: &Integer) -> Fp {
        Fp(integer_mod(n, M61))
    }

    /// The image of a rational, or `None` when `p` divides its denominator.
    pub fn from_rational(r: &Rational) -> Option<Fp> {
        reduce(r, M61).map(Fp)
    }
}

impl std::ops::Add for Fp {
    type Output = Fp;
    #[inline]
    fn add(self, o: Fp) -> Fp {
        Fp(add_mod(self.0, o.0, M61))
    }
}

impl std::ops::Sub for Fp {
    type Output = Fp;
    #[inline]
    fn sub(self, o: Fp) -> Fp {
        Fp(sub_mod(self.0, o.0, M61))
    }
}

impl std::ops::Neg for Fp {
    type Output = Fp;
    #[inline]
    fn neg(self) -> Fp {
        Fp(sub_mod(0, self.0, M61))
    }
}

impl std::ops::Mul for Fp {
    type Output = Fp;
    #[inline]
    fn mul(self, o: Fp) -> Fp {
        Fp(mul_mod(self.0, o.0, M61))
    }
}

/// `|n| mod p` of an arbitrary-precision integer, and its sign folded in.
fn integer_mod(n: &Integer, p: u64) -> u64 {
    if let Some(v) = n.to_i64() {
        let r = (i128::from(v)).rem_euclid(i128::from(p));
        return r as u64;
    }
    #[cfg(not(feature = "gmp"))]
    let digits: Vec<u64> = n.0.magnitude().iter_u64_digits().collect();
    #[cfg(feature = "gmp")]
    let digits: Vec<u64> = {
        let mut d = vec![0u64; n.0.significant_digits::<u64>()];
        n.0.write_digits(&mut d, rug::integer::Order::Lsf);
        d
    };
    // Horner from the most significant 64-bit digit: r ← r·2^64 + d.
    let base = ((1u128 << 64) % u128::from(p)) as u64;
    let mut r = 0u64;
    for &d in digits.iter().rev() {
        r = add_mod(mul_mod(r, base, p), d % p, p);
    }
    if n.signum() < 0 {
        sub_mod(0, r, p)
    } else {
        r
    }
}

/// `q mod p`, or `None` when `p` divides the denominator of `q`.
pub fn reduce(q: &Rational, p: u64) -> Option<u64> {
    let num = integer_mod(&q.numer(), p);
    if q.is_integer() {
        return Some(num);
    }
    let den = integer_mod(&q.denom(), p);
    if den == 0 {
        return None;
    }
    Some(mul_mod(num, inv_mod(den, p), p))
}

/// A row in sparse form: `(column, value mod p)` pairs with increasing columns and nonzero
/// values.
pub type SparseRow = Vec<(usize, u64)>;

/// A streaming row-echelon form over `F_p` for sparse rows.
///
/// Each stored pivot row has leading coefficient 1 at a column no other pivot row leads at.
/// [`EchelonModP::push`] reduces the new row by the pivot rows (always on its leading column,
/// so smaller column indices are eliminated first) and keeps it when something nonzero is
/// left. The number of kept rows is the rank mod `p` of everything pushed.
#[derive(Clone, Debug)]
pub struct EchelonModP {
    p: u64,
    pivots: Vec<Option<SparseRow>>,
    rank: usize,
}

impl EchelonModP {
    /// An empty echelon form over `F_p` for rows with `cols` columns (`p` must be prime).
    pub fn new(p: u64, cols: usize) -> Self {
        EchelonModP {
            p,
            pivots: vec![None; cols],
            rank: 0,
        }
    }

    /// The prime.
    pub fn prime(&self) -> u64 {
        self.p
    }

    /// The number of columns.
    pub fn cols(&self) -> usize {
        self.pivots.len()
    }

    /// The rank mod `p` of all rows pushed so far.
    pub fn rank(&self) -> usize {
        self.rank
    }

    /// Whether column `c` has a pivot.
    pub fn has_pivot(&self, c: usize) -> bool {
        self.pivots[c].is_some()
    }

    /// Pushes a sparse row (entries reduced mod `p` by the caller; zeros and unsorted or
    /// repeated columns are accepted and combined). Returns whether the rank grew.
    ///
    /// Panics if a column is out of range.
    pub fn push(&mut self, row: SparseRow) -> bool {
        let p = self.p;
        let row = normalise(row, p);
        for &(c, _) in &row {
            assert!(
                c < self.pivots.len(),
                "EchelonModP::push: column {c} out of range"
            );
        }
        // Short rows: merge directly. Long rows: a sparse accumulator visited in column order,
        // so that each reduction costs the length of the pivot row, not of the whole row.
        if row.len() <= 8 {
            return self.push_merge(row);
        }
        let mut vals: HashMap<usize, u64> = row.iter().copied().collect();
        let mut heap: BinaryHeap<Reverse<usize>> = row.iter().map(|e| Reverse(e.0)).collect();
        while let Some(Reverse(c)) = heap.pop() {
            let Some(&coef) = vals.get(&c) else {
                continue;
            };
            if coef == 0 {
                vals.remove(&c);
                continue;
            }
            match &self.pivots[c] {
                Some(piv) => {
                    let a = sub_mod(0, coef, p);
                    vals.remove(&c);
                    for &(c2, x) in &piv[1..] {
                        let e = vals.entry(c2).or_insert_with(|| {
                            heap.push(Reverse(c2));
                            0
                        });
                        *e = add_mod(*e, mul_mod(a, x, p), p);
                    }
                }
                None => {
                    let mut rest: SparseRow = vals.into_iter().filter(|e| e.1 != 0).collect();
                    rest.sort_unstable_by_key(|e| e.0);
                    let inv = inv_mod(coef, p);
                    for e in &mut rest {
                        e.1 = mul_mod(e.1, inv, p);
                    }
                    self.pivots[c] = Some(rest);
                    self.rank += 1;
                    return true;
                }
            }
        }
        false
    }

    fn push_merge(&mut self, mut row: SparseRow) -> bool {
        let p = self.p;
        loop {
            let Some(&(lead, coef)) = row.first() else {
                return false;
            };
            match &self.pivots[lead] {
                Some(piv) => {
                    row = axpy(&row, sub_mod(0, coef, p), piv, p);
                }
                None => {
                    let inv = inv_mod(coef, p);
                    for e in &mut row {
                        e.1 = mul_mod(e.1, inv, p);
                    }
                    self.pivots[lead] = Some(row);
                    self.rank += 1;
                    return true;
                }
            }
        }
    }

    /// The remainder of a sparse row after reduction by the pivot rows: zero at every pivot
    /// column, equal to the row modulo the span of the rows pushed so far (nothing is stored).
    ///
    /// Panics if a column is out of range.
    pub fn reduce(&self, row: SparseRow) -> SparseRow {
        let mut acc = self.dense_of(row);
        self.reduce_dense(&mut acc);
        acc.iter()
            .enumerate()
            .filter(|e| *e.1 != 0)
            .map(|(c, &v)| (c, v))
            .collect()
    }

    /// Pushes a sparse row whose pivot must lie in the columns `0..limit`: stores it (and
    /// returns `Ok(())`) when its remainder has a nonzero entry there, else returns the
    /// remainder (nonzero only at columns `≥ limit`) and stores nothing.
    ///
    /// With `limit = cols` this is [`EchelonModP::push`], returning the (zero) remainder when
    /// the rank does not grow. Panics if a column is out of range.
    pub fn push_within(&mut self, row: SparseRow, limit: usize) -> Result<(), SparseRow> {
        let mut acc = self.dense_of(row);
        if self.push_dense_within(&mut acc, limit) {
            Ok(())
        } else {
            Err(acc
                .iter()
                .enumerate()
                .filter(|e| *e.1 != 0)
                .map(|(c, &v)| (c, v))
                .collect())
        }
    }

    fn dense_of(&self, row: SparseRow) -> Vec<u64> {
        let mut acc = vec![0u64; self.pivots.len()];
        for (c, v) in row {
            assert!(c < acc.len(), "EchelonModP: column {c} out of range");
            acc[c] = add_mod(acc[c], v % self.p, self.p);
        }
        acc
    }

    /// Reduces a dense row in place (entries `< p`, length [`EchelonModP::cols`]) by the pivot
    /// rows, in column order: afterwards it is zero at every pivot column and is the remainder
    /// of the row modulo the span of the rows pushed so far.
    ///
    /// Panics if the length differs from the number of columns.
    pub fn reduce_dense(&self, v: &mut [u64]) {
        self.eliminate_dense(v, None);
    }

    /// Pushes a dense row (entries `< p`, length [`EchelonModP::cols`]) whose pivot must lie in
    /// the columns `0..limit`. Returns `true` when it was stored (the rank grew; `v` is then
    /// left zeroed); otherwise `v` holds its remainder, nonzero only at columns `≥ limit`.
    ///
    /// The dense form suits rows with many nonzero entries: the cost is the number of columns
    /// plus the lengths of the pivot rows used. Panics if the length differs from the number
    /// of columns.
    pub fn push_dense_within(&mut self, v: &mut [u64], limit: usize) -> bool {
        match self.eliminate_dense(v, Some(limit)) {
            Some(c) => {
                let p = self.p;
                let inv = inv_mod(v[c], p);
                let mut row: SparseRow = Vec::new();
                for (c2, x) in v.iter_mut().enumerate().skip(c) {
                    if *x != 0 {
                        row.push((c2, mul_mod(*x, inv, p)));
                        *x = 0;
                    }
                }
                self.pivots[c] = Some(row);
                self.rank += 1;
                true
            }
            None => false,
        }
    }

    /// Eliminates the pivot columns of `v` in increasing order. With `Some(limit)`, stops at
    /// the first nonzero column `< limit` without a pivot and returns it (the entries after
    /// it are then not reduced; the caller stores the row there).
    fn eliminate_dense(&self, v: &mut [u64], limit: Option<usize>) -> Option<usize> {
        let p = self.p;
        assert_eq!(
            v.len(),
            self.pivots.len(),
            "EchelonModP: row length differs from the number of columns"
        );
        for c in 0..v.len() {
            let coef = v[c];
            if coef == 0 {
                continue;
            }
            match &self.pivots[c] {
                Some(piv) => {
                    let a = sub_mod(0, coef, p);
                    v[c] = 0;
                    for &(c2, x) in &piv[1..] {
                        v[c2] = add_mod(v[c2], mul_mod(a, x, p), p);
                    }
                }
                None if limit.is_some_and(|l| c < l) => return Some(c),
                None => {}
            }
        }
        None
    }

    /// Pushes a dense rational row (reduced mod `p`). Returns `None` when `p` divides a
    /// denominator (nothing is pushed then), else whether the rank grew.
    pub fn push_rational(&mut self, row: &[Rational]) -> Option<bool> {
        let sparse = sparse_mod(row.iter().enumerate(), self.p)?;
        Some(self.push(sparse))
    }

    /// Pushes a sparse rational row `(column, value)`. Returns `None` when `p` divides a
    /// denominator (nothing is pushed then), else whether the rank grew.
    pub fn push_sparse_rational<'a>(
        &mut self,
        row: impl IntoIterator<Item = (usize, &'a Rational)>,
    ) -> Option<bool> {
        let sparse = sparse_mod(row, self.p)?;
        Some(self.push(sparse))
    }
}

/// Reduces `(column, rational)` pairs mod `p`, dropping zeros; `None` on a vanishing
/// denominator.
pub fn sparse_mod<'a>(
    row: impl IntoIterator<Item = (usize, &'a Rational)>,
    p: u64,
) -> Option<SparseRow> {
    let mut out = Vec::new();
    for (c, q) in row {
        if q.is_zero() {
            continue;
        }
        let v = reduce(q, p)?;
        if v != 0 {
            out.push((c, v));
        }
    }
    Some(out)
}

/// Sorts by column, merges repeated columns, drops zeros.
fn normalise(mut row: SparseRow, p: u64) -> SparseRow {
    if !row.windows(2).all(|w| w[0].0 < w[1].0) {
        row.sort_unstable_by_key(|e| e.0);
        let mut merged: SparseRow = Vec::with_capacity(row.len());
        for (c, v) in row {
            match merged.last_mut() {
                Some(last) if last.0 == c => last.1 = add_mod(last.1, v % p, p),
                _ => merged.push((c, v % p)),
            }
        }
        row = merged;
    }
    row.retain(|e| e.1 % p != 0);
    for e in &mut row {
        e.1 %= p;
    }
    row
}

/// `x + a·y` for sorted sparse rows.
fn axpy(x: &SparseRow, a: u64, y: &SparseRow, p: u64) -> SparseRow {
    let mut out = Vec::with_capacity(x.len() + y.len());
    let (mut i, mut j) = (0, 0);
    while i < x.len() || j < y.len() {
        let take_x = j >= y.len() || (i < x.len() && x[i].0 < y[j].0);
        let take_y = i >= x.len() || (j < y.len() && y[j].0 < x[i].0);
        if take_x {
            out.push(x[i]);
            i += 1;
        } else if take_y {
            out.push((y[j].0, mul_mod(a, y[j].1, p)));
            j += 1;
        } else {
            let v = add_mod(x[i].1, mul_mod(a, y[j].1, p), p);
            if v != 0 {
                out.push((x[i].0, v));
            }
            i += 1;
            j += 1;
        }
    }
    out
}

/// The rank over `F_p` of the rational matrix with the given rows, for the first prime of
/// [`PRIMES`] that divides no denominator; a valid lower bound for the rank over `Q`.
///
/// Rows may have different lengths (missing entries are zero). If every prime of [`PRIMES`]
/// divides some denominator (possible only for entries with astronomically large
/// denominators), returns `0`, which is still a valid lower bound.
pub fn rank_mod_p(rows: &[Vec<Rational>]) -> usize {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    'primes: for &p in &PRIMES {
        let mut ech = EchelonModP::new(p, cols);
        for row in rows {
            if ech.push_rational(row).is_none() {
                continue 'primes;
            }
        }
        return ech.rank();
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_prime(n: u64) -> bool {
        if n < 2 {
            return false;
        }
        for q in [2u64, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37] {
            if n.is_multiple_of(q) {
                return n == q;
            }
        }
        let mut d = n - 1;
        let mut s = 0;
        while d.is_multiple_of(2) {
            d /= 2;
            s += 1;
        }
        'witness: for a in [2u64, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37] {
            let mut x = pow_mod(a, d, n);
            if x == 1 || x == n - 1 {
                continue;
            }
            for _ in 1..s {
                x = mul_mod(x, x, n);
                if x == n - 1 {
                    continue 'witness;
                }
            }
            return false;
        }
        true
    }

    #[test]
    fn primes_are_prime() {
        for p in PRIMES {
            assert!(is_prime(p), "{p}");
        }
        assert!(!is_prime(PRIMES[0] - 2));
    }

    #[test]
    fn reduce_big_and_negative() {
        let p = PRIMES[0];
        let big: Rational = "123456789012345678901234567890/7".parse().unwrap();
        let v = reduce(&big, p).unwrap();
        assert_eq!(
            mul_mod(v, 7, p),
            reduce(&"123456789012345678901234567890".parse().unwrap(), p).unwrap()
        );
        let neg = Rational::from(-3);
        assert_eq!(reduce(&neg, p), Some(p - 3));
        let bad = Rational::new(Integer::one(), Integer::from(p)).unwrap();
        assert_eq!(reduce(&bad, p), None);
    }

    #[test]
    fn field_value_type() {
        let a = Fp::from_i64(-3);
        assert_eq!(a + Fp::from_i64(3), Fp::ZERO);
        assert_eq!(a * a.inv(), Fp::ONE);
        assert_eq!(-Fp::ONE + Fp::ONE, Fp::ZERO);
        assert_eq!(Fp::from_i64(3).pow(3), Fp::from_i64(27));
        let half = Fp::from_rational(&Rational::ratio(1, 2)).unwrap();
        assert_eq!(half * Fp::from_i64(2), Fp::ONE);
        let p = Integer::from(Fp::P);
        let big = &p * &p + Integer::from(5u64);
        assert_eq!(Fp::from_integer(&big), Fp::from_i64(5));
        assert_eq!(Fp::from_integer(&-big), Fp::from_i64(-5));
        assert!(Fp::from_rational(&Rational::new(Integer::one(), p).unwrap()).is_none());
    }

    #[test]
    fn remainders_and_limited_pivots() {
        let p = PRIMES[0];
        let m = |v: i64| i128::from(v).rem_euclid(i128::from(p)) as u64;
        let mut e = EchelonModP::new(p, 4);
        assert!(e.push(vec![(0, 1), (2, 1)]));
        // Remainder: (2, 1, 2, 5) − 2·(1, 0, 1, 0) = (0, 1, 0, 5).
        assert_eq!(
            e.reduce(vec![(0, 2), (1, 1), (2, 2), (3, 5)]),
            vec![(1, 1), (3, 5)]
        );
        assert_eq!(e.reduce(vec![(0, 3), (2, 3)]), vec![]);
        // Pivots limited to column 0..1: (1, 0, 1, 7) reduces to (0, 0, 0, 7), not stored.
        assert_eq!(
            e.push_within(vec![(0, 1), (2, 1), (3, 7)], 1),
            Err(vec![(3, 7)])
        );
        assert_eq!(e.rank(), 1);
        // Limited to 0..2: (0, 4, 0, 1) is stored with pivot 1.
        assert_eq!(e.push_within(vec![(1, 4), (3, 1)], 2), Ok(()));
        assert!(e.has_pivot(1));
        // Dense forms agree: (5, 8, 5, 2) = 5·r0 + 2·(0, 4, 0, 1) → remainder 0.
        let mut v = vec![5, 8, 5, 2];
        e.reduce_dense(&mut v);
        assert_eq!(v, vec![0, 0, 0, 0]);
        let mut w = vec![0, 0, m(-1), 3];
        assert!(!e.push_dense_within(&mut w, 2));
        // (0, 0, −1, 3) + r0 − ... : column 2 is not a pivot, so the remainder keeps it.
        assert_eq!(w, vec![0, 0, m(-1), 3]);
        assert!(e.push_dense_within(&mut w, 4));
        assert_eq!(w, vec![0, 0, 0, 0]);
        assert_eq!(e.rank(), 3);
        // (1, 1, 1, 1) − r0 − r1 = (0, 0, 0, 3/4): a new pivot at column 3.
        let mut x = vec![1, 1, 1, 1];
        assert!(e.push_dense_within(&mut x, 4));
        assert_eq!(e.rank(), 4);
        assert!(e.has_pivot(3));
    }

    #[test]
    fn dense_and_sparse_ranks_agree() {
        // Random rows of small rank: the same rank by sparse pushes and dense pushes, and every
        // pushed row reduces to zero afterwards.
        let p = PRIMES[0];
        let mut seed = 12345u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % 7
        };
        let basis: Vec<Vec<u64>> = (0..5).map(|_| (0..12).map(|_| next()).collect()).collect();
        let rows: Vec<Vec<u64>> = (0..9)
            .map(|_| {
                let c: Vec<u64> = (0..5).map(|_| next()).collect();
                (0..12)
                    .map(|j| (0..5).fold(0, |a, b| add_mod(a, mul_mod(c[b], basis[b][j], p), p)))
                    .collect()
            })
            .collect();
        let mut sparse = EchelonModP::new(p, 12);
        let mut dense = EchelonModP::new(p, 12);
        for r in &rows {
            sparse.push(r.iter().copied().enumerate().collect());
            let mut v = r.clone();
            dense.push_dense_within(&mut v, 12);
        }
        assert_eq!(sparse.rank(), dense.rank());
        assert!(sparse.rank() <= 5);
        for r in &rows {
            assert!(dense
                .reduce(r.iter().copied().enumerate().collect())
                .is_empty());
            let mut v = r.clone();
            sparse.reduce_dense(&mut v);
            assert!(v.iter().all(|&x| x == 0));
        }
    }

    #[test]
    fn echelon_sparse() {
        let p = PRIMES[0];
        let mut e = EchelonModP::new(p, 3);
        assert!(e.push(vec![(0, 1), (2, 1)]));
        assert!(!e.push(vec![(2, 2), (0, 2)]));
        assert!(e.push(vec![(1, 5)]));
        assert!(!e.push(vec![]));
        assert_eq!(e.rank(), 2);
    }
}
