//! The basic semi-algebraic set of one part of the fiber (a role assignment in standard
//! labelling), in the parameter names of [`fibers_net::Architecture::param_names`] with
//! existentially quantified auxiliary variables:
//!
//! - `lambda_j > 0`: the positive factor of canonical layer-1 row `j`;
//! - `s`: the hidden shift (on the branches `s > 0` and `s ≥ 0`);
//! - `mu_k`: the factor of a kink member in slot `k` (`(w̃_k, β_k) = μ_k ẑ_P(s)`);
//! - `rho_k`: the ratio of a non-leader zero-sum group member in slot `k` to its leader.
//!
//! Here `w̃_kj = W2[k][j] · lambda_j` is the incoming weight of slot `k` in canonical layer-1
//! coordinates. The constraints (all polynomial, degree ≤ 3):
//!
//! ```text
//! lambda_j > 0,  W1[j][i] − lambda_j a_ji = 0,  b1[j] − lambda_j (c_j + [j = h] s) = 0
//! kink member:   ±mu_k > 0,  W2[k][j] lambda_j − mu_k ẑ_Pj = 0,  b2[k] − mu_k β̂_P(s) = 0
//! linear:        W2[k][j] ≥ 0, b2[k] ≥ 0        dead: −W2[k][j] ≥ 0, −b2[k] ≥ 0
//! null:          W3[o][k] = 0
//! group member:  ±rho_k > 0,  W2[k][j] − rho_k W2[l][j] = 0,  b2[k] − rho_k b2[l] = 0
//! jumps:         Σ_{k ∈ P} |mu_k| W3[o][k] − J_Po = 0
//! zero sums:     W3[o][l] + Σ_{k ∈ group} |rho_k| W3[o][k] = 0
//! affine part:   Σ_lin W3[o][k] w̃_kj + Σ_{k flipped} mu_k W3[o][k] ẑ_Pj
//!                  + Σ_{k opposite} rho_k W3[o][k] w̃_lj − A_oj = 0
//! offset:        the same with b2, β̂_P(s), b2[l], plus b3[o] − a_o(s) = 0
//! ```

use crate::model::{Affine, Frame};
use crate::roles::{PartKey, SlotRole};
use fibers_exact::Rational;
use fibers_net::Architecture;
use fibers_semialg::{BasicSet, Constraint, Monomial, Point, Polynomial, Relation, Var};

/// The parameter variables in the order of [`Architecture::param_names`].
pub fn param_vars(arch: Architecture) -> Vec<Var> {
    arch.param_names().iter().map(|n| Var::new(n)).collect()
}

/// The point of a parameter vector (order of [`Architecture::param_names`]).
pub fn param_point(arch: Architecture, params: &[Rational]) -> Point {
    param_vars(arch)
        .into_iter()
        .zip(params.iter().cloned())
        .collect()
}

/// `lambda_j`.
pub fn lambda_var(j: usize) -> Var {
    Var::new(&format!("lambda_{j}"))
}
/// `s`.
pub fn shift_var() -> Var {
    Var::new("s")
}
/// `mu_k`.
pub fn mu_var(k: usize) -> Var {
    Var::new(&format!("mu_{k}"))
}
/// `rho_k`.
pub fn rho_var(k: usize) -> Var {
    Var::new(&format!("rho_{k}"))
}

fn p(v: Var) -> Polynomial {
    Polynomial::var(v)
}
fn c(r: &Rational) -> Polynomial {
    Polynomial::constant(r.clone())
}

/// The auxiliary variables of a part, in order.
pub fn aux_vars(frame: &Frame, key: &PartKey) -> Vec<Var> {
    let mut aux: Vec<Var> = if frame.layer1.is_some() {
        (0..frame.arch.n1).map(lambda_var).collect()
    } else {
        Vec::new()
    };
    if frame.has_shift(key.branch) {
        aux.push(shift_var());
    }
    for (k, r) in key.slots().iter().enumerate() {
        match r {
            SlotRole::Kink { .. } => aux.push(mu_var(k)),
            SlotRole::Group { leader: false, .. } => aux.push(rho_var(k)),
            _ => {}
        }
    }
    aux
}

