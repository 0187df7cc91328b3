//! The producer's certified bound on `max_{x ∈ cell} ‖f_A(x) − f_{B*}(x)‖_∞`: symbolic
//! back-substitution of the difference network (docs/near.md), written independently of the
//! checker's implementation (`fibers_check::within`) and with other arithmetic: block
//! floating point with `i64` mantissas and one exponent per vector, products accumulated exactly
//! in `i128`. Every rounding (of a weight, of a coefficient vector, of a slope) is paid for in
//! the constant term by a bound on its effect, so the result is an exact upper bound whatever
//! the roundings; the constants themselves are exact rationals.
//!
//! The variables of a hidden layer are the pre-activations `ya` of A and the differences
//! `d = ya − yb` with `B*`; the activations enter as `σ(ya)` and `δ = σ(ya) − σ(yb)`:
//! `ya2 = W2A σ(ya1) + b2A`, `d2 = ΔW2 σ(ya1) + W2B* δ1 + Δb2`, `Δf = ΔW3 σ(ya2) + W3B* δ2 + Δb3`.

use fibers_check::within::InputBox;
use fibers_exact::{Integer, Rational};
use fibers_net::Network;

/// Mantissa bits of coefficient vectors and matrices.
const MANT: u32 = 53;
/// Mantissa bits of the slopes of the relaxations (`slope = m / 2^SLOPE`).
const SLOPE: i32 = 52;

/// `2^e` exactly.
fn pow2(e: i32) -> Rational {
    let p = Rational::from_integer(Integer::pow2(e.unsigned_abs()));
    if e >= 0 {
        p
    } else {
        p.recip().expect("2^e > 0")
    }
}

/// `m · 2^e` exactly.
fn dyadic(m: i128, e: i32) -> Rational {
    let n = match i64::try_from(m) {
        Ok(v) => Integer::from(v),
        Err(_) => m.to_string().parse().expect("decimal"),
    };
    Rational::from_integer(n) * pow2(e)
}

/// `round(r · 2^-e)` (`floor` when `down`, `ceil` when `up`), which must fit an `i64`.
fn mantissa(r: &Rational, e: i32, mode: i8) -> i64 {
    let v = r * &pow2(-e);
    let n = match mode {
        -1 => v.floor(),
        1 => v.ceil(),
        _ => (v + Rational::ratio(1, 2)).floor(),
    };
    n.to_i64().expect("mantissa fits i64")
}

/// The exponent `e` with `max |r| · 2^-e < 2^(bits-1)`.
fn exponent_for(max: &Rational, bits: u32) -> i32 {
    if max.is_zero() {
        return 0;
    }
    let mut e = max.to_f64_lossy().log2().floor() as i32 - bits as i32 + 2;
    let lim = Rational::from_integer(Integer::pow2(bits - 1));
    while (max * &pow2(-e)) >= lim {
        e += 1;
    }
    e
}

/// A matrix `[W | b]` rounded to multiples of `2^e`, with a bound `err` on the rounding error
/// of every entry.
///
/// The rounding goes through `f64`: `Rational::to_f64_lossy` is correctly rounded (computed with
/// integer arithmetic), so `|w − fl(w)| ≤ 2^-53 |w|`; scaling by `2^-e` is exact and rounding to
/// an integer below `2^52` is exact in `f64`. The error bound accounts for all of it, so the
/// bound stays exact; the checker (`fibers_check::within`) rounds in integer arithmetic.
struct Mat {
    rows: Vec<Vec<i64>>,
    bias: Vec<i64>,
    e: i32,
    err: Rational,
}

/// `2^-52 · v` for `v ≥ 0` (an over-estimate of a relative `f64` rounding error).
fn ulps(v: f64) -> Rational {
    Rational::from_f64_exact(v).expect("finite") * pow2(-52)
}

/// Whether `x = fl(v)` may miss the relative error bound (`|x| < 2^-1000`, `v ≠ 0`).
fn is_tiny(x: f64, v: &Rational) -> bool {
    x.abs() < 2f64.powi(-1000) && !v.is_zero()
}

