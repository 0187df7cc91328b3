//! Sums of affine terms `Σ_k v_k (w_k·u + β_k)` in machine integers.
//!
//! Each term is written over one denominator, `v_k (w_k, β_k) = (V_k ⊗ Z_k) / D_k` with integer
//! `V_k`, `Z_k`, and the integer outer products are summed (in `i128`, overflow checked) per
//! distinct `D_k`; only the few group totals are turned into rationals at the end. Typical
//! weights (small fractions, or binary fractions from floating point) share a handful of
//! denominators, so this replaces `n2 · n1 · n3` rational operations by word operations. A
//! term that does not fit in machine words is summed with exact rationals instead; the result
//! is exact either way.

use fibers_exact::{Integer, Rational};

fn gcd(mut a: i64, mut b: i64) -> i64 {
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a.abs()
}

/// `(numerator, denominator)` as `i64`, if both fit.
fn small(r: &Rational) -> Option<(i64, i64)> {
    Some((r.numer().to_i64()?, r.denom().to_i64()?))
}

/// Integers `Z` and `d > 0` with `values = Z / d`, if they fit in `i64`.
fn over_common_denominator<'a>(
    values: impl Iterator<Item = &'a Rational> + Clone,
) -> Option<(Vec<i64>, i64)> {
    let mut d: i64 = 1;
    for v in values.clone() {
        let (_, q) = small(v)?;
        d = (d / gcd(d, q)).checked_mul(q)?;
    }
    let mut z = Vec::new();
    for v in values {
        let (p, q) = small(v)?;
        z.push(p.checked_mul(d / q)?);
    }
    Some((z, d))
}

/// `sums / l + (v ⊗ z) / den` over `lcm(l, den)`, if everything fits in machine words.
fn merged(
    l: i64,
    sums: &[i128],
    den: i64,
    v: &[i64],
    z: &[i64],
    width: usize,
) -> Option<(i64, Vec<i128>)> {
    let m = (l / gcd(l, den)).checked_mul(den)?;
    let (fs, ft) = ((m / l) as i128, (m / den) as i128);
    let mut out: Vec<i128> = if fs == 1 {
        sums.to_vec()
    } else {
        sums.iter()
            .map(|x| x.checked_mul(fs))
            .collect::<Option<_>>()?
    };
    for (o, &vo) in v.iter().enumerate() {
        if vo == 0 {
            continue;
        }
        let vo = (vo as i128).checked_mul(ft)?;
        for (i, &zi) in z.iter().enumerate() {
            if zi != 0 {
                let k = o * width + i;
                out[k] = out[k].checked_add(vo.checked_mul(zi as i128)?)?;
            }
        }
    }
    Some((m, out))
}

fn integer_from_i128(x: i128) -> Integer {
    let hi = (x >> 64) as i64;
    let lo = x as u64;
    Integer::from(hi) * Integer::pow2(64) + Integer::from(lo)
}

/// Accumulates `v (w·u + β)` for `u ∈ R^{n1}`, `v ∈ Q^{n3}`.
#[derive(Clone, Debug)]
pub struct AffineSums {
    n1: usize,
    n3: usize,
    /// `(D, sums)` with `sums[o * (n1 + 1) + i]` the integer total over denominator `D`.
    groups: Vec<(i64, Vec<i128>)>,
    /// Terms that did not fit in machine words, summed exactly: `n3 × (n1 + 1)`.
    slow: Vec<Vec<Rational>>,
}

impl AffineSums {
    /// An empty sum.
    pub fn new(n1: usize, n3: usize) -> Self {
        AffineSums {
            n1,
            n3,
            groups: Vec::new(),
            slow: vec![vec![Rational::zero(); n1 + 1]; n3],
        }
    }

    fn add_slow(&mut self, w: &[Rational], beta: &Rational, v: &[Rational]) {
        for (o, vo) in v.iter().enumerate() {
            if vo.is_zero() {
                continue;
            }
            for (acc, x) in self.slow[o]
                .iter_mut()
                .zip(w.iter().chain(std::iter::once(beta)))
            {
                if !x.is_zero() {
                    *acc += vo * x;
                }
            }
        }
    }

    fn try_add_fast(&mut self, w: &[Rational], beta: &Rational, v: &[Rational]) -> Option<()> {
        let (z, d) = over_common_denominator(w.iter().chain(std::iter::once(beta)))?;
        let (vv, e) = over_common_denominator(v.iter())?;
        let den = d.checked_mul(e)?;
        let width = self.n1 + 1;
        // Merge into the last group over the least common multiple of the denominators; start
        // a new group when that does not fit in machine words.
        if let Some((l, sums)) = self.groups.last() {
            if let Some(next) = merged(*l, sums, den, &vv, &z, width) {
                *self.groups.last_mut().expect("nonempty") = next;
                return Some(());
            }
        }
        let next = merged(den, &vec![0; self.n3 * width], den, &vv, &z, width)?;
        self.groups.push(next);
        Some(())
    }

    /// Adds `v (w·u + β)`.
    pub fn add(&mut self, w: &[Rational], beta: &Rational, v: &[Rational]) {
        if self.try_add_fast(w, beta, v).is_none() {
            self.add_slow(w, beta, v);
        }
    }

    /// The totals: `(A, a)` with `A` of size `n3 × n1`.
    pub fn finish(self) -> (Vec<Vec<Rational>>, Vec<Rational>) {
        let width = self.n1 + 1;
        let mut total = self.slow;
        for (den, sums) in self.groups {
            let d = Integer::from(den);
            for (k, s) in sums.iter().enumerate() {
                if *s != 0 {
                    let r = Rational::new(integer_from_i128(*s), d.clone()).expect("nonzero");
                    total[k / width][k % width] += r;
                }
            }
        }
        let offset = total.iter().map(|row| row[self.n1].clone()).collect();
        let linear = total
            .into_iter()
            .map(|mut row| {
                row.pop();
                row
            })
            .collect();
        (linear, offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_and_slow_sums_agree() {
        let r = |p: i64, q: i64| Rational::ratio(p, q);
        let big = Rational::new(Integer::pow2(100) + Integer::one(), Integer::from(3)).unwrap();
        let terms = vec![
            (vec![r(1, 2), r(-3, 4)], r(5, 6), vec![r(2, 3), r(0, 1)]),
            (vec![r(7, 1), r(1, 5)], r(-1, 10), vec![r(-1, 7), r(3, 2)]),
            (vec![big.clone(), r(1, 3)], r(0, 1), vec![r(1, 1), r(-2, 9)]),
            (
                vec![r(i64::MAX, 1), r(i64::MAX, 1)],
                r(1, 1),
                vec![r(i64::MAX, 1), r(1, 1)],
            ),
            (
                vec![r(i64::MAX, 1), r(i64::MAX, 1)],
                r(1, 1),
                vec![r(i64::MAX, 1), r(1, 1)],
            ),
        ];
        let mut fast = AffineSums::new(2, 2);
        let mut exact = vec![vec![Rational::zero(); 3]; 2];
        for (w, b, v) in &terms {
            fast.add(w, b, v);
            for o in 0..2 {
                for (i, x) in w.iter().chain(std::iter::once(b)).enumerate() {
                    exact[o][i] += &v[o] * x;
                }
            }
        }
        let (lin, off) = fast.finish();
        for o in 0..2 {
            assert_eq!(lin[o], exact[o][..2].to_vec());
            assert_eq!(off[o], exact[o][2]);
        }
        assert_eq!(
            integer_from_i128(-(1i128 << 100) - 5).to_string(),
            "-1267650600228229401496703205381"
        );
    }
}