/// The constraints of a part (see the [module docs](self)).
pub fn constraints(frame: &Frame, key: &PartKey) -> Vec<Constraint> {
    let target = frame.target(key.branch);
    let a = frame.arch;
    let (n1, n3) = (a.n1, a.n3);
    let slots = key.slots();
    let has_s = frame.has_shift(key.branch);
    let free = frame.layer1.is_none();
    let s_poly = if has_s {
        p(shift_var())
    } else {
        Polynomial::zero()
    };
    let aff = |e: &Affine| -> Polynomial {
        if e.d.is_zero() || !has_s {
            c(&e.c)
        } else {
            c(&e.c) + s_poly.scale(&e.d)
        }
    };
    let lam = |j: usize| {
        if free {
            Polynomial::one()
        } else {
            p(lambda_var(j))
        }
    };
    let w2 = |k: usize, j: usize| p(Var::w2(k, j));
    let b2 = |k: usize| p(Var::b2(k));
    let w3 = |o: usize, k: usize| p(Var::w3(o, k));
    let mut out = Vec::new();
    // Layer 1.
    if let Some(layer1) = &frame.layer1 {
        for j in 0..n1 {
            out.push(Constraint::positive(lam(j)));
            for (i, aji) in layer1.weight[j].iter().enumerate() {
                out.push(Constraint::zero(p(Var::w1(j, i)) - lam(j).scale(aji)));
            }
            let mut bias = c(&layer1.bias[j]);
            if Some(j) == key.branch.neuron() {
                bias += &s_poly;
            }
            out.push(Constraint::zero(p(Var::b1(j)) - lam(j) * bias));
        }
    }
    if has_s {
        match key.branch {
            crate::model::Branch::Positive(_) => out.push(Constraint::positive(s_poly.clone())),
            crate::model::Branch::NonNegative(_) => {
                out.push(Constraint::nonnegative(s_poly.clone()))
            }
            _ => {}
        }
    }
    // Canonical-coordinate incoming weights of slot k.
    let wt = |k: usize, j: usize| w2(k, j) * lam(j);
    let leader_of = |g: usize| {
        slots
            .iter()
            .position(|r| matches!(r, SlotRole::Group { group, leader: true, .. } if *group == g))
            .expect("every group has a leader")
    };
    let mut jump_sums: Vec<Vec<Polynomial>> =
        vec![vec![Polynomial::zero(); n3]; target.kinks.len()];
    let mut lin_part: Vec<Vec<Polynomial>> = vec![vec![Polynomial::zero(); n1]; n3];
    let mut off_part: Vec<Polynomial> = (0..n3).map(|o| p(Var::b3(o))).collect();
    let mut zero_sums: Vec<Vec<Polynomial>> = vec![Vec::new(); key.groups.len()];
    for (k, role) in slots.iter().enumerate() {
        match *role {
            SlotRole::Kink { label, negative } => {
                let mu = p(mu_var(k));
                out.push(Constraint::positive(if negative {
                    -&mu
                } else {
                    mu.clone()
                }));
                let normal = &target.kinks[label].normal;
                for j in 0..n1 {
                    out.push(Constraint::zero(wt(k, j) - &mu * aff(&normal[j])));
                }
                out.push(Constraint::zero(b2(k) - &mu * aff(&normal[n1])));
                let abs_mu = if negative { -&mu } else { mu.clone() };
                for (o, acc) in jump_sums[label].iter_mut().enumerate() {
                    *acc += &abs_mu * w3(o, k);
                }
                if negative {
                    for o in 0..n3 {
                        let mv = &mu * w3(o, k);
                        for j in 0..n1 {
                            lin_part[o][j] += &mv * aff(&normal[j]);
                        }
                        off_part[o] += &mv * aff(&normal[n1]);
                    }
                }
            }
            SlotRole::Linear => {
                for j in 0..n1 {
                    out.push(Constraint::nonnegative(w2(k, j)));
                }
                out.push(Constraint::nonnegative(b2(k)));
                for o in 0..n3 {
                    for j in 0..n1 {
                        lin_part[o][j] += w3(o, k) * wt(k, j);
                    }
                    off_part[o] += w3(o, k) * b2(k);
                }
            }
            SlotRole::Dead => {
                for j in 0..n1 {
                    out.push(Constraint::nonnegative(-w2(k, j)));
                }
                out.push(Constraint::nonnegative(-b2(k)));
            }
            SlotRole::Null => {
                for o in 0..n3 {
                    out.push(Constraint::zero(w3(o, k)));
                }
            }
            SlotRole::Group {
                group,
                leader,
                opposite,
            } => {
                if leader {
                    zero_sums[group] = (0..n3).map(|o| w3(o, k)).collect();
                    continue;
                }
                let l = leader_of(group);
                let rho = p(rho_var(k));
                out.push(Constraint::positive(if opposite {
                    -&rho
                } else {
                    rho.clone()
                }));
                for j in 0..n1 {
                    out.push(Constraint::zero(w2(k, j) - &rho * w2(l, j)));
                }
                out.push(Constraint::zero(b2(k) - &rho * b2(l)));
                let abs_rho = if opposite { -&rho } else { rho.clone() };
                for (o, acc) in zero_sums[group].iter_mut().enumerate() {
                    *acc += &abs_rho * w3(o, k);
                }
                if opposite {
                    for o in 0..n3 {
                        let rv = &rho * w3(o, k);
                        for j in 0..n1 {
                            lin_part[o][j] += &rv * wt(l, j);
                        }
                        off_part[o] += &rv * b2(l);
                    }
                }
            }
        }
    }
    for (label, sums) in jump_sums.into_iter().enumerate() {
        for (o, sum) in sums.into_iter().enumerate() {
            out.push(Constraint::zero(sum - c(&target.kinks[label].jump[o])));
        }
    }
    for sums in zero_sums {
        for sum in sums {
            out.push(Constraint::zero(sum));
        }
    }
    for o in 0..n3 {
        for j in 0..n1 {
            out.push(Constraint::zero(
                std::mem::take(&mut lin_part[o][j]) - c(&target.linear[o][j]),
            ));
        }
        out.push(Constraint::zero(
            std::mem::take(&mut off_part[o]) - aff(&target.offset[o]),
        ));
    }
    drop_dependent_equalities(out)
}