impl Mat {
    /// From `f64` entries, each within `pre` of the exact value it stands for.
    fn from_f64(w: &[Vec<f64>], b: &[f64], mut pre: Rational, tiny: bool) -> Mat {
        // Below 2^-1000 the relative error bound of f64 fails (subnormals): pay 2^-1000 then.
        if tiny {
            pre += pow2(-1000);
        }
        let max = w
            .iter()
            .flatten()
            .chain(b)
            .fold(0.0f64, |m, v| m.max(v.abs()));
        // max · 2^-e < 2^51: the integers below are exact in f64 and fit the mantissa bits.
        let mut e = if max > 0.0 {
            max.log2().floor() as i32 - 50
        } else {
            0
        };
        while max * 2f64.powi(-e) >= 2f64.powi(51) {
            e += 1;
        }
        let scale = 2f64.powi(-e);
        let r = |v: &f64| (v * scale).round() as i64;
        Mat {
            rows: w.iter().map(|row| row.iter().map(r).collect()).collect(),
            bias: b.iter().map(r).collect(),
            e,
            err: pow2(e - 1) + pre,
        }
    }
    fn new(w: &[Vec<Rational>], b: &[Rational]) -> Option<Mat> {
        let f = |v: &Rational| v.to_f64_lossy();
        let wf: Vec<Vec<f64>> = w.iter().map(|r| r.iter().map(f).collect()).collect();
        let bf: Vec<f64> = b.iter().map(f).collect();
        let tiny = w
            .iter()
            .flatten()
            .chain(b)
            .zip(wf.iter().flatten().chain(&bf))
            .any(|(v, &x)| is_tiny(x, v));
        let max = wf
            .iter()
            .flatten()
            .chain(&bf)
            .fold(0.0f64, |m, v| m.max(v.abs()));
        max.is_finite()
            .then(|| Mat::from_f64(&wf, &bf, ulps(max), tiny))
    }
    /// `A − B` from the `f64` entries of both (the subtraction is exact for close entries and
    /// correctly rounded otherwise; the error bound covers both roundings).
    fn diff(a: &fibers_net::Layer, b: &fibers_net::Layer) -> Option<Mat> {
        let mut max = 0.0f64;
        let mut tiny = false;
        let mut sub = |p: &Rational, q: &Rational| {
            let (x, y) = (p.to_f64_lossy(), q.to_f64_lossy());
            tiny |= is_tiny(x, p) || is_tiny(y, q);
            max = max.max(x.abs()).max(y.abs());
            x - y
        };
        let w: Vec<Vec<f64>> = a
            .weight
            .iter()
            .zip(&b.weight)
            .map(|(p, q)| p.iter().zip(q).map(|(x, y)| sub(x, y)).collect())
            .collect();
        let c: Vec<f64> = a.bias.iter().zip(&b.bias).map(|(x, y)| sub(x, y)).collect();
        // |w_a − fl(w_a)| + |w_b − fl(w_b)| + |rounding of the difference| ≤ 4 · 2^-53 · max.
        max.is_finite()
            .then(|| Mat::from_f64(&w, &c, ulps(max) * Rational::from(2), tiny))
    }
    /// The largest rounding error of an entry.
    fn err(&self) -> Rational {
        self.err.clone()
    }
}

/// A coefficient vector `m · 2^e`.
#[derive(Clone)]
struct Lin {
    m: Vec<i64>,
    e: i32,
}

impl Lin {
    fn is_zero(&self) -> bool {
        self.m.iter().all(|&v| v == 0)
    }
    fn l1(&self) -> Rational {
        dyadic(self.m.iter().map(|&v| i128::from(v).abs()).sum(), self.e)
    }
}

/// Shortens exact `i128` coefficients `acc · 2^e` to `MANT` bits by rounding down; returns the
/// vector and the exponent `f` with per-coefficient error `< 2^f` (`None` if exact).
fn normalize(acc: &[i128], e: i32) -> (Lin, Option<i32>) {
    let big = acc.iter().map(|v| v.unsigned_abs()).max().unwrap_or(0);
    let bits = 128 - big.leading_zeros();
    if bits <= MANT {
        return (
            Lin {
                m: acc.iter().map(|&v| v as i64).collect(),
                e,
            },
            None,
        );
    }
    let s = bits - MANT;
    let m = acc.iter().map(|&v| (v >> s) as i64).collect();
    let f = e + s as i32;
    (Lin { m, e: f }, Some(f))
}

