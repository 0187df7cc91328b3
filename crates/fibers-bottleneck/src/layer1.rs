//! Layer-1 neurons seen through the canonical data: hidden, visible or irrelevant; the hidden
//! shift M7 and its threshold `t_min`; positive scalings and permutations of layer 1 (M1, M2);
//! and a network realising given canonical data.

use crate::orthant::{outgoing_columns, OrthantData};
use fibers_exact::Rational;
use fibers_net::{Architecture, Layer, Network};

/// The role of a layer-1 neuron `j`, from the canonical data of `G` on `U`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer1Role {
    /// `f` bends along `H_j = {y_j = 0}`: some kink depending on `u_j` crosses the facet
    /// `U_j = U ∩ {u_j = 0}` with a trace no other kink shares.
    Visible,
    /// Every kink depending on `u_j` is, in one orientation, inactive on the facet `U_j`: the
    /// hidden shift M7 applies (for `t ≥ t_min`).
    Hidden,
    /// `G` does not depend on `u_j` at all.
    Irrelevant,
}

/// Why the role of a layer-1 neuron cannot be read off the canonical data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AmbiguousFacet {
    /// The neuron.
    pub neuron: usize,
    /// Two kinks (indices into the kink list) with proportional traces on `U_j`.
    pub kinks: (usize, usize),
}

/// Whether two vectors are proportional by a nonzero factor (both nonzero).
pub fn proportional(p: &[Rational], q: &[Rational]) -> bool {
    if p.len() != q.len() {
        return false;
    }
    let Some(f) = p.iter().position(|x| !x.is_zero()) else {
        return false;
    };
    if q[..f].iter().any(|x| !x.is_zero()) {
        return false;
    }
    if q[f].is_zero() {
        return false;
    }
    for i in f + 1..p.len() {
        if p[i].is_zero() != q[i].is_zero() {
            return false;
        }
    }
    for i in f + 1..p.len() {
        if !p[i].is_zero() && &p[f] * &q[i] != &q[f] * &p[i] {
            return false;
        }
    }
    true
}

fn trace_of(normal: &[Rational], j: usize) -> Vec<Rational> {
    normal
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != j)
        .map(|(_, x)| x.clone())
        .collect()
}

/// Whether `p` and `q` without their entry `j` are proportional by a nonzero factor.
fn proportional_skip(p: &[Rational], q: &[Rational], j: usize) -> bool {
    let idx = || (0..p.len()).filter(move |&i| i != j);
    let Some(f) = idx().find(|&i| !p[i].is_zero()) else {
        return false;
    };
    if q[f].is_zero() || idx().take_while(|&i| i < f).any(|i| !q[i].is_zero()) {
        return false;
    }
    idx().filter(|&i| i > f).all(|i| {
        p[i].is_zero() == q[i].is_zero() && (p[i].is_zero() || &p[f] * &q[i] == &q[f] * &p[i])
    })
}

fn signs_skip(v: &[Rational], j: usize) -> (bool, bool) {
    let mut it = v
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != j)
        .map(|(_, x)| x);
    let (mut p, mut n) = (false, false);
    for x in it.by_ref() {
        match x.signum() {
            1 => p = true,
            -1 => n = true,
            _ => {}
        }
        if p && n {
            break;
        }
    }
    (p, n)
}

fn signs(v: &[Rational]) -> (bool, bool) {
    (
        v.iter().any(Rational::is_positive),
        v.iter().any(Rational::is_negative),
    )
}

/// The roles of all layer-1 neurons; `Err` when a role cannot be decided because kinks share
/// their trace on a facet (a non-generic coincidence).
pub fn layer1_roles(d: &OrthantData) -> Result<Vec<Layer1Role>, AmbiguousFacet> {
    (0..d.n1).map(|j| layer1_role(d, j)).collect()
}

