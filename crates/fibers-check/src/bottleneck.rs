//! Step kinds for bottleneck networks (docs/theory.md §5–§7): `relabel`, `canonical-data`,
//! `hidden-shift`, `one-dimensional`, `constant`. Reading, writing and checking.
//!
//! Every check recomputes its claim from the step's two networks; nothing the producer computed
//! is trusted. The canonical data of `G` on the orthant are recomputed here with code of this
//! crate only (no dependency on the producer, `fibers-bottleneck`). Proofs: `docs/bottleneck.md`.

use crate::kernel::Rejection;
use fibers_exact::{Integer, Rational};
use fibers_net::json::{rational_from_value, rational_to_value, vector_to_value};
use fibers_net::{LoadError, Network};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The step kinds of this module.
pub const KINDS: [&str; 5] = [
    "relabel",
    "canonical-data",
    "hidden-shift",
    "one-dimensional",
    "constant",
];

/// A permutation with positive factors: new unit `i` is `scale[i]` times old unit `order[i]`
/// (incoming weights and bias), and its outgoing weights are divided by `scale[i]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relabeling {
    /// Old unit feeding new unit `i`.
    pub order: Vec<usize>,
    /// Positive factors.
    pub scale: Vec<Rational>,
}

/// One bottleneck step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BottleneckStep {
    /// `target = relabel(source)` (M1, M2), on layer 1 and/or layer 2.
    Relabel {
        /// Relabelling of layer 1 (identity when absent).
        layer1: Option<Relabeling>,
        /// Relabelling of layer 2 (identity when absent).
        layer2: Option<Relabeling>,
    },
    /// Same layer 1 (after `align` is applied to the target's layer 1) and equal canonical data
    /// of `G` on the orthant.
    CanonicalData {
        /// Layer-1 relabelling of the target.
        align: Option<Relabeling>,
    },
    /// The hidden shift M7 of layer-1 neuron `neuron` by `t`.
    HiddenShift {
        /// The layer-1 neuron.
        neuron: usize,
        /// The shift.
        t: Rational,
        /// `true`: target = shift(source); `false`: source = shift(target).
        forward: bool,
    },
    /// Both networks have `n1 = 1`: exact comparison of the one-dimensional functions.
    OneDimensional,
    /// Both `G` are constant on the orthant, with the same value.
    Constant,
}

impl BottleneckStep {
    /// The `"kind"` string.
    pub fn kind(&self) -> &'static str {
        match self {
            BottleneckStep::Relabel { .. } => "relabel",
            BottleneckStep::CanonicalData { .. } => "canonical-data",
            BottleneckStep::HiddenShift { .. } => "hidden-shift",
            BottleneckStep::OneDimensional => "one-dimensional",
            BottleneckStep::Constant => "constant",
        }
    }
}

// ---------------------------------------------------------------------------------------
// Reading and writing

fn err(source: &str, place: &str, msg: impl Into<String>) -> LoadError {
    LoadError::new(source, place, msg)
}

fn allowed(
    m: &Map<String, Value>,
    keys: &[&str],
    source: &str,
    place: &str,
) -> Result<(), LoadError> {
    if let Some(k) = m.keys().find(|k| !keys.contains(&k.as_str())) {
        return Err(err(
            source,
            place,
            format!("unknown key \"{k}\" (expected one of {})", keys.join(", ")),
        ));
    }
    Ok(())
}

fn index(v: &Value, source: &str, place: &str) -> Result<usize, LoadError> {
    v.as_u64()
        .filter(|&n| n <= u32::MAX as u64)
        .map(|n| n as usize)
        .ok_or_else(|| {
            err(
                source,
                place,
                format!("expected a non-negative integer index, found {v}"),
            )
        })
}