/// `Σ_t c_t · rows_t` over terms with possibly different exponents, exactly in `i128` at the
/// largest exponent (the finer terms rounded down: error `< 2^E` per coefficient, `Some(E)`).
fn combine(terms: &[(&Lin, &[Vec<i64>], i32)], n: usize) -> (Vec<i128>, i32, Option<i32>) {
    let live: Vec<_> = terms.iter().filter(|t| !t.0.is_zero()).collect();
    if live.is_empty() {
        return (vec![0; n], 0, None);
    }
    let top = live.iter().map(|t| t.0.e + t.2).max().expect("non-empty");
    let mut out = vec![0i128; n];
    let mut err = None;
    for (c, rows, me) in live {
        let mut acc = vec![0i128; n];
        for (&ci, row) in c.m.iter().zip(rows.iter()) {
            if ci == 0 {
                continue;
            }
            let ci = i128::from(ci);
            for (s, &w) in acc.iter_mut().zip(row) {
                *s += ci * i128::from(w);
            }
        }
        let shift = (top - (c.e + me)) as u32;
        if shift > 0 {
            err = Some(top);
            for (o, a) in out.iter_mut().zip(&acc) {
                *o += if shift >= 127 {
                    a >> 126 >> 1
                } else {
                    a >> shift
                };
            }
        } else {
            for (o, a) in out.iter_mut().zip(&acc) {
                *o += a;
            }
        }
    }
    (out, top, err)
}

/// `Σ c_i b_i` exactly.
fn dot(c: &Lin, m: &Mat) -> Rational {
    let s: i128 =
        c.m.iter()
            .zip(&m.bias)
            .map(|(&x, &y)| i128::from(x) * i128::from(y))
            .sum();
    dyadic(s, c.e + m.e)
}

/// Per-neuron relaxation of a hidden layer on one cell: for `σ(ya)` and for `δ`, an upper line
/// `slope·v + c` and a lower line (slopes `m / 2^SLOPE`, constants `m · 2^ce`: the upper ones
/// rounded up, the lower ones rounded down).
struct Relax {
    h_up: Vec<(i64, i64)>,
    h_lo: Vec<i64>,
    d_up: Vec<(i64, i64)>,
    d_lo: Vec<(i64, i64)>,
    ce: i32,
    /// `Σ max|ya|`, `Σ max|d|`, `Σ max σ(ya)` over the layer.
    z_ya: Rational,
    z_d: Rational,
    z_h: Rational,
}

type Iv = (Rational, Rational);

fn max_abs(iv: &Iv) -> Rational {
    iv.0.abs().max(iv.1.abs())
}

/// The line through `(l, f(l))`, `(u, f(u))` with the slope rounded down to `SLOPE` bits,
/// lifted (`up`) or lowered so that it stays above (below) both end values.
fn chord(l: &Rational, u: &Rational, fl: &Rational, fu: &Rational, up: bool) -> (i64, Rational) {
    let slope = (fu - fl) / (u - l);
    let m = mantissa(&slope, -SLOPE, -1);
    let s = dyadic(i128::from(m), -SLOPE);
    let (cl, cu) = (fl - &(&s * l), fu - &(&s * u));
    (m, if up { cl.max(cu) } else { cl.min(cu) })
}

