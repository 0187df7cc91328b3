//! The fraction-free simplex tableau of [`crate::lp`], generic over its entry type.
//!
//! The same code runs over [`Integer`] (never overflows) and over `i128` with checked
//! arithmetic (every product, difference and division is checked; an overflow stops the run
//! with [`Overflow`] and the caller starts again over [`Integer`]). Both runs take exactly the
//! same pivots on the same integer system, because every decision (entering column, ratio
//! test, ties) compares exact values, so an `i128` run that finishes gives bit for bit the
//! result of the `Integer` run.

use crate::integer::Integer;

/// An `i128` operation overflowed; start again over [`Integer`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Overflow;

/// The result of a checked operation.
pub(crate) type Res<T> = Result<T, Overflow>;

/// The arithmetic the tableau needs, exact or failing with [`Overflow`].
pub(crate) trait Entry: Clone + Ord + Sized {
    fn zero() -> Self;
    fn one() -> Self;
    fn is_zero(&self) -> bool;
    fn signum(&self) -> i32;
    fn neg(&self) -> Res<Self>;
    fn mul(&self, o: &Self) -> Res<Self>;
    fn sub(&self, o: &Self) -> Res<Self>;
    fn mul_assign(&mut self, o: &Self) -> Res<()>;
    fn sub_assign(&mut self, o: &Self) -> Res<()>;
    /// `self -= a · b`.
    fn submul(&mut self, a: &Self, b: &Self) -> Res<()>;
    /// `self /= d` for a `d` known to divide `self`.
    fn divide_exactly_by(&mut self, d: &Self) -> Res<()>;
    /// A positive divisor prepared for many exact divisions.
    type Divisor;
    /// Prepares the positive divisor `d`.
    fn divisor(d: &Self) -> Self::Divisor;
    /// `self /= d` for a prepared `d` known to divide `self`.
    fn divide_exactly(&mut self, d: &Self::Divisor) -> Res<()>;
    /// Non-negative gcd.
    fn gcd(&self, o: &Self) -> Res<Self>;
    fn to_integer(&self) -> Integer;
}

impl Entry for Integer {
    fn zero() -> Self {
        Integer::zero()
    }
    fn one() -> Self {
        Integer::one()
    }
    fn is_zero(&self) -> bool {
        Integer::is_zero(self)
    }
    fn signum(&self) -> i32 {
        Integer::signum(self)
    }
    fn neg(&self) -> Res<Self> {
        Ok(-self)
    }
    fn mul(&self, o: &Self) -> Res<Self> {
        Ok(self * o)
    }
    fn sub(&self, o: &Self) -> Res<Self> {
        Ok(self - o)
    }
    fn mul_assign(&mut self, o: &Self) -> Res<()> {
        *self *= o;
        Ok(())
    }
    fn sub_assign(&mut self, o: &Self) -> Res<()> {
        *self -= o;
        Ok(())
    }
    fn submul(&mut self, a: &Self, b: &Self) -> Res<()> {
        Integer::submul(self, a, b);
        Ok(())
    }
    fn divide_exactly_by(&mut self, d: &Self) -> Res<()> {
        Integer::divide_exactly_by(self, d);
        Ok(())
    }
    type Divisor = Integer;
    fn divisor(d: &Self) -> Integer {
        d.clone()
    }
    fn divide_exactly(&mut self, d: &Integer) -> Res<()> {
        Integer::divide_exactly_by(self, d);
        Ok(())
    }
    fn gcd(&self, o: &Self) -> Res<Self> {
        Ok(Integer::gcd(self, o))
    }
    fn to_integer(&self) -> Integer {
        self.clone()
    }
}

/// `v` as an [`Integer`].
pub(crate) fn integer_from_i128(v: i128) -> Integer {
    match i64::try_from(v) {
        Ok(s) => Integer::from(s),
        Err(_) => {
            // v = hi · 2^64 + lo with hi signed and 0 ≤ lo < 2^64.
            let hi = (v >> 64) as i64;
            let lo = v as u64;
            Integer::from(hi) * Integer::pow2(64) + Integer::from(lo)
        }
    }
}

