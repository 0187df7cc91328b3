//! Witnesses of non-equivalence: rational inputs where two networks differ, always confirmed by
//! exact evaluation of the two given networks.
//!
//! - Same canonical layer 1, different canonical data: constructed, not searched
//!   ([`construct_from_canonical`]). A kink whose jumps differ is crossed along its normal at a
//!   point of the interior of `U` that lies on no other kink, by a step that meets no other
//!   kink; `G_A − G_B` is affine on each side and bends across the kink, so it is nonzero at
//!   one of the three points, wherever the kink lies (also only near coordinates ~10^6).
//!   Without such a kink the affine parts differ and one of `u = 0, e_1, …, e_{n1}` separates.
//!   The point is pulled back through the canonical layer 1. The random-line construction
//!   ([`separate_along_lines`]) stays as a fallback that is never expected to run.
//! - One-dimensional: deterministic, from breakpoints.
//! - Otherwise: points on and next to the layer-1 hyperplanes and layer-2 kinks of either
//!   network (pulled back through a right inverse of `W1`), then pseudo-random points.

use crate::canonical::CanonicalForm;
use crate::linalg::Preimage;
use crate::oned::{point_on, point_on_two, Profile};
use crate::orthant::{layer2_role, outgoing_columns, Kink, Layer2Role, OrthantData};
use fibers_exact::Rational;
use fibers_net::Network;

/// A small deterministic pseudo-random generator (SplitMix64); never used for a decision, only
/// to propose candidate points that exact evaluation then accepts or rejects.
#[derive(Clone, Debug)]
pub struct SplitMix(u64);

impl SplitMix {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        SplitMix(seed)
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A uniform integer in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % ((hi - lo + 1) as u64)) as i64
    }
    /// A rational `p/q` with `|p| ≤ num`, `1 ≤ q ≤ den`.
    pub fn rational(&mut self, num: i64, den: i64) -> Rational {
        Rational::ratio(self.range(-num, num), self.range(1, den))
    }
}

fn separates(a: &Network, b: &Network, x: &[Rational]) -> bool {
    a.eval(x) != b.eval(x)
}

fn dot(a: &[Rational], b: &[Rational]) -> Rational {
    a.iter()
        .zip(b)
        .filter(|(x, y)| !x.is_zero() && !y.is_zero())
        .map(|(x, y)| x * y)
        .sum()
}

/// A point of the interior of `U` on the hyperplane `w·u + β = 0` (which must meet it).
pub fn interior_point_on(w: &[Rational], beta: &Rational) -> Option<Vec<Rational>> {
    let n = w.len();
    let mut u = vec![Rational::one(); n];
    let r: Rational = w.iter().sum::<Rational>() + beta;
    if r.is_zero() {
        return Some(u);
    }
    // Move one coordinate whose weight has the sign opposite to r.
    if let Some(i) = (0..n).find(|&i| w[i].signum() == -r.signum()) {
        u[i] = &u[i] + &(&r / &(-&w[i]));
        debug_assert!(u[i].is_positive());
        return Some(u);
    }
    // All weights have the sign of r (or are 0): scale the all-ones point.
    let sw: Rational = w.iter().sum();
    if sw.is_zero() {
        return None;
    }
    let s = -(beta / &sw);
    if !s.is_positive() {
        return None;
    }
    Some(vec![s; n])
}