fn relabeling(v: &Value, source: &str, place: &str) -> Result<Relabeling, LoadError> {
    let m = v.as_object().ok_or_else(|| {
        err(
            source,
            place,
            "expected an object with \"order\" and \"scale\"",
        )
    })?;
    allowed(m, &["order", "scale"], source, place)?;
    let op = format!("{place}.order");
    let order = m
        .get("order")
        .ok_or_else(|| err(source, place, "missing key \"order\""))?
        .as_array()
        .ok_or_else(|| err(source, &op, "expected an array of indices"))?
        .iter()
        .enumerate()
        .map(|(i, x)| index(x, source, &format!("{op}[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    let sp = format!("{place}.scale");
    let scale = fibers_net::json::vector_from_value(
        m.get("scale")
            .ok_or_else(|| err(source, place, "missing key \"scale\""))?,
        source,
        &sp,
    )?;
    Ok(Relabeling { order, scale })
}

fn relabeling_to_value(r: &Relabeling) -> Value {
    serde_json::json!({"order": r.order, "scale": vector_to_value(&r.scale)})
}

/// Reads the body of a step of one of the [`KINDS`] (`m` is the step object).
pub fn read_step(
    kind: &str,
    m: &Map<String, Value>,
    source: &str,
    place: &str,
) -> Result<BottleneckStep, LoadError> {
    match kind {
        "relabel" => {
            allowed(m, &["kind", "network", "layer1", "layer2"], source, place)?;
            let get = |k: &str| {
                m.get(k)
                    .map(|v| relabeling(v, source, &format!("{place}.{k}")))
                    .transpose()
            };
            Ok(BottleneckStep::Relabel {
                layer1: get("layer1")?,
                layer2: get("layer2")?,
            })
        }
        "canonical-data" => {
            allowed(m, &["kind", "network", "align"], source, place)?;
            Ok(BottleneckStep::CanonicalData {
                align: m
                    .get("align")
                    .map(|v| relabeling(v, source, &format!("{place}.align")))
                    .transpose()?,
            })
        }
        "hidden-shift" => {
            allowed(
                m,
                &["kind", "network", "neuron", "t", "direction"],
                source,
                place,
            )?;
            let neuron = index(
                m.get("neuron")
                    .ok_or_else(|| err(source, place, "missing key \"neuron\""))?,
                source,
                &format!("{place}.neuron"),
            )?;
            let t = rational_from_value(
                m.get("t")
                    .ok_or_else(|| err(source, place, "missing key \"t\""))?,
                source,
                &format!("{place}.t"),
            )?;
            let dp = format!("{place}.direction");
            let forward = match m.get("direction").and_then(Value::as_str) {
                Some("forward") => true,
                Some("backward") => false,
                _ => {
                    return Err(err(
                        source,
                        &dp,
                        "expected \"forward\" (target = shift(source)) or \"backward\"",
                    ))
                }
            };
            Ok(BottleneckStep::HiddenShift { neuron, t, forward })
        }
        "one-dimensional" => {
            allowed(m, &["kind", "network"], source, place)?;
            Ok(BottleneckStep::OneDimensional)
        }
        "constant" => {
            allowed(m, &["kind", "network"], source, place)?;
            Ok(BottleneckStep::Constant)
        }
        other => Err(err(
            source,
            place,
            format!("not a bottleneck step kind: {other:?}"),
        )),
    }
}

/// Writes the body fields of a step into its JSON object (`kind` and `network` are written by
/// the caller).
pub fn write_step(s: &BottleneckStep, m: &mut Map<String, Value>) {
    match s {
        BottleneckStep::Relabel { layer1, layer2 } => {
            if let Some(r) = layer1 {
                m.insert("layer1".into(), relabeling_to_value(r));
            }
            if let Some(r) = layer2 {
                m.insert("layer2".into(), relabeling_to_value(r));
            }
        }
        BottleneckStep::CanonicalData { align } => {
            if let Some(r) = align {
                m.insert("align".into(), relabeling_to_value(r));
            }
        }
        BottleneckStep::HiddenShift { neuron, t, forward } => {
            m.insert("neuron".into(), Value::from(*neuron));
            m.insert("t".into(), rational_to_value(t));
            m.insert(
                "direction".into(),
                Value::from(if *forward { "forward" } else { "backward" }),
            );
        }
        BottleneckStep::OneDimensional | BottleneckStep::Constant => {}
    }
}

// ---------------------------------------------------------------------------------------
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
/// their normal `(w, β)/s` (`s` the first nonzero entry) with nonzero jumps, then `A`, `a`.
type Canonical = (
    BTreeMap<Vec<Rational>, Vec<Rational>>,
    Vec<Vec<Rational>>,
    Vec<Rational>,
);

fn canonical(net: &Network) -> Canonical {
    let a = net.arch();
    let mut kinks: BTreeMap<Vec<Rational>, Vec<Rational>> = BTreeMap::new();
    // Affine terms v (w, β): linear neurons, and crossing ones whose first nonzero entry s is
    // negative (v σ(s ẑ) = v|s| σ(ẑ) − v|s| ẑ and −v|s| ẑ = v (w, β)). Dead neurons add nothing.
    let mut affine: Vec<(Vec<Rational>, Vec<Rational>)> = Vec::new();
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
            (true, false) => affine.push((v, z)),
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
                    affine.push((v, z));
                }
            }
        }
    }
    kinks.retain(|_, j| j.iter().any(|x| !x.is_zero()));
    let mut sum = outer_sum(&affine, a.n3, a.n1 + 1);
    for (row, b) in sum.iter_mut().zip(net.b3()) {
        row[a.n1] += b;
    }
    let off = sum.iter().map(|r| r[a.n1].clone()).collect();
    let lin = sum.into_iter().map(|r| r[..a.n1].to_vec()).collect();
    (kinks, lin, off)
}