/// The role of layer-1 neuron `j` (see [`layer1_roles`]).
pub fn layer1_role(d: &OrthantData, j: usize) -> Result<Layer1Role, AmbiguousFacet> {
    if !d.depends_on(j) {
        return Ok(Layer1Role::Irrelevant);
    }
    // Kinks depending on u_j whose trace on the facet U_j (the normal without entry j) has
    // both signs.
    let crossing: Vec<usize> = d
        .kinks
        .iter()
        .enumerate()
        .filter(|(_, k)| !k.normal[j].is_zero())
        .filter(|(_, k)| {
            let (p, n) = signs_skip(&k.normal, j);
            p && n
        })
        .map(|(i, _)| i)
        .collect();
    if crossing.is_empty() {
        return Ok(Layer1Role::Hidden);
    }
    // A trace shared by several kinks shows a bend of F along H_j unless the jumps of ∂_j G
    // across it cancel: Σ_Q J_Q ŵ_{Q,j} sgn(c_Q), where τ_Q = c_Q τ_P.
    let mut shared = None;
    for (a, &ia) in crossing.iter().enumerate() {
        let ta = &d.kinks[ia].normal;
        let f = (0..ta.len())
            .find(|&i| i != j && !ta[i].is_zero())
            .expect("indefinite trace");
        let mut jump: Vec<Rational> = d.kinks[ia].jump.iter().map(|x| x * &ta[j]).collect();
        for (b, &ib) in crossing.iter().enumerate() {
            let tb = &d.kinks[ib].normal;
            if b == a || !proportional_skip(ta, tb, j) {
                continue;
            }
            shared.get_or_insert((ia, ib));
            let positive = tb[f].signum() == ta[f].signum();
            for (x, y) in jump.iter_mut().zip(&d.kinks[ib].jump) {
                let t = y * &tb[j];
                if positive {
                    *x += t;
                } else {
                    *x -= t;
                }
            }
        }
        if jump.iter().any(|x| !x.is_zero()) {
            return Ok(Layer1Role::Visible);
        }
    }
    Err(AmbiguousFacet {
        neuron: j,
        kinks: shared.expect("a lone trace has a nonzero jump"),
    })
}

/// For a hidden neuron `h`: the orientation `ε_P ∈ {+1, −1}` of every kink that makes it
/// inactive on the facet `U_h` (`+1` for kinks not depending on `u_h`), and `t_min`
/// (docs/theory.md §5 M7), or `None` when `h` is not hidden.
pub fn hidden_threshold(d: &OrthantData, h: usize) -> Option<(Vec<bool>, Rational)> {
    let mut flip = vec![false; d.kinks.len()];
    let mut col: Vec<Rational> = d.linear.iter().map(|r| r[h].clone()).collect();
    let mut t_min: Option<Rational> = None;
    for (i, k) in d.kinks.iter().enumerate() {
        let wh = &k.normal[h];
        if wh.is_zero() {
            continue;
        }
        let tr = trace_of(&k.normal, h);
        let (pos, neg) = signs(&tr);
        let negate = match (pos, neg) {
            (false, _) => false,
            (true, false) => true,
            (true, true) => return None,
        };
        flip[i] = negate;
        let (w, beta) = if negate {
            // J σ(ẑ) = J σ(−ẑ) + J ẑ: the affine part gains J ŵ.
            for (c, j) in col.iter_mut().zip(&k.jump) {
                *c += j * wh;
            }
            (-wh, -k.offset())
        } else {
            (wh.clone(), k.offset().clone())
        };
        if !w.is_positive() {
            return None;
        }
        let th = beta / w;
        t_min = Some(match t_min {
            Some(t) if t >= th => t,
            _ => th,
        });
    }
    if col.iter().any(|c| !c.is_zero()) {
        let zero = Rational::zero();
        t_min = Some(match t_min {
            Some(t) if t >= zero => t,
            _ => zero,
        });
    }
    t_min.map(|t| (flip, t))
}

/// Checks the sign conditions of the hidden shift M7 on raw parameters: for every layer-2
/// neuron `k` with `v_k ≠ 0` and `w_kh ≠ 0`, `w_ki ≤ 0` for `i ≠ h`, `β_k ≤ 0`, and (when
/// `w_kh > 0`) `β_k − w_kh t ≤ 0`. `Err` names the first neuron that violates them.
pub fn check_hidden_condition(net: &Network, h: usize, t: &Rational) -> Result<(), String> {
    let cols = outgoing_columns(net);
    for (k, ((w, beta), v)) in net.w2().iter().zip(net.b2()).zip(&cols).enumerate() {
        if v.iter().all(Rational::is_zero) || w[h].is_zero() {
            continue;
        }
        if let Some(i) = w
            .iter()
            .enumerate()
            .position(|(i, x)| i != h && x.is_positive())
        {
            return Err(format!(
                "layer-2 neuron {k} has w[{i}] > 0 (active on the facet u_{h} = 0)"
            ));
        }
        if beta.is_positive() {
            return Err(format!("layer-2 neuron {k} has b2 > 0"));
        }
        if w[h].is_positive() && (beta - &(&w[h] * t)).is_positive() {
            return Err(format!(
                "shift {t} is below the threshold of layer-2 neuron {k}"
            ));
        }
    }
    Ok(())
}