/// A point of the interior of `U` on the hyperplane of `p` that lies on none of the `others`
/// (kinks with a different normal), built directly: the point of [`interior_point_on`], moved
/// inside the hyperplane along a fixed direction `d` by `e ∈ {0, 1/m, 1/(m+1), …}` with `1/m`
/// below the distance to the boundary of `U`. Each other kink `Q` vanishes at one value of `e`
/// at most (unless it vanishes on the whole line), so one of the first `|others| + 1`
/// candidates is free; a few directions are tried for the degenerate case.
fn point_on_kink_off_others(p: &Kink, others: &[&Kink]) -> Option<Vec<Rational>> {
    let w = p.weights();
    let n1 = w.len();
    let base = interior_point_on(w, p.offset())?;
    if others.iter().all(|q| !q.value_at(&base).is_zero()) {
        return Some(base);
    }
    let ww = dot(w, w);
    let mut rng = SplitMix::new(0x5eed);
    for _ in 0..8 {
        let r: Vec<Rational> = (0..n1).map(|_| Rational::from(rng.range(-7, 7))).collect();
        let proj = dot(w, &r) / &ww;
        let d: Vec<Rational> = r.iter().zip(w).map(|(ri, wi)| ri - &(wi * &proj)).collect();
        // Largest step keeping u > 0: min over d_i ≠ 0 of base_i / |d_i|.
        let Some(room) = base
            .iter()
            .zip(&d)
            .filter(|(_, di)| !di.is_zero())
            .map(|(b, di)| b / &di.abs())
            .min()
        else {
            continue; // d = 0: r was parallel to w
        };
        // Values of e at which another kink vanishes on the line; a kink vanishing on the whole
        // line rules the direction out.
        let mut bad = std::collections::BTreeSet::new();
        let mut whole = false;
        for q in others {
            let (val, slope) = (q.value_at(&base), dot(q.weights(), &d));
            if slope.is_zero() {
                whole |= val.is_zero();
            } else {
                bad.insert(-(val / slope));
            }
        }
        if whole {
            continue;
        }
        let m = Rational::from_integer(room.recip().expect("room > 0").floor()) + Rational::one();
        let e = (0..=bad.len())
            .map(|j| (&m + &Rational::from(j as i64)).recip().expect("m ≥ 1"))
            .find(|e| !bad.contains(e))
            .expect("more candidates than bad values");
        return Some(base.iter().zip(&d).map(|(b, di)| b + &(di * &e)).collect());
    }
    None
}

/// Deterministic separation of two functions `G_A ≠ G_B` on `U`, constructed from the
/// canonical difference (no search): a point `u ∈ U` with `G_A(u) ≠ G_B(u)`.
///
/// With a kink `P` whose jumps differ (the first in the sorted order): a point `u` of the
/// interior of `U` on `P` and on no other kink ([`point_on_kink_off_others`]), and a step
/// `δ > 0` along the normal `ŵ_P` below the distance to the boundary of `U` and to every other
/// kink, written as a simple rational. On `u + t ŵ_P`, `|t| ≤ δ`, the difference is
/// `a + b t + ΔJ_P |ŵ_P|² max(t, 0)` with `ΔJ_P ≠ 0`, so it cannot vanish at all of
/// `t = 0, δ, −δ`. Without such a kink `G_A − G_B` is affine on `U` and nonzero, so it is
/// nonzero at one of `u = 0, e_1, …, e_{n1}`. Cost: `O(K · n1)` for `K` kinks, plus at most
/// three (or `n1 + 1`) evaluations of the canonical data.
pub fn separate_on_orthant(da: &OrthantData, db: &OrthantData) -> Option<Vec<Rational>> {
    let n1 = da.n1;
    let differs = |u: &[Rational]| da.eval(u) != db.eval(u);
    if let Some(p) = first_mismatch(da, db) {
        let others: Vec<&Kink> = da
            .kinks
            .iter()
            .chain(&db.kinks)
            .filter(|k| k.normal != p.normal)
            .collect();
        let w = p.weights();
        let u = point_on_kink_off_others(p, &others)?;
        // δ: stay inside U and on the same side of every other kink.
        let mut delta: Option<Rational> = None;
        let mut shrink = |c: Rational| {
            if delta.as_ref().is_none_or(|dl| &c < dl) {
                delta = Some(c);
            }
        };
        for (ui, wi) in u.iter().zip(w) {
            if !wi.is_zero() {
                shrink(ui / &wi.abs());
            }
        }
        for k in &others {
            let g = dot(k.weights(), w);
            if !g.is_zero() {
                shrink(k.value_at(&u).abs() / g.abs());
            }
        }
        let delta = simplest_between(&Rational::zero(), &delta.unwrap_or_else(Rational::one));
        let plus: Vec<Rational> = u.iter().zip(w).map(|(a, b)| a + &(b * &delta)).collect();
        let minus: Vec<Rational> = u.iter().zip(w).map(|(a, b)| a - &(b * &delta)).collect();
        return [u, plus, minus].into_iter().find(|c| differs(c));
    }
    let mut cands = vec![vec![Rational::zero(); n1]];
    for i in 0..n1 {
        let mut e = vec![Rational::zero(); n1];
        e[i] = Rational::one();
        cands.push(e);
    }
    cands.into_iter().find(|u| differs(u))
}