/// `v` as an `i128`, when it fits.
pub(crate) fn i128_from_integer(v: &Integer) -> Option<i128> {
    match v.to_i64() {
        Some(s) => Some(i128::from(s)),
        // Rare (the fast path is for small data): through the decimal digits.
        None if v.bits() <= 127 => v.to_string().parse().ok(),
        None => None,
    }
}

impl Entry for i128 {
    fn zero() -> Self {
        0
    }
    fn one() -> Self {
        1
    }
    fn is_zero(&self) -> bool {
        *self == 0
    }
    fn signum(&self) -> i32 {
        i128::signum(*self) as i32
    }
    fn neg(&self) -> Res<Self> {
        self.checked_neg().ok_or(Overflow)
    }
    fn mul(&self, o: &Self) -> Res<Self> {
        self.checked_mul(*o).ok_or(Overflow)
    }
    fn sub(&self, o: &Self) -> Res<Self> {
        self.checked_sub(*o).ok_or(Overflow)
    }
    fn mul_assign(&mut self, o: &Self) -> Res<()> {
        *self = self.checked_mul(*o).ok_or(Overflow)?;
        Ok(())
    }
    fn sub_assign(&mut self, o: &Self) -> Res<()> {
        *self = self.checked_sub(*o).ok_or(Overflow)?;
        Ok(())
    }
    fn submul(&mut self, a: &Self, b: &Self) -> Res<()> {
        let p = a.checked_mul(*b).ok_or(Overflow)?;
        *self = self.checked_sub(p).ok_or(Overflow)?;
        Ok(())
    }
    fn divide_exactly_by(&mut self, d: &Self) -> Res<()> {
        debug_assert!(*d != 0 && *self % *d == 0, "inexact division");
        *self = self.checked_div(*d).ok_or(Overflow)?;
        Ok(())
    }
    /// `d = 2^shift · odd`: the shift and the inverse of `odd` modulo `2^128`, so that an exact
    /// quotient is one shift and one wrapping product (no 128-bit division).
    type Divisor = ExactDivisor;
    fn divisor(d: &Self) -> ExactDivisor {
        debug_assert!(*d > 0, "a positive divisor");
        let shift = d.trailing_zeros();
        let odd = d >> shift;
        // Newton's iteration doubles the correct low bits: 3 → 6 → … → 192 ≥ 128.
        let mut inv = odd;
        for _ in 0..6 {
            inv = inv.wrapping_mul(2i128.wrapping_sub(odd.wrapping_mul(inv)));
        }
        debug_assert_eq!(odd.wrapping_mul(inv), 1);
        ExactDivisor { d: *d, shift, inv }
    }
    fn divide_exactly(&mut self, d: &ExactDivisor) -> Res<()> {
        debug_assert!(*self % d.d == 0, "inexact division");
        // The quotient q = x / d fits (|q| ≤ |x|), and x >> shift = q · odd exactly, so
        // q ≡ (x >> shift) · odd⁻¹ modulo 2^128 is q itself.
        *self = (*self >> d.shift).wrapping_mul(d.inv);
        Ok(())
    }
    fn gcd(&self, o: &Self) -> Res<Self> {
        let (mut a, mut b) = (self.unsigned_abs(), o.unsigned_abs());
        while b != 0 {
            (a, b) = (b, a % b);
        }
        // Only 2^127 (from entries equal to i128::MIN) does not fit.
        i128::try_from(a).map_err(|_| Overflow)
    }
    fn to_integer(&self) -> Integer {
        integer_from_i128(*self)
    }
}

/// A positive `i128` divisor prepared for exact division (see `Entry::divisor`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ExactDivisor {
    d: i128,
    shift: u32,
    inv: i128,
}

