//! Near-equivalence certificates: `max_{x ∈ box} ‖f_A(x) − f_B(x)‖_∞ ≤ ε` (verdict `within`)
//! or a point of the box where the difference exceeds `ε` (verdict `not-within`).
//!
//! A `within` certificate carries an *alignment*: permutations and positive scales of the two
//! hidden layers of B. The checker builds the symmetric image `B*` of B itself (positive
//! rescaling and permutation of ReLU neurons never change the function, so `f_{B*} = f_B` by
//! construction), then bounds `|f_A − f_{B*}|` on every cell of the certificate's partition of
//! the box by symbolic back-substitution of the difference network (linear relaxations of the
//! ReLUs of A and of the activation differences, substituted back to the input cell), in exact
//! integer arithmetic in units of `2^-precision` where every rounding is paid for by a bound on
//! its effect (sound whatever the precision). This is the checker's own implementation; the
//! producer (`fibers-near`) computes the bound with separate code. The certificate
//! is accepted iff the recomputed bound is at most the claimed bound and the claimed bound is at
//! most `ε`. The format is documented in `docs/near.md`.

use crate::network_hash;
use crate::types::Rejection;
use fibers_exact::{Integer, Rational};
use fibers_net::json::{
    rational_from_value, rational_to_value, vector_from_value, vector_to_value,
};
use fibers_net::{Layer, LoadError, Network};
use serde_json::{Map, Value};

/// The `format` field of a near-equivalence certificate.
pub const FORMAT: &str = "fibers-near-certificate";
/// The version this checker reads.
pub const VERSION: u64 = 2;
/// The largest number of cells of the partition of the box the checker accepts.
pub const MAX_CELLS: u64 = 1 << 16;
/// The largest `precision` (bits after the binary point) the checker accepts.
pub const MAX_PRECISION: u32 = 4096;

/// A box `lo ≤ x ≤ hi` (coordinate-wise).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputBox {
    /// Lower corner.
    pub lo: Vec<Rational>,
    /// Upper corner.
    pub hi: Vec<Rational>,
}

impl InputBox {
    /// Whether `x` lies in the box.
    pub fn contains(&self, x: &[Rational]) -> bool {
        x.len() == self.lo.len()
            && x.iter()
                .zip(self.lo.iter().zip(&self.hi))
                .all(|(v, (l, h))| l <= v && v <= h)
    }
}

/// Permutation and positive scales of one hidden layer of B: neuron `i` of `B*` is neuron
/// `permutation[i]` of B with its incoming weights and bias multiplied by `scales[i] > 0` and
/// its outgoing weights divided by `scales[i]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerAlignment {
    /// `permutation[i]`: the neuron of B that becomes neuron `i` of `B*`.
    pub permutation: Vec<usize>,
    /// Positive scales.
    pub scales: Vec<Rational>,
}

impl LayerAlignment {
    /// The identity on `n` neurons.
    pub fn identity(n: usize) -> Self {
        LayerAlignment {
            permutation: (0..n).collect(),
            scales: vec![Rational::one(); n],
        }
    }
}

/// The symmetry taking B to `B*`: one [`LayerAlignment`] per hidden layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alignment {
    /// Layer 1.
    pub layer1: LayerAlignment,
    /// Layer 2.
    pub layer2: LayerAlignment,
    /// Hidden shifts (docs/theory.md §5, Theorem 5.7), applied in order after the permutations
    /// and scales: `(h, t)` adds `t` to the bias of layer-1 neuron `h` of `B*` and subtracts
    /// `w_kh·t` from the bias of every layer-2 neuron `k` with `w_kh > 0`.
    pub shifts: Vec<(usize, Rational)>,
}

/// The claim of a near-equivalence certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NearClaim {
    /// `‖f_A − f_B‖_∞ ≤ bound ≤ tolerance` on the box.
    Within {
        /// The symmetry taking B to `B*`.
        alignment: Alignment,
        /// The partition of the box into cells, in preorder: `-1` a cell, `k ≥ 0` the split of
        /// coordinate `k` at its middle followed by the lower and the upper half.
        splits: Vec<i64>,
        /// Bits after the binary point of the outward rounding.
        precision: u32,
        /// The claimed bound.
        bound: Rational,
    },
    /// `‖f_A(x) − f_B(x)‖_∞ > tolerance` at `x` in the box.
    NotWithin {
        /// The witness.
        x: Vec<Rational>,
    },
}

/// A near-equivalence certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NearCertificate {
    /// SHA-256 of network A ([`crate::network_hash`]).
    pub a_sha256: String,
    /// SHA-256 of network B.
    pub b_sha256: String,
    /// `ε`.
    pub tolerance: Rational,
    /// The box.
    pub input_box: InputBox,
    /// The claim and its evidence.
    pub claim: NearClaim,
    /// Free text naming the producer (ignored by the checker).
    pub producer: Option<String>,
}

fn reject<T>(msg: impl Into<String>) -> Result<T, Rejection> {
    Err(Rejection(msg.into()))
}