impl Relax {
    fn new(ya: &[Iv], yb: &[Iv], d: &[Iv]) -> Relax {
        let z = Rational::zero();
        let one = 1i64 << SLOPE;
        let n = ya.len();
        let (mut h_up, mut h_lo, mut d_up, mut d_lo) = (vec![], vec![], vec![], vec![]);
        let (mut hc, mut duc, mut dlc) =
            (vec![z.clone(); n], vec![z.clone(); n], vec![z.clone(); n]);
        for j in 0..n {
            let (l, u) = &ya[j];
            let (dl, du) = &d[j];
            let yb = &yb[j];
            // σ(ya): exact when stable; else the chord above and slope 0 or 1 below.
            if *l >= z {
                h_up.push(one);
                h_lo.push(one);
            } else if *u <= z {
                h_up.push(0);
                h_lo.push(0);
            } else {
                let (m, c) = chord(l, u, &z, u, true);
                h_up.push(m);
                hc[j] = c;
                h_lo.push(if u + l >= z { one } else { 0 });
            }
            // δ ≤: 0 if A is inactive, d if A is active or d ≥ 0, 0 if d ≤ 0, else the chord
            // of max(0, d) (in this order: the first that applies is the tightest).
            if *u <= z {
                d_up.push(0);
            } else if *l >= z || *dl >= z {
                d_up.push(one);
            } else if *du <= z {
                d_up.push(0);
            } else {
                let (m, c) = chord(dl, du, &z, du, true);
                d_up.push(m);
                duc[j] = c;
            }
            // δ ≥: 0 if B* is inactive, d if B* is active or d ≤ 0, 0 if d ≥ 0, else the chord
            // of min(0, d).
            if yb.1 <= z {
                d_lo.push(0);
            } else if yb.0 >= z || *du <= z {
                d_lo.push(one);
            } else if *dl >= z {
                d_lo.push(0);
            } else {
                let (m, c) = chord(dl, du, dl, &z, false);
                d_lo.push(m);
                dlc[j] = c;
            }
        }
        let max = hc
            .iter()
            .chain(&duc)
            .chain(&dlc)
            .map(Rational::abs)
            .max()
            .unwrap_or_else(Rational::zero);
        // 53-bit constants: products with 53-bit coefficients stay below 2^106 (sums of up to
        // 2^20 terms fit i128).
        let ce = exponent_for(&max, 54);
        let pair = |s: Vec<i64>, c: &[Rational], mode: i8| -> Vec<(i64, i64)> {
            s.into_iter()
                .zip(c)
                .map(|(m, c)| (m, mantissa(c, ce, mode)))
                .collect()
        };
        Relax {
            h_up: pair(h_up, &hc, 1),
            h_lo,
            d_up: pair(d_up, &duc, 1),
            d_lo: pair(d_lo, &dlc, -1),
            ce,
            z_ya: ya.iter().map(max_abs).sum(),
            z_d: d.iter().map(max_abs).sum(),
            z_h: ya.iter().map(|iv| iv.1.clone().max(Rational::zero())).sum(),
        }
    }

    /// Coefficients `lam` on `σ(ya)` and `rho` on `δ` → coefficients on `ya` and `d`, the
    /// constants and rounding costs added to `k`.
    fn apply(&self, lam: &Lin, rho: &Lin, k: &mut Rational) -> (Lin, Lin) {
        let n = lam.m.len();
        let (mut ca, mut cd) = (vec![0i128; n], vec![0i128; n]);
        for j in 0..n {
            let (l, r) = (i128::from(lam.m[j]), i128::from(rho.m[j]));
            if l >= 0 {
                ca[j] = l * i128::from(self.h_up[j].0);
            } else {
                ca[j] = l * i128::from(self.h_lo[j]);
            }
            if r >= 0 {
                cd[j] = r * i128::from(self.d_up[j].0);
            } else {
                cd[j] = r * i128::from(self.d_lo[j].0);
            }
        }
        // Constants: Σ lam_j c_j + Σ rho_j c'_j, exactly (two exponents).
        let cl: i128 = (0..n)
            .filter(|&j| lam.m[j] > 0)
            .map(|j| i128::from(lam.m[j]) * i128::from(self.h_up[j].1))
            .sum();
        let cr: i128 = (0..n)
            .map(|j| {
                let r = i128::from(rho.m[j]);
                r * i128::from(if r >= 0 {
                    self.d_up[j].1
                } else {
                    self.d_lo[j].1
                })
            })
            .sum();
        *k += dyadic(cl, lam.e + self.ce) + dyadic(cr, rho.e + self.ce);
        let (a, ea) = normalize(&ca, lam.e - SLOPE);
        let (d, ed) = normalize(&cd, rho.e - SLOPE);
        if let Some(f) = ea {
            *k += pow2(f) * &self.z_ya;
        }
        if let Some(f) = ed {
            *k += pow2(f) * &self.z_d;
        }
        (a, d)
    }
}

/// The bound for one pair A, `B*`: this module's arithmetic when every weight is within the
/// `f64` range and every width below `2^18` (so that no `i128` sum can overflow), otherwise the
/// checker's exact integer implementation (`fibers_check::within::cell_bound`, precision 64).
pub struct Bounder {
    fast: Option<Fast>,
    a: Network,
    bstar: Network,
}

impl Bounder {
    /// Prepares the bound for A and `B*` (same architecture).
    pub fn new(a: &Network, bstar: &Network) -> Bounder {
        let arch = a.arch();
        let small = [arch.n0, arch.n1, arch.n2, arch.n3]
            .iter()
            .all(|&n| n < 1 << 18);
        Bounder {
            fast: if small { Fast::new(a, bstar) } else { None },
            a: a.clone(),
            bstar: bstar.clone(),
        }
    }

    /// Whether this module's arithmetic is used (else the checker's implementation).
    pub fn is_fast(&self) -> bool {
        self.fast.is_some()
    }