/// The integer form of the dual `min b·y, Aᵀ y = c, y ≥ 0` of `max c·x, A x ≤ b`.
///
/// Column `i` of `A` and `cᵢ` are scaled by `μᵢ > 0` to integers (`cols[i]`, `c[i]`), and `b`
/// by `cost_scale > 0` (`b`). For integer data every scale is 1.
#[derive(Clone, Debug)]
pub(crate) struct System<T> {
    /// Number of constraints of the primal (structural columns of the dual).
    pub m: usize,
    /// `μᵢ · (A_{0i}, …, A_{m-1,i})`, one per primal variable.
    pub cols: Vec<Vec<T>>,
    /// `μᵢ cᵢ`.
    pub c: Vec<T>,
    /// `μᵢ`.
    pub mu: Vec<T>,
    /// `cost_scale · b`.
    pub b: Vec<T>,
    /// The common denominator of `b`.
    pub cost_scale: T,
}

impl System<Integer> {
    /// The same system in `i128`, when every entry fits.
    pub fn to_i128(&self) -> Option<System<i128>> {
        let conv = |v: &[Integer]| v.iter().map(i128_from_integer).collect::<Option<Vec<_>>>();
        Some(System {
            m: self.m,
            cols: self
                .cols
                .iter()
                .map(|c| conv(c))
                .collect::<Option<Vec<_>>>()?,
            c: conv(&self.c)?,
            mu: conv(&self.mu)?,
            b: conv(&self.b)?,
            cost_scale: i128_from_integer(&self.cost_scale)?,
        })
    }
}

/// What solving the dual gives, over the entry type (numerators and denominators).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum DualResult<T> {
    /// Dual optimum `y = y_num / y_den`, primal optimum `x = x_num / x_den` (the simplex
    /// multipliers), value `value_num / x_den`.
    Optimal {
        x_num: Vec<T>,
        x_den: T,
        y_num: Vec<T>,
        y_den: T,
        value_num: T,
    },
    /// The dual is unbounded: a primitive Farkas certificate for the primal.
    Farkas(Vec<T>),
    /// The dual is infeasible: a primitive `d` with `A d ≤ 0`, `c·d > 0`.
    DualInfeasible(Vec<T>),
}

/// How many consecutive degenerate Dantzig pivots are allowed before switching to Bland's rule.
const DEGENERATE_PIVOTS_BEFORE_BLAND: usize = 8;

/// A dense simplex tableau in integer (fraction-free) form for `M y + a = rhs`, `y, a ≥ 0`,
/// where row `i` of `M` is `±cols[i]`, negated where needed to make `rhs ≥ 0`, and `a` are the
/// artificial variables.
///
/// The true tableau is `rows / det` (and the true reduced costs `obj / det`), where `det > 0`
/// is the absolute determinant of the current basis of the integer system. Every stored
/// entry is, up to sign, a minor of the integer system, so each pivot divides exactly and takes
/// no gcd (integer pivoting, as in Edmonds' and Avis's exact simplex codes).
///
/// Columns `0..m` are the structural variables `y_j` (one per primal constraint), columns
/// `m..m + n` the artificials; the last entry of every row is its right-hand side, and the last
/// entry of `obj` is minus the objective value (times `det`).
struct Tableau<T> {
    /// Number of structural columns.
    m: usize,
    rows: Vec<Vec<T>>,
    obj: Vec<T>,
    det: T,
    basis: Vec<usize>,
    /// Whether row `i` was negated.
    flipped: Vec<bool>,
}

/// Why a simplex run stopped.
enum Stop {
    /// No improving column (or, in phase 1, objective zero reached).
    Optimal,
    /// Column `s` improves the objective without bound.
    Unbounded(usize),
}

