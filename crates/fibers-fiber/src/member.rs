//! Exact membership of a parameter in the described fiber, with its witness: the layer-1
//! permutation and positive factors, the hidden shift, the layer-2 permutation and the role of
//! every neuron, and the values of all auxiliary variables of its part.
//!
//! Given θ' of the same architecture:
//!
//! 1. every canonical layer-1 row `j` must be a positive multiple `λ_j` of exactly one row of
//!    θ' (the weights; rows are matched after normalising the first nonzero entry to `±1`);
//! 2. the biases must agree after the factors, except that of the hidden neuron, which may be
//!    higher by `s ≥ 0`;
//! 3. in canonical coordinates (`θ''`: rows divided by `λ_j`, columns of `W2` multiplied by
//!    `λ_j`), the canonical data of `G''` on `U` must equal those of `G_s`
//!    ([`crate::model::Model::target`]).
//!
//! Steps 1–2 are the layer-1 part of docs/theory.md §8 (its completeness is [open] there; the exact
//! branch tree is the referee in the tests). Given 1–2, step 3 is exact in both directions:
//! equal canonical data give equal `G` on `U` (docs/theory.md §6), and `ℓ` is onto `R^{n1}`. Every
//! positive answer is re-checked against the part's basic set with the auxiliary values found.

use crate::model::{Branch, Frame, Model};
use crate::orbit::permute;
use crate::roles::{normalise, PartKey, SlotRole};
use crate::system::{basic_set, lambda_var, mu_var, param_point, rho_var, shift_var};
use fibers_bottleneck::layer1::relabel_layer1;
use fibers_bottleneck::orthant::{layer2_role, outgoing_columns, Layer2Role, OrthantData};
use fibers_exact::Rational;
use fibers_net::Network;
use fibers_semialg::Point;
use std::collections::BTreeMap;

/// Why and how a parameter lies in the described fiber.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Witness {
    /// Canonical layer-1 row `j` is row `layer1[j]` of the parameter.
    pub layer1: Vec<usize>,
    /// Row `layer1[j]` of the parameter is `lambda[j]` times canonical row `j` (bias of the
    /// hidden neuron raised by `s`).
    pub lambda: Vec<Rational>,
    /// The hidden shift `s ≥ 0` (when there is a hidden neuron); it moves the neuron of
    /// `part.branch`.
    pub shift: Option<Rational>,
    /// Slot `k` of the part is layer-2 neuron `layer2[k]` of the parameter.
    pub layer2: Vec<usize>,
    /// The role of each layer-2 neuron of the parameter (indexed by the parameter's neuron).
    pub roles: Vec<SlotRole>,
    /// The part (role assignment modulo permutations).
    pub part: PartKey,
    /// Values of the part's auxiliary variables.
    pub aux: Point,
}

/// The answer of [`describe_membership`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// In the described fiber.
    Member(Box<Witness>),
    /// Not in the described fiber, with the first reason.
    NotMember(String),
}

/// An internal inconsistency (a bug, never a verdict).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Internal(pub String);

