//! Checking the bottleneck step kinds (docs/theory.md §5–§7): `relabel`, `canonical-data`,
//! `hidden-shift`, `one-dimensional`, `constant`.
//!
//! Every check recomputes its claim from the step's two networks; nothing the producer computed
//! is trusted. The canonical data of `G` on the orthant are recomputed here with code of this
//! crate only (no dependency on the producer, `fibers-bottleneck`). Proofs: `docs/bottleneck.md`.

use crate::types::Rejection;
pub use crate::types::{BottleneckStep, Relabeling};
use fibers_exact::Rational;
use fibers_net::Network;
use std::collections::BTreeMap;

// Checking

fn reject<T>(msg: impl Into<String>) -> Result<T, Rejection> {
    Err(Rejection(msg.into()))
}

fn column(net: &Network, k: usize) -> Vec<Rational> {
    net.w3().iter().map(|row| row[k].clone()).collect()
}

fn check_relabeling(r: &Relabeling, n: usize, what: &str) -> Result<(), Rejection> {
    if r.order.len() != n || r.scale.len() != n {
        return reject(format!("{what}: expected {n} entries in order and scale"));
    }
    let mut seen = vec![false; n];
    for &o in &r.order {
        if o >= n || seen[o] {
            return reject(format!("{what}: order is not a permutation of 0..{n}"));
        }
        seen[o] = true;
    }
    if let Some(i) = r.scale.iter().position(|s| !s.is_positive()) {
        return reject(format!("{what}: scale[{i}] is not positive"));
    }
    Ok(())
}

/// Applies a layer-1 relabelling (checked beforehand).
fn relabel1(net: &Network, r: &Relabeling) -> Network {
    let mut out = net.clone();
    for (i, (&o, s)) in r.order.iter().zip(&r.scale).enumerate() {
        out.layer_mut(1).weight[i] = net.w1()[o].iter().map(|x| x * s).collect();
        out.layer_mut(1).bias[i] = &net.b1()[o] * s;
    }
    for k in 0..net.arch().n2 {
        for (i, (&o, s)) in r.order.iter().zip(&r.scale).enumerate() {
            out.layer_mut(2).weight[k][i] = &net.w2()[k][o] / s;
        }
    }
    out
}

/// Applies a layer-2 relabelling (checked beforehand).
fn relabel2(net: &Network, r: &Relabeling) -> Network {
    let mut out = net.clone();
    for (k, (&o, s)) in r.order.iter().zip(&r.scale).enumerate() {
        out.layer_mut(2).weight[k] = net.w2()[o].iter().map(|x| x * s).collect();
        out.layer_mut(2).bias[k] = &net.b2()[o] * s;
        for q in 0..net.arch().n3 {
            out.layer_mut(3).weight[q][k] = &net.w3()[q][o] / s;
        }
    }
    out
}

/// The canonical data of `G(u) = W3 σ(W2 u + b2) + b3` on `U = R^{n1}_{≥0}`: kinks keyed by
/// their normal `(w, β)/s` (`s` the first nonzero entry) with nonzero jumps, then the affine
/// part `u ↦ A u + a`, with `A` stored sparsely (nonzero entries keyed by `(output, input)`).
type Canonical = (
    BTreeMap<Vec<Rational>, Vec<Rational>>,
    BTreeMap<(usize, usize), Rational>,
    Vec<Rational>,
);