/// The vector divided by the gcd of its entries (all zeros stay zeros).
fn primitive<T: Entry>(mut v: Vec<T>) -> Res<Vec<T>> {
    let mut g = T::zero();
    for x in &v {
        g = g.gcd(x)?;
    }
    if !g.is_zero() && g != T::one() {
        for x in v.iter_mut() {
            x.divide_exactly_by(&g)?;
        }
    }
    Ok(v)
}

impl<T: Entry> Tableau<T> {
    /// The phase-1 tableau for `M y = |c|`, `y ≥ 0`, with all artificials basic.
    fn phase_one(sys: &System<T>) -> Res<Self> {
        let (m, n) = (sys.m, sys.cols.len());
        let width = m + n;
        let mut rows = Vec::with_capacity(n);
        let mut flipped = Vec::with_capacity(n);
        for (i, (col, ci)) in sys.cols.iter().zip(&sys.c).enumerate() {
            let flip = ci.signum() < 0;
            let mut row = Vec::with_capacity(width + 1);
            for v in col {
                row.push(if flip { v.neg()? } else { v.clone() });
            }
            row.extend((0..n).map(|k| if k == i { T::one() } else { T::zero() }));
            row.push(if flip { ci.neg()? } else { ci.clone() });
            rows.push(row);
            flipped.push(flip);
        }
        // Phase-1 costs: 0 on structurals, 1 on artificials; reduced costs c - c_B B⁻¹ M.
        let mut obj = vec![T::zero(); width + 1];
        for row in &rows {
            for j in (0..m).chain(std::iter::once(width)) {
                if !row[j].is_zero() {
                    obj[j].sub_assign(&row[j])?;
                }
            }
        }
        Ok(Tableau {
            m,
            rows,
            obj,
            det: T::one(),
            basis: (m..m + n).collect(),
            flipped,
        })
    }

    fn width(&self) -> usize {
        self.m + self.rows.len()
    }

    /// Minus the current objective value, times `det`.
    fn neg_objective(&self) -> &T {
        &self.obj[self.width()]
    }

    /// Pivots column `s` into the basis at row `r` (the pivot element may be negative).
    fn pivot(&mut self, r: usize, s: usize) -> Res<()> {
        let mut pivot_row = std::mem::take(&mut self.rows[r]);
        if pivot_row[s].signum() < 0 {
            // Keep det > 0: negating the pivot row and element negates the new determinant.
            for x in pivot_row.iter_mut() {
                if !x.is_zero() {
                    *x = x.neg()?;
                }
            }
        }
        let p = pivot_row[s].clone();
        let support: Vec<usize> = (0..pivot_row.len())
            .filter(|&j| !pivot_row[j].is_zero())
            .collect();
        let det_is_one = self.det == T::one();
        let det = T::divisor(&self.det);
        let p_is_det = p == self.det;
        // New row = (row · p - f · pivot_row) / det with f = row[s]; every division is exact.
        for row in self.rows.iter_mut().chain(std::iter::once(&mut self.obj)) {
            if row.is_empty() {
                continue; // the pivot row, taken out
            }
            // Taking row[s] leaves the zero that the pivot column gets outside the pivot row.
            let f = std::mem::replace(&mut row[s], T::zero());
            if f.is_zero() {
                if !p_is_det {
                    for x in row.iter_mut().filter(|x| !x.is_zero()) {
                        x.mul_assign(&p)?;
                        if !det_is_one {
                            x.divide_exactly(&det)?;
                        }
                    }
                }
            } else if p_is_det {
                // row - f · pivot_row / det, where det divides each f · pivot_row[j].
                for &j in support.iter().filter(|&&j| j != s) {
                    let mut t = f.mul(&pivot_row[j])?;
                    if !det_is_one {
                        t.divide_exactly(&det)?;
                    }
                    row[j].sub_assign(&t)?;
                }
            } else {
                for x in row.iter_mut().filter(|x| !x.is_zero()) {
                    x.mul_assign(&p)?;
                }
                for &j in support.iter().filter(|&&j| j != s) {
                    row[j].submul(&f, &pivot_row[j])?;
                }
                if !det_is_one {
                    for x in row.iter_mut().filter(|x| !x.is_zero()) {
                        x.divide_exactly(&det)?;
                    }
                }
            }
        }
        self.rows[r] = pivot_row;
        self.basis[r] = s;
        self.det = p;
        Ok(())
    }