    /// The certified upper bound on `max_{x ∈ cell} ‖f_A(x) − f_{B*}(x)‖_∞`.
    pub fn bound(&self, cell: &InputBox) -> Rational {
        match &self.fast {
            Some(f) => f.bound(cell),
            None => fibers_check::within::cell_bound(&self.a, &self.bstar, cell, 64),
        }
    }
}

/// The rounded layers of A, `B*` and `A − B*` (built once per pair).
struct Fast {
    a1: Mat,
    b1: Mat,
    d1: Mat,
    a2: Mat,
    b2: Mat,
    d2: Mat,
    b3: Mat,
    d3: Mat,
}

/// A cell rounded outward to `2^ex`, and `Σ max|x|`.
struct Cell {
    lo: Vec<i64>,
    hi: Vec<i64>,
    ex: i32,
    z: Rational,
}

impl Fast {
    /// `None` when a weight is beyond the `f64` range.
    fn new(a: &Network, bstar: &Network) -> Option<Fast> {
        let [a1, a2, a3] = a.layers();
        let [b1, b2, b3] = bstar.layers();
        Some(Fast {
            a1: Mat::new(&a1.weight, &a1.bias)?,
            b1: Mat::new(&b1.weight, &b1.bias)?,
            d1: Mat::diff(a1, b1)?,
            a2: Mat::new(&a2.weight, &a2.bias)?,
            b2: Mat::new(&b2.weight, &b2.bias)?,
            d2: Mat::diff(a2, b2)?,
            b3: Mat::new(&b3.weight, &b3.bias)?,
            d3: Mat::diff(a3, b3)?,
        })
    }

    /// Upper bound of `c·x + k` over the cell, for exact coefficients `acc · 2^e`.
    fn over_cell(
        &self,
        acc: &[i128],
        e: i32,
        err: Option<i32>,
        mut k: Rational,
        cell: &Cell,
    ) -> Rational {
        let (c, f) = normalize(acc, e);
        for g in [err, f].into_iter().flatten() {
            k += pow2(g) * &cell.z;
        }
        let s: i128 =
            c.m.iter()
                .zip(cell.lo.iter().zip(&cell.hi))
                .map(|(&ci, (&l, &h))| i128::from(ci) * i128::from(if ci >= 0 { h } else { l }))
                .sum();
        k + dyadic(s, c.e + cell.ex)
    }

    /// Upper bound of `s·(row·x + b)` for row `i` of `m`.
    fn row_bound(&self, m: &Mat, i: usize, s: i64, cell: &Cell) -> Rational {
        let acc: Vec<i128> = m.rows[i].iter().map(|&w| i128::from(w * s)).collect();
        let k = dyadic(i128::from(m.bias[i] * s), m.e) + m.err() * (&cell.z + &Rational::one());
        self.over_cell(&acc, m.e, None, k, cell)
    }

    /// Upper bound of `pi·ya1 + rho·d1 + k` over the cell.
    fn back_from_layer1(&self, pi: &Lin, rho: &Lin, mut k: Rational, cell: &Cell) -> Rational {
        let n0 = cell.lo.len();
        let (acc, e, err) = combine(
            &[
                (pi, &self.a1.rows, self.a1.e),
                (rho, &self.d1.rows, self.d1.e),
            ],
            n0,
        );
        k += dot(pi, &self.a1) + dot(rho, &self.d1);
        let x1 = &cell.z + &Rational::one();
        k += pi.l1() * self.a1.err() * &x1 + rho.l1() * self.d1.err() * &x1;
        self.over_cell(&acc, e, err, k, cell)
    }

    /// Upper bound of `mu·ya2 + nu·d2 + k` over the cell.
    fn back_from_layer2(
        &self,
        r1: &Relax,
        mu: &Lin,
        nu: &Lin,
        mut k: Rational,
        cell: &Cell,
    ) -> Rational {
        let n1 = self.a1.rows.len();
        let (lam, el, errl) = combine(
            &[
                (mu, &self.a2.rows, self.a2.e),
                (nu, &self.d2.rows, self.d2.e),
            ],
            n1,
        );
        let (rho, er, errr) = combine(&[(nu, &self.b2.rows, self.b2.e)], n1);
        k += dot(mu, &self.a2) + dot(nu, &self.d2);
        let h1 = &r1.z_h + &Rational::one();
        k += mu.l1() * self.a2.err() * &h1
            + nu.l1() * (self.d2.err() * &h1 + self.b2.err() * &r1.z_d);
        let (lam, fl) = normalize(&lam, el);
        let (rho, fr) = normalize(&rho, er);
        for g in [errl, fl].into_iter().flatten() {
            k += pow2(g) * &r1.z_h;
        }
        for g in [errr, fr].into_iter().flatten() {
            k += pow2(g) * &r1.z_d;
        }
        let (pi, rho) = r1.apply(&lam, &rho, &mut k);
        self.back_from_layer1(&pi, &rho, k, cell)
    }