/// A witness for two functions written over the same canonical layer 1 `rows` (canonical
/// coordinates, rank `n1`, so `x ↦ rows·x` is onto `R^{n1}`) with different canonical data,
/// constructed from the canonical difference: the point `u` of [`separate_on_orthant`], pulled
/// back to an input `x` with `rows·x + c = u` (then `σ(rows·x + c) = u` since `u ≥ 0`, and
/// `f_A(x) − f_B(x) = G_A(u) − G_B(u) ≠ 0`). The caller re-evaluates both networks at `x`.
pub fn construct_from_canonical(
    rows: &[(&[Rational], &Rational)],
    da: &OrthantData,
    db: &OrthantData,
    n0: usize,
) -> Option<Vec<Rational>> {
    let u = separate_on_orthant(da, db)?;
    let w1: Vec<Vec<Rational>> = rows.iter().map(|(w, _)| w.to_vec()).collect();
    let b1: Vec<Rational> = rows.iter().map(|(_, c)| (*c).clone()).collect();
    let pre = Preimage::new(&w1, &b1, n0)?;
    let free = vec![vec![Rational::zero(); n0]];
    pre.inputs_with(&[u], &free).pop()
}

/// A witness from two different one-dimensional (or constant) forms.
pub fn separate_one_dimensional(a: &Network, b: &Network) -> Option<Vec<Rational>> {
    let n0 = a.arch().n0;
    let pa = Profile::of_network(a)?;
    let pb = Profile::of_network(b)?;
    let mut pts: Vec<Rational> = pa
        .candidates
        .iter()
        .chain(&pb.candidates)
        .cloned()
        .collect();
    pts.sort();
    pts.dedup();
    let one = Rational::one();
    let lo = &pts[0] - &one;
    let hi = &pts[pts.len() - 1] + &one;
    pts.push(lo);
    pts.push(hi);
    if pa.direction == pb.direction {
        for s in &pts {
            let x = point_on(&pa.direction, s);
            if separates(a, b, &x) {
                return Some(x);
            }
        }
        return None;
    }
    let _ = n0;
    // Independent directions: vary d_A·x with d_B·x = 0 fixed, and vice versa.
    for (da, db) in [
        (&pa.direction, &pb.direction),
        (&pb.direction, &pa.direction),
    ] {
        for s in &pts {
            let x = point_on_two(da, s, db, &Rational::zero())?;
            if separates(a, b, &x) {
                return Some(x);
            }
        }
    }
    None
}

fn candidate_ys(net: &Network, rng: &mut SplitMix) -> Vec<Vec<Rational>> {
    let n1 = net.arch().n1;
    let mut out = Vec::new();
    let deltas = [Rational::ratio(1, 2), Rational::ratio(1, 64)];
    // Layer-1 hyperplanes: corner and positive backgrounds.
    for j in 0..n1 {
        let corner: Vec<Rational> = vec![Rational::from(-1); n1];
        let positive: Vec<Rational> = (0..n1)
            .map(|_| Rational::ratio(rng.range(1, 40), rng.range(1, 8)))
            .collect();
        for bg in [corner, positive] {
            let mut y = bg;
            y[j] = Rational::zero();
            out.push(y.clone());
            for d in &deltas {
                let mut p = y.clone();
                p[j] = d.clone();
                out.push(p);
                let mut m = y.clone();
                m[j] = -d;
                out.push(m);
            }
        }
    }
    // Layer-2 kinks.
    let cols = outgoing_columns(net);
    for ((w, beta), v) in net.w2().iter().zip(net.b2()).zip(&cols) {
        if layer2_role(w, beta, v.iter().all(Rational::is_zero)) != Layer2Role::Crossing {
            continue;
        }
        if let Some(u) = interior_point_on(w, beta) {
            out.push(u.clone());
            let ww = dot(w, w);
            for d in &deltas {
                let f = d / &ww;
                out.push(u.iter().zip(w).map(|(a, b)| a + &(b * &f)).collect());
                out.push(u.iter().zip(w).map(|(a, b)| a - &(b * &f)).collect());
            }
        }
    }
    out
}