    /// Runs the simplex method on the current objective; only structural columns enter.
    /// With `stop_at_zero`, stops as soon as the objective is zero (phase 1).
    fn run(&mut self, stop_at_zero: bool) -> Res<Stop> {
        let rhs = self.width();
        let mut degenerate_run = 0;
        loop {
            if stop_at_zero && self.neg_objective().is_zero() {
                return Ok(Stop::Optimal);
            }
            let bland = degenerate_run >= DEGENERATE_PIVOTS_BEFORE_BLAND;
            let candidates = (0..self.m).filter(|&j| self.obj[j].signum() < 0);
            let entering = if bland {
                candidates.min()
            } else {
                // Most negative reduced cost (all share the denominator det); first on ties.
                candidates.fold(None, |best: Option<usize>, j| match best {
                    Some(b) if self.obj[b] <= self.obj[j] => Some(b),
                    _ => Some(j),
                })
            };
            let Some(s) = entering else {
                return Ok(Stop::Optimal);
            };
            // Ratio test on rhs_i / T[i][s] over T[i][s] > 0, compared by cross-multiplying;
            // ties go to the smallest basic variable (Bland).
            let mut leave: Option<usize> = None;
            for (i, row) in self.rows.iter().enumerate() {
                if row[s].signum() <= 0 {
                    continue;
                }
                let better = match leave {
                    None => true,
                    Some(k) => {
                        let best = &self.rows[k];
                        let lhs = row[rhs].mul(&best[s])?;
                        let rhs_cmp = best[rhs].mul(&row[s])?;
                        lhs < rhs_cmp || (lhs == rhs_cmp && self.basis[i] < self.basis[k])
                    }
                };
                if better {
                    leave = Some(i);
                }
            }
            let Some(r) = leave else {
                return Ok(Stop::Unbounded(s));
            };
            if self.rows[r][rhs].is_zero() {
                degenerate_run += 1;
            } else {
                degenerate_run = 0;
            }
            self.pivot(r, s)?;
        }
    }

    /// After a phase 1 that reached zero: pivots basic artificials out where possible (these
    /// pivots are degenerate, so feasibility is kept). A row where it is impossible has only
    /// zeros in the structural columns, is redundant, and is never touched again.
    fn drive_out_artificials(&mut self) -> Res<()> {
        for r in 0..self.rows.len() {
            if self.basis[r] < self.m {
                continue;
            }
            if let Some(j) = (0..self.m).find(|&j| !self.rows[r][j].is_zero()) {
                self.pivot(r, j)?;
            }
        }
        Ok(())
    }

    /// Installs the phase-2 objective `min cost·y` (zero cost on artificials).
    fn set_objective(&mut self, cost: &[T]) -> Res<()> {
        let width = self.width();
        let mut obj = Vec::with_capacity(width + 1);
        for x in cost {
            obj.push(x.mul(&self.det)?);
        }
        obj.extend((self.m..=width).map(|_| T::zero()));
        for (row, &bv) in self.rows.iter().zip(&self.basis) {
            if bv >= self.m || cost[bv].is_zero() {
                continue;
            }
            let cb = &cost[bv];
            for (o, x) in obj.iter_mut().zip(row) {
                if !x.is_zero() {
                    o.submul(cb, x)?;
                }
            }
        }
        self.obj = obj;
        Ok(())
    }