    /// The certified upper bound on `max_{x ∈ cell} ‖f_A(x) − f_{B*}(x)‖_∞`.
    fn bound(&self, bx: &InputBox) -> Rational {
        let max = bx
            .lo
            .iter()
            .chain(&bx.hi)
            .map(Rational::abs)
            .max()
            .unwrap_or_else(Rational::zero);
        let ex = exponent_for(&max, 56);
        let cell = Cell {
            lo: bx.lo.iter().map(|v| mantissa(v, ex, -1)).collect(),
            hi: bx.hi.iter().map(|v| mantissa(v, ex, 1)).collect(),
            ex,
            z: bx
                .lo
                .iter()
                .zip(&bx.hi)
                .map(|(l, h)| l.abs().max(h.abs()))
                .sum(),
        };
        let interval = |m: &Mat, i: usize| -> Iv {
            (
                -self.row_bound(m, i, -1, &cell),
                self.row_bound(m, i, 1, &cell),
            )
        };
        let n1 = self.a1.rows.len();
        let n2 = self.a2.rows.len();
        let ya1: Vec<Iv> = (0..n1).map(|i| interval(&self.a1, i)).collect();
        let yb1: Vec<Iv> = (0..n1).map(|i| interval(&self.b1, i)).collect();
        let mut d1: Vec<Iv> = (0..n1).map(|i| interval(&self.d1, i)).collect();
        // d1 also lies in [ya1] − [yb1].
        for j in 0..n1 {
            let (lo, hi) = (&ya1[j].0 - &yb1[j].1, &ya1[j].1 - &yb1[j].0);
            d1[j] = (d1[j].0.clone().max(lo), d1[j].1.clone().min(hi));
        }
        let r1 = Relax::new(&ya1, &yb1, &d1);
        let zero = Lin {
            m: vec![0; n2],
            e: 0,
        };
        let unit = |i: usize, s: i64| {
            let mut m = vec![0; n2];
            m[i] = s;
            Lin { m, e: 0 }
        };
        let iv2 = |ya: bool, i: usize| -> Iv {
            let z = Rational::zero();
            let (up, dn) = if ya {
                (
                    self.back_from_layer2(&r1, &unit(i, 1), &zero, z.clone(), &cell),
                    self.back_from_layer2(&r1, &unit(i, -1), &zero, z, &cell),
                )
            } else {
                (
                    self.back_from_layer2(&r1, &zero, &unit(i, 1), z.clone(), &cell),
                    self.back_from_layer2(&r1, &zero, &unit(i, -1), z, &cell),
                )
            };
            (-dn, up)
        };
        let ya2: Vec<Iv> = (0..n2).map(|i| iv2(true, i)).collect();
        let d2: Vec<Iv> = (0..n2).map(|i| iv2(false, i)).collect();
        let yb2: Vec<Iv> = ya2
            .iter()
            .zip(&d2)
            .map(|(a, d)| (&a.0 - &d.1, &a.1 - &d.0))
            .collect();
        let r2 = Relax::new(&ya2, &yb2, &d2);
        let mut best = Rational::zero();
        let err = self.d3.err() * (&r2.z_h + &Rational::one()) + self.b3.err() * &r2.z_d;
        for o in 0..self.d3.rows.len() {
            for s in [1i64, -1] {
                let lam = Lin {
                    m: self.d3.rows[o].iter().map(|&v| v * s).collect(),
                    e: self.d3.e,
                };
                let rho = Lin {
                    m: self.b3.rows[o].iter().map(|&v| v * s).collect(),
                    e: self.b3.e,
                };
                let mut k = dyadic(i128::from(self.d3.bias[o] * s), self.d3.e) + &err;
                let (mu, nu) = r2.apply(&lam, &rho, &mut k);
                let v = self.back_from_layer2(&r1, &mu, &nu, k, &cell);
                if v > best {
                    best = v;
                }
            }
        }
        best
    }
}