fn canonical(net: &Network) -> Canonical {
    let a = net.arch();
    let mut kinks: BTreeMap<Vec<Rational>, Vec<Rational>> = BTreeMap::new();
    // The affine part: b3 plus the terms v (w·u + β) of linear neurons and of crossing ones
    // whose first nonzero entry s is negative (v σ(s ẑ) = v|s| σ(ẑ) − v|s| ẑ and
    // −v|s| ẑ = v (w, β)). Dead neurons add nothing. Summed entry by entry over the nonzero
    // products only (no dense outputs × inputs matrix).
    let mut lin: BTreeMap<(usize, usize), Rational> = BTreeMap::new();
    let mut off: Vec<Rational> = net.b3().to_vec();
    let mut add_affine = |v: &[Rational], k: usize| {
        for (o, x) in v.iter().enumerate() {
            if x.is_zero() {
                continue;
            }
            for (i, y) in net.w2()[k].iter().enumerate() {
                if !y.is_zero() {
                    let e = lin.entry((o, i)).or_insert_with(Rational::zero);
                    *e += x * y;
                }
            }
            off[o] += x * &net.b2()[k];
        }
    };
    for k in 0..a.n2 {
        let v = column(net, k);
        if v.iter().all(Rational::is_zero) {
            continue;
        }
        let z: Vec<Rational> = net.w2()[k].iter().chain([&net.b2()[k]]).cloned().collect();
        let pos = z.iter().any(Rational::is_positive);
        let neg = z.iter().any(Rational::is_negative);
        match (pos, neg) {
            (false, _) => {}
            (true, false) => add_affine(&v, k),
            (true, true) => {
                let s = z.iter().find(|x| !x.is_zero()).expect("nonzero").clone();
                let normal: Vec<Rational> = z.iter().map(|x| x / &s).collect();
                let abs = s.abs();
                let e = kinks
                    .entry(normal)
                    .or_insert_with(|| vec![Rational::zero(); a.n3]);
                for (x, y) in e.iter_mut().zip(&v) {
                    *x += y * &abs;
                }
                if s.is_negative() {
                    add_affine(&v, k);
                }
            }
        }
    }
    kinks.retain(|_, j| j.iter().any(|x| !x.is_zero()));
    lin.retain(|_, x| !x.is_zero());
    (kinks, lin, off)
}

/// `G(u) = W3 σ(W2 u + b2) + b3` at a point `u` of layer-1 outputs.
fn eval_g(net: &Network, u: &[Rational]) -> Vec<Rational> {
    let mut out = net.b3().to_vec();
    for k in 0..net.arch().n2 {
        let mut z = net.b2()[k].clone();
        for (w, x) in net.w2()[k].iter().zip(u) {
            if !w.is_zero() && !x.is_zero() {
                z += w * x;
            }
        }
        if z.is_positive() {
            for (q, o) in out.iter_mut().enumerate() {
                let v = &net.w3()[q][k];
                if !v.is_zero() {
                    *o += v * &z;
                }
            }
        }
    }
    out
}

/// `F(y) = W3 σ(W2 σ(y) + b2) + b3` for a network with `n1 = 1`, at every point of `ys` (in
/// the order given). One sweep over the sorted points: `F` is affine between consecutive
/// thresholds `−β_k / w_k`, and a neuron whose threshold is the point itself contributes 0
/// either way, so the cost is `O((n2 + m) log(n2 + m) + (n2 + m) · n3)` for `m` points.
fn eval_f1_many(net: &Network, ys: &[Rational]) -> Vec<Vec<Rational>> {
    let (n2, n3) = (net.arch().n2, net.arch().n3);
    let zero = Rational::zero();
    // On u = σ(y) ≥ 0, F = c + s·u with c, s summed over the neurons active at u.
    let mut c = net.b3().to_vec();
    let mut s = vec![Rational::zero(); n3];
    let toggle = |c: &mut Vec<Rational>, s: &mut Vec<Rational>, k: usize, sign: bool| {
        let (w, b) = (&net.w2()[k][0], &net.b2()[k]);
        for q in 0..n3 {
            let v = &net.w3()[q][k];
            if v.is_zero() {
                continue;
            }
            let (dc, ds) = (v * b, v * w);
            if sign {
                c[q] += &dc;
                s[q] += &ds;
            } else {
                c[q] -= &dc;
                s[q] -= &ds;
            }
        }
    };
    // Events: (threshold t > 0, neuron, turns on?) as u grows from 0.
    let mut events: Vec<(Rational, usize, bool)> = Vec::new();
    for k in 0..n2 {
        let (w, b) = (&net.w2()[k][0], &net.b2()[k]);
        // Active just above u = 0 (at u = 0 itself a neuron with β = 0 contributes 0).
        let active_at_0 = b.is_positive() || (b.is_zero() && w.is_positive());
        if active_at_0 {
            toggle(&mut c, &mut s, k, true);
        }
        if !w.is_zero() {
            let t = -(b / w);
            if t.is_positive() {
                events.push((t, k, w.is_positive()));
            }
        }
    }
    events.sort_by(|x, y| x.0.cmp(&y.0));
    let mut order: Vec<usize> = (0..ys.len()).collect();
    let u = |i: usize| if ys[i].is_positive() { &ys[i] } else { &zero };
    order.sort_by(|&i, &j| u(i).cmp(u(j)));
    let mut out = vec![Vec::new(); ys.len()];
    let mut next = 0;
    for i in order {
        let ui = u(i);
        while next < events.len() && &events[next].0 <= ui {
            let (_, k, on) = events[next];
            toggle(&mut c, &mut s, k, on);
            next += 1;
        }
        out[i] = c.iter().zip(&s).map(|(c, s)| c + &(s * ui)).collect();
    }
    out
}