/// Searches for a witness by evaluating both networks at candidate points; at most `budget`
/// evaluations of each network.
pub fn search(a: &Network, b: &Network, budget: usize, seed: u64) -> Option<Vec<Rational>> {
    let n0 = a.arch().n0;
    let mut rng = SplitMix::new(seed);
    let mut xs: Vec<Vec<Rational>> = Vec::new();
    let mut per_net: Vec<Vec<Vec<Rational>>> = Vec::new();
    for net in [a, b] {
        let pre = Preimage::new(net.w1(), net.b1(), n0);
        let mut pts = Vec::new();
        if let Some(pre) = pre {
            let ys = candidate_ys(net, &mut rng);
            let ys: Vec<Vec<Rational>> = ys.into_iter().take(budget).collect();
            let free: Vec<Vec<Rational>> = ys
                .iter()
                .map(|_| (0..n0).map(|_| rng.rational(6, 3)).collect())
                .collect();
            pts = pre.inputs_with(&ys, &free);
        }
        per_net.push(pts);
    }
    // Interleave the two networks' candidates.
    let (pa, pb) = (&per_net[0], &per_net[1]);
    for i in 0..pa.len().max(pb.len()) {
        if let Some(x) = pa.get(i) {
            xs.push(x.clone());
        }
        if let Some(x) = pb.get(i) {
            xs.push(x.clone());
        }
    }
    xs.truncate(budget);
    while xs.len() < budget {
        xs.push((0..n0).map(|_| rng.rational(20, 4)).collect());
    }
    xs.into_iter().find(|x| separates(a, b, x))
}

/// The rational with the smallest denominator (then numerator) strictly between `lo < hi`.
pub fn simplest_between(lo: &Rational, hi: &Rational) -> Rational {
    let fl = Rational::from_integer(lo.floor());
    let next = &fl + &Rational::one();
    if &next < hi {
        // The integer closest to zero in (lo, hi), or floor(lo) + 1.
        let zero = Rational::zero();
        if lo < &zero && &zero < hi {
            return zero;
        }
        if hi <= &zero {
            let c = Rational::from_integer(hi.ceil()) - Rational::one();
            if &c > lo {
                return c;
            }
        }
        return next;
    }
    // lo and hi lie in [fl, fl + 1]: recurse on the reciprocals of the fractional parts.
    let (a, b) = (lo - &fl, hi - &fl);
    if a.is_zero() {
        // (fl, fl + b) with b ≤ 1: fl + 1/n with n = floor(1/b) + 1.
        let n = Rational::from_integer((b.recip().expect("b > 0")).floor()) + Rational::one();
        return fl + n.recip().expect("n > 0");
    }
    let inner = simplest_between(&b.recip().expect("b > 0"), &a.recip().expect("a > 0"));
    fl + inner.recip().expect("inner > 1")
}

fn first_mismatch<'a>(da: &'a OrthantData, db: &'a OrthantData) -> Option<&'a Kink> {
    let (mut i, mut j) = (0, 0);
    loop {
        match (da.kinks.get(i), db.kinks.get(j)) {
            (None, None) => return None,
            (Some(k), None) | (None, Some(k)) => return Some(k),
            (Some(ka), Some(kb)) => match ka.normal.cmp(&kb.normal) {
                std::cmp::Ordering::Less => return Some(ka),
                std::cmp::Ordering::Greater => return Some(kb),
                std::cmp::Ordering::Equal if ka.jump != kb.jump => return Some(ka),
                std::cmp::Ordering::Equal => {
                    i += 1;
                    j += 1;
                }
            },
        }
    }
}

