//! The `"normal-form"` step (docs/theory.md §11, Proposition 11.8): both networks written over
//! shared class representatives, which makes them the same expression in `x`.
//!
//! Layer 1: every neuron `i` claims `(W1[i], b1[i]) = c_i (w*_j, b*_j)` with `c_i > 0`, so
//! `σ(z_i) = c_i σ(z*_j)`; merging the columns of layer 2 per class gives its pre-activation
//! `W~2 σ(z*) + b2`, where a constant class (`w* = 0`) gets a zero column and its neurons add
//! `W2[:, i] σ(b1[i])` to the bias column instead. Layer 2,
//! with rows `r_k = (W~2[k, :], b2[k])` acting on `(σ(z*), 1) ≥ 0`: a `linear` row has every entry
//! `≥ 0` (so `σ` is the identity on it) and adds `W3[:, k] r_k` to the linear part; a `dead` row
//! has every entry `≤ 0` (so it outputs 0); any other row claims `r_k = d_k r*_l` with `d_k > 0`
//! and adds `d_k W3[:, k]` to the merged output column of class `l`. The step is accepted iff the
//! merged output columns and the linear parts (with `b3` in the constant column) of the two
//! networks are equal. Everything is recomputed here from the weights; nothing the producer
//! computed is trusted beyond the claims it checks.

use crate::types::{Layer2Member, Member, NormalForm, Rejection};
use fibers_exact::Rational;
use fibers_net::Network;

fn reject<T>(msg: String) -> Result<T, Rejection> {
    Err(Rejection(format!("normal-form: {msg}")))
}

/// One network over the representatives: the merged output column of every layer-2 class and
/// the linear part (`n3` rows over `(σ(z*), 1)`).
struct Reduced {
    columns: Vec<Vec<Rational>>,
    linear: Vec<Vec<Rational>>,
}

/// The representative of `m`'s class, after checking the index and the sign of the scale.
fn representative<'r>(
    m: &Member,
    reps: &'r [Vec<Rational>],
    what: &str,
    place: &str,
) -> Result<&'r [Rational], Rejection> {
    if !m.scale.is_positive() {
        return reject(format!("{place}: the scale {} is not positive", m.scale));
    }
    match reps.get(m.class) {
        Some(r) => Ok(r),
        None => reject(format!(
            "{place}: class {} out of range ({} {what} classes)",
            m.class,
            reps.len()
        )),
    }
}

/// Checks `row = m.scale · representative` entry by entry.
fn check_multiple<'x>(
    row: impl Iterator<Item = &'x Rational>,
    m: &Member,
    rep: &[Rational],
    place: &str,
) -> Result<(), Rejection> {
    match row.zip(rep).position(|(x, r)| *x != &m.scale * r) {
        Some(q) => reject(format!(
            "{place}: entry {q} is not {} times that of class {}",
            m.scale, m.class
        )),
        None => Ok(()),
    }
}

fn reduce(nf: &NormalForm, side: usize, net: &Network) -> Result<Reduced, Rejection> {
    let (arch, name) = (net.arch(), ["a", "b"][side]);
    let (l1, l2) = (&nf.layer1_of[side], &nf.layer2_of[side]);
    let m1 = nf.layer1.len();
    if l1.len() != arch.n1 || l2.len() != arch.n2 {
        return reject(format!(
            "layer1.{name} and layer2.{name} have {} and {} entries, network {name} has {} and {} \
             hidden neurons",
            l1.len(),
            l2.len(),
            arch.n1,
            arch.n2
        ));
    }
    // Layer-2 rows in class coordinates, the bias last.
    let mut rows: Vec<Vec<Rational>> = net
        .b2()
        .iter()
        .map(|b| {
            let mut r = vec![Rational::zero(); m1 + 1];
            r[m1] = b.clone();
            r
        })
        .collect();
    for (i, m) in l1.iter().enumerate() {
        let place = format!("layer1.{name}[{i}]");
        let rep = representative(m, &nf.layer1, "layer-1", &place)?;
        check_multiple(net.w1()[i].iter().chain([&net.b1()[i]]), m, rep, &place)?;
        if rep[..arch.n0].iter().all(Rational::is_zero) {
            // A constant class: σ(z_i) = σ(b1[i]) goes into the bias column.
            if net.b1()[i].is_positive() {
                for (r, w2) in rows.iter_mut().zip(net.w2()) {
                    r[m1] += &w2[i] * &net.b1()[i];
                }
            }
            continue;
        }
        for (r, w2) in rows.iter_mut().zip(net.w2()) {
            r[m.class] += &m.scale * &w2[i];
        }
    }
    let mut columns = vec![vec![Rational::zero(); arch.n3]; nf.layer2.len()];
    let mut linear = vec![vec![Rational::zero(); m1 + 1]; arch.n3];
    for (lin, b3) in linear.iter_mut().zip(net.b3()) {
        lin[m1] = b3.clone();
    }
    for (k, (m, row)) in l2.iter().zip(&rows).enumerate() {
        let place = format!("layer2.{name}[{k}]");
        match m {
            Layer2Member::Linear => {
                if let Some(q) = row.iter().position(Rational::is_negative) {
                    return reject(format!(
                        "{place} is \"linear\" but entry {q} of its row is negative"
                    ));
                }
                for (lin, w3) in linear.iter_mut().zip(net.w3()) {
                    for (acc, x) in lin.iter_mut().zip(row) {
                        *acc += &w3[k] * x;
                    }
                }
            }
            Layer2Member::Dead => {
                if let Some(q) = row.iter().position(Rational::is_positive) {
                    return reject(format!(
                        "{place} is \"dead\" but entry {q} of its row is positive"
                    ));
                }
            }
            Layer2Member::Class(m) => {
                let rep = representative(m, &nf.layer2, "layer-2", &place)?;
                if rep.len() != m1 + 1 {
                    return reject(format!(
                        "layer2.classes[{}] has {} entries, expected {}",
                        m.class,
                        rep.len(),
                        m1 + 1
                    ));
                }
                check_multiple(row.iter(), m, rep, &place)?;
                for (acc, w3) in columns[m.class].iter_mut().zip(net.w3()) {
                    *acc += &m.scale * &w3[k];
                }
            }
        }
    }
    Ok(Reduced { columns, linear })
}

/// Checks a `"normal-form"` step from `a` (its source) to `b` (its target).
pub fn check_step(nf: &NormalForm, a: &Network, b: &Network) -> Result<(), Rejection> {
    let (aa, ab) = (a.arch(), b.arch());
    // More classes than neurons are never needed (and would let a short file cost much).
    if nf.layer1.len() > aa.n1 + ab.n1 || nf.layer2.len() > aa.n2 + ab.n2 {
        return reject("more classes than the networks have neurons".into());
    }
    let n0 = aa.n0;
    if let Some(j) = nf.layer1.iter().position(|r| r.len() != n0 + 1) {
        return reject(format!(
            "layer1.classes[{j}] has {} entries, expected n0 + 1 = {}",
            nf.layer1[j].len(),
            n0 + 1
        ));
    }
    let (ra, rb) = (reduce(nf, 0, a)?, reduce(nf, 1, b)?);
    if let Some(l) = (0..ra.columns.len()).find(|&l| ra.columns[l] != rb.columns[l]) {
        return reject(format!(
            "the merged output columns of layer2.classes[{l}] differ"
        ));
    }
    if let Some(o) = (0..ra.linear.len()).find(|&o| ra.linear[o] != rb.linear[o]) {
        return reject(format!(
            "the linear parts differ (output {o}; b3 in the last column)"
        ));
    }
    Ok(())
}