/// Applies one layer alignment: `inc` is the layer whose rows are the neurons, `out` the next
/// layer whose columns are their outgoing weights.
fn align_layer(
    inc: &Layer,
    out: &Layer,
    al: &LayerAlignment,
    name: &str,
) -> Result<(Layer, Layer), Rejection> {
    let n = inc.bias.len();
    if al.permutation.len() != n || al.scales.len() != n {
        return reject(format!(
            "alignment.{name}: {} permutation entries and {} scales for {n} neurons",
            al.permutation.len(),
            al.scales.len()
        ));
    }
    let mut seen = vec![false; n];
    for (i, &p) in al.permutation.iter().enumerate() {
        if p >= n || seen[p] {
            return reject(format!(
                "alignment.{name}.permutation[{i}] = {p} is out of range or repeated"
            ));
        }
        seen[p] = true;
    }
    if let Some(i) = al.scales.iter().position(|s| !s.is_positive()) {
        return reject(format!("alignment.{name}.scales[{i}] is not positive"));
    }
    let weight = (0..n)
        .map(|i| {
            let s = &al.scales[i];
            inc.weight[al.permutation[i]]
                .iter()
                .map(|w| w * s)
                .collect()
        })
        .collect();
    let bias = (0..n)
        .map(|i| &inc.bias[al.permutation[i]] * &al.scales[i])
        .collect();
    let inv: Vec<Rational> = al
        .scales
        .iter()
        .map(|s| s.recip().expect("positive"))
        .collect();
    let out_weight = out
        .weight
        .iter()
        .map(|row| (0..n).map(|i| &row[al.permutation[i]] * &inv[i]).collect())
        .collect();
    Ok((
        Layer { weight, bias },
        Layer {
            weight: out_weight,
            bias: out.bias.clone(),
        },
    ))
}

/// The symmetric image `B*` of `b` under `al` (checks that both permutations are bijections and
/// every scale is positive; `f_{B*} = f_B` then holds exactly).
pub fn apply_alignment(b: &Network, al: &Alignment) -> Result<Network, Rejection> {
    let [l1, l2, l3] = b.layers();
    let (n1, l2a) = align_layer(l1, l2, &al.layer1, "layer1")?;
    let (mut n2, n3) = align_layer(&l2a, l3, &al.layer2, "layer2")?;
    let mut n1 = n1;
    for (i, (h, t)) in al.shifts.iter().enumerate() {
        hidden_shift(&mut n1, &mut n2, &n3, *h, t)
            .map_err(|m| Rejection(format!("alignment.shifts[{i}]: {m}")))?;
    }
    Network::new(b.arch(), [n1, n2, n3]).map_err(Rejection)
}