    /// `σᵢ μᵢ (cost · det - obj[m + i])`: the simplex multipliers of the artificial rows, in
    /// the original row signs and scale, times `det` (and times `cost_scale` in phase 2).
    fn scaled_multipliers(&self, mu: &[T], artificial_cost_is_one: bool) -> Res<Vec<T>> {
        (0..self.rows.len())
            .map(|i| {
                let d = &self.obj[self.m + i];
                let p = if artificial_cost_is_one {
                    self.det.sub(d)?
                } else {
                    d.neg()?
                };
                let p = p.mul(&mu[i])?;
                if self.flipped[i] {
                    p.neg()
                } else {
                    Ok(p)
                }
            })
            .collect()
    }
}

/// Solves `min b·y, Aᵀ y = c, y ≥ 0` by the two-phase simplex method.
pub(crate) fn solve_dual<T: Entry>(sys: &System<T>) -> Res<DualResult<T>> {
    let m = sys.m;
    let mut t = Tableau::phase_one(sys)?;
    match t.run(true)? {
        Stop::Optimal => {}
        Stop::Unbounded(_) => unreachable!("phase 1 is bounded below by zero"),
    }
    if !t.neg_objective().is_zero() {
        // π·M_j ≤ 0 for all structural j and π·rhs = w > 0: d = ±μ π is an improving ray
        // (any positive multiple will do).
        return Ok(DualResult::DualInfeasible(primitive(
            t.scaled_multipliers(&sys.mu, true)?,
        )?));
    }
    t.drive_out_artificials()?;
    t.set_objective(&sys.b)?;
    let rhs = t.width();
    match t.run(false)? {
        Stop::Unbounded(s) => {
            // y = det·e_s - det·B⁻¹M_s ≥ 0 with M y = 0 and b·y < 0.
            let mut ray = vec![T::zero(); m];
            ray[s] = t.det.clone();
            for (row, &bv) in t.rows.iter().zip(&t.basis) {
                if bv < m && !row[s].is_zero() {
                    ray[bv] = row[s].neg()?;
                }
            }
            Ok(DualResult::Farkas(primitive(ray)?))
        }
        Stop::Optimal => {
            let mut y_num = vec![T::zero(); m];
            for (row, &bv) in t.rows.iter().zip(&t.basis) {
                if bv < m {
                    y_num[bv] = row[rhs].clone();
                }
            }
            let x_den = t.det.mul(&sys.cost_scale)?;
            let x_num = t.scaled_multipliers(&sys.mu, false)?;
            let value_num = t.neg_objective().neg()?;
            Ok(DualResult::Optimal {
                x_num,
                x_den,
                y_num,
                y_den: t.det,
                value_num,
            })
        }
    }
}

/// [`solve_dual`] in `i128` when the system fits and nothing overflows, else over
/// [`Integer`]; the result is the same either way, as integers.
pub(crate) fn solve_dual_fast(sys: &System<Integer>) -> DualResult<Integer> {
    if let Some(small) = sys.to_i128() {
        if let Ok(r) = solve_dual(&small) {
            return r.to_integer();
        }
    }
    match solve_dual(sys) {
        Ok(r) => r,
        Err(Overflow) => unreachable!("Integer arithmetic does not overflow"),
    }
}