fn vec_text(v: &[Rational]) -> String {
    let parts: Vec<String> = v.iter().map(|x| x.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

fn first_difference(got: &OrthantData, want: &OrthantData) -> String {
    for k in &want.kinks {
        match got.kinks.iter().find(|g| g.normal == k.normal) {
            None => return format!("G lacks the kink {} on U", vec_text(&k.normal)),
            Some(g) if g.jump != k.jump => {
                return format!(
                    "the kink {} has jump {} instead of {}",
                    vec_text(&k.normal),
                    vec_text(&g.jump),
                    vec_text(&k.jump)
                )
            }
            _ => {}
        }
    }
    if let Some(g) = got
        .kinks
        .iter()
        .find(|g| !want.kinks.iter().any(|k| k.normal == g.normal))
    {
        return format!("G has an extra kink {} on U", vec_text(&g.normal));
    }
    if got.linear != want.linear {
        return "the linear part of G on U differs".to_string();
    }
    "the constant of G on U differs".to_string()
}

/// Decides whether `other` lies in the fiber described by `model` (see the [module
/// docs](self)); `Err` only on an internal inconsistency.
pub fn describe_membership(model: &Model, other: &Network) -> Result<Found, Internal> {
    let arch = model.arch;
    if other.arch() != arch {
        return Ok(Found::NotMember(format!(
            "architecture {} differs from {}",
            other.arch(),
            arch
        )));
    }
    let n1 = arch.n1;
    // 1. Match layer-1 rows by normalised weights.
    let mut by_dir: BTreeMap<Vec<Rational>, usize> = BTreeMap::new();
    let mut factor = Vec::with_capacity(n1);
    for (i, row) in other.w1().iter().enumerate() {
        let Some((f, _)) = normalise(row) else {
            return Ok(Found::NotMember(format!("row {i} of W1 is zero")));
        };
        let a = f.abs();
        let inv = a.recip().expect("nonzero");
        let n: Vec<Rational> = row.iter().map(|x| x * &inv).collect();
        by_dir.insert(n, i);
        factor.push(a);
    }
    let mut order = Vec::with_capacity(n1);
    let mut lambda = Vec::with_capacity(n1);
    let mut shift: Option<(usize, Rational)> = None;
    for j in 0..n1 {
        let want = &model.layer1.weight[j];
        let Some(&i) = by_dir.get(want) else {
            return Ok(Found::NotMember(format!(
                "no row of W1 is a positive multiple of canonical layer-1 row {j} {}",
                vec_text(want)
            )));
        };
        if order.contains(&i) {
            return Ok(Found::NotMember(format!(
                "row {i} of W1 matches two canonical rows"
            )));
        }
        let lam = factor[i].clone();
        let c = &other.b1()[i] / &lam;
        let d = &c - &model.layer1.bias[j];
        if model.hidden_neuron(j).is_some() {
            if d.is_negative() {
                return Ok(Found::NotMember(format!(
                    "the hidden layer-1 neuron (row {i}) sits {} below its threshold",
                    -&d
                )));
            }
            if d.is_positive() {
                if let Some((h, _)) = &shift {
                    return Ok(Found::NotMember(format!(
                        "two hidden layer-1 neurons (canonical rows {h} and {j}) are above their \
                         thresholds, and their shifts exclude each other"
                    )));
                }
                shift = Some((j, d));
            }
        } else if !d.is_zero() {
            return Ok(Found::NotMember(format!(
                "bias of row {i} is {} but must be {} (layer-1 neuron not hidden)",
                other.b1()[i],
                &model.layer1.bias[j] * &lam
            )));
        }
        order.push(i);
        lambda.push(lam);
    }
    if by_dir.len() != n1 {
        return Ok(Found::NotMember("two rows of W1 are parallel".into()));
    }
    // 2. Canonical coordinates.
    let inv: Vec<Rational> = lambda
        .iter()
        .map(|l| l.recip().expect("positive"))
        .collect();
    let canon = relabel_layer1(other, &order, &inv);
    let branch = model.branch_of(shift.as_ref().map(|(h, s)| (*h, s)));
    let s = shift.map(|x| x.1).unwrap_or_else(Rational::zero);
    let frame = model.frame();
    let r = layer2_part(&frame, other, &canon, order, lambda, s, branch)?;
    Ok(match r {
        Found::Member(mut w) => {
            if model.hidden.is_empty() {
                w.shift = None;
            }
            Found::Member(w)
        }
        x => x,
    })
}

/// Membership in the described part of the constant stratum: `G'` equal to the constant on
/// `U`, with any layer 1.
pub fn constant_membership(frame: &Frame, other: &Network) -> Result<Found, Internal> {
    if other.arch() != frame.arch {
        return Ok(Found::NotMember(format!(
            "architecture {} differs from {}",
            other.arch(),
            frame.arch
        )));
    }
    let order: Vec<usize> = (0..frame.arch.n1).collect();
    layer2_part(
        frame,
        other,
        other,
        order,
        Vec::new(),
        Rational::zero(),
        Branch::NoShift,
    )
}

/// The layer-2 half of membership: `canon` is `other` in the frame's layer-1 coordinates
/// (rows `order`, factors `lambda`, shift `s`).
fn layer2_part(
    frame: &Frame,
    other: &Network,
    canon: &Network,
    order: Vec<usize>,
    lambda: Vec<Rational>,
    s: Rational,
    branch: Branch,
) -> Result<Found, Internal> {
    let arch = frame.arch;
    let target = frame.target(branch);
    let want = target.at(&s);
    let got = OrthantData::of_network(canon);
    if got != want {
        return Ok(Found::NotMember(first_difference(&got, &want)));
    }
    // 3. Roles.
    let cols = outgoing_columns(canon);
    let normals_at_s: Vec<Vec<Rational>> = target
        .kinks
        .iter()
        .map(|k| k.normal.iter().map(|e| e.at(&s)).collect())
        .collect();
    #[derive(Clone)]
    enum Raw {
        Fixed(SlotRole, Option<Rational>),
        Grouped(Vec<Rational>, Rational),
    }
    let mut raw = Vec::with_capacity(arch.n2);
    for (k, ((w, b), v)) in canon.w2().iter().zip(canon.b2()).zip(&cols).enumerate() {
        let v_zero = v.iter().all(Rational::is_zero);
        let role = layer2_role(w, b, v_zero);
        raw.push(match role {
            // `(w, β) = 0` with `v ≠ 0` satisfies the dead constraints (`v = 0` is null).
            Layer2Role::Null if !v_zero => Raw::Fixed(SlotRole::Dead, None),
            Layer2Role::Null => Raw::Fixed(SlotRole::Null, None),
            Layer2Role::Dead => Raw::Fixed(SlotRole::Dead, None),
            Layer2Role::Linear => Raw::Fixed(SlotRole::Linear, None),
            Layer2Role::Crossing => {
                let mut wb = w.clone();
                wb.push(b.clone());
                let (mu, n) = normalise(&wb)
                    .ok_or_else(|| Internal(format!("crossing neuron {k} has zero weights")))?;
                match normals_at_s.iter().position(|x| *x == n) {
                    Some(label) => Raw::Fixed(
                        SlotRole::Kink {
                            label,
                            negative: mu.is_negative(),
                        },
                        Some(mu),
                    ),
                    None => Raw::Grouped(n, mu),
                }
            }
        });
    }
    // Zero-sum groups: neurons sharing a normal that is not a kink.
    let mut groups: BTreeMap<Vec<Rational>, Vec<usize>> = BTreeMap::new();
    for (k, r) in raw.iter().enumerate() {
        if let Raw::Grouped(n, _) = r {
            groups.entry(n.clone()).or_default().push(k);
        }
    }
    struct G {
        pattern: (usize, usize),
        leader: usize,
        members: Vec<usize>,
    }
    let mut glist: Vec<G> = Vec::new();
    for members in groups.into_values() {
        if members.len() < 2 {
            return Err(Internal(format!(
                "neuron {} is alone on a hyperplane that is not a kink, yet G matches",
                members[0]
            )));
        }
        let mu = |k: usize| match &raw[k] {
            Raw::Grouped(_, m) => m.clone(),
            _ => unreachable!("grouped"),
        };
        let pos = members.iter().filter(|&&k| mu(k).is_positive()).count();
        let neg = members.len() - pos;
        let lead_positive = pos >= neg;
        let leader = *members
            .iter()
            .find(|&&k| mu(k).is_positive() == lead_positive)
            .expect("the larger side is nonempty");
        glist.push(G {
            pattern: (pos.max(neg), pos.min(neg)),
            leader,
            members,
        });
    }
    glist.sort_by_key(|g| std::cmp::Reverse(g.pattern));
    let mut roles: Vec<SlotRole> = vec![SlotRole::Null; arch.n2];
    let mut factors: Vec<Option<Rational>> = vec![None; arch.n2];
    for (k, r) in raw.iter().enumerate() {
        if let Raw::Fixed(role, m) = r {
            roles[k] = *role;
            factors[k] = m.clone();
        }
    }
    for (g, grp) in glist.iter().enumerate() {
        let lead_mu = match &raw[grp.leader] {
            Raw::Grouped(_, m) => m.clone(),
            _ => unreachable!("grouped"),
        };
        for &k in &grp.members {
            let Raw::Grouped(_, m) = &raw[k] else {
                unreachable!("grouped")
            };
            let rho = m / &lead_mu;
            roles[k] = SlotRole::Group {
                group: g,
                leader: k == grp.leader,
                opposite: rho.is_negative(),
            };
            if k != grp.leader {
                factors[k] = Some(rho);
            }
        }
    }
    let nlabels = target.kinks.len();
    let mut key = PartKey {
        branch,
        kinks: vec![(0, 0); nlabels],
        linear: 0,
        dead: 0,
        null: 0,
        groups: glist.iter().map(|g| g.pattern).collect(),
    };
    for r in &roles {
        match *r {
            SlotRole::Kink { label, negative } => {
                if negative {
                    key.kinks[label].1 += 1
                } else {
                    key.kinks[label].0 += 1
                }
            }
            SlotRole::Linear => key.linear += 1,
            SlotRole::Dead => key.dead += 1,
            SlotRole::Null => key.null += 1,
            SlotRole::Group { .. } => {}
        }
    }
    // Slots in standard order.
    let slots = key.slots();
    let mut used = vec![false; arch.n2];
    let mut layer2 = Vec::with_capacity(arch.n2);
    for slot in &slots {
        let k = (0..arch.n2)
            .find(|&k| !used[k] && roles[k] == *slot)
            .ok_or_else(|| Internal(format!("no neuron for slot {}", slot.label())))?;
        used[k] = true;
        layer2.push(k);
    }
    let mut aux: Point = Point::new();
    for (j, l) in lambda.iter().enumerate() {
        aux.insert(lambda_var(j), l.clone());
    }
    if frame.has_shift(branch) {
        aux.insert(shift_var(), s.clone());
    }
    for (slot, &k) in layer2.iter().enumerate() {
        match slots[slot] {
            SlotRole::Kink { .. } => {
                aux.insert(mu_var(slot), factors[k].clone().expect("kink factor"));
            }
            SlotRole::Group { leader: false, .. } => {
                aux.insert(rho_var(slot), factors[k].clone().expect("group ratio"));
            }
            _ => {}
        }
    }
    // Re-check against the part's basic set.
    let permuted = permute(other, &order, &layer2);
    let set = basic_set(frame, &key);
    let point = param_point(arch, &permuted.params());
    match set.contains_with(&point, &aux) {
        Ok(true) => {}
        Ok(false) => {
            let mut full = point.clone();
            full.extend(aux.clone());
            let bad = set
                .constraints()
                .iter()
                .find(|c| !c.holds_at(&full).unwrap_or(false))
                .map(|c| c.to_text())
                .unwrap_or_default();
            return Err(Internal(format!(
                "the witness does not satisfy the basic set of part {key}: {bad}"
            )));
        }
        Err(e) => return Err(Internal(format!("evaluating part {key}: {e}"))),
    }
    Ok(Found::Member(Box::new(Witness {
        layer1: order,
        lambda,
        shift: Some(s),
        layer2,
        roles,
        part: key,
        aux,
    })))
}

/// The parameters of `net` relabelled into the standard labelling of its witness's part.
pub fn permuted_params(net: &Network, w: &Witness) -> Vec<Rational> {
    permute(net, &w.layer1, &w.layer2).params()
}