/// The hidden shift of layer-1 neuron `h` by `t` (Theorem 5.7), after checking its conditions:
/// for every layer-2 neuron `k` with an outgoing weight `≠ 0` and `w_kh ≠ 0`, `w_ki ≤ 0` for
/// `i ≠ h`, `β_k ≤ 0`, and `β_k − w_kh t ≤ 0` when `w_kh > 0`.
fn hidden_shift(
    l1: &mut Layer,
    l2: &mut Layer,
    l3: &Layer,
    h: usize,
    t: &Rational,
) -> Result<(), String> {
    if h >= l1.bias.len() {
        return Err(format!("neuron {h} is not a layer-1 neuron"));
    }
    for (k, row) in l2.weight.iter().enumerate() {
        let w = &row[h];
        if w.is_zero() || l3.weight.iter().all(|r| r[k].is_zero()) {
            continue;
        }
        let beta = &l2.bias[k];
        let others = row
            .iter()
            .enumerate()
            .all(|(i, v)| i == h || !v.is_positive());
        if !others || beta.is_positive() || (w.is_positive() && (beta - &(w * t)).is_positive()) {
            return Err(format!(
                "layer-2 neuron {k} violates the conditions of the hidden shift of neuron {h}"
            ));
        }
    }
    l1.bias[h] += t;
    for k in 0..l2.bias.len() {
        if l2.weight[k][h].is_positive() {
            let d = &l2.weight[k][h] * t;
            l2.bias[k] -= &d;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The bound (symbolic back-substitution of the difference network, docs/near.md).
//
// Every number below is an integer count of units `u = 2^-p` ("units") or of `u²` ("units²").
// Weights are rounded to the nearest unit; every rounding is paid for by a term that bounds
// its effect with the largest absolute value of the variable it multiplies.

/// `⌊n / 2^p⌋` and `⌈n / 2^p⌉`.
fn shift_floor(n: &Integer, one: &Integer) -> Integer {
    Rational::new(n.clone(), one.clone())
        .expect("2^p > 0")
        .floor()
}
fn shift_ceil(n: &Integer, one: &Integer) -> Integer {
    Rational::new(n.clone(), one.clone())
        .expect("2^p > 0")
        .ceil()
}
/// The nearest integer to `r · 2^p` (ties up).
fn units(r: &Rational, one: &Integer) -> Integer {
    (r * &Rational::from_integer(one.clone()) + Rational::ratio(1, 2)).floor()
}

/// One affine layer in units: rows `[w | b]`.
/// `err` bounds the rounding error of every entry in half units; `w64` holds the rows again as
/// `i64` when they all fit (for the fast path of [`combine`]).
struct Rounded {
    w: Vec<Vec<Integer>>,
    b: Vec<Integer>,
    err: i64,
    w64: Option<Vec<Vec<i64>>>,
}

impl Rounded {
    fn new(w: Vec<Vec<Integer>>, b: Vec<Integer>, err: i64) -> Rounded {
        let w64 = w
            .iter()
            .map(|r| r.iter().map(Integer::to_i64).collect::<Option<Vec<i64>>>())
            .collect();
        Rounded { w, b, err, w64 }
    }
}

fn round_layer(w: &[Vec<Rational>], b: &[Rational], one: &Integer) -> Rounded {
    Rounded::new(
        w.iter()
            .map(|r| r.iter().map(|v| units(v, one)).collect())
            .collect(),
        b.iter().map(|v| units(v, one)).collect(),
        1,
    )
}

/// `A − B*` as the difference of the rounded layers (error at most one unit per entry).
fn diff_layer(la: &Rounded, lb: &Rounded) -> Rounded {
    let sub = |p: &[Integer], q: &[Integer]| p.iter().zip(q).map(|(x, y)| x - y).collect();
    Rounded::new(
        la.w.iter().zip(&lb.w).map(|(p, q)| sub(p, q)).collect(),
        sub(&la.b, &lb.b),
        la.err + lb.err,
    )
}

/// The rounded layers of A, of `B*` and of `A − B*` the bound needs.
struct Pair {
    one: Integer,
    a1: Rounded,
    b1: Rounded,
    d1: Rounded,
    a2: Rounded,
    b2: Rounded,
    d2: Rounded,
    b3: Rounded,
    d3: Rounded,
}

/// Bounds `[lo, hi]` (units) of a hidden layer's variables: pre-activations `ya` of A and `yb`
/// of `B*`, and their difference `d = ya − yb`.
struct Bounds {
    ya: Vec<(Integer, Integer)>,
    yb: Vec<(Integer, Integer)>,
    d: Vec<(Integer, Integer)>,
}

fn max_abs(iv: &(Integer, Integer)) -> Integer {
    iv.0.abs().max(iv.1.abs())
}

fn sum_max_abs(ivs: &[(Integer, Integer)]) -> Integer {
    ivs.iter().map(max_abs).fold(Integer::zero(), |s, v| s + v)
}

fn l1(v: &[Integer]) -> Integer {
    v.iter().fold(Integer::zero(), |s, x| s + x.abs())
}

/// `⌈l1 · z / 2^(p+1)⌉` units²: what rounding the weights and biases of a layer can change `λ·y`
/// by, for coefficients of `l1`-norm `l1` (units), when `z` (half units × units) bounds
/// `Σ_k err_k · max|z_k|` over the inputs `z_k` of the layer and its bias (input 1 = 2^p units).
fn rounding_cost(l1: &Integer, z: &Integer, one: &Integer) -> Integer {
    shift_ceil(&(l1 * z), &(one + one))
}

/// An upper bound `h ≤ a·y + c` (`a` in units, `c` in units²) of `σ(y)` for `y ∈ [l, u]`, or the
/// lower bound `h ≥ a·y` when `upper` is false.
fn relax_relu(l: &Integer, u: &Integer, upper: bool, one: &Integer) -> (Integer, Integer) {
    let z = Integer::zero();
    if *l >= z {
        (one.clone(), z)
    } else if *u <= z {
        (z.clone(), z)
    } else if !upper {
        (if u + l >= z { one.clone() } else { z.clone() }, z)
    } else {
        let a = Rational::new(u * one, u - l).expect("u > l").floor();
        let c = (-(&a * l)).max(&(one - &a) * u);
        (a, c)
    }
}

/// An upper (`upper`) or lower bound `a·d + c` of `δ = σ(ya) − σ(yb)` given the bounds of `ya`,
/// `yb` and `d = ya − yb`: `min(0, d) ≤ δ ≤ max(0, d)`, `δ ≤ d` if A is active, `δ ≤ 0` if A
/// is inactive, `δ ≥ d` if `B*` is active, `δ ≥ 0` if `B*` is inactive.
fn relax_diff(
    ya: &(Integer, Integer),
    yb: &(Integer, Integer),
    d: &(Integer, Integer),
    upper: bool,
    one: &Integer,
) -> (Integer, Integer) {
    let z = Integer::zero();
    let (dl, du) = d;
    let (inactive, active) = if upper {
        (ya.1 <= z, ya.0 >= z)
    } else {
        (yb.1 <= z, yb.0 >= z)
    };
    if inactive {
        return (z.clone(), z);
    }
    if active || (upper && *dl >= z) || (!upper && *du <= z) {
        return (one.clone(), z);
    }
    if (upper && *du <= z) || (!upper && *dl >= z) {
        return (z.clone(), z);
    }
    // The chord of max(0, d) (upper) or min(0, d) (lower) over [dl, du], through both ends.
    if upper {
        let a = Rational::new(du * one, du - dl).expect("du > dl").floor();
        let c = (-(&a * dl)).max(&(one - &a) * du);
        (a, c)
    } else {
        let a = Rational::new(-(dl * one), du - dl)
            .expect("du > dl")
            .floor();
        let c = (&(one - &a) * dl).min(-(&a * du));
        (a, c)
    }
}

/// Relaxes coefficients `lam` (units) on the activations `σ(ya)` and `rho` on the differences
/// `δ` of a hidden layer into coefficients (units) on `ya` and `d`, adding constants and the
/// rounding costs to `k` (units²).
fn relax_layer(
    bd: &Bounds,
    lam: &[Integer],
    rho: &[Integer],
    k: &mut Integer,
    one: &Integer,
) -> (Vec<Integer>, Vec<Integer>) {
    let mut ca = Vec::with_capacity(lam.len());
    let mut cd = Vec::with_capacity(lam.len());
    for j in 0..lam.len() {
        let (a, c) = relax_relu(&bd.ya[j].0, &bd.ya[j].1, lam[j].signum() >= 0, one);
        *k += shift_ceil(&(&lam[j] * &c), one);
        ca.push(shift_floor(&(&lam[j] * &a), one));
        let (a, c) = relax_diff(&bd.ya[j], &bd.yb[j], &bd.d[j], rho[j].signum() >= 0, one);
        *k += shift_ceil(&(&rho[j] * &c), one);
        cd.push(shift_floor(&(&rho[j] * &a), one));
    }
    // Rounding a coefficient down to units moves it by less than one unit.
    *k += sum_max_abs(&bd.ya) + sum_max_abs(&bd.d);
    (ca, cd)
}

/// `Σ_i c_i · rows_i` (units²), skipping zero coefficients.
fn combine(acc: &mut [Integer], c: &[Integer], m: &Rounded) {
    if let (Some(w64), Some(c64)) = (
        &m.w64,
        c.iter().map(Integer::to_i64).collect::<Option<Vec<i64>>>(),
    ) {
        // Fast path: i64 entries, exact i128 sums (if no sum overflows).
        let mut t = vec![0i128; acc.len()];
        let ok = c64.iter().zip(w64).all(|(&ci, row)| {
            ci == 0
                || t.iter_mut().zip(row).all(|(s, &w)| {
                    s.checked_add(i128::from(ci) * i128::from(w))
                        .map(|v| *s = v)
                        .is_some()
                })
        });
        if ok {
            for (s, v) in acc.iter_mut().zip(t) {
                *s += from_i128(v);
            }
            return;
        }
    }
    for (ci, row) in c.iter().zip(&m.w) {
        if ci.is_zero() {
            continue;
        }
        let m = -ci;
        for (s, w) in acc.iter_mut().zip(row) {
            s.submul(&m, w);
        }
    }
}

/// An `i128` as an [`Integer`].
fn from_i128(v: i128) -> Integer {
    // v = hi·2^64 + mid·2^32 + lo with |hi| < 2^63 and 0 ≤ mid, lo < 2^32.
    let hi = Integer::from((v >> 64) as i64);
    let mid = Integer::from(((v >> 32) & 0xffff_ffff) as i64);
    let lo = Integer::from((v & 0xffff_ffff) as i64);
    (hi * Integer::pow2(32) + mid) * Integer::pow2(32) + lo
}

fn dot(c: &[Integer], v: &[Integer]) -> Integer {
    c.iter().zip(v).fold(Integer::zero(), |s, (x, y)| s + x * y)
}

impl Pair {
    fn new(a: &Network, bstar: &Network, precision: u32) -> Pair {
        let one = Integer::pow2(precision);
        let r = |l: &Layer| round_layer(&l.weight, &l.bias, &one);
        let [a1, a2, a3] = a.layers().each_ref().map(r);
        let [b1, b2, b3] = bstar.layers().each_ref().map(r);
        Pair {
            d1: diff_layer(&a1, &b1),
            d2: diff_layer(&a2, &b2),
            d3: diff_layer(&a3, &b3),
            a1,
            b1,
            a2,
            b2,
            b3,
            one,
        }
    }

    /// An upper bound (units²) of `Σ c_k x_k + k` over the cell `[lo, hi]` (units), `c` in units².
    fn over_box(&self, c: &[Integer], k: Integer, lo: &[Integer], hi: &[Integer]) -> Integer {
        let s = c
            .iter()
            .zip(lo.iter().zip(hi))
            .fold(Integer::zero(), |s, (ci, (l, h))| {
                s + if ci.signum() >= 0 { ci * h } else { ci * l }
            });
        k + shift_ceil(&s, &self.one)
    }

    /// Upper bound (units²) of `pi·ya1 + rho·d1 + k` over the cell.
    fn back_to_input(
        &self,
        pi: &[Integer],
        rho: &[Integer],
        mut k: Integer,
        lo: &[Integer],
        hi: &[Integer],
    ) -> Integer {
        let x = lo
            .iter()
            .zip(hi.iter())
            .fold(Integer::zero(), |s, (l, h)| s + l.abs().max(h.abs()));
        let mut c = vec![Integer::zero(); lo.len()];
        combine(&mut c, pi, &self.a1);
        combine(&mut c, rho, &self.d1);
        k += dot(pi, &self.a1.b) + dot(rho, &self.d1.b);
        let x1 = &x + &self.one;
        k += rounding_cost(&l1(pi), &(&x1 * &Integer::from(self.a1.err)), &self.one)
            + rounding_cost(&l1(rho), &(&x1 * &Integer::from(self.d1.err)), &self.one);
        self.over_box(&c, k, lo, hi)
    }

    /// Upper bound (units²) of `mu·ya2 + nu·d2 + k` over the cell, given layer 1's bounds.
    fn back_from_layer2(
        &self,
        bd1: &Bounds,
        mu: &[Integer],
        nu: &[Integer],
        mut k: Integer,
        lo: &[Integer],
        hi: &[Integer],
    ) -> Integer {
        let n1 = bd1.ya.len();
        // ya2 = W2A·σ(ya1) + b2A, d2 = ΔW2·σ(ya1) + W2B*·δ1 + Δb2.
        let mut lam = vec![Integer::zero(); n1];
        combine(&mut lam, mu, &self.a2);
        combine(&mut lam, nu, &self.d2);
        let mut rho = vec![Integer::zero(); n1];
        combine(&mut rho, nu, &self.b2);
        let zh = bd1.ya.iter().fold(Integer::zero(), |s, iv| {
            s + iv.1.clone().max(Integer::zero())
        });
        let zd = sum_max_abs(&bd1.d);
        k += dot(mu, &self.a2.b) + dot(nu, &self.d2.b);
        let zh1 = &zh + &self.one;
        k += rounding_cost(&l1(mu), &(&zh1 * &Integer::from(self.a2.err)), &self.one)
            + rounding_cost(
                &l1(nu),
                &(&zh1 * &Integer::from(self.d2.err) + &zd * &Integer::from(self.b2.err)),
                &self.one,
            );
        let lam: Vec<Integer> = lam.iter().map(|v| shift_floor(v, &self.one)).collect();
        let rho: Vec<Integer> = rho.iter().map(|v| shift_floor(v, &self.one)).collect();
        k += &zh + &zd;
        let (pi, rho) = relax_layer(bd1, &lam, &rho, &mut k, &self.one);
        self.back_to_input(&pi, &rho, k, lo, hi)
    }

    /// The bound on one cell `[lo, hi]` (units), in units.
    fn cell(&self, lo: &[Integer], hi: &[Integer]) -> Integer {
        let one = &self.one;
        let n1 = self.a1.b.len();
        let n2 = self.a2.b.len();
        let zero = |n: usize| vec![Integer::zero(); n];
        let unit = |n: usize, i: usize, s: &Integer| {
            let mut v = zero(n);
            v[i] = s.clone();
            v
        };
        let neg = -one;
        // Layer 1: exact linear functions of x.
        let iv1 = |l: &Rounded, i: usize| {
            let up = self.to_input_row(l, i, lo, hi, 1);
            let dn = self.to_input_row(l, i, lo, hi, -1);
            (shift_floor(&-dn, one), shift_ceil(&up, one))
        };
        let bd1 = Bounds {
            ya: (0..n1).map(|i| iv1(&self.a1, i)).collect(),
            yb: (0..n1).map(|i| iv1(&self.b1, i)).collect(),
            d: (0..n1).map(|i| iv1(&self.d1, i)).collect(),
        };
        // Layer 2: back-substitution to the input.
        let k0 = Integer::zero();
        let iv2 = |mu: bool, i: usize| {
            let (up, dn) = if mu {
                (
                    self.back_from_layer2(&bd1, &unit(n2, i, one), &zero(n2), k0.clone(), lo, hi),
                    self.back_from_layer2(&bd1, &unit(n2, i, &neg), &zero(n2), k0.clone(), lo, hi),
                )
            } else {
                (
                    self.back_from_layer2(&bd1, &zero(n2), &unit(n2, i, one), k0.clone(), lo, hi),
                    self.back_from_layer2(&bd1, &zero(n2), &unit(n2, i, &neg), k0.clone(), lo, hi),
                )
            };
            (shift_floor(&-dn, one), shift_ceil(&up, one))
        };
        let ya: Vec<_> = (0..n2).map(|i| iv2(true, i)).collect();
        let d: Vec<_> = (0..n2).map(|i| iv2(false, i)).collect();
        let yb = ya
            .iter()
            .zip(&d)
            .map(|(a, d)| (&a.0 - &d.1, &a.1 - &d.0))
            .collect();
        let bd2 = Bounds { ya, yb, d };
        // Output: Δf = ΔW3·σ(ya2) + W3B*·δ2 + Δb3.
        let zh = bd2.ya.iter().fold(Integer::zero(), |s, iv| {
            s + iv.1.clone().max(Integer::zero())
        });
        let zd = sum_max_abs(&bd2.d);
        let z3 = (&zh + one) * Integer::from(self.d3.err) + &zd * &Integer::from(self.b3.err);
        let err = rounding_cost(one, &z3, one);
        let mut best = Integer::zero();
        for o in 0..self.d3.b.len() {
            for s in [1i64, -1] {
                let s = Integer::from(s);
                let lam: Vec<Integer> = self.d3.w[o].iter().map(|v| v * &s).collect();
                let rho: Vec<Integer> = self.b3.w[o].iter().map(|v| v * &s).collect();
                let mut k = &self.d3.b[o] * &s * one + &err;
                let (mu, nu) = relax_layer(&bd2, &lam, &rho, &mut k, one);
                let v = self.back_from_layer2(&bd1, &mu, &nu, k, lo, hi);
                best = best.max(v);
            }
        }
        shift_ceil(&best, one)
    }

    /// Upper bound (units²) of `s·(w·x + b)` over the cell (`s = ±1`), rounding included.
    fn to_input_row(
        &self,
        l: &Rounded,
        i: usize,
        lo: &[Integer],
        hi: &[Integer],
        s: i64,
    ) -> Integer {
        let (w, b) = (&l.w[i], &l.b[i]);
        let s = Integer::from(s);
        let c: Vec<Integer> = w.iter().map(|v| v * &s * &self.one).collect();
        let x = lo
            .iter()
            .zip(hi)
            .fold(Integer::zero(), |t, (l, h)| t + l.abs().max(h.abs()));
        let z = (&x + &self.one) * Integer::from(l.err);
        let k = b * &s * &self.one + rounding_cost(&self.one, &z, &self.one);
        self.over_box(&c, k, lo, hi)
    }
}

/// The bound on one cell of a box, in units of `2^-precision` (the box rounded outward).
fn cell_units(pair: &Pair, cell: &InputBox) -> Integer {
    let one = &pair.one;
    let lo: Vec<Integer> = cell
        .lo
        .iter()
        .map(|v| (v * &Rational::from_integer(one.clone())).floor())
        .collect();
    let hi: Vec<Integer> = cell
        .hi
        .iter()
        .map(|v| (v * &Rational::from_integer(one.clone())).ceil())
        .collect();
    pair.cell(&lo, &hi)
}

/// An upper bound on `max_{x ∈ cell} ‖f_A(x) − f_{B*}(x)‖_∞` (both networks of the same
/// architecture) by symbolic back-substitution of the difference network, exact over the
/// integers in units of `2^-precision` (docs/near.md).
pub fn cell_bound(a: &Network, bstar: &Network, cell: &InputBox, precision: u32) -> Rational {
    let pair = Pair::new(a, bstar, precision);
    Rational::new(cell_units(&pair, cell), pair.one.clone()).expect("2^p > 0")
}

/// The two halves of `cell` split at the middle of coordinate `k`.
pub fn split_cell(cell: &InputBox, k: usize) -> (InputBox, InputBox) {
    let mid = (&cell.lo[k] + &cell.hi[k]) * Rational::ratio(1, 2);
    let (mut left, mut right) = (cell.clone(), cell.clone());
    left.hi[k] = mid.clone();
    right.lo[k] = mid;
    (left, right)
}

/// The bound over the box split by `splits` (preorder: `-1` a leaf, `k ≥ 0` a split of
/// coordinate `k` at the middle followed by the two halves): the largest cell bound.
pub fn split_bound(
    a: &Network,
    bstar: &Network,
    bx: &InputBox,
    splits: &[i64],
    precision: u32,
) -> Result<Rational, Rejection> {
    // Identical parameters: the difference is 0 (checked first, the rounding costs would not be).
    let same = a.layers() == bstar.layers();
    let pair = Pair::new(a, bstar, precision);
    let mut pos = 0usize;
    let mut best = Integer::zero();
    let mut stack = vec![bx.clone()];
    let mut leaves = 0u64;
    while let Some(cell) = stack.pop() {
        let Some(&s) = splits.get(pos) else {
            return reject("splits: ends before the tree is complete");
        };
        pos += 1;
        if s < 0 {
            leaves += 1;
            if leaves > MAX_CELLS {
                return reject(format!("splits: more than {MAX_CELLS} cells"));
            }
            if !same {
                best = best.max(cell_units(&pair, &cell));
            }
        } else if (s as usize) < bx.lo.len() {
            let (l, r) = split_cell(&cell, s as usize);
            stack.push(r);
            stack.push(l);
        } else {
            return reject(format!(
                "splits[{}] = {s} is not an input coordinate",
                pos - 1
            ));
        }
    }
    if pos != splits.len() {
        return reject("splits: entries after the tree is complete");
    }
    Ok(Rational::new(best, pair.one).expect("2^p > 0"))
}

/// `max_o |f_A(x)_o − f_B(x)_o|`, exactly.
pub fn difference_at(a: &Network, b: &Network, x: &[Rational]) -> Rational {
    a.eval(x)
        .iter()
        .zip(b.eval(x))
        .map(|(p, q)| (p - &q).abs())
        .fold(Rational::zero(), |m, v| if v > m { v } else { m })
}

/// Checks that `cert` proves its claim for exactly the networks `a` and `b`; `Ok(true)` for a
/// proved `within`, `Ok(false)` for a proved `not-within`.
pub fn check_near(
    cert: &NearCertificate,
    a: &Network,
    b: &Network,
    check_hashes: bool,
) -> Result<bool, Rejection> {
    let (aa, ab) = (a.arch(), b.arch());
    if aa.n0 != ab.n0 || aa.n3 != ab.n3 {
        return reject(format!(
            "networks A {aa} and B {ab} differ in input or output width"
        ));
    }
    if check_hashes {
        for (name, h, net) in [("A", &cert.a_sha256, a), ("B", &cert.b_sha256, b)] {
            if *h != network_hash(net) {
                return reject(format!(
                    "the certificate was made for another network {name}"
                ));
            }
        }
    }
    let bx = &cert.input_box;
    if bx.lo.len() != aa.n0 || bx.hi.len() != aa.n0 {
        return reject(format!("box: the input dimension is {}", aa.n0));
    }
    if let Some(k) = (0..aa.n0).find(|&k| bx.lo[k] > bx.hi[k]) {
        return reject(format!("box: lo[{k}] > hi[{k}]"));
    }
    if cert.tolerance.is_negative() {
        return reject("tolerance: negative");
    }
    match &cert.claim {
        NearClaim::NotWithin { x } => {
            if !bx.contains(x) {
                return reject("witness.x is not in the box");
            }
            if difference_at(a, b, x) <= cert.tolerance {
                return reject("the witness does not exceed the tolerance: ‖f_A(x) − f_B(x)‖ ≤ ε");
            }
            Ok(false)
        }
        NearClaim::Within {
            alignment,
            splits,
            precision,
            bound,
        } => {
            if aa != ab {
                return reject(format!(
                    "a within certificate needs equal architectures (A {aa}, B {ab})"
                ));
            }
            if *bound > cert.tolerance {
                return reject("the claimed bound exceeds the tolerance");
            }
            if *precision > MAX_PRECISION {
                return reject(format!("precision: more than {MAX_PRECISION} bits"));
            }
            let bstar = apply_alignment(b, alignment)?;
            let recomputed = split_bound(a, &bstar, bx, splits, *precision)?;
            if recomputed > *bound {
                return reject(format!(
                    "the recomputed bound {} exceeds the claimed bound {}",
                    recomputed.to_f64_lossy(),
                    bound.to_f64_lossy()
                ));
            }
            Ok(true)
        }
    }
}

// ---------------------------------------------------------------------------------------
// JSON

fn layer_alignment_to_value(l: &LayerAlignment) -> Value {
    serde_json::json!({
        "permutation": l.permutation,
        "scales": vector_to_value(&l.scales),
    })
}

/// The JSON form of a near-equivalence certificate (see `docs/near.md`).
pub fn near_to_value(c: &NearCertificate) -> Value {
    let mut m = Map::new();
    m.insert("format".into(), Value::from(FORMAT));
    m.insert("version".into(), Value::from(VERSION));
    let verdict = match c.claim {
        NearClaim::Within { .. } => "within",
        NearClaim::NotWithin { .. } => "not-within",
    };
    m.insert("verdict".into(), Value::from(verdict));
    if let Some(p) = &c.producer {
        m.insert("producer".into(), Value::from(p.as_str()));
    }
    m.insert(
        "networks".into(),
        serde_json::json!({"a": {"sha256": c.a_sha256}, "b": {"sha256": c.b_sha256}}),
    );
    m.insert("tolerance".into(), rational_to_value(&c.tolerance));
    m.insert(
        "box".into(),
        serde_json::json!({"lo": vector_to_value(&c.input_box.lo), "hi": vector_to_value(&c.input_box.hi)}),
    );
    match &c.claim {
        NearClaim::Within {
            alignment,
            splits,
            precision,
            bound,
        } => {
            m.insert("bound".into(), rational_to_value(bound));
            m.insert("splits".into(), serde_json::json!(splits));
            m.insert("precision".into(), Value::from(*precision));
            m.insert("alignment".into(), {
                let mut v = serde_json::json!({
                    "layer1": layer_alignment_to_value(&alignment.layer1),
                    "layer2": layer_alignment_to_value(&alignment.layer2),
                });
                if !alignment.shifts.is_empty() {
                    v["shifts"] = alignment
                        .shifts
                        .iter()
                        .map(|(h, t)| serde_json::json!({"neuron": h, "t": rational_to_value(t)}))
                        .collect();
                }
                v
            });
        }
        NearClaim::NotWithin { x } => {
            m.insert(
                "witness".into(),
                serde_json::json!({"x": vector_to_value(x)}),
            );
        }
    }
    Value::Object(m)
}

/// Whether a JSON value is a near-equivalence certificate (its `format` field).
pub fn is_near_certificate(v: &Value) -> bool {
    v.get("format").and_then(Value::as_str) == Some(FORMAT)
}

fn field<'v>(v: &'v Value, key: &str, place: &str, src: &str) -> Result<&'v Value, LoadError> {
    v.get(key)
        .ok_or_else(|| LoadError::new(src, place, format!("missing field \"{key}\"")))
}

fn usize_list(v: &Value, place: &str, src: &str) -> Result<Vec<u64>, LoadError> {
    v.as_array()
        .ok_or_else(|| LoadError::new(src, place, "expected an array of integers"))?
        .iter()
        .enumerate()
        .map(|(i, e)| {
            e.as_u64().ok_or_else(|| {
                LoadError::new(
                    src,
                    format!("{place}[{i}]"),
                    "expected a non-negative integer",
                )
            })
        })
        .collect()
}

fn int_list(v: &Value, place: &str, src: &str) -> Result<Vec<i64>, LoadError> {
    v.as_array()
        .ok_or_else(|| LoadError::new(src, place, "expected an array of integers"))?
        .iter()
        .enumerate()
        .map(|(i, e)| {
            e.as_i64()
                .ok_or_else(|| LoadError::new(src, format!("{place}[{i}]"), "expected an integer"))
        })
        .collect()
}

fn shifts_from_value(v: Option<&Value>, src: &str) -> Result<Vec<(usize, Rational)>, LoadError> {
    let Some(v) = v else {
        return Ok(Vec::new());
    };
    let place = "alignment.shifts";
    v.as_array()
        .ok_or_else(|| LoadError::new(src, place, "expected an array"))?
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let p = format!("{place}[{i}]");
            let h = field(e, "neuron", &p, src)?
                .as_u64()
                .ok_or_else(|| LoadError::new(src, format!("{p}.neuron"), "expected an index"))?;
            let t = rational_from_value(field(e, "t", &p, src)?, src, &format!("{p}.t"))?;
            Ok((h as usize, t))
        })
        .collect()
}