impl<T: Entry> DualResult<T> {
    /// The same result with [`Integer`] entries.
    pub fn to_integer(&self) -> DualResult<Integer> {
        let conv = |v: &[T]| v.iter().map(Entry::to_integer).collect::<Vec<_>>();
        match self {
            DualResult::Optimal {
                x_num,
                x_den,
                y_num,
                y_den,
                value_num,
            } => DualResult::Optimal {
                x_num: conv(x_num),
                x_den: x_den.to_integer(),
                y_num: conv(y_num),
                y_den: y_den.to_integer(),
                value_num: value_num.to_integer(),
            },
            DualResult::Farkas(v) => DualResult::Farkas(conv(v)),
            DualResult::DualInfeasible(v) => DualResult::DualInfeasible(conv(v)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A system with integer data (`μ = 1`, `cost_scale = 1`) from entries that may be huge.
    fn system(m: usize, n: usize, a: &[i64], b: &[i64], c: &[i64], big: u32) -> System<Integer> {
        let scale = |x: i64| Integer::from(x) * Integer::pow2(big);
        System {
            m,
            cols: (0..n)
                .map(|i| (0..m).map(|j| scale(a[j * n + i])).collect())
                .collect(),
            c: c.iter().map(|&x| Integer::from(x)).collect(),
            mu: vec![Integer::one(); n],
            b: b.iter().map(|&x| scale(x)).collect(),
            cost_scale: Integer::one(),
        }
    }

    fn arb_system() -> impl Strategy<Value = (usize, usize, Vec<i64>, Vec<i64>, Vec<i64>, u32)> {
        (
            0usize..=5,
            0usize..=8,
            prop_oneof![3 => Just(0u32), 1 => 0u32..=60],
        )
            .prop_flat_map(|(n, m, big)| {
                (
                    Just(m),
                    Just(n),
                    prop::collection::vec(prop_oneof![2 => Just(0i64), 5 => -9i64..=9], m * n),
                    prop::collection::vec(prop_oneof![1 => Just(0i64), 3 => -9i64..=9], m),
                    prop::collection::vec(-3i64..=3, n),
                    Just(big),
                )
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// The `i128` run either overflows or gives exactly the big-integer result.
        #[test]
        fn i128_run_equals_integer_run((m, n, a, b, c, big) in arb_system()) {
            let sys = system(m, n, &a, &b, &c, big);
            let exact = solve_dual(&sys).expect("no overflow over Integer");
            let small = sys.to_i128().expect("entries below 2^64");
            if let Ok(r) = solve_dual(&small) {
                prop_assert_eq!(r.to_integer(), exact);
            }
        }
    }

    proptest! {
        #[test]
        fn exact_division_by_a_prepared_divisor(
            q in any::<i64>(),
            d in 1i128..=(1i128 << 40),
            shift in 0u32..=20,
        ) {
            let d = d << shift;
            let x = i128::from(q) * d;
            let mut y = x;
            y.divide_exactly(&i128::divisor(&d)).unwrap();
            prop_assert_eq!(y, i128::from(q));
        }
    }

    #[test]
    fn overflow_is_reported_not_wrapped() {
        // Entries near 2^62: the first pivot's products overflow i128 quickly.
        let (m, n) = (4, 3);
        let a = [3, -1, 2, 1, 4, -2, -5, 1, 1, 2, 2, -3];
        let (b, c) = ([7, -2, 5, 3], [1, 2, -1]);
        let sys = system(m, n, &a, &b, &c, 62);
        let small = sys.to_i128().expect("fits");
        assert!(solve_dual(&small).is_err());
        let exact = solve_dual(&sys).expect("no overflow over Integer");
        assert_eq!(solve_dual_fast(&sys), exact);
        // And with small entries both agree.
        let sys = system(m, n, &a, &b, &c, 0);
        assert_eq!(
            solve_dual(&sys.to_i128().unwrap()).unwrap().to_integer(),
            solve_dual(&sys).unwrap()
        );
    }

    #[test]
    fn i128_round_trip() {
        for v in [
            0i128,
            1,
            -1,
            i64::MAX as i128,
            i64::MIN as i128,
            i64::MAX as i128 + 1,
            i64::MIN as i128 - 1,
            (1i128 << 100) + 12345,
            -(1i128 << 100) - 12345,
            i128::MAX,
            i128::MIN + 1,
        ] {
            let big = integer_from_i128(v);
            assert_eq!(big.to_string(), v.to_string());
            assert_eq!(i128_from_integer(&big), Some(v));
        }
        assert_eq!(i128_from_integer(&Integer::pow2(127)), None);
        assert_eq!(i128_from_integer(&-Integer::pow2(127)), None);
    }
}