/// `Σ_k v_k z_kᵀ` (`rows × cols`), exactly. Each term is written over one integer denominator,
/// `v z_ᵀ = (V Zᵀ) / D`, and the integer products are summed in `i128` (overflow checked) per
/// distinct `D`; a term that does not fit in machine words is added in rationals.
fn outer_sum(
    terms: &[(Vec<Rational>, Vec<Rational>)],
    rows: usize,
    cols: usize,
) -> Vec<Vec<Rational>> {
    fn words(v: &[Rational]) -> Option<(Vec<i64>, i64)> {
        let small = |r: &Rational| Some((r.numer().to_i64()?, r.denom().to_i64()?));
        let gcd = |mut a: i64, mut b: i64| {
            while b != 0 {
                (a, b) = (b, a % b);
            }
            a
        };
        let mut d = 1i64;
        for x in v {
            let (_, q) = small(x)?;
            d = (d / gcd(d, q)).checked_mul(q)?;
        }
        v.iter()
            .map(|x| small(x).and_then(|(p, q)| p.checked_mul(d / q)))
            .collect::<Option<Vec<i64>>>()
            .map(|z| (z, d))
    }
    let mut exact = vec![vec![Rational::zero(); cols]; rows];
    // Groups (L, sums) meaning sums / L; a term joins the last group over lcm(L, D) when that
    // fits in machine words, else starts a new group, else is added in rationals.
    let mut groups: Vec<(i64, Vec<i128>)> = Vec::new();
    let merge = |l: i64, sums: &[i128], vv: &[i64], e: i64, zz: &[i64], d: i64| {
        let gcd = |mut a: i64, mut b: i64| {
            while b != 0 {
                (a, b) = (b, a % b);
            }
            a
        };
        let den = d.checked_mul(e)?;
        let m = (l / gcd(l, den)).checked_mul(den)?;
        let (fs, ft) = ((m / l) as i128, (m / den) as i128);
        let mut out = sums
            .iter()
            .map(|x| x.checked_mul(fs))
            .collect::<Option<Vec<i128>>>()?;
        for (o, &x) in vv.iter().enumerate() {
            let x = (x as i128).checked_mul(ft)?;
            for (i, &y) in zz.iter().enumerate() {
                let k = o * cols + i;
                out[k] = out[k].checked_add(x.checked_mul(y as i128)?)?;
            }
        }
        Some((m, out))
    };
    for (v, z) in terms {
        let fast = (|| {
            let ((vv, e), (zz, d)) = (words(v)?, words(z)?);
            if let Some((l, sums)) = groups.last() {
                if let Some(next) = merge(*l, sums, &vv, e, &zz, d) {
                    *groups.last_mut()? = next;
                    return Some(());
                }
            }
            let next = merge(1, &vec![0; rows * cols], &vv, e, &zz, d)?;
            groups.push(next);
            Some(())
        })();
        if fast.is_none() {
            for (o, x) in v.iter().enumerate() {
                for (i, y) in z.iter().enumerate() {
                    exact[o][i] += x * y;
                }
            }
        }
    }
    for (den, sums) in groups {
        for (k, s) in sums.into_iter().enumerate() {
            if s != 0 {
                let big =
                    Integer::from((s >> 64) as i64) * Integer::pow2(64) + Integer::from(s as u64);
                exact[k / cols][k % cols] +=
                    Rational::new(big, Integer::from(den)).expect("den > 0");
            }
        }
    }
    exact
}

/// `F(y) = W3 σ(W2 σ(y) + b2) + b3` for a network with `n1 = 1`.
fn eval_f1(net: &Network, y: &Rational) -> Vec<Rational> {
    let u = if y.is_positive() {
        y.clone()
    } else {
        Rational::zero()
    };
    let mut out = net.b3().to_vec();
    for k in 0..net.arch().n2 {
        let z = &net.w2()[k][0] * &u + &net.b2()[k];
        if z.is_positive() {
            for (q, o) in out.iter_mut().enumerate() {
                *o += &net.w3()[q][k] * &z;
            }
        }
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
        for y in deciding_points(b) {
            let ft = eval_f1(t, &(&l * &y + &shift));
            if eval_f1(s, &y) != ft {
                return reject(format!(
                    "one-dimensional: the functions differ at y = {y} (source coordinate)"
                ));
            }
        }
        return Ok(());
    }
    // Otherwise both functions of x must be constant, with the same value.
    let constant_value = |n: &Network, zero: bool, c: &Rational| -> Option<Vec<Rational>> {
        if zero {
            return Some(eval_f1(n, c));
        }
        let pts = deciding_points(breakpoints1(n));
        let v0 = eval_f1(n, &pts[0]);
        pts.iter().all(|y| eval_f1(n, y) == v0).then_some(v0)
    };
    match (constant_value(s, zero_s, c_s), constant_value(t, zero_t, c_t)) {
        (Some(x), Some(y)) if x == y => Ok(()),
        _ => reject("one-dimensional: the layer-1 directions are not parallel and the functions are not the same constant"),
    }
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
        BottleneckStep::Constant => {
            let (ks, ls, os) = canonical(source);
            let (kt, lt, ot) = canonical(target);
            let flat = |k: &BTreeMap<Vec<Rational>, Vec<Rational>>, l: &[Vec<Rational>]| {
                k.is_empty() && l.iter().all(|r| r.iter().all(Rational::is_zero))
            };
            if !flat(&ks, &ls) || !flat(&kt, &lt) {
                return reject("constant: G is not constant on the orthant");
            }
            if os != ot {
                return reject("constant: the two constants differ");
            }
            Ok(())
        }
    }
}