fn affine_map(rows: &[(&[Rational], &Rational)], x: &[Rational]) -> Vec<Rational> {
    rows.iter()
        .map(|(w, c)| {
            let mut acc = (*c).clone();
            for (wi, xi) in w.iter().zip(x) {
                if !wi.is_zero() && !xi.is_zero() {
                    acc += wi * xi;
                }
            }
            acc
        })
        .collect()
}

/// Deterministic separation along random lines `x0 + t d`, for two functions written over the
/// same layer 1 `rows` (canonical coordinates) with different canonical data.
///
/// Along the line `u(t) = σ(y0 + t g)` is affine between the layer-1 breakpoints. A kink `P`
/// whose jumps differ is crossed at `t*` strictly inside such a piece with nonzero speed;
/// within `δ` of `t*` no other kink of either function and no layer-1 hyperplane is crossed,
/// so `G_A − G_B` along `[t* − δ, t* + δ]` is affine plus `ΔJ_P σ(α + γ t)` with `ΔJ_P γ ≠ 0`,
/// and one of the three points `t*`, `t* ± δ` separates. Without a differing kink the affine
/// parts differ, and random points separate unless they fall on a hyperplane.
pub fn separate_along_lines(
    rows: &[(&[Rational], &Rational)],
    da: &OrthantData,
    db: &OrthantData,
    a: &Network,
    b: &Network,
    seed: u64,
) -> Option<Vec<Rational>> {
    let n0 = a.arch().n0;
    let n1 = rows.len();
    let mut rng = SplitMix::new(seed);
    let p = first_mismatch(da, db);
    for _ in 0..8 {
        let x0: Vec<Rational> = (0..n0).map(|_| Rational::from(rng.range(-4, 4))).collect();
        let d: Vec<Rational> = (0..n0).map(|_| Rational::from(rng.range(-4, 4))).collect();
        let point = |t: &Rational| -> Vec<Rational> {
            x0.iter().zip(&d).map(|(x, di)| x + &(di * t)).collect()
        };
        let Some(p) = p else {
            let x = point(&Rational::zero());
            if separates(a, b, &x) {
                return Some(x);
            }
            continue;
        };
        let y0 = affine_map(rows, &x0);
        let zero = Rational::zero();
        let lin: Vec<(&[Rational], &Rational)> = rows.iter().map(|(w, _)| (*w, &zero)).collect();
        let g = affine_map(&lin, &d);
        let mut bps: Vec<Rational> = y0
            .iter()
            .zip(&g)
            .filter(|(_, gj)| !gj.is_zero())
            .map(|(yj, gj)| -(yj / gj))
            .collect();
        bps.sort();
        bps.dedup();
        // Pieces (lo, hi) between consecutive breakpoints, the outer ones extended by 1.
        let mut ends: Vec<Rational> = Vec::with_capacity(bps.len() + 2);
        let one = Rational::one();
        ends.push(bps.first().map_or(-&one, |t| t - &one));
        ends.extend(bps.iter().cloned());
        ends.push(bps.last().map_or(one.clone(), |t| t + &one));
        let w = p.weights();
        for piece in ends.windows(2) {
            let (lo, hi) = (&piece[0], &piece[1]);
            let mid = (lo + hi) * Rational::ratio(1, 2);
            let active: Vec<bool> = (0..n1)
                .map(|j| (&y0[j] + &(&g[j] * &mid)).is_positive())
                .collect();
            // ẑ_P(u(t)) = alpha + t gamma on this piece.
            let (mut alpha, mut gamma) = (p.offset().clone(), Rational::zero());
            for j in (0..n1).filter(|&j| active[j] && !w[j].is_zero()) {
                alpha += &w[j] * &y0[j];
                gamma += &w[j] * &g[j];
            }
            if gamma.is_zero() {
                continue;
            }
            let t = -(&alpha / &gamma);
            if !(&t > lo && &t < hi) {
                continue;
            }
            let mut delta = (&t - lo).min(hi - &t);
            // On this piece u(t) = y0m + t du (small numbers); values at t* follow.
            let y0m: Vec<Rational> = (0..n1)
                .map(|j| {
                    if active[j] {
                        y0[j].clone()
                    } else {
                        Rational::zero()
                    }
                })
                .collect();
            let du: Vec<Rational> = (0..n1)
                .map(|j| {
                    if active[j] {
                        g[j].clone()
                    } else {
                        Rational::zero()
                    }
                })
                .collect();
            let n3 = da.n3;
            let (mut c0, mut c1) = (vec![Rational::zero(); n3], vec![Rational::zero(); n3]);
            let mut clean = true;
            let mut delta_p = vec![Rational::zero(); n3];
            'kinks: for (data, plus) in [(da, true), (db, false)] {
                for q in &data.kinks {
                    if q.normal == p.normal {
                        for (x, j) in delta_p.iter_mut().zip(&q.jump) {
                            if plus {
                                *x += j;
                            } else {
                                *x -= j;
                            }
                        }
                        continue;
                    }
                    let slope = dot(q.weights(), &du);
                    let val = q.value_at(&y0m) + &slope * &t;
                    if val.is_zero() {
                        clean = false;
                        break 'kinks;
                    }
                    if !slope.is_zero() {
                        let c = val.abs() / slope.abs();
                        if c < delta {
                            delta = c;
                        }
                    }
                    if val.is_positive() {
                        for o in 0..n3 {
                            let (v0, v1) = (&q.jump[o] * &val, &q.jump[o] * &slope);
                            if plus {
                                c0[o] += v0;
                                c1[o] += v1;
                            } else {
                                c0[o] -= v0;
                                c1[o] -= v1;
                            }
                        }
                    }
                }
                for o in 0..n3 {
                    let v1 = dot(&data.linear[o], &du);
                    let v0 = dot(&data.linear[o], &y0m) + &data.offset[o] + &v1 * &t;
                    if plus {
                        c0[o] += v0;
                        c1[o] += v1;
                    } else {
                        c0[o] -= v0;
                        c1[o] -= v1;
                    }
                }
            }
            if !clean {
                continue;
            }
            let h = |s: &Rational| -> bool {
                let ps = &gamma * s;
                (0..n3).any(|o| {
                    let mut v = &c0[o] + &(&c1[o] * s);
                    if ps.is_positive() {
                        v += &delta_p[o] * &ps;
                    }
                    !v.is_zero()
                })
            };
            // Simple rationals on either side of t* (h is affine on each side, so it vanishes at
            // one point at most unless identically zero there), then t* itself.
            let mut cands = Vec::new();
            for side in [gamma.signum(), -gamma.signum()] {
                let (l, r) = if side > 0 {
                    (t.clone(), &t + &delta)
                } else {
                    (&t - &delta, t.clone())
                };
                cands.push(simplest_between(&l, &r));
            }
            cands.push(t.clone());
            for tt in cands {
                if h(&(&tt - &t)) {
                    let x = point(&tt);
                    if separates(a, b, &x) {
                        return Some(x);
                    }
                }
            }
        }
    }
    None
}