/// Breakpoints of `F` (a superset): 0 and `−β_k / w_k` for every `w_k ≠ 0`.
fn breakpoints1(net: &Network) -> Vec<Rational> {
    let mut b = vec![Rational::zero()];
    for k in 0..net.arch().n2 {
        let w = &net.w2()[k][0];
        if !w.is_zero() {
            b.push(-(&net.b2()[k] / w));
        }
    }
    b
}

/// Points that decide a piecewise-linear function of one variable with breakpoints in `b`:
/// `b` itself and one point beyond each end.
fn deciding_points(mut b: Vec<Rational>) -> Vec<Rational> {
    b.sort();
    b.dedup();
    let lo = &b[0] - &Rational::one();
    let hi = &b[b.len() - 1] + &Rational::one();
    b.push(lo);
    b.push(hi);
    b
}

fn check_one_dimensional(s: &Network, t: &Network) -> Result<(), Rejection> {
    if s.arch().n1 != 1 || t.arch().n1 != 1 {
        return reject("one-dimensional: both networks need n1 = 1");
    }
    let (a_s, c_s) = (&s.w1()[0], &s.b1()[0]);
    let (a_t, c_t) = (&t.w1()[0], &t.b1()[0]);
    let zero_s = a_s.iter().all(Rational::is_zero);
    let zero_t = a_t.iter().all(Rational::is_zero);
    // λ with a_t = λ a_s, if any (λ ≠ 0).
    let lambda = (!zero_s && !zero_t)
        .then(|| {
            let f = a_s.iter().position(|x| !x.is_zero()).expect("nonzero");
            let l = &a_t[f] / &a_s[f];
            a_s.iter()
                .zip(a_t)
                .all(|(x, y)| &(x * &l) == y)
                .then_some(l)
        })
        .flatten();
    if let Some(l) = lambda {
        // f_t(x) = F_t(λ y + c_t − λ c_s) with y = a_s·x + c_s ranging over R.
        let shift = c_t - &(&l * c_s);
        let mut b = breakpoints1(s);
        for p in breakpoints1(t) {
            b.push((p - &shift) / &l);
        }
        let ys = deciding_points(b);
        let mapped: Vec<Rational> = ys.iter().map(|y| &l * y + &shift).collect();
        let (fs, ft) = (eval_f1_many(s, &ys), eval_f1_many(t, &mapped));
        if let Some(i) = (0..ys.len()).find(|&i| fs[i] != ft[i]) {
            return reject(format!(
                "one-dimensional: the functions differ at y = {} (source coordinate)",
                ys[i]
            ));
        }
        return Ok(());
    }
    // Otherwise both functions of x must be constant, with the same value.
    let constant_value = |n: &Network, zero: bool, c: &Rational| -> Option<Vec<Rational>> {
        if zero {
            return eval_f1_many(n, std::slice::from_ref(c)).pop();
        }
        let values = eval_f1_many(n, &deciding_points(breakpoints1(n)));
        values
            .iter()
            .all(|v| *v == values[0])
            .then(|| values[0].clone())
    };
    match (constant_value(s, zero_s, c_s), constant_value(t, zero_t, c_t)) {
        (Some(x), Some(y)) if x == y => Ok(()),
        _ => reject("one-dimensional: the layer-1 directions are not parallel and the functions are not the same constant"),
    }
}