/// Removes every equality whose polynomial is a Q-linear combination of earlier equality
/// polynomials (it holds wherever they do, so the set is unchanged). The affine-balance
/// equations are often such combinations of the jump equations; without them the Jacobian of
/// the equalities is more often of full rank, which makes local dimensions proven.
pub fn drop_dependent_equalities(cs: Vec<Constraint>) -> Vec<Constraint> {
    use std::collections::BTreeMap;
    // Echelon basis: pivot monomial -> row (normalised to 1 at the pivot).
    let mut basis: Vec<(Monomial, BTreeMap<Monomial, Rational>)> = Vec::new();
    let mut out = Vec::with_capacity(cs.len());
    for c in cs {
        if c.rel != Relation::Eq {
            out.push(c);
            continue;
        }
        let mut row: BTreeMap<Monomial, Rational> = c
            .poly
            .terms()
            .map(|(m, x)| (m.clone(), x.clone()))
            .collect();
        for (pm, prow) in &basis {
            if let Some(f) = row.get(pm).cloned() {
                for (m, x) in prow {
                    let e = row.entry(m.clone()).or_insert_with(Rational::zero);
                    *e -= &f * x;
                    if e.is_zero() {
                        row.remove(m);
                    }
                }
            }
        }
        let Some((pm, pivot)) = row.iter().next().map(|(m, x)| (m.clone(), x.clone())) else {
            continue; // dependent: drop it
        };
        let inv = pivot.recip().expect("nonzero pivot");
        let row: BTreeMap<Monomial, Rational> =
            row.into_iter().map(|(m, x)| (m, x * &inv)).collect();
        // Keep the basis reduced: eliminate the new pivot from the other rows.
        for (_, prow) in basis.iter_mut() {
            if let Some(f) = prow.get(&pm).cloned() {
                for (m, x) in &row {
                    let e = prow.entry(m.clone()).or_insert_with(Rational::zero);
                    *e -= &f * x;
                    if e.is_zero() {
                        prow.remove(m);
                    }
                }
            }
        }
        basis.push((pm, row));
        out.push(c);
    }
    out
}

/// The part as a basic set over the parameters, with its auxiliary variables quantified.
pub fn basic_set(frame: &Frame, key: &PartKey) -> BasicSet {
    BasicSet::new(
        param_vars(frame.arch),
        aux_vars(frame, key),
        constraints(frame, key),
    )
    .expect("every variable is declared once")
}

/// The part lifted to parameters and auxiliary variables together (no quantifier): its local
/// dimension at a lifted point equals the part's, because the auxiliary values are determined
/// by the parameters (a rational inverse of the projection).
pub fn lifted_set(frame: &Frame, key: &PartKey) -> BasicSet {
    let mut vars = param_vars(frame.arch);
    vars.extend(aux_vars(frame, key));
    BasicSet::new(vars, Vec::new(), constraints(frame, key))
        .expect("every variable is declared once")
}