/// Searches for a witness on random lines: points at, and next to, the places where a layer-1
/// neuron of either network changes sign; at most `budget` evaluations of each network.
pub fn search_lines(a: &Network, b: &Network, budget: usize, seed: u64) -> Option<Vec<Rational>> {
    let n0 = a.arch().n0;
    let mut rng = SplitMix::new(seed);
    let mut left = budget;
    // Random points with small entries first: most differences live on large sets.
    for _ in 0..budget / 3 {
        left -= 1;
        let x: Vec<Rational> = (0..n0).map(|_| rng.rational(9, 2)).collect();
        if separates(a, b, &x) {
            return Some(x);
        }
    }
    while left > 0 {
        let x0: Vec<Rational> = (0..n0).map(|_| Rational::from(rng.range(-4, 4))).collect();
        let d: Vec<Rational> = (0..n0).map(|_| Rational::from(rng.range(-4, 4))).collect();
        let mut bps: Vec<Rational> = Vec::new();
        for net in [a, b] {
            for (w, c) in net.w1().iter().zip(net.b1()) {
                let (mut y, mut gr) = (c.clone(), Rational::zero());
                for ((wi, xi), di) in w.iter().zip(&x0).zip(&d) {
                    if !wi.is_zero() {
                        y += wi * xi;
                        gr += wi * di;
                    }
                }
                if !gr.is_zero() {
                    bps.push(-(y / gr));
                }
            }
        }
        bps.sort();
        bps.dedup();
        // Simple rationals just left and right of each breakpoint (cheap to evaluate), and
        // integers between them.
        let mut ts: Vec<Rational> = Vec::new();
        for (i, t) in bps.iter().enumerate() {
            let lo = if i > 0 {
                bps[i - 1].clone()
            } else {
                t - &Rational::one()
            };
            let hi = bps
                .get(i + 1)
                .cloned()
                .unwrap_or_else(|| t + &Rational::one());
            ts.push(simplest_between(t, &hi));
            ts.push(simplest_between(&lo, t));
        }
        // Spread the budget over the line: every k-th candidate.
        let step = (ts.len() / left.clamp(1, 12)).max(1);
        for t in ts.iter().step_by(step).take(left.min(12)) {
            left -= 1;
            let x: Vec<Rational> = x0.iter().zip(&d).map(|(xi, di)| xi + &(di * t)).collect();
            if separates(a, b, &x) {
                return Some(x);
            }
        }
    }
    None
}