/// The value of `f` when it is constant for one of two reasons the checker can see: `G` is
/// constant on the orthant (no kinks, `A = 0`; the value is `a`), or layer 1 is constant
/// (`W1 = 0`, so every input gives `u = σ(b1)`; the value is `G(σ(b1))`). `None` otherwise.
fn constant_value(net: &Network) -> Option<Vec<Rational>> {
    let (kinks, lin, off) = canonical(net);
    if kinks.is_empty() && lin.is_empty() {
        return Some(off);
    }
    if net.w1().iter().all(|row| row.iter().all(Rational::is_zero)) {
        let u: Vec<Rational> = net
            .b1()
            .iter()
            .map(|b| {
                if b.is_positive() {
                    b.clone()
                } else {
                    Rational::zero()
                }
            })
            .collect();
        return Some(eval_g(net, &u));
    }
    None
}

fn check_hidden_shift(p: &Network, q: &Network, h: usize, t: &Rational) -> Result<(), Rejection> {
    let a = p.arch();
    if q.arch() != a {
        return reject(format!(
            "hidden-shift: architectures {a} and {} differ",
            q.arch()
        ));
    }
    if h >= a.n1 {
        return reject(format!("hidden-shift: no layer-1 neuron {h}"));
    }
    for k in 0..a.n2 {
        let w = &p.w2()[k];
        if column(p, k).iter().all(Rational::is_zero) || w[h].is_zero() {
            continue;
        }
        if (0..a.n1).any(|i| i != h && w[i].is_positive()) || p.b2()[k].is_positive() {
            return reject(format!(
                "hidden-shift: layer-2 neuron {k} is not inactive on the facet u_{h} = 0"
            ));
        }
        if w[h].is_positive() && (&p.b2()[k] - &(&w[h] * t)).is_positive() {
            return reject(format!(
                "hidden-shift: t = {t} is below the threshold of layer-2 neuron {k}"
            ));
        }
    }
    let mut shifted = p.clone();
    shifted.layer_mut(1).bias[h] = &p.b1()[h] + t;
    for k in 0..a.n2 {
        if p.w2()[k][h].is_positive() {
            shifted.layer_mut(2).bias[k] = &p.b2()[k] - &(&p.w2()[k][h] * t);
        }
    }
    if &shifted != q {
        return reject("hidden-shift: the shifted network is not the other network of the step");
    }
    Ok(())
}

