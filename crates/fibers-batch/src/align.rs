//! `fibers align A B`: the permutations, positive scales and hidden shifts that carry B to A.
//!
//! The certificate of equivalence is a chain `A = θ_0 → θ_1 → … → θ_k = B`. For each link this
//! module finds the parameter map that carries `θ_{i+1}` to `θ_i`: a hidden shift is read off
//! the certificate step; any other link is matched exactly, layer by layer: each hidden unit of
//! `θ_i` is a positive multiple of one unit of `θ_{i+1}` (incoming weights and bias), outgoing
//! weights divided by the same factor. The map is then applied and the parameters compared
//! exactly, so a reported map is verified, not assumed. When B is matched to A directly (one
//! relabelling, the common case for retrained copies), that is the whole answer.
//!
//! A link that is an equality of functions without a parameter map (different hidden widths,
//! dead units, branch trees between non-symmetric parameters) is reported as such.

use fibers_bottleneck::layer1::hidden_shift;
use fibers_check::bottleneck::{BottleneckStep, Relabeling};
use fibers_check::{Certificate, StepBody};
use fibers_exact::Rational;
use fibers_net::Network;
use std::collections::HashMap;

/// One map of an alignment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AlignStep {
    /// The source is the relabelled target: hidden unit `i` of the source layer is `scale[i]`
    /// times unit `order[i]` of the target (incoming weights and bias), its outgoing weights
    /// divided by `scale[i]`.
    Relabel {
        /// Layer 1.
        layer1: Relabeling,
        /// Layer 2.
        layer2: Relabeling,
    },
    /// The hidden shift M7 of layer-1 neuron `neuron` by `t` (docs/theory.md §5), read off the
    /// certificate: `forward` means the link's target is the shifted source.
    HiddenShift {
        /// The layer-1 neuron.
        neuron: usize,
        /// The shift.
        t: Rational,
        /// Direction, as in the certificate.
        forward: bool,
    },
    /// The two networks of this link compute the same function (certified), but no
    /// permutation with positive scales carries one to the other.
    FunctionOnly {
        /// The certificate step's kind.
        kind: &'static str,
        /// Why no map was found.
        reason: String,
    },
}

/// The key of a row up to a positive factor: the row divided by the absolute value of its first
/// nonzero entry, and that value (`None` for a zero row).
fn normalise(row: &[Rational]) -> (Vec<Rational>, Option<Rational>) {
    match row.iter().find(|x| !x.is_zero()) {
        None => (row.to_vec(), None),
        Some(p) => {
            let p = p.abs();
            let inv = p.recip().expect("nonzero");
            (row.iter().map(|x| x * &inv).collect(), Some(p))
        }
    }
}

/// Matches the rows of `target` to those of `source` up to positive factors: `order[i]` and
/// `scale[i]` with `source[i] = scale[i] · target[order[i]]`.
fn match_rows(source: &[Vec<Rational>], target: &[Vec<Rational>]) -> Result<Relabeling, String> {
    if source.len() != target.len() {
        return Err(format!(
            "the layers have {} and {} units",
            source.len(),
            target.len()
        ));
    }
    let mut free: HashMap<Vec<Rational>, Vec<(usize, Option<Rational>)>> = HashMap::new();
    for (j, row) in target.iter().enumerate().rev() {
        let (key, p) = normalise(row);
        free.entry(key).or_default().push((j, p));
    }
    let mut order = Vec::with_capacity(source.len());
    let mut scale = Vec::with_capacity(source.len());
    for (i, row) in source.iter().enumerate() {
        let (key, p) = normalise(row);
        let (j, q) = free
            .get_mut(&key)
            .and_then(Vec::pop)
            .ok_or_else(|| format!("unit {i} is no positive multiple of any unit left"))?;
        order.push(j);
        scale.push(match (p, q) {
            (Some(p), Some(q)) => p.checked_div(&q).expect("nonzero"),
            _ => Rational::one(),
        });
    }
    Ok(Relabeling { order, scale })
}

/// Rows `(incoming weights, bias)` of layer `l`.
fn rows(net: &Network, l: usize) -> Vec<Vec<Rational>> {
    let layer = net.layer(l);
    layer
        .weight
        .iter()
        .zip(&layer.bias)
        .map(|(w, b)| {
            let mut r = w.clone();
            r.push(b.clone());
            r
        })
        .collect()
}