/// A witness for two networks with different canonical forms, or `None` if none was found.
pub fn find(
    a: &Network,
    b: &Network,
    fa: &CanonicalForm,
    fb: &CanonicalForm,
    budget: usize,
) -> Option<Vec<Rational>> {
    use CanonicalForm::*;
    // A few random points with small entries first (cheap to evaluate; a difference usually
    // lives on a large set), unless the deterministic search below applies.
    let same_rows =
        matches!((fa, fb), (Bottleneck { rows: ra, .. }, Bottleneck { rows: rb, .. }) if ra == rb);
    let mut rng = SplitMix::new(0x00dd_ba11);
    for _ in 0..if same_rows { 0 } else { 4 } {
        let x: Vec<Rational> = (0..a.arch().n0).map(|_| rng.rational(9, 2)).collect();
        if separates(a, b, &x) {
            return Some(x);
        }
    }
    let x = match (fa, fb) {
        (
            Bottleneck {
                rows: ra, data: da, ..
            },
            Bottleneck {
                rows: rb, data: db, ..
            },
        ) if ra == rb => {
            let rows: Vec<(&[Rational], &Rational)> =
                ra.iter().map(|r| (r.weight.as_slice(), &r.bias)).collect();
            construct_from_canonical(&rows, da, db, a.arch().n0)
                .filter(|x| separates(a, b, x))
                .or_else(|| separate_along_lines(&rows, da, db, a, b, 0x5eed_0001))
        }
        (OneDimensional { .. } | Constant { .. }, OneDimensional { .. } | Constant { .. })
            if a.arch().n1 == 1 && b.arch().n1 == 1 =>
        {
            separate_one_dimensional(a, b)
        }
        _ => None,
    };
    match x {
        Some(x) if separates(a, b, &x) => Some(x),
        _ => search_lines(a, b, budget, 0x00f1_be25).or_else(|| {
            // Points on and next to the kinks need a right inverse of W1: only for small n1.
            (a.arch().n1.max(b.arch().n1) <= 16)
                .then(|| search(a, b, budget, 0x00f1_be26))
                .flatten()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simplest_rational_in_intervals() {
        let r = Rational::ratio;
        let cases = [
            ((r(1, 3), r(1, 2)), r(2, 5)),
            ((r(0, 1), r(1, 1)), r(1, 2)),
            ((r(-7, 2), r(5, 1)), r(0, 1)),
            ((r(7, 3), r(19, 4)), r(3, 1)),
            ((r(-19, 4), r(-7, 3)), r(-3, 1)),
            ((r(314, 100), r(315, 100)), r(22, 7)),
            ((r(2, 1), r(21, 10)), r(23, 11)),
        ];
        for ((lo, hi), want) in &cases {
            let s = simplest_between(lo, hi);
            assert!(lo < &s && &s < hi, "{lo} < {s} < {hi}");
            assert_eq!(&s, want, "({lo}, {hi})");
        }
    }
}