/// Checks that a bottleneck step proves `f_source = f_target`.
pub fn check_step(
    step: &BottleneckStep,
    source: &Network,
    target: &Network,
) -> Result<(), Rejection> {
    let (sa, ta) = (source.arch(), target.arch());
    match step {
        BottleneckStep::Relabel { layer1, layer2 } => {
            if sa != ta {
                return reject(format!("relabel: architectures {sa} and {ta} differ"));
            }
            let mut n = source.clone();
            if let Some(r) = layer1 {
                check_relabeling(r, sa.n1, "relabel.layer1")?;
                n = relabel1(&n, r);
            }
            if let Some(r) = layer2 {
                check_relabeling(r, sa.n2, "relabel.layer2")?;
                n = relabel2(&n, r);
            }
            if &n != target {
                return reject("relabel: the relabelled source is not the target");
            }
            Ok(())
        }
        BottleneckStep::CanonicalData { align } => {
            if sa.n1 != ta.n1 {
                return reject(format!(
                    "canonical-data: layer-1 widths differ ({} and {})",
                    sa.n1, ta.n1
                ));
            }
            let aligned;
            let t = match align {
                Some(r) => {
                    check_relabeling(r, ta.n1, "canonical-data.align")?;
                    aligned = relabel1(target, r);
                    &aligned
                }
                None => target,
            };
            if source.layer(1) != t.layer(1) {
                return reject("canonical-data: the two networks do not have the same layer 1");
            }
            if canonical(source) != canonical(t) {
                return reject("canonical-data: the canonical data of G on the orthant differ");
            }
            Ok(())
        }
        BottleneckStep::HiddenShift { neuron, t, forward } => {
            if *forward {
                check_hidden_shift(source, target, *neuron, t)
            } else {
                check_hidden_shift(target, source, *neuron, t)
            }
        }
        BottleneckStep::OneDimensional => check_one_dimensional(source, target),
        BottleneckStep::Constant => match (constant_value(source), constant_value(target)) {
            (Some(x), Some(y)) if x == y => Ok(()),
            (Some(_), Some(_)) => reject("constant: the two constants differ"),
            _ => reject(
                "constant: f is not constant on the orthant (neither G constant on the orthant \
                 nor W1 = 0)",
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(text: &str) -> Network {
        fibers_net::json::network_from_str(text, "test").expect("valid network")
    }

    /// `F` at one point, directly from the definition.
    fn f1(n: &Network, y: &Rational) -> Vec<Rational> {
        let u = if y.is_positive() {
            y.clone()
        } else {
            Rational::zero()
        };
        eval_g(n, &[u])
    }

    #[test]
    fn the_sweep_agrees_with_direct_evaluation() {
        // Thresholds at 1, 2, 0 (twice), -1, with every sign pattern of (w, β).
        let n = net(r#"{"architecture": [1, 1, 7, 2], "layers": [
            {"weight": [[1]], "bias": [0]},
            {"weight": [[1], [-1], [2], [-3], [0], [0], [1]],
             "bias": [-1, 2, 0, 0, 5, -5, 1]},
            {"weight": [[1, 2, 3, 4, 5, 6, 7], [-1, 0, 1, 0, -2, 1, 3]], "bias": [1, -1]}]}"#);
        let ys: Vec<Rational> = (-8..=12).map(|i| Rational::ratio(i, 4)).rev().collect();
        let swept = eval_f1_many(&n, &ys);
        for (y, v) in ys.iter().zip(&swept) {
            assert_eq!(*v, f1(&n, y), "y = {y}");
        }
    }

    #[test]
    fn constant_layer_one_is_a_constant_function() {
        // W1 = 0, b1 = 1: f = σ(1 − 1/2) = 1/2 although G(u) = σ(u − 1/2) is not constant.
        let a = net(r#"{"architecture": [1, 1, 1, 1], "layers": [
            {"weight": [[0]], "bias": [1]}, {"weight": [[1]], "bias": ["-1/2"]},
            {"weight": [[1]], "bias": [0]}]}"#);
        let b = net(r#"{"architecture": [1, 1, 1, 1], "layers": [
            {"weight": [[0]], "bias": [0]}, {"weight": [[0]], "bias": [0]},
            {"weight": [[0]], "bias": ["1/2"]}]}"#);
        let c = net(r#"{"architecture": [1, 1, 1, 1], "layers": [
            {"weight": [[0]], "bias": [0]}, {"weight": [[0]], "bias": [0]},
            {"weight": [[0]], "bias": ["1/3"]}]}"#);
        let d = net(r#"{"architecture": [1, 1, 1, 1], "layers": [
            {"weight": [[1]], "bias": [1]}, {"weight": [[1]], "bias": ["-1/2"]},
            {"weight": [[1]], "bias": [0]}]}"#);
        let step = BottleneckStep::Constant;
        assert!(check_step(&step, &a, &b).is_ok());
        assert!(check_step(&step, &a, &a).is_ok());
        assert!(check_step(&step, &a, &c).is_err());
        assert!(check_step(&step, &d, &d).is_err());
    }
}