fn layer_alignment_from_value(
    v: &Value,
    place: &str,
    src: &str,
) -> Result<LayerAlignment, LoadError> {
    let p = usize_list(
        field(v, "permutation", place, src)?,
        &format!("{place}.permutation"),
        src,
    )?;
    let scales = vector_from_value(
        field(v, "scales", place, src)?,
        src,
        &format!("{place}.scales"),
    )?;
    Ok(LayerAlignment {
        permutation: p.into_iter().map(|x| x as usize).collect(),
        scales,
    })
}

/// Reads a near-equivalence certificate; errors name the place.
pub fn near_from_value(v: &Value, src: &str) -> Result<NearCertificate, LoadError> {
    let top = "top level";
    if !is_near_certificate(v) {
        return Err(LoadError::new(
            src,
            "format",
            format!("not a near-equivalence certificate (expected \"{FORMAT}\")"),
        ));
    }
    if field(v, "version", top, src)?.as_u64() != Some(VERSION) {
        return Err(LoadError::new(
            src,
            "version",
            format!("unsupported version (this checker reads version {VERSION})"),
        ));
    }
    let nets = field(v, "networks", top, src)?;
    let hash = |k: &str| -> Result<String, LoadError> {
        let n = field(nets, k, "networks", src)?;
        field(n, "sha256", &format!("networks.{k}"), src)?
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| LoadError::new(src, format!("networks.{k}.sha256"), "expected a string"))
    };
    let tolerance = rational_from_value(field(v, "tolerance", top, src)?, src, "tolerance")?;
    let bx = field(v, "box", top, src)?;
    let input_box = InputBox {
        lo: vector_from_value(field(bx, "lo", "box", src)?, src, "box.lo")?,
        hi: vector_from_value(field(bx, "hi", "box", src)?, src, "box.hi")?,
    };
    let claim = match field(v, "verdict", top, src)?.as_str() {
        Some("within") => {
            let al = field(v, "alignment", top, src)?;
            let precision = field(v, "precision", top, src)?
                .as_u64()
                .filter(|&p| p <= u64::from(MAX_PRECISION))
                .ok_or_else(|| {
                    LoadError::new(
                        src,
                        "precision",
                        format!("expected an integer ≤ {MAX_PRECISION}"),
                    )
                })? as u32;
            NearClaim::Within {
                alignment: Alignment {
                    layer1: layer_alignment_from_value(
                        field(al, "layer1", "alignment", src)?,
                        "alignment.layer1",
                        src,
                    )?,
                    layer2: layer_alignment_from_value(
                        field(al, "layer2", "alignment", src)?,
                        "alignment.layer2",
                        src,
                    )?,
                    shifts: shifts_from_value(al.get("shifts"), src)?,
                },
                splits: int_list(field(v, "splits", top, src)?, "splits", src)?,
                precision,
                bound: rational_from_value(field(v, "bound", top, src)?, src, "bound")?,
            }
        }
        Some("not-within") => {
            let w = field(v, "witness", top, src)?;
            NearClaim::NotWithin {
                x: vector_from_value(field(w, "x", "witness", src)?, src, "witness.x")?,
            }
        }
        _ => {
            return Err(LoadError::new(
                src,
                "verdict",
                "expected \"within\" or \"not-within\"",
            ))
        }
    };
    Ok(NearCertificate {
        a_sha256: hash("a")?,
        b_sha256: hash("b")?,
        tolerance,
        input_box,
        claim,
        producer: v.get("producer").and_then(Value::as_str).map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_i128_is_exact_at_the_extremes() {
        for v in [
            0i128,
            1,
            -1,
            i128::MAX,
            i128::MIN + 1,
            1 << 100,
            -(1 << 126) + 12345,
        ] {
            assert_eq!(from_i128(v).to_string(), v.to_string());
        }
    }
}