/// The hidden shift M7: `c_h → c_h + t` and `β_k → β_k − w_kh t` for every `k` with
/// `w_kh > 0`.
pub fn hidden_shift(net: &Network, h: usize, t: &Rational) -> Network {
    let mut out = net.clone();
    out.layer_mut(1).bias[h] += t;
    let l2 = out.layer_mut(2);
    for (w, beta) in l2.weight.iter().zip(l2.bias.iter_mut()) {
        if w[h].is_positive() {
            *beta -= &w[h] * t;
        }
    }
    out
}

/// Relabels layer 1 (M1, M2): new row `i` is `scale[i]` times old row `order[i]`, and column
/// `i` of `W2` is old column `order[i]` divided by `scale[i]`. All scales must be positive.
pub fn relabel_layer1(net: &Network, order: &[usize], scale: &[Rational]) -> Network {
    let mut out = net.clone();
    {
        let l1 = out.layer_mut(1);
        let old = net.layer(1);
        for (i, (&o, s)) in order.iter().zip(scale).enumerate() {
            l1.weight[i] = old.weight[o].iter().map(|x| x * s).collect();
            l1.bias[i] = &old.bias[o] * s;
        }
    }
    let inv: Vec<Rational> = scale
        .iter()
        .map(|s| s.recip().expect("positive scale"))
        .collect();
    let l2 = out.layer_mut(2);
    for (row, old) in l2.weight.iter_mut().zip(net.w2()) {
        for (i, (&o, si)) in order.iter().zip(&inv).enumerate() {
            row[i] = &old[o] * si;
        }
    }
    out
}

/// A network with the given layer 1 whose `G` has the canonical data `d` on `U`: one neuron
/// `ε_P ẑ_P` with outgoing `J_P` per kink (`ε_P = −1` where `flip` says so), one linear neuron
/// `e_i` per nonzero column of the remaining affine part, and `b3` its constant.
pub fn realise(layer1: &Layer, n0: usize, d: &OrthantData, flip: &[bool]) -> Network {
    let n1 = d.n1;
    let mut linear = d.linear.clone();
    let mut offset = d.offset.clone();
    let mut rows = Vec::new();
    let mut biases = Vec::new();
    let mut outs: Vec<Vec<Rational>> = Vec::new();
    for (k, &f) in d.kinks.iter().zip(flip) {
        if f {
            for (o, j) in k.jump.iter().enumerate() {
                for (i, w) in k.weights().iter().enumerate() {
                    if !w.is_zero() {
                        linear[o][i] += j * w;
                    }
                }
                offset[o] += j * k.offset();
            }
            rows.push(k.weights().iter().map(|x| -x).collect::<Vec<_>>());
            biases.push(-k.offset());
        } else {
            rows.push(k.weights().to_vec());
            biases.push(k.offset().clone());
        }
        outs.push(k.jump.clone());
    }
    for i in 0..n1 {
        let col: Vec<Rational> = linear.iter().map(|r| r[i].clone()).collect();
        if col.iter().any(|x| !x.is_zero()) {
            let mut e = vec![Rational::zero(); n1];
            e[i] = Rational::one();
            rows.push(e);
            biases.push(Rational::zero());
            outs.push(col);
        }
    }
    let n2 = rows.len();
    let n3 = d.n3;
    let w3: Vec<Vec<Rational>> = (0..n3)
        .map(|o| outs.iter().map(|v| v[o].clone()).collect())
        .collect();
    let arch = Architecture::new(n0, n1, n2, n3);
    Network::new(
        arch,
        [
            layer1.clone(),
            Layer {
                weight: rows,
                bias: biases,
            },
            Layer {
                weight: w3,
                bias: offset,
            },
        ],
    )
    .expect("shapes agree by construction")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proportional_handles_signs_and_zeros() {
        let v = |xs: &[i64]| xs.iter().map(|&x| Rational::from(x)).collect::<Vec<_>>();
        assert!(proportional(&v(&[0, 2, -4]), &v(&[0, -1, 2])));
        assert!(!proportional(&v(&[0, 2, -4]), &v(&[1, -1, 2])));
        assert!(!proportional(&v(&[2, 0]), &v(&[1, 1])));
        assert!(!proportional(&v(&[0, 0]), &v(&[0, 0])));
    }
}