/// Relabels hidden layer `l` (1 or 2) of `net`.
fn relabel(net: &Network, l: usize, r: &Relabeling) -> Network {
    let mut out = net.clone();
    {
        let old = net.layer(l);
        let new = out.layer_mut(l);
        for (i, (&o, s)) in r.order.iter().zip(&r.scale).enumerate() {
            new.weight[i] = old.weight[o].iter().map(|x| x * s).collect();
            new.bias[i] = &old.bias[o] * s;
        }
    }
    let old = net.layer(l + 1).weight.clone();
    let next = out.layer_mut(l + 1);
    for (row, old_row) in next.weight.iter_mut().zip(&old) {
        for (i, (&o, s)) in r.order.iter().zip(&r.scale).enumerate() {
            row[i] = old_row[o].checked_div(s).expect("positive scale");
        }
    }
    out
}

/// The relabelling of both hidden layers carrying `target` to `source`, verified exactly.
pub fn match_networks(
    source: &Network,
    target: &Network,
) -> Result<(Relabeling, Relabeling), String> {
    if source.arch() != target.arch() {
        return Err(format!(
            "architectures {} and {} differ",
            source.arch(),
            target.arch()
        ));
    }
    let l1 = match_rows(&rows(source, 1), &rows(target, 1)).map_err(|e| format!("layer 1: {e}"))?;
    let t1 = relabel(target, 1, &l1);
    let l2 = match_rows(&rows(source, 2), &rows(&t1, 2)).map_err(|e| format!("layer 2: {e}"))?;
    let t2 = relabel(&t1, 2, &l2);
    if &t2 != source {
        return Err("after relabelling, the output layers differ".to_string());
    }
    Ok((l1, l2))
}

/// The maps carrying B to A: one relabelling when B matches A directly, else one map per link
/// of the certificate's chain (from A's side). `cert` must be an equivalence certificate of A
/// and B.
pub fn align(a: &Network, b: &Network, cert: &Certificate) -> Vec<AlignStep> {
    if let Ok((layer1, layer2)) = match_networks(a, b) {
        return vec![AlignStep::Relabel { layer1, layer2 }];
    }
    let Some(proof) = &cert.proof else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut source = a.clone();
    for step in &proof.steps {
        let target = step.network.clone().unwrap_or_else(|| b.clone());
        let kind = step.body.kind();
        match &step.body {
            StepBody::Bottleneck(BottleneckStep::HiddenShift { neuron, t, forward })
                if (*forward && hidden_shift(&source, *neuron, t) == target)
                    || (!*forward && hidden_shift(&target, *neuron, t) == source) =>
            {
                out.push(AlignStep::HiddenShift {
                    neuron: *neuron,
                    t: t.clone(),
                    forward: *forward,
                });
            }
            _ => match match_networks(&source, &target) {
                Ok((layer1, layer2)) => out.push(AlignStep::Relabel { layer1, layer2 }),
                Err(reason) => out.push(AlignStep::FunctionOnly { kind, reason }),
            },
        }
        source = target;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use fibers_net::Architecture;

    #[test]
    fn finds_the_permutation_and_scales() {
        let arch = Architecture::new(2, 3, 2, 1);
        let params: Vec<Rational> = (0..arch.param_count())
            .map(|i| Rational::ratio((i as i64 * 7) % 11 - 5, 3))
            .collect();
        let a = Network::from_params(arch, &params).unwrap();
        let r1 = Relabeling {
            order: vec![2, 0, 1],
            scale: vec![Rational::ratio(1, 2), Rational::from(3), Rational::one()],
        };
        let r2 = Relabeling {
            order: vec![1, 0],
            scale: vec![Rational::from(2), Rational::ratio(1, 5)],
        };
        let b = relabel(&relabel(&a, 1, &r1), 2, &r2);
        let (m1, m2) = match_networks(&b, &a).unwrap();
        assert_eq!(relabel(&relabel(&a, 1, &m1), 2, &m2), b);
        assert_eq!(m1.order, r1.order);
        // And the way back.
        let (n1, n2) = match_networks(&a, &b).unwrap();
        assert_eq!(relabel(&relabel(&b, 1, &n1), 2, &n2), a);
    }
}
